// The binder's view of a page: tokens (words, with "Total:39.80" split at the colon), their letters for label
// matching, text-height per token, segments (runs of a line without a column gap: pdf.js joins a whole row of
// a two-column header into one line), and visual rows (OCR breaks one printed row into several lines).
import type { TextPage } from '../../shared/domain.js';
import type { Rect } from '../../shared/geometry.js';
import { parseMoney } from './values.js';

export interface Token {
  text: string;
  box: Rect;
  /** Index of the page line it came from. */
  line: number;
  /** Lower-case letters only ("Bi1l" → "bil"), for label matching. */
  letters: string;
  /** Segment id: tokens of one line without a column gap between them share it. */
  seg: number;
  /** true when this token starts its segment. */
  segStart: boolean;
}

export interface PageIndex {
  page: TextPage;
  tokens: Token[];
  /** Median token height on the page. */
  h: number;
}

const GLUED = /^([A-Za-z][A-Za-z./ ]{1,20}[:;])(\S.*)$/;
/** "TotalRM15.40": a label word run into its amount by OCR (a currency mark or digit after 3+ letters). */
const GLUED_MONEY = /^([A-Za-z]{3,}?[:;.]?)((?:RM|\$|€|£)?\d[\d,.]*\d)$/;
/** "1RM14.20": the last letter of a label ("Tota l") read as a 1 and run into a currency-marked amount. */
const GLUED_MARK = /^([A-Za-z1|]{1,2})((?:RM|\$|€|£)\d[\d,.]*\.\d{2})$/;

export function lettersOf(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z#]/g, '');
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 10;
}

export function indexPage(page: TextPage): PageIndex {
  const tokens: Token[] = [];
  for (const w of page.words) {
    // A word that reads as one amount ("RMI11.90": RM111.90 with a 1 read as I) is not a label run into one.
    const m =
      GLUED.exec(w.text) ??
      (parseMoney(w.text) ? null : (GLUED_MONEY.exec(w.text) ?? GLUED_MARK.exec(w.text)));
    if (m?.[1] && m[2] && /\d/.test(m[2])) {
      // "Date:20/11/2017": one OCR word holding a label and its value; boxes split by character count.
      const cut = w.box.x0 + ((w.box.x1 - w.box.x0) * m[1].length) / w.text.length;
      tokens.push({
        text: m[1],
        box: { ...w.box, x1: cut },
        line: w.line,
        letters: lettersOf(m[1]),
        seg: 0,
        segStart: false,
      });
      tokens.push({
        text: m[2],
        box: { ...w.box, x0: cut },
        line: w.line,
        letters: lettersOf(m[2]),
        seg: 0,
        segStart: false,
      });
    } else
      tokens.push({
        text: w.text,
        box: w.box,
        line: w.line,
        letters: lettersOf(w.text),
        seg: 0,
        segStart: false,
      });
  }
  const h = median(tokens.map((t) => t.box.y1 - t.box.y0).filter((v) => v > 0));
  let seg = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const prev = tokens[i - 1];
    if (!t) continue;
    const th = Math.max(1, Math.min(t.box.y1 - t.box.y0, 2 * h));
    if (!prev || prev.line !== t.line || t.box.x0 - prev.box.x1 > 1.6 * th) {
      seg++;
      t.segStart = true;
    }
    t.seg = seg;
  }
  return { page, tokens, h };
}

/** Height of a token, clamped against outliers. */
export function heightOf(ix: PageIndex, box: Rect): number {
  return Math.max(1, Math.min(box.y1 - box.y0, 2.5 * ix.h));
}

/** Vertical overlap of two boxes as a fraction of the smaller height. */
export function vOverlap(a: Rect, b: Rect): number {
  const o = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  return o / Math.max(1, Math.min(a.y1 - a.y0, b.y1 - b.y0));
}

/**
 * The page's skew as a slope (dy per dx): the median, weighted by their distance, of the slopes between each token
 * and its nearest neighbour to the right on its row. A scan's words drift with its rows; a text layer's lie flat.
 */
function pageSlope(ix: PageIndex): number {
  const cached = SLOPES.get(ix);
  if (cached !== undefined) return cached;
  const mid = (r: Rect) => (r.y0 + r.y1) / 2;
  const pairs: Array<[slope: number, weight: number]> = [];
  for (const a of ix.tokens) {
    let best: Rect | null = null;
    for (const b of ix.tokens) {
      if (b === a || b.box.x0 < a.box.x1 - 0.5 || vOverlap(a.box, b.box) < 0.3) continue;
      if (!best || b.box.x0 < best.x0) best = b.box;
    }
    if (!best) continue;
    const dx = (best.x0 + best.x1) / 2 - (a.box.x0 + a.box.x1) / 2;
    if (dx > 0) pairs.push([(mid(best) - mid(a.box)) / dx, dx]);
  }
  pairs.sort((p, q) => p[0] - q[0]);
  const total = pairs.reduce((n, p) => n + p[1], 0);
  let acc = 0;
  let slope = 0;
  for (const [sl, w] of pairs) {
    acc += w;
    if (acc >= total / 2) {
      slope = sl;
      break;
    }
  }
  SLOPES.set(ix, slope);
  return slope;
}
const SLOPES = new WeakMap<PageIndex, number>();

