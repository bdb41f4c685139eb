// pack_image_features: which tile feature lands on which token (base, unpadded grid, newlines) and the bilinear
// downscale's weights, on features that encode their own origin, against positions worked out by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ovLayout, type OvGeometry } from '../../../anyres/anyres-grid.js';
import { packImageFeatures } from './pack.js';

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

/** hidden 1: feature value = tile·100 + index inside the tile. */
function codedTiles(tiles: number, perTile: number): Float32Array {
  const out = new Float32Array(tiles * perTile);
  for (let t = 0; t < tiles; t++) for (let i = 0; i < perTile; i++) out[t * perTile + i] = t * 100 + i;
  return out;
}

void test('2×2 grid, no unpadding: base, then grid rows across tiles, a newline after each', () => {
  const l = ovLayout({ width: 112, height: 112 }, TINY);
  assert.deepEqual([l.rows, l.cols, l.final.height, l.final.width], [2, 2, 8, 8]);
  const packed = packImageFeatures(codedTiles(5, 16), l, Float32Array.of(-1), 1);
  assert.equal(packed.length, 16 + 8 * 8 + 8);
  assert.deepEqual(
    [...packed.subarray(0, 16)],
    Array.from({ length: 16 }, (_, i) => i),
  );
  // grid row 0: tile 1 features 0..3, tile 2 features 0..3, newline; grid row 5: tile 3 row 1, tile 4 row 1.
  assert.deepEqual([...packed.subarray(16, 25)], [100, 101, 102, 103, 200, 201, 202, 203, -1]);
  const row5 = 16 + 5 * 9;
  assert.deepEqual([...packed.subarray(row5, row5 + 9)], [304, 305, 306, 307, 404, 405, 406, 407, -1]);
});

void test('unpadding keeps the image rows only', () => {
  // 50×112 (H×W) → canvas 56×112 (1×2 tiles), grid 4×8; new_h = int(round(50·8/112, 7)) = 3, pad (4−3)//2 = 0
  // → nothing dropped; 30×112 → new_h = int(2.14) = 2, pad 1 → rows [1, 3).
  const l = ovLayout({ width: 112, height: 30 }, TINY);
  assert.deepEqual(l.kept, { rows: [1, 3], cols: [0, 8] });
  const packed = packImageFeatures(codedTiles(3, 16), l, Float32Array.of(-1), 1);
  assert.equal(packed.length, 16 + 2 * 8 + 2);
  assert.deepEqual(
    [...packed.subarray(16)],
    [104, 105, 106, 107, 204, 205, 206, 207, -1, 108, 109, 110, 111, 208, 209, 210, 211, -1],
  );
});

void test('anyres_max downscale is torch bilinear (align_corners=False)', () => {
  // 168×168 → 3×3 tiles, grid 12×12; anyres_max_1: ratio √(144/16) = 3 → 4×4. src = (i + 0.5)·3 − 0.5 = 3i + 1:
  // each output takes grid row/col 3i+1 exactly (weight 0 on the next one).
  const l = ovLayout({ width: 168, height: 168 }, { ...TINY, maxNumPatches: 1 });
  assert.deepEqual(l.final, { height: 4, width: 4 });
  const packed = packImageFeatures(codedTiles(10, 16), l, Float32Array.of(-1), 1);
  const cell = (r: number, c: number) =>
    (1 + Math.floor(r / 4) * 3 + Math.floor(c / 4)) * 100 + (r % 4) * 4 + (c % 4);
  const want: number[] = [];
  for (const r of [1, 4, 7, 10]) {
    for (const c of [1, 4, 7, 10]) want.push(cell(r, c));
    want.push(-1);
  }
  assert.deepEqual([...packed.subarray(16)], want);

  // 2× down (grid 8 → 4 with anyres_max_1 on 112×112: ratio √(64/16) = 2): src = 2i + 0.5 → the mean of rows
  // 2i, 2i+1 and columns 2j, 2j+1.
  const l2 = ovLayout({ width: 112, height: 112 }, { ...TINY, maxNumPatches: 1 });
  assert.deepEqual(l2.final, { height: 4, width: 4 });
  const p2 = packImageFeatures(codedTiles(5, 16), l2, Float32Array.of(-1), 1);
  const c2 = (r: number, c: number) =>
    (1 + Math.floor(r / 4) * 2 + Math.floor(c / 4)) * 100 + (r % 4) * 4 + (c % 4);
  const mean = (r: number, c: number) =>
    (c2(2 * r, 2 * c) + c2(2 * r, 2 * c + 1) + c2(2 * r + 1, 2 * c) + c2(2 * r + 1, 2 * c + 1)) / 4;
  assert.ok(Math.abs(p2[16]! - mean(0, 0)) < 1e-4);
  assert.ok(Math.abs(p2[16 + 5 + 3]! - mean(1, 3)) < 1e-4, `${p2[16 + 5 + 3]} vs ${mean(1, 3)}`);
  assert.equal(p2[16 + 4], -1);
});

void test('an image among several: base features and one newline; sizes are checked', () => {
  const l = ovLayout({ width: 300, height: 200 }, TINY, true);
  const packed = packImageFeatures(codedTiles(1, 32), l, Float32Array.of(7, 8), 2);
  assert.equal(packed.length, 17 * 2);
  assert.deepEqual([...packed.subarray(32)], [7, 8]);
  assert.throws(
    () => packImageFeatures(new Float32Array(5), l, Float32Array.of(1, 2), 2),
    /vision features hold 5 floats/,
  );
  assert.throws(
    () => packImageFeatures(codedTiles(1, 32), l, Float32Array.of(1), 2),
    /image_newline has 1 values/,
  );
});
