// CTC greedy decoding for the PP-OCR recogniser, keeping for every character the timesteps it was read at:
// those positions are what let a line box be split into word boxes where the words really are.

/** One decoded character and the run of timesteps [t0, t1] whose argmax was it. */
export interface DecodedChar {
  char: string;
  t0: number;
  t1: number;
  prob: number;
  /** A space the recogniser did not read but was put in from a weaker signal (see SPACE_PEAK); may be taken out. */
  inferred?: boolean;
}

export interface DecodedLine {
  text: string;
  chars: DecodedChar[];
  /** Mean of the characters' probabilities (0 when nothing was read), as PaddleOCR scores a line. */
  confidence: number;
}

/**
 * Parses ppocr_keys_v1.txt into the class table: class 0 is the CTC blank, class i ≥ 1 is line i − 1 of the
 * file, and the last class is a space (PaddleOCR's use_space_char=True appends it). Returns the table
 * without the blank, so class i maps to `dict[i - 1]`.
 */
export function parseDictionary(text: string): string[] {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return [...lines, ' '];
}

/**
 * NOTE: deviation from PaddleOCR — full-width ASCII forms (the Chinese dictionary has both "," and "，") and the
 * ideographic space are folded to ASCII, since DocLens' pages are mostly Latin text and the recogniser picks the
 * full-width twin of punctuation now and then.
 */
export function foldWidth(ch: string): string {
  const c = ch.codePointAt(0) ?? 0;
  if (c >= 0xff01 && c <= 0xff5e) return String.fromCodePoint(c - 0xfee0);
  if (c === 0x3000) return ' ';
  return ch;
}

/**
 * A space is put between two characters when the space class's probability peaks at or above this anywhere
 * between them, even though blank won the argmax. Measured on 200 DPI scans: inside words the peak stays under
 * 0.01, at the word gaps the model left out it is 0.03–0.5.
 */
export const SPACE_PEAK = 0.02;

/**
 * The same inside a number (a digit after a digit, "." or ","), where the space class flickers on wide digit
 * gaps ("201 7") yet real gaps between numbers ("11/25/2008 64422") are often missed too. Measured on the 10
 * pages of bench:ocr: no inference there → CER 0.17 % (numbers run together); 0.02 → "201 7"; 0.05 → neither.
 */
export const SPACE_PEAK_IN_NUMBER = 0.05;

const twinCache = new WeakMap<readonly string[], Int32Array>();

/**
 * Separators whose full-width twin adds to their probability: the recogniser splits a comma between "," and "，".
 * Not letters or "!" ("Incl" read "Inc!" when "！" added to "!"), nor the space (its own calibration, SPACE_PEAK).
 */
const TWIN_MARKS = ',.:;';

/** Class pairs [ascii, fullWidth, ascii, fullWidth, …] of TWIN_MARKS in the dictionary (",", "，"). */
function widthTwins(dict: readonly string[]): Int32Array {
  let t = twinCache.get(dict);
  if (t) return t;
  const index = new Map<string, number>();
  dict.forEach((ch, i) => {
    if (!index.has(ch)) index.set(ch, i + 1);
  });
  const pairs: number[] = [];
  dict.forEach((ch, i) => {
    const folded = foldWidth(ch);
    const to = index.get(folded);
    if (folded !== ch && TWIN_MARKS.includes(folded) && to !== undefined) pairs.push(to, i + 1);
  });
  t = Int32Array.from(pairs);
  twinCache.set(dict, t);
  return t;
}

/**
 * Greedy CTC over one item of a [N, T, C] softmax output: argmax per timestep, merge repeats, drop blanks.
 *
 * NOTE: deviations from PaddleOCR — a character's full-width twin adds to its probability (widthTwins), and missed
 * spaces are recovered from the space class's probability (SPACE_PEAK).
 * The Chinese PP-OCRv4 recogniser often runs Latin words together ("Report2:bywhich"), which costs a character
 * per word gap and, worse, merges words DocLens needs as separate boxes.
 */
