// Word-level repairs for the look-alike characters a recogniser without a language model confuses in Latin
// text (0/O/o, 1/l/I, $/S). The PP-OCR recogniser reads glyphs, not words, so "0ctober" and "S7,433.90"
// come out of it as often as the right thing; a token's other characters say which class it belongs to.
import type { DecodedChar, DecodedLine } from './ctc-decode.js';

const LEAD = /^[("'[{“‘]+/;
const TRAIL = /[)"'\]}.,;:!?”’]+$/;

/**
 * NOTE: not in PaddleOCR. Repairs one whitespace-free token:
 * - a word of letters with a stray 0 ("c0ntract", "0ctober", "t0") gets o / O;
 * - a word of at least three letters with a stray 1 ("1imited", "Ja1an", "1NVOICE") gets l / I;
 * - a number with stray letters ("2o05", "l999") gets digits, and a leading S before a digit is a $;
 * - "ls", "lt", "ln", "lf" are "Is", "It", "In", "If" (sans-serif l and I are the same glyph).
 */
export function fixLatinToken(token: string): string {
  const lead = LEAD.exec(token)?.[0] ?? '';
  const rest = token.slice(lead.length);
  const trail = TRAIL.exec(rest)?.[0] ?? '';
  const core = rest.slice(0, rest.length - trail.length);
  if (core === '') return token;
  // A capital and a zero closed by a stop or colon is an abbreviation with its O ("C0." for "CO.", "N0:" for
  // "NO:"); a bare "A0" / "B0" is a paper size, so only with the mark.
  if (/^[C-Z]0$/.test(core) && /^[.:]/.test(trail)) return `${lead}${core[0]}O${trail}`;
  // Words run together at a comma or semicolon ("BAHRU,J0HOR") are repaired one by one; a number's comma
  // ("S7,433.90") has digits both sides and does not split it.
  const parts = core.split(/(?<=[A-Za-z])([,;])|([,;])(?=[A-Za-z])/);
  if (parts.length > 1)
    return lead + parts.map((p) => (p && !/^[,;]$/.test(p) ? fixCore(p) : (p ?? ''))).join('') + trail;
  return lead + fixCore(core) + trail;
}

/** The suffix an ordinal number takes in English ("1st", "2nd", "3rd", "11th"). */
function ordinalSuffix(n: string): string {
  const last2 = Number(n.slice(-2));
  if (last2 >= 11 && last2 <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][Number(n.slice(-1))] ?? 'th';
}

const MONTHS = new Set([
  'january',
  'february',
  'april',
  'june',
  'july',
  'september',
  'october',
  'november',
  'december',
]);

function fixCore(core: string): string {
  const letters = (core.match(/[A-Za-z]/g) ?? []).length;
  const digits = (core.match(/[0-9]/g) ?? []).length;
  // A word with zeros standing in for o: only letters and 0s, at least two real letters.
  if (letters >= 2 && /^[A-Za-z0]+$/.test(core) && core.includes('0')) {
    const upper = core.replace(/0/g, '') === core.replace(/0/g, '').toUpperCase();
    return core.replace(/0/g, (_, i: number) => {
      const next = core[i + 1] ?? '';
      if (upper || (i === 0 && /[a-z]/.test(next))) return 'O';
      return 'o';
    });
  }
  // A short word with a zero for its o: "t0", "n0" (lower-case letter first), "0f", "0r" (sentence start).
  if (/^[a-z]0$/.test(core)) return `${core[0]}o`;
  if (/^0[a-z]$/.test(core)) return `O${core[1]}`;
  // Upper case too: "0R 97209" (a US state), "0F", "0N".
  if (/^0[A-Z]$/.test(core)) return `O${core[1]}`;
  // A word with ones standing in for l (lower case) or I (upper case): "1imited", "de1ivery", "1NVOICE".
  if (/^[a-z1]+$/.test(core) && core.includes('1') && (core.match(/[a-z]/g) ?? []).length >= 3) {
    return core.replace(/1/g, 'l');
  }
  // A capitalised word with a 1 between its letters: "Ja1an", "Peta1ing" (a final digit may be a number: "Unit1").
  if (/^[A-Z][a-z1]*[a-z]$/.test(core) && /[a-z]1/.test(core) && (core.match(/[a-z]/g) ?? []).length >= 3) {
    return core.replace(/1/g, 'l');
  }
  if (/^[A-Z1]+$/.test(core) && core.includes('1') && (core.match(/[A-Z]/g) ?? []).length >= 3) {
    return core.replace(/1/g, 'I');
  }
  // A number with look-alike letters: digits and number punctuation, the only letters o/O/l/I (and a leading S,
  // a $ when the number is an amount with cents: "S7,433.90"; a unit or lot number keeps it: "S117, Second Floor").
  if (digits >= 2 && /^S?[0-9oOlI,./:-]+$/.test(core) && /[0-9]/.test(core[core.length - 1] ?? '')) {
    const body = core.startsWith('S') ? core.slice(1) : core;
    const fixed = body.replace(/[oO]/g, '0').replace(/[lI]/g, '1');
    if (!core.startsWith('S')) return fixed;
    return /^[0-9][0-9,]*[.,][0-9]{2}$/.test(fixed) ? `$${fixed}` : `S${fixed}`;
  }
  // An ordinal whose D was read as O or 0 ("3RO FLR" for "3RD FLR", "2NO"): the number says which suffix it takes.
  const ordinal = /^([0-9]+)([NnRr])[O0o]$/.exec(core);
  if (
    ordinal &&
    ordinalSuffix(ordinal[1]!)[1] === 'd' &&
    ordinalSuffix(ordinal[1]!)[0] === ordinal[2]!.toLowerCase()
  )
    return `${ordinal[1]}${ordinal[2]}${ordinal[2] === ordinal[2]!.toUpperCase() ? 'D' : 'd'}`;
  // "1o", "2O": a digit beside a single look-alike letter is a number (two digits or more are handled above).
  if (/^(?:\d[oOlI]|[oOlI]\d)$/.test(core)) return core.replace(/[oO]/, '0').replace(/[lI]/, '1');
  if (/^l[stnf]$/.test(core)) return `I${core[1]}`;
  // A word opening with l before a consonant no English word puts after it is an I: "lnc.", "lnclusive",
  // "lnvoice" (sans-serif l and I are one glyph); "lb", "lbs", "ll…", "ly…" and "lt…" ("ltd") are left.
  if (/^l[cdfghjkmnpqrsvwxz][a-z]+$/.test(core)) return `I${core.slice(1)}`;
  // Month names the recogniser reads with a lower-case first letter; not "may", "march" and "august", which are
  // also ordinary words.
  if (MONTHS.has(core)) return `${core[0]!.toUpperCase()}${core.slice(1)}`;
  return core;
}

/**
 * NOTE: not in PaddleOCR. Line-level spacing repairs on a decoded line, where the recogniser's spaces and the
 * Latin number formats disagree:
 * - "25,2014": a comma between a number and exactly four digits is never a thousands separator, so the space
 *   the recogniser dropped after it is put back ("March 25, 2014");
 * - "$8, 182.01", "$2,731. 00": a space inside a money amount, after its thousands comma or decimal point,
 *   is taken out;
 * - "which;Amount": a sentence mark between a lower-case word and a capitalised one gets its space back, and
 *   so does one between a word of four letters or more and a number ("meeting.3297");
 * - "19,2o05": the year after the comma may hold look-alike letters (fixLatinToken turns them into digits later);
 * - "2012invoice", "02/02/2004on": a four-digit number glued to a lower-case word is split, unless the word is
 *   a unit or suffix ("1000mg", "1990s");
 * - "24/06/20184:37:37": a time glued to a date's four-digit year is split from it.
 * The inserted space sits at the comma's last timestep, so word boxes still split where the gap is.
 */
/** The text with its leading run of digits and digit look-alikes ("2o05") read as digits, when it has two digits. */
function digitsFirst(text: string): string {
  const run = /^[\doOlI]+/.exec(text)?.[0] ?? '';
  if ((run.match(/\d/g) ?? []).length < 2) return text;
  return run.replace(/[oO]/g, '0').replace(/[lI]/g, '1') + text.slice(run.length);
}

/** Whether the text ends in a four-digit number, look-alike letters allowed ("2O12"), standing on its own. */
function yearEnd(text: string): boolean {
  const m = /(?:^|[^\doOlI.])([\doOlI]{4})$/.exec(text);
  return m !== null && (m[1]!.match(/\d/g) ?? []).length >= 2 && /\d$/.test(m[1]!);
}

/** Unit and suffix letters that stay glued to a number ("1000mg", "1920px", "1990s", "2nd"). */
const NUMBER_SUFFIXES = new Set(
  'st nd rd th s am pm mm cm km kg mg ml px pt dpi kb mb gb tb ms hz khz mhz ghz bit bits fps mph kph'.split(
    ' ',
  ),
);

/** A lower-case word of two or more letters, not a unit, right after a four-digit number ("2012invoice"). */
function gluedWord(after: string): boolean {
  const word = /^[a-z]{2,}(?![A-Za-z\d])/.exec(after)?.[0];
  return word !== undefined && !NUMBER_SUFFIXES.has(word);
}

/**
 * A mark read with less confidence than this between two letters stands where the print has a space ("Due.date":
 * its "." at 0.35, where printed marks read at 0.55–0.99 on the scanned invoice).
 */
const GLUED_MARK_PROB = 0.5;
/** Marks the recogniser puts into a word gap it did not read as a space. */
const GAP_MARKS = ".,:;·'`";
/** A gap between two characters this many times the line's median character pitch is a space the recogniser missed. */
const GAP_PITCHES = 2.2;

/** Median centre-to-centre step, in timesteps, between adjacent characters of the line's words. */
function charPitch(chars: readonly DecodedChar[]): number {
  const steps: number[] = [];
  for (let i = 1; i < chars.length; i++) {
    const a = chars[i - 1]!;
    const b = chars[i]!;
    if (a.char !== ' ' && b.char !== ' ') steps.push((b.t0 + b.t1 - a.t0 - a.t1) / 2);
  }
  steps.sort((a, b) => a - b);
  return steps.length >= 3 ? steps[steps.length >> 1]! : Infinity;
}

/**
 * Whether the text starts with a word: two letters, or a run of letters and digits that fixLatinToken reads as a
 * word ("J0HOR" after "BAHRU,").
 */
function startsWord(text: string): boolean {
  if (/^[A-Za-z]{2}/.test(text)) return true;
  const run = /^[A-Za-z][A-Za-z0-9]+/.exec(text)?.[0];
  return run !== undefined && /^[A-Za-z]+$/.test(fixLatinToken(run));
}

/** Marks that hug the word before them however wide the gap reads ("Co .", "50 %"). */
const NO_GAP_SPACE_BEFORE = ',.;:!?)]}%';

export function fixLineSpacing(line: DecodedLine): DecodedLine {
  const chars = line.chars;
  const text = chars.map((c) => c.char).join('');
  // Offsets below index `chars`; only safe while every character is one UTF-16 unit.
  if (text.length !== chars.length) return line;
  const pitch = charPitch(chars);
  const out: DecodedChar[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const before = text.slice(0, i);
    const after = text.slice(i + 1);
    // "Due.date": a faint mark between two letters where the print has a space is that space.
    if (
      GAP_MARKS.includes(c.char) &&
      c.prob < GLUED_MARK_PROB &&
      /[A-Za-z]$/.test(before) &&
      /^[A-Za-z]/.test(after)
    ) {
      out.push({ ...c, char: ' ' });
      continue;
    }
    // "Total:RM8.20", "Tel:03-7722": a colon after a word, glued to what follows, ends the label.
    if (
      c.char === ':' &&
      /[A-Za-z]{2}$/.test(before) &&
      /^[A-Za-z0-9$€£(#]/.test(after) &&
      !after.startsWith('//')
    ) {
      out.push(c, { char: ' ', t0: c.t1, t1: c.t1, prob: c.prob });
      continue;
    }
    // "Cambridge,MA", "27,JALAN", "JAYA,81100": Latin text puts a space after a comma that a word follows, and
    // after one that ends a word before a number (a comma between digits is a thousands separator, kept).
    if (
      c.char === ',' &&
      ((/[A-Za-z0-9]$/.test(before) && startsWord(after)) ||
        (/[A-Za-z]{2}$/.test(before) && /^\d/.test(after)))
    ) {
      out.push(c, { char: ' ', t0: c.t1, t1: c.t1, prob: c.prob });
      continue;
    }
    // A gap as wide as a character or more, where the recogniser put no space (not inside a number: digit gaps
    // vary with the font and the space class handles them, see ctc-decode.ts).
    const prev = out[out.length - 1];
    if (
      prev &&
      prev.char !== ' ' &&
      c.char !== ' ' &&
      !(/\d/.test(prev.char) && /\d/.test(c.char)) &&
      !NO_GAP_SPACE_BEFORE.includes(c.char) &&
      (c.t0 + c.t1 - prev.t0 - prev.t1) / 2 >= GAP_PITCHES * pitch
    )
      out.push({ char: ' ', t0: (prev.t1 + c.t0) / 2, t1: (prev.t1 + c.t0) / 2, prob: c.prob });
    if (c.char === ' ' && /\$\d{1,3},$/.test(before) && /^\d{3}(?!\d)/.test(after)) continue;
    if (c.char === ' ' && /\$[\d,]*\d\.$/.test(before) && /^\d{2}(?!\d)/.test(after)) continue;
    out.push(c);
    const gap = { char: ' ', t0: c.t1, t1: c.t1, prob: c.prob };
    if (c.char === ',' && /\d$/.test(before) && /^\d{4}(?![\d,.]\d|\d)/.test(digitsFirst(after)))
      out.push(gap);
    else if (/[.;:!?]/.test(c.char) && /[a-z]{2}$/.test(before) && /^[A-Z][a-z]/.test(after)) out.push(gap);
    else if (/[.;:!?]/.test(c.char) && /(?:^|[^A-Za-z])[a-z]{4,}$/.test(before) && /^\d{3}/.test(after))
      out.push(gap);
    else if (yearEnd(before + c.char) && gluedWord(after)) out.push(gap);
    // "24/06/20184:37:37": a time glued to the year of a date gets its space back.
    else if (/(?:^|\D)\d{1,2}[/.-]\d{1,2}[/.-]\d{4}$/.test(before + c.char) && /^\d{1,2}:\d{2}/.test(after))
      out.push(gap);
  }
  if (out.length === chars.length && out.every((c, i) => c === chars[i])) return line;
  return { ...line, text: out.map((c) => c.char).join(''), chars: out };
}
