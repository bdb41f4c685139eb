// Borderless ("stream") tables from text alignment alone: words → rows by line, rows → text chunks by gaps,
// columns from the chunks of the rows that have the usual number of them (camelot's stream), and a region
// finder that picks blocks of rows with two or more aligned chunks out of a page of running text.
import type { TableCell } from '../../shared/domain.js';
import type { Rect } from '../../shared/geometry.js';
import { bandIndex } from './lattice.js';
import { besideGutter } from './stream-beside.js';
import { columnEdges, groupHeaderSpans, rowSpans } from './stream-spans.js';
import { groupRows, lineText, median, TABLE_CAPTION, type TextRow } from './text-lines.js';
import type { Segment, Token } from './types.js';

/** Words closer than this many line heights are one chunk (about half an em; a word space is a quarter). */
const CHUNK_GAP = 0.5;
/** A vertical gap larger than this many median row pitches ends a text block. */
const BLOCK_GAP = 2.6;
/** Consecutive single-chunk rows allowed inside a block (section labels, wrapped labels). */
/** Line pitches this many times apart are two groups: a cell's own line spacing and the rows' spacing. */
const PITCH_JUMP = 1.3;
const MAX_PLAIN_RUN = 2;

export interface Chunk {
  tokens: Token[];
  box: Rect;
}

export interface StreamGrid {
  box: Rect;
  /** The table's rows (the words of each, lines of multi-line cells together). */
  rows: TextRow[];
  /** The text lines the rows were made of. */
  lines: TextRow[];
  /** Column edges: left edge, separators, right edge. */
  xs: number[];
  cells: TableCell[];
  /** Rules drawn between (nearly) all its rows bound it (a row-ruled frame): a table even with two columns. */
  rowRuled?: boolean;
}

function union(a: Rect, b: Rect): Rect {
  return {
    x0: Math.min(a.x0, b.x0),
    y0: Math.min(a.y0, b.y0),
    x1: Math.max(a.x1, b.x1),
    y1: Math.max(a.y1, b.y1),
  };
}

/** Two words whose characters' widths differ by less than this fraction are set in one fixed-pitch font. */
const PITCH_SAME = 0.04;
/** In a fixed-pitch font a word space is one character wide: gaps up to this many characters are word spaces. */
const MONO_SPACE = 1.3;

/** A word's width per character. */
function charWidth(t: Token): number {
  return (t.box.x1 - t.box.x0) / Math.max(1, [...t.text].length);
}

/** Words of pages set in a fixed-pitch font (marked by streamGrids, which sees the whole page or area). */
const fixedPitch = new WeakSet<Token>();
/** A page is set in a fixed-pitch font when this share of its words of letters have one width per character. */
const FIXED_SHARE = 0.9;
/** ... counted over at least this many such words. */
const FIXED_WORDS = 8;

/** Marks the words of a page set in a fixed-pitch font (FIXED_SHARE of its words of letters one pitch apart). */
function markFixedPitch(tokens: readonly Token[]): void {
  // Width per character over the word's height: one value for a fixed-pitch font at any size (titles, captions).
  const words = tokens
    .filter((t) => /^\p{L}{3,}[.,;:]?$/u.test(t.text))
    .map((t) => charWidth(t) / Math.max(1e-6, t.box.y1 - t.box.y0));
  if (words.length < FIXED_WORDS) return;
  const m = median(words);
  if (words.filter((w) => Math.abs(w - m) <= PITCH_SAME * m).length < FIXED_SHARE * words.length) return;
  for (const t of tokens) fixedPitch.add(t);
}

/**
 * Whether the gap between two words of a line is a word space in a fixed-pitch font (a monospaced page): both
 * words have the same width per character and the gap is about one character, wider than CHUNK_GAP line heights
 * there (a character is 0.6 em).
 */
function monoSpace(a: Token, b: Token): boolean {
  if (!fixedPitch.has(a) || !fixedPitch.has(b)) return false;
  if ([...a.text].length < 2 || [...b.text].length < 2) return false;
  const ca = charWidth(a);
  const cb = charWidth(b);
  return Math.abs(ca - cb) <= PITCH_SAME * Math.max(ca, cb) && b.box.x0 - a.box.x1 <= MONO_SPACE * ca;
}

/** A row's words split into chunks at gaps wider than CHUNK_GAP line heights (a fixed-pitch font's space kept). */
export function chunks(row: TextRow): Chunk[] {
  const h = median(row.tokens.map((t) => t.box.y1 - t.box.y0));
  const out: Chunk[] = [];
  for (const t of row.tokens) {
    const last = out[out.length - 1];
    const prev = last?.tokens[last.tokens.length - 1];
    if (last && prev && (t.box.x0 - last.box.x1 <= CHUNK_GAP * h || monoSpace(prev, t))) {
      last.tokens.push(t);
      last.box = union(last.box, t.box);
    } else out.push({ tokens: [t], box: { ...t.box } });
  }
  return out;
}

/** Word edges within this many points of each other are one alignment line (LibreOffice sets them a point or so off). */
const ALIGN_TOL = 1.5;
/** An alignment seam needs this many rows of the block showing it. */
const SEAM_ROWS = 3;
/** Rows with a word across a seam (a caption, a section label) may be this fraction of the rows showing it. */
const SEAM_ACROSS = 0.25;
/** On one side of a seam at least this fraction of its words differ from each other. */
const SEAM_DISTINCT = 0.6;

/**
 * Chunks of a block's rows, split further at column seams the word gaps alone miss: a right-aligned column
 * (figures) followed by a left-aligned one set a cell's padding away (LibreOffice and Word tables without
 * borders) reads as one chunk per row, "7,567.85 A. Okafor". A seam is a pair of edges, the right edge of a word
 * and the left edge of the next, that recurs in SEAM_ROWS or more rows with different words on both sides, where
 * the words before it do not start together nor the text after it end together (a right-aligned "11 Jul 2023"
 * has its year and month on fixed edges too, but its years end on one line). Repeated values ("On hold" on every row) have one text and never
 * make a seam.
 */
