// Column seams between a right-aligned and a left-aligned column set a cell's padding apart (borderless tables
// exported by office suites): split where the edges recur with different words, never at a coincidence of edges.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TextPage, Word } from '../../shared/domain.js';
import { detectTables } from './detect-tables.js';
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

test('a fixed-pitch page: its words are one pitch at every size, so headings and paragraphs stay one chunk a line', () => {
  // Liberation Mono: every character 0.6 em, word boxes 1.15 em high. A title (18 pt), a paragraph line (10 pt) and
  // a caption (12 pt): a third of the words at other sizes than the body's, still one pitch over their height.
  const words: Word[] = [];
  const line = (text: string, size: number, y: number) => {
    let x = 40;
    for (const w of text.split(' ')) {
      const width = w.length * 0.6 * size;
      words.push({
        text: w,
        box: { x0: x, y0: y, x1: x + width, y1: y + 1.15 * size },
        line: 0,
        confidence: 1,
      });
      x += width + 0.6 * size;
    }
  };
  line('Budget execution statement', 18, 40);
  line(
    'Readers should note that the categories were revised at the start of the year, so comparisons with earlier ' +
      'editions are indicative only.',
    10,
    70,
  );
  line('Table 24. Register of deliveries by reference', 12, 92);
  const page: TextPage = { page: 1, width: 792, height: 612, source: 'text-layer', words, lines: [] };
  assert.deepEqual(detectTables(page, []), []);
});
