// The OCR engine's pure parts on small hand-made tensors: CTC decoding and word spans, DB post-processing and
// its geometry, the Latin look-alike and spacing repairs, detection tiling, reading order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ctcGreedyDecode,
  foldWidth,
  parseDictionary,
  SPACE_PEAK,
  SPACE_PEAK_IN_NUMBER,
  wordSpans,
  type DecodedLine,
} from './ctc-decode.js';
import {
  boxScore,
  convexHull,
  DB_DEFAULTS,
  dbPostprocess,
  minAreaRect,
  orderCorners,
  rectCorners,
  unclipRect,
} from './db-postprocess.js';
import { fixLatinToken, fixLineSpacing } from './latin-fixes.js';
import { pageSkew, tilePlan } from './ocr-engine.js';
import { normalizeContrast } from './raster.js';
import { readingOrder } from './reading-order.js';
import type { Point } from './types.js';

// ---- CTC ----------------------------------------------------------------------------------------------

/** dictionary "a b c 1 2 ，" + the appended space: classes 0 blank, 1 a, 2 b, 3 c, 4 "1", 5 "2", 6 "，", 7 " ". */
const DICT = parseDictionary('a\nb\nc\n1\n2\n，\n');
const C = DICT.length + 1;

/** A [1, T, C] probability tensor: each step puts `p` on its class and spreads the rest evenly. */
function probs(steps: { cls: number; p?: number; space?: number }[]): Float32Array {
  const out = new Float32Array(steps.length * C);
  steps.forEach((s, t) => {
    const p = s.p ?? 0.9;
    const space = s.space ?? 0;
    const rest = (1 - p - space) / (C - 1 - (space > 0 ? 1 : 0));
    for (let c = 0; c < C; c++) out[t * C + c] = rest;
    out[t * C + s.cls] = p;
    if (space > 0 && s.cls !== 7) out[t * C + 7] = space;
  });
  return out;
}

test('parseDictionary: class i is line i − 1, a space is appended, CRLF and the final newline are tolerated', () => {
  assert.deepEqual(parseDictionary('x\r\ny\r\n'), ['x', 'y', ' ']);
  assert.deepEqual(DICT, ['a', 'b', 'c', '1', '2', '，', ' ']);
});

test('greedy CTC merges repeats, drops blanks, keeps a letter repeated across a blank, and records timesteps', () => {
  // a a _ b _ b c c
  const p = probs([
    { cls: 1 },
    { cls: 1, p: 0.95 },
    { cls: 0 },
    { cls: 2 },
    { cls: 0 },
    { cls: 2 },
    { cls: 3 },
    { cls: 3 },
  ]);
  const line = ctcGreedyDecode(p, 0, 8, C, DICT);
  assert.equal(line.text, 'abbc');
  assert.deepEqual(
    line.chars.map((c) => [c.char, c.t0, c.t1]),
    [
      ['a', 0, 1],
      ['b', 3, 3],
      ['b', 5, 5],
      ['c', 6, 7],
    ],
  );
  // A repeated class keeps its best probability; the line's confidence is the mean over characters.
  assert.ok(Math.abs(line.chars[0]!.prob - 0.95) < 1e-6);
  assert.ok(Math.abs(line.confidence - (0.95 + 0.9 + 0.9 + 0.9) / 4) < 1e-6);
});

test('greedy CTC reads batch item k of [N, T, C], folds full-width punctuation, and is empty on all blanks', () => {
  const a = probs([{ cls: 1 }, { cls: 6 }]);
  const b = probs([{ cls: 0 }, { cls: 0 }]);
  const both = new Float32Array(a.length * 2);
  both.set(b, 0);
  both.set(a, a.length);
  assert.equal(ctcGreedyDecode(both, 1, 2, C, DICT).text, 'a,');
  const empty = ctcGreedyDecode(both, 0, 2, C, DICT);
  assert.equal(empty.text, '');
  assert.equal(empty.confidence, 0);
  assert.equal(foldWidth('，'), ',');
  assert.equal(foldWidth('\u3000'), ' ');
  assert.equal(foldWidth('中'), '中');
});

