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
  /** Every pixel's darkness, row-major: 0 at the paper level, 1 at the ink level (absent with `mask`). */
  dark?: Float32Array;
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
  const dark = new Float32Array(h * width);
  for (let i = 0; i < mask.length; i++) {
    if (lum[i]! < cut) mask[i] = 1;
    dark[i] = Math.min(1, Math.max(0, (hi - lum[i]!) / (hi - lo)));
  }
  for (let y = y0; y < y1; y++) for (let x = 0; x < width; x++) if (mask[y * width + x]) ink[x] = 1;
  return { ink, width, height: h, mask, dark };
}

/** The longest run of ink-free columns in [x0, x1) of a per-column ink array, in crop pixels. */
export function longestBlank(ink: Uint8Array, x0: number, x1: number): number {
  const a = Math.max(0, Math.floor(x0));
  const b = Math.min(ink.length, Math.ceil(x1));
  let best = 0;
  let run = 0;
  for (let x = a; x < b; x++) {
    run = ink[x] ? 0 : run + 1;
    if (run > best) best = run;
  }
  return best;
}

/** The longest run of ink-free columns in [x0, x1) of the crop's middle band, in crop pixels. */
export function blankRun(cols: InkColumns, x0: number, x1: number): number {
  return longestBlank(cols.ink.subarray(0, cols.width), x0, x1);
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
export const MIN_PAIRS = 3;

/** A line's typical blank run between adjacent letters: the (upper) median of `runs`, at least MIN_TYPICAL_RUN. */
export function typicalRun(runs: readonly number[]): number {
  const sorted = [...runs].sort((x, y) => x - y);
  return Math.max(MIN_TYPICAL_RUN, sorted[sorted.length >> 1] ?? 0);
}

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
  const typical = typicalRun(letterRuns);
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

// The mark helpers (a comma read as a full stop) moved to marks.ts; re-exported for the engine's import.
export { bodyRows, commasByTail } from './marks.js';
