// RFC 4180 CSV: CRLF between records, a field is quoted when it holds a comma, a quote, CR or LF (or starts or
// ends with a space), and quotes inside are doubled. A UTF-8 BOM is not written: RFC 4180 has none. Tables are
// written as their grids (what a spreadsheet or pandas reads as the table); dates as one record per date.
import type { Table } from '../../shared/domain.js';
import type { Cell } from './rows.js';
import { CELL_COLUMNS, DATE_COLUMNS, cellRows, dateRows } from './rows.js';
import type { DocExtraction } from './types.js';

export function csvField(v: Cell): string {
  const s = typeof v === 'string' ? v : typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',') + '\r\n').join('');
}

export function datesCsv(docs: readonly DocExtraction[]): string {
  return toCsv(DATE_COLUMNS, dateRows(docs));
}

/** How a table's spanned slots are written: left empty (the text in the top-left slot only) or repeated. */
export type SpanFill = 'empty' | 'repeat';

export interface TableCsvOptions {
  spans?: SpanFill;
}

/** rows × cols of a table: each cell's text at its top-left slot, and in every slot it covers with 'repeat'. */
export function tableGrid(t: Table, spans: SpanFill = 'empty'): string[][] {
  const grid = Array.from({ length: t.rows }, () => Array.from({ length: t.cols }, () => ''));
  for (const c of t.cells)
    for (let r = c.row; r < Math.min(t.rows, c.row + c.rowSpan); r++)
      for (let k = c.col; k < Math.min(t.cols, c.col + c.colSpan); k++)
        if ((r === c.row && k === c.col) || spans === 'repeat') (grid[r] as string[])[k] = c.text;
  return grid;
}

/** One table as CSV: its grid, header rows first, nothing else. */
export function tableCsv(t: Table, opts: TableCsvOptions = {}): string {
  return tableGrid(t, opts.spans)
    .map((r) => r.map(csvField).join(',') + '\r\n')
    .join('');
}

/**
 * The title record of a table in a CSV holding several: which file, page and table the grid below is. A table
 * continued over pages names its first and last page ("page: 3-4").
 */
export function tableTitle(file: string, page: number, table: number, lastPage = page): string {
  return `file: ${file}; page: ${lastPage > page ? `${page}-${lastPage}` : page}; table: ${table}`;
}

/** The last page of a table: that of its last part when it continues over pages. */
export function lastPage(t: Table): number {
  return t.parts?.[t.parts.length - 1]?.page ?? t.page;
}

/** The file, page (the first, and the last for a table over pages) and table of a title record, or null. */
export function parseTableTitle(
  record: readonly string[],
): { file: string; page: number; lastPage: number; table: number } | null {
  const m =
    record.length === 1 ? /^file: (.*); page: (\d+)(?:-(\d+))?; table: (\d+)$/s.exec(record[0] ?? '') : null;
  return m
    ? { file: m[1] as string, page: Number(m[2]), lastPage: Number(m[3] ?? m[2]), table: Number(m[4]) }
    : null;
}

/**
 * Tables as grids. One table: its grid alone (header first). Several (several tables or documents): each grid
 * preceded by one title record (tableTitle: file, page, table number within its file) and followed by an empty
 * record, so a spreadsheet shows the tables one under another. Boxes are in the JSON and XLSX outputs.
 */
export function tablesCsv(docs: readonly DocExtraction[], opts: TableCsvOptions = {}): string {
  const all = docs.flatMap((d) => d.tables.map((t, i) => ({ file: d.file, t, n: i + 1 })));
  if (all.length === 1) return tableCsv((all[0] as (typeof all)[number]).t, opts);
  return all
    .map((x) => `${csvField(tableTitle(x.file, x.t.page, x.n, lastPage(x.t)))}\r\n${tableCsv(x.t, opts)}\r\n`)
    .join('');
}

/** Tables in long form: one record per cell with file, page, table, spans, header flag, text and box. */
export function cellsCsv(docs: readonly DocExtraction[]): string {
  return toCsv(CELL_COLUMNS, cellRows(docs));
}
