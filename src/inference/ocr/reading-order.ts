// Orders detected line boxes as a person reads them: columns before rows where the page has a clear gutter,
// top-to-bottom otherwise, left-to-right within a row. A light recursive XY-cut, so a two-column scan does not
// come out interleaved line by line (PaddleOCR's sorted_boxes only sorts by y, then x) — but a gutter between
// labels and their values (a form, a receipt's item and price columns) is read row by row, so a label and the
// value on its baseline come out one after the other.
import type { Rect } from '../../shared/geometry.js';

/** Returns the indices of `boxes` in reading order. */
export function readingOrder(boxes: readonly Rect[]): number[] {
  if (boxes.length === 0) return [];
  const heights = boxes.map((b) => b.y1 - b.y0).sort((a, b) => a - b);
  const lineHeight = Math.max(1, heights[heights.length >> 1]!);
  const out: number[] = [];
  cut(
    boxes.map((_, i) => i),
    boxes,
    lineHeight,
    out,
  );
  return out;
}

function cut(ids: number[], boxes: readonly Rect[], lineHeight: number, out: number[]): void {
  if (ids.length <= 1) {
    out.push(...ids);
    return;
  }
  // A gutter: a vertical strip at least a line-height wide that no box crosses → read column by column.
  const xs = gaps(ids, boxes, 'x');
  const wide = xs.filter((g) => g.size >= lineHeight).sort((a, b) => a.at - b.at);
  // Each gutter is judged on the parts right beside it (up to the next wide gaps), not on the whole block.
  const gutters = wide.filter(
    (g, k) =>
      !rowPaired(ids, boxes, g, wide[k - 1]?.at ?? -Infinity, wide[k + 1]?.at ?? Infinity, lineHeight),
  );
  if (gutters.length > 0) {
    for (const part of split(ids, boxes, 'x', gutters)) cut(part, boxes, lineHeight, out);
    return;
  }
  // Otherwise cut at the widest horizontal gap and read the parts top to bottom.
  const ys = gaps(ids, boxes, 'y');
  if (ys.length > 0) {
    const widest = ys.reduce((a, b) => (b.size > a.size ? b : a));
    for (const part of split(ids, boxes, 'y', [widest])) cut(part, boxes, lineHeight, out);
    return;
  }
  out.push(...rows(ids, boxes));
}

/**
 * Lines this many line-heights long or longer are running text: two columns of them side by side are read one
 * column after the other even when their baselines line up (same font, same leading).
 */
const PROSE_LINE = 12;
/** Share of the boxes on each side of a gutter that must have a partner on the same baseline across it. */
const PAIRED_SHARE = 0.7;

/**
 * Whether the boxes either side of a gutter are rows read across it: most boxes on each side share a baseline
 * with a box on the other side, and at least one side holds short items (labels,
 * amounts) rather than running text.
 */
function rowPaired(
  ids: readonly number[],
  boxes: readonly Rect[],
  g: Gap,
  from: number,
  to: number,
  lineHeight: number,
): boolean {
  let left: Rect[] = [];
  let right: Rect[] = [];
  for (const i of ids) {
    const b = boxes[i]!;
    const c = (b.x0 + b.x1) / 2;
    if (c > from && c < g.at) left.push(b);
    else if (c > g.at && c < to) right.push(b);
  }
  if (left.length === 0 || right.length === 0) return false;
  // Only the band both sides share: a block above or below one side (an address over a table's first column)
  // has nothing across the gutter to pair with and says nothing about it.
  const band = (bs: Rect[]) => [Math.min(...bs.map((b) => b.y0)), Math.max(...bs.map((b) => b.y1))] as const;
  const [ly0, ly1] = band(left);
  const [ry0, ry1] = band(right);
  const within = (b: Rect, y0: number, y1: number) => (b.y0 + b.y1) / 2 >= y0 && (b.y0 + b.y1) / 2 <= y1;
  left = left.filter((b) => within(b, ry0, ry1));
  right = right.filter((b) => within(b, ly0, ly1));
  if (left.length === 0 || right.length === 0) return false;
  const medianWidth = (bs: Rect[]) => bs.map((b) => b.x1 - b.x0).sort((a, b) => a - b)[bs.length >> 1]!;
  if (Math.min(medianWidth(left), medianWidth(right)) >= PROSE_LINE * lineHeight) return false;
  // On the same baseline: centres within a third of the smaller height (blocks of different leading side by side
  // drift out of step after a line or two; boxes are deskewed before ordering, see ocr-engine.ts).
  const sameRow = (a: Rect, b: Rect) =>
    Math.abs(a.y0 + a.y1 - b.y0 - b.y1) / 2 <= Math.min(a.y1 - a.y0, b.y1 - b.y0) / 3;
  const share = (from: Rect[], to: Rect[]) =>
    from.filter((a) => to.some((b) => sameRow(a, b))).length / from.length;
  return share(left, right) >= PAIRED_SHARE && share(right, left) >= PAIRED_SHARE;
}

interface Gap {
  at: number;
  size: number;
}

/** Empty intervals between the boxes' projections on one axis, each as its midpoint and width. */
function gaps(ids: readonly number[], boxes: readonly Rect[], axis: 'x' | 'y'): Gap[] {
  const spans = ids
    .map((i) => {
      const b = boxes[i]!;
      return axis === 'x' ? ([b.x0, b.x1] as const) : ([b.y0, b.y1] as const);
    })
    .sort((a, b) => a[0] - b[0]);
  const result: Gap[] = [];
  let reach = spans[0]![1];
  for (const [lo, hi] of spans.slice(1)) {
    if (lo > reach) result.push({ at: (lo + reach) / 2, size: lo - reach });
    reach = Math.max(reach, hi);
  }
  return result;
}

function split(
  ids: readonly number[],
  boxes: readonly Rect[],
  axis: 'x' | 'y',
  at: readonly Gap[],
): number[][] {
  const cuts = at.map((g) => g.at).sort((a, b) => a - b);
  const parts: number[][] = cuts.map(() => []);
  parts.push([]);
  for (const i of ids) {
    const b = boxes[i]!;
    const c = axis === 'x' ? (b.x0 + b.x1) / 2 : (b.y0 + b.y1) / 2;
    let k = 0;
    while (k < cuts.length && c > cuts[k]!) k++;
    parts[k]!.push(i);
  }
  return parts.filter((p) => p.length > 0);
}

/** Rows of boxes that overlap vertically by at least half the smaller height, top to bottom, each left to right. */
function rows(ids: readonly number[], boxes: readonly Rect[]): number[] {
  const sorted = [...ids].sort((a, b) => boxes[a]!.y0 + boxes[a]!.y1 - (boxes[b]!.y0 + boxes[b]!.y1));
  const groups: { y0: number; y1: number; ids: number[] }[] = [];
  for (const i of sorted) {
    const b = boxes[i]!;
    const g = groups.find(
      (r) => Math.min(r.y1, b.y1) - Math.max(r.y0, b.y0) >= 0.5 * Math.min(r.y1 - r.y0, b.y1 - b.y0),
    );
    if (g) {
      g.ids.push(i);
      g.y0 = Math.min(g.y0, b.y0);
      g.y1 = Math.max(g.y1, b.y1);
    } else {
      groups.push({ y0: b.y0, y1: b.y1, ids: [i] });
    }
  }
  groups.sort((a, b) => a.y0 + a.y1 - (b.y0 + b.y1));
  return groups.flatMap((g) => g.ids.sort((a, b) => boxes[a]!.x0 - boxes[b]!.x0));
}
