// Contract types of queue mode (issue #16): a queue job's progress as `doclens queue status` prints it and the
// desktop Batch view shows it (channel `queue.status`).
import { z } from 'zod';
import { FileStatus } from './domain.js';

export const DeadLetter = z.object({
  /** Position of the document in the job's input order. */
  pos: z.number().int().nonnegative(),
  file: z.string(),
  status: FileStatus,
  error: z.string(),
  attempts: z.number().int().nonnegative(),
  at: z.string(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

export const QueueJobStatus = z.object({
  name: z.string(),
  /** done once every document is recorded and the outputs are written. */
  state: z.enum(['running', 'done']),
  outDir: z.string(),
  docsTotal: z.number().int().nonnegative(),
  docsDone: z.number().int().nonnegative(),
  pagesDone: z.number().int().nonnegative(),
  byStatus: z.record(z.string(), z.number().int().nonnegative()),
  deadLetters: z.array(DeadLetter),
  outputs: z.array(z.string()),
  /** Tasks of every job in the queue right now (BullMQ's counts). */
  queue: z.object({
    waiting: z.number().int().nonnegative(),
    active: z.number().int().nonnegative(),
    delayed: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    completed: z.number().int().nonnegative(),
  }),
});
export type QueueJobStatus = z.infer<typeof QueueJobStatus>;

export const QueueStatusInput = z
  .object({
    redis: z.string().min(1).max(2048),
    job: z.string().min(1).max(100),
  })
  .strict();
