// Ruled ("lattice") tables: rulings are merged into lines, lines that touch form a table, the distinct line
// positions form the grid, missing grid edges become spanning cells, and words land in cells by their centre.
import type { TableCell } from '../../shared/domain.js';
import type { Rect } from '../../shared/geometry.js';
import { cellText, groupRows, lineText, median, TABLE_CAPTION, type TextRow } from './text-lines.js';
import type { Segment, Token } from './types.js';
import { findRoot } from './union-find.js';

/** Positions closer than this (points) are the same line: double rules, anti-aliasing offsets, stroke widths. */
const SNAP = 2;
/** Collinear pieces with a gap up to this (points) join: dashed rules and cells drawn one by one. */
const JOIN_GAP = 3;
/** A grid edge counts as drawn when rulings cover at least this fraction of it. */
const EDGE_COVER = 0.5;
/** Boxes whose outer edges line up within this (points) belong to the same rows or columns. */
const ALIGN = 3;
/** Cells drawn as separate boxes are at most this far (points) apart. */
const CELL_GAP = 8;
/** A grid with fewer filled slots than this fraction (and 12 or more slots) is a chart, not a table. */
const CHART_FILL = 0.25;
/** An unshaded row between shaded ones is at most this tall (points). */
const MAX_ROW_GAP = 60;

interface Line {
  pos: number;
  from: number;
  to: number;
}

export interface LatticeGrid {
  box: Rect;
  xs: number[];
  ys: number[];
  cells: TableCell[];
}

/** Merges collinear segments of one orientation into lines (position snapped, overlapping pieces joined). */
export function mergeLines(segs: readonly Segment[], orientation: 'h' | 'v'): Line[] {
  const pieces = segs
    .filter((s) => s.orientation === orientation)
    .map((s) =>
      orientation === 'h'
        ? { pos: (s.y0 + s.y1) / 2, from: Math.min(s.x0, s.x1), to: Math.max(s.x0, s.x1) }
        : { pos: (s.x0 + s.x1) / 2, from: Math.min(s.y0, s.y1), to: Math.max(s.y0, s.y1) },
    )
    .sort((a, b) => a.pos - b.pos);
  // Cluster by position, then join along the line.
  const clusters: Line[][] = [];
  for (const p of pieces) {
    const last = clusters[clusters.length - 1];
    const lastPos = last?.[last.length - 1]?.pos;
    if (last && lastPos !== undefined && p.pos - lastPos <= SNAP) last.push(p);
    else clusters.push([p]);
  }
  const out: Line[] = [];
  for (const cl of clusters) {
    const pos =
      cl.reduce((s, l) => s + l.pos * (l.to - l.from + 1e-6), 0) /
      cl.reduce((s, l) => s + (l.to - l.from + 1e-6), 0);
    cl.sort((a, b) => a.from - b.from);
    let cur: Line | null = null;
    for (const l of cl) {
      if (cur && l.from <= cur.to + JOIN_GAP) cur.to = Math.max(cur.to, l.to);
      else {
        if (cur) out.push(cur);
        cur = { pos, from: l.from, to: l.to };
      }
    }
    if (cur) out.push(cur);
  }
  return out.filter((l) => l.to - l.from >= SNAP);
}

function clipSegments(segs: readonly Segment[], area: Rect): Segment[] {
  const a = { x0: area.x0 - SNAP, y0: area.y0 - SNAP, x1: area.x1 + SNAP, y1: area.y1 + SNAP };
  const out: Segment[] = [];
  for (const s of segs) {
    if (s.orientation === 'h') {
      if (s.y0 < a.y0 || s.y0 > a.y1) continue;
      const x0 = Math.max(s.x0, a.x0);
      const x1 = Math.min(s.x1, a.x1);
      if (x1 > x0) out.push({ ...s, x0, x1 });
    } else {
      if (s.x0 < a.x0 || s.x0 > a.x1) continue;
      const y0 = Math.max(s.y0, a.y0);
      const y1 = Math.min(s.y1, a.y1);
      if (y1 > y0) out.push({ ...s, y0, y1 });
    }
  }
  return out;
}

