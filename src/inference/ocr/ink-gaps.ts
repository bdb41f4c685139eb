// The blank columns of a line crop as the recogniser saw it: where the print has a word gap there is paper from
// top to bottom of the letters, inside a word there is (nearly) none. The recogniser's space class alone cannot
// tell them apart on receipts ("Kawas an", "KUALA LUM PUR"), the pixels can.
import type { DecodedChar, DecodedLine } from './ctc-decode.js';
import type { TensorSlot } from './raster.js';

/** Per column of a crop: whether any ink falls in its middle band (the letters' body, clear of neighbour lines). */
export interface InkColumns {
  ink: Uint8Array;
  /** Columns that hold the crop (the rest of the slot is padding). */
  width: number;
  height: number;
  /** Every pixel of the crop, row-major, 1 = ink (absent when the crop has too little contrast to tell). */
  mask?: Uint8Array;
}

/** Rows [BAND_TOP, BAND_BOTTOM) × height are looked at: the x-height band, clear of the lines above and below. */
const BAND_TOP = 0.25;
const BAND_BOTTOM = 0.75;

/**
 * Marks the ink of a normalised crop (a tensor slot written by warpToTensor, channels summed), and the columns with
 * ink in the middle band. Ink is a pixel darker than halfway between the crop's ink and paper levels (the band's
 * 3rd and 97th percentiles), so a faint thermal print is judged by its own contrast.
 */
export function inkColumns(slot: TensorSlot, width: number): InkColumns {
  const h = slot.height;
  const plane = h * slot.stride;
  const base = slot.item * 3 * plane;
  const lum = new Float32Array(h * width);
  for (let y = 0; y < h; y++) {
    const row = base + y * slot.stride;
    for (let x = 0; x < width; x++)
      lum[y * width + x] = slot.out[row + x]! + slot.out[row + plane + x]! + slot.out[row + 2 * plane + x]!;
  }
  const y0 = Math.floor(h * BAND_TOP);
  const y1 = Math.ceil(h * BAND_BOTTOM);
  const sorted = lum.slice(y0 * width, y1 * width).sort();
  const lo = sorted[Math.floor(sorted.length * 0.03)] ?? 0;
  const hi = sorted[Math.floor(sorted.length * 0.97)] ?? 0;
  const ink = new Uint8Array(width);
  // Too little contrast to tell ink from paper: every column counts as ink (no gap is ever judged narrow).
  if (hi - lo < 0.3) return { ink: ink.fill(1), width, height: h };
  const cut = (lo + hi) / 2;
  const mask = new Uint8Array(h * width);
  for (let i = 0; i < mask.length; i++) if (lum[i]! < cut) mask[i] = 1;
  for (let y = y0; y < y1; y++) for (let x = 0; x < width; x++) if (mask[y * width + x]) ink[x] = 1;
  return { ink, width, height: h, mask };
}

/** The longest run of ink-free columns in [x0, x1) of the crop, in crop pixels. */
export function blankRun(cols: InkColumns, x0: number, x1: number): number {
  const a = Math.max(0, Math.floor(x0));
  const b = Math.min(cols.width, Math.ceil(x1));
  let best = 0;
  let run = 0;
  for (let x = a; x < b; x++) {
    run = cols.ink[x] ? 0 : run + 1;
    if (run > best) best = run;
  }
  return best;
}

/** An inferred space stands when its blank run is this many times the line's typical run between two letters … */
export const SPACE_RUN_RATIO = 2.2;
/** … or this many times it when the space class peaked at least SPACE_PEAK_SURE_GAP … */
export const SPACE_RUN_RATIO_PEAKED = 1.8;
export const SPACE_PEAK_SURE_GAP = 0.07;
/** … or this many times it at a peak of SPACE_PEAK_LIKELY (a print with hardly any word gap: "SANYU STATIONERY SHOP") … */
export const SPACE_RUN_RATIO_LIKELY = 1.3;
export const SPACE_PEAK_LIKELY = 0.1;
/**
 * … or this many times it when the letters either side stand SPACE_PITCH_RATIO × the line's mean letter pitch apart
 * (a wide or letter-spaced font, where the letters' own gaps are wide: "40170 SETIA ALAM", "PLEASE KEEP THIS") …
 */
export const SPACE_RUN_RATIO_SPACED = 1.55;
export const SPACE_PITCH_RATIO = 1.45;
/** … or whatever the run when the space class peaked this high. */
export const SPACE_PEAK_SURE = 0.13;
/** The typical run is taken as at least this many pixels of the 48 px high crop (tight fonts touch at 0–2 px). */
const MIN_TYPICAL_RUN = 3;
/** Letter pairs a line needs before its letter spacing is trusted. */
const MIN_PAIRS = 3;

const LETTER = /^\p{L}$/u;

/**
 * NOTE: not in PaddleOCR. Takes out the spaces the decoder inferred from the space class's peak (`inferred`: it
 * peaked but blank won, see SPACE_PEAK in ctc-decode.ts) where the crop shows no word gap. The gap is the longest
 * blank run between the two letters' centres, over the line's typical (median) run between adjacent letters.
 * Measured on 13 SROIE receipts (116 inferred spaces between letters or digits, labelled by eye): the spurious ones
 * ("Kawas an", "MALAYS IA", "KUALA LUM PUR", "Ma luri", "Sul tan") sit at 1.1–2.1× with peaks of 0.02–0.12; real
 * word gaps at 1.9–7×, the few under 2.2× with peaks of 0.07 or more, or (1 of 116: "CUSTOMER'S COPY") a peak of
 * 0.48. Wide or letter-spaced fonts have wide letter gaps, and word gaps there come to 1.3–1.9×: the letters'
 * centres then tell (1.45–2.15 mean letter pitches apart across a word gap, 0.8–1.3 across the spurious spaces),
 * or a peak of 0.1 or more ("SANYU STATIONERY SHOP", printed with hardly any gap, at 1.2–1.6× with peaks of
 * 0.11–0.28; this also keeps "Char ge" and "Net t"). Only spaces between two letters are judged: after a mark
 * the gap is the mark's, and next to a digit the recogniser's space is more often right ("Tampoi 81200",
 * "Tota 1RM14.20" for "Total RM14.20").
 * `pxPerStep` maps a timestep to crop pixels.
 */
