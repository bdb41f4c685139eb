// The grounding parser on outputs shaped like the real ones (docs/qwen2-vl-onnx.md §6 and the Qwen cookbooks),
// and toPageBoxes through real plans.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toPageBoxes } from '../../../anyres/coords.js';
import { planPage } from '../../../anyres/plan.js';
import { LabelledBox } from '../../../shared/geometry.js';
import { parseGrounding } from './output.js';

const box = (label: string, x0: number, y0: number, x1: number, y1: number) => ({
  label,
  kind: 'box' as const,
  x0,
  y0,
  x1,
  y1,
});
const point = (label: string, x: number, y: number) => ({
  label,
  kind: 'point' as const,
  x0: x,
  y0: y,
  x1: x,
  y1: y,
});

void test('Qwen-VL <ref>/<box>, several boxes per phrase, missing ref, <quad>', () => {
  const raw =
    '<ref>击掌</ref><box>(536,509),(588,602)</box> and <ref>cars</ref><box>(1,2),(30,40)</box><box>(50,60),(70,80)</box>' +
    ' also <box>(5,5),(9,9)</box> <ref>sign</ref><quad>(10,20),(40,22),(38,50),(8,48)</quad>';
  const p = parseGrounding(raw);
  assert.equal(p.format, 'qwen-vl');
  assert.equal(p.stripped, false);
  assert.deepEqual(p.boxes, [
    box('击掌', 536, 509, 588, 602),
    box('cars', 1, 2, 30, 40),
    box('cars', 50, 60, 70, 80),
    box('', 5, 5, 9, 9),
    box('sign', 8, 20, 40, 50),
  ]);
});

void test('Qwen2-VL special tokens, spaces inside pairs, a truncated last box', () => {
  const raw =
    '<|object_ref_start|>the red car<|object_ref_end|><|box_start|>(100, 200),(300,400)<|box_end|>' +
    '<|box_start|>(310,200),(500,420)<|box_end|>, <|object_ref_start|>dog<|object_ref_end|>' +
    '<|box_start|>(7,8),(9,10)<|box_end|><|im_end|>';
  assert.deepEqual(parseGrounding(raw), {
    format: 'qwen2-vl',
    stripped: false,
    boxes: [
      box('the red car', 100, 200, 300, 400),
      box('the red car', 310, 200, 500, 420),
      box('dog', 7, 8, 9, 10),
    ],
  });
  const cut = parseGrounding('<|object_ref_start|>cat<|object_ref_end|><|box_start|>(1,2),(3,4');
  assert.deepEqual(cut.boxes, [box('cat', 1, 2, 3, 4)]);
});

void test('Qwen2-VL with special tokens stripped: phrase(x1,y1),(x2,y2)', () => {
  const p = parseGrounding('The signature(120,830),(410,905) and the date(600,840),(780,880).');
  assert.equal(p.format, 'qwen2-vl');
  assert.equal(p.stripped, true);
  assert.deepEqual(p.boxes, [box('The signature', 120, 830, 410, 905), box('the date', 600, 840, 780, 880)]);
  const many = parseGrounding('cars(1,2),(3,4),(5,6),(7,8)\nperson(9, 9), (19, 29)');
  assert.deepEqual(many.boxes, [
    box('cars', 1, 2, 3, 4),
    box('cars', 5, 6, 7, 8),
    box('person', 9, 9, 19, 29),
  ]);
  assert.deepEqual(parseGrounding('(1,2),(3,4)').boxes, [box('', 1, 2, 3, 4)]);
});

void test('Qwen2.5-VL JSON: code fence, trailing text, point_2d, missing label, other label keys', () => {
  const raw = [
    'Here are the cakes:',
    '```json',
    '[',
    '  {"bbox_2d": [135, 114, 400, 380], "label": "cake with \\"strawberries\\""},',
    '  {"bbox_2d": [410, 100, 640, 371]},',
    '  {"point_2d": [77, 88], "label": "candle"},',
    '  {"bbox_2d": [1, 2, 3, 4], "text_content": "TOTAL"}',
    ']',
    '```',
    'Let me know if you need anything else [really].',
  ].join('\n');
  const p = parseGrounding(raw);
  assert.equal(p.format, 'qwen2.5-vl');
  assert.deepEqual(p.boxes, [
    box('cake with "strawberries"', 135, 114, 400, 380),
    box('', 410, 100, 640, 371),
    point('candle', 77, 88),
    box('TOTAL', 1, 2, 3, 4),
  ]);
});