export function alignedChunks(rows: readonly TextRow[]): Chunk[][] {
  const base = rows.map(chunks);
  interface Gap {
    row: number;
    left: Token;
    right: Token;
    /** Where the chunk ends (the right edge of its last word). */
    end: number;
  }
  const gaps: Gap[] = [];
  base.forEach((rc, row) => {
    for (const c of rc)
      for (let i = 1; i < c.tokens.length; i++) {
        const left = c.tokens[i - 1] as Token;
        const right = c.tokens[i] as Token;
        if (right.box.x0 - left.box.x1 > 0.05 * (left.box.y1 - left.box.y0))
          gaps.push({ row, left, right, end: c.box.x1 });
      }
  });
  if (gaps.length < SEAM_ROWS) return base;
  const seams: { r: number; l: number }[] = [];
  for (const g of gaps) {
    const r = g.left.box.x1;
    const l = g.right.box.x0;
    if (seams.some((s) => Math.abs(s.r - r) <= ALIGN_TOL && Math.abs(s.l - l) <= ALIGN_TOL)) continue;
    const support = gaps.filter(
      (q) => Math.abs(q.left.box.x1 - r) <= ALIGN_TOL && Math.abs(q.right.box.x0 - l) <= ALIGN_TOL,
    );
    const rowsSeen = new Set(support.map((q) => q.row));
    if (rowsSeen.size < SEAM_ROWS) continue;
    const lefts = new Set(support.map((q) => q.left.text));
    const rights = new Set(support.map((q) => q.right.text));
    const spread = (v: number[]) => Math.max(...v) - Math.min(...v);
    // Different words on both sides, and mostly different on one (figures beside names): a phrase repeated down
    // the rows ("Frente para la Victoria") or dot leaders line up without being a seam.
    if (
      Math.min(lefts.size, rights.size) < 2 ||
      Math.max(lefts.size, rights.size) < SEAM_DISTINCT * support.length
    )
      continue;
    if (spread(support.map((q) => q.end)) <= 2 * ALIGN_TOL) continue;
    if (spread(support.map((q) => q.left.box.x0)) <= 2 * ALIGN_TOL) continue;
    // A column seam has no word across it; a coincidence of two word edges has other rows' words over it.
    const across = new Set<number>();
    rows.forEach((row, i) => {
      if (row.tokens.some((t) => t.box.x0 < r - ALIGN_TOL && t.box.x1 > l + ALIGN_TOL)) across.add(i);
    });
    if (across.size > SEAM_ACROSS * rowsSeen.size) continue;
    seams.push({ r, l });
  }
  if (seams.length === 0) return base;
  const atSeam = (left: Token, right: Token): boolean =>
    seams.some((s) => Math.abs(left.box.x1 - s.r) <= ALIGN_TOL && Math.abs(right.box.x0 - s.l) <= ALIGN_TOL);
  return base.map((rc) =>
    rc.flatMap((c) => {
      const out: Chunk[] = [];
      for (const t of c.tokens) {
        const last = out[out.length - 1];
        const prev = last?.tokens[last.tokens.length - 1];
        if (last && prev && !atSeam(prev, t)) {
          last.tokens.push(t);
          last.box = union(last.box, t.box);
        } else out.push({ tokens: [t], box: { ...t.box } });
      }
      return out;
    }),
  );
}

type Interval = [number, number];

function mergeIntervals(list: Interval[]): Interval[] {
  const s = [...list].sort((a, b) => a[0] - b[0]);
  const out: Interval[] = [];
  for (const iv of s) {
    const last = out[out.length - 1];
    if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
    else out.push([iv[0], iv[1]]);
  }
  return out;
}

function mode(values: number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = 0;
  let bestCount = -1;
  for (const [v, c] of counts) if (c > bestCount || (c === bestCount && v > best)) [best, bestCount] = [v, c];
  return best;
}

/**
 * Column intervals of a block of rows, as camelot's stream does it: the chunks of the rows having the most common
 * number of chunks (ignoring one-chunk rows unless every row has one) are merged where they overlap; chunks of
 * the other rows that overlap no column add columns of their own (columns filled in only a few rows).
 */
export function columnIntervals(rowChunks: Chunk[][]): Interval[] {
  const counts = rowChunks.map((r) => r.length).filter((n) => n > 0);
  const multi = counts.filter((n) => n > 1);
  const ncols = mode(multi.length ? multi : counts);
  let cols = mergeIntervals(
    rowChunks.filter((r) => r.length === ncols).flatMap((r) => r.map((c): Interval => [c.box.x0, c.box.x1])),
  );
  const extra: Interval[] = [];
  for (const r of rowChunks) {
    if (r.length === ncols) continue;
    for (const c of r) {
      if (!cols.some(([a, b]) => c.box.x0 <= b && c.box.x1 >= a)) extra.push([c.box.x0, c.box.x1]);
    }
  }
  if (extra.length) cols = mergeIntervals([...cols, ...mergeIntervals(extra)]);
  return mergeHeadOnly(cols, rowChunks);
}

/** A column filled only in this many top lines (and nowhere below) is a heading set off its body's column. */
const HEAD_ONLY_LINES = 2;

/**
 * Columns filled only in the top line or two whose neighbour is filled below but empty on those lines: a heading
 * set flush left over figures set flush right (or centred over a narrow column) misses the body's chunks, so the
 * two would read as two columns, the heading's over nothing and the figures' under no heading. Each such column
 * joins the nearer neighbour that its lines leave empty.
 */
