import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppEvent } from '../shared/contract.js';
import { buildBridge } from './bridge.js';

test('preload bridge: exposes only call and on, frozen; unknown channels never reach ipcRenderer', async () => {
  const invoked: string[] = [];
  let subscribed: ((e: AppEvent) => void) | null = null;
  const bridge = buildBridge({
    invoke: (channel) => {
      invoked.push(channel);
      return Promise.resolve({ ok: true, value: channel });
    },
    subscribe: (l) => {
      subscribed = l;
      return () => (subscribed = null);
    },
  });
  assert.deepEqual(Object.keys(bridge).sort(), ['call', 'on']);
  assert.ok(Object.isFrozen(bridge));
  assert.deepEqual(await bridge.call('app.info', {}), { ok: true, value: 'app.info' });
  const bad = await bridge.call('ipcRenderer.send', {});
  assert.deepEqual(bad, {
    ok: false,
    error: { code: 'not_found', message: 'unknown channel "ipcRenderer.send"' },
  });
  assert.deepEqual(invoked, ['app.info']);
  const seen: AppEvent[] = [];
  const off = bridge.on((e) => seen.push(e));
  const ev: AppEvent = { type: 'backend.status', payload: { state: 'ready', message: 'ok' } };
  (subscribed as ((e: AppEvent) => void) | null)?.(ev);
  assert.deepEqual(seen, [ev]);
  off();
  assert.equal(subscribed, null);
  assert.throws(() => bridge.on('nope' as unknown as () => void), /function/);
});
