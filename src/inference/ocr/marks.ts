// The shape of a punctuation mark in a line crop: a full stop is a dot on the baseline, a comma a dot with a tail
// below it (or, in many receipt fonts, a stroke taller than it is wide). On receipts' small, blurred print the
// recogniser often cannot tell the two apart ("12. Jalan", "NO 290. JALAN"); the crop's own pixels can.
import type { DecodedLine } from './ctc-decode.js';
import type { InkColumns } from './ink-gaps.js';

/** The rows of a crop that hold the letters' body: from the top of the capitals to the baseline. */
export interface Body {
  top: number;
  baseline: number;
}

/** A row holds the letters' body when it has this share of the busiest row's ink (descenders and noise have less). */
const BODY_ROW_SHARE = 0.35;

/** The letters' body of a crop: rows from its top to its baseline, where most columns' ink is. */
export function bodyRows(cols: InkColumns): Body | null {
  const { mask, width, height } = cols;
  if (!mask) return null;
  const count = new Uint32Array(height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) count[y] = count[y]! + mask[y * width + x]!;
  const max = Math.max(...count);
  if (max === 0) return null;
  let top = -1;
  let baseline = -1;
  for (let y = 0; y < height; y++) {
    if (count[y]! < BODY_ROW_SHARE * max) continue;
    if (top < 0) top = y;
    baseline = y;
  }
  return { top, baseline };
}

/**
 * A mark's ink blob, in crop pixels: its columns [x0, x1] and rows [top, bottom] at half its peak darkness, and
 * how far its bottom lies below the baseline.
 */
export interface MarkShape {
  x0: number;
  x1: number;
  top: number;
  bottom: number;
  peak: number;
  below: number;
}

/** A column with this darkness in the upper half of the body is a letter's, not a mark's. */
const LETTER_DARK = 0.3;
/** A mark's seed column needs this darkness in the lower part of the body. */
const MIN_MARK_DARK = 0.12;
/** Rows above a mark that must be paper. */
const ABOVE_ROWS = 3;
/** The seed is the darkest mark column less this much per pixel away from where the recogniser placed the mark. */
const DISTANCE_COST = 0.04;

/**
 * Finds the mark nearest column `x` within ± `reach` px: columns with ink in the lower part of the body and none in
 * its upper half, grown while they keep half the seed's darkness, with paper above it. Its extent is taken at half its own peak
 * darkness, so a faint print's tail counts as much as a dark one's (a fixed ink threshold cut the tails of faint
 * commas: "TAMAN SRI PUTRA." read its comma's tail at a third of the line's contrast).
 */
export function markShape(cols: InkColumns, body: Body, x: number, reach: number): MarkShape | null {
  const { dark, width, height } = cols;
  if (!dark) return null;
  const bh = body.baseline - body.top + 1;
  const upperEnd = body.top + Math.floor(0.5 * bh);
  const lowerStart = body.top + Math.floor(0.6 * bh);
  const lowerEnd = Math.min(height, body.baseline + 2);
  const maxIn = (c: number, y0: number, y1: number) => {
    let m = 0;
    for (let y = y0; y < y1; y++) m = Math.max(m, dark[y * width + c]!);
    return m;
  };
  const free = (c: number) => maxIn(c, body.top, upperEnd) < LETTER_DARK;
  const lower = (c: number) => maxIn(c, lowerStart, lowerEnd);
  const a = Math.max(0, Math.floor(x - reach));
  const b = Math.min(width - 1, Math.ceil(x + reach));
  const seeds: { c: number; score: number }[] = [];
  for (let c = a; c <= b; c++) {
    if (!free(c)) continue;
    const score = lower(c) - DISTANCE_COST * Math.abs(c - x);
    if (lower(c) >= MIN_MARK_DARK) seeds.push({ c, score });
  }
  seeds.sort((p, q) => q.score - p.score);
  const tried = new Set<number>();
  for (const { c: seed } of seeds) {
    if (tried.has(seed)) continue;
    const half = 0.5 * lower(seed);
    let x0 = seed;
    let x1 = seed;
    while (x0 - 1 >= 0 && free(x0 - 1) && lower(x0 - 1) >= half) x0--;
    while (x1 + 1 < width && free(x1 + 1) && lower(x1 + 1) >= half) x1++;
    for (let c = x0; c <= x1; c++) tried.add(c);
    const m = blob(cols, body, x0, x1, lowerStart, lowerEnd);
    if (m) return m;
  }
  return null;
}

