// Claim checks against the real sample invoice's reader text: values, dates, fields and quotes the page states pass,
// one digit off or invented ones fail, reasoning may compute from page values, and text with nothing checkable is
// 'unchecked' rather than verified.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DateHit, DocumentInfo, TextPage } from '../../shared/domain.js';
import { samplesDir } from '../paths.js';
import { testBackend } from '../testing.js';
import { boxesOfPairs, checkPair, parsePairs } from './claims.js';
import type { LabelledBox } from '../../shared/geometry.js';

const tb = testBackend('doclens-claims-');
let page: TextPage | undefined;
let dates: DateHit[];

async function load(): Promise<void> {
  if (page) return;
  const doc = await tb.call<DocumentInfo>('documents.open', { path: join(samplesDir(), 'invoice.pdf') });
  page = await tb.call<TextPage>('documents.text', { docId: doc.id, page: 1 });
  dates = (await tb.call<{ dates: DateHit[] }>('extract.dates', { docId: doc.id })).dates;
}

const check = (q: string, a: string, kind: 'conversation' | 'detail' | 'reasoning' = 'conversation') => {
  assert.ok(page);
  return checkPair(q, a, page, dates, kind);
};

test('a field answer is checked by the fields binder and by its date value', async () => {
  await load();
  const ok = check('What is the invoice date?', 'March 14, 2025');
  assert.equal(ok.status, 'verified');
  assert.deepEqual(
    ok.claims.map((c) => [c.what, c.status]),
    [
      ['field', 'verified'],
      ['date', 'verified'],
    ],
  );
  const iso = check('What is the invoice date?', 'It was issued on 2025-03-14.');
  assert.equal(iso.status, 'verified');
  const wrong = check('What is the invoice date?', 'March 15, 2025');
  assert.equal(wrong.status, 'unverified');
  assert.deepEqual(
    wrong.claims.map((c) => [c.what, c.status]),
    [
      ['field', 'unverified'],
      ['date', 'unverified'],
    ],
  );
});

test('amounts and identifiers must be on the page, to the digit', async () => {
  await load();
  const total = check('What is the total?', 'The total due is $11,977.20.');
  assert.equal(total.status, 'verified');
  assert.ok(total.claims.some((c) => c.what === 'value' && c.claim === '$11,977.20' && c.boxes.length > 0));
  assert.equal(check('How much is due?', 'The amount due is $11,977.21.').status, 'unverified');
  assert.equal(check('Which invoice is this?', 'Invoice INV-2025-0314.').status, 'verified');
  assert.equal(check('Which invoice is this?', 'Invoice INV-2025-0315.').status, 'unverified');
});

test('quotes must be on the page; reasoning may compute from values that are', async () => {
  await load();
  assert.equal(check('Who issued it?', 'It was issued by "Harbor Lane Design Co."').status, 'verified');
  const invented = check('Who issued it?', 'It was issued by "Blue Ocean Trading Ltd".');
  assert.equal(invented.status, 'unverified');
  assert.match(
    invented.claims.find((c) => c.what === 'quote')?.reason ?? '',
    /quote "Blue Ocean Trading Ltd" is not on the page/,
  );
  const r = check(
    'How much more is the total than the subtotal?',
    'The subtotal is $11,090.00 and the total $11,977.20, so the difference is $887.20 minus nothing: 887.20.',
    'reasoning',
  );
  assert.equal(r.status, 'verified');
  const derived = check(
    'What is twice the tax?',
    'The tax is $887.20, so twice it is $1,774.40.',
    'reasoning',
  );
  assert.equal(derived.status, 'verified');
  assert.deepEqual(
    derived.claims.map((c) => [c.what, c.claim, c.status]),
    [
      ['field', '$887.20', 'verified'],
      ['value', '$887.20', 'verified'],
      ['value', '$1,774.40', 'derived'],
    ],
  );
  // Without any page value to compute from, a new number is just unverified.
  assert.equal(check('Guess?', 'About $1,774.40.', 'reasoning').status, 'unverified');
});