function mergeHeadOnly(cols: Interval[], rowChunks: readonly Chunk[][]): Interval[] {
  const out = cols.map((iv): Interval => [iv[0], iv[1]]);
  // A chunk over two or more columns (a spanned cell) fills none of them here.
  const hits = (c: Chunk, iv: Interval) => c.box.x0 <= iv[1] && c.box.x1 >= iv[0];
  const filled = (iv: Interval): number[] =>
    rowChunks.flatMap((r, i) =>
      r.some((c) => hits(c, iv) && out.filter((o) => hits(c, o)).length === 1) ? [i] : [],
    );
  for (let i = 0; i < out.length; i++) {
    const rowsIn = filled(out[i] as Interval);
    if (rowsIn.length === 0 || rowsIn.some((r) => r >= HEAD_ONLY_LINES)) continue;
    const options = [i - 1, i + 1].filter((j) => {
      const iv = out[j];
      if (!iv) return false;
      const there = filled(iv);
      return there.some((r) => r >= HEAD_ONLY_LINES) && !rowsIn.some((r) => there.includes(r));
    });
    const dist = (j: number) => {
      const a = out[i] as Interval;
      const b = out[j] as Interval;
      return Math.max(b[0] - a[1], a[0] - b[1]);
    };
    const j = options.sort((a, b) => dist(a) - dist(b))[0];
    if (j === undefined) continue;
    const a = out[i] as Interval;
    const b = out[j] as Interval;
    out.splice(Math.min(i, j), 2, [Math.min(a[0], b[0]), Math.max(a[1], b[1])]);
    i = Math.max(-1, Math.min(i, j) - 1);
  }
  return out;
}

/** Separators halfway between adjacent column intervals, framed by the block's left and right text edges. */
function edgesFromIntervals(cols: Interval[], box: Rect): number[] {
  const xs = [box.x0];
  for (let i = 1; i < cols.length; i++) {
    const prev = cols[i - 1] as Interval;
    const cur = cols[i] as Interval;
    xs.push((prev[1] + cur[0]) / 2);
  }
  xs.push(box.x1);
  return xs;
}

/** The column a chunk belongs to: the one it overlaps most, relative to the column's width (camelot). */
function columnOf(box: Rect, xs: readonly number[]): number {
  let best = -1;
  let bestScore = -1;
  for (let c = 0; c + 1 < xs.length; c++) {
    const a = xs[c] ?? 0;
    const b = xs[c + 1] ?? 0;
    const ov = Math.min(b, box.x1) - Math.max(a, box.x0);
    const score = ov > 0 ? ov / Math.max(b - a, 1e-6) : -1;
    if (score > bestScore) [best, bestScore] = [c, score];
  }
  if (bestScore > 0) return best;
  const cx = (box.x0 + box.x1) / 2;
  return Math.max(
    0,
    Math.min(
      xs.length - 2,
      bandIndex(xs, cx) < 0 ? (cx < (xs[0] ?? 0) ? 0 : xs.length - 2) : bandIndex(xs, cx),
    ),
  );
}

/** Lines of one cell have at most this many line heights of white space between them (the font's leading). */
const LEADING = 0.3;
/** Rows are set at least this many line heights further apart than a cell's lines (the cells' padding). */
const CELL_PADDING = 0.2;

/** The white space above each body line (below the header), top to bottom. */
function gapsAll(rows: readonly TextRow[], headerLines: number): number[] {
  const out: number[] = [];
  for (let i = headerLines + 1; i < rows.length; i++)
    out.push((rows[i] as TextRow).box.y0 - (rows[i - 1] as TextRow).box.y1);
  return out;
}

/**
 * Text lines grouped into table rows. Leading lines above the first line with the block's usual number of
 * chunks are the header: tightly set lines there are one header row (a header cell wrapped over two or three
 * lines is one cell), while a line set apart (a group heading) is a row of its own. Below, a line with no text
 * in the first column and text in only some of the columns of the row's first line continues the row (a
 * multi-line cell) when no rule separates them, and so does one with first-column text when it is set at a
 * cell's line spacing where rows are set clearly further apart (a wrapped first column). "No first-column text"
 * lines continue when rules separate the table's rows or the line sits closer to the one above than rows sit
 * to each other.
 */
function logicalRows(
  rows: readonly TextRow[],
  rowChunks: readonly Chunk[][],
  xs: readonly number[],
  headerLines: number,
  rules: readonly Segment[],
): number[][] {
  const h = median(rows.map((r) => r.box.y1 - r.box.y0));
  const col = (c: Chunk) => columnOf(c.box, xs);
  const ruleBetween = (i: number): boolean => {
    const a = rows[i - 1] as TextRow;
    const b = rows[i] as TextRow;
    const lo = Math.min(a.box.y1, (a.box.y0 + a.box.y1) / 2 + h / 2);
    const hi = Math.max(b.box.y0, (b.box.y0 + b.box.y1) / 2 - h / 2);
    const x0 = xs[0] ?? 0;
    const x1 = xs[xs.length - 1] ?? 0;
    return rules.some(
      (s) => s.y0 >= lo - 1 && s.y0 <= hi + 1 && Math.min(s.x1, x1) - Math.max(s.x0, x0) >= 0.5 * (x1 - x0),
    );
  };
  const gapAbove = (i: number) => (rows[i] as TextRow).box.y0 - (rows[i - 1] as TextRow).box.y1;
  const gaps: number[] = [];
  let ruled = 0;
  for (let i = headerLines + 1; i < rows.length; i++) {
    if ((rowChunks[i] ?? []).some((c) => col(c) === 0)) {
      gaps.push(gapAbove(i));
      if (ruleBetween(i)) ruled++;
    }
  }
  const rowsRuled = gaps.length >= 2 && ruled >= 0.75 * gaps.length;
  const rowGap = median(gaps);
  const tight = (i: number) => gaps.length >= 2 && gapAbove(i) < 0.5 * rowGap;
  // Line pitches of the body: when they fall in two clearly apart groups (a cell's own line spacing, and the
  // rows' larger one), the smaller group are lines of one row even where the first column wraps too.
  const centre = (i: number) => ((rows[i] as TextRow).box.y0 + (rows[i] as TextRow).box.y1) / 2;
  const pitches: number[] = [];
  for (let i = headerLines + 1; i < rows.length; i++) pitches.push(centre(i) - centre(i - 1));
  const sorted = [...pitches].sort((a, b) => a - b);
  let cellPitch = -Infinity;
  let jump = PITCH_JUMP;
  for (let k = 0; k + 1 < sorted.length; k++) {
    const a = sorted[k] as number;
    const b = sorted[k + 1] as number;
    // The rows' group must be a good part of the lines: a few wider gaps are sections, not rows.
    const rowsShare = (sorted.length - k - 1) / sorted.length;
    if (a > 0 && b / a >= jump && rowsShare >= 0.3) [cellPitch, jump] = [a, b / a];
  }
  // Likewise the white space between lines: a cell's lines nearly touch, rows sit a cell's padding (top and
  // bottom) apart, a clearer split than the pitches where the padding is small beside the line height.
  const spaces = [...gapsAll(rows, headerLines)].sort((a, b) => a - b);
  let cellSpace = -Infinity;
  let widest = CELL_PADDING * h;
  for (let k = 0; k + 1 < spaces.length; k++) {
    const a = spaces[k] as number;
    const b = spaces[k + 1] as number;
    const rowsShare = (spaces.length - k - 1) / spaces.length;
    if (b - a >= widest && a <= LEADING * h && rowsShare >= 0.3) [cellSpace, widest] = [a, b - a];
  }
  const tightPitch = (i: number) => centre(i) - centre(i - 1) <= cellPitch || gapAbove(i) <= cellSpace;
  const groups: number[][] = [];
  // Header lines: tightly set lines are one wrapped header block; a line set apart (a group heading above its
  // sub-headings) is a row of its own.
  for (let i = 0; i < headerLines; i++) {
    const last = groups[groups.length - 1];
    if (last && tight(i) && !ruleBetween(i)) last.push(i);
    else groups.push([i]);
  }
  // Body lines.
  for (let i = headerLines; i < rows.length; i++) {
    const rc = rowChunks[i] ?? [];
    const last = groups[groups.length - 1];
    const filled = new Set(rc.map(col));
    const anchor = new Set((rowChunks[last?.[0] ?? -1] ?? []).map(col));
    // Only some of the columns of the row's first line go on (a line filling the same ones is a row).
    const some = filled.size < anchor.size && [...filled].every((c) => anchor.has(c));
    const continues =
      i > headerLines &&
      rc.length > 0 &&
      some &&
      !ruleBetween(i) &&
      ((!filled.has(0) && (rowsRuled || tight(i))) || tightPitch(i));
    if (last && continues && last[0] !== undefined && last[0] >= headerLines) last.push(i);
    else groups.push([i]);
  }
  return groups;
}

