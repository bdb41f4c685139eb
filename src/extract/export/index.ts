// Exporters for extracted dates and tables: CSV (RFC 4180; tables as grids), XLSX (exceljs; typed cells, an index
// sheet and a sheet per table), JSON (with boxes) and Markdown.
import { datesCsv, tablesCsv, type TableCsvOptions } from './csv.js';
import { toJson } from './json.js';
import { datesMarkdown, tablesMarkdown } from './markdown.js';
import type { DocExtraction, ExportFormatName, ExportKind } from './types.js';
import { MIME } from './types.js';
import { datesXlsx, tablesXlsx } from './xlsx.js';
import { chartsCsv, chartsJson, chartsMarkdown, chartsXlsx } from './charts.js';

export { CHART_COLUMNS, chartGrid, chartsCsv, chartsJson, chartsMarkdown, chartsXlsx } from './charts.js';

export {
  cellsCsv,
  csvField,
  datesCsv,
  lastPage,
  tableCsv,
  tableGrid,
  tablesCsv,
  tableTitle,
  parseTableTitle,
  toCsv,
  type SpanFill,
  type TableCsvOptions,
} from './csv.js';
export { toJson } from './json.js';
export { datesMarkdown, mdCell, tablesMarkdown } from './markdown.js';
export { CELL_COLUMNS, DATE_COLUMNS, cellRows, dateRows } from './rows.js';
export { MIME, type DocExtraction, type ExportFormatName, type ExportKind } from './types.js';
export { typeCell, type TypedCell } from './typed.js';
export { datesXlsx, fixZipTimes, INDEX_COLUMNS, tablesXlsx } from './xlsx.js';

export const EXTENSION: Record<ExportFormatName, string> = {
  csv: 'csv',
  xlsx: 'xlsx',
  json: 'json',
  md: 'md',
};

/** The bytes of one kind in one format, for any number of documents (the same bytes for the same input). */
export async function exportExtraction(
  kind: ExportKind,
  format: ExportFormatName,
  docs: readonly DocExtraction[],
  opts: TableCsvOptions = {},
): Promise<{ mime: string; bytes: Uint8Array }> {
  const text = (s: string) => new TextEncoder().encode(s);
  let bytes: Uint8Array;
  if (kind === 'charts') {
    const s = { csv: chartsCsv, json: chartsJson, md: chartsMarkdown, xlsx: null }[format];
    return { mime: MIME[format], bytes: s ? text(s(docs)) : await chartsXlsx(docs) };
  }
  switch (format) {
    case 'csv':
      bytes = text(kind === 'dates' ? datesCsv(docs) : tablesCsv(docs, opts));
      break;
    case 'json':
      bytes = text(toJson(kind, docs));
      break;
    case 'md':
      bytes = text(kind === 'dates' ? datesMarkdown(docs) : tablesMarkdown(docs));
      break;
    case 'xlsx':
      bytes = kind === 'dates' ? await datesXlsx(docs) : await tablesXlsx(docs);
      break;
  }
  return { mime: MIME[format], bytes };
}