/** Distinct positions (sorted), nearby ones snapped to their mean. */
function distinct(values: number[]): number[] {
  const s = [...values].sort((a, b) => a - b);
  const groups: number[][] = [];
  for (const v of s) {
    const g = groups[groups.length - 1];
    const lastV = g?.[g.length - 1];
    if (g && lastV !== undefined && v - lastV <= SNAP) g.push(v);
    else groups.push([v]);
  }
  return groups.map((g) => g.reduce((a, b) => a + b, 0) / g.length);
}

/** Fraction of [from, to] covered by the lines at `pos`. */
function coverage(lines: readonly Line[], pos: number, from: number, to: number): number {
  const len = to - from;
  if (len <= 0) return 1;
  const spans = lines
    .filter((l) => Math.abs(l.pos - pos) <= SNAP && l.to > from && l.from < to)
    .map((l) => [Math.max(l.from, from), Math.min(l.to, to)] as const)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let end = from;
  for (const [a, b] of spans) {
    if (b <= end) continue;
    covered += b - Math.max(a, end);
    end = b;
  }
  return covered / len;
}

/** Groups lines into tables: an h and a v line that cross or touch (within SNAP) belong to the same table. */
function components(h: Line[], v: Line[], tokens: readonly Token[] = []): { h: Line[]; v: Line[] }[] {
  const n = h.length + v.length;
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => findRoot(parent, i);
  for (let i = 0; i < h.length; i++) {
    const a = h[i] as Line;
    for (let j = 0; j < v.length; j++) {
      const b = v[j] as Line;
      if (b.pos >= a.from - SNAP && b.pos <= a.to + SNAP && a.pos >= b.from - SNAP && a.pos <= b.to + SNAP) {
        parent[find(i)] = find(h.length + j);
      }
    }
  }
  const groups = new Map<number, { h: Line[]; v: Line[] }>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    let g = groups.get(r);
    if (!g) groups.set(r, (g = { h: [], v: [] }));
    if (i < h.length) g.h.push(h[i] as Line);
    else g.v.push(v[i - h.length] as Line);
  }
  return joinAligned([...groups.values()], tokens);
}

/** Outer extent of a group of lines. */
function extent(g: { h: Line[]; v: Line[] }): Rect {
  return {
    x0: Math.min(...g.h.map((l) => l.from), ...g.v.map((l) => l.pos)),
    x1: Math.max(...g.h.map((l) => l.to), ...g.v.map((l) => l.pos)),
    y0: Math.min(...g.v.map((l) => l.from), ...g.h.map((l) => l.pos)),
    y1: Math.max(...g.v.map((l) => l.to), ...g.h.map((l) => l.pos)),
  };
}

/** Largest distance between neighbouring h line positions of a group (its tallest row), 0 with fewer than two. */
function tallestRow(g: { h: Line[] }): number {
  const ys = distinct(g.h.map((l) => l.pos));
  let best = 0;
  for (let i = 1; i < ys.length; i++) best = Math.max(best, (ys[i] ?? 0) - (ys[i - 1] ?? 0));
  return best;
}

/**
 * Joins groups that are pieces of one table although their lines do not touch: boxes of the same height side by
 * side or of the same width one above the other (with the same column rules, where both have them), a small gap
 * apart. Cells drawn as separate boxes
 * (CSS `border-collapse: separate`) leave a few points between neighbours; shaded rows of a zebra table leave
 * one unshaded row between them, so the gap may be up to the height of the rows beside it.
 */