test('a space the argmax missed is recovered from the space class peak, but not between digits or before a comma', () => {
  const peak = SPACE_PEAK * 3;
  // a _(space peak) b → "a b", the space placed at the peak's timestep.
  const words = ctcGreedyDecode(
    probs([{ cls: 1 }, { cls: 0, p: 0.8, space: peak }, { cls: 2 }]),
    0,
    3,
    C,
    DICT,
  );
  assert.equal(words.text, 'a b');
  assert.deepEqual(
    words.chars.map((c) => [c.char, c.t0]),
    [
      ['a', 0],
      [' ', 1],
      ['b', 2],
    ],
  );
  // The inferred space does not count towards the line's confidence.
  assert.ok(Math.abs(words.confidence - 0.9) < 1e-6);
  // Below the threshold: no space.
  const low = probs([{ cls: 1 }, { cls: 0, p: 0.8, space: SPACE_PEAK / 4 }, { cls: 2 }]);
  assert.equal(ctcGreedyDecode(low, 0, 3, C, DICT).text, 'ab');
  // Inside a number the bar is SPACE_PEAK_IN_NUMBER; before a comma there is none.
  const digits = (space: number) =>
    ctcGreedyDecode(probs([{ cls: 4 }, { cls: 0, p: 0.8, space }, { cls: 5 }]), 0, 3, C, DICT).text;
  assert.equal(digits((SPACE_PEAK + SPACE_PEAK_IN_NUMBER) / 2), '12');
  assert.equal(digits(SPACE_PEAK_IN_NUMBER * 1.5), '1 2');
  assert.equal(
    ctcGreedyDecode(probs([{ cls: 1 }, { cls: 0, p: 0.8, space: peak }, { cls: 6 }]), 0, 3, C, DICT).text,
    'a,',
  );
  // A space the argmax did read is kept as is, never doubled.
  assert.equal(ctcGreedyDecode(probs([{ cls: 1 }, { cls: 7 }, { cls: 2 }]), 0, 3, C, DICT).text, 'a b');
});

function line(spec: [string, number, number][]): DecodedLine {
  const chars = spec.map(([char, t0, t1]) => ({ char, t0, t1, prob: 0.9 }));
  return { text: chars.map((c) => c.char).join(''), chars, confidence: 0.9 };
}

test('wordSpans splits at spaces and places words on the timestep axis half a pitch beyond their outer characters', () => {
  // "ab cd" over 20 steps: a@[2,2] b@[4,4] space c@[10,10] d@[12,12]; centres 2.5, 4.5, 10.5, 12.5; pitch 2.
  const spans = wordSpans(
    line([
      ['a', 2, 2],
      ['b', 4, 4],
      [' ', 7, 7],
      ['c', 10, 10],
      ['d', 12, 12],
    ]),
    20,
  );
  assert.deepEqual(
    spans.map((s) => [s.text, s.start, s.end]),
    [
      ['ab', 1.5, 5.5],
      ['cd', 9.5, 13.5],
    ],
  );
  assert.ok(Math.abs(spans[0]!.confidence - 0.9) < 1e-6);
  // Words never reach outside [0, steps], and neighbours keep a gap of a third of the space between their
  // letters, so a narrow printed space still separates their boxes.
  const tight = wordSpans(
    line([
      ['a', 0, 0],
      ['b', 6, 6],
      [' ', 7, 7],
      ['c', 8, 8],
      ['d', 9, 9],
    ]),
    10,
  );
  assert.equal(tight[0]!.start, 0);
  assert.equal(tight[0]!.end, 6.5 + (8.5 - 6.5) / 3);
  assert.equal(tight[1]!.start, 6.5 + (2 * (8.5 - 6.5)) / 3);
  assert.ok(tight[1]!.start - tight[0]!.end > 0.5, 'a gap between the two words');
  assert.equal(tight[1]!.end, 10);
  assert.deepEqual(wordSpans(line([[' ', 0, 0]]), 4), []);
});

// ---- DB post-processing --------------------------------------------------------------------------------

/** A W×H map with the given axis-aligned rectangles [x0, y0, x1, y1) filled with `p`. */
function map(w: number, h: number, rects: [number, number, number, number, number][]): Float32Array {
  const m = new Float32Array(w * h);
  for (const [x0, y0, x1, y1, p] of rects)
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * w + x] = p;
  return m;
}