/**
 * How many leading lines are the header: the lines above the first one with the block's usual number of chunks
 * (2+) when two or more such lines follow, or, where more, a leading run of two or more lines set tightly (less
 * than half the usual space between rows: one wrapped header block) followed by a normal row gap.
 */
function countHeaderLines(rows: readonly TextRow[], rowChunks: readonly Chunk[][]): number {
  const multi = rowChunks.map((r) => r.length).filter((n) => n > 1);
  if (multi.length < 3) return 0;
  const usual = mode(multi);
  const first = rowChunks.findIndex((r) => r.length >= usual);
  const full = rowChunks.slice(Math.max(first, 0)).filter((r) => r.length >= usual).length;
  const byCount = first > 0 && full >= 2 ? first : 0;
  const gaps: number[] = [];
  for (let i = 1; i < rows.length; i++)
    gaps.push((rows[i] as TextRow).box.y0 - (rows[i - 1] as TextRow).box.y1);
  let run = 0;
  while (run < gaps.length && (gaps[run] ?? 0) < 0.5 * median(gaps.slice(run + 1))) run++;
  // `run` tight gaps join run + 1 lines; the rest of the block must still hold rows.
  const tight = run >= 1 && rows.length - (run + 1) >= 2 ? run + 1 : 0;
  return Math.max(byCount, tight);
}

/**
 * The joints of rules drawn cell by cell across `box` (pieces that abut, within 2 pt, spanning most of its width),
 * when every such rule within the block has the same ones; null when no rule is drawn in pieces or they disagree.
 */
function cellJoints(rules: readonly Segment[], box: Rect): number[] | null {
  const w = box.x1 - box.x0;
  const rows = new Map<number, Segment[]>();
  for (const s of rules) {
    if (s.y0 < box.y0 - 20 || s.y0 > box.y1 + 20) continue;
    const key = [...rows.keys()].find((y) => Math.abs(y - s.y0) <= 1) ?? s.y0;
    rows.set(key, [...(rows.get(key) ?? []), s]);
  }
  let out: number[] | null = null;
  for (const segs of rows.values()) {
    const sorted = [...segs].sort((a, b) => a.x0 - b.x0);
    const x0 = sorted[0]?.x0 ?? 0;
    const x1 = Math.max(...sorted.map((q) => q.x1));
    if (Math.min(x1, box.x1) - Math.max(x0, box.x0) < 0.8 * w) continue;
    const joints: number[] = [];
    for (let i = 1; i < sorted.length; i++) {
      const a = sorted[i - 1] as Segment;
      const b = sorted[i] as Segment;
      if (Math.abs(b.x0 - a.x1) > 2) return null;
      if (b.x0 > box.x0 + 2 && b.x0 < box.x1 - 2 && !joints.some((j) => Math.abs(j - b.x0) <= 2))
        joints.push(b.x0);
    }
    if (joints.length === 0) return null;
    if (out && (out.length !== joints.length || out.some((j, i) => Math.abs(j - (joints[i] as number)) > 2)))
      return null;
    out = joints;
  }
  return out;
}

/** A header ruled off from the body has at most this many lines. */
const MAX_HEADER_LINES = 3;

/**
 * How many leading lines a rule under the header sets apart: the first rule across most of the block's width
 * that lies between two of its lines, within MAX_HEADER_LINES of the top and with two or more lines below it.
 * Headers whose cells sit off the body's columns (a left-set heading over right-set figures) then still take the
 * body's columns instead of adding their own.
 */
function ruledHeaderLines(rows: readonly TextRow[], rules: readonly Segment[]): number {
  if (rows.length < 3) return 0;
  const x0 = Math.min(...rows.map((r) => r.box.x0));
  const x1 = Math.max(...rows.map((r) => r.box.x1));
  const across = ruleLines(rules)
    .filter((s) => Math.min(s.x1, x1) - Math.max(s.x0, x0) >= 0.5 * (x1 - x0))
    .map((s) => ({ y0: s.y }));
  for (let k = 1; k <= MAX_HEADER_LINES && k + 2 <= rows.length; k++) {
    const above = (rows[k - 1] as TextRow).box;
    const below = (rows[k] as TextRow).box;
    const mid = (above.y0 + above.y1) / 2;
    if (across.some((s) => s.y0 > mid && s.y0 <= below.y0 + 1)) return k;
  }
  return 0;
}