/**
 * Token indices to the right of `box` on its row, left to right: a token is on it when it overlaps by `minOverlap`
 * the row's band carried along `slope` (dy per dx) to the token's middle. On a skewed or tightly printed scan a token
 * of the row above or below also overlaps the row; where two tokens stack in one column, only the one centred nearer
 * the row is on it ("TOTAL RM 15.15" over "Total Qty: 1").
 */
function onRow(ix: PageIndex, box: Rect, slope: number, minOverlap: number): number[] {
  const cx = (box.x0 + box.x1) / 2;
  const at = (r: Rect): Rect => {
    const dy = slope * ((r.x0 + r.x1) / 2 - cx);
    return { x0: r.x0, x1: r.x1, y0: box.y0 + dy, y1: box.y1 + dy };
  };
  const mid = (r: Rect) => (r.y0 + r.y1) / 2;
  const off = (r: Rect) => Math.abs(mid(r) - mid(at(r)));
  const out: number[] = [];
  for (let i = 0; i < ix.tokens.length; i++) {
    const t = ix.tokens[i]?.box;
    if (!t || t.x0 < box.x1 - 0.5 || vOverlap(t, at(t)) < minOverlap) continue;
    out.push(i);
  }
  const kept = out.filter((i) => {
    const a = ix.tokens[i]?.box;
    if (!a) return false;
    return !out.some((j) => {
      const b = ix.tokens[j]?.box;
      if (j === i || !b || ix.tokens[j]?.line === ix.tokens[i]?.line) return false;
      return Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0) > 0 && off(b) < off(a);
    });
  });
  return kept.sort((a, b) => (ix.tokens[a]?.box.x0 ?? 0) - (ix.tokens[b]?.box.x0 ?? 0));
}

/** Token indices to the right of `box` on its visual row (any OCR line, overlapping it by 0.45), left to right. */
export function rightOf(ix: PageIndex, box: Rect): number[] {
  return onRow(ix, box, 0, 0.45);
}

/**
 * Token indices to the right of `box` on its printed row, following the row across a wide table on a skewed scan
 * (a line item's amounts sit a line height lower at the right edge than its description at the left): the row is
 * carried along the page's skew, and a token is on it when it overlaps it by half.
 */
export function rowRightOf(ix: PageIndex, box: Rect): number[] {
  return onRow(ix, box, pageSlope(ix), 0.5);
}

/** Segments, top to bottom, just below `box` that overlap its x-range (widened by `reach` to the right). */
export function rowsBelow(ix: PageIndex, box: Rect, maxRows: number, reach: number): number[][] {
  const h = heightOf(ix, box);
  const segs = new Map<number, number[]>();
  for (let i = 0; i < ix.tokens.length; i++) {
    const t = ix.tokens[i];
    if (!t) continue;
    if (t.box.y0 < box.y1 - 0.3 * h) continue;
    const list = segs.get(t.seg) ?? [];
    list.push(i);
    segs.set(t.seg, list);
  }
  const candidates = [...segs.values()]
    .map((idx) => ({ idx, r: boxOf(ix, idx) }))
    .filter(({ r }) => r.x1 > box.x0 - 0.5 * h && r.x0 < box.x1 + reach && r.x0 > box.x0 - 6 * h)
    .sort((a, b) => a.r.y0 - b.r.y0);
  const out: number[][] = [];
  let bottom = box.y1;
  for (const c of candidates) {
    if (c.r.y0 - bottom > 1.6 * h) break;
    if (out.length > 0 && vOverlap(c.r, boxOf(ix, out[out.length - 1] ?? [])) > 0.5) continue;
    out.push(c.idx);
    bottom = Math.max(bottom, c.r.y1);
    if (out.length >= maxRows) break;
  }
  return out;
}

export function boxOf(ix: PageIndex, idx: readonly number[]): Rect {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const i of idx) {
    const b = ix.tokens[i]?.box;
    if (!b) continue;
    x0 = Math.min(x0, b.x0);
    y0 = Math.min(y0, b.y0);
    x1 = Math.max(x1, b.x1);
    y1 = Math.max(y1, b.y1);
  }
  return { x0, y0, x1, y1 };
}

export function textOf(ix: PageIndex, idx: readonly number[]): string {
  return idx.map((i) => ix.tokens[i]?.text ?? '').join(' ');
}

/** The tokens of segment `seg`, in order. */
export function segmentTokens(ix: PageIndex, seg: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ix.tokens.length; i++) if (ix.tokens[i]?.seg === seg) out.push(i);
  return out;
}
