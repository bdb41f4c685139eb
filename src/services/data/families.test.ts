// Each target family's box text read back by the grounding parser inference uses: boxes and points, in the family's
// own units for a 612 × 792 pt page exported at 868 × 1120 px (Qwen2/2.5-VL) — worked out by hand below.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGrounding } from '../../inference/families/qwen2-vl/output.js';
import { boxesText, familyImageSize } from './families.js';

const frame = { pageSize: { width: 612, height: 792 }, image: { width: 868, height: 1120 } };
const box = { page: 1, label: 'total', x0: 306, y0: 396, x1: 459, y1: 594 };
const point = { page: 1, label: 'logo', x0: 61.2, y0: 79.2, x1: 61.2, y1: 79.2 };

test('Qwen2.5-VL: bbox_2d and point_2d in pixels of the resized image', () => {
  const p = parseGrounding(boxesText('qwen2.5-vl', [box, point], frame));
  assert.equal(p.format, 'qwen2.5-vl');
  // 306/612·868 = 434, 396/792·1120 = 560, 459/612·868 = 651, 594/792·1120 = 840; the point: 86.8 → 87, 112.
  assert.deepEqual(p.boxes, [
    { label: 'total', kind: 'box', x0: 434, y0: 560, x1: 651, y1: 840 },
    { label: 'logo', kind: 'point', x0: 87, y0: 112, x1: 87, y1: 112 },
  ]);
});

test('Qwen2-VL and Qwen3-VL: 0–1000 of the image, whatever its size', () => {
  const q2 = parseGrounding(boxesText('qwen2-vl', [box, point], frame));
  assert.equal(q2.format, 'qwen2-vl');
  assert.deepEqual(q2.boxes, [
    { label: 'total', kind: 'box', x0: 500, y0: 500, x1: 750, y1: 750 },
    { label: 'logo', kind: 'point', x0: 100, y0: 100, x1: 100, y1: 100 },
  ]);
  const q3 = parseGrounding(
    boxesText('qwen3-vl', [box], { ...frame, image: familyImageSize('qwen3-vl', 1275, 1650) }),
  );
  assert.deepEqual(q3.boxes, [{ label: 'total', kind: 'box', x0: 500, y0: 500, x1: 750, y1: 750 }]);
});

test('image sizes follow each family’s smart_resize', () => {
  assert.deepEqual(familyImageSize('qwen2.5-vl', 1275, 1650), { width: 868, height: 1120 });
  assert.deepEqual(familyImageSize('qwen3-vl', 1275, 1650), { width: 992, height: 1280 });
  // Small images grow to the processor's minimum: Qwen3-VL's shortest_edge 65536 px = 64 tokens of 32² (a 100 × 100
  // image → 256 × 256), the family table's minPixels.
  assert.deepEqual(familyImageSize('qwen3-vl', 100, 100), { width: 256, height: 256 });
  assert.deepEqual(familyImageSize('qwen2-vl', 100, 100), { width: 112, height: 112 });
});
