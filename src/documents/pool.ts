// A pool of document worker threads: parsing and rendering run off the backend's main thread, a per-request
// deadline terminates a hung worker (→ timeout), workers are replaced after N pages because pdf.js does not give
// all memory back, and a document's requests prefer the worker that already has it parsed.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { AppError } from '../shared/errors.js';
import type { Backend } from './backend.js';
import { fromWireError } from './doc-errors.js';
import type { DocRequest, DocResult } from './registry.js';
import {
  WORKER_READY,
  workerEntry,
  workerSpawn,
  type WorkerCall,
  type WorkerReply,
} from './worker-protocol.js';

export interface PoolOptions {
  size: number;
  recycleAfterPages: number;
  /** Worker entry; defaults to worker.ts / worker.mjs beside this module. */
  entry?: URL;
  /** V8 heap cap per worker; running out ends the request with too_large. */
  maxHeapMb?: number;
  /**
   * Memory one worker may hold: its V8 heap plus external memory (ArrayBuffers: decoded streams, images, rasters),
   * beyond the bytes of the documents it holds. A worker over it is terminated and its request ends with too_large:
   * a flate bomb kills its own worker, not the process, and the other documents go on. Default `defaultWorkerBytes`.
   */
  maxWorkerBytes?: number;
  /**
   * Process RSS above which the longest-running request is stopped with too_large. Decoded streams and
   * rasters live outside the V8 heap (a flate bomb grows a plain buffer), so the heap cap alone does not bound them.
   */
  maxRssBytes?: number;
}

interface Task {
  seq: number;
  startedAt: number;
  req: DocRequest;
  deadlineMs: number;
  timeoutMessage: string;
  resolve: (v: DocResult) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  /** Bytes of each document this worker holds (shared, but counted in its external memory). */
  docBytes: Map<string, number>;
  /** A heap-statistics request is in flight. */
  probing: boolean;
  task: Task | null;
  timer: NodeJS.Timeout | null;
  pages: number;
  docs: Set<string>;
  dead: boolean;
  /** The worker has loaded its code; deadlines run from here, so start-up never counts against a page. */
  ready: boolean;
}

export interface PoolStats {
  spawned: number;
  recycled: number;
  killed: number;
  live: number;
}

/**
 * 768 MiB a worker, less on a small machine: the pool's workers together get at most a quarter of RAM (an 8 GB
 * laptop with four workers: 512 MiB each), never under 384 MiB (a 300 DPI A4 raster and its page's images fit).
 * NOTE: a buffer that doubles can overshoot this by up to its size before the next reading, so the worst case is
 * about twice the budget per worker (measured: three 1.5 GiB flate bombs through two workers, flate-bomb.test.ts).
 */
export function defaultWorkerBytes(size: number): number {
  return Math.round(
    Math.max(384 * 1024 ** 2, Math.min(768 * 1024 ** 2, (os.totalmem() * 0.25) / Math.max(1, size))),
  );
}

/** How often busy workers' memory is read (a bomb inflates at hundreds of MB/s). */
const MEMORY_POLL_MS = 50;

export class WorkerPool implements Backend {
  readonly #opts: Required<Omit<PoolOptions, 'entry'>> & { entry: URL };
  readonly #slots: Slot[] = [];
  readonly #queue: Task[] = [];
  #seq = 0;
  #destroyed = false;
  #memoryTimer: NodeJS.Timeout | null = null;
  readonly stats: PoolStats = { spawned: 0, recycled: 0, killed: 0, live: 0 };