export function ctcGreedyDecode(
  probs: Float32Array,
  item: number,
  steps: number,
  classes: number,
  dict: readonly string[],
): DecodedLine {
  const chars: DecodedChar[] = [];
  const spaceClass = dict.lastIndexOf(' ') + 1;
  const twins = widthTwins(dict);
  let prev = 0;
  let spacePeak = 0;
  let spaceAt = 0;
  const base = item * steps * classes;
  for (let t = 0; t < steps; t++) {
    const row = base + t * classes;
    let best = 0;
    let bestP = probs[row]!;
    for (let c = 1; c < classes; c++) {
      const p = probs[row + c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    // A mark and its full-width twin are one character once folded: their probabilities add up ("12, Jalan": "."
    // 0.45 against "," 0.43 + "，" 0.03).
    for (let k = 0; k < twins.length; k += 2) {
      const p = probs[row + twins[k]!]! + probs[row + twins[k + 1]!]!;
      if (p > bestP) {
        bestP = p;
        best = twins[k]!;
      }
    }
    if (spaceClass > 0) {
      const ps = probs[row + spaceClass]!;
      if (ps > spacePeak) {
        spacePeak = ps;
        spaceAt = t;
      }
    }
    if (best !== 0) {
      const last = chars[chars.length - 1];
      if (best === prev && last) {
        last.t1 = t;
        last.prob = Math.max(last.prob, bestP);
      } else {
        const char = foldWidth(dict[best - 1] ?? '');
        if (
          last &&
          best !== spaceClass &&
          last.char !== ' ' &&
          spacePeak >= (inNumber(last.char, char) ? SPACE_PEAK_IN_NUMBER : SPACE_PEAK) &&
          inferSpaceBetween(last.char, char)
        ) {
          chars.push({ char: ' ', t0: spaceAt, t1: spaceAt, prob: spacePeak, inferred: true });
        }
        chars.push({ char, t0: t, t1: t, prob: bestP });
        spacePeak = 0;
      }
    }
    prev = best;
  }
  const counted = chars.filter((c) => c.char !== ' ');
  const confidence = counted.length > 0 ? counted.reduce((s, c) => s + c.prob, 0) / counted.length : 0;
  return { text: chars.map((c) => c.char).join(''), chars, confidence };
}

/**
 * Whether a missed space may be inferred between two characters. Never next to CJK (written without spaces),
 * never where Latin punctuation hugs its neighbour, and never between two digits: inside a number the space
 * class flickers on wide digit gaps ("201 7"), while a real gap between two numbers is one the recogniser
 * reads as a space itself.
 */
function inferSpaceBetween(a: string, b: string): boolean {
  if (isCjk(a) || isCjk(b)) return false;
  return !(NO_SPACE_BEFORE.includes(b) || NO_SPACE_AFTER.includes(a));
}

/** Marks Latin text never puts a space before ("Portland ," "harborlane .design") or after ("( 12", "@ x"). */
const NO_SPACE_BEFORE = ',.;:!?)]}%@';
const NO_SPACE_AFTER = '([{$@#';

function inNumber(a: string, b: string): boolean {
  return isDigit(b) && (isDigit(a) || a === '.' || a === ',');
}

function isCjk(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  return c >= 0x2e80 && c < 0xfb00;
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

/** A word of a decoded line: its text, confidence, and its extent in timesteps (fractional, exclusive end). */
export interface WordSpan {
  text: string;
  confidence: number;
  start: number;
  end: number;
}

/**
 * Splits a decoded line at spaces into words and places each on the timestep axis: a character read at run
 * [t0, t1] is centred at (t0 + t1 + 1) / 2, and a word reaches half a character pitch beyond its outer
 * characters' centres (the pitch being the median centre-to-centre step within words of this line), never past
 * the midpoint to its neighbour nor outside [0, steps].
 */
export function wordSpans(line: DecodedLine, steps: number): WordSpan[] {
  const groups: DecodedChar[][] = [];
  let cur: DecodedChar[] = [];
  for (const c of line.chars) {
    if (c.char.trim() === '') {
      if (cur.length > 0) groups.push(cur);
      cur = [];
    } else {
      cur.push(c);
    }
  }
  if (cur.length > 0) groups.push(cur);
  if (groups.length === 0) return [];
  const centre = (c: DecodedChar) => (c.t0 + c.t1 + 1) / 2;
  const gaps: number[] = [];
  for (const g of groups) for (let i = 1; i < g.length; i++) gaps.push(centre(g[i]!) - centre(g[i - 1]!));
  gaps.sort((a, b) => a - b);
  const pitch = gaps.length > 0 ? gaps[gaps.length >> 1]! : 2;
  const half = Math.max(0.75, pitch / 2);
  const raw = groups.map((g) => ({
    text: g.map((c) => c.char).join(''),
    confidence: g.reduce((s, c) => s + c.prob, 0) / g.length,
    first: centre(g[0]!),
    last: centre(g[g.length - 1]!),
  }));
  // Neighbouring words keep a gap between their boxes (a third of the space between their letters): a space the
  // print set narrower than a letter would otherwise leave "Mar" and "2018" touching, which readers of the
  // words join into one ("Mar2018").
  return raw.map((w, i) => {
    const prev = raw[i - 1];
    const next = raw[i + 1];
    const lo = prev ? prev.last + (2 / 3) * (w.first - prev.last) : 0;
    const hi = next ? w.last + (1 / 3) * (next.first - w.last) : steps;
    return {
      text: w.text,
      confidence: w.confidence,
      start: Math.max(lo, w.first - half),
      end: Math.min(hi, w.last + half),
    };
  });
}
