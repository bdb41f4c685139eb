// Text set beside a borderless table (a column of paragraphs, a side note) shares the table's lines on the page, so
// line grouping reads both as one block; a gutter whose two sides keep lines of their own parts them again.
import type { Token } from './types.js';
import { groupRows, median, type TextRow } from './text-lines.js';

/**
 * Lines whose centres are this many line heights apart or less sit on one line across a gutter, or more where the
 * words of one line scatter more (OCR boxes follow the ink: twice their median scatter).
 */
const SAME_LINE = 0.1;
/** A side whose lines share fewer than this fraction with the other side's is set apart from it. */
const SHARED_LINES = 0.5;
/** Each side of a gutter needs this many lines. */
const SIDE_LINES = 3;

const centre = (r: TextRow) => (r.box.y0 + r.box.y1) / 2;

/** The median spread of word centres within a line (lines of two words or more). */
function scatter(lines: readonly TextRow[]): number {
  const spreads = lines
    .filter((r) => r.tokens.length >= 2)
    .map((r) => {
      const cs = r.tokens.map((t) => (t.box.y0 + t.box.y1) / 2);
      return Math.max(...cs) - Math.min(...cs);
    });
  return median(spreads);
}

/**
 * Where a block of lines is two things set side by side: among the column separators `xs` (inner ones), the one
 * no word crosses whose two sides, grouped into lines apart, share the fewest lines, when the side with fewer lines
 * has under SHARED_LINES of them on a line of the other (a table's columns share all their rows but the wrapped
 * ones; paragraphs beside it, set at their own line spacing, meet its rows only now and then). Null when none.
 */
export function besideGutter(rows: readonly TextRow[], xs: readonly number[]): number | null {
  const tokens = rows.flatMap((r) => r.tokens);
  if (tokens.length === 0) return null;
  const h = median(rows.map((r) => r.box.y1 - r.box.y0));
  let best: number | null = null;
  let bestShare = SHARED_LINES;
  for (const x of xs.slice(1, -1)) {
    if (tokens.some((t) => t.box.x0 < x && t.box.x1 > x)) continue;
    const left = groupRows(tokens.filter((t: Token) => t.box.x1 <= x));
    const right = groupRows(tokens.filter((t: Token) => t.box.x0 >= x));
    if (left.length < SIDE_LINES || right.length < SIDE_LINES) continue;
    const [few, many] = left.length <= right.length ? [left, right] : [right, left];
    const tol = Math.max(SAME_LINE * h, 2 * scatter([...left, ...right]));
    const shared = few.filter((a) => many.some((b) => Math.abs(centre(a) - centre(b)) <= tol)).length;
    const share = shared / few.length;
    if (share < bestShare) [best, bestShare] = [x, share];
  }
  return best;
}
