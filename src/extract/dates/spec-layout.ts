// Lays out a page spec (lines of text at positions) the way a PDF drawn with the standard Courier or
// Helvetica font would place it, and builds the text layer such a PDF would have. Kept apart from the
// labelled set's generator so the documents room can draw the same specs with pdf-lib and get the same
// word boxes (standard-14 font metrics are fixed, so no font file is needed).
import type { Line, TextPage, Word } from '../../shared/domain.js';
import type { Rect } from '../../shared/geometry.js';

export type SpecFont = 'Courier' | 'Helvetica';

export interface SpecLine {
  /** `\t` moves to the next table column stop (COLUMN_STOP points apart from x). */
  text: string;
  /** Left edge and top of the line, in points (page space: origin top-left, y down). */
  x: number;
  y: number;
  /** Font size in points; a word's box is [y, y + size]. */
  size: number;
  font: SpecFont;
}

export interface SpecPage {
  page: number;
  width: number;
  height: number;
  lines: SpecLine[];
}

/** Distance between table column stops, in points; a tab leaves at least 1.5 em before the next cell. */
export const COLUMN_STOP = 130;

// Helvetica advance widths (AFM, per 1000 em) for printable ASCII 32..126; Courier is 600 throughout.
// prettier-ignore
const HELVETICA_ASCII = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
const HELVETICA_OTHER: Record<string, number> = { '€': 556, '£': 556, '§': 556, '–': 556, '—': 1000 };

/** Advance of one character in em (fraction of the font size). */
export function advance(font: SpecFont, ch: string): number {
  if (font === 'Courier') return 0.6;
  const code = ch.charCodeAt(0);
  const w = code >= 32 && code <= 126 ? HELVETICA_ASCII[code - 32] : HELVETICA_OTHER[ch];
  return (w ?? 556) / 1000;
}

/** x of every character boundary of the line: xs[i] is the left of character i, xs[length] the right end. */
export function layoutLine(line: SpecLine): number[] {
  const xs = [line.x];
  let x = line.x;
  for (const ch of line.text) {
    if (ch === '\t') x = line.x + COLUMN_STOP * Math.ceil((x - line.x + 1.5 * line.size) / COLUMN_STOP);
    else x += advance(line.font, ch) * line.size;
    // A character outside the BMP is two UTF-16 units: give both the same boundary.
    for (let k = 1; k < ch.length; k++) xs.push(xs[xs.length - 1] ?? x);
    xs.push(x);
  }
  return xs;
}

/** Box of characters [start, end) (UTF-16 indices) of a spec line. */
export function spanRect(line: SpecLine, start: number, end: number): Rect {
  const xs = layoutLine(line);
  const at = (i: number) => xs[Math.max(0, Math.min(i, xs.length - 1))] ?? line.x;
  return { x0: at(start), y0: line.y, x1: at(end), y1: line.y + line.size };
}

/** The text layer of the spec drawn into a PDF: one TextPage line per spec line, words split on whitespace. */
export function specToTextPage(spec: SpecPage): TextPage {
  const words: Word[] = [];
  const lines: Line[] = [];
  spec.lines.forEach((line, li) => {
    const xs = layoutLine(line);
    const x = (i: number) => xs[i] ?? line.x;
    const wordStart = words.length;
    for (const m of line.text.matchAll(/\S+/g)) {
      const box = { x0: x(m.index), y0: line.y, x1: x(m.index + m[0].length), y1: line.y + line.size };
      words.push({ text: m[0], box, line: li, confidence: 1 });
    }
    const first = words[wordStart];
    const last = words[words.length - 1];
    const box =
      first && last && words.length > wordStart
        ? { x0: first.box.x0, y0: line.y, x1: last.box.x1, y1: line.y + line.size }
        : { x0: line.x, y0: line.y, x1: line.x, y1: line.y + line.size };
    lines.push({ text: line.text.replace(/\s+/g, ' ').trim(), box, wordStart, wordEnd: words.length });
  });
  return { page: spec.page, width: spec.width, height: spec.height, source: 'text-layer', words, lines };
}
