// The scale-out commands of `doclens` (issue #16): `extract --shard I/N` options and `extract merge` for shards
// run on many machines, and `queue add|status` + `worker` for a Redis-backed BullMQ queue (docs/scale.md).
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExportFormat, ExtractKind } from '../shared/domain.js';
import { AppError } from '../shared/errors.js';
import { mergeShards } from '../services/jobs/merge.js';
import { checkShard, parseShard } from '../services/jobs/shard.js';
import { defaultDataDir } from '../services/paths.js';
import { addJob, queueStatus } from '../services/queue/producer.js';
import type { QueueJobStatus } from '../services/queue/store.js';
import { startWorker } from '../services/queue/worker.js';
import { SettingsStore } from '../services/settings-store.js';
import { intOption, print, UsageError } from './common.js';

export const QUEUE_USAGE = `  extract dates|tables PATHS... --out DIR --shard I/N
                                                     only shard I of N (by a hash of each path under the inputs'
                                                     folder); --shards N alone takes I from JOB_COMPLETION_INDEX
  extract merge DIR... --out DIR                     merge the shards' output folders into one result set
  queue add PATHS... --redis URL --job NAME --out DIR [--kind dates,tables] [--format F] [--attempts N]
                    [--backoff-ms MS]               one task per document on a Redis queue (BullMQ)
  queue status NAME --redis URL [--wait]             progress, statuses, dead letters, outputs of a queue job
  worker --redis URL [--concurrency N] [--lock-ms MS]
                                                     run queue tasks until SIGTERM / Ctrl+C`;

type Values = {
  shard?: string;
  shards?: string;
  out?: string;
  format?: string;
  redis?: string;
  job?: string;
  kind?: string;
  attempts?: string;
  'backoff-ms'?: string;
  'lock-ms'?: string;
  concurrency?: string;
  wait?: boolean;
  json?: boolean;
};

function asUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof AppError && e.code === 'invalid_input') throw new UsageError(e.message);
    throw e;
  }
}

/**
 * The shard of an `extract` run: `--shard I/N`, or `--shards N` with I from JOB_COMPLETION_INDEX (the index a
 * Kubernetes Indexed Job gives each pod); undefined for a whole run.
 */
export function shardOption(
  values: Values,
  env: NodeJS.ProcessEnv = process.env,
): { index: number; count: number } | undefined {
  return asUsage(() => {
    if (values.shard !== undefined) {
      const s = parseShard(values.shard);
      if (values.shards !== undefined && Number(values.shards) !== s.count)
        throw new UsageError(`--shard ${values.shard} and --shards ${values.shards} disagree`);
      return s;
    }
    if (values.shards === undefined) return undefined;
    const count = intOption(values.shards, 'shards');
    const idx = env.JOB_COMPLETION_INDEX;
    if (idx === undefined || !/^\d+$/.test(idx))
      throw new UsageError(
        `--shards ${count} needs --shard I/${count} or JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job), got ${idx === undefined ? 'neither' : `JOB_COMPLETION_INDEX="${idx}"`}`,
      );
    return checkShard(Number(idx), count);
  });
}

export async function mergeCommand(dirs: string[], values: Values): Promise<number> {
  if (!dirs.length) throw new UsageError('extract merge needs the shards’ output folders');
  if (!values.out) throw new UsageError('extract merge needs --out DIR');
  const r = await mergeShards(
    dirs.map((d) => resolve(d)),
    resolve(values.out),
  );
  process.stdout.write(`${JSON.stringify({ outDir: resolve(values.out), ...r }, null, 2)}\n`);
  return 0;
}

function listOption<T extends string>(
  value: string | undefined,
  name: string,
  parse: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  allowed: readonly string[],
  fallback: T[],
): T[] {
  if (!value) return fallback;
  const out: T[] = [];
  for (const v of value.split(',').map((x) => x.trim().toLowerCase())) {
    const p = parse.safeParse(v);
    if (!p.success)
      throw new UsageError(`--${name} takes ${allowed.join(',')} (comma-separated), got "${v}"`);
    if (!out.includes(p.data)) out.push(p.data);
  }
  return out;
}

