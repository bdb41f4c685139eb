// Markdown (GitHub tables): dates as one table with file, page and box; each extracted table as its own grid
// under a heading naming file, page and box. Pipes are escaped and line breaks become <br>.
import type { Table } from '../../shared/domain.js';
import { lastPage } from './csv.js';
import { round2 } from './types.js';
import type { DocExtraction } from './types.js';

export function mdCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r\n|\r|\n/g, '<br>')
    .trim();
}

function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(mdCell).join(' | ')} |`;
  return [line(header), `|${header.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}

function box(b: { x0: number; y0: number; x1: number; y1: number }): string {
  return `[${round2(b.x0)}, ${round2(b.y0)}, ${round2(b.x1)}, ${round2(b.y1)}]`;
}

export function datesMarkdown(docs: readonly DocExtraction[]): string {
  const rows = docs.flatMap((d) =>
    d.dates.map((h) => [d.file, String(h.box.page), h.iso, h.precision, h.text, box(h.box)]),
  );
  return `# Dates\n\n${mdTable(['file', 'page', 'date', 'precision', 'text', 'box (pt)'], rows)}\n`;
}

/** A table's grid with spans filled in place (a spanning cell's text in its top-left slot). */
function grid(t: Table): string[][] {
  const g = Array.from({ length: t.rows }, () => Array.from({ length: t.cols }, () => ''));
  for (const c of t.cells) {
    const row = g[c.row];
    if (row && c.col < row.length) row[c.col] = c.text;
  }
  return g;
}

export function tablesMarkdown(docs: readonly DocExtraction[]): string {
  const parts = ['# Tables\n'];
  for (const d of docs) {
    d.tables.forEach((t, i) => {
      const g = grid(t);
      const headerRows = Math.min(Math.max(t.headerRows, 1), g.length);
      // Markdown has one header row: several header rows are joined per column.
      const header =
        t.headerRows > 0
          ? Array.from({ length: t.cols }, (_, c) =>
              g
                .slice(0, headerRows)
                .map((r) => r[c] ?? '')
                .filter((s) => s !== '')
                .join(' '),
            )
          : Array.from({ length: t.cols }, (_, c) => `Column ${c + 1}`);
      const body = t.headerRows > 0 ? g.slice(headerRows) : g;
      // A table continued over pages: its pages in the heading, each page's box and rows under it.
      const pages = t.parts && t.parts.length > 1 ? `pages ${t.page}–${lastPage(t)}` : `page ${t.page}`;
      const boxes =
        t.parts && t.parts.length > 1
          ? t.parts
              .map(
                (p) => `page ${p.page}: rows ${p.firstRow + 1}–${p.firstRow + p.rows}, box ${box(p.box)} pt`,
              )
              .join('; ')
          : `box ${box(t.box)} pt`;
      parts.push(
        `## ${mdCell(d.file)}: ${pages}, table ${i + 1}\n\n${t.method}, ${t.rows} × ${t.cols}, ${boxes}\n\n${mdTable(header, body)}\n`,
      );
    });
  }
  return parts.join('\n');
}