function joinAligned(
  groups: { h: Line[]; v: Line[] }[],
  tokens: readonly Token[] = [],
): { h: Line[]; v: Line[] }[] {
  if (groups.length < 2) return groups;
  const boxes = groups.map(extent);
  const rowH = groups.map(tallestRow);
  // Inner column rules of each group (its outer edges left out).
  const inner = groups.map((g, i) => {
    const b = boxes[i] as Rect;
    return distinct(g.v.map((l) => l.pos)).filter((x) => x > b.x0 + ALIGN && x < b.x1 - ALIGN);
  });
  const sameInner = (p: number[], q: number[]): boolean => {
    const [few, many] = p.length <= q.length ? [p, q] : [q, p];
    return few.every((x) => many.some((y) => Math.abs(x - y) <= ALIGN));
  };
  // A narrower piece one row high whose edges and column rules all stand on column edges of a wider one covers a
  // run of its columns: the shaded cells of a zebra row beside a cell spanning rows from above (that cell keeps
  // the shade of its own row), or a row whose first cells are left unshaded. (A narrower grid of several rows
  // is a table of its own: two tables a caption apart stay two.)
  const oneRow = groups.map((g) => distinct(g.h.map((l) => l.pos)).length <= 2);
  const onColumns = (i: number, j: number): boolean => {
    const a = boxes[i] as Rect;
    const b = boxes[j] as Rect;
    const [n, w] = a.x1 - a.x0 <= b.x1 - b.x0 ? [i, j] : [j, i];
    const nb = boxes[n] as Rect;
    const wb = boxes[w] as Rect;
    if (!oneRow[n]) return false;
    const wide = [wb.x0, wb.x1, ...(inner[w] ?? [])];
    if (!(inner[w] ?? []).length || nb.x0 < wb.x0 - ALIGN || nb.x1 > wb.x1 + ALIGN) return false;
    return [nb.x0, nb.x1, ...(inner[n] ?? [])].every((x) => wide.some((y) => Math.abs(x - y) <= ALIGN));
  };
  const parent = groups.map((_, i) => i);
  const find = (i: number): number => findRoot(parent, i);
  for (let i = 0; i < groups.length; i++) {
    for (let j = i + 1; j < groups.length; j++) {
      const a = boxes[i] as Rect;
      const b = boxes[j] as Rect;
      const sameCols = Math.abs(a.x0 - b.x0) <= ALIGN && Math.abs(a.x1 - b.x1) <= ALIGN;
      const sameRows = Math.abs(a.y0 - b.y0) <= ALIGN && Math.abs(a.y1 - b.y1) <= ALIGN;
      const vGap = Math.max(a.y0, b.y0) - Math.min(a.y1, b.y1);
      const hGap = Math.max(a.x0, b.x0) - Math.min(a.x1, b.x1);
      const rowGap = Math.max(CELL_GAP, Math.min(1.25 * Math.max(rowH[i] ?? 0, rowH[j] ?? 0), MAX_ROW_GAP));
      // Pieces of one width with the same column rules that overlap top to bottom (neither inside the other: an
      // outer frame keeps its own group) are one table whose column rules a spanning cell breaks (rules between
      // columns only: no row rule ties the pieces together).
      const nested = (a.y0 <= b.y0 && a.y1 >= b.y1) || (b.y0 <= a.y0 && b.y1 >= a.y1);
      const same = sameCols && sameInner(inner[i] ?? [], inner[j] ?? []);
      const stacked =
        (vGap <= rowGap && ((same && (vGap > 0 || !nested)) || (vGap > 0 && onColumns(i, j)))) ||
        (same && vGap > rowGap && vGap <= MAX_ROW_GAP && rowsBetween(a, b, inner[i] ?? [], tokens));
      if (stacked || (sameRows && hGap > 0 && hGap <= CELL_GAP)) {
        parent[find(j)] = find(i);
      }
    }
  }
  const out = new Map<number, { h: Line[]; v: Line[] }>();
  groups.forEach((g, i) => {
    const r = find(i);
    const o = out.get(r);
    if (!o) out.set(r, { h: [...g.h], v: [...g.v] });
    else {
      o.h.push(...g.h);
      o.v.push(...g.v);
    }
  });
  return [...out.values()];
}

/**
 * Whether the text between two stacked pieces of one width (`a` above or below `b`) is table rows in their
 * columns: an unshaded row of a zebra table taller than the shaded ones (its cells wrap). No word crosses a column
 * edge, half the lines or more have words in two columns or more, and none is a caption.
 */
function rowsBetween(a: Rect, b: Rect, inner: readonly number[], tokens: readonly Token[]): boolean {
  const y0 = Math.min(a.y1, b.y1);
  const y1 = Math.max(a.y0, b.y0);
  const words = tokens.filter((t) => {
    const cx = (t.box.x0 + t.box.x1) / 2;
    const cy = (t.box.y0 + t.box.y1) / 2;
    return cx > a.x0 && cx < a.x1 && cy > y0 && cy < y1;
  });
  if (!words.length || !inner.length) return false;
  if (words.some((t) => inner.some((x) => t.box.x0 < x - SNAP && t.box.x1 > x + SNAP))) return false;
  const lines = groupRows(words);
  if (lines.some((l) => TABLE_CAPTION.test(lineText(l.tokens)))) return false;
  const edges = [a.x0, ...inner, a.x1];
  const multi = lines.filter(
    (l) => new Set(l.tokens.map((t) => bandIndex(edges, (t.box.x0 + t.box.x1) / 2))).size >= 2,
  ).length;
  return multi * 2 >= lines.length;
}

