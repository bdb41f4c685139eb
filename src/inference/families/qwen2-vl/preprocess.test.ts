import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RawImage, AutoProcessor, env, type Tensor } from '@huggingface/transformers';
import { basename, dirname } from 'node:path';
import { ensureTinyModel } from '../../../../models/tiny/make-tiny-model.js';
import { isAppError } from '../../../shared/errors.js';
import { readModelFolder } from '../../vlm/model-folder.js';
import { checkImage, patchify, preprocessImage, resizeForModel } from './preprocess.js';
import { testCard } from '../../vlm/testing.js';

const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

void test('224×224 white image → [256, 1176] rows, grid [1, 16, 16], 64 tokens, CLIP-normalised white', async () => {
  const dir = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
  const pre = readModelFolder(dir).preprocessor;
  const white = new Uint8Array(224 * 224 * 3).fill(255);
  const out = await preprocessImage({ data: white, width: 224, height: 224, channels: 3 }, pre, {
    minPixels: pre.minPixels,
    maxPixels: pre.maxPixels,
    alpha: 'drop',
  });
  assert.deepEqual([out.rows, out.rowLength], [256, 1176]);
  assert.deepEqual(out.grid, { t: 1, h: 16, w: 16 });
  assert.equal(out.tokens, 64);
  for (let c = 0; c < 3; c++) {
    const want = (1 - CLIP_MEAN[c]!) / CLIP_STD[c]!;
    assert.ok(Math.abs(out.pixelValues[c * 392]! - want) < 1e-5, `channel ${c}`);
    assert.ok(Math.abs(out.pixelValues[255 * 1176 + c * 392 + 195]! - want) < 1e-5, `channel ${c}, last row`);
  }
});

void test('model input sizes follow smart_resize with Python rounding (spec §2.1 vectors)', async () => {
  const cases: Array<[number, number, number, number, number]> = [
    // [height, width, maxPixels, expected height, expected width]
    [350, 350, 12_845_056, 336, 336], // 12.5 rounds to even: 12·28 (transformers.js: 364)
    [480, 640, 1_003_520, 476, 644],
    [1080, 1920, 1_003_520, 728, 1316],
    [224, 224, 1_003_520, 224, 224],
  ];
  for (const [h, w, maxPixels, eh, ew] of cases) {
    const data = testCard(w, h);
    const r = await resizeForModel(
      { data, width: w, height: h, channels: 3 },
      { minPixels: 3136, maxPixels, alpha: 'drop' },
      28,
    );
    assert.deepEqual([r.height, r.width], [eh, ew], `${h}×${w}`);
    assert.equal(r.rgb.length, eh * ew * 3);
  }
});

void test('patch rows: merge-block raster order, c·392 + t·196 + y·14 + x inside a row (spec §2.3)', () => {
  const w = 56;
  const h = 84; // gh 6, gw 4
  const rgb = testCard(w, h, 3);
  const out = patchify(rgb, w, h, {
    patchSize: 14,
    mergeSize: 2,
    temporalPatchSize: 2,
    mean: [...CLIP_MEAN],
    std: [...CLIP_STD],
    rescale: 1 / 255,
    doRescale: true,
    doNormalize: true,
  });
  assert.deepEqual(out.grid, { t: 1, h: 6, w: 4 });
  assert.equal(out.tokens, 6);
  let maxErr = 0;
  for (let ph = 0; ph < 6; ph++) {
    for (let pw = 0; pw < 4; pw++) {
      const r = ((Math.floor(ph / 2) * 2 + Math.floor(pw / 2)) * 2 + (ph % 2)) * 2 + (pw % 2);
      for (let c = 0; c < 3; c++)
        for (let t = 0; t < 2; t++)
          for (let y = 0; y < 14; y++)
            for (let x = 0; x < 14; x++) {
              const raw = rgb[((ph * 14 + y) * w + pw * 14 + x) * 3 + c]!;
              const want = (raw / 255 - CLIP_MEAN[c]!) / CLIP_STD[c]!;
              const got = out.pixelValues[r * 1176 + c * 392 + t * 196 + y * 14 + x]!;
              maxErr = Math.max(maxErr, Math.abs(want - got));
            }
    }
  }
  assert.ok(maxErr < 1e-5, `max error ${maxErr}`);
});

void test('pixel_values equal transformers.js Qwen2VLImageProcessor where no resize happens', async () => {
  const dir = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${dirname(dir)}/`;
  const processor = await AutoProcessor.from_pretrained(basename(dir), { local_files_only: true });
  const pre = readModelFolder(dir).preprocessor;
  for (const [w, h] of [
    [112, 84],
    [224, 168],
    [56, 196],
  ] as const) {
    const data = testCard(w, h, 1);
    const mine = await preprocessImage({ data, width: w, height: h, channels: 3 }, pre, {
      minPixels: pre.minPixels,
      maxPixels: pre.maxPixels,
      alpha: 'drop',
    });
    const ref = (await processor.image_processor!(
      new RawImage(new Uint8ClampedArray(data), w, h, 3),
    )) as Record<string, Tensor>;
    const pv = ref.pixel_values!;
    assert.deepEqual(pv.dims, [mine.rows, mine.rowLength], `${w}×${h}`);
    const theirs = pv.data as Float32Array;
    let maxErr = 0;
    for (let i = 0; i < theirs.length; i++)
      maxErr = Math.max(maxErr, Math.abs(theirs[i]! - mine.pixelValues[i]!));
    assert.ok(maxErr < 1e-5, `${w}×${h}: max error ${maxErr}`);
  }
});

void test('RGBA: alpha dropped (HF processor) or composited over white (qwen-vl-utils)', async () => {
  const w = 56;
  const h = 56;
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([200, 0, 0, 0], i * 4); // fully transparent red
  const opts = { minPixels: 3136, maxPixels: 224 * 224 };
  const drop = await resizeForModel(
    { data, width: w, height: h, channels: 4 },
    { ...opts, alpha: 'drop' },
    28,
  );
  const white = await resizeForModel(
    { data, width: w, height: h, channels: 4 },
    { ...opts, alpha: 'white' },
    28,
  );
  assert.deepEqual([...drop.rgb.subarray(0, 3)], [200, 0, 0]);
  assert.deepEqual([...white.rgb.subarray(0, 3)], [255, 255, 255]);
});

void test('bad images are clear invalid_input errors', () => {
  const bad = (fn: () => void, re: RegExp) =>
    assert.throws(fn, (e: unknown) => isAppError(e) && e.code === 'invalid_input' && re.test(e.message));
  bad(
    () => checkImage({ data: new Uint8Array(5 * 50 * 3), width: 5, height: 50, channels: 3 }),
    /too small \(5×50\)/,
  );
  bad(
    () => checkImage({ data: new Uint8Array(10), width: 20, height: 20, channels: 3 }),
    /10 bytes do not make a 20×20×3/,
  );
  bad(
    () => checkImage({ data: new Uint8Array(12), width: 2, height: 2, channels: 2 as 3 }, 1),
    /image 2: channels must be 3/,
  );
});

void test('an aspect ratio over 200:1 is refused before resizing', async () => {
  const w = 6000;
  const h = 20;
  await assert.rejects(
    resizeForModel(
      { data: new Uint8Array(w * h * 3), width: w, height: h, channels: 3 },
      { minPixels: 3136, maxPixels: 1e6, alpha: 'drop' },
      28,
    ),
    (e: unknown) => isAppError(e) && e.code === 'invalid_input' && /200/.test(e.message),
  );
});
