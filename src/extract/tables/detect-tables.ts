// Entry point of table detection on one page: ruled tables from the page's rulings, borderless tables from the
// words' alignment, each returned as a Table (src/shared/domain.ts) with cells, spans and boxes in page space.
import type { Table, TableCell, TextPage } from '../../shared/domain.js';
import type { Rect } from '../../shared/geometry.js';
import { realignHeaderCells } from './header-cells.js';
import { detectHeaderRows } from './header.js';
import { bandIndex, latticeGrids } from './lattice.js';
import { streamGrids, type StreamGrid } from './stream.js';
import { quarterTurn, segmentToReading, toPage as turnedToPage, toReading } from './orientation.js';
import { median } from './text-lines.js';
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

/** In auto mode a borderless table needs this many rows with words in this many columns, on one line. */
const TABULAR_ROWS = 3;
const TABULAR_COLS = 3;
/** Words of one table row sit on one line: their columns' centres within this fraction of the line height. */
const ROW_ALIGN = 0.3;

/** A line of this many words or more with every gap between them alike is running text. */
const PROSE_WORDS = 6;
/** Gaps alike: the widest at most this many times the narrowest (a word space, justified or not). */
const PROSE_GAPS = 1.35;

/**
 * Whether a line's words are set as running text: PROSE_WORDS or more, every gap between them a word space
 * (pieces that touch, split at a ligature, left aside). In a monospaced font every word of a paragraph stands on
 * the character grid, so its lines line up with any columns; the even spacing still tells them from a table row,
 * whose gaps follow its cells' widths.
 */
function isProseLine(tokens: readonly Token[]): boolean {
  if (tokens.length < PROSE_WORDS) return false;
  const sorted = [...tokens].sort((a, b) => a.box.x0 - b.box.x0);
  const h = median(sorted.map((t) => t.box.y1 - t.box.y0));
  const gaps: number[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const gap = (sorted[i] as Token).box.x0 - (sorted[i - 1] as Token).box.x1;
    if (gap > 0.05 * h) gaps.push(gap);
  }
  if (gaps.length < PROSE_WORDS - 1) return false;
  return Math.max(...gaps) <= PROSE_GAPS * Math.min(...gaps);
}

/**
 * Whether a stream grid reads as a table rather than page layout: at least TABULAR_ROWS rows have words in
 * TABULAR_COLS or more columns (two in a table ruled row by row), and those words share a line. Side-by-side blocks (an address beside "Invoice
 * date … March 14, 2025") put words of different lines into one row, whose centres drift apart line by line.
 */
function looksTabular(g: StreamGrid): boolean {
  const cols = g.rowRuled ? 2 : TABULAR_COLS;
  let aligned = 0;
  for (const row of g.lines) {
    if (isProseLine(row.tokens)) continue;
    const byCol = new Map<number, number[]>();
    const heights: number[] = [];
    for (const t of row.tokens) {
      const cx = (t.box.x0 + t.box.x1) / 2;
      const c = Math.max(0, Math.min(g.xs.length - 2, bandIndex(g.xs, cx)));
      const list = byCol.get(c) ?? [];
      list.push((t.box.y0 + t.box.y1) / 2);
      byCol.set(c, list);
      heights.push(t.box.y1 - t.box.y0);
    }
    if (byCol.size < cols) continue;
    const centres = [...byCol.values()].map((ys) => ys.reduce((a, b) => a + b, 0) / ys.length);
    if (Math.max(...centres) - Math.min(...centres) <= ROW_ALIGN * median(heights)) aligned++;
  }
  return aligned >= TABULAR_ROWS;
}

/** A grid ruled row by row: rules across its width lie between this share of its neighbouring rows or more. */
const RULED_ROW_SHARE = 0.8;

/**
 * Whether a stream grid of two or more columns has its rows ruled apart (a rule across its width between nearly
 * every two neighbouring rows) and three rows with words in two columns or more: a two-column table ruled
 * under every row reads as a table although looksTabular asks for three columns of unruled text.
 */
