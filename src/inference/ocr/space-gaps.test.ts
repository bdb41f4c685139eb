// The space after a "," or "." judged from the crop's ink (issue #10: "7/4,Kawasan" read "7/4, Kawasan", "NO. 31G"
// read "NO.31G"). Pure tests on hand-made ink, and the real engine on generated receipt lines.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mulberry32 } from '../../shared/prng.js';
import type { DecodedChar, DecodedLine } from './ctc-decode.js';
import { createOcrEngine, type OcrEngine } from './index.js';
import type { InkColumns } from './ink-gaps.js';
import { bodyInkColumns, judgeMarkSpaces } from './space-gaps.js';
import { renderTextLines, thermalPrint } from './synthetic-text.js';

/**
 * A 48 px high crop at 1 px per timestep of `printed` (no spaces): each character is ink (a letter or digit 8 px
 * wide in rows 10–38, baseline 38; a "," or "." 2 px wide in rows 36–41, under the middle band rows 12–35 that
 * inkColumns looks at) followed by `gap` px of paper, or `gaps[i]`
 * px after character i (a printed word gap). `spaces` puts a decoded space after character i: one the recogniser
 * read, one it inferred, or one fixLineSpacing added. Returns the decoded line, the recogniser's own reading (its
 * spaces only) and the crop.
 */
function crop(
  printed: string,
  gap: number,
  gaps: Record<number, number>,
  spaces: Record<number, 'read' | 'inferred' | 'added'>,
): { line: DecodedLine; read: DecodedLine; cols: InkColumns } {
  const cells: { ch: string; x0: number; x1: number }[] = [];
  let x = 2;
  [...printed].forEach((ch, i) => {
    const w = ch === ',' || ch === '.' ? 2 : 8;
    cells.push({ ch, x0: x, x1: x + w });
    x += w + (gaps[i] ?? gap);
  });
  const width = x + 2;
  const height = 48;
  const mask = new Uint8Array(width * height);
  for (const c of cells) {
    const [y0, y1] = c.ch === ',' || c.ch === '.' ? [36, 41] : [10, 38];
    for (let y = y0; y <= y1; y++) for (let k = c.x0; k < c.x1; k++) mask[y * width + k] = 1;
  }
  const ink = new Uint8Array(width);
  for (let k = 0; k < width; k++) for (let y = 12; y < 36; y++) if (mask[y * width + k]) ink[k] = 1;
  const chars: DecodedChar[] = [];
  const readChars: DecodedChar[] = [];
  cells.forEach((c, i) => {
    const ch = c.ch;
    const t = Math.round((c.x0 + c.x1) / 2) - 1;
    const char: DecodedChar = { char: ch, t0: t, t1: t, prob: 0.95 };
    chars.push(char);
    readChars.push(char);
    const kind = spaces[i];
    if (!kind) return;
    // A space read by the recogniser sits on its own timestep in the gap; one added by fixLineSpacing on the
    // mark's own timestep; an inferred one carries the flag.
    const at = kind === 'added' ? t : t + 3;
    const space: DecodedChar = {
      char: ' ',
      t0: at,
      t1: at,
      prob: 0.3,
      ...(kind === 'inferred' ? { inferred: true } : {}),
    };
    chars.push(space);
    if (kind !== 'added') readChars.push(space);
  });
  const text = (cs: DecodedChar[]) => cs.map((c) => c.char).join('');
  return {
    line: { text: text(chars), chars, confidence: 0.95 },
    read: { text: text(readChars), chars: readChars, confidence: 0.95 },
    cols: { ink, width, height, mask },
  };
}

const judge = (c: ReturnType<typeof crop>) => judgeMarkSpaces(c.line, c.read, c.cols, 1).text;

test('bodyInkColumns sees a mark below the middle band', () => {
  const c = crop('AB.C', 3, {}, {});
  // The "." is not in the middle band inkColumns looks at, but is in the body's.
  const dot = 2 + 8 + 3 + 8 + 3;
  assert.equal(c.cols.ink[dot], 0);
  assert.equal(bodyInkColumns(c.cols)![dot], 1);
});

