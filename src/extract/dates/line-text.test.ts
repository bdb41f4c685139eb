// Line strings and span boxes: words joined by one space, a column break across wide gaps, nothing between
// touching pieces; a span's box is its words' union, cut by characters inside a word.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Word } from '../../shared/domain.js';
import { COLUMN_BREAK, joinWords, spanBox } from './line-text.js';

/** A word of `text` starting at x, 6 pt per character, on line 0. */
function word(text: string, x: number, line = 0): Word {
  return { text, box: { x0: x, y0: 10, x1: x + 6 * text.length, y1: 20 }, line, confidence: 1 };
}

test('words join with a space, a column break across a wide gap, nothing when they touch', () => {
  const run = joinWords([
    word('Row', 0),
    word('3', 24),
    word('Jan', 100),
    word('14/03/', 124),
    word('2025', 160),
  ]);
  assert.equal(run.text, `Row 3${COLUMN_BREAK}Jan 14/03/2025`);
  assert.deepEqual(run.spans, [
    { start: 0, end: 3 },
    { start: 4, end: 5 },
    { start: 8, end: 11 },
    { start: 12, end: 18 },
    { start: 18, end: 22 },
  ]);
  // Words of different lines (a wrapped date) join with a space whatever their x.
  assert.equal(joinWords([word('March', 300), word('2025', 0, 1)]).text, 'March 2025');
});

test('spanBox is the union of the covered words, cut by characters inside a word', () => {
  const run = joinWords([word('on', 0), word('(2025-03-14),', 18), word('ok', 102)]);
  // "2025-03-14" is characters 1..11 of the second word, which starts at x = 18.
  assert.deepEqual(spanBox(run, 4, 14), { x0: 24, y0: 10, x1: 84, y1: 20 });
  // Across two words: from "on" to the whole second word.
  assert.deepEqual(spanBox(run, 0, 16), { x0: 0, y0: 10, x1: 96, y1: 20 });
  // The joining space alone touches no word.
  assert.equal(spanBox(run, 2, 3), null);
});