/**
 * Grid positions with the thin bands between double rules removed: a band narrower than `thin` that holds no
 * word centre is the space between two rules drawn for one edge (double borders, separate cell borders), not a
 * row or column. Each kept position lists the rule positions it stands for (`alias`).
 */
function collapseThin(
  pos: number[],
  centres: readonly number[],
  thin: number,
): { at: number[]; alias: number[][] } {
  const at: number[] = [];
  const alias: number[][] = [];
  for (const p of pos) {
    const last = at[at.length - 1];
    if (last !== undefined && p - last < thin && !centres.some((c) => c > last && c < p)) {
      const al = alias[alias.length - 1] as number[];
      al.push(p);
      at[at.length - 1] = (Math.min(...al) + Math.max(...al)) / 2;
    } else {
      at.push(p);
      alias.push([p]);
    }
  }
  return { at, alias };
}

/**
 * The cell grid of one group of lines. Grid lines are the distinct rule positions plus the group's outer extent
 * (so a table drawn without an outer frame still gets its first and last rows and columns). Adjacent grid cells
 * with no drawn edge between them are one spanning cell, except in a row with no inner vertical rule at all
 * (an unshaded row of a zebra table): it takes the table's columns when its words fill two or more of them.
 */
function buildGrid(h: Line[], v: Line[], tokens: readonly Token[]): LatticeGrid | null {
  const { x0: left, x1: right, y0: top, y1: bottom } = extent({ h, v });
  const inside = tokens.filter((t) => {
    const cx = (t.box.x0 + t.box.x1) / 2;
    const cy = (t.box.y0 + t.box.y1) / 2;
    return cx >= left && cx <= right && cy >= top && cy <= bottom;
  });
  const thin = Math.max(SNAP * 2, 0.6 * median(inside.map((t) => t.box.y1 - t.box.y0)));
  const cols = collapseThin(
    distinct([left, right, ...v.map((l) => l.pos)]),
    inside.map((t) => (t.box.x0 + t.box.x1) / 2),
    thin,
  );
  const rowsAt = collapseThin(
    distinct([top, bottom, ...h.map((l) => l.pos)]),
    inside.map((t) => (t.box.y0 + t.box.y1) / 2),
    thin,
  );
  const xs = cols.at;
  const split = splitUnruledRows(rowsAt.at, rowsAt.alias, xs, inside);
  const ys = split.ys;
  rowsAt.alias = split.alias;
  const nc = xs.length - 1;
  const nr = ys.length - 1;
  if (nc < 1 || nr < 1) return null;
  const drawnV = (r: number, c: number): boolean =>
    (cols.alias[c] ?? []).some((x) => coverage(v, x, ys[r] ?? 0, ys[r + 1] ?? 0) >= EDGE_COVER);
  const unruledRow = Array.from({ length: nr }, (_, r) => {
    for (let c = 1; c < nc; c++) if (drawnV(r, c)) return false;
    return true;
  });
  // An unruled row takes the columns when its words sit in two or more of them without crossing an edge; a
  // title over the table (one piece of text, or words across a column edge) stays one cell.
  const followsColumns = unruledRow.map((unruled, r) => {
    if (!unruled || nc < 2) return false;
    const words = inside.filter((t) => {
      const cy = (t.box.y0 + t.box.y1) / 2;
      return cy >= (ys[r] ?? 0) && cy < (ys[r + 1] ?? 0);
    });
    if (words.some((t) => xs.slice(1, -1).some((x) => t.box.x0 < x - SNAP && t.box.x1 > x + SNAP)))
      return false;
    return new Set(words.map((t) => bandIndex(xs, (t.box.x0 + t.box.x1) / 2))).size >= 2;
  });
  // Outer frame edges count as drawn whether or not a rule is there.
  const vEdge = (r: number, c: number): boolean =>
    c === 0 || c === nc || drawnV(r, c) || followsColumns[r] === true;
  const hEdge = (r: number, c: number): boolean =>
    r === 0 ||
    r === nr ||
    split.added.has(r) ||
    (rowsAt.alias[r] ?? []).some((y) => coverage(h, y, xs[c] ?? 0, xs[c + 1] ?? 0) >= EDGE_COVER);

  const id = (r: number, c: number) => r * nc + c;
  const parent = Array.from({ length: nr * nc }, (_, i) => i);
  const find = (i: number): number => findRoot(parent, i);
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  for (let r = 0; r < nr; r++) {
    for (let c = 0; c < nc; c++) {
      if (c + 1 < nc && !vEdge(r, c + 1)) union(id(r, c), id(r, c + 1));
      if (r + 1 < nr && !hEdge(r + 1, c)) union(id(r, c), id(r + 1, c));
    }
  }
  const spans = new Map<number, { r0: number; c0: number; r1: number; c1: number }>();
  for (let r = 0; r < nr; r++) {
    for (let c = 0; c < nc; c++) {
      const root = find(id(r, c));
      const s = spans.get(root);
      if (!s) spans.set(root, { r0: r, c0: c, r1: r, c1: c });
      else {
        s.r0 = Math.min(s.r0, r);
        s.c0 = Math.min(s.c0, c);
        s.r1 = Math.max(s.r1, r);
        s.c1 = Math.max(s.c1, c);
      }
    }
  }
  const cells: TableCell[] = [...spans.values()]
    .sort((a, b) => a.r0 - b.r0 || a.c0 - b.c0)
    .map((s) => ({
      text: '',
      box: { x0: xs[s.c0] ?? 0, y0: ys[s.r0] ?? 0, x1: xs[s.c1 + 1] ?? 0, y1: ys[s.r1 + 1] ?? 0 },
      row: s.r0,
      col: s.c0,
      rowSpan: s.r1 - s.r0 + 1,
      colSpan: s.c1 - s.c0 + 1,
    }));
  return { box: { x0: left, y0: top, x1: right, y1: bottom }, xs, ys, cells };
}

