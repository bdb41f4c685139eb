// LLaVA-OneVision AnyRes geometry against the seven sizes of the family spec, each re-derived by hand below from
// the transformers 4.57 Python (select_best_resolution, get_patch_output_size, _get_padding_size, unpad_image,
// the anyres_max_9 branch of pack_image_features and LlavaOnevisionProcessor._get_unpadded_features).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  OV_GEOMETRY,
  OV_PINPOINTS,
  ovLayout,
  pyFloorDiv,
  pyIntRound7,
  tokensPerTile,
  unpadRange,
} from './anyres-grid.js';

interface Row {
  hw: [number, number];
  canvas: [number, number];
  resized: [number, number];
  pad: [number, number, number, number];
  grid: [number, number];
  unpadded: [number, number];
  ratio: number;
  final: [number, number];
  tokens: number;
  pixelTiles: number;
}

// Sizes are H×W as in the spec's table; (t, b, l, r) padding.
const ROWS: Row[] = [
  // 224×224: only 384×384 keeps eff = 224² with the least waste; 1 tile. unpad: W/H = 1 = 27/27 → else branch,
  // new_w = int(round(224·27/224, 7)) = 27, pad 0. ratio √(729/6561) = 1/3 ≤ 1.1. 729 + 27·27 + 27 = 1485.
  {
    hw: [224, 224],
    canvas: [384, 384],
    resized: [384, 384],
    pad: [0, 0, 0, 0],
    grid: [27, 27],
    unpadded: [27, 27],
    ratio: 1 / 3,
    final: [27, 27],
    tokens: 1485,
    pixelTiles: 2,
  },
  // 480×640: 768×768: scale min(1.2, 1.6) = 1.2 → 768·576 ≥ 640·480, waste 147456 (768×1152 wastes more).
  // scale_w 1.2 < scale_h 1.6 → w 768, h min(ceil(480·1.2), 768) = 576; pad 192 → 96/96. Grid 54×54;
  // W/H 1.333 > 1 → new_h = int(round(480·54/640, 7)) = int(40.5) = 40, pad (54−40)//2 = 7 → rows [7, 47) = 40.
  // ratio √(40·54/6561) = 0.574. 729 + 2160 + 40 = 2929.
  {
    hw: [480, 640],
    canvas: [768, 768],
    resized: [768, 576],
    pad: [96, 96, 0, 0],
    grid: [54, 54],
    unpadded: [40, 54],
    ratio: Math.sqrt(2160 / 6561),
    final: [40, 54],
    tokens: 2929,
    pixelTiles: 5,
  },
  // 899×1024: 1152×1152: scale min(1.125, 1.281) → 1152·1011 ≥ 1024·899 = eff; smallest waste of the canvases
  // reaching full resolution. h = ceil(899·1.125) = ceil(1011.375) = 1012, pad 140 → 70/70. Grid 81×81;
  // new_h = int(899·81/1024 = 71.11) = 71, pad 5 → 71 rows. ratio √(5751/6561) = 0.936. 729 + 5751 + 71 = 6551.
  {
    hw: [899, 1024],
    canvas: [1152, 1152],
    resized: [1152, 1012],
    pad: [70, 70, 0, 0],
    grid: [81, 81],
    unpadded: [71, 81],
    ratio: Math.sqrt(5751 / 6561),
    final: [71, 81],
    tokens: 6551,
    pixelTiles: 10,
  },
  // 1000×1000: 1152×1152 (768² loses resolution). No padding, nothing unpadded, ratio exactly 1 → 729 + 6561 + 81.
  {
    hw: [1000, 1000],
    canvas: [1152, 1152],
    resized: [1152, 1152],
    pad: [0, 0, 0, 0],
    grid: [81, 81],
    unpadded: [81, 81],
    ratio: 1,
    final: [81, 81],
    tokens: 7371,
    pixelTiles: 10,
  },
  // 1080×1920: 1152×1920: scale min(1, 1.0667) = 1 → full resolution, least waste. h = ceil(1080·1) = 1080,
  // pad 72 → 36/36. Grid 81×135; W/H 1.778 > 1.667 → new_h = int(1080·135/1920 = 75.94) = 75, pad 3 → 75 rows.
  // ratio √(75·135/6561) = 1.2423 > 1.1 → int(75 // 1.2423) = 60, int(135 // 1.2423) = 108. 729 + 6480 + 60 = 7269.
  {
    hw: [1080, 1920],
    canvas: [1920, 1152],
    resized: [1920, 1080],
    pad: [36, 36, 0, 0],
    grid: [81, 135],
    unpadded: [75, 135],
    ratio: Math.sqrt(10125 / 6561),
    final: [60, 108],
    tokens: 7269,
    pixelTiles: 16,
  },
  // 2339×1654 (A4 at 200 dpi): 2304×1920: scale min(1.161, 0.98504) = 0.98504 ties 2304×2304 on eff but wastes
  // less. scale_w ≥ scale_h → h 2304, w min(ceil(1654·0.98504) = ceil(1629.25), 1920) = 1630; pad 290 → 145/145.
  // Grid 162×135; W/H 0.707 ≤ 0.833 → new_w = int(1654·162/2339 = 114.56) = 114, pad (135−114)//2 = 10 → 115
  // columns. ratio √(162·115/6561) = 1.6851 → int(162 // 1.6851) = 96, int(115 // 1.6851) = 68. 729+6528+96 = 7353.
  {
    hw: [2339, 1654],
    canvas: [1920, 2304],
    resized: [1630, 2304],
    pad: [0, 0, 145, 145],
    grid: [162, 135],
    unpadded: [162, 115],
    ratio: Math.sqrt(18630 / 6561),
    final: [96, 68],
    tokens: 7353,
    pixelTiles: 31,
  },
  // 3024×4032: 1920×2304: scale min(0.5714, 0.6349) = 0.5714 → 2304·1728, the largest eff. h = ceil(3024·0.5714)
  // = 1728, pad 192 → 96/96. Grid 135×162; W/H 1.333 > 1.2 → new_h = int(3024·162/4032 = 121.5) = 121, pad 7 →
  // 121 rows. ratio √(121·162/6561) = 1.7285 (the spec prints 1.729) → 70 × 93. 729 + 6510 + 70 = 7309.
  {
    hw: [3024, 4032],
    canvas: [2304, 1920],
    resized: [2304, 1728],
    pad: [96, 96, 0, 0],
    grid: [135, 162],
    unpadded: [121, 162],
    ratio: Math.sqrt(19602 / 6561),
    final: [70, 93],
    tokens: 7309,
    pixelTiles: 31,
  },
];

