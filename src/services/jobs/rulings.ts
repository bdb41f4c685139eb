// Ruling lines of PDF pages for table detection, read in a worker thread of their own with a deadline: a page
// that takes too long ends that request with `timeout` and the worker is replaced. Requests run one at a time
// (the operator list walk is a few milliseconds for ordinary pages).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Segment } from '../../documents/rulings.js';
import { workerSpawn } from '../../documents/worker-protocol.js';
import { AppError } from '../../shared/errors.js';
import { RULINGS_READY, type RulingsCall, type RulingsReply } from './rulings-protocol.js';

interface Pending {
  call: RulingsCall;
  deadlineMs: number;
  resolve: (v: Segment[][]) => void;
  reject: (e: unknown) => void;
}

/** Resolves the worker beside this module: rulings-worker.ts from source, rulings-worker.mjs when bundled. */
function entry(): URL {
  const here = import.meta.url;
  return new URL(here.endsWith('.ts') ? './rulings-worker.ts' : './rulings-worker.mjs', here);
}

export class RulingsReader {
  #worker: Worker | null = null;
  #ready: Promise<void> | null = null;
  #queue: Pending[] = [];
  #busy = false;
  #seq = 0;
  #disposed = false;
  #inThread: boolean;

  constructor(private readonly opts: { baseDeadlineMs?: number; perPageMs?: number } = {}) {
    // NOTE: a bundle without rulings-worker.mjs beside it (scripts/build.mjs not listing it) reads rulings in
    // this thread instead: same results, without the isolation.
    this.#inThread = !existsSync(fileURLToPath(entry()));
  }

  /** Segments of each requested page, in order. Rejects with AppError timeout | corrupt | needs_password. */
  read(path: string, pages: readonly number[], password?: string): Promise<Segment[][]> {
    if (this.#disposed)
      return Promise.reject(new AppError('cancelled', 'the rulings reader has been shut down'));
    if (pages.length === 0) return Promise.resolve([]);
    const deadlineMs = (this.opts.baseDeadlineMs ?? 10_000) + (this.opts.perPageMs ?? 2_000) * pages.length;
    return new Promise((resolve, reject) => {
      this.#queue.push({
        call: { seq: ++this.#seq, path, pages: [...pages], password },
        deadlineMs,
        resolve,
        reject,
      });
      this.#pump();
    });
  }

  #spawn(): void {
    const { target, options } = workerSpawn(entry());
    const w = new Worker(target, {
      ...options,
      stdout: false,
      stderr: false,
      resourceLimits: { maxOldGenerationSizeMb: 1024 },
    });
    this.#worker = w;
    this.#ready = new Promise((resolve, reject) => {
      w.once('message', (m) =>
        m === RULINGS_READY ? resolve() : reject(new Error('rulings worker: bad hello')),
      );
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`rulings worker exited with code ${code}`)));
    });
    w.on('exit', () => {
      if (this.#worker === w) this.#worker = null;
    });
  }

  #pump(): void {
    if (this.#busy || this.#disposed) return;
    const job = this.#queue.shift();
    if (!job) return;
    this.#busy = true;
    void this.#run(job).finally(() => {
      this.#busy = false;
      this.#pump();
    });
  }

  async #run(job: Pending): Promise<void> {
    const { call } = job;
    if (this.#inThread) {
      try {
        const { readFile } = await import('node:fs/promises');
        const { pdfRulings } = await import('../../documents/rulings.js');
        job.resolve(await pdfRulings(new Uint8Array(await readFile(call.path)), call.password, call.pages));
      } catch (e) {
        job.reject(new AppError('corrupt', `${call.path}: ${(e as Error).message}`));
      }
      return;
    }
    if (!this.#worker) this.#spawn();
    const w = this.#worker as Worker;
    try {
      await this.#ready;
    } catch (e) {
      this.#worker = null;
      job.reject(new AppError('internal', `rulings worker did not start: ${(e as Error).message}`));
      return;
    }
    await new Promise<void>((done) => {
      const finish = () => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('exit', onExit);
        done();
      };
      const onMessage = (m: RulingsReply) => {
        if (m.seq !== call.seq) return;
        finish();
        if (m.ok) job.resolve(m.rulings);
        else
          job.reject(
            new AppError(
              /password/i.test(m.message) ? 'needs_password' : 'corrupt',
              `${call.path}: ${m.message}`,
            ),
          );
      };
      const onExit = (code: number) => {
        finish();
        job.reject(new AppError('internal', `${call.path}: the rulings worker stopped (exit code ${code})`));
      };
      const timer = setTimeout(() => {
        finish();
        this.#worker = null;
        void w.terminate();
        job.reject(
          new AppError('timeout', `${call.path}: reading ruling lines took over ${job.deadlineMs / 1000} s`),
        );
      }, job.deadlineMs);
      w.on('message', onMessage);
      w.on('exit', onExit);
      w.postMessage(call);
    });
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    for (const p of this.#queue.splice(0))
      p.reject(new AppError('cancelled', 'the rulings reader has been shut down'));
    const w = this.#worker;
    this.#worker = null;
    if (w) await w.terminate();
  }
}