/**
 * One stream table from rows of words. With `columns` (user separators) words are split among them by their
 * centre; otherwise columns come from chunk alignment of the body (the lines below the header) and whole chunks
 * are placed. Lines group into rows (logicalRows): wrapped header cells and multi-line body cells are one cell,
 * their lines joined with '\n'. `rules` are the horizontal rulings around the block. `withSpans` (auto mode) reads
 * spanned cells from where text sits against the columns (stream-spans.ts); stream mode keeps camelot's one column
 * per chunk.
 */
export function streamGrid(
  rows: TextRow[],
  columns?: readonly number[],
  rules: readonly Segment[] = [],
  withSpans = false,
): StreamGrid | null {
  if (rows.length === 0) return null;
  let box = rows.map((r) => r.box).reduce(union);
  const rowChunks = alignedChunks(rows);
  let xs: number[];
  const user = !!(columns && columns.length);
  const headerLines = user ? 0 : Math.max(countHeaderLines(rows, rowChunks), ruledHeaderLines(rows, rules));
  if (user) {
    const inner = [...(columns ?? [])].sort((a, b) => a - b).filter((x) => x > box.x0 && x < box.x1);
    xs = [box.x0, ...inner, box.x1];
  } else {
    xs = edgesFromIntervals(columnIntervals(rowChunks.slice(headerLines)), box);
    // A rule drawn cell by cell (as browsers print a cell's border) joins its pieces at the column edges: where
    // every rule across the block has the same joints, those are the columns, whatever the text's spacing.
    const joints = cellJoints(rules, box);
    if (joints && joints.length >= 1) xs = [box.x0, ...joints, box.x1];
  }
  const ncols = xs.length - 1;
  const groups = user ? rows.map((_, i) => [i]) : logicalRows(rows, rowChunks, xs, headerLines, rules);
  // Row bands: halfway between neighbouring rows, the outer rows bounded by their own text.
  const groupBox = groups.map((g) => g.map((i) => (rows[i] as TextRow).box).reduce(union));
  const ys = [box.y0];
  for (let i = 1; i < groups.length; i++) {
    ys.push(((groupBox[i - 1] as Rect).y1 + (groupBox[i] as Rect).y0) / 2);
  }
  ys.push(box.y1);
  const cells: TableCell[] = [];
  const texts: string[][] = groups.map(() => Array.from({ length: ncols }, () => ''));
  // Spans (stream-spans.ts): each chunk's columns, from where it sits against the columns' alignment edges.
  const h = median(rows.map((r) => r.box.y1 - r.box.y0));
  const placed = groups.map((g) =>
    g.flatMap((li) =>
      (rowChunks[li] ?? []).map((ch) => ({ li, ch, box: ch.box, col: columnOf(ch.box, xs) })),
    ),
  );
  const edges = columnEdges(
    placed.flatMap((p, r) => ((groups[r]?.[0] ?? 0) >= headerLines ? p : [])),
    ncols,
  );
  const spans: number[][] = groups.map(() => Array.from({ length: ncols }, () => 1));
  groups.forEach((g, r) => {
    const cellLines: string[][] = Array.from({ length: ncols }, () => []);
    const mine = placed[r] ?? [];
    const ranges = user || !withSpans ? [] : rowSpans(mine, xs, h, edges);
    for (const li of g) {
      const line: string[] = Array.from({ length: ncols }, () => '');
      const place = (c: number, text: string) => {
        line[c] = line[c] ? `${line[c]} ${text}` : text;
      };
      if (user) {
        for (const t of rows[li]?.tokens ?? []) {
          const cx = (t.box.x0 + t.box.x1) / 2;
          place(Math.max(0, Math.min(ncols - 1, bandIndex(xs, cx))), t.text);
        }
      } else {
        mine.forEach((p, k) => {
          if (p.li !== li) return;
          const [a, b] = ranges[k] ?? [p.col, p.col];
          place(a, lineText(p.ch.tokens));
          const sr = spans[r] as number[];
          sr[a] = Math.max(sr[a] ?? 1, b - a + 1);
        });
      }
      line.forEach((t, c) => {
        if (t) cellLines[c]?.push(t);
      });
    }
    texts[r] = cellLines.map((l) => l.join('\n'));
  });
  // A group heading over sub-headings spans them; the headings beside it, over nothing, span both rows.
  const topRowSpan = withSpans && !user ? groupHeaderSpans(texts, spans) : [];
  for (let r = 0; r < groups.length; r++) {
    for (let c = 0; c < ncols;) {
      const span = Math.min(spans[r]?.[c] ?? 1, ncols - c);
      const down = r === 0 ? (topRowSpan[c] ?? 1) : 1;
      if (r === 1 && (topRowSpan[c] ?? 1) > 1) {
        c += span;
        continue;
      }
      cells.push({
        text: texts[r]?.[c] ?? '',
        box: { x0: xs[c] ?? 0, y0: ys[r] ?? 0, x1: xs[c + span] ?? 0, y1: ys[r + down] ?? 0 },
        row: r,
        col: c,
        rowSpan: down,
        colSpan: span,
      });
      c += span;
    }
  }
  box = { x0: xs[0] ?? box.x0, y0: box.y0, x1: xs[xs.length - 1] ?? box.x1, y1: box.y1 };
  const tableRows = groups.map((g, r) => ({
    tokens: g.flatMap((i) => rows[i]?.tokens ?? []),
    box: groupBox[r] as Rect,
  }));
  return { box, rows: tableRows, lines: rows, xs, cells };
}

/**
 * Table regions in running text: blocks of consecutive rows (no vertical gap over BLOCK_GAP row pitches, at
 * most MAX_PLAIN_RUN one-chunk rows in a row) holding at least three rows with two or more chunks whose
 * positions line up with the block's columns. Leading and trailing one-chunk rows are trimmed.
 * NOTE: camelot finds regions from Nurminen's text edges and tabula guesses from rulings; this is simpler and
 * keeps headings that sit in one chunk above a table only when they are between tabular rows.
 */
