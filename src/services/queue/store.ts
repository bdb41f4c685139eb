// Queue mode's state in Redis (issue #16): the BullMQ queue that carries one task per document, plus per-job keys
// DocLens keeps beside it — the job's description, each document's result line (written once, keyed by its
// position), the dead-letter list and counters — so progress and outputs never depend on a worker staying alive.
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { ExportFormat, ExtractKind, Settings } from '../../shared/domain.js';
import type { DeadLetter, QueueJobStatus } from '../../shared/queue.js';
import { AppError } from '../../shared/errors.js';
import type { FileLine, HeaderLine } from '../jobs/journal.js';

export type { DeadLetter, QueueJobStatus } from '../../shared/queue.js';

/** The BullMQ queue every DocLens job's tasks go through (one worker pool serves all jobs). */
export const QUEUE_NAME = 'doclens-extract';
const PREFIX = 'doclens:job:';

/** A queue job as `queue add` described it; workers read it once per job. */
export interface QueueJobMeta {
  v: 1;
  name: string;
  createdAt: string;
  inputs: string[];
  kinds: ExtractKind[];
  formats: ExportFormat[];
  outDir: string;
  optionsKey: string;
  /** Date order the job was added with: every worker reads dates the same way whatever its own settings. */
  dateLocale: Settings['dateLocale'];
  files: string[];
  skipped: HeaderLine['skipped'];
  attempts: number;
  backoffMs: number;
}

/** A task: one document of one job. */
export interface TaskData {
  job: string;
  pos: number;
}

export const keys = {
  meta: (job: string) => `${PREFIX}${job}:meta`,
  done: (job: string) => `${PREFIX}${job}:done`,
  counts: (job: string) => `${PREFIX}${job}:counts`,
  dead: (job: string) => `${PREFIX}${job}:dead`,
  outputs: (job: string) => `${PREFIX}${job}:outputs`,
};

/** Job names become Redis keys and BullMQ task ids: letters, digits, dot, dash, underscore. */
export function checkJobName(name: string | undefined): string {
  if (!name || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name))
    throw new AppError(
      'invalid_input',
      `job name must be 1-100 letters, digits, ".", "-" or "_" (starting with a letter or digit), got "${name ?? ''}"`,
    );
  return name;
}

/** The BullMQ task id of a document: re-adding a job's tasks while they exist adds nothing twice. */
export function taskId(job: string, pos: number): string {
  return `${job}.${pos}`;
}

/**
 * Records a document's line once (HSETNX) and counts it in the same step, atomically; returns how many documents
 * of the job are recorded. A task that runs twice (a stalled task taken over after its worker died, a retry after
 * the line was written) finds its line there and counts nothing.
 */
const RECORD = `
if redis.call('hsetnx', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('hincrby', KEYS[2], 'status:' .. ARGV[3], 1)
  redis.call('hincrby', KEYS[2], 'pages', tonumber(ARGV[4]))
  if ARGV[5] ~= '' then redis.call('hsetnx', KEYS[3], ARGV[1], ARGV[5]) end
end
return redis.call('hlen', KEYS[1])
`;

type RecordingRedis = Redis & {
  doclensRecord(
    done: string,
    counts: string,
    dead: string,
    pos: string,
    line: string,
    status: string,
    pages: string,
    dead_: string,
  ): Promise<number>;
};

/** Opens a Redis connection, failing with a clear error when the server cannot be reached. */
export async function connect(url: string, opts: { forWorker?: boolean } = {}): Promise<Redis> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('invalid_input', `--redis must be a URL like redis://127.0.0.1:6379, got "${url}"`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new AppError('invalid_input', `--redis must be a redis:// or rediss:// URL, got "${url}"`);
  const redis = new Redis(url, {
    lazyConnect: true,
    // BullMQ workers block on Redis and must retry forever; one-shot commands fail fast instead.
    maxRetriesPerRequest: opts.forWorker ? null : 1,
    retryStrategy: opts.forWorker ? (n) => Math.min(200 * n, 5000) : () => null,
  });
  redis.on('error', () => undefined); // reported through the calls that fail
  try {
    await redis.connect();
  } catch (e) {
    redis.disconnect();
    throw new AppError('io_error', `cannot reach Redis at ${url}: ${(e as Error).message}`);
  }
  redis.defineCommand('doclensRecord', { numberOfKeys: 3, lua: RECORD });
  return redis;
}

export async function readMeta(redis: Redis, job: string): Promise<QueueJobMeta> {
  const raw = await redis.get(keys.meta(job));
  if (!raw) throw new AppError('not_found', `no queue job "${job}" in this Redis`);
  return JSON.parse(raw) as QueueJobMeta;
}

/** Writes a job's description; refuses a name already in use (its results would mix). */
export async function createJob(redis: Redis, meta: QueueJobMeta): Promise<void> {
  const ok = await redis.set(keys.meta(meta.name), JSON.stringify(meta), 'NX');
  if (ok !== 'OK')
    throw new AppError('invalid_input', `queue job "${meta.name}" already exists: choose another --job name`);
}

export async function recordLine(
  redis: Redis,
  job: string,
  line: FileLine,
  dead: DeadLetter | null,
): Promise<number> {
  return (redis as RecordingRedis).doclensRecord(
    keys.done(job),
    keys.counts(job),
    keys.dead(job),
    String(line.i),
    JSON.stringify(line),
    line.status,
    String(line.pages),
    dead ? JSON.stringify(dead) : '',
  );
}

/** Every recorded line of a job, in input order. */
export async function doneLines(redis: Redis, job: string): Promise<FileLine[]> {
  const all = await redis.hgetall(keys.done(job));
  return Object.values(all)
    .map((v) => JSON.parse(v) as FileLine)
    .sort((a, b) => a.i - b.i);
}

export async function jobStatus(redis: Redis, queue: Queue, job: string): Promise<QueueJobStatus> {
  const meta = await readMeta(redis, job);
  const [docsDone, counts, deadRaw, outputsRaw, q] = await Promise.all([
    redis.hlen(keys.done(job)),
    redis.hgetall(keys.counts(job)),
    redis.hgetall(keys.dead(job)),
    redis.get(keys.outputs(job)),
    queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'),
  ]);
  const byStatus: Record<string, number> = {};
  for (const [k, v] of Object.entries(counts))
    if (k.startsWith('status:')) byStatus[k.slice('status:'.length)] = Number(v);
  const outputs = outputsRaw ? (JSON.parse(outputsRaw) as string[]) : [];
  return {
    name: job,
    state: docsDone === meta.files.length && outputs.length ? 'done' : 'running',
    outDir: meta.outDir,
    docsTotal: meta.files.length,
    docsDone,
    pagesDone: Number(counts.pages ?? 0),
    byStatus,
    deadLetters: Object.values(deadRaw)
      .map((v) => JSON.parse(v) as DeadLetter)
      .sort((a, b) => a.pos - b.pos),
    outputs,
    queue: {
      waiting: (q.waiting ?? 0) + (q.prioritized ?? 0),
      active: q.active ?? 0,
      delayed: q.delayed ?? 0,
      failed: q.failed ?? 0,
      completed: q.completed ?? 0,
    },
  };
}
