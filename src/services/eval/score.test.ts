// The figures of the benchmarks whose scoring the tiny test model cannot reach (it never answers with a box or a
// right letter): recorded predictions written by hand, figures worked by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EvalItem } from './datasets.js';
import { scoreBenchmark, type Prediction } from './score.js';

const item = (
  id: string,
  category: string,
  ref: EvalItem['ref'],
  task: EvalItem['task'] = 'answer',
): EvalItem => ({
  id,
  category,
  image: { path: `/x/${id}.png` },
  prompt: 'p',
  task,
  ref,
});
const pred = (id: string, text: string, box: Prediction['box'] = null): [string, Prediction] => [
  id,
  { id, text, box, ms: 1 },
];

test('RefCOCO: Acc@0.5 and mean IoU over predicted boxes in image pixels, per split; no box is a miss', () => {
  const truth = { x0: 0, y0: 0, x1: 10, y1: 10 };
  const items = [
    item('a', 'val', { kind: 'refcoco', box: truth }, 'ground'),
    item('b', 'val', { kind: 'refcoco', box: truth }, 'ground'),
    item('c', 'testA', { kind: 'refcoco', box: truth }, 'ground'),
  ];
  const preds = new Map([
    pred('a', '', { x0: 0, y0: 0, x1: 10, y1: 10 }), // IoU 1
    pred('b', '', { x0: 5, y0: 0, x1: 15, y1: 10 }), // IoU 1/3
    pred('c', 'no box'),
  ]);
  const s = scoreBenchmark('refcoco', items, preds);
  assert.deepEqual(
    s.headline.map((f) => [f.key, Number(f.value.toFixed(6))]),
    [
      ['acc50', Number((1 / 3).toFixed(6))],
      ['meanIou', Number(((1 + 1 / 3) / 3).toFixed(6))],
    ],
  );
  assert.deepEqual(
    s.categories.map((c) => [c.name, c.n, c.values.acc50]),
    [
      ['testA', 1, 0],
      ['val', 2, 0.5],
    ],
  );
});

test('MMBench: circular accuracy per category needs every rotation; first-order accuracy counts rotation 0 only', () => {
  const o1 = { A: 'cat', B: 'dog' };
  const o2 = { A: 'dog', B: 'cat' };
  const items = [
    item('1', 'animals', { kind: 'choice', options: o1, answer: 'B', group: '1', rotation: 0 }),
    item('1:r1', 'animals', { kind: 'choice', options: o2, answer: 'A', group: '1', rotation: 1 }),
    item('2', 'animals', { kind: 'choice', options: o1, answer: 'A', group: '2', rotation: 0 }),
    item('2:r1', 'animals', { kind: 'choice', options: o2, answer: 'B', group: '2', rotation: 1 }),
  ];
  const preds = new Map([pred('1', 'B'), pred('1:r1', 'A'), pred('2', 'A'), pred('2:r1', 'A')]);
  const s = scoreBenchmark('mmbench', items, preds);
  assert.deepEqual(
    s.headline.map((f) => [f.key, f.value]),
    [
      ['circular', 0.5],
      ['vanilla', 1],
      ['questions', 2],
    ],
  );
  assert.deepEqual(
    s.items.map((i) => i.score),
    [1, 1, 1, 0],
  );
});

test('items without a prediction are not scored (a run cut short scores what it has)', () => {
  const items = [
    item('1', 'all', { kind: 'gqa', answer: 'red' }),
    item('2', 'all', { kind: 'gqa', answer: 'two' }),
  ];
  const s = scoreBenchmark('gqa', items, new Map([pred('2', 'Two.')]));
  assert.deepEqual([s.items.length, s.headline[0]!.value], [1, 1]);
});
