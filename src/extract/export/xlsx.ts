// XLSX through exceljs. Dates: one sheet of rows with file, page and box. Tables: an Index sheet (file, page,
// table, method, size, header rows, box; a link to each table's sheet) and one sheet per table laid out as the
// table: header rows bold and frozen, spans merged, numbers / money / percentages / dates as typed cells with a
// number format (the printed text in a cell note when the format does not show it exactly). The workbook is made
// reproducible: fixed document dates and fixed zip entry times, so the same extraction always gives the same
// bytes (a resumed batch job writes what an uninterrupted one writes).
import ExcelJS from 'exceljs';
import type { Table } from '../../shared/domain.js';
import { lastPage } from './csv.js';
import { DATE_COLUMNS, dateRows } from './rows.js';
import { typeCell } from './typed.js';
import type { DocExtraction } from './types.js';

const FIXED_DATE = new Date(Date.UTC(2000, 0, 1));

function workbook(): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'DocLens';
  wb.lastModifiedBy = 'DocLens';
  wb.created = FIXED_DATE;
  wb.modified = FIXED_DATE;
  return wb;
}

function listSheet(wb: ExcelJS.Workbook, name: string, header: readonly string[], rows: unknown[][]): void {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow([...header]).font = { bold: true };
  for (const r of rows) ws.addRow(r);
}

/** Excel sheet names: ≤ 31 characters, none of []:*?/\ and unique in the workbook (case-insensitive). */
function sheetName(base: string, used: Set<string>): string {
  const clean = base.replace(/[[\]:*?/\\]/g, '_').slice(0, 31);
  let name = clean;
  for (let n = 2; used.has(name.toLowerCase()); n++) name = `${clean.slice(0, 31 - `~${n}`.length)}~${n}`;
  used.add(name.toLowerCase());
  return name;
}

export const INDEX_COLUMNS = [
  'sheet',
  'file',
  'page',
  'table',
  'method',
  'rows',
  'cols',
  'header_rows',
  'x0',
  'y0',
  'x1',
  'y1',
  'last_page',
] as const;

function tableSheet(wb: ExcelJS.Workbook, name: string, t: Table): void {
  const ws = wb.addWorksheet(
    name,
    t.headerRows > 0 ? { views: [{ state: 'frozen', ySplit: t.headerRows }] } : {},
  );
  for (const c of t.cells) {
    const cell = ws.getCell(c.row + 1, c.col + 1);
    const text = c.text.replace(/\r\n?/g, '\n'); // XML stores line breaks as LF
    const typed = c.row >= t.headerRows ? typeCell(text) : null;
    if (typed) {
      cell.value = typed.value;
      cell.numFmt = typed.numFmt;
      if (typed.shown !== text.trim()) cell.note = `Printed as: ${text}`;
    } else cell.value = text;
    if (c.row < t.headerRows) cell.font = { bold: true };
    // A table continued over pages: where each part starts, so the sheet still points at the page.
    const part =
      t.parts && t.parts.length > 1 && c.col === 0 ? t.parts.find((p) => p.firstRow === c.row) : undefined;
    if (part && c.row > 0 && !cell.note) cell.note = `Page ${part.page} from here`;
    cell.alignment = { wrapText: text.includes('\n'), vertical: 'top' };
    if (c.rowSpan > 1 || c.colSpan > 1) {
      try {
        ws.mergeCells(c.row + 1, c.col + 1, c.row + c.rowSpan, c.col + c.colSpan);
      } catch {
        // Spans that overlap an earlier merge cannot be merged in a sheet; the text stays in its top-left cell
        // (the JSON output keeps the span).
      }
    }
  }
}

export async function datesXlsx(docs: readonly DocExtraction[]): Promise<Uint8Array> {
  const wb = workbook();
  listSheet(wb, 'Dates', DATE_COLUMNS, dateRows(docs));
  return fixZipTimes(new Uint8Array(await wb.xlsx.writeBuffer()));
}

export async function tablesXlsx(docs: readonly DocExtraction[]): Promise<Uint8Array> {
  const wb = workbook();
  const index = wb.addWorksheet('Index', { views: [{ state: 'frozen', ySplit: 1 }] });
  index.addRow([...INDEX_COLUMNS]).font = { bold: true };
  const used = new Set(['index']);
  for (const d of docs) {
    const base = d.file.split(/[\\/]/).pop() ?? d.file;
    d.tables.forEach((t, i) => {
      const name = sheetName(`T${i + 1} p${t.page} ${base}`, used);
      tableSheet(wb, name, t);
      const r = (v: number): number => Math.round(v * 100) / 100;
      const row = index.addRow([
        name,
        d.file,
        t.page,
        i + 1,
        t.method,
        t.rows,
        t.cols,
        t.headerRows,
        r(t.box.x0),
        r(t.box.y0),
        r(t.box.x1),
        r(t.box.y1),
        lastPage(t),
      ]);
      row.getCell(1).value = { text: name, hyperlink: `#'${name.replace(/'/g, "''")}'!A1` };
    });
  }
  return fixZipTimes(new Uint8Array(await wb.xlsx.writeBuffer()));
}

/**
 * Sets every entry's DOS modification time in a zip (local headers and central directory) to 1980-01-01 00:00,
 * the zip epoch. exceljs (JSZip) stamps entries with the time of writing. Throws on a malformed archive.
 */
export function fixZipTimes(zip: Uint8Array): Uint8Array {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (v.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('xlsx: zip end-of-central-directory record not found');
  const count = v.getUint16(eocd + 10, true);
  let p = v.getUint32(eocd + 16, true);
  const DOS_DATE = (0 << 9) | (1 << 5) | 1;
  for (let k = 0; k < count; k++) {
    if (v.getUint32(p, true) !== 0x02014b50) throw new Error('xlsx: bad central directory entry');
    v.setUint16(p + 12, 0, true);
    v.setUint16(p + 14, DOS_DATE, true);
    const local = v.getUint32(p + 42, true);
    if (v.getUint32(local, true) !== 0x04034b50) throw new Error('xlsx: bad local file header');
    v.setUint16(local + 10, 0, true);
    v.setUint16(local + 12, DOS_DATE, true);
    p += 46 + v.getUint16(p + 28, true) + v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
  }
  return zip;
}