test('dbPostprocess turns a text kernel into one box grown by unclip (area × 1.5 / perimeter on each side)', () => {
  // A 40×6 kernel at x 10..49, y 10..15 → pixel-index hull 39 × 5; distance = 39·5·1.5 / (2·(39+5)) = 3.324.
  const boxes = dbPostprocess(map(64, 32, [[10, 10, 50, 16, 0.9]]), 64, 32);
  assert.equal(boxes.length, 1);
  const [tl, tr, br, bl] = boxes[0]!.quad;
  const d = (39 * 5 * 1.5) / (2 * (39 + 5));
  const near = (a: number, b: number) => Math.abs(a - b) < 1e-6;
  assert.ok(near(tl[0], 10 - d) && near(tl[1], 10 - d), `tl ${tl.join()}`);
  assert.ok(near(tr[0], 49 + d) && near(tr[1], 10 - d), `tr ${tr.join()}`);
  assert.ok(near(br[0], 49 + d) && near(br[1], 15 + d), `br ${br.join()}`);
  assert.ok(near(bl[0], 10 - d) && near(bl[1], 15 + d), `bl ${bl.join()}`);
  assert.ok(near(boxes[0]!.score, 0.9));
});

test('dbPostprocess keeps separate components apart and drops faint, tiny and below-threshold ones', () => {
  const m = map(80, 40, [
    [5, 5, 35, 11, 0.9], // kept
    [45, 5, 75, 11, 0.95], // kept
    [5, 20, 35, 26, 0.5], // above thresh 0.3 but box score 0.5 < boxThresh 0.6: dropped
    [50, 20, 52, 22, 0.99], // 2×2: shorter side under min_size 3: dropped
    [5, 32, 35, 38, 0.2], // below the pixel threshold: never a component
  ]);
  const boxes = dbPostprocess(m, 80, 40);
  assert.equal(boxes.length, 2);
  const xs = boxes.map((b) => Math.round((b.quad[0][0] + b.quad[1][0]) / 2)).sort((a, b) => a - b);
  assert.deepEqual(xs, [20, 60]);
  // maxCandidates bounds the work.
  assert.equal(dbPostprocess(m, 80, 40, { ...DB_DEFAULTS, maxCandidates: 1 }).length, 1);
  // An empty map gives nothing.
  assert.deepEqual(dbPostprocess(new Float32Array(80 * 40), 80, 40), []);
});

test('dbPostprocess finds a tilted line as a rotated rectangle', () => {
  const w = 100;
  const h = 60;
  const m = new Float32Array(w * h);
  // A band 6 px thick along y = 20 + 0.3 (x − 10), x 10..90.
  for (let x = 10; x < 90; x++) {
    const yc = 20 + 0.3 * (x - 10);
    for (let y = Math.round(yc - 3); y < Math.round(yc + 3); y++) m[y * w + x] = 0.9;
  }
  const boxes = dbPostprocess(m, w, h);
  assert.equal(boxes.length, 1);
  const [tl, tr, , bl] = boxes[0]!.quad;
  const slope = (tr[1] - tl[1]) / (tr[0] - tl[0]);
  assert.ok(Math.abs(slope - 0.3) < 0.03, `slope ${slope}`);
  assert.ok(tl[0] < tr[0] && tl[1] < bl[1], 'corners ordered tl, tr, br, bl');
});

test('convexHull, minAreaRect, rectCorners, unclipRect, boxScore and orderCorners on exact shapes', () => {
  const square: Point[] = [
    [0, 0],
    [4, 0],
    [4, 4],
    [0, 4],
    [2, 2],
    [1, 3],
  ];
  const hull = convexHull(square);
  assert.equal(hull.length, 4);
  assert.deepEqual(
    [...hull].sort((a, b) => a[0] - b[0] || a[1] - b[1]),
    [
      [0, 0],
      [0, 4],
      [4, 0],
      [4, 4],
    ],
  );
  // A diamond's minimum-area rectangle is the diamond itself (area 8), not its bounding box (area 16).
  const r = minAreaRect(
    convexHull([
      [2, 0],
      [4, 2],
      [2, 4],
      [0, 2],
    ]),
  );
  assert.ok(Math.abs(r.halfW * 2 * r.halfH * 2 - 8) < 1e-9);
  assert.ok(Math.abs(r.cx - 2) < 1e-9 && Math.abs(r.cy - 2) < 1e-9);
  const grown = unclipRect({ cx: 0, cy: 0, ux: 1, uy: 0, halfW: 5, halfH: 1 }, 1.5);
  // 10×2, distance = 20·1.5/24 = 1.25.
  assert.equal(grown.halfW, 6.25);
  assert.equal(grown.halfH, 2.25);
  assert.deepEqual(rectCorners({ cx: 5, cy: 5, ux: 1, uy: 0, halfW: 2, halfH: 1 }), [
    [3, 4],
    [7, 4],
    [7, 6],
    [3, 6],
  ]);
  const m = map(10, 10, [[0, 0, 5, 10, 1]]);
  // Pixel centres 0..9 × 0..9 inside the whole map: half are 1.
  assert.equal(
    boxScore(m, 10, 10, [
      [0, 0],
      [9, 0],
      [9, 9],
      [0, 9],
    ]),
    0.5,
  );
  assert.deepEqual(
    orderCorners([
      [7, 6],
      [3, 4],
      [3, 6],
      [7, 4],
    ]),
    [
      [3, 4],
      [7, 4],
      [7, 6],
      [3, 6],
    ],
  );
});