for (const r of ROWS) {
  void test(`${r.hw[0]}×${r.hw[1]} → ${r.tokens} image tokens`, () => {
    const l = ovLayout({ height: r.hw[0], width: r.hw[1] });
    assert.deepEqual([l.canvas.width, l.canvas.height], r.canvas);
    assert.deepEqual([l.resized.width, l.resized.height], r.resized);
    assert.deepEqual([l.pad.top, l.pad.bottom, l.pad.left, l.pad.right], r.pad);
    assert.deepEqual([l.grid.height, l.grid.width], r.grid);
    assert.deepEqual([l.kept.rows[1] - l.kept.rows[0], l.kept.cols[1] - l.kept.cols[0]], r.unpadded);
    assert.ok(Math.abs(l.ratio - r.ratio) < 1e-12, `ratio ${l.ratio} vs ${r.ratio}`);
    assert.deepEqual([l.final.height, l.final.width], r.final);
    assert.equal(l.imageTokens, r.tokens);
    assert.equal(l.visionTiles, r.pixelTiles);
    assert.equal(l.rows * l.cols + 1, r.pixelTiles);
    // per-tile shares add up to the grid's tokens
    assert.equal(
      tokensPerTile(l).reduce((a, b) => a + b, 0),
      r.tokens - 729,
    );
  });
}