test('text with nothing checkable is unchecked, never verified', async () => {
  await load();
  assert.equal(check('Describe this page in detail.', 'blorp zaxx quim vell', 'detail').status, 'unchecked');
});

test('Q/A pairs are read from a teacher output in the usual shapes', async () => {
  await load();
  assert.deepEqual(
    parsePairs(
      'Here you go.\n1. Q: What is the total?\nA: $11,977.20\n\n**Question 2:** Who paid?\nAnswer: Acme\nand more\nQ: dangling',
    ),
    [
      { question: 'What is the total?', answer: '$11,977.20' },
      { question: 'Who paid?', answer: 'Acme\nand more' },
    ],
  );
  assert.deepEqual(parsePairs('no pairs here'), []);
});

test("the teacher's boxes: over the words they name, or the pair is unverified", async () => {
  await load();
  assert.ok(page);
  const word = page.words.find((w) => w.text.includes('INV-2025-0314'));
  assert.ok(word, 'the invoice number is on the sample page');
  const at = (dx: number, dy: number, label = 'INV-2025-0314'): LabelledBox => ({
    page: 1,
    label,
    x0: word.box.x0 + dx - 1,
    y0: word.box.y0 + dy - 1,
    x1: word.box.x1 + dx + 1,
    y1: word.box.y1 + dy + 1,
  });
  const box = (b: LabelledBox) =>
    checkPair('Which invoice is this?', 'Invoice INV-2025-0314.', page!, dates, 'conversation', [b]);
  const on = box(at(0, 0));
  assert.equal(on.status, 'verified');
  assert.deepEqual(
    on.claims.filter((c) => c.what === 'box').map((c) => c.status),
    ['verified'],
  );
  // The same box 200 pt lower lies over other words: the number is right, the box is not.
  const off = box(at(0, 200));
  assert.equal(off.status, 'unverified');
  assert.match(off.claims.find((c) => c.what === 'box')!.reason, /is not over "INV-2025-0314"/);
  // A point (zero-size box) inside the words holds; one beside the page's text does not.
  const mid = { x: (word.box.x0 + word.box.x1) / 2, y: (word.box.y0 + word.box.y1) / 2 };
  const point = (x: number, y: number): LabelledBox => ({
    page: 1,
    label: 'INV-2025-0314',
    x0: x,
    y0: y,
    x1: x,
    y1: y,
  });
  assert.equal(box(point(mid.x, mid.y)).status, 'verified');
  assert.equal(box(point(mid.x, mid.y + 300)).status, 'unverified');
  // A label the page does not state cannot be checked in place: unverified, saying why.
  const invented = box(at(0, 0, 'INV-9999-0000'));
  assert.equal(invented.status, 'unverified');
  assert.match(
    invented.claims.find((c) => c.what === 'box')!.reason,
    /label "INV-9999-0000" is not on the page/,
  );
  // An unlabelled box is held to the evidence of the answer's other claims.
  assert.equal(box(at(0, 0, '')).status, 'verified');
  assert.equal(box(at(0, 200, '')).status, 'unverified');
});

test('boxesOfPairs: a box goes to the one pair that names its label; the rest are stray', () => {
  const b = (label: string): LabelledBox => ({ page: 1, label, x0: 0, y0: 0, x1: 1, y1: 1 });
  const pairs = [
    { question: 'What is the total?', answer: 'The total is $10.00' },
    { question: 'Who is it from?', answer: 'Acme Ltd, whose total is listed' },
  ];
  const r = boxesOfPairs(pairs, [b('$10.00'), b('Acme Ltd'), b('total'), b('')]);
  assert.deepEqual(
    r.perPair.map((p) => p.map((x) => x.label)),
    [['$10.00'], ['Acme Ltd']],
  );
  assert.deepEqual(
    r.stray.map((x) => x.label),
    ['total', ''],
  );
  assert.deepEqual(boxesOfPairs([pairs[0]!], [b(''), b('x')]).perPair, [[b(''), b('x')]]);
});
