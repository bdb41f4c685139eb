// The date parser sees strings, the user sees boxes: this module builds the string of a line from its words
// (so every character has a known word) and maps a matched character span back to a box in page space.
import type { Rect } from '../../shared/geometry.js';
import { unionRect } from '../../shared/geometry.js';
import type { TextPage, Word } from '../../shared/domain.js';

/** A run of text with, for each word, the [start, end) character range it occupies in `text`. */
export interface LineText {
  text: string;
  /** Words of the run, in order. */
  words: Word[];
  /** Character range of each word in `text` (parallel to `words`). */
  spans: Array<{ start: number; end: number }>;
}

/**
 * Joins the words of TextPage line `index` (see joinWords). Line.text is not used: its spacing may not
 * match the words (text-layer runs, OCR), and the box mapping needs every character tied to a word.
 */
export function lineText(page: TextPage, index: number): LineText {
  const line = page.lines[index];
  const words: Word[] = [];
  if (line) {
    for (let i = line.wordStart; i < line.wordEnd; i++) {
      const w = page.words[i];
      if (w && w.text.length > 0) words.push(w);
    }
  }
  return joinWords(words);
}

/** What joins two words more than COLUMN_GAP character widths apart on one line: a column break. */
export const COLUMN_BREAK = ' | ';
const COLUMN_GAP = 2;
/** Words closer than this many character widths are pieces of one word. */
const TOUCHING_GAP = 0.15;

/**
 * Joins words with single spaces; with COLUMN_BREAK across a wide gap on the same line, so that a table row
 * "Row 3      Jan 2010" is not read as "3 Jan 2010"; with nothing between touching pieces of one word. Also
 * joins the end of one line to the start of the next when a date wraps.
 */
export function joinWords(words: readonly Word[]): LineText {
  let text = '';
  const spans: LineText['spans'] = [];
  let prev: Word | undefined;
  for (const w of words) {
    if (prev) text += separator(prev, w);
    spans.push({ start: text.length, end: text.length + w.text.length });
    text += w.text;
    prev = w;
  }
  return { text, words: [...words], spans };
}

/** What goes between two consecutive words of a run. */
function separator(prev: Word, w: Word): string {
  if (prev.line !== w.line) return ' ';
  const gap = w.box.x0 - prev.box.x1;
  const cw = charWidth(prev, w);
  if (gap > COLUMN_GAP * cw) return COLUMN_BREAK;
  // Touching pieces of one word (text-layer items split mid-word, OCR boxes cut at a slash): no space, so
  // "14/03/" + "2025" reads as 14/03/2025.
  if (gap < TOUCHING_GAP * cw) return '';
  return ' ';
}

/** Mean character width of two words (their advance, as the text layer and OCR give no font metrics). */
function charWidth(a: Word, b: Word): number {
  const chars = a.text.length + b.text.length;
  return (a.box.x1 - a.box.x0 + (b.box.x1 - b.box.x0)) / Math.max(chars, 1);
}

/**
 * The box of characters [start, end) of `run`: the union of the words they touch. A word only partly
 * covered is cut proportionally by characters along x (the text is assumed horizontal in page space, which
 * holds for the text layer after /Rotate and for OCR lines). Null when the span touches no word.
 */
export function spanBox(run: LineText, start: number, end: number): Rect | null {
  const parts: Rect[] = [];
  run.spans.forEach((s, i) => {
    const a = Math.max(start, s.start);
    const b = Math.min(end, s.end);
    const w = run.words[i];
    if (b <= a || !w) return;
    const n = s.end - s.start;
    const width = w.box.x1 - w.box.x0;
    parts.push({
      x0: w.box.x0 + (width * (a - s.start)) / n,
      y0: w.box.y0,
      x1: w.box.x0 + (width * (b - s.start)) / n,
      y1: w.box.y1,
    });
  });
  return unionRect(parts);
}