// ---- Latin repairs, tiling, reading order --------------------------------------------------------------

test('fixLatinToken repairs look-alikes by the token’s class and leaves real words and codes alone', () => {
  assert.equal(fixLatinToken('c0ntract'), 'contract');
  assert.equal(fixLatinToken('0ctober'), 'October');
  assert.equal(fixLatinToken('T0TAL'), 'TOTAL');
  assert.equal(fixLatinToken('2o05,'), '2005,');
  assert.equal(fixLatinToken('l999'), '1999');
  assert.equal(fixLatinToken('S7,433.90'), '$7,433.90');
  assert.equal(fixLatinToken('(ls'), '(Is');
  assert.equal(fixLatinToken('t0'), 'to');
  assert.equal(fixLatinToken('0r'), 'Or');
  assert.equal(fixLatinToken('1imited,'), 'limited,');
  assert.equal(fixLatinToken('de1ivery'), 'delivery');
  assert.equal(fixLatinToken('1NVOICE'), 'INVOICE');
  assert.equal(fixLatinToken('Ja1an'), 'Jalan');
  assert.equal(fixLatinToken('Peta1ing,'), 'Petaling,');
  assert.equal(fixLatinToken('1o:'), '10:');
  assert.equal(fixLatinToken('january'), 'January');
  // Words run together at a comma are repaired one by one (r001 "BAHRU,J0HOR").
  assert.equal(fixLatinToken('BAHRU,J0HOR.'), 'BAHRU,JOHOR.');
  // An ordinal's D read as O: the number says it ends in "rd" / "nd" (r031 "3RO FLR").
  assert.equal(fixLatinToken('3RO'), '3RD');
  assert.equal(fixLatinToken('22n0'), '22nd');
  // A leading S is a $ only before an amount with cents; before a unit number it is the unit's letter (r038).
  assert.equal(fixLatinToken('S1.50'), '$1.50');
  assert.equal(fixLatinToken('S117,'), 'S117,');
  // A capital and a zero closed by a stop or colon is "CO." / "NO:"; "0R" is OR; "lnc." is Inc.
  assert.equal(fixLatinToken('C0.'), 'CO.');
  assert.equal(fixLatinToken('N0:'), 'NO:');
  assert.equal(fixLatinToken('0R'), 'OR');
  assert.equal(fixLatinToken('lnc.'), 'Inc.');
  assert.equal(fixLatinToken('(lnclusive'), '(Inclusive');
  for (const keep of [
    'October',
    'INV-2025-0314',
    'A4',
    'B2B',
    'Sol',
    '10.5',
    'Is',
    'lot',
    '"',
    'S1',
    'A0',
    'may',
    'march',
    '1st',
    'Unit1',
    '13RO',
    '4RO',
    'S12',
    '7,433.90',
    'x,2ab1',
    'A0.',
    'lbs',
    'ltd',
    'lly',
    'lot.',
  ])
    assert.equal(fixLatinToken(keep), keep);
});

