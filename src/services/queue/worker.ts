// `doclens worker`: takes document tasks from the BullMQ queue and runs the same extraction as local jobs
// (extractDocument), storing each result in the job's output folder keyed by the document's content and options
// and recording its line in Redis once. Whichever worker records a job's last document writes the job's outputs.
import { mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UnrecoverableError, Worker, type Job as Task } from 'bullmq';
import { createDocumentEngine } from '../../documents/index.js';
import type { FileStatus } from '../../shared/domain.js';
import { PageText } from '../page-text.js';
import { SettingsStore } from '../settings-store.js';
import { writeAtomic, type FileLine } from '../jobs/journal.js';
import { extractDocument, fileLineOf, resultKey, withNameSlot, type StoredResult } from '../jobs/manager.js';
import { writeResultSet } from '../jobs/merge.js';
import {
  QUEUE_NAME,
  connect,
  doneLines,
  keys,
  readMeta,
  recordLine,
  type DeadLetter,
  type QueueJobMeta,
  type TaskData,
} from './store.js';

/** Folder inside a queue job's output folder that holds its documents' stored results. */
export const RESULTS_DIR = '.doclens-results';

/**
 * Statuses a document keeps however often it is read again (its bytes decide them): dead-lettered at once. The
 * others (crashed, timeout, io_error) may pass on another worker or later, so they are retried with backoff first.
 */
const FINAL: ReadonlySet<FileStatus> = new Set(['corrupt', 'needs_password', 'unsupported', 'too_large']);

export interface WorkerOptions {
  redisUrl: string;
  dataDir: string;
  concurrency: number;
  /** How long a task stays claimed without its worker renewing the claim (a killed worker's task is taken over). */
  lockMs?: number;
  /** Called with one line per finished task (for the CLI's log). */
  log?: (line: string) => void;
}

export interface RunningWorker {
  /** Resolves once the worker has stopped taking tasks and the ones in hand are finished. */
  close(): Promise<void>;
}

