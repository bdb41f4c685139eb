// The VLM engine on a generated LLaVA-OneVision model: AnyRes token counts in the real prompt (single image with
// and without the anyres_max downscale, several images), the image reaching the answer, caches, the system turn
// outside raw mode, and a folder without image_newline refused clearly.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureTinyModel } from '../../../../models/tiny/make-tiny-model.js';
import { loadVlm, type VlmModel } from '../../vlm/engine.js';
import { readModelFolder } from '../../vlm/model-folder.js';

function card(width: number, height: number, variant = 0) {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * 5 + variant * 60) % 256;
      data[i + 1] = (y * 7) % 256;
      data[i + 2] = ((x ^ y) * 3 + variant * 90) % 256;
    }
  }
  return { data, width, height, channels: 3 as const };
}

const Q = 'Describe this image.';

describe('engine on tiny llava-onevision', () => {
  let dir = '';
  let vlm: VlmModel;
  before(async () => {
    dir = await ensureTinyModel({ family: 'llava-onevision', size: 'tiny' });
    vlm = await loadVlm(dir, { provider: 'cpu', threads: 1 });
  });
  after(async () => {
    await vlm.dispose();
  });

  test('the folder reads as llava-onevision with <image> 151646 and the tiled path', () => {
    const f = readModelFolder(dir);
    assert.equal(f.family, 'llava-onevision');
    assert.equal(f.ids.imageToken, 151646);
    assert.ok(f.tiled);
    assert.deepEqual(f.tiled.plan({ width: 160, height: 160 }, 1), { tokens: 88, width: 168, height: 168 });
  });

  test('prompt = text + (<image> expanded to the AnyRes count, then "\\n") per image', async () => {
    const text = await vlm.generate({ question: Q, raw: true, maxTokens: 1 });
    // 100×80 → canvas 112×112 (2×2), grid 8×8, unpad to 6 rows: 16 + 6·8 + 6 = 70.
    const small = await vlm.generate({ images: [card(100, 80)], question: Q, raw: true, maxTokens: 1 });
    assert.equal(small.promptTokens, text.promptTokens + 1 + 70);
    assert.deepEqual(small.resized, [{ width: 112, height: 112 }]);
    // 160×160 → 168×168 (3×3), grid 12×12, anyres_max_4: ratio 1.5 → 8×8: 16 + 64 + 8 = 88.
    const big = await vlm.generate({ images: [card(160, 160)], question: Q, raw: true, maxTokens: 1 });
    assert.equal(big.promptTokens, text.promptTokens + 1 + 88);
    // Two images: no tiling, 16 + 1 newline each.
    const two = await vlm.generate({
      images: [card(160, 160), card(100, 80)],
      question: Q,
      raw: true,
      maxTokens: 1,
    });
    assert.equal(two.promptTokens, text.promptTokens + 2 * (1 + 17));
    // Outside raw mode the LLaVA system turn is sent first.
    const chat = await vlm.generate({ question: Q, maxTokens: 1 });
    assert.ok(chat.promptTokens > text.promptTokens + 5, `${chat.promptTokens} vs ${text.promptTokens}`);
  });

  test('the image decides the answer; the feature cache and prompt cache reuse it exactly', async () => {
    const a = await vlm.generate({ images: [card(150, 60, 0)], question: Q, raw: true, maxTokens: 24 });
    const b = await vlm.generate({ images: [card(150, 60, 1)], question: Q, raw: true, maxTokens: 24 });
    assert.equal(a.tokenIds.length, 24);
    assert.notDeepEqual(a.tokenIds, b.tokenIds);
    vlm.clearCaches();
    const cold = await vlm.generate({ images: [card(150, 60, 0)], question: Q, raw: true, maxTokens: 24 });
    assert.deepEqual(cold.tokenIds, a.tokenIds);
    assert.equal(cold.cache.visionRuns, 1);
    const warm = await vlm.generate({
      images: [card(150, 60, 0)],
      question: 'Another question?',
      raw: true,
      maxTokens: 8,
    });
    // The question differs after the image: the prompt up to it (image included) comes from the KV cache.
    const imageTokens = readModelFolder(dir).tiled!.plan({ width: 150, height: 60 }, 1).tokens;
    assert.equal(warm.cache.visionRuns, 0);
    assert.ok(warm.cache.prefixTokens > imageTokens, `${warm.cache.prefixTokens} reused`);
    // A new question over a cold prompt cache takes the features from the feature cache.
    const other = await vlm.generate({
      images: [card(150, 60, 0)],
      question: 'Third?',
      maxTokens: 4,
    });
    assert.deepEqual([other.cache.featureHits, other.cache.visionRuns], [1, 0]);
  });

  test('a folder without image_newline is refused, naming what is missing', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ov-no-newline-'));
    try {
      cpSync(dir, tmp, { recursive: true });
      rmSync(join(tmp, 'image_newline.safetensors'));
      assert.throws(
        () => readModelFolder(tmp),
        /has no image_newline .*image_newline\.safetensors or the repo's model\.safetensors/,
      );
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
