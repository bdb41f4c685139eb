// The truth files of the generated table corpus (one JSON beside each PDF) and the check that a printed PDF
// really shows what its truth says (every cell's text on the page the truth puts it on).
import { readFile } from 'node:fs/promises';
import { documentParams, loadPdfJs } from '../../src/documents/pdfjs-setup.js';
import { gridOf, type GenCell, type GenTable } from './spec.js';

/** One table as it appears on one page (a table split by a page break is one entry per page). */
export interface TruthTable {
  page: number;
  /** Border style and structural feature, e.g. 'zebra' / 'group-header'. */
  style: string;
  feature: string;
  rows: number;
  cols: number;
  /** The first `headerRows` rows are header rows (repeated on every page of a split table). */
  headerRows: number;
  /**
   * rows × cols: each logical cell's text (its lines joined by one space) at its anchor slot (top-left); slots
   * covered by a span are empty.
   */
  grid: string[][];
  /** The cells that span more than one slot, by anchor slot; every other cell is one slot. */
  spans: { row: number; col: number; rowSpan: number; colSpan: number }[];
  /** [part, of] for a table split over pages. */
  part?: [number, number];
}

export interface TruthDoc {
  file: string;
  source: 'chromium' | 'libreoffice';
  seed: number;
  pages: number;
  layout: string;
  font: string;
  fontSize: string;
  tables: TruthTable[];
}

export interface PlacedTable {
  table: GenTable;
  page: number;
  style: string;
  feature: string;
}

function truthOf(t: GenTable, cells: GenCell[], rows: number, page: number, style: string, feature: string) {
  const out: TruthTable = {
    page,
    style,
    feature,
    rows,
    cols: t.cols,
    headerRows: t.headerRows,
    grid: gridOf({ rows, cols: t.cols, cells }),
    spans: cells
      .filter((c) => c.rowSpan > 1 || c.colSpan > 1)
      .sort((a, b) => a.row - b.row || a.col - b.col)
      .map((c) => ({ row: c.row, col: c.col, rowSpan: c.rowSpan, colSpan: c.colSpan })),
  };
  return out;
}

/**
 * Truth entries of a placed table: one per page it is printed on. `breaks` are the rows that start a new page
 * (default: the table's forced break); the header rows are repeated on every page and body rows renumbered from
 * the header down. Spans never cross a break (spec.ts).
 */
export function truthTables(
  p: PlacedTable,
  breaks: number[] = p.table.breakBefore === null ? [] : [p.table.breakBefore],
): { truth: TruthTable; cells: GenCell[] }[] {
  const t = p.table;
  if (!breaks.length)
    return [{ truth: truthOf(t, t.cells, t.rows, p.page, p.style, p.feature), cells: t.cells }];
  const head = t.cells.filter((c) => c.row < t.headerRows);
  const bounds = [t.headerRows, ...breaks, t.rows];
  const out: { truth: TruthTable; cells: GenCell[] }[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const lo = bounds[k] as number;
    const hi = bounds[k + 1] as number;
    const cells = [
      ...head,
      ...t.cells
        .filter((c) => c.row >= lo && c.row < hi)
        .map((c) => ({ ...c, row: c.row - lo + t.headerRows })),
    ];
    const truth = truthOf(t, cells, hi - lo + t.headerRows, p.page + k, p.style, p.feature);
    truth.part = [k + 1, bounds.length - 1];
    out.push({ truth, cells });
  }
  return out;
}

const squash = (s: string): string => s.normalize('NFKC').replace(/\s+/g, '');

/** The text of each page of a PDF (pdf.js text content, whitespace removed), from page 1. */
export async function pageTexts(file: string): Promise<string[]> {
  const pdfjs = await loadPdfJs();
  const task = pdfjs.getDocument(documentParams(new Uint8Array(await readFile(file)), undefined));
  try {
    const doc = await task.promise;
    const out: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const content = await (await doc.getPage(n)).getTextContent();
      out.push(squash(content.items.map((i) => ('str' in i ? i.str : '')).join('')));
    }
    return out;
  } finally {
    await task.destroy();
  }
}

/**
 * Where a table that runs over pages broke: each body row is placed on the first page, from the previous row's
 * on, whose text holds the row's text (its cells in order); a row on a later page than the one before starts a
 * page. For renderers that ignore a forced row break (LibreOffice Writer): the table is made long enough to break
 * by itself and the splits are read back; verifyPdf then checks every cell's page.
 */
export function findBreaks(texts: string[], t: GenTable, what: string): number[] {
  const rowText = (row: number): string =>
    t.cells
      .filter((c) => c.row === row)
      .sort((a, b) => a.col - b.col)
      .map((c) => squash(c.text))
      .join('');
  const breaks: number[] = [];
  let page = 0;
  for (let row = t.headerRows; row < t.rows; row++) {
    const s = rowText(row);
    const at = texts.findIndex((x, i) => i >= page && x.includes(s));
    if (at < 0) throw new Error(`${what}: body row ${row} is on no page`);
    if (at > page && row > t.headerRows) breaks.push(row);
    page = at;
  }
  return breaks;
}

/**
 * Throws unless the PDF has `pages` pages and every line of every truth cell is in the text of its page (pdf.js
 * text content, whitespace removed). Catches a renderer that moved a row to another page or dropped text.
 */
export async function verifyPdf(
  file: string,
  pages: number,
  entries: { truth: TruthTable; cells: GenCell[] }[],
): Promise<void> {
  const texts = await pageTexts(file);
  if (texts.length !== pages) throw new Error(`${file}: ${texts.length} pages, truth says ${pages}`);
  for (const { truth, cells } of entries) {
    const page = texts[truth.page - 1] ?? '';
    for (const c of cells)
      for (const line of c.lines) {
        if (squash(line) && !page.includes(squash(line)))
          throw new Error(
            `${file}: page ${truth.page} lacks cell ${c.row},${c.col} text ${JSON.stringify(line)}`,
          );
      }
  }
}

/** JSON with one grid row or span per line: small, and diffs show which row changed. */
export function formatTruth(doc: TruthDoc): string {
  const { tables, ...head } = doc;
  const table = (t: TruthTable): string => {
    const { grid, spans, ...rest } = t;
    const fields = Object.entries(rest).map(([k, v]) => `"${k}": ${JSON.stringify(v)}`);
    const rows = grid.map((r) => `    ${JSON.stringify(r)}`).join(',\n');
    const sp = spans.map((s) => `    ${JSON.stringify(s)}`).join(',\n');
    return `  {${fields.join(', ')},\n   "grid": [\n${rows}\n   ],\n   "spans": [${sp ? `\n${sp}\n   ` : ''}]}`;
  };
  const fields = Object.entries(head).map(([k, v]) => `"${k}": ${JSON.stringify(v)}`);
  return `{${fields.join(', ')},\n "tables": [\n${tables.map(table).join(',\n')}\n ]}\n`;
}