test('a space after a comma where the print has none is taken out; a printed word gap after it stays', () => {
  // "TAMPOI,81200 JOHOR BAHRU,JOHOR": letters 3 px apart, word gaps 14 px, the commas glued to the next word.
  const printed = 'TAMPOI,81200JOHORBAHRU,JOHOR';
  const words = { 11: 14, 16: 14 };
  // fixLineSpacing's "a comma gets a space" after TAMPOI, a weak inferred space after BAHRU: both out.
  const a = crop(printed, 3, words, { 6: 'added', 11: 'read', 16: 'read', 22: 'inferred' });
  assert.equal(judge(a), 'TAMPOI,81200 JOHOR BAHRU,JOHOR');
  // Printed "12, JALAN": the gap after the comma is a word gap, the added or inferred space stays …
  const b = crop('12,JALANTAMPOI', 3, { 2: 14, 7: 14 }, { 2: 'added', 7: 'read' });
  assert.equal(judge(b), '12, JALAN TAMPOI');
  assert.equal(
    judge(crop('12,JALANTAMPOI', 3, { 2: 14, 7: 14 }, { 2: 'inferred', 7: 'read' })),
    '12, JALAN TAMPOI',
  );
  // … and a space the recogniser read itself is never taken out, gap or not.
  const c = crop(printed, 3, words, { 6: 'read', 11: 'read', 16: 'read' });
  assert.equal(judge(c), 'TAMPOI, 81200 JOHOR BAHRU,JOHOR');
});

test('a word gap after a "." or "," the recogniser read no space in gets one', () => {
  // "NO. 31G&33G, JALAN": read "NO.31G&33G,JALAN" with the word gaps there in the print.
  const a = crop('NO.31G&33G,JALANSETIA', 3, { 2: 14, 10: 14, 15: 14 }, { 15: 'read' });
  assert.equal(judge(a), 'NO. 31G&33G, JALAN SETIA');
  // "LOT P. T. 2811": every stop followed by a word gap.
  const b = crop('LOTP.T.2811JALAN', 3, { 2: 14, 4: 14, 6: 14, 10: 14 }, { 2: 'read', 10: 'read' });
  assert.equal(judge(b), 'LOT P. T. 2811 JALAN');
});

test('a word gap before a comma that hugs the next word gets its space there ("X ,U13/X")', () => {
  // "INDAH X ,U13/X": read "X,U13/X" (or "X, U13/X" with the comma rule's space, which moves before the comma).
  const a = crop('INDAHX,U13/X', 3, { 4: 14, 5: 14 }, { 4: 'read' });
  assert.equal(judge(a), 'INDAH X ,U13/X');
  const b = crop('INDAHX,U13/X', 3, { 4: 14, 5: 14 }, { 4: 'read', 6: 'added' });
  assert.equal(judge(b), 'INDAH X ,U13/X');
  // A tabular digit before a comma in a monospace font: as much paper after the comma as before it. No space goes
  // before it, and the printed one after it stays ("NO.50, JALAN").
  const c = crop('NO50,JALANPBS', 3, { 1: 14, 3: 14, 4: 14, 9: 14 }, { 1: 'read', 4: 'inferred', 9: 'read' });
  assert.equal(judge(c), 'NO 50, JALAN PBS');
});

