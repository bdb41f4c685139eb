// LLaVA-OneVision boxes: [0, 1] and 0–1000 brackets, labels, and the one road to page space (src/anyres/coords.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toPageBoxes } from '../../../anyres/coords.js';
import { planPage } from '../../../anyres/plan.js';
import { FAMILIES } from '../../../shared/families.js';
import { decodeOvOutput, ovGroundingPrompt } from './grounding.js';

void test('[0, 1] floats and 0–1000 integers, labels from the text or the asked objects', () => {
  assert.deepEqual(decodeOvOutput('[0.1, 0.25, 0.5, 0.75]', ['the total']), {
    format: 'unit',
    stripped: false,
    boxes: [{ label: 'the total', kind: 'box', x0: 0.1, y0: 0.25, x1: 0.5, y1: 0.75 }],
  });
  const many = decodeOvOutput('cat: [120, 40, 380, 600]\n"dog": [.5,.5,1,1.02] and [1,2]', ['x', 'y']);
  assert.equal(many.format, 'mixed');
  assert.deepEqual(
    many.boxes.map((b) => [b.label, b.x0, b.y1]),
    [
      ['cat', 0.12, 0.6],
      ['dog', 0.5, 1.02],
    ],
  );
  assert.deepEqual(decodeOvOutput('no box here (1, 2), [a, b, c, d]'), {
    format: null,
    stripped: false,
    boxes: [],
  });
});

void test('a [0, 1] box of the whole image lands on the page through the plan global tile, low confidence', () => {
  assert.equal(FAMILIES['llava-onevision'].coordinates, 'unit');
  assert.equal(FAMILIES['llava-onevision'].lowConfidenceBoxes, true);
  const plan = planPage({ page: 1, width: 612, height: 792 }, { family: 'llava-onevision' });
  const global = plan.tiles[0]!;
  assert.equal(global.kind, 'global');
  const boxes = toPageBoxes(
    decodeOvOutput('[0.25, 0.5, 0.75, 1.2]', ['logo']).boxes,
    global,
    1,
    plan.pageSize,
    'llava-onevision',
  );
  assert.equal(boxes.length, 1);
  const b = boxes[0]!;
  assert.equal(b.label, 'logo');
  assert.ok(Math.abs(b.x0 - 153) < 1e-9 && Math.abs(b.x1 - 459) < 1e-9);
  assert.ok(Math.abs(b.y0 - 396) < 1e-9);
  assert.equal(b.y1, 792); // clamped to the page
  // an empty box is dropped
  const empty = decodeOvOutput('[0.3, 0.3, 0.3, 0.6]').boxes;
  assert.equal(toPageBoxes(empty, global, 1, plan.pageSize, 'llava-onevision').length, 0);
});

void test('the grounding prompt is lmms-eval RefCOCO wording', () => {
  assert.match(ovGroundingPrompt(['the  red car']), /bounded between 0 and 1\. .*describes: the red car$/);
  assert.match(ovGroundingPrompt(['a', 'b']), /describes: a; b\. Give one \[x1, y1, x2, y2\] per item/);
  assert.throws(() => ovGroundingPrompt([' ']), /name at least one thing/);
});
