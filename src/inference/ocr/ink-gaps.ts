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
}

/** Rows [BAND_TOP, BAND_BOTTOM) × height are looked at: the x-height band, clear of the lines above and below. */
const BAND_TOP = 0.25;
const BAND_BOTTOM = 0.75;

/**
 * Marks the columns of a normalised crop (a tensor slot written by warpToTensor, channels summed) that hold ink.
 * Ink is a pixel darker than halfway between the crop's ink and paper levels (its 3rd and 97th percentiles), so a
 * faint thermal print is judged by its own contrast.
 */
export function inkColumns(slot: TensorSlot, width: number): InkColumns {
  const h = slot.height;
  const plane = h * slot.stride;
  const base = slot.item * 3 * plane;
  const y0 = Math.floor(h * BAND_TOP);
  const y1 = Math.ceil(h * BAND_BOTTOM);
  const lum = new Float32Array((y1 - y0) * width);
  for (let y = y0; y < y1; y++) {
    const row = base + y * slot.stride;
    for (let x = 0; x < width; x++)
      lum[(y - y0) * width + x] =
        slot.out[row + x]! + slot.out[row + plane + x]! + slot.out[row + 2 * plane + x]!;
  }
  const sorted = Float32Array.from(lum).sort();
  const lo = sorted[Math.floor(sorted.length * 0.03)] ?? 0;
  const hi = sorted[Math.floor(sorted.length * 0.97)] ?? 0;
  const ink = new Uint8Array(width);
  // Too little contrast to tell ink from paper: every column counts as ink (no gap is ever judged narrow).
  if (hi - lo < 0.3) return { ink: ink.fill(1), width, height: h };
  const cut = (lo + hi) / 2;
  for (let y = 0; y < y1 - y0; y++) for (let x = 0; x < width; x++) if (lum[y * width + x]! < cut) ink[x] = 1;
  return { ink, width, height: h };
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
/** … or whatever the run when the space class peaked this high. */
export const SPACE_PEAK_SURE = 0.3;
/** The typical run is taken as at least this many pixels of the 48 px high crop (tight fonts touch at 0–2 px). */
const MIN_TYPICAL_RUN = 3;
/** Letter pairs a line needs before its letter spacing is trusted. */
const MIN_PAIRS = 3;

const ALNUM = /^[\p{L}\p{N}]$/u;

/**
 * NOTE: not in PaddleOCR. Takes out the spaces the decoder inferred from the space class's peak (`inferred`: it
 * peaked but blank won, see SPACE_PEAK in ctc-decode.ts) where the crop shows no word gap. The gap is the longest
 * blank run between the two characters' centres, over the line's typical (median) run between adjacent letters.
 * Measured on 13 SROIE receipts (116 inferred spaces between letters or digits, labelled by eye): the spurious ones
 * ("Kawas an", "MALAYS IA", "KUALA LUM PUR", "Ma luri", "Sul tan") sit at 1.1–2.1× with peaks of 0.02–0.12; real
 * word gaps at 1.9–7× — the few under 2.2× with peaks of 0.07 or more, or (1 of 116: "CUSTOMER'S COPY") one
 * of 0.48. Only spaces between two letters or digits are judged: after punctuation the gap is the mark's.
 * `pxPerStep` maps a timestep to crop pixels.
 */
export function dropNarrowSpaces(line: DecodedLine, cols: InkColumns, pxPerStep: number): DecodedLine {
  const chars = line.chars;
  if (!chars.some((c) => c.inferred)) return line;
  const centre = (c: DecodedChar) => ((c.t0 + c.t1 + 1) / 2) * pxPerStep;
  const letterRuns: number[] = [];
  for (let i = 1; i < chars.length; i++) {
    const a = chars[i - 1]!;
    const b = chars[i]!;
    if (/^\p{L}$/u.test(a.char) && /^\p{L}$/u.test(b.char))
      letterRuns.push(blankRun(cols, centre(a), centre(b)));
  }
  if (letterRuns.length < MIN_PAIRS) return line;
  letterRuns.sort((x, y) => x - y);
  const typical = Math.max(MIN_TYPICAL_RUN, letterRuns[letterRuns.length >> 1]!);
  const out = chars.filter((c, i) => {
    if (!c.inferred || c.char !== ' ') return true;
    const a = chars[i - 1];
    const b = chars[i + 1];
    if (!a || !b || !ALNUM.test(a.char) || !ALNUM.test(b.char)) return true;
    const ratio = blankRun(cols, centre(a), centre(b)) / typical;
    return (
      ratio >= SPACE_RUN_RATIO ||
      (ratio >= SPACE_RUN_RATIO_PEAKED && c.prob >= SPACE_PEAK_SURE_GAP) ||
      c.prob >= SPACE_PEAK_SURE
    );
  });
  if (out.length === chars.length) return line;
  return { ...line, text: out.map((c) => c.char).join(''), chars: out };
}
