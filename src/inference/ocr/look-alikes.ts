// Look-alike characters decided by the recogniser's own runner-up: where it read "Leve1" it gave "l" a third of its
// belief, where it read "GETIA" it gave "S" a quarter. A word's other characters, or the same word read elsewhere on
// the page, say which of the two it is; no dictionary is consulted.
import { foldWidth, type DecodedChar, type DecodedLine } from './ctc-decode.js';

/** A decoded character with the recogniser's best other reading of its timesteps. */
export interface AltChar extends DecodedChar {
  alt?: string;
  altProb?: number;
}

/**
 * Attaches to every character of `line` (item `item` of a [N, T, C] softmax output) the likeliest other class over
 * its timesteps: not the blank, not the character itself, nor its full-width twin.
 */
export function withAlternates(
  line: DecodedLine,
  probs: Float32Array,
  item: number,
  steps: number,
  classes: number,
  dict: readonly string[],
): DecodedLine {
  const base = item * steps * classes;
  const chars = line.chars.map((c): AltChar => {
    if (c.inferred || c.char === ' ') return c;
    let alt = '';
    let altProb = 0;
    for (let t = c.t0; t <= c.t1 && t < steps; t++) {
      const row = base + t * classes;
      for (let q = 1; q < classes; q++) {
        const p = probs[row + q]!;
        if (p <= altProb) continue;
        const ch = foldWidth(dict[q - 1] ?? '');
        // The character itself, its full-width twin or its other case ("o" for "O") is no other reading.
        if (ch.toUpperCase() === c.char.toUpperCase()) continue;
        alt = ch;
        altProb = p;
      }
    }
    return alt ? { ...c, alt, altProb } : c;
  });
  return { ...line, chars };
}

/** A runner-up this likely is a real doubt between two look-alikes (measured: "Leve1" l 0.12–0.32, "De5a" s 0.41). */
export const ALT_MIN = 0.12;

/** Letters that are also read for digits (0 O o, 1 l I i, 5 S s, 8 B, 2 Z z, 6 G, 9 g q): no evidence of a word. */
const DIGIT_LIKE = /[OoDlIiSsBZzGgq]/;

const isLetter = (ch: string) => /^[A-Za-z]$/.test(ch);
const isDigit = (ch: string) => /^[0-9]$/.test(ch);

/** Whether letters read as one word keep one case pattern: all capitals, all small, or a capital then small. */
function oneCase(word: string): boolean {
  return /^[A-Z]+$/.test(word) || /^[a-z]+$/.test(word) || /^[A-Z][a-z]+$/.test(word);
}

/**
 * NOTE: not in PaddleOCR. A digit inside a word is the letter the recogniser gave as its runner-up ("Leve1" →
 * "Level", "De5a" → "Desa", "10T" → "LOT", "J0HOR" → "JOHOR") when: every digit of the run of letters and digits has
 * a letter runner-up of at least ALT_MIN, the run has a letter that no digit looks like (so it is a word, not a
 * number with look-alikes: "1OO"), and the letters then keep one case pattern. A digit read sure ("Unit1" with
 * nothing else for its 1) stays.
 */
export function lettersByAlternates(line: DecodedLine): DecodedLine {
  const chars = line.chars as AltChar[];
  let out: AltChar[] | null = null;
  let i = 0;
  while (i < chars.length) {
    if (!/^[A-Za-z0-9]$/.test(chars[i]!.char)) {
      i++;
      continue;
    }
    let j = i;
    while (j < chars.length && /^[A-Za-z0-9]$/.test(chars[j]!.char)) j++;
    const run = chars.slice(i, j);
    // A run that goes on as a number past a mark ("RM0.20", "0.00SR", "ZR0O.00%") is an amount or a code.
    const before = (chars[i - 2]?.char ?? '') + (chars[i - 1]?.char ?? '');
    const after = (chars[j]?.char ?? '') + (chars[j + 1]?.char ?? '');
    const inNumber = /^\d[.,:/]$/.test(before) || /^[.,:/]\d$/.test(after);
    const digits = run.filter((c) => isDigit(c.char));
    const wordy = run.some((c) => isLetter(c.char) && !DIGIT_LIKE.test(c.char));
    if (
      run.length >= 3 &&
      !inNumber &&
      digits.length > 0 &&
      wordy &&
      digits.every((c) => c.alt !== undefined && isLetter(c.alt) && (c.altProb ?? 0) >= ALT_MIN)
    ) {
      const word = run.map((c) => (isDigit(c.char) ? c.alt! : c.char)).join('');
      if (oneCase(word)) {
        out ??= [...chars];
        for (let k = i; k < j; k++) {
          const c = chars[k]!;
          if (isDigit(c.char))
            out[k] = { ...c, char: c.alt!, alt: c.char, altProb: c.prob, prob: c.altProb! };
        }
      }
    }
    i = j;
  }
  if (!out) return line;
  return { ...line, text: out.map((c) => c.char).join(''), chars: out };
}

/** Words shorter than this are not matched across the page (too many short words differ by one letter). */
const MIN_PAGE_WORD = 4;
/** The runner-up a letter needs before the page's other reading of the word replaces it … */
export const PAGE_ALT_MIN = 0.2;
/** … and how sure the page's other reading must be of its letter there somewhere. */
export const PAGE_SURE = 0.8;