test('fixLineSpacing puts back the space of "25,2014" and takes out the one of "$8, 182.01"', () => {
  const mk = (s: string): DecodedLine =>
    line([...s].map((ch, i) => [ch, i * 2, i * 2] as [string, number, number]));
  const a = fixLineSpacing(mk('March 25,2014 due'));
  assert.equal(a.text, 'March 25, 2014 due');
  // The inserted space sits at the comma's timestep, so the words split there.
  const comma = a.chars.findIndex((c) => c.char === ',');
  assert.deepEqual([a.chars[comma + 1]!.char, a.chars[comma + 1]!.t0], [' ', a.chars[comma]!.t1]);
  assert.equal(fixLineSpacing(mk('$8, 182.01 paid')).text, '$8,182.01 paid');
  assert.equal(fixLineSpacing(mk('total $2,731. 00 due')).text, 'total $2,731.00 due');
  assert.equal(fixLineSpacing(mk('which;Amount was')).text, 'which; Amount was');
  assert.equal(fixLineSpacing(mk('December 19,2o05 meeting')).text, 'December 19, 2o05 meeting');
  assert.equal(fixLineSpacing(mk('the meeting.3297 schedule')).text, 'the meeting. 3297 schedule');
  assert.equal(fixLineSpacing(mk('page 2012invoice total')).text, 'page 2012 invoice total');
  assert.equal(fixLineSpacing(mk('page 2O12invoice total')).text, 'page 2O12 invoice total');
  assert.equal(fixLineSpacing(mk('August 4,2012invoice terms')).text, 'August 4, 2012 invoice terms');
  assert.equal(fixLineSpacing(mk('on 02/02/2004on 10/14/2024')).text, 'on 02/02/2004 on 10/14/2024');
  assert.equal(fixLineSpacing(mk('Date :24/06/20184:37:37 PM')).text, 'Date :24/06/2018 4:37:37 PM');
  // A comma before a word with a look-alike digit in it ("BAHRU,J0HOR") gets its space like one before "JOHOR".
  assert.equal(fixLineSpacing(mk('81100 BAHRU,J0HOR.')).text, '81100 BAHRU, J0HOR.');
  // Thousands separators and ordinary lists stay as read.
  for (const keep of [
    '$11,090.00',
    '1,234,567',
    'items 8, 182 and 9',
    'in 2024, 2025',
    'harborlane.design',
    'U.S.A',
    'e.g. Foo',
    'take 1000mg daily',
    'the 1990s and 2020s',
    'fig.123',
    'v2.1.3097',
    'id 12345abc',
    'at 1920px wide',
    'x,2ab1',
    'ref 12/06/20184',
  ]) {
    const l = mk(keep);
    assert.equal(fixLineSpacing(l), l);
  }
});

test('tilePlan covers the side with as few overlapping tiles as fit, each a multiple of 32', () => {
  assert.deepEqual(tilePlan(700, 1024), { starts: [0], tile: 704 });
  const p = tilePlan(2048, 1024);
  assert.equal(p.starts.length, 3);
  assert.equal(p.tile % 32, 0);
  assert.ok(p.tile <= 1024);
  assert.equal(p.starts[0], 0);
  assert.equal(p.starts[p.starts.length - 1]! + p.tile, 2048);
  for (let i = 1; i < p.starts.length; i++) assert.ok(p.starts[i - 1]! + p.tile - p.starts[i]! >= 128);
  // Just over one tile: two tiles, each shrunk to what it needs rather than two full 1024s.
  const q = tilePlan(1100, 1024);
  assert.equal(q.starts.length, 2);
  assert.ok(q.tile < 1024 && q.tile >= (1100 + 128) / 2);
});

test('readingOrder reads a two-column page column by column and rows left to right', () => {
  const box = (x0: number, y0: number, x1: number, y1: number) => ({ x0, y0, x1, y1 });
  // Title across the top, then two columns of three lines; given shuffled.
  const boxes = [
    box(320, 60, 580, 72), // 0: right col line 1
    box(20, 20, 580, 34), // 1: title
    box(20, 90, 280, 102), // 2: left col line 3
    box(20, 60, 280, 72), // 3: left col line 1
    box(320, 90, 580, 102), // 4: right col line 3
    box(20, 75, 280, 87), // 5: left col line 2
    box(320, 75, 580, 87), // 6: right col line 2
  ];
  assert.deepEqual(readingOrder(boxes), [1, 3, 5, 2, 0, 6, 4]);
  // One row of cells: left to right.
  assert.deepEqual(readingOrder([box(200, 0, 250, 10), box(0, 1, 50, 11), box(100, 0, 150, 10)]), [1, 2, 0]);
  assert.deepEqual(readingOrder([]), []);
});