  constructor(opts: PoolOptions) {
    this.#opts = {
      size: Math.max(1, opts.size),
      recycleAfterPages: Math.max(1, opts.recycleAfterPages),
      entry: opts.entry ?? workerEntry(import.meta.url),
      maxWorkerBytes: opts.maxWorkerBytes ?? defaultWorkerBytes(opts.size),
      maxHeapMb:
        opts.maxHeapMb ??
        Math.max(256, Math.round((opts.maxWorkerBytes ?? defaultWorkerBytes(opts.size)) / 1024 ** 2)),
      maxRssBytes: opts.maxRssBytes ?? Math.min(os.totalmem() * 0.6, 6 * 1024 ** 3),
    };
  }

  run(req: DocRequest, deadlineMs: number, timeoutMessage: string): Promise<DocResult> {
    if (this.#destroyed)
      return Promise.reject(new AppError('cancelled', 'the document engine has been shut down'));
    return new Promise<DocResult>((resolve, reject) => {
      this.#queue.push({ seq: ++this.#seq, startedAt: 0, req, deadlineMs, timeoutMessage, resolve, reject });
      this.#dispatch();
    });
  }

  closeDoc(docId: string): Promise<void> {
    for (const slot of this.#slots) {
      slot.docBytes.delete(docId);
      if (!slot.docs.delete(docId)) continue;
      const call: WorkerCall = { seq: 0, req: { op: 'close', docId } };
      slot.worker.postMessage(call);
    }
    return Promise.resolve();
  }

  async destroy(): Promise<void> {
    this.#destroyed = true;
    if (this.#memoryTimer) clearInterval(this.#memoryTimer);
    this.#memoryTimer = null;
    for (const t of this.#queue.splice(0))
      t.reject(new AppError('cancelled', 'the document engine has been shut down'));
    const slots = this.#slots.splice(0);
    for (const s of slots) {
      s.dead = true;
      if (s.timer) clearTimeout(s.timer);
      s.task?.reject(new AppError('cancelled', 'the document engine has been shut down'));
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
    this.stats.live = 0;
  }

  #spawn(): Slot {
    const { target, options } = workerSpawn(this.#opts.entry);
    const worker = new Worker(target, {
      ...options,
      resourceLimits: { maxOldGenerationSizeMb: this.#opts.maxHeapMb },
      stdout: false,
      stderr: false,
    });
    const slot: Slot = {
      worker,
      task: null,
      timer: null,
      pages: 0,
      docs: new Set(),
      docBytes: new Map(),
      probing: false,
      dead: false,
      ready: false,
    };
    worker.on('message', (reply: WorkerReply | typeof WORKER_READY) => {
      if (reply === WORKER_READY) this.#onReady(slot);
      else this.#onReply(slot, reply);
    });
    worker.on('error', (err: Error) => this.#onDeath(slot, err));
    worker.on('exit', (code) => this.#onDeath(slot, new Error(`worker exited with code ${code}`)));
    worker.unref();
    this.#slots.push(slot);
    this.stats.spawned++;
    this.stats.live = this.#slots.length;
    return slot;
  }

  #remove(slot: Slot): void {
    slot.dead = true;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
    this.stats.live = this.#slots.length;
  }

  #dispatch(): void {
    while (this.#queue.length > 0 && !this.#destroyed) {
      const task = this.#queue[0];
      if (!task) break;
      const docId = task.req.op === 'close' ? null : task.req.doc.id;
      const idle = this.#slots.filter((s) => !s.task && !s.dead);
      const slot =
        idle.find((s) => docId !== null && s.docs.has(docId)) ??
        (this.#slots.length < this.#opts.size ? this.#spawn() : idle[0]);
      if (!slot) return;
      this.#queue.shift();
      this.#start(slot, task);
    }
  }

  #start(slot: Slot, task: Task): void {
    slot.task = task;
    task.startedAt = Date.now();
    this.#watchMemory();
    slot.worker.ref();
    if (slot.ready) slot.timer = setTimeout(() => this.#onTimeout(slot), task.deadlineMs);
    const call: WorkerCall = { seq: task.seq, req: task.req };
    slot.worker.postMessage(call);
  }

  #watchMemory(): void {
    if (this.#memoryTimer) return;
    this.#memoryTimer = setInterval(() => {
      const busy = this.#slots.filter((s) => s.task && !s.dead);
      if (busy.length === 0) {
        if (this.#memoryTimer) clearInterval(this.#memoryTimer);
        this.#memoryTimer = null;
        return;
      }
      for (const slot of busy) this.#probe(slot);
      if (process.memoryUsage.rss() <= this.#opts.maxRssBytes) return;
      const culprit = busy.sort((a, b) => (a.task?.startedAt ?? 0) - (b.task?.startedAt ?? 0))[0];
      if (culprit) this.#onMemory(culprit, this.#opts.maxRssBytes);
    }, MEMORY_POLL_MS);
    this.#memoryTimer.unref();
  }

  /** Reads a busy worker's heap and external memory (answered even while it runs JS) against its allowance. */
  #probe(slot: Slot): void {
    if (slot.probing || slot.dead) return;
    slot.probing = true;
    const task = slot.task;
    slot.worker.getHeapStatistics().then(
      (s) => {
        slot.probing = false;
        if (slot.dead || slot.task !== task || !task) return;
        // pdf.js keeps its own copy of a document's bytes, so each document held counts twice.
        let allowance = this.#opts.maxWorkerBytes;
        for (const n of slot.docBytes.values()) allowance += 2 * n;
        if (task.req.op !== 'close' && !slot.docBytes.has(task.req.doc.id))
          allowance += 2 * byteLength(task.req.doc.data);
        if (s.used_heap_size + s.external_memory > allowance) this.#onMemory(slot, this.#opts.maxWorkerBytes);
      },
      () => {
        slot.probing = false; // the worker is gone; its exit is handled elsewhere
      },
    );
  }

  #onMemory(slot: Slot, limit: number): void {
    const task = this.#finish(slot);
    this.#remove(slot);
    this.stats.killed++;
    void slot.worker.terminate();
    if (task) {
      const name = task.req.op === 'close' ? 'document' : task.req.doc.name;
      const where =
        task.req.op === 'render' || task.req.op === 'text'
          ? `page ${task.req.page}`
          : task.req.op === 'rulings'
            ? 'reading its ruling lines'
            : 'opening it';
      const mib = Math.round(limit / 1024 ** 2);
      task.reject(
        new AppError(
          'too_large',
          `"${name}": ${where} needed more memory than allowed (${mib} MiB) and was stopped`,
        ),
      );
    }
    this.#dispatch();
  }

  #onReady(slot: Slot): void {
    slot.ready = true;
    const task = slot.task;
    if (task && !slot.dead && !slot.timer)
      slot.timer = setTimeout(() => this.#onTimeout(slot), task.deadlineMs);
  }

  #finish(slot: Slot): Task | null {
    const task = slot.task;
    slot.task = null;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    if (!slot.dead) slot.worker.unref();
    return task;
  }

  #onReply(slot: Slot, reply: WorkerReply): void {
    if (slot.dead || !slot.task || reply.seq !== slot.task.seq) return;
    const task = this.#finish(slot);
    if (!task) return;
    const req = task.req;
    if (req.op !== 'close') {
      if (reply.ok) {
        slot.docs.add(req.doc.id);
        slot.docBytes.set(req.doc.id, byteLength(req.doc.data));
      } else {
        slot.docs.delete(req.doc.id);
        slot.docBytes.delete(req.doc.id);
      }
      // NOTE: rulings are read from pages this worker has just read the text of: counted once, with the text.
      if (req.op === 'render' || req.op === 'text') slot.pages++;
    }
    if (reply.ok) task.resolve(reply.value);
    else task.reject(fromWireError(reply.error));
    if (slot.pages >= this.#opts.recycleAfterPages) {
      this.#remove(slot);
      this.stats.recycled++;
      void slot.worker.terminate();
    }
    this.#dispatch();
  }

  #onTimeout(slot: Slot): void {
    if (slot.dead) return;
    const task = this.#finish(slot);
    this.#remove(slot);
    this.stats.killed++;
    void slot.worker.terminate();
    task?.reject(new AppError('timeout', task.timeoutMessage));
    this.#dispatch();
  }

  #onDeath(slot: Slot, err: Error): void {
    if (slot.dead) return;
    const task = this.#finish(slot);
    this.#remove(slot);
    if (task) {
      const name = task.req.op === 'close' ? 'document' : task.req.doc.name;
      const oom = (err as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      task.reject(
        oom
          ? new AppError(
              'too_large',
              `"${name}": needs more memory than a document may use (${this.#opts.maxHeapMb} MB)`,
            )
          : new AppError('corrupt', `"${name}": the document crashed its reader (${err.message})`),
      );
    }
    this.#dispatch();
  }
}

function byteLength(data: Uint8Array | SharedArrayBuffer): number {
  return data.byteLength;
}