/** A band holding at least this many text lines with words in two or more columns is several unruled rows. */
const UNRULED_ROWS = 3;
/** …when at least this fraction of its lines have words in two or more columns (not one wrapped cell). */
const UNRULED_SHARE = 0.5;
/** Grids with at most this many ruled bands may rule no rows (a header, the body, a total). */
const UNRULED_MAX_BANDS = 3;

/**
 * Row edges for the body of a table ruled only between its columns (column rules, a header rule, a frame): the
 * grid's one body band then holds every row. In a grid of at most UNRULED_MAX_BANDS bands, a band other than the
 * first (the header) with UNRULED_ROWS or more
 * lines that have words in two or more columns is split before each such line; a line with words in one column
 * only (the next line of a wrapped cell) stays with the line above. Returns the edges, their aliases (an added
 * edge has none) and the indexes of the added edges, which count as drawn.
 */
function splitUnruledRows(
  ys: number[],
  alias: number[][],
  xs: readonly number[],
  inside: readonly Token[],
): { ys: number[]; alias: number[][]; added: Set<number> } {
  const outYs: number[] = [ys[0] ?? 0];
  const outAlias: number[][] = [alias[0] ?? []];
  const added = new Set<number>();
  const nr = ys.length - 1;
  for (let r = 0; r < nr; r++) {
    const y0 = ys[r] ?? 0;
    const y1 = ys[r + 1] ?? 0;
    // Only where the rules draw no rows at all: a header band (and a total) over one body band. A grid with more
    // ruled bands rules its rows, however many lines their cells wrap to.
    if ((r > 0 || nr === 1) && nr <= UNRULED_MAX_BANDS) {
      const lines = groupRows(
        inside.filter((t) => {
          const cy = (t.box.y0 + t.box.y1) / 2;
          return cy >= y0 && cy < y1;
        }),
      );
      const multi = lines.map(
        (l) => new Set(l.tokens.map((t) => bandIndex(xs, (t.box.x0 + t.box.x1) / 2))).size >= 2,
      );
      const count = multi.filter(Boolean).length;
      if (count >= UNRULED_ROWS && count >= UNRULED_SHARE * lines.length) {
        for (let i = 1; i < lines.length; i++) {
          if (!multi[i]) continue;
          outYs.push(((lines[i - 1] as TextRow).box.y1 + (lines[i] as TextRow).box.y0) / 2);
          outAlias.push([]);
          added.add(outYs.length - 1);
        }
      }
    }
    outYs.push(y1);
    outAlias.push(alias[r + 1] ?? []);
  }
  return { ys: outYs, alias: outAlias, added };
}

