// Column seams between a right-aligned and a left-aligned column set a cell's padding apart (borderless tables
// exported by office suites): split where the edges recur with different words, never at a coincidence of edges.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignedChunks } from './stream.js';
import { groupRows } from './text-lines.js';
import type { Token } from './types.js';

const CHAR = 5;
const H = 10;

/** Words of one line laid out from x (left-aligned) with one space (2.5 pt) between them. */
function leftSet(words: string[], x: number, y: number): Token[] {
  const out: Token[] = [];
  for (const w of words) {
    out.push({ text: w, box: { x0: x, y0: y, x1: x + w.length * CHAR, y1: y + H } });
    x += w.length * CHAR + 2.5;
  }
  return out;
}

/** One word set flush right at x. */
function rightSet(word: string, x: number, y: number): Token {
  return { text: word, box: { x0: x - word.length * CHAR, y0: y, x1: x, y1: y + H } };
}

const texts = (rows: ReturnType<typeof alignedChunks>) =>
  rows.map((r) => r.map((c) => c.tokens.map((t) => t.text).join(' ')));

test('alignedChunks: figures flush right beside names flush left split at their seam', () => {
  const figures = ['7,567.85', '23,844.37', '291.69', '14,385.80', '5,857.96'];
  const names = [
    ['A.', 'Okafor'],
    ['J.', 'Moreau'],
    ['H.', 'Becker'],
    ['M.', 'Lindqvist'],
    ['S.', 'Tanaka'],
  ];
  const tokens = figures.flatMap((f, i) => [
    ...leftSet([`R-${i}`], 10, i * 16),
    rightSet(f, 150, i * 16),
    ...leftSet(names[i] as string[], 152.5, i * 16),
  ]);
  const got = texts(alignedChunks(groupRows(tokens)));
  assert.deepEqual(got[0], ['R-0', '7,567.85', 'A. Okafor']);
  assert.deepEqual(got[3], ['R-3', '14,385.80', 'M. Lindqvist']);
  assert.ok(got.every((r) => r.length === 3));
});

test('alignedChunks: initials of one width, a repeated phrase or a right-aligned date are not seams', () => {
  // Initials of equal width line their surnames up, but start together too (no right-aligned column before).
  const people = [
    ['K.', 'Novak'],
    ['T.', 'Nguyen'],
    ['E.', 'Rossi'],
    ['H.', 'Becker'],
  ];
  const a = people.map((p, i) => leftSet(p, 20, i * 16)).flat();
  assert.ok(texts(alignedChunks(groupRows(a))).every((r) => r.length === 1));
  // Right-aligned dates: the years end together, so the words after the month are no left-aligned column.
  const dates = ['11 Jul 2023', '22 Dec 2024', '8 Jun 2025', '19 Feb 2026'];
  const b = dates.flatMap((d, i) => {
    const words = d.split(' ');
    let x = 200;
    const out: Token[] = [];
    for (const w of [...words].reverse()) {
      out.unshift(rightSet(w, x, i * 16));
      x -= w.length * CHAR + 2.5;
    }
    return out;
  });
  assert.ok(texts(alignedChunks(groupRows(b))).every((r) => r.length === 1));
  // One phrase on every row.
  const c = [0, 1, 2, 3].flatMap((i) => leftSet(['Frente', 'para', 'la', 'Victoria'], 30, i * 16));
  assert.ok(texts(alignedChunks(groupRows(c))).every((r) => r.length === 1));
});

test('alignedChunks: a seam whose edges wander by a point or so (LibreOffice glyph placement) still splits', () => {
  // Figures flush right and names flush left as LibreOffice prints them: both edges off by up to 1.2 pt row to row,
  // the padding between them (3.5 pt) the same.
  const jitter = [0, -1, 0.2, 1.1, -0.6];
  const figures = ['7,567.85', '14,385.80', '5,857.96', '2,472.87', '391.20'];
  const names = [
    ['A.', 'Okafor'],
    ['J.', 'Moreau'],
    ['H.', 'Becker'],
    ['M.', 'Lindqvist'],
    ['S.', 'Tanaka'],
  ];
  const tokens = figures.flatMap((f, i) => [
    rightSet(f, 276 + (jitter[i] as number), i * 16),
    ...leftSet(names[i] as string[], 279.5 + (jitter[i] as number), i * 16),
  ]);
  const got = texts(alignedChunks(groupRows(tokens)));
  assert.deepEqual(got[3], ['2,472.87', 'M. Lindqvist']);
  assert.ok(got.every((r) => r.length === 2));
});
