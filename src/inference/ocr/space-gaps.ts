// The space beside a "," or "." judged from the line crop's ink: receipts print "7/4,Kawasan", "NO. 31G" and "X ,U13"
// alike, and neither the recogniser's space class nor Latin spacing habits ("a comma gets a space") tell them apart.
import type { DecodedChar, DecodedLine } from './ctc-decode.js';
import { bodyRows, longestBlank, MIN_PAIRS, typicalRun, type InkColumns } from './ink-gaps.js';

/** The rows looked at reach this share of the body height above its top and below its baseline (marks, tails). */
const ABOVE_BODY = 0.35;
const BELOW_BODY = 0.4;
/** A space after a mark stands when its blank run reaches this share of the way from the letter gap to the word gap … */
export const MARK_SPACE_SHARE = 0.5;
/** … and at least this many times the letter gap (alone when the line has no word gap to measure). */
export const MARK_SPACE_RUN_RATIO = 2.5;

/**
 * A space is put in only where the gap is also wider than the one before the mark by this many letter gaps: a ","
 * or "." hugs the word before it, and where the runs either side are alike the mark sits alone in a monospace cell
 * ("www.dominos.com.my", "NO.3,").
 */
export const MARK_LEAN = 0.5;

const ALNUM = /^[\p{L}\p{N}]$/u;
const DIGIT = /^\p{N}$/u;
/** Marks whose following space is judged: they sit on the baseline and are narrow, so the gap after them is paper. */
const JUDGED_MARKS = ',.';

/**
 * Per column of the crop: whether any ink falls in the letters' body or just above or below it (where a comma or a
 * full stop sits, under the middle band `inkColumns` looks at). Null when the crop has no ink mask.
 */
export function bodyInkColumns(cols: InkColumns): Uint8Array | null {
  const body = bodyRows(cols);
  const { mask, width, height } = cols;
  if (!body || !mask) return null;
  const h = body.baseline - body.top + 1;
  const y0 = Math.max(0, Math.floor(body.top - ABOVE_BODY * h));
  const y1 = Math.min(height, Math.floor(body.baseline + BELOW_BODY * h) + 1);
  const ink = new Uint8Array(width);
  for (let y = y0; y < y1; y++) for (let x = 0; x < width; x++) if (mask[y * width + x]) ink[x] = 1;
  return ink;
}

const LOWER = /^\p{Ll}$/u;

