// XLSX through exceljs. Dates: one sheet of rows with file, page and box. Tables: a "Cells" sheet in long form
// (one row per cell with file, page and box) and one sheet per table laid out as the table, spans merged and
// header rows bold. The workbook is made reproducible: fixed document dates and fixed zip entry times, so the
// same extraction always gives the same bytes (a resumed batch job writes what an uninterrupted one writes).
import ExcelJS from 'exceljs';
import type { Table } from '../../shared/domain.js';
import { CELL_COLUMNS, DATE_COLUMNS, cellRows, dateRows } from './rows.js';
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

function tableSheet(wb: ExcelJS.Workbook, name: string, file: string, t: Table): void {
  const ws = wb.addWorksheet(name);
  ws.addRow([
    `${file}, page ${t.page}, ${t.method}, box [${[t.box.x0, t.box.y0, t.box.x1, t.box.y1].map((v) => Math.round(v * 100) / 100).join(', ')}] pt`,
  ]);
  const top = 2; // sheet row of table row 0
  for (const c of t.cells) {
    const cell = ws.getCell(top + c.row, c.col + 1);
    cell.value = c.text.replace(/\r\n?/g, '\n'); // XML stores line breaks as LF
    if (c.row < t.headerRows) cell.font = { bold: true };
    cell.alignment = { wrapText: c.text.includes('\n'), vertical: 'top' };
    if (c.rowSpan > 1 || c.colSpan > 1) {
      try {
        ws.mergeCells(top + c.row, c.col + 1, top + c.row + c.rowSpan - 1, c.col + c.colSpan);
      } catch {
        // Spans that overlap an earlier merge cannot be merged in a sheet; the text stays in its top-left cell
        // and the Cells sheet keeps the span.
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
  listSheet(wb, 'Cells', CELL_COLUMNS, cellRows(docs));
  const used = new Set(['cells']);
  for (const d of docs) {
    const base = d.file.split(/[\\/]/).pop() ?? d.file;
    d.tables.forEach((t, i) => tableSheet(wb, sheetName(`T${i + 1} p${t.page} ${base}`, used), d.file, t));
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
