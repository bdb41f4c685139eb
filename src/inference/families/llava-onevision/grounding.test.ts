// LLaVA-OneVision boxes: [0, 1] and 0–1000 brackets, labels, and the way to page space through a plan tile.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planPage } from '../../../anyres/plan.js';
import { ovBoxesToPage, ovGroundingPrompt, parseOvBoxes } from './grounding.js';

void test('[0, 1] floats and 0–1000 integers, labels from the text or the asked objects', () => {
  const unit = parseOvBoxes('[0.1, 0.25, 0.5, 0.75]', ['the total']);
  assert.deepEqual(unit, [{ label: 'the total', x0: 100, y0: 250, x1: 500, y1: 750, scale: 'unit' }]);
  const many = parseOvBoxes('cat: [120, 40, 380, 600]\n"dog": [.5,.5,1,1.02] and [1,2]', ['x', 'y']);
  assert.deepEqual(
    many.map((b) => [b.label, b.scale, b.x0, b.y1]),
    [
      ['cat', 'norm1000', 120, 600],
      ['dog', 'unit', 500, 1020],
    ],
  );
  assert.deepEqual(parseOvBoxes('no box here (1, 2), [a, b, c, d]'), []);
});

void test('a [0, 1] box of the whole image lands on the page through the plan global tile', () => {
  const plan = planPage({ page: 1, width: 612, height: 792 }, { family: 'llava-onevision' });
  const global = plan.tiles[0]!;
  assert.equal(global.kind, 'global');
  const out = ovBoxesToPage(parseOvBoxes('[0.25, 0.5, 0.75, 1.2]', ['logo']), global, 1, plan.pageSize);
  assert.equal(out.confidence, 'low');
  assert.equal(out.boxes.length, 1);
  const b = out.boxes[0]!;
  assert.equal(b.label, 'logo');
  assert.ok(Math.abs(b.x0 - 153) < 1e-9 && Math.abs(b.x1 - 459) < 1e-9);
  assert.ok(Math.abs(b.y0 - 396) < 1e-9);
  assert.equal(b.y1, 792); // clamped to the page
  // an empty box is dropped
  assert.equal(ovBoxesToPage(parseOvBoxes('[0.3, 0.3, 0.3, 0.6]'), global, 1, plan.pageSize).boxes.length, 0);
});

void test('the grounding prompt is lmms-eval RefCOCO wording', () => {
  assert.match(ovGroundingPrompt(['the  red car']), /bounded between 0 and 1\. .*describes: the red car$/);
  assert.match(ovGroundingPrompt(['a', 'b']), /describes: a; b\. Give one \[x1, y1, x2, y2\] per item/);
});