export function findStreamBlocks(rows: TextRow[], guessing = false): TextRow[][] {
  if (rows.length === 0) return [];
  const pitches: number[] = [];
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1] as TextRow;
    const b = rows[i] as TextRow;
    pitches.push((b.box.y0 + b.box.y1) / 2 - (a.box.y0 + a.box.y1) / 2);
  }
  const pitch = Math.max(median(pitches), 1);
  const multi = rows.map((r) => chunks(r).length >= 2);
  const blocks: TextRow[][] = [];
  let cur: number[] = [];
  let plainRun = 0;
  const flush = () => {
    while (cur.length && !multi[cur[cur.length - 1] ?? 0]) cur.pop();
    while (cur.length && !multi[cur[0] ?? 0]) cur.shift();
    if (cur.filter((i) => multi[i]).length >= 3) blocks.push(cur.map((i) => rows[i] as TextRow));
    cur = [];
    plainRun = 0;
  };
  for (let i = 0; i < rows.length; i++) {
    const prev = rows[cur[cur.length - 1] ?? -1];
    const row = rows[i] as TextRow;
    const gap = prev ? (row.box.y0 + row.box.y1) / 2 - (prev.box.y0 + prev.box.y1) / 2 : 0;
    if (prev && gap > BLOCK_GAP * pitch) flush();
    // Guessing tables in a whole page: a paragraph line across most of the block or a caption ends it (two
    // tables with a sentence and a caption between them are two).
    if (guessing && !multi[i] && cur.length) {
      const xs = cur.filter((k) => multi[k]).map((k) => rows[k] as TextRow);
      const x0 = Math.min(...xs.map((r) => r.box.x0));
      const x1 = Math.max(...xs.map((r) => r.box.x1));
      const h = median(xs.map((r) => median(r.tokens.map((t) => t.box.y1 - t.box.y0))));
      if (row.box.x1 - row.box.x0 > PROSE_WIDTH * (x1 - x0) || isCaption(row, h)) {
        flush();
        continue;
      }
    }
    if (multi[i]) {
      plainRun = 0;
      cur.push(i);
    } else if (cur.length) {
      plainRun++;
      if (plainRun > MAX_PLAIN_RUN) flush();
      else cur.push(i);
    }
  }
  flush();
  return blocks;
}

/** A one-chunk line wider than this fraction of a block is running text, not a wrapped cell or header. */
const PROSE_WIDTH = 0.6;

/**
 * A block with the header lines set tightly above it: findStreamBlocks starts a block at its first line of two or
 * more chunks, so the upper lines of a header wrapped over several lines (one chunk each) are left out. Lines
 * closer than 0.6 line heights above the block and within its width join it.
 */
function withTightLines(block: TextRow[], rows: readonly TextRow[], guessing = false): TextRow[] {
  const first = block[0];
  if (!first) return block;
  const h = median(block.map((r) => r.box.y1 - r.box.y0));
  const x0 = Math.min(...block.map((r) => r.box.x0)) - h;
  const x1 = Math.max(...block.map((r) => r.box.x1)) + h;
  const out = [...block];
  // A line of running text set close to the table (a note, the next paragraph) is one chunk across most of it;
  // a wrapped cell's line is one cell wide.
  // Only when guessing tables in a whole page: stream mode reads headnotes in, as camelot's stream does.
  const across = (r: TextRow) =>
    guessing && chunks(r).length === 1 && r.box.x1 - r.box.x0 > PROSE_WIDTH * (x1 - x0 - 2 * h);
  for (let i = rows.indexOf(first) - 1; i >= 0; i--) {
    const r = rows[i] as TextRow;
    const top = out[0] as TextRow;
    if (top.box.y0 - r.box.y1 > 0.6 * h || r.box.x0 < x0 || r.box.x1 > x1 || across(r)) break;
    out.unshift(r);
  }
  // Likewise the last lines of a multi-line cell in the bottom row.
  for (let i = rows.indexOf(block[block.length - 1] as TextRow) + 1; i < rows.length; i++) {
    const r = rows[i] as TextRow;
    const bottom = out[out.length - 1] as TextRow;
    if (r.box.y0 - bottom.box.y1 > 0.6 * h || r.box.x0 < x0 || r.box.x1 > x1 || across(r)) break;
    out.push(r);
  }
  return out;
}

/** Lines set this much smaller than a block's usual line are no rows of its table at its top or bottom edge. */
const SMALL_TYPE = 0.8;
/** A one-chunk line this much larger than the block's usual line over it is a caption or heading. */
const LARGE_TYPE = 1.15;

/** Whether a line over a table is its caption: one chunk that names a table or is set in larger type. */
function isCaption(r: TextRow, usual: number): boolean {
  if (chunks(r).length !== 1) return false;
  const height = median(r.tokens.map((t) => t.box.y1 - t.box.y0));
  return TABLE_CAPTION.test(lineText(r.tokens)) || height > LARGE_TYPE * usual;
}

/**
 * A block without the lines in smaller type at its top and bottom: a browser's running head (date, title) printed
 * just above a table that starts a page, a footnote or page foot just under one that ends it.
 */
function trimSmallType(block: TextRow[], guessing = true): TextRow[] {
  const height = (r: TextRow) => median(r.tokens.map((t) => t.box.y1 - t.box.y0));
  const usual = median(block.map(height));
  let lo = 0;
  let hi = block.length;
  while (lo < hi && height(block[lo] as TextRow) < SMALL_TYPE * usual) lo++;
  while (hi > lo && height(block[hi - 1] as TextRow) < SMALL_TYPE * usual) hi--;
  // Under a page foot taken off, the paragraph that follows the table (one chunk across most of it) goes too.
  const x0 = Math.min(...block.map((r) => r.box.x0));
  const x1 = Math.max(...block.map((r) => r.box.x1));
  const prose = (r: TextRow) => chunks(r).length === 1 && r.box.x1 - r.box.x0 > PROSE_WIDTH * (x1 - x0);
  if (lo > 0) while (lo < hi && prose(block[lo] as TextRow)) lo++;
  // A caption over the table ("Table 3. …", or a heading in larger type) is no header row.
  while (guessing && hi - lo > 2 && isCaption(block[lo] as TextRow, usual)) lo++;
  if (hi < block.length) while (hi > lo && prose(block[hi - 1] as TextRow)) hi--;
  return hi - lo >= 2 ? block.slice(lo, hi) : block;
}