export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const redis = await connect(opts.redisUrl, { forWorker: true });
  await mkdir(opts.dataDir, { recursive: true });
  const engine = createDocumentEngine({ cacheDir: join(opts.dataDir, 'cache', 'render') });
  const settings = new SettingsStore(opts.dataDir);
  await settings.load();
  const text = new PageText({
    threads: () => settings.get().threads,
    ocrCacheDir: join(opts.dataDir, 'cache', 'ocr'),
  });
  const metas = new Map<string, Promise<QueueJobMeta>>();
  const metaOf = (job: string) => {
    let m = metas.get(job);
    if (!m) {
      m = readMeta(redis, job);
      m.catch(() => metas.delete(job));
      metas.set(job, m);
    }
    return m;
  };
  const log = opts.log ?? (() => undefined);
  const stop = new AbortController();

  const finishIfLast = async (meta: QueueJobMeta, recorded: number) => {
    if (recorded < meta.files.length) return;
    // Every document is recorded: write the outputs from the stored results in input order. Two workers finishing
    // the last documents at once both get here and write the same bytes, each through its own temporary name.
    const lines = await doneLines(redis, meta.name);
    const outputs = await writeResultSet({
      outDir: meta.outDir,
      kinds: meta.kinds,
      formats: meta.formats,
      lines,
      skipped: meta.skipped,
      uniqueTemp: true,
      result: async (l) =>
        JSON.parse(await readFile(join(meta.outDir, RESULTS_DIR, `${l.key}.json`), 'utf8')) as StoredResult,
    });
    await redis.set(keys.outputs(meta.name), JSON.stringify(outputs));
    log(`job ${meta.name}: done, ${lines.length} document(s), outputs in ${meta.outDir}`);
  };

  const deadLetter = async (meta: QueueJobMeta, line: FileLine, attempts: number) => {
    const dead: DeadLetter = {
      pos: line.i,
      file: line.file,
      status: line.status,
      error: line.error ?? line.status,
      attempts,
      at: new Date().toISOString(),
    };
    const recorded = await recordLine(redis, meta.name, line, dead);
    log(`dead-letter ${meta.name}#${line.i} ${line.file}: ${line.status}: ${dead.error}`);
    await finishIfLast(meta, recorded);
  };

  const processTask = async (task: Task<TaskData>): Promise<string> => {
    const { job, pos } = task.data;
    const meta = await metaOf(job);
    const file = meta.files[pos];
    if (file === undefined) throw new UnrecoverableError(`job ${job}: no document #${pos}`);
    const r0 = performance.now();
    const already = await redis.hget(keys.done(job), String(pos));
    let redisMs = performance.now() - r0;
    if (already) {
      // Recorded by an earlier run of this task that died before BullMQ heard of it: only the outputs may be left.
      await finishIfLast(meta, await redis.hlen(keys.done(job)));
      return (JSON.parse(already) as FileLine).status;
    }
    const t0 = performance.now() - redisMs;
    let extractMs = 0;
    log(`start ${job}#${pos} ${file}`);
    const deps = {
      engine,
      text,
      settings: { get: () => ({ ...settings.get(), dateLocale: meta.dateLocale }) },
    };
    const key = await resultKey(file, meta.optionsKey, 30_000);
    const resultsDir = join(meta.outDir, RESULTS_DIR);
    const resultPath = join(resultsDir, `${key}.json`);
    let result = await readFile(resultPath, 'utf8')
      .then((t) => JSON.parse(t) as StoredResult)
      .catch(() => null);
    if (!result) {
      const e0 = performance.now();
      result = withNameSlot(
        await extractDocument(deps, file, meta.kinds, stop.signal, () => undefined),
        file,
      );
      extractMs = performance.now() - e0;
      if (result.status === 'ok' || result.status === 'partial') {
        await mkdir(resultsDir, { recursive: true });
        // Same content, same bytes: a second worker writing it (a stalled task taken over) changes nothing.
        await writeAtomic(
          resultPath,
          JSON.stringify(result),
          `${resultPath}.${process.pid}-${task.id ?? 'task'}.partial`,
        );
      }
    }
    const line = fileLineOf(pos, file, key, result);
    if (result.status !== 'ok' && result.status !== 'partial') {
      const attempts = task.attemptsMade + 1;
      if (FINAL.has(result.status) || attempts >= (task.opts.attempts ?? 1)) {
        await deadLetter(meta, line, attempts);
        throw new UnrecoverableError(`${file}: ${result.status}: ${line.error ?? ''}`);
      }
      throw new Error(`${file}: ${result.status}: ${line.error ?? ''} (attempt ${attempts}, retried)`);
    }
    const r1 = performance.now();
    const recorded = await recordLine(redis, job, line, null);
    redisMs += performance.now() - r1;
    // The task's time and its extraction's: the difference is what running it through the queue cost.
    log(
      `${line.status} ${job}#${pos} ${file}: ${line.pages} page(s), ${line.dates} date(s), ${line.tables} table(s) ` +
        `[task ${(performance.now() - t0).toFixed(1)} ms, extraction ${extractMs.toFixed(1)} ms, redis ${redisMs.toFixed(1)} ms]`,
    );
    await finishIfLast(meta, recorded);
    return line.status;
  };

  const lockDuration = opts.lockMs ?? 30_000;
  const worker = new Worker<TaskData, string>(QUEUE_NAME, processTask, {
    connection: redis,
    concurrency: opts.concurrency,
    lockDuration,
    stalledInterval: Math.max(1000, Math.round(lockDuration / 2)),
    // A document whose workers die over it three times (a file that kills the process) is dead-lettered as crashed.
    maxStalledCount: 2,
    autorun: true,
  });
  worker.on('failed', (task, err) => {
    if (!task) return;
    // A task failed for good without processTask dead-lettering it — the stalled check gave up on it (its workers
    // died over it), or its last attempt threw (a full disk, Redis gone) — is recorded here, so the job still ends.
    const final =
      /stalled/i.test(err.message) ||
      err.name === 'UnrecoverableError' ||
      task.attemptsMade >= (task.opts.attempts ?? 1);
    if (!final) return;
    void (async () => {
      const meta = await metaOf(task.data.job);
      if (await redis.hexists(keys.done(meta.name), String(task.data.pos))) return;
      const file = meta.files[task.data.pos] as string;
      const line: FileLine = {
        t: 'file',
        i: task.data.pos,
        file,
        key: '',
        status: 'crashed',
        pages: 0,
        dates: 0,
        tables: 0,
        error: `"${basename(file)}": ${/stalled/i.test(err.message) ? 'the workers reading it stopped' : 'failed'} (${err.message})`,
      };
      await deadLetter(meta, line, Math.max(task.attemptsMade, task.attemptsStarted));
    })().catch((e: unknown) => log(`dead-letter of a failed task failed: ${(e as Error).message}`));
  });
  worker.on('error', (e) => log(`worker error: ${e.message}`));
  await worker.waitUntilReady();

  return {
    async close() {
      await worker.close();
      stop.abort();
      await text.dispose();
      await engine.destroy();
      redis.disconnect();
    },
  };
}
