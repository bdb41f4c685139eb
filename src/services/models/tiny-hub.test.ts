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
