// Worked examples for each benchmark metric, written by hand from the rules of the official scoring code
// (each test names the rule it checks), so DocLens's figures can be set beside published ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  anls,
  circularAccuracy,
  extractChoice,
  gqaExactMatch,
  groundingAccuracy,
  iou,
  levenshtein,
  mmeAnswer,
  mmeScores,
  popeAnswer,
  popeScores,
  relaxedAccuracy,
  rotations,
  textVqaAccuracy,
  vqaAccuracy,
} from './metrics.js';
import { normalizeVqaAnswer, processDigitArticle, processPunctuation } from './vqa-normalize.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);

test('VQA normalisation: vqaEval.py processPunctuation / processDigitArticle rules', () => {
  // Numbers as words → digits (manualMap), articles dropped, lower-cased.
  assert.equal(processDigitArticle('Two Dogs'), '2 dogs');
  assert.equal(processDigitArticle('the  none  of a cat'), '0 of cat');
  // Contractions map apostrophe-less spellings back ("dont" → "don't").
  assert.equal(processDigitArticle('dont know'), "don't know");
  // A mark next to a space is removed; elsewhere it becomes a space ("red-white" → "red white").
  assert.equal(processPunctuation('red-white'), 'red white');
  assert.equal(processPunctuation('yes !'), 'yes ');
  // With a digit-comma-digit anywhere, every mark is removed ("1,000" → "1000").
  assert.equal(processPunctuation('1,000'), '1000');
  // periodStrip: a period not followed by a digit goes; "1.5" keeps its decimal point.
  assert.equal(processPunctuation('1.5'), '1.5');
  assert.equal(processPunctuation('yes.'), 'yes');
  assert.equal(normalizeVqaAnswer('  Two.\n'), '2');
});

test('VQA soft accuracy: min(#matches among the other 9 / 3, 1), averaged over the 10 leave-one-out sets', () => {
  const ten = (xs: string[]) => xs;
  // 3 of 10 humans said "2": leaving out one of those 3 gives 2/3 (3 times), else 3/3 → (3·2/3 + 7·1) / 10 = 0.9.
  close(vqaAccuracy('two', ten(['2', '2', '2', '3', '3', '3', '3', '3', '3', '3'])), 0.9);
  // 1 of 10: 0 when it is the one left out, 1/3 otherwise → 9 · (1/3) / 10 = 0.3.
  close(
    vqaAccuracy('red', ['red', 'blue', 'blue', 'blue', 'blue', 'blue', 'blue', 'blue', 'blue', 'blue']),
    0.3,
  );
  // 4 or more matches: 1 whatever is left out.
  close(vqaAccuracy('Yes', Array<string>(10).fill('yes')), 1);
  close(vqaAccuracy('no', Array<string>(10).fill('yes')), 0);
  // Unanimous human answers are not punctuation-processed (they are compared as given).
  close(vqaAccuracy('t-shirt', Array<string>(10).fill('t-shirt')), 0);
});

test('TextVQA accuracy: EvalAI processor on both sides ("?" and "," dropped, "\'s" split)', () => {
  const gts = ['coca cola', 'coca cola', 'coca-cola', 'coke', 'coca cola', 'coca cola', 'x', 'y', 'z', 'w'];
  // "coca-cola" → "coca cola" on both sides: 5 matches of 10 → 1.
  close(textVqaAccuracy('Coca-Cola?', gts), 1);
  // 1 of 10 ("coke") → 0.3.
  close(textVqaAccuracy('coke', gts), 0.3);
});

test('ANLS: 1 − NL when NL < 0.5 else 0, best over the answers, case and spaces ignored', () => {
  assert.equal(levenshtein('kitten', 'sitting'), 3);
  close(anls('Invoice  Date', ['invoice date']), 1);
  // One substitution in 10 characters → NL 0.1 → 0.9.
  close(anls('2025-03-15', ['2025-03-14']), 0.9);
  // NL = 5/10 = 0.5 is not < 0.5 → 0.
  close(anls('abcdeFGHIJ', ['abcdevwxyz']), 0);
  // Best of several accepted answers.
  close(anls('$11,977', ['11,977.20', '$11,977']), 1);
});

test('ChartQA relaxed accuracy: 5 % relative tolerance for numbers, "%" divides by 100, else exact (case-insensitive)', () => {
  assert.equal(relaxedAccuracy('104', '100'), true); // 4 % off
  assert.equal(relaxedAccuracy('106', '100'), false); // 6 % off
  assert.equal(relaxedAccuracy('12%', '0.12'), true);
  assert.equal(relaxedAccuracy('1,000', '1000'), false); // Python float() rejects "1,000": string compare
  assert.equal(relaxedAccuracy('0', '0'), true); // target 0 falls to the string compare
  assert.equal(relaxedAccuracy('0.0', '0'), false);
  assert.equal(relaxedAccuracy('Q3', 'q3'), true);
});

