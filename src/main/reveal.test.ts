import assert from 'node:assert/strict';
import { test } from 'node:test';
import { revealAfterCall } from './reveal.js';

test('revealOutput: main opens the folder the backend answered and says so', async () => {
  const opened: string[] = [];
  const open = (p: string) => {
    opened.push(p);
    return Promise.resolve('');
  };
  const r = await revealAfterCall(
    'extract.revealOutput',
    { ok: true, value: { path: '/tmp/out', opened: false } },
    open,
  );
  assert.deepEqual(r, { ok: true, value: { path: '/tmp/out', opened: true } });
  assert.deepEqual(opened, ['/tmp/out']);
});

test('revealOutput: a shell failure becomes an error naming the folder; backend errors and other channels pass through', async () => {
  const fail = () => Promise.resolve('No application is registered as handling this file');
  const r = await revealAfterCall(
    'extract.revealOutput',
    { ok: true, value: { path: '/x/y', opened: false } },
    fail,
  );
  assert.deepEqual(r, {
    ok: false,
    error: {
      code: 'io_error',
      message: 'could not open /x/y: No application is registered as handling this file',
    },
  });
  const thrown = await revealAfterCall(
    'extract.revealOutput',
    { ok: true, value: { path: '/x/y', opened: false } },
    () => Promise.reject(new Error('boom')),
  );
  assert.equal(thrown.ok, false);
  assert.match(!thrown.ok ? thrown.error.message : '', /could not open \/x\/y: Error: boom/);

  const never = () => Promise.reject(new Error('must not be called'));
  const gone = {
    ok: false as const,
    error: { code: 'not_found' as const, message: 'the output folder of job j is gone: /z' },
  };
  assert.equal(await revealAfterCall('extract.revealOutput', gone, never), gone);
  const other = { ok: true as const, value: { path: '/tmp/out', opened: false } };
  assert.equal(await revealAfterCall('extract.job', other, never), other);
  const empty = await revealAfterCall('extract.revealOutput', { ok: true, value: {} }, never);
  assert.equal(empty.ok, false);
});
