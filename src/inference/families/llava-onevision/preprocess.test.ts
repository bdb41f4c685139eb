// LLaVA-OneVision pixel_values: shape, SigLIP normalisation, black padding (−1 after normalising), row-major
// tile order and the gray square of the multi-image path, on images whose content says where each pixel went.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ovLayout, type OvGeometry } from '../../../anyres/anyres-grid.js';
import { ovPixelValues } from './preprocess.js';

const TINY: OvGeometry = {
  tile: 56,
  patch: 14,
  pinpoints: [
    [56, 56],
    [56, 112],
    [112, 56],
    [112, 112],
    [112, 168],
    [168, 112],
    [168, 168],
  ],
  maxNumPatches: 9,
};

/** W×H RGB, left half red (255, 0, 0), right half blue (0, 0, 255). */
function halves(
  width: number,
  height: number,
): { data: Uint8Array; width: number; height: number; channels: 3 } {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data[(y * width + x) * 3 + (x < width / 2 ? 0 : 2)] = 255;
  }
  return { data, width, height, channels: 3 };
}

const at = (px: Float32Array, tile: number, c: number, y: number, x: number, T = 56) =>
  px[tile * 3 * T * T + c * T * T + y * T + x]!;

void test('one wide image: base + 1×2 tiles, black bands are −1, left tile red, right tile blue', async () => {
  const img = halves(112, 30);
  const l = ovLayout(img, TINY);
  // canvas 56×112: scale_w 1 < scale_h 1.87 → 112 × min(ceil(30), 56) = 30; pad 26 → 13 top, 13 bottom.
  assert.deepEqual(l.resized, { width: 112, height: 30 });
  assert.deepEqual(l.pad, { top: 13, bottom: 13, left: 0, right: 0 });
  const px = await ovPixelValues(img, l, 56);
  assert.equal(px.length, 3 * 3 * 56 * 56);
  // base: the original squashed to 56×56 → red on the left edge, blue on the right, no padding.
  assert.deepEqual([at(px, 0, 0, 0, 0), at(px, 0, 2, 0, 0)], [1, -1]);
  assert.deepEqual([at(px, 0, 0, 55, 55), at(px, 0, 2, 55, 55)], [-1, 1]);
  // tile 1 (left): padding rows 0..12 and 43..55 are black (−1 everywhere); image rows are red.
  for (const y of [0, 12, 43, 55]) for (let c = 0; c < 3; c++) assert.equal(at(px, 1, c, y, 10), -1);
  assert.deepEqual([at(px, 1, 0, 20, 10), at(px, 1, 1, 20, 10), at(px, 1, 2, 20, 10)], [1, -1, -1]);
  // tile 2 (right): blue.
  assert.deepEqual([at(px, 2, 0, 20, 40), at(px, 2, 1, 20, 40), at(px, 2, 2, 20, 40)], [-1, -1, 1]);
});

void test('an image among several: padded square in gray 127, one tile', async () => {
  const img = halves(100, 40);
  const l = ovLayout(img, TINY, true);
  const px = await ovPixelValues(img, l, 56);
  assert.equal(px.length, 3 * 56 * 56);
  // 100×100 square, 30 rows of gray above and below → top row gray: 127/255 → (0.498 − 0.5)/0.5 = −0.0039.
  const gray = Math.fround((Math.fround(127 / 255) - 0.5) / 0.5);
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(at(px, 0, c, 0, 28) - gray) < 1e-6);
  assert.deepEqual([at(px, 0, 0, 28, 2), at(px, 0, 2, 28, 53)], [1, 1]);
});

void test('an image of another size than its layout is refused', async () => {
  await assert.rejects(
    ovPixelValues(halves(60, 60), ovLayout({ width: 50, height: 60 }, TINY), 56),
    /another size/,
  );
});