export function dropNarrowSpaces(line: DecodedLine, cols: InkColumns, pxPerStep: number): DecodedLine {
  const chars = line.chars;
  if (!chars.some((c) => c.inferred)) return line;
  const centre = (c: DecodedChar) => ((c.t0 + c.t1 + 1) / 2) * pxPerStep;
  const letterRuns: number[] = [];
  let pitchSum = 0;
  for (let i = 1; i < chars.length; i++) {
    const a = chars[i - 1]!;
    const b = chars[i]!;
    if (LETTER.test(a.char) && LETTER.test(b.char)) {
      letterRuns.push(blankRun(cols, centre(a), centre(b)));
      pitchSum += centre(b) - centre(a);
    }
  }
  if (letterRuns.length < MIN_PAIRS) return line;
  const pitch = pitchSum / letterRuns.length;
  letterRuns.sort((x, y) => x - y);
  const typical = Math.max(MIN_TYPICAL_RUN, letterRuns[letterRuns.length >> 1]!);
  const out = chars.filter((c, i) => {
    if (!c.inferred || c.char !== ' ') return true;
    const a = chars[i - 1];
    const b = chars[i + 1];
    if (!a || !b || !LETTER.test(a.char) || !LETTER.test(b.char)) return true;
    const ratio = blankRun(cols, centre(a), centre(b)) / typical;
    return (
      ratio >= SPACE_RUN_RATIO ||
      (ratio >= SPACE_RUN_RATIO_PEAKED && c.prob >= SPACE_PEAK_SURE_GAP) ||
      (ratio >= SPACE_RUN_RATIO_LIKELY && c.prob >= SPACE_PEAK_LIKELY) ||
      (ratio >= SPACE_RUN_RATIO_SPACED && (centre(b) - centre(a)) / pitch >= SPACE_PITCH_RATIO) ||
      c.prob >= SPACE_PEAK_SURE
    );
  });
  if (out.length === chars.length) return line;
  return { ...line, text: out.map((c) => c.char).join(''), chars: out };
}

/** The letters' body of a crop: rows from its top to its baseline, where most columns' ink is. */
export function bodyRows(cols: InkColumns): { top: number; baseline: number } | null {
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

/** A row holds the letters' body when it has this share of the busiest row's ink (descenders and noise have less). */
const BODY_ROW_SHARE = 0.35;

/**
 * How far the ink of a mark centred at column `x` (± `half`) reaches below the baseline, in pixels: the run of
 * rows with ink in that window going down from the baseline row. A comma's tail reaches a quarter of the body
 * height or more below it, a full stop ends on it.
 */
export function markDescent(cols: InkColumns, body: { baseline: number }, x: number, half: number): number {
  const { mask, width, height } = cols;
  if (!mask) return 0;
  const a = Math.max(0, Math.floor(x - half));
  const b = Math.min(width, Math.ceil(x + half));
  const hasInk = (y: number) => {
    for (let i = a; i < b; i++) if (mask[y * width + i]) return true;
    return false;
  };
  let y = body.baseline;
  while (y + 1 < height && hasInk(y + 1)) y++;
  return y - body.baseline;
}

/** A "." read with less confidence than this may be a comma whose tail the recogniser missed. */
export const MARK_SURE = 0.95;
/** A tail this far below the baseline (pixels of the 48 px crop, and share of the body height) makes it a comma. */
export const COMMA_TAIL_PX = 3;
export const COMMA_TAIL_SHARE = 0.07;

/**
 * NOTE: not in PaddleOCR. A "." the recogniser was unsure of whose ink reaches below the baseline is a ",": on
 * receipts' small print the comma's tail is a pixel or two and the recogniser calls it a full stop ("12. Jalan",
 * "NO 290. JALAN", "53200. KUALA"). Measured on 4 SROIE receipts (84 marks): full stops end 0–2 px below the
 * baseline (of 48), the commas read as "." 3–4 px. A "." between two digits is left alone (a decimal point), and a
 * "," is never turned into a "." (a comma's tail can be lost to a faint print, a full stop does not grow one).
 */
export function commasByTail(line: DecodedLine, cols: InkColumns, pxPerStep: number): DecodedLine {
  const body = bodyRows(cols);
  if (!body) return line;
  const need = Math.max(COMMA_TAIL_PX, COMMA_TAIL_SHARE * (body.baseline - body.top + 1));
  let changed = false;
  const chars = line.chars.map((c, i) => {
    if (c.char !== '.' || c.prob >= MARK_SURE) return c;
    const prev = line.chars[i - 1]?.char ?? '';
    const next = line.chars[i + 1]?.char ?? '';
    if (/\d/.test(prev) && /\d/.test(next)) return c;
    const x = ((c.t0 + c.t1 + 1) / 2) * pxPerStep;
    if (markDescent(cols, body, x, 0.6 * pxPerStep) < need) return c;
    changed = true;
    return { ...c, char: ',' };
  });
  if (!changed) return line;
  return { ...line, text: chars.map((c) => c.char).join(''), chars };
}