/** Index i with edges[i] ≤ v < edges[i + 1], or -1 outside. */
export function bandIndex(edges: readonly number[], v: number): number {
  if (edges.length < 2 || v < (edges[0] ?? 0) || v > (edges[edges.length - 1] ?? 0)) return -1;
  let lo = 0;
  let hi = edges.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((edges[mid] ?? 0) <= v) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A word with no natural seam near a drawn edge is cut there only when it runs this many characters past both sides. */
const FAR_CUT = 4;
/** Characters where one cell's text glued to the next one's may start: signs, brackets, currency. */
const GLUE_START = /[-−–(+$€£¥]/;

/**
 * Where to cut a word that runs across a drawn column edge at `x`: the text layer glues the texts of two
 * neighbouring cells into one word when they are set close (a figure flush right against a signed figure flush
 * left: "16,705.59-11.0%"). The cut goes at the character boundary nearest the edge's share of the word's
 * width, moved to a natural seam (a sign or bracket after a digit or letter, a letter or digit after '%' or ')')
 * within a quarter of the word. Returns null when the word does not cross the edge by two characters each side
 * or has no such seam there: a word that only overhangs its cell (wide glyphs from a substituted font) stays
 * whole, and its centre places it.
 */
export function glueCut(t: Token, x: number): number | null {
  const n = t.text.length;
  const w = t.box.x1 - t.box.x0;
  if (n < 4 || w <= 0) return null;
  const ch = w / n;
  if (x - t.box.x0 < 2 * ch || t.box.x1 - x < 2 * ch) return null;
  const k0 = Math.round((n * (x - t.box.x0)) / w);
  const natural = (i: number): boolean => {
    const a = t.text[i - 1] ?? '';
    const b = t.text[i] ?? '';
    return (/[\p{L}\p{N}%)]/u.test(a) && GLUE_START.test(b)) || (/[%)]/.test(a) && /[\p{L}\p{N}]/u.test(b));
  };
  const reach = Math.max(2, Math.floor(n / 4));
  for (let d = 0; d <= reach; d++) {
    for (const i of [k0 - d, k0 + d]) if (i >= 1 && i <= n - 1 && natural(i)) return i;
  }
  const far = Math.min(x - t.box.x0, t.box.x1 - x) / ch;
  return far >= FAR_CUT ? Math.min(n - 1, Math.max(1, k0)) : null;
}

/**
 * Words of one row that run across an edge between two cells (a drawn column rule) cut into one piece per cell
 * (glueCut); other words unchanged.
 */
function cutAtEdges(grid: LatticeGrid, tokens: readonly Token[], owner: Map<number, number>): Token[] {
  const nc = grid.xs.length - 1;
  const out: Token[] = [];
  for (const t of tokens) {
    const r = bandIndex(grid.ys, (t.box.y0 + t.box.y1) / 2);
    let rest: Token = t;
    if (r >= 0) {
      for (let c = 1; c < nc; c++) {
        const x = grid.xs[c] ?? 0;
        if (owner.get(r * nc + c - 1) === owner.get(r * nc + c)) continue;
        if (!(rest.box.x0 < x && rest.box.x1 > x)) continue;
        const k = glueCut(rest, x);
        if (k === null) continue;
        const at = rest.box.x0 + ((rest.box.x1 - rest.box.x0) * k) / rest.text.length;
        out.push({ text: rest.text.slice(0, k), box: { ...rest.box, x1: at } });
        rest = { text: rest.text.slice(k), box: { ...rest.box, x0: at } };
      }
    }
    out.push(rest);
  }
  return out;
}

/** Fills the grid's cells with the words whose centre falls in them (a spanning cell gets all of its words). */
export function fillGrid(grid: LatticeGrid, tokens: readonly Token[]): void {
  const nc = grid.xs.length - 1;
  const owner = new Map<number, number>();
  grid.cells.forEach((cell, i) => {
    for (let r = cell.row; r < cell.row + cell.rowSpan; r++)
      for (let c = cell.col; c < cell.col + cell.colSpan; c++) owner.set(r * nc + c, i);
  });
  const inCell: Token[][] = grid.cells.map(() => []);
  for (const t of cutAtEdges(grid, tokens, owner)) {
    const c = bandIndex(grid.xs, (t.box.x0 + t.box.x1) / 2);
    const r = bandIndex(grid.ys, (t.box.y0 + t.box.y1) / 2);
    if (c < 0 || r < 0) continue;
    const i = owner.get(r * nc + c);
    if (i !== undefined) inCell[i]?.push(t);
  }
  grid.cells.forEach((cell, i) => {
    cell.text = cellText(inCell[i] ?? []);
  });
}