/**
 * NOTE: not in PaddleOCR. A word read with one doubtful letter becomes the word the page prints elsewhere when the
 * doubt was that very letter: "GETIA" (G 0.73, S 0.24) on a receipt whose other line reads "SETIA" is "SETIA";
 * "SHAH ALAN" (N 0.67, M 0.27) under "SETIA ALAM" is "ALAM". Only words of MIN_PAGE_WORD letters or more, one
 * letter changed, its runner-up at least PAGE_ALT_MIN, the other reading found elsewhere on the page read sure of that
 * letter (PAGE_SURE), and the page's summed belief in that letter over both words' occurrences on its side.
 */
export function pageConsensus(lines: readonly DecodedLine[]): DecodedLine[] {
  // Every word of the page with, per letter, the surest that letter was read, the belief summed over the word's
  // occurrences, and the belief its runner-ups got there.
  const words = new Map<string, PageWord>();
  const runs = lines.map((l) => letterRuns(l.chars));
  runs.forEach((rs, li) =>
    rs.forEach(([a, b]) => {
      if (b - a < MIN_PAGE_WORD) return;
      const chars = lines[li]!.chars as AltChar[];
      const key = word(chars, a, b).toUpperCase();
      const w = words.get(key) ?? {
        sure: new Array<number>(b - a).fill(0),
        belief: new Array<number>(b - a).fill(0),
        alts: Array.from({ length: b - a }, () => new Map<string, number>()),
      };
      for (let k = a; k < b; k++) {
        const c = chars[k]!;
        w.sure[k - a] = Math.max(w.sure[k - a]!, c.prob);
        w.belief[k - a] = w.belief[k - a]! + c.prob;
        if (c.alt) {
          const alt = c.alt.toUpperCase();
          w.alts[k - a]!.set(alt, (w.alts[k - a]!.get(alt) ?? 0) + (c.altProb ?? 0));
        }
      }
      words.set(key, w);
    }),
  );
  return lines.map((l, li) => {
    const chars = l.chars as AltChar[];
    let out: AltChar[] | null = null;
    for (const [a, b] of runs[li]!) {
      if (b - a < MIN_PAGE_WORD) continue;
      const read = word(chars, a, b);
      const ours = words.get(read.toUpperCase())!;
      let best = -1;
      for (let k = a; k < b; k++) {
        const c = chars[k]!;
        if (!c.alt || !isLetter(c.alt) || (c.altProb ?? 0) < PAGE_ALT_MIN) continue;
        const alt = caseLike(c.alt, c.char);
        const other = read.slice(0, k - a) + alt + read.slice(k - a + 1);
        // The other reading stands where the page read it sure at that letter, and the page's belief in its letter
        // there (its occurrences', plus the runner-ups of ours) outweighs the belief in ours: "SETIA" read sure
        // once turns two "GETIA"s whose G was in doubt; a "Total" read sure elsewhere is not turned by one "Tofal".
        const theirs = words.get(other.toUpperCase());
        if (!theirs || theirs.sure[k - a]! < PAGE_SURE) continue;
        const forOther = theirs.belief[k - a]! + (ours.alts[k - a]!.get(alt.toUpperCase()) ?? 0);
        const forOurs = ours.belief[k - a]! + (theirs.alts[k - a]!.get(c.char.toUpperCase()) ?? 0);
        if (forOther <= forOurs) continue;
        // Two letters in doubt, each making a word of the page: the page cannot tell which.
        if (best >= 0) {
          best = -2;
          break;
        }
        best = k;
      }
      if (best < 0) continue;
      out ??= [...chars];
      const c = chars[best]!;
      out[best] = { ...c, char: caseLike(c.alt!, c.char), alt: c.char, altProb: c.prob, prob: c.altProb! };
    }
    if (!out) return l;
    return { ...l, text: out.map((c) => c.char).join(''), chars: out };
  });
}

/** A word of the page: per letter, the surest reading, the summed belief, and the summed belief in runner-ups. */
interface PageWord {
  sure: number[];
  belief: number[];
  alts: Map<string, number>[];
}

/** Runs [a, b) of letters in a line's characters, bounded by anything else (a digit or a mark ends a word too). */
function letterRuns(chars: readonly DecodedChar[]): [number, number][] {
  const out: [number, number][] = [];
  let i = 0;
  while (i < chars.length) {
    if (!isLetter(chars[i]!.char)) {
      i++;
      continue;
    }
    let j = i;
    while (j < chars.length && isLetter(chars[j]!.char)) j++;
    // A run glued to a digit ("U13BG") is a code, not a word.
    const before = chars[i - 1]?.char ?? '';
    const after = chars[j]?.char ?? '';
    if (!isDigit(before) && !isDigit(after)) out.push([i, j]);
    i = j;
  }
  return out;
}

function word(chars: readonly DecodedChar[], a: number, b: number): string {
  return chars
    .slice(a, b)
    .map((c) => c.char)
    .join('');
}

/** `letter` in the case of `like`. */
function caseLike(letter: string, like: string): string {
  return like === like.toUpperCase() ? letter.toUpperCase() : letter.toLowerCase();
}