test('numbers, addresses on the web, a mark alone in a monospace cell and a line with no word gap are left alone', () => {
  // A decimal point or thousands comma between digits is never judged, however wide ("3.30", "1,234.50").
  const num = crop('RM1,234.501X3.30', 3, { 1: 14, 9: 14, 3: 14, 7: 14, 13: 14 }, { 1: 'read', 9: 'read' });
  assert.equal(judge(num), 'RM 1,234.50 1X3.30');
  // "Mar 21, 2018": digits either side of the comma, the space stays (and none is put into "21,2018").
  const date = crop('MAR21,2018PAID', 3, { 2: 14, 5: 14, 9: 14 }, { 2: 'read', 5: 'added', 9: 'read' });
  assert.equal(judge(date), 'MAR 21, 2018 PAID');
  // "www.mynews.com.my" in a monospace font: a stop between two lower-case letters never gets a space.
  const web = crop('visitwww.mynews.com', 3, { 4: 14, 7: 14, 14: 14 }, { 4: 'read' });
  assert.equal(judge(web), 'visit www.mynews.com');
  // "NO.3,JALAN" in a monospace font: the stop sits mid-cell, as much paper before it as after: no space.
  const mono = crop('NO.3,JALANAIR', 3, { 1: 10, 2: 10, 3: 9, 4: 9, 9: 14 }, { 9: 'read' });
  assert.equal(judge(mono), 'NO.3,JALAN AIR');
  // A line with no word gap between letters gives no scale for one: nothing is put in.
  const lone = crop('NO.CS00233521', 3, { 2: 14 }, {});
  assert.equal(judge(lone), 'NO.CS00233521');
});

let engine: OcrEngine;
before(async () => {
  engine = await createOcrEngine({ threads: 2 });
});
after(async () => {
  await engine.dispose();
});

test('generated receipt lines keep the spaces the print has after its commas and stops, and no others', async () => {
  // Before the fix the engine read "7/4, KAWASAN", "TAMPOI, 81200", "BAHRU, JOHOR", "NO.31G&33G" and
  // "www.mynews. com.my" on these prints.
  const lines = [
    '12, JALAN TAMPOI 7/4,KAWASAN PERINDUSTRIAN',
    'NO. 31G&33G, JALAN SETIA INDAH X ,U13/X',
    'LOT P. T. 2811, JALAN ANGSA,',
    'Total RM 8.60',
    '21 Mar 2018 17:59',
    '1 X 3.30',
    'Date: Mar 21, 2018 Amount: 1,234.50',
    'www.mynews.com.my',
  ];
  // The thermal print also has lines whose letters it misreads (their words are still counted right).
  const printed = [
    ...lines.slice(0, 1),
    'TAMPOI,81200 JOHOR BAHRU,JOHOR',
    'NO. 31G&33G, JALAN SETIA INDAH X',
    lines[2]!,
    'NO.6,8, 10& 12 JALAN PERMAS 4/3',
    ...lines.slice(3),
  ];
  const size = 22;
  for (const family of ['Liberation Sans', 'DejaVu Sans Mono']) {
    const page = renderTextLines(
      size * 30,
      Math.round(size * 1.8 * (lines.length + 1) + 30),
      lines.map((text, i) => ({ text, x: 20, y: 20 + size * 1.8 * (i + 1), family, size })),
    );
    const res = await engine.recognize(page.image);
    assert.deepEqual(
      res.lines.map((l) => l.text),
      lines,
      family,
    );
  }
  // A dot-printed monospace receipt (bold, every 5th pixel column blank): the lines whose letters it reads right.
  const page = renderTextLines(
    size * 30,
    Math.round(size * 1.8 * (printed.length + 1) + 30),
    printed.map((text, i) => ({
      text,
      x: 20,
      y: 20 + size * 1.8 * (i + 1),
      family: 'Liberation Mono',
      size,
      weight: 'bold' as const,
    })),
  );
  const got = (await engine.recognize(thermalPrint(page.image, 5, mulberry32(7)))).lines.map((l) => l.text);
  for (const line of [
    'NO. 31G&33G, JALAN SETIA INDAH X',
    'NO.6,8, 10& 12 JALAN PERMAS 4/3',
    'Total RM 8.60',
    '21 Mar 2018 17:59',
    'Date: Mar 21, 2018 Amount: 1,234.50',
  ])
    assert.ok(got.includes(line), `${line} not in\n${got.join('\n')}`);
});