/**
 * Adds to a ruled grid the unruled text lines right above and below it that follow its columns: the plain header
 * over a zebra body whose first row is unshaded, plain body rows under a boxed header, a last unshaded row. A
 * line joins when it is no further from the grid (or the last line joined) than 0.6 of the grid's usual row
 * height, no word of it crosses a column edge, and it has words in more than half of the columns (so totals
 * beside the last two columns, a caption or a paragraph stay out).
 */
function extendByAlignedLines(
  grid: LatticeGrid,
  tokens: readonly Token[],
  grids: readonly LatticeGrid[],
): void {
  const nc = grid.xs.length - 1;
  if (nc < 2) return;
  const heights: number[] = [];
  for (let i = 1; i < grid.ys.length; i++) heights.push((grid.ys[i] ?? 0) - (grid.ys[i - 1] ?? 0));
  const rowH = median(heights);
  const x0 = grid.xs[0] ?? 0;
  const x1 = grid.xs[nc] ?? 0;
  const free = tokens.filter((t) => {
    const cx = (t.box.x0 + t.box.x1) / 2;
    const cy = (t.box.y0 + t.box.y1) / 2;
    if (cx < x0 - SNAP || cx > x1 + SNAP) return false;
    return !grids.some((g) => cx >= g.box.x0 && cx <= g.box.x1 && cy >= g.box.y0 && cy <= g.box.y1);
  });
  const lines = groupRows(free);
  const fits = (line: TextRow): boolean => {
    if (line.box.x0 < x0 - SNAP || line.box.x1 > x1 + SNAP) return false;
    const inner = grid.xs.slice(1, -1);
    if (line.tokens.some((t) => inner.some((x) => t.box.x0 < x - SNAP && t.box.x1 > x + SNAP))) return false;
    return new Set(line.tokens.map((t) => bandIndex(grid.xs, (t.box.x0 + t.box.x1) / 2))).size * 2 > nc;
  };
  const above: TextRow[] = [];
  let top = grid.box.y0;
  for (const line of [...lines].reverse()) {
    if (line.box.y1 > top + SNAP) continue;
    // A caption over the table ("Table 5. Summary of …") may break across its columns; it is no header.
    if (top - line.box.y1 > 0.6 * rowH || !fits(line) || TABLE_CAPTION.test(lineText(line.tokens))) break;
    above.unshift(line);
    top = line.box.y0;
  }
  // Below, a line with no word in the first column, words in only some of the columns of the line starting the
  // row above and none across a column edge is that row's next line (multi-line cells of a plain body under a
  // shaded or boxed header); one with first-column words starts a row however few columns it fills.
  const cols = (line: TextRow) =>
    new Set(line.tokens.map((t) => bandIndex(grid.xs, (t.box.x0 + t.box.x1) / 2)));
  const crosses = (line: TextRow) =>
    line.tokens.some((t) => grid.xs.slice(1, -1).some((x) => t.box.x0 < x - SNAP && t.box.x1 > x + SNAP));
  const below: TextRow[] = [];
  const belowGroups: TextRow[][] = [];
  let bottom = grid.box.y1;
  for (const line of lines) {
    if (line.box.y0 < bottom - SNAP) continue;
    if (line.box.y0 - bottom > 0.6 * rowH) break;
    const anchor = belowGroups[belowGroups.length - 1]?.[0];
    const inside = !crosses(line) && line.box.x0 >= x0 - SNAP && line.box.x1 <= x1 + SNAP;
    if (fits(line) || (anchor && inside && cols(line).has(0))) belowGroups.push([line]);
    else if (anchor && inside && [...cols(line)].every((c) => c > 0 && cols(anchor).has(c)))
      belowGroups[belowGroups.length - 1]?.push(line);
    else break;
    below.push(line);
    bottom = line.box.y1;
  }
  if (!above.length && !below.length) return;
  const bands = (list: TextRow[], from: number, to: number, up: boolean): number[] => {
    // Row edges between the added lines, halfway between neighbours; the outer edge just past the text.
    const edges: number[] = [];
    for (let i = 1; i < list.length; i++)
      edges.push(((list[i - 1] as TextRow).box.y1 + (list[i] as TextRow).box.y0) / 2);
    return up ? [from, ...edges] : [...edges, to];
  };
  const belowRows = belowGroups.map((g) => ({
    tokens: g.flatMap((l) => l.tokens),
    box: {
      x0: Math.min(...g.map((l) => l.box.x0)),
      y0: Math.min(...g.map((l) => l.box.y0)),
      x1: Math.max(...g.map((l) => l.box.x1)),
      y1: Math.max(...g.map((l) => l.box.y1)),
    },
  }));
  const newTop = above.length ? bands(above, top - 1, grid.box.y0, true) : [];
  const newBottom = below.length ? bands(belowRows, grid.box.y1, bottom + 1, false) : [];
  const shift = above.length;
  for (const c of grid.cells) c.row += shift;
  const lineCells = (list: TextRow[], ys: number[], firstRow: number): TableCell[] =>
    list.flatMap((line, i) =>
      Array.from({ length: nc }, (_, c) => ({
        text: cellText(line.tokens.filter((t) => bandIndex(grid.xs, (t.box.x0 + t.box.x1) / 2) === c)),
        box: { x0: grid.xs[c] ?? 0, y0: ys[i] ?? 0, x1: grid.xs[c + 1] ?? 0, y1: ys[i + 1] ?? 0 },
        row: firstRow + i,
        col: c,
        rowSpan: 1,
        colSpan: 1,
      })),
    );
  const ysAbove = [...newTop, grid.box.y0];
  const ysBelow = [grid.box.y1, ...newBottom];
  const nrOld = grid.ys.length - 1;
  grid.cells = [
    ...lineCells(above, ysAbove, 0),
    ...grid.cells,
    ...lineCells(belowRows, ysBelow, shift + nrOld),
  ].sort((a, b) => a.row - b.row || a.col - b.col);
  grid.ys = [...newTop, ...grid.ys, ...newBottom];
  grid.box = { ...grid.box, y0: grid.ys[0] ?? grid.box.y0, y1: grid.ys[grid.ys.length - 1] ?? grid.box.y1 };
}

