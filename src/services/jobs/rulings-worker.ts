// Worker thread that reads ruling lines (src/documents/rulings.ts) off the backend's thread: pdf.js builds the
// operator list here, so a slow or hostile page costs this worker (which the reader can terminate), not the backend.
import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { pdfRulings } from '../../documents/rulings.js';
import { RULINGS_READY, type RulingsReply, type RulingsCall } from './rulings-protocol.js';

const port = parentPort;
if (!port) throw new Error('rulings-worker.ts must run in a worker thread');

port.on('message', (call: RulingsCall) => {
  void (async () => {
    try {
      const rulings = await pdfRulings(new Uint8Array(await readFile(call.path)), call.password, call.pages);
      port.postMessage({ seq: call.seq, ok: true, rulings } satisfies RulingsReply);
    } catch (e) {
      port.postMessage({
        seq: call.seq,
        ok: false,
        message: (e as Error).message || String(e),
      } satisfies RulingsReply);
    }
  })();
});
port.postMessage(RULINGS_READY);
