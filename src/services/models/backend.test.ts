// The models.* channels end to end through createBackend: the tiny generated Qwen2-VL model served by the fake hub on
// loopback (HF_ENDPOINT), registered through DOCLENS_EXTRA_MODELS; pull → models.progress events → list shows it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensureTinyModel } from '../../../models/tiny/make-tiny-model.js';
import type { AppEvent } from '../../shared/contract.js';
import type { PullProgress } from '../../shared/domain.js';
import type { Envelope } from '../../shared/errors.js';
import { createBackend, type Backend } from '../backend.js';
import type { BackendContext } from '../handlers.js';
import { modelStoreFor, modelsRoom } from '../handlers-models.js';
import { repoFromFolder, startFakeHub, type FakeHub } from './fake-hub.js';
import { TINY_SHA, tinyModelEntry } from './test-fixtures.js';

const REPO = 'doclens-test/tiny-qwen2-vl';
let hub: FakeHub;
let backend: Backend;
let dir: string;
let fp32Bytes = 0;
const events: PullProgress[] = [];
const saved = {
  endpoint: process.env.HF_ENDPOINT,
  token: process.env.HF_TOKEN,
  extra: process.env.DOCLENS_EXTRA_MODELS,
};

function restore(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

async function call<T>(channel: string, input: unknown): Promise<T> {
  const res = (await backend.call(channel, input)) as Envelope<T>;
  if (!res.ok) throw new Error(`${channel}: ${res.error.code}: ${res.error.message}`);
  return res.value;
}

async function callError(channel: string, input: unknown) {
  const res = await backend.call(channel, input);
  assert.equal(res.ok, false, `${channel} should fail`);
  return (res as { ok: false; error: { code: string; message: string } }).error;
}

function until(test: (p: PullProgress) => boolean, ms = 30_000): Promise<PullProgress> {
  const hit = events.find(test);
  if (hit) return Promise.resolve(hit);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no such progress event in ${ms} ms`)), ms);
    const off = backend.onEvent((e: AppEvent) => {
      if (e.type === 'models.progress' && test(e.payload)) {
        clearTimeout(timer);
        off();
        resolve(e.payload);
      }
    });
  });
}

before(async () => {
  const tiny = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
  const repo = repoFromFolder(tiny, TINY_SHA);
  hub = await startFakeHub({ [REPO]: repo });
  dir = mkdtempSync(join(tmpdir(), 'doclens-backend-models-'));
  const entry = tinyModelEntry('qwen2-vl', repo);
  fp32Bytes = entry.dtypes.fp32?.bytes ?? 0;
  const extra = join(dir, 'tiny-models.json');
  writeFileSync(extra, JSON.stringify({ version: 1, models: [entry] }));
  process.env.HF_ENDPOINT = hub.endpoint;
  process.env.HF_TOKEN = 'hf_backend_token';
  process.env.DOCLENS_EXTRA_MODELS = extra;
  backend = await createBackend({ dataDir: join(dir, 'data') });
  backend.onEvent((e) => {
    if (e.type === 'models.progress') events.push(e.payload);
  });
});

after(async () => {
  await backend.dispose();
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
  restore('HF_ENDPOINT', saved.endpoint);
  restore('HF_TOKEN', saved.token);
  restore('DOCLENS_EXTRA_MODELS', saved.extra);
});

test('models.pull → models.progress events → models.list shows the model installed; verify, remove', async () => {
  type List = {
    known: { id: string; installed: boolean; bytesByDtype: Record<string, number> }[];
    installed: { id: string; bytes: number; source: string; dtype: string }[];
  };
  const before = await call<List>('models.list', {});
  assert.deepEqual(
    before.known.map((k) => k.id),
    [
      'qwen3-vl-2b-instruct',
      'qwen2-vl-2b-instruct',
      'qwen2.5-vl-3b-instruct',
      'llava-onevision-qwen2-0.5b-ov',
      'tiny-qwen2-vl',
    ],
  );
  const tinyKnown = before.known.find((k) => k.id === 'tiny-qwen2-vl');
  assert.equal(tinyKnown?.installed, false);
  assert.equal(tinyKnown?.bytesByDtype.fp32, fp32Bytes);
  assert.deepEqual(before.installed, []);

  const { pullId } = await call<{ pullId: string }>('models.pull', { modelId: 'tiny-qwen2-vl' });
  const done = await until((p) => p.pullId === pullId && (p.state === 'done' || p.state === 'failed'));
  assert.equal(done.state, 'done', done.message ?? '');
  assert.equal(done.bytesDone, fp32Bytes);
  const mine = events.filter((e) => e.pullId === pullId);
  const states = mine.map((e) => e.state).filter((s, i, a) => i === 0 || a[i - 1] !== s);
  assert.deepEqual(states, ['queued', 'downloading', 'verifying', 'installing', 'done']);
  assert.ok(mine.some((e) => e.state === 'downloading' && e.file === 'tokenizer.json'));

  const listed = await call<List>('models.list', {});
  assert.deepEqual(
    listed.installed.map((m) => [m.id, m.dtype, m.bytes, m.source]),
    [['tiny-qwen2-vl-fp32', 'fp32', fp32Bytes, 'pulled']],
  );
  assert.equal(listed.known.find((k) => k.id === 'tiny-qwen2-vl')?.installed, true);
  // HF_TOKEN went to the hub, not to the CDN the LFS graphs are redirected to.
  assert.ok(
    hub.log.filter((r) => r.server === 'hub').every((r) => r.authorization === 'Bearer hf_backend_token'),
  );
  assert.ok(hub.log.filter((r) => r.server === 'cdn').every((r) => r.authorization === null));

  assert.deepEqual(await call('models.verify', { modelId: 'tiny-qwen2-vl' }), { ok: true, problems: [] });
  assert.deepEqual(await call('models.remove', { modelId: 'tiny-qwen2-vl' }), { removed: true });
  assert.deepEqual((await call<List>('models.list', {})).installed, []);
});

test('pause through models.pausePull, resume with models.pull (same pullId, Range), cancel through models.cancelPull', async () => {
  const tokenizer = 'tokenizer.json'; // 11 MB, a plain git file in the fake hub: served by the hub itself
  hub.log.length = 0;
  hub.fault(tokenizer, { kind: 'slow', chunk: 256 * 1024, delayMs: 20 });
  const { pullId } = await call<{ pullId: string }>('models.pull', {
    modelId: 'tiny-qwen2-vl',
    dtype: 'fp16',
  });
  await until(
    (p) =>
      p.pullId === pullId && p.file === tokenizer && p.state === 'downloading' && p.bytesDone > 1_000_000,
  );
  const paused = await call<PullProgress>('models.pausePull', { pullId });
  assert.equal(paused.state, 'paused');
  // The reply comes after the run stopped: no progress after it, and the bytes it reports are the last ones.
  const seen = events.length;
  const pausedEvent = await until((p) => p.pullId === pullId && p.state === 'paused');
  assert.equal(pausedEvent.bytesDone, paused.bytesDone);
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(
    events.slice(seen).filter((p) => p.pullId === pullId),
    [],
    'no progress of the paused pull after the reply',
  );
  const firstTokenizer = hub.log.filter((r) => r.path.endsWith(`/${tokenizer}`));
  assert.equal(firstTokenizer.length, 1);
  const have = firstTokenizer[0]?.sent ?? 0;

  const again = await call<{ pullId: string }>('models.pull', { modelId: 'tiny-qwen2-vl', dtype: 'fp16' });
  assert.equal(again.pullId, pullId);
  const done = await until((p) => p.pullId === pullId && (p.state === 'done' || p.state === 'failed'));
  assert.equal(done.state, 'done', done.message ?? '');
  const tokenizerReqs = hub.log.filter((r) => r.path.endsWith(`/${tokenizer}`));
  assert.equal(tokenizerReqs.length, 2);
  const resumedAt = Number(/^bytes=(\d+)-$/.exec(tokenizerReqs[1]?.range ?? '')?.[1]);
  assert.ok(resumedAt > 1_000_000 && resumedAt <= have, `resumed at ${resumedAt} of ${have} sent`);

  // Cancel: a slow pull of another dtype set is stopped and leaves nothing behind.
  await call('models.remove', { modelId: 'tiny-qwen2-vl-fp16' });
  hub.fault(tokenizer, { kind: 'slow', chunk: 128 * 1024, delayMs: 50 });
  const second = await call<{ pullId: string }>('models.pull', { modelId: 'tiny-qwen2-vl', dtype: 'fp16' });
  await until((p) => p.pullId === second.pullId && p.file === tokenizer && p.bytesDone > 0);
  assert.equal((await call<PullProgress>('models.cancelPull', { pullId: second.pullId })).state, 'cancelled');
  await until((p) => p.pullId === second.pullId && p.state === 'cancelled');
  assert.deepEqual((await call<{ installed: unknown[] }>('models.list', {})).installed, []);

  const unknown = await callError('models.pausePull', { pullId: 'nope' });
  assert.deepEqual(unknown, { code: 'not_found', message: 'no pull nope' });
  const bad = await callError('models.pull', { modelId: 'tiny-qwen2-vl', dtype: 'int3' });
  assert.equal(bad.code, 'invalid_input');
  assert.match(bad.message, /tiny-qwen2-vl has no dtype "int3" \(available: fp32, fp16\)/);
});

test('models.import validates a folder and installs it; a bad folder is refused naming what is missing', async () => {
  const tiny = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
  const imported = await call<{ id: string; source: string; family: string }>('models.import', {
    path: tiny,
  });
  assert.equal(imported.source, 'imported');
  assert.equal(imported.family, 'qwen2-vl');
  const err = await callError('models.import', { path: dir });
  assert.equal(err.code, 'invalid_input');
  assert.match(
    err.message,
    /missing config\.json, preprocessor_config\.json, tokenizer\.json, tokenizer_config\.json/,
  );
  assert.deepEqual(await call('models.remove', { modelId: imported.id }), { removed: true });
});

test('the VLM room gets the same store instance as the models room', async () => {
  const ctx = { dataDir: join(dir, 'other') } as BackendContext;
  const room = modelsRoom(ctx, () => undefined);
  assert.equal(modelStoreFor(ctx), room.store);
  await room.dispose();
  assert.notEqual(modelStoreFor(ctx), room.store, 'a disposed room releases its store');
  await modelStoreFor(ctx).close();
});
