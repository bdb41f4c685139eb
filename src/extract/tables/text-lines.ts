// Groups words into visual lines and lines into cell text: the one place that decides how a multi-line cell
// reads (' ' between words, '\n' between lines — the convention of tabula's and camelot's expected CSVs).
import type { Rect } from '../../shared/geometry.js';
import type { Token } from './types.js';

export interface TextRow<T extends Token = Token> {
  tokens: T[];
  box: Rect;
}

function centreY(b: Rect): number {
  return (b.y0 + b.y1) / 2;
}

/**
 * Words sorted into rows top to bottom: a word joins the row above when its vertical centre lies inside that
 * row's band (so superscripts and subscripts stay on their line), otherwise it starts a new row.
 */
export function groupRows<T extends Token>(tokens: readonly T[]): TextRow<T>[] {
  const sorted = [...tokens].sort((a, b) => centreY(a.box) - centreY(b.box) || a.box.x0 - b.box.x0);
  const rows: TextRow<T>[] = [];
  for (const t of sorted) {
    const last = rows[rows.length - 1];
    const c = centreY(t.box);
    if (last && c < last.box.y1 - 0.1 * (last.box.y1 - last.box.y0) && c > last.box.y0) {
      last.tokens.push(t);
      last.box = {
        x0: Math.min(last.box.x0, t.box.x0),
        y0: Math.min(last.box.y0, t.box.y0),
        x1: Math.max(last.box.x1, t.box.x1),
        y1: Math.max(last.box.y1, t.box.y1),
      };
    } else {
      rows.push({ tokens: [t], box: { ...t.box } });
    }
  }
  for (const r of rows) r.tokens.sort((a, b) => a.box.x0 - b.box.x0);
  return rows;
}

/**
 * Words of one line (left to right) as text: ' ' between words, nothing between pieces that touch (a word the
 * text layer split at a ligature, 'fi' + 'rst' as Chromium prints "first", has no gap inside).
 */
export function lineText(tokens: readonly Token[]): string {
  let out = '';
  let prev: Token | undefined;
  for (const t of tokens) {
    if (prev) {
      const h = Math.min(prev.box.y1 - prev.box.y0, t.box.y1 - t.box.y0);
      out += t.box.x0 - prev.box.x1 < 0.05 * h ? '' : ' ';
    }
    out += t.text;
    prev = t;
  }
  return out;
}

/** The text of the words in one cell: words of a line joined as lineText does, lines with '\n'. */
export function cellText(tokens: readonly Token[]): string {
  return groupRows(tokens)
    .map((r) => lineText(r.tokens))
    .join('\n');
}

/** A caption naming its table: "Table 3.", "Tab. 2", "Tableau 4", "Tabelle 1", "Cuadro 5", "Exhibit 2". */
export const TABLE_CAPTION = /^(?:table|tab\.|tableau|tabelle|tabla|cuadro|exhibit)\s*[0-9IVXLivxl]+[.:\s-]/i;

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}