function describe(s: QueueJobStatus): string {
  const by = Object.entries(s.byStatus)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `job ${s.name}: ${s.state}, ${s.docsDone}/${s.docsTotal} documents (${s.docsTotal ? Math.floor((100 * s.docsDone) / s.docsTotal) : 100} %), ${s.pagesDone} pages${by ? `; ${by}` : ''}`,
    `queue: ${s.queue.waiting} waiting, ${s.queue.active} active, ${s.queue.delayed} delayed (retry backoff), ${s.queue.failed} failed`,
    ...s.deadLetters.map(
      (d) => `dead-letter #${d.pos} ${d.file}: ${d.status} after ${d.attempts} attempt(s): ${d.error}`,
    ),
    ...(s.outputs.length
      ? [`outputs in ${s.outDir}: ${s.outputs.map((o) => o.slice(s.outDir.length + 1)).join(', ')}`]
      : []),
  ].join('\n');
}

/** `queue add …` and `queue status NAME`. */
export async function queueCommand(
  rest: string[],
  values: Values,
  dataDir: string | undefined,
): Promise<number> {
  const [sub, ...args] = rest;
  if (!values.redis) throw new UsageError('queue needs --redis URL (e.g. redis://127.0.0.1:6379)');
  if (sub === 'add') {
    if (!args.length) throw new UsageError('queue add needs at least one file or folder');
    if (!values.job) throw new UsageError('queue add needs --job NAME');
    if (!values.out) throw new UsageError('queue add needs --out DIR (a folder every worker can write)');
    const settings = await new SettingsStore(dataDir ?? defaultDataDir()).load();
    const status = await asUsageAsync(() =>
      addJob({
        redisUrl: values.redis as string,
        job: values.job as string,
        inputs: args,
        kinds: listOption(values.kind, 'kind', ExtractKind, ExtractKind.options, ['dates', 'tables']),
        formats: listOption(values.format, 'format', ExportFormat, ExportFormat.options, [
          'csv',
          'xlsx',
          'json',
        ]),
        outDir: values.out as string,
        dateLocale: settings.dateLocale,
        attempts: values.attempts ? intOption(values.attempts, 'attempts') : undefined,
        backoffMs: values['backoff-ms']
          ? intOption(values['backoff-ms'], 'backoff-ms', undefined, 0)
          : undefined,
      }),
    );
    print(values.json ?? false, status, () => describe(status));
    return 0;
  }
  if (sub === 'status') {
    const name = args[0] ?? values.job;
    if (!name) throw new UsageError('queue status needs the job NAME');
    let s = await asUsageAsync(() => queueStatus(values.redis as string, name));
    while (values.wait && s.state !== 'done') {
      await sleep(500);
      s = await queueStatus(values.redis, name);
    }
    print(values.json ?? false, s, () => describe(s));
    return 0;
  }
  throw new UsageError(`queue takes add or status, got "${sub ?? ''}"`);
}

async function asUsageAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AppError && e.code === 'invalid_input' && /^(job name|--)/.test(e.message))
      throw new UsageError(e.message);
    throw e;
  }
}

/** `worker`: runs tasks until SIGTERM or SIGINT, then finishes the ones in hand and exits 0. */
export async function workerCommand(values: Values, dataDir: string | undefined): Promise<number> {
  if (!values.redis) throw new UsageError('worker needs --redis URL (e.g. redis://127.0.0.1:6379)');
  const worker = await startWorker({
    redisUrl: values.redis,
    dataDir: dataDir ?? defaultDataDir(),
    concurrency: intOption(values.concurrency, 'concurrency', 1),
    lockMs: values['lock-ms'] ? intOption(values['lock-ms'], 'lock-ms', undefined, 1000) : undefined,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stderr.write(`doclens: worker ${process.pid} ready on ${values.redis}\n`);
  await new Promise<void>((res) => {
    process.once('SIGTERM', () => res());
    process.once('SIGINT', () => res());
  });
  await worker.close();
  return 0;
}