/** Ruled tables among `segments` (optionally only inside `area`), with their cells filled from `tokens`. */
export function latticeGrids(
  segments: readonly Segment[],
  tokens: readonly Token[],
  area?: Rect,
): LatticeGrid[] {
  const segs = area ? clipSegments(segments, area) : [...segments];
  const h = mergeLines(segs, 'h');
  const v = mergeLines(segs, 'v');
  const grids: LatticeGrid[] = [];
  for (const comp of components(h, v, tokens)) {
    if (comp.h.length + comp.v.length < 3 || comp.h.length === 0 || comp.v.length === 0) continue;
    const grid = buildGrid(comp.h, comp.v, tokens);
    if (!grid) continue;
    fillGrid(grid, tokens);
    const filled = grid.cells.filter((c) => c.text.trim() !== '').length;
    // A ruled box around one paragraph, a page frame or a bar chart axis is not a table.
    if (grid.cells.length < 2 || filled < 2) continue;
    // Nor is a grid whose slots are mostly empty: a chart's bars, axis, ticks and grid lines with a few labels.
    // Nor boxes stacked in one column (shaded cards, framed paragraphs one under another).
    if (grid.xs.length - 1 < 2) continue;
    const slots = (grid.xs.length - 1) * (grid.ys.length - 1);
    if (slots >= 12 && filled < CHART_FILL * slots) continue;
    grids.push(grid);
  }
  for (const g of grids) extendByAlignedLines(g, tokens, grids);
  // Nested boxes: keep the inner tables when an outer frame merely contains them as one big cell.
  return grids
    .filter((g) => !grids.some((o) => o !== g && contains(g.box, o.box) && g.cells.length <= 2))
    .sort((a, b) => a.box.y0 - b.box.y0 || a.box.x0 - b.box.x0);
}

function contains(outer: Rect, inner: Rect): boolean {
  return (
    inner.x0 >= outer.x0 - SNAP &&
    inner.y0 >= outer.y0 - SNAP &&
    inner.x1 <= outer.x1 + SNAP &&
    inner.y1 <= outer.y1 + SNAP
  );
}
