// Header cells of a table whose columns come from its body (stream tables, partly ruled or not): a header set
// left over figures set right sits off the body's columns, so two headings can land in one column and leave the
// next empty ("Growth Rate" | ""). This re-places each header line's text chunks, one column each, in order.
import type { TableCell } from '../../shared/domain.js';
import { bandIndex } from './lattice.js';
import { chunks, type Chunk } from './stream.js';
import { groupRows, lineText } from './text-lines.js';
import type { Segment, Token } from './types.js';

/** Cost of leaving a chunk in a column another chunk of its line already holds. */
const SHARE_COST = 1.5;
/** Cost of a chunk that does not start where a heading of its column would (see realignHeaderCells). */
const OFF_COST = 1;
/** Cost of moving a chunk off the column the body's columns gave it. */
const MOVE_COST = 0.25;
/** Points a word may stand past its cell's content bounds (glyph overhang, rounding). */
const TOL = 1;

/**
 * Where each chunk of one header line goes: columns in reading order (a column may take several chunks, at
 * SHARE_COST each), each chunk only in a column it can belong to (`allowed`), at the least total `cost`.
 * A dynamic programme over chunks × columns (a handful of each). Returns null when no placement is allowed.
 */
export function placeChunks(
  n: number,
  cols: number,
  allowed: (chunk: number, col: number) => boolean,
  cost: (chunk: number, col: number) => number,
): number[] | null {
  // best[i][c]: least cost placing chunks 0..i with chunk i in column c.
  const best: number[][] = Array.from({ length: n }, () => Array.from({ length: cols }, () => Infinity));
  const from: number[][] = Array.from({ length: n }, () => Array.from({ length: cols }, () => -1));
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < cols; c++) {
      if (!allowed(i, c)) continue;
      const move = cost(i, c);
      if (i === 0) {
        (best[0] as number[])[c] = move;
        continue;
      }
      for (let p = 0; p <= c; p++) {
        const prev = best[i - 1]?.[p] ?? Infinity;
        const cost = prev + move + (p === c ? SHARE_COST : 0);
        if (cost < ((best[i] as number[])[c] ?? Infinity)) {
          (best[i] as number[])[c] = cost;
          (from[i] as number[])[c] = p;
        }
      }
    }
  }
  const last = best[n - 1] ?? [];
  let c = last.indexOf(Math.min(...last));
  if (c < 0 || !Number.isFinite(last[c] ?? Infinity)) return null;
  const out = Array.from({ length: n }, () => 0);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = c;
    c = from[i]?.[c] ?? -1;
  }
  return out;
}

/**
 * The cells of the first `headerRows` rows (at least one) of a grid of single cells with their text re-placed
 * where a line of them holds two chunks (as stream tables cut them) in one column: the line's chunks go in
 * order, one per column where they can (placeChunks). A chunk can stand in a column when it starts right of
 * where the previous columns' body text ends and left of where the next columns' body text starts; it costs
 * less where it starts in the gutter before its column's body text (a heading set left over figures set right,
 * or over text set left). Other lines and the body rows are left as they are.
 */
