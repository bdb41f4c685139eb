// `doclens queue add` and `queue status`: describe a job in Redis and enqueue one BullMQ task per document, with
// retries and exponential backoff; read a job's progress, dead letters and outputs back.
import { resolve } from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ExportFormat, ExtractKind, Settings } from '../../shared/domain.js';
import { discoverInputs } from '../jobs/discover.js';
import { optionsKeyOf } from '../jobs/manager.js';
import { writeResultSet } from '../jobs/merge.js';
import { QUEUE_NAME, checkJobName, connect, createJob, jobStatus, keys, taskId } from './store.js';
import type { QueueJobMeta, QueueJobStatus, TaskData } from './store.js';

export interface AddOptions {
  redisUrl: string;
  job: string;
  inputs: string[];
  kinds: ExtractKind[];
  formats: ExportFormat[];
  outDir: string;
  dateLocale: Settings['dateLocale'];
  /** Tries per document before it is dead-lettered (default 3). */
  attempts?: number;
  /** First retry delay; doubled on each next try (default 5 s). */
  backoffMs?: number;
}

/** Opens the queue on an existing connection, for one-shot commands; closed with `close()`. */
export async function withQueue<T>(url: string, fn: (redis: Redis, queue: Queue) => Promise<T>): Promise<T> {
  const redis = await connect(url);
  const queue = new Queue<TaskData>(QUEUE_NAME, { connection: redis });
  try {
    return await fn(redis, queue);
  } finally {
    await queue.close().catch(() => undefined);
    redis.disconnect();
  }
}

export async function addJob(opts: AddOptions): Promise<QueueJobStatus> {
  const name = checkJobName(opts.job);
  const inputs = opts.inputs.map((p) => resolve(p));
  const { files, skipped } = await discoverInputs(inputs);
  const kinds = [...new Set(opts.kinds)].sort();
  const meta: QueueJobMeta = {
    v: 1,
    name,
    createdAt: new Date().toISOString(),
    inputs,
    kinds,
    formats: [...new Set(opts.formats)],
    outDir: resolve(opts.outDir),
    optionsKey: optionsKeyOf(kinds, opts.dateLocale),
    dateLocale: opts.dateLocale,
    files,
    skipped,
    attempts: opts.attempts ?? 3,
    backoffMs: opts.backoffMs ?? 5000,
  };
  return withQueue(opts.redisUrl, async (redis, queue) => {
    await createJob(redis, meta);
    if (!files.length) {
      // Nothing for a worker to do: the (empty) result set is written now, as a local job over no files would.
      const outputs = await writeResultSet({
        outDir: meta.outDir,
        kinds,
        formats: meta.formats,
        lines: [],
        skipped,
        result: () => Promise.reject(new Error('no documents')),
      });
      await redis.set(keys.outputs(name), JSON.stringify(outputs));
    }
    for (let start = 0; start < files.length; start += 1000) {
      await queue.addBulk(
        files.slice(start, start + 1000).map((_, k) => {
          const pos = start + k;
          return {
            name: 'extract',
            data: { job: name, pos },
            opts: {
              jobId: taskId(name, pos),
              attempts: meta.attempts,
              backoff: { type: 'exponential', delay: meta.backoffMs },
              removeOnComplete: true,
              removeOnFail: false, // failed tasks stay: BullMQ's own record of the dead letters
            },
          };
        }),
      );
    }
    return jobStatus(redis, queue, name);
  });
}

export async function queueStatus(redisUrl: string, job: string): Promise<QueueJobStatus> {
  const name = checkJobName(job);
  return withQueue(redisUrl, (redis, queue) => jobStatus(redis, queue, name));
}
