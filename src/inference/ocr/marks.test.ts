// A comma the recogniser read as a full stop, told apart by the mark's own shape in the crop (marks.ts): generated
// receipt lines drawn small, faded and blurred as real scans are, cut and scaled the way the engine does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DecodedChar, DecodedLine } from './ctc-decode.js';
import { inkColumns, type InkColumns } from './ink-gaps.js';
import { bodyRows, commasByTail, isCommaShape, markShape } from './marks.js';
import { toRgb, warpToTensor, type TensorSlot } from './raster.js';
import { renderTextLines, type TextLineSpec } from './synthetic-text.js';
import type { OcrImage, Quad } from './types.js';

const REC_NORM = { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } as const;
const H = 48;
const STEP = 8;

/** Box blur of radius r, then the ink lightened to `inkLevel` (0 black … 255 paper): a small, faded thermal print. */
function fade(image: OcrImage & { channels: 3 }, r: number, inkLevel: number): OcrImage & { channels: 3 } {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let s = 0;
      let n = 0;
      for (let dy = -r; dy <= r; dy++)
        for (let dx = -r; dx <= r; dx++) {
          const yy = Math.min(height - 1, Math.max(0, y + dy));
          const xx = Math.min(width - 1, Math.max(0, x + dx));
          s += data[(yy * width + xx) * 3]!;
          n++;
        }
      const v = inkLevel + ((s / n) * (255 - inkLevel)) / 255;
      out[(y * width + x) * 3] = out[(y * width + x) * 3 + 1] = out[(y * width + x) * 3 + 2] = v;
    }
  return { data: out, width, height, channels: 3 };
}

/**
 * One line drawn at `size` px, cut from its ink's top minus a margin to the bottom of its box as the detector's
 * box does, scaled to the recogniser's 48 px, with a "." (prob 0.5) decoded at every mark of `text` ("." or ",") at
 * the column the mark was drawn at, and the letters around it as the recogniser reads them.
 */
function lineCrop(
  text: string,
  spec: Partial<TextLineSpec>,
  opts: { blur?: number; ink?: number } = {},
): { line: DecodedLine; cols: InkColumns; marks: string[] } {
  const size = spec.size ?? 28;
  const page = renderTextLines(size * text.length, size * 3, [
    { text, x: size, y: size * 2, family: 'Liberation Sans', size, ...spec },
  ]);
  const image = fade(page.image, opts.blur ?? 1, opts.ink ?? 60);
  const boxes = page.words.map((w) => w.box);
  const x0 = boxes[0]!.x0 - size * 0.2;
  const x1 = boxes[boxes.length - 1]!.x1 + size * 0.2;
  const y0 = Math.min(...boxes.map((b) => b.y0)) - size * 0.15;
  const y1 = size * 2 + size * 0.35;
  const quad: Quad = [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ];
  const scale = H / (y1 - y0);
  const w = Math.ceil((x1 - x0) * scale);
  const slot: TensorSlot = { out: new Float32Array(3 * H * w), item: 0, height: H, stride: w };
  warpToTensor(toRgb(image), quad, w, H, REC_NORM, slot);
  const cols = inkColumns(slot, w);
  // Where each character was drawn: the canvas's advance widths, from renderTextLines' word boxes (monotone in the
  // prefix), approximated here by measuring the prefix's drawn width through a one-word render.
  const chars: DecodedChar[] = [];
  const marks: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const pre = renderTextLines(size * (i + 2), size * 3, [
      { text: text.slice(0, i + 1), x: size, y: size * 2, family: 'Liberation Sans', size, ...spec },
    ]).words;
    const right = pre[pre.length - 1]!.box.x1;
    const left = ch === '.' || ch === ',' ? right - size * 0.15 : right - size * 0.5;
    const t =
      ch === ' '
        ? (chars[chars.length - 1]?.t1 ?? 0) + 1
        : Math.floor((((left + right) / 2 - x0) * scale) / STEP);
    const isMark = ch === '.' || ch === ',';
    if (isMark) marks.push(ch);
    chars.push({ char: isMark ? '.' : ch, t0: t, t1: t, prob: isMark ? 0.5 : 0.97 });
  }
  return { line: { text: chars.map((c) => c.char).join(''), chars, confidence: 0.9 }, cols, marks };
}

test('a comma read as "." on a small, faded, blurred print is a comma by its shape; a full stop after an A stays', () => {
  for (const [size, blur, ink] of [
    [26, 1, 60],
    [28, 1, 120],
    [30, 1, 90],
  ] as const) {
    const { line, cols, marks } = lineCrop('NO 290, JALAN PUTRA, BANDAR JAYA.', { size }, { blur, ink });
    const got = commasByTail(line, cols, STEP).text;
    assert.equal(got, 'NO 290, JALAN PUTRA, BANDAR JAYA.', `size ${size} blur ${blur} ink ${ink}: ${got}`);
    assert.deepEqual(marks, [',', ',', '.']);
  }
});

