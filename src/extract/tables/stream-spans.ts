// Spanned cells of borderless tables: with no rules, a cell's extent shows only in where its text sits against
// the columns, so a chunk across a column seam, or figures set flush to the far edge of an empty neighbour, is
// one cell over several columns (colSpan), as the HTML or office table that printed it had.
import type { Rect } from '../../shared/geometry.js';
import { isNumeric } from './header.js';

/** A chunk crosses a column separator when it reaches this many line heights past it on both sides. */
const CROSS = 0.3;
/** Chunk edges within this many points share a column's alignment edge. */
const EDGE_TOL = 2;
/** A column is set flush to an edge when this share of its chunks (at least three) share that edge. */
const EDGE_SHARE = 0.6;

export interface PlacedChunk {
  box: Rect;
  /** The column it was placed in by overlap. */
  col: number;
}

/** A column's alignment: the left and the right edge most of its chunks share, null where they do not. */
export interface ColumnEdges {
  left: number | null;
  right: number | null;
  /** Where its chunks lie, from the leftmost start to the rightmost end; null when it has none. */
  extent: [number, number] | null;
}

function sharedEdge(values: readonly number[]): number | null {
  if (values.length < 3) return null;
  let best: number | null = null;
  let bestCount = 0;
  for (const v of values) {
    const n = values.filter((w) => Math.abs(w - v) <= EDGE_TOL).length;
    if (n > bestCount) [best, bestCount] = [v, n];
  }
  return bestCount >= EDGE_SHARE * values.length ? best : null;
}

/** Each column's alignment edges from the chunks placed in it (one column each). */
export function columnEdges(placed: readonly PlacedChunk[], ncols: number): ColumnEdges[] {
  return Array.from({ length: ncols }, (_, c) => {
    const mine = placed.filter((p) => p.col === c);
    return {
      left: sharedEdge(mine.map((p) => p.box.x0)),
      right: sharedEdge(mine.map((p) => p.box.x1)),
      extent: mine.length
        ? [Math.min(...mine.map((p) => p.box.x0)), Math.max(...mine.map((p) => p.box.x1))]
        : null,
    };
  });
}

/**
 * The columns a chunk covers when it crosses one or more separators of `xs` (inner ones) into the text of the
 * columns on both sides (a heading in the white space between two columns' text crosses nothing); null when none.
 */
function crossed(
  box: Rect,
  xs: readonly number[],
  h: number,
  edges: readonly ColumnEdges[],
): [number, number] | null {
  const reaches = (c: number) => {
    const e = edges[c]?.extent;
    return !e || (box.x0 < e[1] && box.x1 > e[0]);
  };
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 1; k + 1 < xs.length; k++) {
    const x = xs[k] as number;
    if (box.x0 < x - CROSS * h && box.x1 > x + CROSS * h && reaches(k - 1) && reaches(k))
      [lo, hi] = [Math.min(lo, k - 1), Math.max(hi, k)];
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * The column range of each chunk of one table row (the chunks of all its lines), [first, last]: a chunk across
 * column seams covers the columns it crosses (a row's only chunk, set from the first column across a seam, is a
 * section row over the whole width); figures set flush right but off the left edge their column's text shares,
 * with the column before empty and itself set flush right, span both (a cell over two columns, its figures flush
 * to its right edge). A range is kept only when no other chunk of the row falls in its columns.
 */
export function rowSpans(
  row: readonly PlacedChunk[],
  xs: readonly number[],
  h: number,
  edges: readonly ColumnEdges[],
): [number, number][] {
  const ncols = xs.length - 1;
  const ranges = row.map((p): [number, number] => {
    const cross = crossed(p.box, xs, h, edges);
    if (cross) {
      if (row.length === 1 && cross[0] === 0) return [0, ncols - 1];
      return cross;
    }
    const c = p.col;
    const own = edges[c];
    const before = edges[c - 1];
    if (
      c >= 1 &&
      own?.left != null &&
      before?.right != null &&
      p.box.x0 > own.left + EDGE_TOL &&
      (own.right == null || p.box.x1 > own.right + EDGE_TOL) &&
      !row.some((q) => q.col === c - 1)
    )
      return [c - 1, c];
    return [c, c];
  });
  return ranges.map((r, i) => {
    if (r[0] === r[1]) return r;
    const clash = row.some((q, j) => {
      if (j === i) return false;
      const o = ranges[j] as [number, number];
      const overlaps = o[0] <= r[1] && o[1] >= r[0];
      return overlaps && (o[0] !== r[0] || o[1] !== r[1]);
    });
    const own = row[i] as PlacedChunk;
    return clash ? [own.col, own.col] : r;
  });
}

/**
 * Group headings over sub-headings, read from the top two rows' texts: where the second row is words only and fills
 * the columns the first leaves empty right of a heading, that heading spans them (colSpan, set in `colSpans`), and
 * the first row's other headings, over an empty cell of the second, span both rows. Returns the first row's row
 * spans (1 where none). Needs two rows below the headings and no span found in the second row already.
 */
export function groupHeaderSpans(texts: readonly string[][], colSpans: number[][]): number[] {
  const top = texts[0] ?? [];
  const sub = texts[1] ?? [];
  const ncols = top.length;
  const rowSpan = Array.from({ length: ncols }, () => 1);
  const filled = (t: string | undefined) => !!t && t.trim() !== '';
  const words = (row: readonly string[]) => row.every((t) => !filled(t) || !isNumeric(t));
  if (texts.length < 4 || !words(top) || !words(sub)) return rowSpan;
  if (colSpans[1]?.some((s) => s > 1)) return rowSpan;
  const groups: [number, number][] = [];
  for (let c = 0; c < ncols; c++) {
    if (!filled(top[c]) || !filled(sub[c])) continue;
    let k = 1;
    while (c + k < ncols && !filled(top[c + k]) && filled(sub[c + k])) k++;
    if (k > 1) groups.push([c, k]);
  }
  if (groups.length === 0) return rowSpan;
  const first = colSpans[0] as number[];
  for (const [c, k] of groups) first[c] = Math.max(first[c] ?? 1, k);
  for (let c = 0; c < ncols; c++) if (filled(top[c]) && !filled(sub[c])) rowSpan[c] = 2;
  return rowSpan;
}