function rowRuled(g: StreamGrid, rulings: readonly Segment[]): boolean {
  if (g.xs.length - 1 < 2 || g.rows.length < 3) return false;
  const w = g.box.x1 - g.box.x0;
  const rules = rulings.filter(
    (s) => s.orientation === 'h' && Math.min(s.x1, g.box.x1) - Math.max(s.x0, g.box.x0) >= 0.9 * w,
  );
  let ruled = 0;
  for (let i = 1; i < g.rows.length; i++) {
    const a = (g.rows[i - 1] as StreamGrid['rows'][number]).box;
    const b = (g.rows[i] as StreamGrid['rows'][number]).box;
    if (rules.some((s) => s.y0 >= a.y1 - 1 && s.y0 <= b.y0 + 1)) ruled++;
  }
  const filled = g.rows.filter(
    (r) => new Set(r.tokens.map((t) => bandIndex(g.xs, (t.box.x0 + t.box.x1) / 2))).size >= 2,
  ).length;
  return ruled >= Math.max(2, RULED_ROW_SHARE * (g.rows.length - 1)) && filled >= TABULAR_ROWS;
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/** A point turned `deg` degrees clockwise as displayed (y down) about `c`. */
function turnPoint(x: number, y: number, deg: number, c: { x: number; y: number }): { x: number; y: number } {
  const a = (deg * Math.PI) / 180;
  const dx = x - c.x;
  const dy = y - c.y;
  return { x: c.x + dx * Math.cos(a) - dy * Math.sin(a), y: c.y + dx * Math.sin(a) + dy * Math.cos(a) };
}

/** The axis-aligned bounds of a rectangle turned about `c`. */
function turnRect(r: Rect, deg: number, c: { x: number; y: number }): Rect {
  const p = [
    turnPoint(r.x0, r.y0, deg, c),
    turnPoint(r.x1, r.y0, deg, c),
    turnPoint(r.x0, r.y1, deg, c),
    turnPoint(r.x1, r.y1, deg, c),
  ];
  return {
    x0: Math.min(...p.map((q) => q.x)),
    y0: Math.min(...p.map((q) => q.y)),
    x1: Math.max(...p.map((q) => q.x)),
    y1: Math.max(...p.map((q) => q.y)),
  };
}

/**
 * A word's box moved with the turn: its centre turned, its size kept (an OCR box is already the upright bounds
 * of the turned word, so turning the whole box again would only widen it).
 */
function turnBox(r: Rect, deg: number, c: { x: number; y: number }): Rect {
  const m = turnPoint((r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2, deg, c);
  const hw = (r.x1 - r.x0) / 2;
  const hh = (r.y1 - r.y0) / 2;
  return { x0: m.x - hw, y0: m.y - hh, x1: m.x + hw, y1: m.y + hh };
}

/**
 * Tables on a page. `lattice` finds ruled tables (rulings from src/documents/rulings.ts), `stream` finds tables
 * from text alignment, `auto` (default) takes the ruled tables and then looks for borderless ones in the words
 * left outside them. With `area`, only that region is searched; a stream area is read as one table.
 */
export function detectTables(page: TextPage, rulings: readonly Segment[], opts: DetectOptions = {}): Table[] {
  if (opts.exclude?.length) {
    const { exclude, ...others } = opts;
    const inside = (x: number, y: number) =>
      exclude.some((e) => x >= e.x0 && x <= e.x1 && y >= e.y0 && y <= e.y1);
    const kept = rulings.filter((s) => !inside((s.x0 + s.x1) / 2, (s.y0 + s.y1) / 2));
    const share = (t: Rect, e: Rect) =>
      (Math.max(0, Math.min(t.x1, e.x1) - Math.max(t.x0, e.x0)) *
        Math.max(0, Math.min(t.y1, e.y1) - Math.max(t.y0, e.y0))) /
      Math.max(1e-9, (t.x1 - t.x0) * (t.y1 - t.y0));
    return detectTables(page, kept, others).filter((t) => !exclude.some((e) => share(t.box, e) > 1 / 3));
  }
  const { skew, ...rest } = opts;
  if (skew && skew.deg !== 0) {
    const toUpright = (r: Rect) => turnRect(r, -skew.deg, skew.centre);
    const toPage = (r: Rect) => turnRect(r, skew.deg, skew.centre);
    const upright: TextPage = {
      ...page,
      words: page.words.map((w) => ({ ...w, box: turnBox(w.box, -skew.deg, skew.centre) })),
    };
    const area = rest.area && toUpright(rest.area);
    return detectTables(upright, rulings, { ...rest, area }).map((t) => ({
      ...t,
      box: toPage(t.box),
      cells: t.cells.map((c) => ({ ...c, box: toPage(c.box) })),
    }));
  }
  const turn = quarterTurn(page.words, page.lines);
  if (turn !== 0) {
    const { width: w, height: h } = page;
    const upright: TextPage = {
      ...page,
      width: h,
      height: w,
      words: page.words.map((x) => ({ ...x, box: toReading(x.box, turn, w, h) })),
      lines: [],
    };
    const area = rest.area && toReading(rest.area, turn, w, h);
    const segs = rulings.map((s) => segmentToReading(s, turn, w, h));
    return detectTables(upright, segs, { ...rest, area }).map((t) => ({
      ...t,
      page: page.page,
      box: turnedToPage(t.box, turn, w, h),
      cells: t.cells.map((c) => ({ ...c, box: turnedToPage(c.box, turn, w, h) })),
    }));
  }
  const mode = opts.mode ?? 'auto';
  const tokens: Token[] = page.words.map((w) => ({ text: w.text, box: w.box }));
  const tables: Table[] = [];
  if (mode !== 'stream') {
    for (const g of latticeGrids(rulings, tokens, opts.area)) {
      tables.push(toTable(page.page, 'lattice', g.box, g.ys.length - 1, g.xs.length - 1, g.cells));
    }
  }
  if (mode === 'stream' || (mode === 'auto' && (tables.length === 0 || !opts.area))) {
    const ruled = tables.map((t) => t.box);
    const rest = tokens.filter((t) => !ruled.some((b) => centreInside(t, b)));
    // Looking for tables in a whole page (auto, no area or columns given), text blocks that only line up
    // loosely are layout, not tables: an address beside key/value pairs, totals, two-column details.
    const guessing = mode === 'auto' && !opts.area && !opts.columns?.length;
    for (const g of streamGrids(rest, opts.area, opts.columns, rulings, guessing)) {
      if (guessing && (!(looksTabular(g) || rowRuled(g, rulings)) || ruled.some((b) => overlaps(b, g.box))))
        continue;
      const cells = realignHeaderCells(
        g.cells,
        g.rows.length,
        g.xs.length - 1,
        detectHeaderRows(g.cells, g.rows.length, g.xs.length - 1),
        rest,
        rulings,
      );
      tables.push(toTable(page.page, 'stream', g.box, g.rows.length, g.xs.length - 1, cells));
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
