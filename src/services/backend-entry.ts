// Entry of the backend process: in Electron a utilityProcess (messages on process.parentPort), under
// `doclens serve` a child_process.fork (messages on process.send, advanced serialization). Owns the
// documents, ORT sessions and jobs so no heavy work runs on Electron's main thread or in the renderer.
import type { FromBackend, ToBackend } from '../shared/backend-link.js';
import { createBackend } from './backend.js';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(msg: unknown): void;
}

function channelToParent(): { send(msg: FromBackend): void; onMessage(l: (msg: ToBackend) => void): void } {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (msg) => parentPort.postMessage(msg),
      onMessage: (l) => parentPort.on('message', (e) => l(e.data as ToBackend)),
    };
  }
  if (process.send) {
    return {
      send: (msg) => process.send?.(msg),
      onMessage: (l) => process.on('message', (m) => l(m as ToBackend)),
    };
  }
  throw new Error('backend-entry must run as a child or utility process');
}

async function run(): Promise<void> {
  const parent = channelToParent();
  const backend = await createBackend();
  backend.onEvent((event) => parent.send({ type: 'event', event }));
  parent.onMessage((msg) => {
    if (msg.type === 'shutdown') {
      void backend.dispose().finally(() => process.exit(0));
      return;
    }
    if (msg.type === 'call') {
      // Test hook: lets the restart path be exercised for real (the process really dies mid-request).
      if (msg.channel === '__crash' && process.env.DOCLENS_ALLOW_CRASH === '1') process.exit(70);
      void backend
        .call(msg.channel, msg.input)
        .then((envelope) => parent.send({ type: 'result', id: msg.id, envelope }));
    }
  });
  process.on('disconnect', () => process.exit(0));
  parent.send({ type: 'ready', pid: process.pid });
}

run().catch((e: unknown) => {
  console.error('doclens backend failed to start:', e);
  process.exit(1);
});
