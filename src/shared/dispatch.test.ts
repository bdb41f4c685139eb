import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppEvent, Handlers } from './contract.js';
import { CHANNELS, channels } from './contract.js';
import { dispatch } from './dispatch.js';
import { AppError } from './errors.js';

const ctx = { emit: (_e: AppEvent) => undefined };
const calls: Array<[string, unknown]> = [];
const handlers = new Proxy({} as Handlers, {
  get: (_t, channel: string) => (input: unknown) => {
    calls.push([channel, input]);
    if (channel === 'documents.info') throw new AppError('not_found', 'no open document with id d_1');
    if (channel === 'documents.list') throw new Error('boom');
    return Promise.resolve({ echoed: input });
  },
});

test('dispatch: valid input reaches the handler parsed, wrapped in an ok envelope', async () => {
  const env = await dispatch(handlers, 'documents.open', { path: '/tmp/a.pdf' }, ctx, { pathsAllowed: true });
  assert.deepEqual(env, { ok: true, value: { echoed: { path: '/tmp/a.pdf' } } });
});

test('dispatch: invalid input never reaches a handler and names the field', async () => {
  calls.length = 0;
  const env = await dispatch(handlers, 'documents.pageImage', { docId: 'd_1', page: 0 }, ctx, {
    pathsAllowed: true,
  });
  assert.equal(env.ok, false);
  assert.ok(
    !env.ok && env.error.code === 'invalid_input' && /page/.test(env.error.message),
    JSON.stringify(env),
  );
  const extra = await dispatch(handlers, 'documents.info', { docId: 'd_1', sneaky: 1 }, ctx, {
    pathsAllowed: true,
  });
  assert.ok(!extra.ok && extra.error.code === 'invalid_input');
  assert.equal(calls.length, 0);
});

test('dispatch: unknown channels are not_found; path channels are forbidden when paths are not allowed', async () => {
  const unknown = await dispatch(handlers, 'fs.readFile', {}, ctx, { pathsAllowed: true });
  assert.ok(!unknown.ok && unknown.error.code === 'not_found');
  const proto = await dispatch(handlers, '__proto__', {}, ctx, { pathsAllowed: true });
  assert.ok(!proto.ok && proto.error.code === 'not_found');
  const forbidden = await dispatch(handlers, 'documents.open', { path: '/etc/passwd' }, ctx, {
    pathsAllowed: false,
  });
  assert.ok(!forbidden.ok && forbidden.error.code === 'forbidden');
  const pathChannels = CHANNELS.filter((c) => 'paths' in channels[c]);
  assert.deepEqual(pathChannels.sort(), [
    'documents.open',
    'eval.start',
    'extract.start',
    'models.import',
    'queue.status',
  ]);
});

test('dispatch: handler errors keep their code; unknown errors become internal', async () => {
  const a = await dispatch(handlers, 'documents.info', { docId: 'd_1' }, ctx, { pathsAllowed: true });
  assert.deepEqual(a, { ok: false, error: { code: 'not_found', message: 'no open document with id d_1' } });
  const b = await dispatch(handlers, 'documents.list', {}, ctx, { pathsAllowed: true });
  assert.deepEqual(b, { ok: false, error: { code: 'internal', message: 'boom' } });
});