void test('Qwen2.5-VL JSON cut off mid-array, a single object, and JSON that does not parse', () => {
  const cut = parseGrounding(
    '```json\n[{"bbox_2d": [1, 2, 3, 4], "label": "a"}, {"bbox_2d": [5, 6, 7, 8], "label": "b"}, {"bbox_2d": [9, 1',
  );
  assert.deepEqual(cut.boxes, [box('a', 1, 2, 3, 4), box('b', 5, 6, 7, 8)]);
  assert.deepEqual(parseGrounding('{"bbox_2d": [10, 20, 30, 40], "label": "x"}').boxes, [
    box('x', 10, 20, 30, 40),
  ]);
  const loose = parseGrounding('[{\'label\': 1, "bbox_2d": [10, 20, 30, 40], "label": "y",},]');
  assert.deepEqual(loose.boxes, [box('y', 10, 20, 30, 40)]);
  assert.equal(loose.format, 'qwen2.5-vl');
});

void test('no boxes: format null', () => {
  assert.deepEqual(parseGrounding('The invoice total is $42.10 (incl. tax).'), {
    format: null,
    stripped: false,
    boxes: [],
  });
  assert.deepEqual(parseGrounding(''), { format: null, stripped: false, boxes: [] });
});

void test('toPageBoxes: Qwen2-VL 0–1000 and Qwen2.5-VL input pixels land on the same page box', () => {
  const page = { page: 4, width: 612, height: 792 };
  const q2 = planPage(page, { family: 'qwen2-vl' });
  const q25 = planPage(page, { family: 'qwen2.5-vl' });
  const tile2 = q2.tiles[0]!;
  const tile25 = q25.tiles[0]!;
  assert.deepEqual(tile25.input, { width: 868, height: 1120 });
  // Page box (61.2, 79.2)–(306, 396) = 10 %–50 % of the page → 100..500 in 0–1000, and 86.8..434 × 112..560 px.
  const fromQ2 = toPageBoxes(
    parseGrounding('<|box_start|>(500,500),(100,100)<|box_end|>').boxes,
    tile2,
    4,
    page,
    'qwen2-vl',
  );
  const fromQ25 = toPageBoxes(
    parseGrounding('```json\n[{"bbox_2d": [86.8, 112, 434, 560], "label": "x"}]\n```').boxes,
    tile25,
    4,
    page,
    'qwen2.5-vl',
  );
  for (const [got, label] of [
    [fromQ2, ''],
    [fromQ25, 'x'],
  ] as const) {
    assert.equal(got.length, 1);
    const b = LabelledBox.parse(got[0]);
    assert.equal(b.page, 4);
    assert.equal(b.label, label);
    for (const [k, v] of Object.entries({ x0: 61.2, y0: 79.2, x1: 306, y1: 396 })) {
      assert.ok(Math.abs(b[k as 'x0'] - v) < 1e-9, `${k}: ${b[k as 'x0']} vs ${v}`);
    }
  }
});

void test('toPageBoxes clamps to the page, drops boxes and points off the page, maps LLaVA tiles', () => {
  const page = { page: 1, width: 612, height: 792 };
  const plan = planPage(page, { family: 'llava-next' });
  const t00 = plan.tiles[1]!; // canvas x 0..336: 76 px of left padding, then the page's left half
  const parsed = parseGrounding(
    '<|box_start|>(0,0),(1000,1000)<|box_end|> <|box_start|>(0,0),(100,100)<|box_end|> <|box_start|>(500,500)<|box_end|>',
  );
  const boxes = toPageBoxes(parsed.boxes, t00, 1, page, 'llava-next');
  // whole tile → page x 0..306 (padding clamped away), y 0..396; the 0..33.6 px box is all padding → dropped;
  // the point at input (168, 168) → page ((168 − 76)·612/520, 168·792/672).
  assert.equal(boxes.length, 2);
  const [whole, pt] = boxes;
  assert.equal(whole!.x0, 0);
  assert.ok(Math.abs(whole!.x1 - 306) < 1e-9);
  assert.equal(whole!.y0, 0);
  assert.ok(Math.abs(whole!.y1 - 396) < 1e-9);
  assert.ok(Math.abs(pt!.x0 - (92 * 612) / 520) < 1e-9 && pt!.x0 === pt!.x1);
  assert.ok(Math.abs(pt!.y0 - (168 * 792) / 672) < 1e-9 && pt!.y0 === pt!.y1);
  // Out-of-range output (1100) is clamped to the page edge.
  const single = planPage(page, { family: 'qwen2-vl' }).tiles[0]!;
  const [c] = toPageBoxes(
    parseGrounding('<box>(900,900),(1100,1100)</box>').boxes,
    single,
    1,
    page,
    'qwen-vl',
  );
  assert.equal(c!.x1, 612);
  assert.equal(c!.y1, 792);
});