test('fixLineSpacing splits labels from values: a faint mark in a word gap, a colon before a value, a wide gap', () => {
  // Characters every 3 timesteps; `faint` marks are read at low confidence, `gapAt` opens a gap before index i.
  const mk = (s: string, opts: { faint?: number[]; gapAt?: number; gap?: number } = {}): DecodedLine => {
    let t = 0;
    const chars = [...s].map((char, i) => {
      if (i === opts.gapAt) t += opts.gap ?? 0;
      const c = { char, t0: t, t1: t, prob: opts.faint?.includes(i) ? 0.35 : 0.95 };
      t += 3;
      return c;
    });
    return { text: s, chars, confidence: 0.9 };
  };
  // "Due.date" as the scanned invoice reads "Due date": the "." at 0.35 where printed marks read at 0.55–0.99.
  assert.equal(fixLineSpacing(mk('Due.date', { faint: [3] })).text, 'Due date');
  assert.equal(fixLineSpacing(mk('Due.date')).text, 'Due.date', 'a confident mark stays');
  assert.equal(fixLineSpacing(mk('No.53', { faint: [2] })).text, 'No.53', 'not before a digit');
  // A colon after a label word, glued to the value, ends the label.
  assert.equal(fixLineSpacing(mk('Total:RM8.20')).text, 'Total: RM8.20');
  assert.equal(fixLineSpacing(mk('Tel:03-7722 1234')).text, 'Tel: 03-7722 1234');
  for (const keep of ['12:30:05', 'https://x.org', 'Total: 8.20', 'A:B']) {
    const l = mk(keep);
    assert.equal(fixLineSpacing(l), l, keep);
  }
  // A comma a word follows, or one ending a word before a number.
  assert.equal(fixLineSpacing(mk('Cambridge,MA 02139')).text, 'Cambridge, MA 02139');
  assert.equal(fixLineSpacing(mk('27,JALAN DEDAP')).text, '27, JALAN DEDAP');
  assert.equal(fixLineSpacing(mk('JAYA,81100 JOHOR')).text, 'JAYA, 81100 JOHOR');
  for (const keep of ['$11,977.20', '1,234', 'x,2ab1', 'a,b']) {
    const l = mk(keep);
    assert.equal(fixLineSpacing(l), l, keep);
  }
  // A gap of a character or more where the recogniser put no space: "TOTAL" ... "60.30".
  assert.equal(fixLineSpacing(mk('TOTAL60.30', { gapAt: 5, gap: 6 })).text, 'TOTAL 60.30');
  assert.equal(
    fixLineSpacing(mk('TOTAL60.30', { gapAt: 5, gap: 2 })).text,
    'TOTAL60.30',
    'a narrow gap is not',
  );
  assert.equal(fixLineSpacing(mk('2018 60', { gapAt: 6, gap: 9 })).text, '2018 60');
  assert.equal(fixLineSpacing(mk('1260', { gapAt: 2, gap: 9 })).text, '1260', 'never inside a number');
  assert.equal(fixLineSpacing(mk('Bhd.', { gapAt: 3, gap: 9 })).text, 'Bhd.', 'never before a closing mark');
});

test('readingOrder reads labels and their values row by row; an address block beside them is its own column', () => {
  const box = (x0: number, y0: number, x1: number, y1: number) => ({ x0, y0, x1, y1 });
  // A form: three short labels at the left, their values far to the right on the same baselines.
  const form = [
    box(300, 40, 380, 52), // 0: value 1
    box(20, 40, 110, 52), // 1: label 1
    box(20, 60, 100, 72), // 2: label 2
    box(300, 60, 390, 72), // 3: value 2
    box(20, 80, 90, 92), // 4: label 3
    box(300, 80, 370, 92), // 5: value 3
  ];
  assert.deepEqual(readingOrder(form), [1, 0, 2, 3, 4, 5]);
  // An address block beside the form's labels and values, at its own leading: read as its own column.
  const withBlock = [
    ...form.map((b) => ({ ...b, x0: b.x0 + 300, x1: b.x1 + 300 })),
    box(20, 40, 200, 52), // 6
    box(20, 57, 180, 69), // 7
    box(20, 74, 190, 86), // 8
    box(20, 91, 170, 103), // 9
  ];
  assert.deepEqual(readingOrder(withBlock), [6, 7, 8, 9, 1, 0, 2, 3, 4, 5]);
});

