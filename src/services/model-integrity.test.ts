// The VLM room refuses to load an installed model whose graph was changed in place (same size): the load-time hash
// check runs before onnxruntime sees the files, and models.status says which file and what to do.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureTinyModel } from '../../models/tiny/make-tiny-model.js';
import type { ProviderStatus } from '../shared/domain.js';
import type { Envelope } from '../shared/errors.js';
import { createBackend } from './backend.js';
import { createModelStore } from './models/index.js';

test('a same-size tampered graph is not loaded; restoring it loads', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'doclens-integrity-'));
  const backend = await createBackend({ dataDir });
  try {
    const tiny = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
    const store = createModelStore({ dataDir });
    const installed = await store.import(tiny, { id: 'tiny-tampered', dtype: 'fp32', checkSessions: false });
    await store.close();
    const decoder = join(installed.path, 'onnx', 'decoder_model_merged.onnx');
    const good = readFileSync(decoder);
    const bad = Buffer.from(good);
    bad[good.length - 10] = (bad[good.length - 10] ?? 0) ^ 0x55;
    writeFileSync(decoder, bad);
    const status = async () => {
      const res = (await backend.call('models.status', { load: true })) as Envelope<ProviderStatus>;
      assert.ok(res.ok);
      return res.value;
    };
    const refused = await status();
    assert.equal(refused.loadedModel, null);
    assert.equal(
      refused.summary,
      'tiny-tampered could not be loaded: tiny-tampered: onnx/decoder_model_merged.onnx does not match its recorded sha256 (same size, different content); run Verify or reinstall the model',
    );
    writeFileSync(decoder, good);
    assert.equal((await status()).loadedModel, 'tiny-tampered');
  } finally {
    await backend.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
