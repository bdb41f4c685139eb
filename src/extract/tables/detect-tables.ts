// Entry point of table detection on one page: ruled tables from the page's rulings, borderless tables from the
// words' alignment, each returned as a Table (src/shared/domain.ts) with cells, spans and boxes in page space.
import type { Table, TableCell, TextPage } from '../../shared/domain.js';
import type { Rect } from '../../shared/geometry.js';
import { detectHeaderRows } from './header.js';
import { latticeGrids } from './lattice.js';
import { streamGrids } from './stream.js';
import type { DetectOptions, Segment, Token } from './types.js';

function toTable(
  page: number,
  method: Table['method'],
  box: Rect,
  rows: number,
  cols: number,
  cells: TableCell[],
): Table {
  return { page, box, method, rows, cols, headerRows: detectHeaderRows(cells, rows, cols), cells };
}

function centreInside(t: Token, r: Rect): boolean {
  const cx = (t.box.x0 + t.box.x1) / 2;
  const cy = (t.box.y0 + t.box.y1) / 2;
  return cx >= r.x0 && cx <= r.x1 && cy >= r.y0 && cy <= r.y1;
}

/**
 * Tables on a page. `lattice` finds ruled tables (rulings from src/documents/rulings.ts), `stream` finds tables
 * from text alignment, `auto` (default) takes the ruled tables and then looks for borderless ones in the words
 * left outside them. With `area`, only that region is searched; a stream area is read as one table.
 */
export function detectTables(page: TextPage, rulings: readonly Segment[], opts: DetectOptions = {}): Table[] {
  const mode = opts.mode ?? 'auto';
  const tokens: Token[] = page.words.map((w) => ({ text: w.text, box: w.box }));
  const tables: Table[] = [];
  if (mode !== 'stream') {
    for (const g of latticeGrids(rulings, tokens, opts.area)) {
      tables.push(toTable(page.page, 'lattice', g.box, g.ys.length - 1, g.xs.length - 1, g.cells));
    }
  }
  if (mode === 'stream' || (mode === 'auto' && (tables.length === 0 || !opts.area))) {
    const rest = tokens.filter((t) => !tables.some((tb) => centreInside(t, tb.box)));
    for (const g of streamGrids(rest, opts.area, opts.columns)) {
      tables.push(toTable(page.page, 'stream', g.box, g.rows.length, g.xs.length - 1, g.cells));
    }
  }
  return tables.sort((a, b) => a.box.y0 - b.box.y0 || a.box.x0 - b.box.x0);
}

/**
 * The table as a dense grid of strings (rows × cols). A spanning cell's text sits in its top-left slot and the
 * slots it covers are empty, unless `fillSpans` copies it down ('v'), across ('h') or both.
 */
export function tableToGrid(
  table: Table,
  opts: { fillSpans?: 'none' | 'v' | 'h' | 'both' } = {},
): string[][] {
  const fill = opts.fillSpans ?? 'none';
  const grid = Array.from({ length: table.rows }, () => Array.from({ length: table.cols }, () => ''));
  for (const c of table.cells) {
    for (let r = c.row; r < c.row + c.rowSpan && r < table.rows; r++) {
      for (let k = c.col; k < c.col + c.colSpan && k < table.cols; k++) {
        const anchor = r === c.row && k === c.col;
        const copy = (fill === 'v' && k === c.col) || (fill === 'h' && r === c.row) || fill === 'both';
        if (anchor || copy) (grid[r] as string[])[k] = c.text;
      }
    }
  }
  return grid;
}
