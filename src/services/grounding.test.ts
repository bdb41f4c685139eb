import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planPage } from '../anyres/plan.js';
import type { LabelledBox } from '../shared/geometry.js';
import { mapModelOutput } from './grounding.js';

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