/** Rule frames: words whose centre is this far outside a frame's rules still belong to it (pt). */
const FRAME_PAD = 3;
/** Rules of a row-ruled frame this many usual spacings apart belong to two tables. */
const FRAME_SPLIT = 2.5;
/** Lines closer than this many line heights are one block (a wrapped cell or header). */
const TIGHT_LINE = 0.6;
/** A frame with this many rules or more rules (nearly) every row. */
const ROW_RULES = 4;
/** Above a frame's single rule (a header rule), its header lines may reach this many line heights up. */
const HEADER_ABOVE = 4;
/** Words within this many line heights of a line's centre share that line. */
const ROW_SHARE = 0.3;
/** A frame whose lines share more than this fraction with words outside its rules is a partial rule, no frame. */
const PARTIAL_RULE = 0.5;
/** Horizontal rules narrower than this (pt) are underlines or marks, not table rules. */
const MIN_RULE = 60;

/** Horizontal rules joined into lines: pieces on one height that touch, as a table's rule drawn cell by cell. */
function ruleLines(rules: readonly Segment[]): { x0: number; x1: number; y: number }[] {
  const segs = [...rules].sort((a, b) => a.y0 - b.y0 || a.x0 - b.x0);
  const lines: { x0: number; x1: number; y: number }[] = [];
  for (const s of segs) {
    const l = lines.find((q) => Math.abs(q.y - s.y0) <= 1 && s.x0 <= q.x1 + 2 && s.x1 >= q.x0 - 2);
    if (l) [l.x0, l.x1] = [Math.min(l.x0, s.x0), Math.max(l.x1, s.x1)];
    else lines.push({ x0: s.x0, x1: s.x1, y: s.y0 });
  }
  return lines;
}

interface RuleFrame {
  x0: number;
  x1: number;
  /** The rules' heights, top to bottom. */
  ys: number[];
}

/**
 * Horizontal rules joined into lines (pieces on one height that touch, as a table's rule drawn cell by cell) and
 * grouped by their common extent: each group is the width of one partly ruled table.
 */
function ruleFrames(rules: readonly Segment[]): RuleFrame[] {
  const frames: RuleFrame[] = [];
  for (const l of ruleLines(rules)) {
    if (l.x1 - l.x0 < MIN_RULE) continue;
    const f = frames.find((q) => Math.abs(q.x0 - l.x0) <= 4 && Math.abs(q.x1 - l.x1) <= 4);
    if (!f) frames.push({ x0: l.x0, x1: l.x1, ys: [l.y] });
    else if (!f.ys.some((y) => Math.abs(y - l.y) <= 1.5)) f.ys.push(l.y);
  }
  // Row rules of two tables of one width set one above the other: a spacing far over the usual one (a caption
  // and a margin in between) splits them.
  const out: RuleFrame[] = [];
  for (const f of frames) {
    f.ys.sort((a, b) => a - b);
    const gaps = f.ys.slice(1).map((y, i) => y - (f.ys[i] as number));
    const usual = median(gaps);
    let cur: RuleFrame = { ...f, ys: [f.ys[0] as number] };
    gaps.forEach((g, i) => {
      if (f.ys.length >= ROW_RULES && g > FRAME_SPLIT * usual) {
        out.push(cur);
        cur = { ...f, ys: [] };
      }
      cur.ys.push(f.ys[i + 1] as number);
    });
    out.push(cur);
  }
  return out;
}

/**
 * Rule frames cut where running text lies between two of their rules: a paragraph across most of the frame or a
 * caption ("Table 3. …") sets two tables of one width apart (each with its own header rule), whatever the spacing.
 */
function splitFramesAtText(frames: RuleFrame[], tokens: readonly Token[]): RuleFrame[] {
  const out: RuleFrame[] = [];
  for (const f of frames) {
    const rows = groupRows(
      tokens.filter((t) => {
        const cx = (t.box.x0 + t.box.x1) / 2;
        return cx >= f.x0 - FRAME_PAD && cx <= f.x1 + FRAME_PAD;
      }),
    );
    const h = median(rows.map((r) => median(r.tokens.map((t) => t.box.y1 - t.box.y0))));
    const text = rows.filter(
      (r) => (chunks(r).length === 1 && r.box.x1 - r.box.x0 > PROSE_WIDTH * (f.x1 - f.x0)) || isCaption(r, h),
    );
    let cur: RuleFrame = { ...f, ys: [f.ys[0] as number] };
    for (let i = 1; i < f.ys.length; i++) {
      const a = f.ys[i - 1] as number;
      const b = f.ys[i] as number;
      if (text.some((r) => r.box.y0 > a && r.box.y1 < b)) {
        out.push(cur);
        cur = { ...f, ys: [] };
      }
      cur.ys.push(b);
    }
    out.push(cur);
  }
  return out;
}

/**
 * Stream tables of a page: inside `area` one table from all its words, otherwise one per text block. `rulings`
 * (the page's, any orientation) separate rows of multi-line cells where they are drawn; with `framed` (auto mode,
 * whole page) horizontal rules sharing one width also bound the tables they rule in part (ruleFrames). Stream
 * mode stays text alignment only, as camelot's stream reads it: headnotes above a table's top rule included.
 */
