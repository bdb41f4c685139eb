// Messages between the pool (main side) and a document worker; plain data plus transferable pixel buffers.
import type { WireError } from './doc-errors.js';
import type { DocRequest, DocResult } from './registry.js';

export interface WorkerCall {
  seq: number;
  req: DocRequest;
}

export type WorkerReply =
  { seq: number; ok: true; value: DocResult } | { seq: number; ok: false; error: WireError };

/** Resolves the worker entry beside the calling module: `worker.ts` from source (tsx), `worker.mjs` when bundled. */
export function workerEntry(callerUrl: string): URL {
  return new URL(callerUrl.endsWith('.ts') ? './worker.ts' : './worker.mjs', callerUrl);
}