export function realignHeaderCells(
  cells: readonly TableCell[],
  rows: number,
  cols: number,
  headerRows: number,
  tokens: readonly Token[],
  rulings: readonly Segment[] = [],
): TableCell[] {
  const head = Math.min(Math.max(1, headerRows), rows - 1);
  if (cols < 2 || head < 1) return [...cells];
  const at = (r: number, c: number) => cells.find((x) => x.row === r && x.col === c);
  // Column edges and row bands from single cells (a spanned header cell, e.g. a group heading, covers others).
  const single = cells.filter((x) => x.rowSpan === 1 && x.colSpan === 1);
  const colCell = (c: number) => single.find((x) => x.col === c);
  const rowCell = (r: number) => single.find((x) => x.row === r) ?? at(r, 0);
  if (Array.from({ length: cols }, (_, c) => colCell(c)).some((x) => !x)) return [...cells];
  const xs = [
    ...Array.from({ length: cols }, (_, c) => colCell(c)?.box.x0 ?? 0),
    colCell(cols - 1)?.box.x1 ?? 0,
  ];
  const bodyY0 = rowCell(head)?.box.y0 ?? 0;
  const bodyY1 = rowCell(rows - 1)?.box.y1 ?? 0;
  // A row is re-placed only where all its cells are single and every column has one (no span reaches into it).
  const plainRow = (r: number) =>
    !cells.some((x) => (x.rowSpan > 1 || x.colSpan > 1) && x.row <= r && r < x.row + x.rowSpan) &&
    Array.from({ length: cols }, (_, c) => at(r, c)).every(Boolean);
  // A header line under a group heading: its cells are single, the heading's span reaches down into it.
  const openCols = (r: number) =>
    Array.from({ length: cols }, (_, c) => c).filter((c) => {
      const x = at(r, c);
      return x !== undefined && x.rowSpan === 1 && x.colSpan === 1;
    });
  const cx = (t: Token) => (t.box.x0 + t.box.x1) / 2;
  const cy = (t: Token) => (t.box.y0 + t.box.y1) / 2;
  const inX = (t: Token) => cx(t) >= (xs[0] ?? 0) && cx(t) <= (xs[cols] ?? 0);
  // Body text bounds per column.
  const left = Array.from({ length: cols }, () => Infinity);
  const right = Array.from({ length: cols }, () => -Infinity);
  for (const t of tokens) {
    if (!inX(t) || cy(t) < bodyY0 || cy(t) > bodyY1) continue;
    const c = bandIndex(xs, cx(t));
    if (c < 0 || c >= cols) continue;
    left[c] = Math.min(left[c] ?? Infinity, t.box.x0);
    right[c] = Math.max(right[c] ?? -Infinity, t.box.x1);
  }
  const prevRight = (c: number) => Math.max(-Infinity, ...right.slice(0, c));
  const nextLeft = (c: number) => Math.min(Infinity, ...left.slice(c + 1));
  let open: number[] = [];
  const canStand = (ch: Chunk, c: number) =>
    open.includes(c) && ch.box.x0 > prevRight(c) - TOL && ch.box.x0 < nextLeft(c) + TOL;
  const inGutter = (ch: Chunk, c: number) =>
    ch.box.x0 > prevRight(c) - TOL && ch.box.x0 <= (left[c] ?? 0) + TOL;

  const out = cells.map((c) => ({ ...c }));
  const ruled = ruledColumns(xs, rowCell(0)?.box.y0 ?? 0, bodyY1, rulings);
  for (let r = 0; r < head; r++) {
    open = openCols(r);
    const plain = plainRow(r);
    if (!plain && (ruled || open.length < 2)) continue;
    const y0 = rowCell(r)?.box.y0 ?? 0;
    const y1 = rowCell(r)?.box.y1 ?? 0;
    const words = tokens.filter(
      (t) => inX(t) && cy(t) >= y0 && cy(t) < y1 && (plain || open.includes(bandIndex(xs, cx(t)))),
    );
    if (ruled) {
      // The column edges are drawn: each word goes where its centre is (a heading wrapped close to the next
      // one, or a long word running past its cell, is no longer read with its neighbour).
      const cellLines: string[][] = Array.from({ length: cols }, () => []);
      for (const line of groupRows(words)) {
        const byCol: Token[][] = Array.from({ length: cols }, () => []);
        for (const t of line.tokens) byCol[Math.max(0, Math.min(cols - 1, bandIndex(xs, cx(t))))]?.push(t);
        byCol.forEach((ts, c) => {
          if (ts.length) cellLines[c]?.push(lineText(ts));
        });
      }
      for (const cell of out)
        if (cell.row === r && cell.rowSpan === 1 && cell.colSpan === 1)
          cell.text = (cellLines[cell.col] ?? []).join('\n');
      continue;
    }
    const lines = groupRows(words).map((l) => chunks(l));
    const cur = lines.map((l) =>
      l.map((ch) => Math.max(0, Math.min(cols - 1, bandIndex(xs, (ch.box.x0 + ch.box.x1) / 2)))),
    );
    const shared = cur.some((l) => new Set(l).size < l.length);
    if (!shared) continue;
    const cellLines: string[][] = Array.from({ length: cols }, () => []);
    lines.forEach((line, li) => {
      const now = cur[li] ?? [];
      const place =
        line.length <= cols && new Set(now).size < now.length
          ? (placeChunks(
              line.length,
              cols,
              (i, c) => canStand(line[i] as Chunk, c),
              (i, c) => (inGutter(line[i] as Chunk, c) ? 0 : OFF_COST) + (c === now[i] ? 0 : MOVE_COST),
            ) ?? now)
          : now;
      const text: string[] = Array.from({ length: cols }, () => '');
      line.forEach((ch, i) => {
        const c = place[i] ?? 0;
        text[c] = text[c] ? `${text[c]} ${lineText(ch.tokens)}` : lineText(ch.tokens);
      });
      text.forEach((t, c) => {
        if (t) cellLines[c]?.push(t);
      });
    });
    for (const cell of out)
      if (cell.row === r && cell.rowSpan === 1 && cell.colSpan === 1)
        cell.text = (cellLines[cell.col] ?? []).join('\n');
  }
  return out;
}

/** Rule ends and joints closer than this (points) to a column edge mark it. */
const JOINT_TOL = 2;

/**
 * Whether every inner column edge `xs` of a table between `y0` and `y1` is marked by a rule drawn cell by cell
 * across it (browsers print each cell's border apart: the pieces of a rule meet at the column edges).
 */
function ruledColumns(xs: readonly number[], y0: number, y1: number, rulings: readonly Segment[]): boolean {
  const x0 = xs[0] ?? 0;
  const x1 = xs[xs.length - 1] ?? 0;
  const inner = xs.slice(1, -1);
  if (!inner.length) return false;
  const h = rulings.filter(
    (s) => s.orientation === 'h' && s.y0 >= y0 - 20 && s.y0 <= y1 + 20 && s.x1 > x0 && s.x0 < x1,
  );
  // Rules by height; a rule counts when its pieces cover most of the table's width.
  const byY = new Map<number, Segment[]>();
  for (const s of h) {
    const key = [...byY.keys()].find((y) => Math.abs(y - s.y0) <= 1) ?? s.y0;
    byY.set(key, [...(byY.get(key) ?? []), s]);
  }
  for (const pieces of byY.values()) {
    if (pieces.length < 2) continue;
    const from = Math.min(...pieces.map((p) => p.x0));
    const to = Math.max(...pieces.map((p) => p.x1));
    if (Math.min(to, x1) - Math.max(from, x0) < 0.8 * (x1 - x0)) continue;
    const ends = pieces.flatMap((p) => [p.x0, p.x1]);
    if (inner.every((x) => ends.some((e) => Math.abs(e - x) <= JOINT_TOL))) return true;
  }
  return false;
}
