// Messages between the pool (main side) and a document worker; plain data plus transferable pixel buffers.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { WorkerOptions } from 'node:worker_threads';
import type { WireError } from './doc-errors.js';
import type { DocRequest, DocResult } from './registry.js';

/** Posted once by a worker when its code (pdf.js included) has loaded. */
export const WORKER_READY = 'doclens-worker-ready';

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

/**
 * How to start a worker on `entry`. A bundled `.mjs` runs as is. A `.ts` entry (running from source) needs tsx;
 * NOTE: rather than inheriting `--import tsx`, the worker imports pdf.js natively first and only then registers
 * tsx: tsx's loader re-scans pdf.js's 2 MB modules on every load (about 3 s of CPU per worker on our CI cores).
 */
export function workerSpawn(entry: URL, prelude = ''): { target: URL | string; options: WorkerOptions } {
  if (!entry.pathname.endsWith('.ts') && !prelude) return { target: entry, options: {} };
  const require = createRequire(import.meta.url);
  const url = (id: string) => JSON.stringify(pathToFileURL(require.resolve(id)).href);
  const code = [
    prelude,
    '(async () => {',
    `  await import(${url('pdfjs-dist/legacy/build/pdf.worker.mjs')});`,
    `  await import(${url('pdfjs-dist/legacy/build/pdf.mjs')});`,
    entry.pathname.endsWith('.ts') ? `  (await import(${url('tsx/esm/api')})).register();` : '',
    `  await import(${JSON.stringify(entry.href)});`,
    '})().catch((e) => { setImmediate(() => { throw e; }); });',
  ].join('\n');
  const execArgv = process.execArgv.filter(
    (a, i, all) => !/tsx/.test(a) && !(a === '--import' && /tsx/.test(all[i + 1] ?? '')),
  );
  return { target: code, options: { eval: true, execArgv } };
}