test('pageSkew is the median tilt of the long line quads', () => {
  const tilted = (x: number, y: number, len: number, deg: number): [Point, Point, Point, Point] => {
    const a = (deg * Math.PI) / 180;
    const [dx, dy] = [Math.cos(a) * len, Math.sin(a) * len];
    const [hx, hy] = [-Math.sin(a) * 12, Math.cos(a) * 12];
    return [
      [x, y],
      [x + dx, y + dy],
      [x + dx + hx, y + dy + hy],
      [x + hx, y + hy],
    ];
  };
  const quads = [
    tilted(10, 10, 200, 2),
    tilted(10, 40, 300, 2.2),
    tilted(10, 70, 150, 1.8),
    tilted(5, 5, 20, 30),
  ];
  assert.ok(Math.abs((pageSkew(quads) * 180) / Math.PI - 2) < 1e-6);
  assert.equal(pageSkew(quads.slice(0, 2)), 0, 'too few lines to tell');
});

test('normalizeContrast stretches a faint print to black on white and leaves a clean page alone', () => {
  const w = 100;
  const h = 50;
  const faint = new Uint8Array(w * h * 3).fill(235);
  // 10 % of the pixels are light grey "ink" at 150.
  for (let p = 0; p < w * h; p += 10) faint.fill(150, p * 3, p * 3 + 3);
  const out = normalizeContrast({ data: faint, width: w, height: h });
  assert.notEqual(out.data, faint);
  assert.equal(out.data[0], 0, 'ink → black');
  assert.equal(out.data[3], 255, 'paper → white');
  const clean = new Uint8Array(w * h * 3).fill(255);
  for (let p = 0; p < w * h; p += 10) clean.fill(10, p * 3, p * 3 + 3);
  const img = { data: clean, width: w, height: h };
  assert.equal(normalizeContrast(img), img);
  const blank = { data: new Uint8Array(w * h * 3).fill(200), width: w, height: h };
  assert.equal(normalizeContrast(blank), blank, 'nothing to stretch on an empty page');
});

test('greedy CTC adds a mark’s full-width twin to its probability: "," + "，" beats a slightly likelier "."', () => {
  // Classes: 0 blank, 1 "1", 2 "2", 3 ".", 4 ",", 5 "，", 6 " ".
  const dict = parseDictionary('1\n2\n.\n,\n，\n');
  const c = dict.length + 1;
  const step = (ps: Record<number, number>) => {
    const row = new Float32Array(c);
    for (const [k, v] of Object.entries(ps)) row[Number(k)] = v;
    return row;
  };
  const decode = (mark: Record<number, number>) => {
    const rows = [step({ 1: 0.9 }), step({ 0: 0.9 }), step({ 2: 0.9 }), step(mark), step({ 0: 0.9 })];
    const p = new Float32Array(rows.length * c);
    rows.forEach((r, t) => p.set(r, t * c));
    return ctcGreedyDecode(p, 0, rows.length, c, dict);
  };
  // The receipt's "12, Jalan": "." 0.45, "," 0.43, "，" 0.03.
  const twin = decode({ 3: 0.45, 4: 0.43, 5: 0.03, 0: 0.09 });
  assert.equal(twin.text, '12,');
  assert.ok(Math.abs(twin.chars[2]!.prob - 0.46) < 1e-6);
  // Without the twin's share the "." stands; the twin alone is folded to ASCII.
  assert.equal(decode({ 3: 0.45, 4: 0.43, 0: 0.12 }).text, '12.');
  assert.equal(decode({ 5: 0.6, 0: 0.4 }).text, '12,');
  // Only separators pool with their twin: "l" 0.4 stands against "!" 0.3 + "！" 0.15 ("Incl", not "Inc!").
  const bang = parseDictionary('l\n!\n！\n');
  const row = new Float32Array(bang.length + 1);
  row[1] = 0.4;
  row[2] = 0.3;
  row[3] = 0.15;
  row[0] = 0.15;
  assert.equal(ctcGreedyDecode(row, 0, 1, bang.length + 1, bang).text, 'l');
});