test('a monospace receipt comma (a stroke twice as tall as wide on the baseline) is a comma; its full stop is not', () => {
  const { line, cols } = lineCrop('UNIT L1-044B, MEGAMALL. X', { family: 'Liberation Mono', size: 28 });
  assert.equal(commasByTail(line, cols, STEP).text, 'UNIT L1-044B, MEGAMALL. X');
});

test('sure marks and decimal points are never turned; no mark found is no change', () => {
  const { line, cols } = lineCrop('TOTAL 12,50 AB, C', { size: 28 });
  // The comma between two digits stays a decimal point whatever its shape; a sure "." stays.
  const sure = { ...line, chars: line.chars.map((c) => (c.char === '.' ? { ...c, prob: 0.97 } : c)) };
  assert.equal(commasByTail(sure, cols, STEP).text, 'TOTAL 12.50 AB. C');
  assert.equal(commasByTail(line, cols, STEP).text, 'TOTAL 12.50 AB, C');
  // After a single letter the mark ends an abbreviation, whatever its shape ("SELANGOR D.E").
  const abbrev = lineCrop('SELANGOR D, E', { size: 28 });
  assert.equal(commasByTail(abbrev.line, abbrev.cols, STEP).text, 'SELANGOR D. E');
  // A crop with no contrast has no marks to judge.
  const flat: InkColumns = { ink: new Uint8Array(cols.width).fill(1), width: cols.width, height: H };
  assert.equal(commasByTail(line, flat, STEP), line);
});

test('markShape measures a blob at half its own peak, skips a letter stroke beside it, and takes its full width', () => {
  // Hand-made darkness: letter "A"'s right leg (dark, reaching the body's upper half at 0.25) ends 10 px left of a
  // faint comma (head 0.6 over rows 34–38, tail 0.35 down to row 42); the baseline is row 38.
  const w = 40;
  const dark = new Float32Array(w * H);
  const mask = new Uint8Array(w * H);
  for (let y = 10; y <= 38; y++) {
    const x = 6 + Math.floor((y - 10) / 4);
    dark[y * w + x] = y < 24 ? 0.25 : 1;
    for (const xx of [0, 1, 2, 3]) {
      dark[y * w + xx] = 1;
      mask[y * w + xx] = 1;
    }
  }
  for (let y = 34; y <= 42; y++) for (let x = 24; x <= 26; x++) dark[y * w + x] = y <= 38 ? 0.6 : 0.35;
  const cols: InkColumns = { ink: new Uint8Array(w), width: w, height: H, mask, dark };
  const body = { top: 10, baseline: 38 };
  assert.deepEqual(bodyRows(cols), body);
  const m = markShape(cols, body, 26, 12);
  assert.ok(m);
  assert.deepEqual([m.x0, m.x1, m.top, m.bottom, m.below], [24, 26, 34, 42, 4]);
  assert.equal(isCommaShape(m, body, H), true);
  // The same blob without its tail is a full stop.
  for (let y = 39; y <= 42; y++) for (let x = 24; x <= 26; x++) dark[y * w + x] = 0;
  const stop = markShape(cols, body, 26, 12)!;
  assert.deepEqual([stop.top, stop.bottom, stop.below], [34, 38, 0]);
  assert.equal(isCommaShape(stop, body, H), false);
  // A bold full stop (8 wide, 9 tall) with a colon's upper dot over its right half ("Inc.:"): only its left columns are clear
  // of the dot (4 columns: it would pass for a tall comma), but its width is taken over its own rows.
  const bold = new Float32Array(w * H);
  for (let y = 10; y <= 38; y++) for (const xx of [0, 1, 2, 3]) bold[y * w + xx] = 1;
  for (let y = 30; y <= 38; y++) for (let x = 20; x <= 27; x++) bold[y * w + x] = 1;
  for (let y = 16; y <= 20; y++) for (let x = 24; x <= 28; x++) bold[y * w + x] = 1;
  // A small full stop blurred taller than wide (3 × 7, "(excl." on r336) is still a fifth of the letters' height,
  // no tall comma stroke.
  const small = new Float32Array(w * H);
  for (let y = 10; y <= 38; y++) for (const xx of [0, 1, 2, 3]) small[y * w + xx] = 1;
  for (let y = 32; y <= 38; y++) for (let x = 24; x <= 26; x++) small[y * w + x] = 1;
  const d = markShape({ ...cols, dark: small }, body, 25, 12)!;
  assert.deepEqual([d.x1 - d.x0 + 1, d.bottom - d.top + 1, d.below], [3, 7, 0]);
  assert.equal(isCommaShape(d, body, H), false);
  const b = markShape({ ...cols, dark: bold }, body, 22, 12)!;
  assert.deepEqual([b.x0, b.x1, b.top, b.bottom], [20, 27, 30, 38]);
  assert.equal(isCommaShape(b, body, H), false);
});