test('GQA: exact match after normalisation', () => {
  assert.equal(gqaExactMatch('The table.', 'table'), true);
  assert.equal(gqaExactMatch('tables', 'table'), false);
});

test('POPE: first sentence, "No"/"no"/"not" as whole words mean no; scores with yes as positive', () => {
  assert.equal(popeAnswer('No, there is no dog.'), 'no');
  assert.equal(popeAnswer('Yes. But not a big one.'), 'yes'); // only the first sentence counts
  assert.equal(popeAnswer('There is not a cat'), 'no');
  assert.equal(popeAnswer('Nothing like that'), 'yes'); // "Nothing" is not the word "no"
  const s = popeScores([
    { prediction: 'Yes', label: 'yes' }, // tp
    { prediction: 'Yes', label: 'no' }, // fp
    { prediction: 'No', label: 'no' }, // tn
    { prediction: 'no', label: 'yes' }, // fn
    { prediction: 'yes, there is', label: 'yes' }, // tp
  ]);
  assert.deepEqual([s.tp, s.fp, s.tn, s.fn], [2, 1, 1, 1]);
  close(s.accuracy, 3 / 5);
  close(s.precision, 2 / 3);
  close(s.recall, 2 / 3);
  close(s.f1, 2 / 3);
  close(s.yesRatio, 3 / 5);
});

test('MME: yes/no from the first 4 characters; acc per question, acc+ per image, score = acc + acc+', () => {
  assert.equal(mmeAnswer('Yes'), 'yes');
  assert.equal(mmeAnswer('No, it is not'), 'no');
  assert.equal(mmeAnswer('The answer is yes'), 'other');
  const s = mmeScores([
    { task: 'existence', image: 'a', prediction: 'yes', label: 'yes' },
    { task: 'existence', image: 'a', prediction: 'no', label: 'no' },
    { task: 'existence', image: 'b', prediction: 'yes', label: 'yes' },
    { task: 'existence', image: 'b', prediction: 'yes', label: 'no' },
    { task: 'code_reasoning', image: 'c', prediction: 'no', label: 'no' },
    { task: 'code_reasoning', image: 'c', prediction: 'no', label: 'yes' },
  ]);
  close(s.tasks.existence?.acc ?? -1, 75);
  close(s.tasks.existence?.accPlus ?? -1, 50);
  close(s.perception, 125);
  close(s.cognition, 50 + 0);
});

test('MMBench: option letters read from free text; circular evaluation needs every rotation right', () => {
  const options = { A: 'cat', B: 'dog', C: 'bird', D: 'fish' };
  assert.equal(extractChoice('B', options), 'B');
  assert.equal(extractChoice('(C) bird', options), 'C');
  assert.equal(extractChoice('The answer is D.', options), 'D');
  assert.equal(extractChoice('A or B', options), null); // two letters and no option text: no guess
  // Two letters fall through to the option texts (VLMEvalKit can_infer: can_infer_option fails, can_infer_text runs).
  assert.equal(extractChoice('Not A but B, the dog', options), 'B');
  assert.equal(extractChoice('It is a dog', options), 'B'); // no letter: the one option text it contains
  const rots = rotations(options, 'B');
  assert.equal(rots.length, 4);
  assert.deepEqual(rots[1], { options: { A: 'dog', B: 'bird', C: 'fish', D: 'cat' }, answer: 'A' });
  for (const r of rots) assert.equal(r.options[r.answer], 'dog');
  const allRight = rots.map((r) => ({
    group: 'q1',
    prediction: r.answer,
    options: r.options,
    answer: r.answer,
  }));
  const oneWrong = rots.map((r, i) => ({
    group: 'q2',
    prediction: i === 2 ? 'A' : r.answer,
    options: r.options,
    answer: r.answer,
  }));
  const c = circularAccuracy([...allRight, ...oneWrong]);
  assert.deepEqual([c.questions, c.passed], [2, 1]);
  close(c.accuracy, 0.5);
});

test('RefCOCO: Acc@0.5 by IoU; a missing box is wrong', () => {
  close(iou({ x0: 0, y0: 0, x1: 10, y1: 10 }, { x0: 5, y0: 0, x1: 15, y1: 10 }), 50 / 150);
  close(iou({ x0: 0, y0: 0, x1: 10, y1: 10 }, { x0: 20, y0: 20, x1: 30, y1: 30 }), 0);
  const truth = { x0: 0, y0: 0, x1: 10, y1: 10 };
  close(
    groundingAccuracy([
      { predicted: { x0: 0, y0: 0, x1: 10, y1: 12 }, truth }, // IoU 100/120
      { predicted: { x0: 5, y0: 0, x1: 15, y1: 10 }, truth }, // IoU 1/3
      { predicted: null, truth },
      { predicted: truth, truth },
    ]),
    0.5,
  );
});