void test('several images in one prompt: no tiling, 730 tokens each, square padding centred', () => {
  const l = ovLayout({ width: 640, height: 480 }, OV_GEOMETRY, true);
  assert.equal(l.tiled, false);
  assert.equal(l.imageTokens, 730);
  assert.equal(l.visionTiles, 1);
  assert.deepEqual(l.pad, { top: 80, bottom: 80, left: 0, right: 0 });
  assert.deepEqual(ovLayout({ width: 101, height: 300 }, OV_GEOMETRY, true).pad, {
    top: 0,
    bottom: 0,
    left: 99,
    right: 100,
  });
});

void test('the 36 pinpoints are [h, w] over {384 … 2304}², h outer', () => {
  assert.equal(OV_PINPOINTS.length, 36);
  assert.deepEqual(OV_PINPOINTS.slice(0, 3), [
    [384, 384],
    [384, 768],
    [384, 1152],
  ]);
  assert.deepEqual(OV_PINPOINTS[6], [768, 384]);
  assert.deepEqual(OV_PINPOINTS[35], [2304, 2304]);
});

void test('geometry comes from the config: a 56 px tile of 14 px patches has a 4×4 grid', () => {
  const tiny = {
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
    ] as const,
    maxNumPatches: 1,
  };
  // 60×150 (H×W): 56×112 and 112×112 reach 112·44 = 4928 px; 112×168 (scale min(1.12, 1.87) → 168·67) and
  // 168×168 reach all 9000 px, and 112×168 wastes less.
  const l = ovLayout({ width: 150, height: 60 }, tiny);
  assert.deepEqual(l.canvas, { width: 168, height: 112 });
  assert.equal(l.perTile, 4);
  assert.deepEqual(l.grid, { height: 8, width: 12 });
  // scale_w 1.12 < scale_h 1.867 → 168 × min(ceil(60·1.12) = 68, 112); pad 44 → 22/22.
  assert.deepEqual(l.resized, { width: 168, height: 68 });
  // W/H 2.5 > 1.5 → new_h = int(round(60·12/150, 7)) = int(4.8) = 4, pad (8 − 4)//2 = 2 → rows [2, 6).
  assert.deepEqual(l.kept, { rows: [2, 6], cols: [0, 12] });
  // anyres_max_1: ratio √(4·12/16) = 1.732 > 1.1 → int(4 // 1.732) = 2, int(12 // 1.732) = 6 → 16 + 12 + 2.
  assert.deepEqual(l.final, { height: 2, width: 6 });
  assert.equal(l.imageTokens, 30);
  // SigLIP at 384 px / 14: 27 patches, the last 6 px are dropped (Python `image_size // patch_size`).
  assert.equal(ovLayout({ width: 10, height: 10 }).perTile, 27);
});

void test('Python rounding helpers', () => {
  assert.equal(pyIntRound7(40.5), 40);
  assert.equal(pyIntRound7(70.99999999), 71); // round(…, 7) lifts it to 71.0 before int()
  assert.equal(pyIntRound7(70.9999), 70);
  assert.equal(pyFloorDiv(75, 1.2422599874998832), 60);
  assert.equal(pyFloorDiv(7, 2), 3);
  assert.equal(pyFloorDiv(-7, 2), -4);
  assert.deepEqual(unpadRange({ width: 100, height: 100 }, { height: 27, width: 54 }), {
    rows: [0, 27],
    cols: [13, 41],
  });
});

void test('bad geometry and sizes are refused with a reason', () => {
  assert.throws(() => ovLayout({ width: 0, height: 10 }), /positive integers/);
  assert.throws(
    () => ovLayout({ width: 10, height: 10 }, { ...OV_GEOMETRY, pinpoints: [] }),
    /pinpoints is empty/,
  );
  assert.throws(
    () => ovLayout({ width: 10, height: 10 }, { ...OV_GEOMETRY, pinpoints: [[400, 384]] }),
    /not a grid of 384/,
  );
});
