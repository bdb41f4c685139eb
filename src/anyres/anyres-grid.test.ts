// AnyRes grid choice against LLaVA-NeXT's Python (select_best_resolution + resize_and_pad_image from
// llava/mm_utils.py, run in CPython to produce the vectors below).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  candidateGrids,
  fitAndPad,
  gridCanvas,
  LLAVA_NEXT_PINPOINTS,
  overlappingSpans,
  pinpointGrids,
  selectBestResolution,
  tileOrigins,
} from './anyres-grid.js';

// [orig w, orig h, best w, best h, new w, new h, paste x, paste y] for the llava-v1.6 pinpoints.
const LLAVA_VECTORS: ReadonlyArray<
  readonly [number, number, number, number, number, number, number, number]
> = [
  [1275, 1650, 672, 672, 520, 672, 76, 0],
  [1650, 1275, 672, 672, 672, 520, 0, 76],
  [100, 100, 336, 672, 336, 336, 0, 168],
  [336, 336, 336, 672, 336, 336, 0, 168],
  [800, 600, 672, 672, 672, 504, 0, 84],
  [600, 800, 672, 672, 504, 672, 84, 0],
  [2000, 500, 1008, 336, 1008, 252, 0, 42],
  [500, 2000, 336, 1008, 252, 1008, 42, 0],
  [1000, 1000, 672, 672, 672, 672, 0, 0],
  [672, 336, 672, 336, 672, 336, 0, 0],
  [3000, 100, 1008, 336, 1008, 34, 0, 151],
  [1, 1, 336, 672, 336, 336, 0, 168],
  [300, 900, 336, 1008, 336, 1008, 0, 0],
  [994, 2447, 336, 1008, 336, 828, 0, 90],
  [2249, 554, 1008, 336, 1008, 249, 0, 43],
  [1535, 3771, 336, 1008, 336, 826, 0, 91],
  [2493, 1961, 672, 672, 672, 529, 0, 71],
  [2582, 2399, 672, 672, 672, 625, 0, 23],
  [288, 2500, 336, 1008, 117, 1008, 109, 0],
  [73, 3742, 336, 1008, 20, 1008, 158, 0],
  [3450, 1941, 672, 672, 672, 379, 0, 146],
  [1082, 2276, 336, 1008, 336, 707, 0, 150],
  [979, 805, 672, 672, 672, 553, 0, 59],
  [2957, 1946, 672, 672, 672, 443, 0, 114],
  [2235, 3446, 672, 672, 436, 672, 118, 0],
];

void test('selectBestResolution + fitAndPad match LLaVA-NeXT on the llava-v1.6 pinpoints', () => {
  for (const [ow, oh, bw, bh, nw, nh, px, py] of LLAVA_VECTORS) {
    const best = selectBestResolution({ width: ow, height: oh }, LLAVA_NEXT_PINPOINTS);
    assert.deepEqual(best, { width: bw, height: bh }, `best for ${ow}×${oh}`);
    assert.deepEqual(fitAndPad({ width: ow, height: oh }, best), {
      width: nw,
      height: nh,
      padX: px,
      padY: py,
    });
  }
});

void test('maximises effective resolution, not aspect-ratio closeness', () => {
  const grids = candidateGrids(336, 6);
  // 400×300 (aspect 1.33): the aspect-ratio shortcut picks 1×1 (336×336, downscaled to 336×252); LLaVA-NeXT
  // picks 2×1 (672×336), which keeps all 120,000 pixels with the least waste. Python gives (672, 336).
  const best = selectBestResolution({ width: 400, height: 300 }, grids);
  assert.equal(`${best.cols}x${best.rows}`, '2x1');
  // Python: letter page at 150 dpi and at 300 dpi on 6 tiles → (672, 1008); 3000×1000 → (1008, 336); 5000×800 → (2016, 336).
  const pick = (w: number, h: number) => {
    const b = selectBestResolution({ width: w, height: h }, grids);
    return [b.width, b.height];
  };
  assert.deepEqual(pick(1275, 1650), [672, 1008]);
  assert.deepEqual(pick(2550, 3300), [672, 1008]);
  assert.deepEqual(pick(3000, 1000), [1008, 336]);
  assert.deepEqual(pick(5000, 800), [2016, 336]);
  assert.deepEqual(pick(900, 900), [672, 672]);
});

void test('ties go to the first candidate; effective ties go to the least waste', () => {
  const a = { width: 500, height: 500, tag: 'a' };
  const b = { width: 500, height: 500, tag: 'b' };
  assert.equal(selectBestResolution({ width: 100, height: 100 }, [a, b]).tag, 'a');
  const big = { width: 1000, height: 1000, tag: 'big' };
  assert.equal(selectBestResolution({ width: 100, height: 100 }, [big, b]).tag, 'b');
  assert.throws(() => selectBestResolution({ width: 1, height: 1 }, []), { code: 'invalid_input' });
});

void test('candidate grids: every cols×rows within the tile budget, LLaVA order, overlap shrinks the canvas', () => {
  const g = candidateGrids(980, 4);
  assert.deepEqual(
    g.map((c) => [c.width, c.height]),
    // Python: [(c*980, r*980) for c in range(1,5) for r in range(1,5) if c*r<=4]
    [
      [980, 980],
      [980, 1960],
      [980, 2940],
      [980, 3920],
      [1960, 980],
      [1960, 1960],
      [2940, 980],
      [3920, 980],
    ],
  );
  const o = candidateGrids(980, 4, 98);
  assert.deepEqual(
    o.map((c) => [c.width, c.height]),
    [
      [980, 980],
      [980, 1862],
      [980, 2744],
      [980, 3626],
      [1862, 980],
      [1862, 1862],
      [2744, 980],
      [3626, 980],
    ],
  );
  assert.deepEqual(gridCanvas(3, 2, 336, 34), {
    cols: 3,
    rows: 2,
    tile: 336,
    overlapPx: 34,
    width: 940,
    height: 638,
  });
  assert.deepEqual(
    pinpointGrids(LLAVA_NEXT_PINPOINTS, 336).map((c) => [c.cols, c.rows]),
    [
      [1, 2],
      [2, 1],
      [2, 2],
      [3, 1],
      [1, 3],
    ],
  );
  assert.throws(() => pinpointGrids([{ width: 500, height: 336 }], 336), { code: 'invalid_input' });
  assert.throws(() => candidateGrids(336, 0), { code: 'invalid_input' });
  assert.deepEqual(tileOrigins(3, 336, 34), [0, 302, 604]);
});

void test('overlappingSpans cover the length exactly with the requested overlap', () => {
  assert.deepEqual(overlappingSpans(100, 2, 0), [
    [0, 50],
    [50, 100],
  ]);
  const s = overlappingSpans(612, 3, 0.2);
  const span = 612 / (3 - 2 * 0.2);
  assert.equal(s[0]![0], 0);
  assert.equal(s[2]![1], 612);
  for (const [a, b] of s) assert.ok(Math.abs(b - a - span) < 1e-9);
  assert.ok(Math.abs(s[0]![1] - s[1]![0] - 0.2 * span) < 1e-9);
});