export function streamGrids(
  tokens: readonly Token[],
  area?: Rect,
  columns?: readonly number[],
  rulings: readonly Segment[] = [],
  framed = false,
): StreamGrid[] {
  const inArea = area
    ? tokens.filter((t) => {
        const cx = (t.box.x0 + t.box.x1) / 2;
        const cy = (t.box.y0 + t.box.y1) / 2;
        return cx >= area.x0 && cx <= area.x1 && cy >= area.y0 && cy <= area.y1;
      })
    : tokens;
  const rules = rulings.filter((r) => r.orientation === 'h');
  markFixedPitch(inArea);
  if (area || (columns && columns.length)) {
    const g = streamGrid(groupRows(inArea), columns, rules);
    return g ? [g] : [];
  }
  const out: StreamGrid[] = [];
  // Partly ruled tables first (a rule under the header, booktabs' three rules, a rule between rows): the rules'
  // common width is the table's width, so prose set beside the table or above and below it stays out.
  let rest = [...inArea];
  for (const f of framed ? splitFramesAtText(ruleFrames(rules), inArea) : []) {
    const inside = rest.filter((t) => {
      const cx = (t.box.x0 + t.box.x1) / 2;
      return cx >= f.x0 - FRAME_PAD && cx <= f.x1 + FRAME_PAD;
    });
    const frameRows = groupRows(inside);
    const h = median(frameRows.map((r) => r.box.y1 - r.box.y0));
    const top = f.ys[0] as number;
    const bottom = f.ys[f.ys.length - 1] as number;
    // Under a single rule (the header's) the header sits above it and the body runs on to the end of its block.
    // With two or more, the table starts at the first rule, plus the lines just above it (a header over a header
    // rule, a header row above the first row rule). The last rule closes the table when it is a row rule or has
    // body rows above it (two or more lines since the rule before); a last rule with only a header above (a top
    // rule and a header rule) has the body run on.
    const between = frameRows.filter((r) => {
      const cy = (r.box.y0 + r.box.y1) / 2;
      return f.ys.length >= 2 && cy > (f.ys[f.ys.length - 2] as number) && cy < bottom;
    }).length;
    // The cell padding (rule to the text below it) tells how close a header above the first rule or a last row
    // below the last one sits; lines set tightly on from those (wrapped cells) come along.
    const pads = f.ys
      .map((y) => Math.min(...frameRows.filter((r) => r.box.y0 > y).map((r) => r.box.y0 - y)))
      .filter((d) => Number.isFinite(d));
    const pad = pads.length ? median(pads) : 0.5 * h;
    // Row rules sit between rows, a cell's padding either side; two or three rules (booktabs' top, mid and bottom
    // rules, a header rule and a rule over a total row) hold a header or total at one padding, a caption further.
    const reach = (f.ys.length >= ROW_RULES ? 2 : 1.2) * pad + 1;
    let lo = top - HEADER_ABOVE * h;
    let hi = Infinity;
    if (f.ys.length >= 2) {
      lo = top;
      // Running text set close to the rules (a note, the next paragraph: one chunk across most of the frame) is
      // no header or last row.
      const prose = (r: TextRow) =>
        chunks(r).length === 1 && r.box.x1 - r.box.x0 > PROSE_WIDTH * (f.x1 - f.x0);
      for (const r of [...frameRows].reverse()) {
        // Lines already taken (centre below `lo`; the boxes of tightly set lines overlap a little) are passed.
        if ((r.box.y0 + r.box.y1) / 2 > lo || r.box.y0 >= top) continue;
        if (lo - r.box.y1 > (lo === top ? reach : TIGHT_LINE * h) || prose(r) || isCaption(r, h)) break;
        lo = r.box.y0;
      }
      // Row rules close the table at the last; of two or three, the last closes it over body rows (see above).
      hi = between >= 2 || f.ys.length >= ROW_RULES ? bottom : Infinity;
      for (const r of hi === Infinity ? [] : frameRows) {
        if ((r.box.y0 + r.box.y1) / 2 < hi || r.box.y1 <= bottom) continue;
        if (r.box.y0 - hi > (hi === bottom ? reach : TIGHT_LINE * h) || prose(r)) break;
        hi = r.box.y1;
      }
      [lo, hi] = [lo - 1, hi + 1];
    }
    const kept = frameRows.filter((r) => {
      const cy = (r.box.y0 + r.box.y1) / 2;
      return cy >= lo && cy <= hi;
    });
    // A rule under part of a table only (a group heading's underline, a rule over the figures but not the labels)
    // does not bound it: words outside the rules share the lines of words inside.
    const beside = rest.filter((t) => !inside.includes(t));
    const shared = kept.filter((r) => {
      const cy = (r.box.y0 + r.box.y1) / 2;
      return beside.some((t) => Math.abs((t.box.y0 + t.box.y1) / 2 - cy) <= ROW_SHARE * h);
    }).length;
    if (shared > PARTIAL_RULE * kept.length) continue;
    // A frame closed by its last rule is one table, however many one-chunk lines (wrapped cells, section rows)
    // run together inside; an open one (the body below a header rule) ends where its text block does.
    const closed = hi < Infinity && kept.filter((r) => chunks(r).length >= 2).length >= 3;
    for (const b of closed ? [kept] : findStreamBlocks(kept, true)) {
      const y0 = Math.min(...b.map((r) => r.box.y0));
      const y1 = Math.max(...b.map((r) => r.box.y1));
      if (!f.ys.some((y) => y >= y0 - 2 * h && y <= y1 + 2 * h)) continue;
      const block = trimSmallType(closed ? b : withTightLines(b, kept, true));
      const g = streamGrid(block, undefined, rules, true);
      if (!g) continue;
      out.push(
        closed && f.ys.length >= ROW_RULES && f.ys.length >= g.rows.length ? { ...g, rowRuled: true } : g,
      );
      const taken = new Set(block.flatMap((r) => r.tokens));
      rest = rest.filter((t) => !taken.has(t));
    }
  }
  const rows = groupRows(rest);
  const used = new Set<TextRow>();
  for (const b of findStreamBlocks(rows, framed)) {
    const block = withTightLines(b, rows, framed).filter((r) => !used.has(r) || b.includes(r));
    for (const r of block) used.add(r);
    const trimmed = trimSmallType(block, framed);
    const g = streamGrid(trimmed, undefined, rules, framed);
    // Paragraphs set beside the table share its lines: each side of the gutter is read on its own.
    const gutter = g && framed ? besideGutter(trimmed, g.xs) : null;
    if (gutter !== null) {
      const words = trimmed.flatMap((r) => r.tokens);
      for (const side of [words.filter((t) => t.box.x1 <= gutter), words.filter((t) => t.box.x0 >= gutter)])
        out.push(...streamGrids(side, undefined, undefined, rulings, framed));
    } else if (g) out.push(g);
  }
  return out;
}