/** The blob over columns [x0, x1] at half its peak darkness, or null when ink goes on up beside it (a letter's). */
function blob(
  cols: InkColumns,
  body: Body,
  seedX0: number,
  seedX1: number,
  lowerStart: number,
  lowerEnd: number,
): MarkShape | null {
  const { width, height } = cols;
  const dark = cols.dark!;
  let x0 = seedX0;
  let x1 = seedX1;
  const row = (y: number) => {
    let m = 0;
    for (let c = x0; c <= x1; c++) m = Math.max(m, dark[y * width + c]!);
    return m;
  };
  let py = lowerStart;
  for (let y = lowerStart; y < lowerEnd; y++) if (row(y) > row(py)) py = y;
  const peak = row(py);
  let top = py;
  let bottom = py;
  while (top - 1 >= 0 && row(top - 1) >= 0.5 * peak) top--;
  while (bottom + 1 < height && row(bottom + 1) >= 0.5 * peak) bottom++;
  // Its width at half its peak over its head's rows, whatever lies above: a bold full stop under a colon's upper dot
  // ("Inc.:") is as wide as it is tall, though only its middle columns are clear of the dot.
  const col = (c: number) => {
    let m = 0;
    for (let y = top; y <= Math.min(bottom, body.baseline); y++) m = Math.max(m, dark[y * width + c]!);
    return m;
  };
  while (x0 - 1 >= 0 && col(x0 - 1) >= 0.5 * peak) x0--;
  while (x1 + 1 < width && col(x1 + 1) >= 0.5 * peak) x1++;
  // A mark stands alone: paper just above it, a column either side included. A letter's slanted stroke ("A", "V")
  // found in the lower columns goes on up beside them.
  for (let y = Math.max(0, top - ABOVE_ROWS); y < top; y++)
    for (let c = Math.max(0, x0 - 1); c <= Math.min(width - 1, x1 + 1); c++)
      if (dark[y * width + c]! >= 0.5 * peak) return null;
  return { x0, x1, top, bottom, peak, below: bottom - body.baseline };
}

/** A "." read with less confidence than this may be a comma the recogniser could not tell from a full stop. */
export const MARK_SURE = 0.95;
/**
 * A mark this many times taller than wide, and COMMA_TALL_BODY of the letters' height, is a comma wherever it ends
 * (a monospace receipt font's comma is a stroke a third of the letters' height; a full stop blurred taller than
 * wide, "(excl." at 2.3 times, is a fifth) …
 */
export const COMMA_TALL = 2.2;
export const COMMA_TALL_BODY = 0.3;
/** … and one this many times taller than wide whose ink reaches COMMA_BELOW px below the baseline. */
export const COMMA_TAILED = 1.4;
export const COMMA_BELOW = 2;
/** A mark reaching this far below the baseline and off the crop's bottom edge has a tail the crop cut. */
export const COMMA_CUT_BELOW = 3;

/** Whether a mark's shape is a comma's (see commasByTail). */
export function isCommaShape(m: MarkShape, body: Body, height: number): boolean {
  const w = m.x1 - m.x0 + 1;
  const h = m.bottom - m.top + 1;
  if (w < 2 || m.bottom < body.baseline - 1) return false;
  return (
    (h >= COMMA_TALL * w && h >= COMMA_TALL_BODY * (body.baseline - body.top + 1)) ||
    (m.below >= COMMA_BELOW && h >= COMMA_TAILED * w) ||
    (m.below >= COMMA_CUT_BELOW && m.bottom >= height - 2)
  );
}

/**
 * NOTE: not in PaddleOCR. A "." the recogniser was unsure of whose ink has a comma's shape is a ",": on receipts'
 * small print the comma's tail is a pixel or two, often fainter than its head, and the recogniser calls it a full
 * stop ("12. Jalan", "NO 290. JALAN", "TAMAN SRI PUTRA.", "L1-044B."). The mark is found as an ink blob at half its
 * own peak darkness (markShape). Measured on 17 SROIE receipts (unsure "." beside a letter, labelled by eye and
 * key): full stops are 0.8–1.2 times as tall as wide (a small blurred dot up to 2.3 times, but a fifth of the
 * letters' height at most); the commas read as "." 1.4–2.8 times, reaching 2–5 px (of 48) below the baseline, or
 * are strokes 2.4 times as tall as wide sitting on it (a monospace receipt font). 16 of 22 such commas turn, no
 * full stop does; the rest (a faint comma that prints as a dot, a bold font whose full stop is as big as its comma)
 * stay. A "." between two digits is left alone (a decimal point), so is one after a single letter (an
 * abbreviation: "D.E", "P.T."), and a "," is never
 * turned into a "." (a comma's tail can be lost to a faint print, a full stop does not grow one).
 * `pxPerStep` maps a timestep to crop pixels.
 */
export function commasByTail(line: DecodedLine, cols: InkColumns, pxPerStep: number): DecodedLine {
  const body = bodyRows(cols);
  if (!body) return line;
  let changed = false;
  const chars = line.chars.map((c, i) => {
    if (c.char !== '.' || c.prob >= MARK_SURE) return c;
    const prev = line.chars[i - 1]?.char ?? '';
    const next = line.chars[i + 1]?.char ?? '';
    if (/\d/.test(prev) && /\d/.test(next)) return c;
    // After a single letter it ends an abbreviation ("D.E", "P.T.", "U.Price"; "L.ot" is a letter's foot).
    if (/\p{L}/u.test(prev) && !/[\p{L}\p{N}]/u.test(line.chars[i - 2]?.char ?? '')) return c;
    const x = ((c.t0 + c.t1 + 1) / 2) * pxPerStep;
    const shape = markShape(cols, body, x, 1.5 * pxPerStep);
    if (!shape || !isCommaShape(shape, body, cols.height)) return c;
    changed = true;
    return { ...c, char: ',' };
  });
  if (!changed) return line;
  return { ...line, text: chars.map((c) => c.char).join(''), chars };
}
