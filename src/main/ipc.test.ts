import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RPC_CHANNEL, registerRpc } from './ipc.js';
import type { SenderFacts } from './security.js';

// Electron cannot start on these machines, so ipcMain is stood in for by a recorder of `handle`.
function harness() {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>();
  const forwarded: Array<[string, unknown]> = [];
  registerRpc(
    { handle: (channel, listener) => handlers.set(channel, listener) },
    {
      trusted: new Set([1]),
      senderFacts: (e) => e as SenderFacts,
      call: (channel, input) => {
        forwarded.push([channel, input]);
        return Promise.resolve({ ok: true, value: 'from backend' });
      },
    },
  );
  const invoke = handlers.get(RPC_CHANNEL);
  assert.ok(invoke);
  return { invoke, forwarded };
}

const good: SenderFacts = { webContentsId: 1, frameUrl: 'app://doclens/index.html', isMainFrame: true };

test('ipc: a trusted, valid call is forwarded to the backend and its envelope returned', async () => {
  const { invoke, forwarded } = harness();
  assert.deepEqual(await invoke(good, 'documents.open', { path: '/home/u/a.pdf' }), {
    ok: true,
    value: 'from backend',
  });
  assert.deepEqual(forwarded, [['documents.open', { path: '/home/u/a.pdf' }]]);
});

test('ipc: messages from unknown senders are dropped before parsing or forwarding', async () => {
  const { invoke, forwarded } = harness();
  const r = await invoke({ ...good, webContentsId: 2 }, 'app.info', {});
  assert.deepEqual(r, { ok: false, error: { code: 'forbidden', message: 'untrusted sender' } });
  const sub = await invoke({ ...good, isMainFrame: false }, 'app.info', {});
  assert.equal((sub as { ok: boolean }).ok, false);
  assert.equal(forwarded.length, 0);
});

test('ipc: input is parsed with the contract before any handler runs', async () => {
  const { invoke, forwarded } = harness();
  const r = (await invoke(good, 'documents.pageImage', { docId: 'd', page: -3 })) as {
    ok: boolean;
    error?: { code: string };
  };
  assert.equal(r.ok, false);
  assert.equal(r.error?.code, 'invalid_input');
  const unknown = (await invoke(good, 'shell.exec', { cmd: 'rm -rf /' })) as {
    ok: boolean;
    error?: { code: string };
  };
  assert.equal(unknown.error?.code, 'not_found');
  const notString = (await invoke(good, 42, {})) as { ok: boolean; error?: { code: string } };
  assert.equal(notString.ok, false);
  assert.equal(forwarded.length, 0);
});
