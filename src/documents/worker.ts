// Entry of a document worker thread: parses and rasterises off the main thread so a slow or hostile file can be
// stopped (terminated) without taking the backend with it. Requests run one at a time, in arrival order.
import { parentPort } from 'node:worker_threads';
import { toWireError } from './doc-errors.js';
import type { RenderOutput } from './loaded-doc.js';
import { loadPdfJs } from './pdfjs-setup.js';
import { DocRegistry } from './registry.js';
import { WORKER_READY, type WorkerCall, type WorkerReply } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('worker.ts must run as a worker thread');
const registry = new DocRegistry();
let chain: Promise<void> = Promise.resolve();

function isRender(v: unknown): v is RenderOutput {
  return typeof v === 'object' && v !== null && 'data' in v && v.data instanceof Uint8Array;
}

async function handle(call: WorkerCall): Promise<void> {
  const name = call.req.op === 'close' ? '' : call.req.doc.name;
  let reply: WorkerReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const value = await registry.run(call.req);
    if (isRender(value)) {
      // A fresh, exactly-sized copy: native buffers are not always transferable, and this one moves for free.
      const own = new Uint8Array(value.data.byteLength);
      own.set(value.data);
      value.data = own;
      transfer.push(own.buffer);
    }
    reply = { seq: call.seq, ok: true, value };
  } catch (e) {
    reply = { seq: call.seq, ok: false, error: toWireError(e, name) };
  }
  port?.postMessage(reply, transfer);
}

port.on('message', (call: WorkerCall) => {
  chain = chain.then(() => handle(call));
});
// Load pdf.js before saying ready, so a page's deadline never pays for start-up.
await loadPdfJs();
port.postMessage(WORKER_READY);
