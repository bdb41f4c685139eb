// The e2e helper: startTinyHub serves the tiny Qwen2.5-VL model and writes the extra model list a store needs.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createModelStore } from './store.js';
import { startTinyHub } from './tiny-hub.js';

test('startTinyHub: a store given its env pulls the tiny model; close removes its temp list', async () => {
  const tiny = await startTinyHub({ families: ['qwen2.5-vl'], slowMs: 1 });
  const dataDir = mkdtempSync(join(tmpdir(), 'doclens-tiny-hub-test-'));
  try {
    assert.deepEqual(tiny.modelIds, ['tiny-qwen2.5-vl']);
    assert.equal(tiny.env.HF_ENDPOINT, tiny.endpoint);
    const store = createModelStore({
      dataDir,
      endpoint: tiny.env.HF_ENDPOINT,
      extraManifests: [tiny.env.DOCLENS_EXTRA_MODELS],
    });
    const known = (await store.list()).known.find((k) => k.id === 'tiny-qwen2.5-vl');
    assert.equal(known?.family, 'qwen2.5-vl');
    const end = await store.wait((await store.pull('tiny-qwen2.5-vl')).pullId);
    assert.equal(end.state, 'done', end.message ?? '');
    assert.equal(end.bytesDone, known?.bytesByDtype.fp32);
    assert.ok(tiny.hub.log.filter((r) => r.sent > 0).length >= 9);
    assert.deepEqual((await store.verify('tiny-qwen2.5-vl')).ok, true);
    await store.close();
  } finally {
    await tiny.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  assert.equal(existsSync(tiny.manifestPath), false);
});

test('the tiny Qwen3-VL pulls from the fake hub, installs as qwen3-vl (relative 0–1000 boxes) and verifies', async () => {
  const tiny = await startTinyHub({ families: ['qwen3-vl'] });
  const dataDir = mkdtempSync(join(tmpdir(), 'doclens-tiny-hub-q3-'));
  try {
    const store = createModelStore({
      dataDir,
      endpoint: tiny.env.HF_ENDPOINT,
      extraManifests: [tiny.env.DOCLENS_EXTRA_MODELS],
    });
    const known = (await store.list()).known.find((k) => k.id === 'tiny-qwen3-vl');
    assert.equal(known?.family, 'qwen3-vl');
    assert.equal(known?.coordinates, 'norm1000');
    const end = await store.wait((await store.pull('tiny-qwen3-vl')).pullId);
    assert.equal(end.state, 'done', end.message ?? '');
    const installed = (await store.list()).installed.find((m) => m.id.startsWith('tiny-qwen3-vl'));
    assert.equal(installed?.family, 'qwen3-vl');
    assert.deepEqual((await store.verify('tiny-qwen3-vl')).ok, true);
    await store.close();
  } finally {
    await tiny.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