/** A "." between two lower-case letters is a web or e-mail address's ("mynews.com.my") or an abbreviation's ("e.g"). */
function inAddress(a: DecodedChar, b: DecodedChar): boolean {
  return LOWER.test(a.char) && LOWER.test(b.char);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/**
 * NOTE: not in PaddleOCR. Puts in or takes out the space beside a "," or "." between a letter or digit and a letter
 * or digit (not between two digits: a number's own separator, "3.30", "1,234", "21, 2018") from the crop's ink. A
 * run is the longest blank run between two characters' centres in the body rows; `typical` is the line's median
 * run between adjacent letters or digits, `word` its median run across the spaces between them.
 * After the mark a space stands when the run there is ≥ typical + MARK_SPACE_SHARE × (word − typical) and ≥
 * MARK_SPACE_RUN_RATIO × typical. One is put in only where, besides, the run exceeds the run before the mark by
 * MARK_LEAN × typical (a mark alone in a monospace cell has as much paper before it as after: "NO.3,JALAN",
 * "www.popular.com"), the line has a word gap to measure, and a "." is not between lower-case letters (web and
 * e-mail addresses); taking one out asks only the bar (a tabular "0" before "," in "NO.50, JALAN" leaves as much
 * paper before the comma as after it, yet the space is printed).
 * Spaces the recogniser read itself (`read`: its own decoding, before any inferred or added space) are left alone.
 * Measured on the 150 SROIE receipts (504 places after a "," or "." in address, company, date and total lines whose
 * key gives the truth, the spaces there inferred, added by fixLineSpacing or absent): 449 right before, 489 after.
 * The spurious ones ("7/4, Kawasan", "Tampoi, 81200", "Bahru, Johor": fixLineSpacing's comma rule and weak space
 * peaks) sit at 3–7 px with letter gaps of 3 and word gaps of 8–13; the missed ones ("NO. 31G", "P. T.",
 * "NO. 1,") at 11–21 px with letter gaps of 3–6 and word gaps of 16–29.
 * A "," whose word gap is before it, hugging the word after it ("X ,U13/X", "1138 ,PT": the run before it meets
 * the same bar and exceeds the run after it by half a letter gap), gets its space before it: 8 of the 299 places
 * before a "," in those lines, all keyed so, and no other changed. A tabular digit's wide side bearings before a
 * monospace comma ("NO.50, JALAN", 18–21 px) have as much paper after the comma, and are left alone.
 * `pxPerStep` maps a timestep to crop pixels.
 */
export function judgeMarkSpaces(
  line: DecodedLine,
  read: DecodedLine,
  cols: InkColumns,
  pxPerStep: number,
): DecodedLine {
  const chars = line.chars;
  if (!chars.some((c) => JUDGED_MARKS.includes(c.char))) return line;
  const ink = bodyInkColumns(cols);
  if (!ink) return line;
  const centre = (c: DecodedChar) => ((c.t0 + c.t1 + 1) / 2) * pxPerStep;
  const run = (a: DecodedChar, b: DecodedChar) => longestBlank(ink, centre(a), centre(b));
  // Neighbours without and with a space between them, letters and digits only.
  const letterRuns: number[] = [];
  const wordRuns: number[] = [];
  for (let i = 1; i < chars.length; i++) {
    const a = chars[i - 1]!;
    const b = chars[i]!;
    if (ALNUM.test(a.char) && ALNUM.test(b.char)) letterRuns.push(run(a, b));
    const c = chars[i + 1];
    if (b.char === ' ' && c && ALNUM.test(a.char) && ALNUM.test(c.char)) wordRuns.push(run(a, c));
  }
  if (letterRuns.length < MIN_PAIRS) return line;
  const typical = typicalRun(letterRuns);
  const word = wordRuns.length > 0 ? median(wordRuns) : typical;
  const need = Math.max(MARK_SPACE_RUN_RATIO * typical, typical + MARK_SPACE_SHARE * (word - typical));
  const readSpaces = new Set(read.chars.filter((c) => c.char === ' ' && !c.inferred).map((c) => c.t0));
  const out: DecodedChar[] = [];
  let changed = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    out.push(c);
    if (!JUDGED_MARKS.includes(c.char)) continue;
    const before = chars[i - 1];
    const spaced = chars[i + 1]?.char === ' ';
    const next = chars[spaced ? i + 2 : i + 1];
    if (!before || !next || !ALNUM.test(before.char) || !ALNUM.test(next.char)) continue;
    if (DIGIT.test(before.char) && DIGIT.test(next.char)) continue;
    const space = spaced ? chars[i + 1]! : null;
    if (space && !space.inferred && readSpaces.has(space.t0)) continue;
    const gap = run(c, next);
    const gapBefore = run(before, c);
    const wide = gap >= need;
    // "X ,U13/X", "1138 ,PT": the word gap is before the comma, which hugs the word after it.
    if (
      c.char === ',' &&
      wordRuns.length > 0 &&
      gapBefore >= need &&
      gapBefore >= gap + MARK_LEAN * typical
    ) {
      const t = (before.t1 + c.t0) / 2;
      out.splice(out.length - 1, 0, { char: ' ', t0: t, t1: t, prob: 0, inferred: true });
      changed = true;
    }
    if (space && !wide) {
      i++;
      changed = true;
    } else if (
      !space &&
      wide &&
      gap >= gapBefore + MARK_LEAN * typical &&
      wordRuns.length > 0 &&
      !(c.char === '.' && inAddress(before, next))
    ) {
      const t = (c.t1 + next.t0) / 2;
      out.push({ char: ' ', t0: t, t1: t, prob: 0, inferred: true });
      changed = true;
    }
  }
  if (!changed) return line;
  return { ...line, text: out.map((c) => c.char).join(''), chars: out };
}
