// Word-level repairs for the look-alike characters a recogniser without a language model confuses in Latin
// text (0/O/o, 1/l/I, $/S). The PP-OCR recogniser reads glyphs, not words, so "0ctober" and "S7,433.90"
// come out of it as often as the right thing; a token's other characters say which class it belongs to.
import type { DecodedChar, DecodedLine } from './ctc-decode.js';

const LEAD = /^[("'[{“‘]+/;
const TRAIL = /[)"'\]}.,;:!?”’]+$/;

/**
 * NOTE: not in PaddleOCR. Repairs one whitespace-free token:
 * - a word of letters with a stray 0 ("c0ntract", "0ctober") gets o / O;
 * - a number with stray letters ("2o05", "l999") gets digits, and a leading S before a digit is a $;
 * - "ls", "lt", "ln", "lf" are "Is", "It", "In", "If" (sans-serif l and I are the same glyph).
 */
export function fixLatinToken(token: string): string {
  const lead = LEAD.exec(token)?.[0] ?? '';
  const rest = token.slice(lead.length);
  const trail = TRAIL.exec(rest)?.[0] ?? '';
  const core = rest.slice(0, rest.length - trail.length);
  if (core === '') return token;
  return lead + fixCore(core) + trail;
}

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
  // A number with look-alike letters: digits and number punctuation, the only letters o/O/l/I (and a leading S).
  if (digits >= 2 && /^S?[0-9oOlI,./:-]+$/.test(core) && /[0-9]/.test(core[core.length - 1] ?? '')) {
    const body = core.startsWith('S') ? core.slice(1) : core;
    const fixed = body.replace(/[oO]/g, '0').replace(/[lI]/g, '1');
    return (core.startsWith('S') && /^[0-9]/.test(fixed) ? '$' : '') + fixed;
  }
  if (/^l[stnf]$/.test(core)) return `I${core[1]}`;
  return core;
}

/**
 * NOTE: not in PaddleOCR. Line-level spacing repairs on a decoded line, where the recogniser's spaces and the
 * Latin number formats disagree:
 * - "25,2014": a comma between a number and exactly four digits is never a thousands separator, so the space
 *   the recogniser dropped after it is put back ("March 25, 2014");
 * - "$8, 182.01": a space after the comma of a money amount, before exactly three digits, is taken out.
 * The inserted space sits at the comma's last timestep, so word boxes still split where the gap is.
 */
export function fixLineSpacing(line: DecodedLine): DecodedLine {
  const chars = line.chars;
  const text = chars.map((c) => c.char).join('');
  // Offsets below index `chars`; only safe while every character is one UTF-16 unit.
  if (text.length !== chars.length) return line;
  const out: DecodedChar[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c.char === ' ' && /\$\d{1,3},$/.test(text.slice(0, i)) && /^\d{3}(?!\d)/.test(text.slice(i + 1)))
      continue;
    out.push(c);
    if (c.char === ',' && /\d$/.test(text.slice(0, i)) && /^\d{4}(?![\d,.]\d|\d)/.test(text.slice(i + 1))) {
      out.push({ char: ' ', t0: c.t1, t1: c.t1, prob: c.prob });
    }
  }
  if (out.length === chars.length && out.every((c, i) => c === chars[i])) return line;
  return { ...line, text: out.map((c) => c.char).join(''), chars: out };
}
