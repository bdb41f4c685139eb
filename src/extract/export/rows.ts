// Flat rows of an extraction: one row per date and one row per table cell, with file, page and box. CSV, XLSX and
// Markdown are views of these rows, so every format carries the same values.
import type { DocExtraction } from './types.js';
import { round2 } from './types.js';

export const DATE_COLUMNS = [
  'file',
  'page',
  'iso',
  'precision',
  'text',
  'source',
  'x0',
  'y0',
  'x1',
  'y1',
] as const;

export const CELL_COLUMNS = [
  'file',
  'page',
  'table',
  'row',
  'col',
  'row_span',
  'col_span',
  'header',
  'text',
  'x0',
  'y0',
  'x1',
  'y1',
] as const;

export type Cell = string | number | boolean;

export function dateRows(docs: readonly DocExtraction[]): Cell[][] {
  const out: Cell[][] = [];
  for (const d of docs) {
    for (const h of d.dates) {
      const b = h.box;
      out.push([
        d.file,
        b.page,
        h.iso,
        h.precision,
        h.text,
        h.source,
        round2(b.x0),
        round2(b.y0),
        round2(b.x1),
        round2(b.y1),
      ]);
    }
  }
  return out;
}

/**
 * One row per table cell; `table` is the table's number (1-based) within its document, in the order the tables are
 * listed, and `page` the cell's own page (a table continued over pages has cells on each).
 */
export function cellRows(docs: readonly DocExtraction[]): Cell[][] {
  const out: Cell[][] = [];
  for (const d of docs) {
    d.tables.forEach((t, ti) => {
      const cells = [...t.cells].sort((a, b) => a.row - b.row || a.col - b.col);
      for (const c of cells) {
        out.push([
          d.file,
          c.page ?? t.page,
          ti + 1,
          c.row,
          c.col,
          c.rowSpan,
          c.colSpan,
          c.row < t.headerRows,
          c.text,
          round2(c.box.x0),
          round2(c.box.y0),
          round2(c.box.x1),
          round2(c.box.y1),
        ]);
      }
    });
  }
  return out;
}
