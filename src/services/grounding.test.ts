import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planPage } from '../anyres/plan.js';
import type { LabelledBox } from '../shared/geometry.js';
import { mapModelOutput, mapTileOutput, mergeViewBoxes } from './grounding.js';

function close(got: LabelledBox[], want: Array<Omit<LabelledBox, 'page'>>, page = 1): void {
  assert.equal(got.length, want.length, JSON.stringify(got));
  got.forEach((b, i) => {
    const w = want[i]!;
    assert.equal(b.page, page);
    assert.equal(b.label, w.label);
    for (const k of ['x0', 'y0', 'x1', 'y1'] as const)
      assert.ok(Math.abs(b[k] - w[k]) < 1e-6, `${k}: ${b[k]} vs ${w[k]}`);
  });
}

// scene.png is 1024×768; an image's page space is its pixel grid (plan at 72 dpi).
const scene = { page: 1, width: 1024, height: 768 };

void test('Qwen2-VL output (0–1000 of the image) lands on the image page', () => {
  const plan = planPage(scene, { family: 'qwen2-vl', maxPixels: 224 * 224, dpi: 72 });
  const raw =
    '<|object_ref_start|>the red car<|object_ref_end|><|box_start|>(100,200),(500,750)<|box_end|>' +
    '<|object_ref_start|>a tree<|object_ref_end|><|box_start|>(900,0),(1000,1000)<|box_end|><|im_end|>';
  const m = mapModelOutput(raw, plan);
  assert.equal(m.format, 'qwen2-vl');
  close(m.boxes, [
    { label: 'the red car', x0: 102.4, y0: 153.6, x1: 512, y1: 576 },
    { label: 'a tree', x0: 921.6, y0: 0, x1: 1024, y1: 768 },
  ]);
});

void test('Qwen2.5-VL output (pixels of the resized input) is scaled by the smart_resize size', () => {
  const plan = planPage(scene, { family: 'qwen2.5-vl', maxPixels: 224 * 224, dpi: 72 });
  // 768×1024 with max 50,176 px → 168×252 (β = √(768·1024/50176); floor to 28-multiples).
  assert.deepEqual(plan.tiles[0]?.input, { width: 252, height: 168 });
  const raw =
    '```json\n[{"bbox_2d": [63, 42, 126, 84], "label": "car"}, {"bbox_2d": [252, 168, 126, 0], "label": "sky"}]\n```';
  const m = mapModelOutput(raw, plan);
  assert.equal(m.format, 'qwen2.5-vl');
  close(m.boxes, [
    { label: 'car', x0: 256, y0: 192, x1: 512, y1: 384 },
    // corners swapped by the model: ordered again
    { label: 'sky', x0: 512, y0: 0, x1: 1024, y1: 768 },
  ]);
  // The engine reports the size it really resized to (a capped render can differ from the plan): that wins.
  const r = mapModelOutput('[{"bbox_2d": [0, 0, 140, 56], "label": "x"}]', plan, { width: 280, height: 196 });
  close(r.boxes, [{ label: 'x', x0: 0, y0: 0, x1: 512, y1: (56 * 768) / 196 }]);
});

void test('a PDF page (points) and stripped markers (special tokens skipped)', () => {
  const letter = { page: 2, width: 612, height: 792 };
  const plan = planPage(letter, { family: 'qwen2-vl', dpi: 150 });
  close(
    mapModelOutput('<|box_start|>(250,500),(750,1000)<|box_end|>', plan).boxes,
    [{ label: '', x0: 153, y0: 396, x1: 459, y1: 792 }],
    2,
  );
  const stripped = mapModelOutput('signature(100,900),(400,980)', plan);
  assert.equal(stripped.stripped, true);
  close(stripped.boxes, [{ label: 'signature', x0: 61.2, y0: 712.8, x1: 244.8, y1: 776.16 }], 2);
});

void test('output with no boxes maps to none', () => {
  const plan = planPage(scene, { family: 'qwen2-vl', dpi: 72 });
  const m = mapModelOutput('I cannot see a car.', plan);
  assert.equal(m.format, null);
  assert.deepEqual(m.boxes, []);
});

void test('tiled runs: a tile’s output lands in its region; merging keeps the sharper tile box and drops cut ones', () => {
  const letter = { page: 1, width: 612, height: 792 };
  const plan = planPage(letter, { family: 'qwen2-vl', dpi: 150, maxPixels: 448 * 448, tiling: 'on' });
  assert.equal(plan.mode, 'anyres');
  const tiles = plan.tiles.filter((t) => t.kind === 'tile');
  const global = plan.tiles.find((t) => t.kind === 'global')!;
  assert.ok(tiles.length >= 2, `${tiles.length} tiles`);
  // Qwen2-VL's 0–1000 in the second tile: its centre half.
  const t = tiles[1]!;
  const r = t.region;
  const m = mapTileOutput(
    '<|object_ref_start|>stamp<|object_ref_end|><|box_start|>(250,250),(750,750)<|box_end|>',
    plan,
    t,
  );
  close(m.boxes, [
    {
      label: 'stamp',
      x0: r.x0 + (r.x1 - r.x0) / 4,
      y0: r.y0 + (r.y1 - r.y0) / 4,
      x1: r.x0 + ((r.x1 - r.x0) * 3) / 4,
      y1: r.y0 + ((r.y1 - r.y0) * 3) / 4,
    },
  ]);
  // With the size the engine really used, Qwen2.5-VL pixels spread over the same region.
  const plan25 = planPage(letter, { family: 'qwen2.5-vl', dpi: 150, maxPixels: 448 * 448, tiling: 'on' });
  const t25 = plan25.tiles.filter((v) => v.kind === 'tile')[0]!;
  const m25 = mapTileOutput('[{"bbox_2d": [0, 0, 200, 100], "label": "x"}]', plan25, t25, {
    width: 400,
    height: 400,
  });
  const w = t25.region.x1 - t25.region.x0;
  const h = t25.region.y1 - t25.region.y0;
  close(m25.boxes, [
    {
      label: 'x',
      x0: t25.region.x0,
      y0: t25.region.y0,
      x1: t25.region.x0 + w / 2,
      y1: t25.region.y0 + h / 4,
    },
  ]);

  const inner = { ...m.boxes[0]! };
  const blurry = { ...inner, x0: inner.x0 - 4, x1: inner.x1 + 3 }; // the global view's coarser box of it
  const elsewhere = { page: 1, label: 'stamp', x0: 10, y0: 10, x1: 40, y1: 30 }; // only the global view saw it
  // A box touching the tile's inner edge is an object cut in two; the global view holds it whole.
  const tile0 = tiles[0]!;
  const cutBox = { page: 1, label: 'table', x0: tile0.region.x1 - 50, y0: 100, x1: tile0.region.x1, y1: 200 };
  const wholeTable = {
    page: 1,
    label: 'table',
    x0: tile0.region.x1 - 50,
    y0: 98,
    x1: tile0.region.x1 + 60,
    y1: 201,
  };
  const lonelyCut = {
    page: 1,
    label: 'logo',
    x0: tile0.region.x1 - 20,
    y0: 300,
    x1: tile0.region.x1,
    y1: 320,
  };
  const merged = mergeViewBoxes(
    [
      { view: global, boxes: [blurry, elsewhere, wholeTable] },
      { view: tile0, boxes: [cutBox, lonelyCut] },
      { view: t, boxes: [inner] },
    ],
    letter,
  );
  assert.deepEqual(
    merged,
    [elsewhere, wholeTable, inner, lonelyCut].sort((a, b) => a.y0 - b.y0 || a.x0 - b.x0),
  );
});
