// Where document requests run: the worker pool in the app, or the calling thread (poolSize 0, tests and tools).
// Both enforce the same per-request deadline; only the pool can stop a parser stuck in synchronous code.
import { AppError } from '../shared/errors.js';
import { DocRegistry, type DocRequest, type DocResult } from './registry.js';

export interface Backend {
  /** Runs a request; rejects with AppError `timeout` (message `timeoutMessage`) past `deadlineMs`. */
  run(req: DocRequest, deadlineMs: number, timeoutMessage: string): Promise<DocResult>;
  closeDoc(docId: string): Promise<void>;
  destroy(): Promise<void>;
}

export class InThreadBackend implements Backend {
  readonly #registry = new DocRegistry();

  async run(req: DocRequest, deadlineMs: number, timeoutMessage: string): Promise<DocResult> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AppError('timeout', timeoutMessage)), deadlineMs);
    });
    try {
      return await Promise.race([this.#registry.run(req), deadline]);
    } catch (e) {
      // NOTE: in-thread we can only stop waiting; drop the document so the next request starts clean.
      if (e instanceof AppError && e.code === 'timeout' && req.op !== 'close')
        await this.#registry.close(req.doc.id);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  closeDoc(docId: string): Promise<void> {
    return this.#registry.close(docId);
  }

  destroy(): Promise<void> {
    return this.#registry.closeAll();
  }
}
