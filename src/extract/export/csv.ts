// RFC 4180 CSV: CRLF between records, a field is quoted when it holds a comma, a quote, CR or LF (or starts or
// ends with a space), and quotes inside are doubled. A UTF-8 BOM is not written: RFC 4180 has none, and the
// header row is plain ASCII.
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

/** Tables in long form: one record per cell (file, page, table, row, col, spans, header flag, text, box). */
export function tablesCsv(docs: readonly DocExtraction[]): string {
  return toCsv(CELL_COLUMNS, cellRows(docs));
}
