// Ruling lines found in a page image, for ruled-table detection on scanned pages and images: the counterpart of
// src/documents/rulings.ts (which reads them from a PDF's drawing operators) for pages that are only pixels.
//
// NOTE: hand-written. No maintained JavaScript library finds line segments without OpenCV (opencv.js is a
// multi-megabyte wasm build, untyped and not published as a maintained package; sharp and jimp filter images but
// find no lines), and tables need only a narrow case: long, nearly axis-aligned rules that may be faint (light
// grey on a grey scan), broken (noise, JPEG, crossings), turned by a degree or two (a scan fed in askew) or drawn
// light on a dark header fill. A few linear passes over the raster do that:
//   1. greyscale; Otsu's threshold for solid ink and fills;
//   2. a line detector per orientation: the raster smoothed along the line direction (a 1-D box kernel), a
//      pixel kept when it is darker (or, between dark surroundings, lighter) than the pixels a rule-width away on
//      both sides — an adaptive threshold that ignores slow shading and the edges of fills;
//   3. the page's skew from projection profiles of those pixels; the masks are read along the skew (sheared);
//   4. runs along each row (small gaps bridged) joined across rows into bands: thin bands are rules, solid
//      rectangles (header fills) give their edges, anything else (text strokes, blobs) is dropped;
//   5. collinear pieces merged, then kept only when long enough relative to the page, mostly covered and far
//      longer than thick (letter stems and underlines of words are not).
// Segments come back in the page space of the upright page (the page turned back by the skew about its
// centre), which is the frame table detection works in when given the skew (DetectOptions.skew).
import type { Segment } from './types.js';
import { findRoot } from './union-find.js';

/** A raster as the documents engine renders it: rows top to bottom, `channels` bytes per pixel (grey, grey+alpha, RGB, RGBA). */
export interface Raster {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: number;
}

export interface ImageRulingsOptions {
  /** Raster pixels per page unit (RawImage.scale: pixels per point for PDF pages, 1 for images). */
  scale: number;
  /** Largest skew searched for, degrees either way (default 3); 0 turns the skew search off. */
  maxSkewDeg?: number;
}

export interface ImageRulings {
  /** Axis-aligned rulings in page space of the upright page (the page turned by -skewDeg about `centre`). */
  segments: Segment[];
  /** How far the page content is turned clockwise as displayed (y down), degrees; 0 for a straight page. */
  skewDeg: number;
  /** The centre of that turn in page space: the page centre. */
  centre: { x: number; y: number };
}

// Sizes in page units (points), converted to pixels with the raster's scale.
/** Half-length of the smoothing along a rule. */
const SMOOTH_PT = 1.5;
/** Distance either side at which a rule's pixels are compared with their surroundings (rules up to ~2× wide). */
const RIDGE_PT = 1.4;
/** Shortest run along a row that can be part of a rule. */
const MIN_RUN_PT = 4;
/** Gaps inside a run bridged while scanning (noise, JPEG). */
const RUN_GAP_PT = 0.75;
/** Thicker than this, a band is a bar or a fill, not a rule. */
const MAX_THICK_PT = 3;
/** Collinear pieces with gaps up to this join (crossings, a broken stroke). */
const JOIN_GAP_PT = 5;
/** Pieces whose positions differ by at most this are one line. */
const SNAP_PT = 2;
/** Shortest rule: 2.5 % of the page's shorter side (15 pt on Letter or A4), at least this. */
const MIN_LEN_PT = 10;
const MIN_LEN_PAGE = 0.025;
/** A rule is at least this many times longer than thick (a bold capital I is about 5). */
const MIN_ASPECT = 6;
/** Of a merged line's length, at least this fraction is drawn (dot leaders and serif baselines are not rules). */
const MIN_COVER = 0.85;
/** Width of the strips beside a piece that are checked for text (see beside). */
const STRIP_PT = 2.5;
/** A fill's edge has the fill at least this deep behind it. */
const FILL_DEPTH_PT = 6;
/**
 * A piece runs along text when the ink beside it covers between these fractions of its length in at least
 * this many separate stretches per point (see besideText).
 */
const TEXT_COVER_MIN = 0.2;
const TEXT_COVER_MAX = 0.9;
const TEXT_RUNS_PER_PT = 0.04;
/** A skew below this (degrees) is read as none. */
const MIN_SKEW_DEG = 0.03;

const RIDGE_H = 1;
const RIDGE_V = 2;
const EDGE_H = 4;
const EDGE_V = 8;
const INK = 16;

/** Luminance 0..255 per pixel, alpha composited over white. */
export function greyscale(r: Raster): Uint8Array {
  const n = r.width * r.height;
  const out = new Uint8Array(n);
  const d = r.data;
  const c = r.channels;
  for (let i = 0, j = 0; i < n; i++, j += c) {
    let l: number;
    if (c >= 3) l = 0.299 * (d[j] ?? 0) + 0.587 * (d[j + 1] ?? 0) + 0.114 * (d[j + 2] ?? 0);
    else l = d[j] ?? 0;
    if (c === 4 || c === 2) {
      const a = (d[j + c - 1] ?? 255) / 255;
      l = l * a + 255 * (1 - a);
    }
    out[i] = Math.round(l);
  }
  return out;
}

/** Otsu's threshold of a greyscale image, with the means of the two classes it separates. */
export function otsu(grey: Uint8Array): { threshold: number; dark: number; light: number } {
  const hist = new Float64Array(256);
  for (let i = 0; i < grey.length; i++) {
    const v = grey[i] ?? 0;
    hist[v] = (hist[v] ?? 0) + 1;
  }
  const total = grey.length;
  let sumAll = 0;
  for (let v = 0; v < 256; v++) sumAll += v * (hist[v] ?? 0);
  let w0 = 0;
  let sum0 = 0;
  let best = -1;
  let threshold = 128;
  let dark = 0;
  let light = 255;
  for (let t = 0; t < 255; t++) {
    w0 += hist[t] ?? 0;
    sum0 += t * (hist[t] ?? 0);
    const w1 = total - w0;
    if (w0 === 0 || w1 === 0) continue;
    const m0 = sum0 / w0;
    const m1 = (sumAll - sum0) / w1;
    const between = w0 * w1 * (m0 - m1) ** 2;
    if (between > best) {
      best = between;
      threshold = t + 1; // dark: v < threshold
      dark = m0;
      light = m1;
    }
  }
  return { threshold, dark, light };
}

/** Box average of `grey` along x (horizontal) or y (vertical), radius r, edges clamped. */
function smooth(grey: Uint8Array, w: number, h: number, r: number, alongX: boolean): Uint8Array {
  const out = new Uint8Array(w * h);
  const len = alongX ? w : h;
  const lines = alongX ? h : w;
  const step = alongX ? 1 : w;
  for (let l = 0; l < lines; l++) {
    const base = alongX ? l * w : l;
    let sum = 0;
    let cnt = 0;
    for (let k = 0; k <= Math.min(r, len - 1); k++) {
      sum += grey[base + k * step] ?? 0;
      cnt++;
    }
    for (let k = 0; k < len; k++) {
      out[base + k * step] = Math.round(sum / cnt);
      const add = k + r + 1;
      const drop = k - r;
      if (add < len) {
        sum += grey[base + add * step] ?? 0;
        cnt++;
      }
      if (drop >= 0) {
        sum -= grey[base + drop * step] ?? 0;
        cnt--;
      }
    }
  }
  return out;
}

/**
 * Contrast a rule must have over its surroundings: four standard deviations of the smoothed image's local
 * difference (estimated robustly over a sample, so ink does not count), and at least 8 grey levels.
 */
function ridgeContrast(s: Uint8Array, w: number, h: number, d: number): number {
  const diffs: number[] = [];
  for (let y = d; y < h - d; y += 7) {
    for (let x = 3; x < w; x += 11) {
      const i = y * w + x;
      diffs.push(Math.abs((s[i] ?? 0) - ((s[i - d * w] ?? 0) + (s[i + d * w] ?? 0)) / 2));
    }
  }
  if (!diffs.length) return 8;
  diffs.sort((a, b) => a - b);
  const sigmaDiff = 1.4826 * (diffs[diffs.length >> 1] ?? 0);
  // diff = s - (a+b)/2 has variance 1.5 σ²; the test s < min(a, b) - δ compares two pixels (variance 2 σ²).
  const sigma = sigmaDiff / Math.sqrt(1.5);
  return Math.max(8, 4 * Math.SQRT2 * sigma);
}

/**
 * Bit mask per pixel: RIDGE_H / RIDGE_V (a thin line running along x / along y), EDGE_H / EDGE_V (the edge of
 * a dark fill running along x / along y), INK (darker than Otsu's threshold).
 */
function lineMask(grey: Uint8Array, w: number, h: number, scale: number): Uint8Array {
  const r = Math.max(1, Math.round(SMOOTH_PT * scale));
  const d = Math.max(2, Math.round(RIDGE_PT * scale));
  const far = Math.max(d + 2, Math.round(FILL_DEPTH_PT * scale));
  const mask = new Uint8Array(w * h);
  const o = otsu(grey);
  // A page with no real ink (blank, or noise only) has no fills either.
  const inkLevel = o.light - o.dark >= 60 ? o.threshold : -1;
  for (let i = 0; i < grey.length; i++) if ((grey[i] ?? 255) < inkLevel) mask[i] = INK;
  // Paper level: a light line counts only between surroundings clearly darker than the paper.
  const hist = new Uint32Array(256);
  for (let i = 0; i < grey.length; i++) {
    const v = grey[i] ?? 0;
    hist[v] = (hist[v] ?? 0) + 1;
  }
  let paper = 255;
  for (let v = 255, acc = 0; v >= 0; v--) {
    acc += hist[v] ?? 0;
    if (acc >= grey.length * 0.3) {
      paper = v;
      break;
    }
  }
  for (const alongX of [true, false]) {
    const s = smooth(grey, w, h, r, alongX);
    const delta = alongX ? ridgeContrast(s, w, h, d) : ridgeContrast(transposeView(s, w, h), h, w, d);
    const edgeDelta = Math.max(3 * delta, 32);
    const ridge = alongX ? RIDGE_H : RIDGE_V;
    const edge = alongX ? EDGE_H : EDGE_V;
    const unit = alongX ? w : 1;
    const lines = alongX ? h : w;
    const darkSides = paper - 3 * delta;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = alongX ? y : x;
        if (p < d || p >= lines - d) continue;
        const i = y * w + x;
        const v = s[i] ?? 0;
        const a = s[i - d * unit] ?? 0;
        const b = s[i + d * unit] ?? 0;
        let m = mask[i] ?? 0;
        if (v < Math.min(a, b) - delta || (v > Math.max(a, b) + delta && Math.max(a, b) < darkSides))
          m |= ridge;
        // A fill's edge: light on one side, dark (ink-dark, and still dark further in) on the other.
        if (p >= far && p < lines - far) {
          if (a - b >= edgeDelta && b < inkLevel && (s[i + far * unit] ?? 255) < inkLevel) m |= edge;
          else if (b - a >= edgeDelta && a < inkLevel && (s[i - far * unit] ?? 255) < inkLevel) m |= edge;
        }
        mask[i] = m;
      }
    }
  }
  return mask;
}

function transposeView(s: Uint8Array, w: number, h: number): Uint8Array {
  const t = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) t[x * h + y] = s[y * w + x] ?? 0;
  return t;
}

/**
 * The skew (tan of the clockwise angle) that lines the masked pixels up best: the angle maximising the sum of
 * squares of the projection profiles across rows (horizontal rules, text lines) and across columns (vertical
 * rules), coarse steps of 0.1° and then 0.01°.
 */
function estimateSkew(mask: Uint8Array, w: number, h: number, maxDeg: number): number {
  if (maxDeg <= 0) return 0;
  const xs: number[] = [];
  const ys: number[] = [];
  const kinds: number[] = [];
  let total = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) total++;
  const every = Math.max(1, Math.floor(total / 250_000));
  let k = 0;
  const cx = w / 2;
  const cy = h / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const m = mask[y * w + x] ?? 0;
      if (!m || k++ % every) continue;
      xs.push(x + 0.5 - cx);
      ys.push(y + 0.5 - cy);
      kinds.push(m);
    }
  }
  if (xs.length < 100) return 0;
  const maxOff = Math.ceil(Math.max(w, h) * Math.tan((maxDeg * Math.PI) / 180)) + 2;
  const hh = new Float64Array(h + 2 * maxOff + 2);
  const hv = new Float64Array(w + 2 * maxOff + 2);
  const score = (deg: number): number => {
    const t = Math.tan((deg * Math.PI) / 180);
    hh.fill(0);
    hv.fill(0);
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i] ?? 0;
      const y = ys[i] ?? 0;
      const m = kinds[i] ?? 0;
      if (m & (RIDGE_H | EDGE_H | INK)) {
        const b = Math.round(y + cy - x * t) + maxOff;
        hh[b] = (hh[b] ?? 0) + 1;
      }
      if (m & (RIDGE_V | EDGE_V | INK)) {
        const b = Math.round(x + cx + y * t) + maxOff;
        hv[b] = (hv[b] ?? 0) + 1;
      }
    }
    let s = 0;
    for (const v of hh) s += v * v;
    for (const v of hv) s += v * v;
    return s;
  };
  let best = 0;
  let bestScore = score(0);
  for (let deg = -maxDeg; deg <= maxDeg + 1e-9; deg += 0.1) {
    const sc = score(deg);
    if (sc > bestScore) [best, bestScore] = [deg, sc];
  }
  // Noise alone lines up a little at some angle: a skew must line the pixels up clearly better than none.
  if (bestScore < score(0) * 1.02) return 0;
  const coarse = best;
  for (let deg = coarse - 0.1; deg <= coarse + 0.1 + 1e-9; deg += 0.01) {
    const sc = score(deg);
    if (sc > bestScore) [best, bestScore] = [deg, sc];
  }
  return Math.abs(best) < MIN_SKEW_DEG ? 0 : best;
}

/**
 * The mask read along the skew, rows being the lines' direction: for horizontal rules row y' holds the pixels
 * (x, y' + round((x - cx)·t)); for vertical rules (transposed) row x' holds (x' - round((y - cy)·t), y). Rows
 * are shifted by `off` so that every sheared position has one.
 */
function sheared(
  mask: Uint8Array,
  w: number,
  h: number,
  t: number,
  horizontal: boolean,
): { data: Uint8Array; len: number; rows: number; off: number } {
  const len = horizontal ? w : h;
  const across = horizontal ? h : w;
  const centre = (horizontal ? w : h) / 2;
  const shift = new Int32Array(len);
  let off = 0;
  for (let k = 0; k < len; k++) {
    const s = Math.round((k + 0.5 - centre) * t) * (horizontal ? 1 : -1);
    shift[k] = s;
    off = Math.max(off, Math.abs(s));
  }
  const rows = across + 2 * off;
  const data = new Uint8Array(rows * len);
  for (let row = 0; row < rows; row++) {
    const p = row - off;
    for (let k = 0; k < len; k++) {
      const q = p + (shift[k] ?? 0);
      if (q < 0 || q >= across) continue;
      data[row * len + k] = (horizontal ? mask[q * w + k] : mask[k * w + q]) ?? 0;
    }
  }
  return { data, len, rows, off };
}

/** A piece of a rule in the sheared frame: position across (continuous), extent along, thickness. */
interface Piece {
  pos: number;
  from: number;
  to: number;
  thick: number;
}

interface Sheared {
  data: Uint8Array;
  len: number;
  rows: number;
}

/**
 * Runs of `bit` along each row (gaps up to `gap` bridged, runs shorter than `minRun` dropped), joined with the
 * runs of the next row that overlap them into bands; the bands no thicker than `maxThick` are pieces
 * of rules.
 */
function bandPieces(
  sh: Sheared,
  bit: number,
  px: { minRun: number; gap: number; maxThick: number },
): Piece[] {
  const { data, len, rows } = sh;
  const rx0: number[] = [];
  const rx1: number[] = [];
  const rrow: number[] = [];
  const rcount: number[] = [];
  const parent: number[] = [];
  const find = (i: number): number => findRoot(parent, i);
  let prevStart = 0;
  let prevEnd = 0;
  for (let row = 0; row < rows; row++) {
    const start = rx0.length;
    const base = row * len;
    let open = -1;
    let last = -1;
    let count = 0;
    const close = () => {
      if (open >= 0 && last + 1 - open >= px.minRun) {
        rx0.push(open);
        rx1.push(last + 1);
        rrow.push(row);
        rcount.push(count);
        parent.push(parent.length);
      }
      open = -1;
      count = 0;
    };
    for (let k = 0; k < len; k++) {
      if (!((data[base + k] ?? 0) & bit)) continue;
      if (open >= 0 && k - last - 1 > px.gap) close();
      if (open < 0) open = k;
      last = k;
      count++;
    }
    close();
    const end = rx0.length;
    // Join with the previous row's runs that overlap at least half of the shorter of the two (a rule's edge rows
    // come in stretches where the rule's slope and the shear's rounding part ways).
    let j = prevStart;
    for (let i = start; i < end; i++) {
      const a0 = rx0[i] ?? 0;
      const a1 = rx1[i] ?? 0;
      while (j < prevEnd && (rx1[j] ?? 0) <= a0) j++;
      for (let q = j; q < prevEnd && (rx0[q] ?? 0) < a1; q++) {
        const b0 = rx0[q] ?? 0;
        const b1 = rx1[q] ?? 0;
        const overlap = Math.min(a1, b1) - Math.max(a0, b0);
        if (overlap >= 0.5 * Math.min(a1 - a0, b1 - b0)) {
          const ra = find(i);
          const rb = find(q);
          if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
        }
      }
    }
    prevStart = start;
    prevEnd = end;
  }
  const bands = new Map<number, { from: number; to: number; count: number; sumPos: number }>();
  for (let i = 0; i < rx0.length; i++) {
    const root = find(i);
    const a = rx0[i] ?? 0;
    const b = rx1[i] ?? 0;
    const c = rcount[i] ?? 0;
    const pos = ((rrow[i] ?? 0) + 0.5) * c;
    const band = bands.get(root);
    if (!band) bands.set(root, { from: a, to: b, count: c, sumPos: pos });
    else {
      band.from = Math.min(band.from, a);
      band.to = Math.max(band.to, b);
      band.count += c;
      band.sumPos += pos;
    }
  }
  const out: Piece[] = [];
  for (const b of bands.values()) {
    const length = b.to - b.from;
    const thick = b.count / length;
    if (length < px.minRun || thick > px.maxThick) continue;
    out.push({ pos: b.sumPos / b.count, from: b.from, to: b.to, thick });
  }
  return out;
}

/**
 * Whether a piece runs along text. The ink in a strip beside it, projected onto the piece, covers part of it in
 * many separate stretches: the other strokes of the words (beside the top of a row of digits or a baseline),
 * the letters of the lines above and below (beside stems that line up from line to line). Beside a rule there
 * is paper, one solid fill (a rule on a fill, a fill's edge), the odd crossing rule or a few words of a cell.
 */
function besideText(sh: Sheared, p: Piece, strip: number, textRuns: number): boolean {
  const centre = Math.floor(p.pos);
  const half = Math.ceil(p.thick / 2);
  const from = Math.max(0, Math.floor(p.from));
  const to = Math.min(sh.len, Math.ceil(p.to));
  if (to <= from) return false;
  const counts = new Uint16Array(to - from);
  const inked = new Uint8Array(to - from);
  for (const side of [-1, 1]) {
    counts.fill(0);
    let rowsSeen = 0;
    for (let j = 0; j < strip; j++) {
      const row = centre + side * (half + 2 + j);
      if (row < 0 || row >= sh.rows) continue;
      rowsSeen++;
      const base = row * sh.len;
      for (let k = from; k < to; k++)
        if ((sh.data[base + k] ?? 0) & INK) counts[k - from] = (counts[k - from] ?? 0) + 1;
    }
    // A position is inked when a quarter of the strip is: a neighbouring letter's stem, not one speck.
    for (let k = 0; k < inked.length; k++)
      inked[k] = (counts[k] ?? 0) >= 0.25 * rowsSeen && rowsSeen > 0 ? 1 : 0;
    // Dark text on paper shows in the ink; light text on a fill in what is not ink.
    for (const want of [1, 0]) {
      let covered = 0;
      let runs = 0;
      for (let k = 0; k < inked.length; k++) {
        if (inked[k] !== want) continue;
        covered++;
        if (k === 0 || inked[k - 1] !== want) runs++;
      }
      const coverage = covered / inked.length;
      if (coverage >= TEXT_COVER_MIN && coverage <= TEXT_COVER_MAX && runs >= textRuns * inked.length)
        return true;
    }
  }
  return false;
}

/** Collinear pieces merged into lines (positions within `snap`, gaps up to `joinGap`), then filtered. */
function mergePieces(pieces: Piece[], px: { snap: number; joinGap: number; minLen: number }): Piece[] {
  const sorted = [...pieces].sort((a, b) => a.pos - b.pos);
  const clusters: Piece[][] = [];
  // Within `snap` of the cluster's first piece (not of the last one: a chain of letter stems a few pixels
  // apart would otherwise make one cluster across a whole word).
  for (const p of sorted) {
    const last = clusters[clusters.length - 1];
    const firstPos = last?.[0]?.pos;
    if (last && firstPos !== undefined && p.pos - firstPos <= px.snap) last.push(p);
    else clusters.push([p]);
  }
  const out: Piece[] = [];
  for (const cl of clusters) {
    cl.sort((a, b) => a.from - b.from);
    let cur: { from: number; to: number; covered: number; thick: number; wsum: number; w: number } | null =
      null;
    const flush = () => {
      if (!cur) return;
      const length = cur.to - cur.from;
      if (length >= px.minLen && cur.covered >= MIN_COVER * length && length >= MIN_ASPECT * cur.thick)
        out.push({ pos: cur.wsum / cur.w, from: cur.from, to: cur.to, thick: cur.thick });
      cur = null;
    };
    for (const p of cl) {
      const plen = p.to - p.from;
      if (cur && p.from <= cur.to + px.joinGap) {
        cur.covered += Math.max(0, p.to - Math.max(p.from, cur.to));
        cur.to = Math.max(cur.to, p.to);
        cur.thick = Math.max(cur.thick, p.thick);
        cur.wsum += p.pos * plen;
        cur.w += plen;
      } else {
        flush();
        cur = { from: p.from, to: p.to, covered: plen, thick: p.thick, wsum: p.pos * plen, w: plen };
      }
    }
    flush();
  }
  return out;
}

/**
 * Lines that are one rule drawn as several (a light rule between the edges of the fill it is drawn on, a rule
 * and a fill's edge beside it): positions within `snap` and extents touching, fused into one.
 */
function fuse(lines: Piece[], px: { snap: number; joinGap: number }): Piece[] {
  const out = [...lines].sort((a, b) => a.pos - b.pos);
  for (let merged = true; merged;) {
    merged = false;
    for (let i = 0; i < out.length && !merged; i++) {
      for (let j = i + 1; j < out.length; j++) {
        const a = out[i] as Piece;
        const b = out[j] as Piece;
        if (b.pos - a.pos > px.snap) break;
        if (b.from > a.to + px.joinGap || a.from > b.to + px.joinGap) continue;
        const la = a.to - a.from;
        const lb = b.to - b.from;
        out[i] = {
          pos: (a.pos * la + b.pos * lb) / (la + lb),
          from: Math.min(a.from, b.from),
          to: Math.max(a.to, b.to),
          thick: Math.max(a.thick, b.thick),
        };
        out.splice(j, 1);
        merged = true;
        break;
      }
    }
  }
  return out;
}

/**
 * Ruling lines of a page raster (see the top of this file), in page space of the upright page, with the skew
 * that was taken out. `opts.scale` maps page units to raster pixels.
 */
export function imageRulings(raster: Raster, opts: ImageRulingsOptions): ImageRulings {
  const { width: w, height: h } = raster;
  const scale = opts.scale;
  const centre = { x: w / 2 / scale, y: h / 2 / scale };
  if (w < 8 || h < 8 || !(scale > 0)) return { segments: [], skewDeg: 0, centre };
  const grey = greyscale(raster);
  const mask = lineMask(grey, w, h, scale);
  const skewDeg = estimateSkew(mask, w, h, opts.maxSkewDeg ?? 3);
  const t = Math.tan((skewDeg * Math.PI) / 180);
  const cos = Math.cos((skewDeg * Math.PI) / 180);
  const sin = Math.sin((skewDeg * Math.PI) / 180);
  const pageW = w / scale;
  const pageH = h / scale;
  const px = {
    minRun: Math.max(3, Math.round(MIN_RUN_PT * scale)),
    gap: Math.max(1, Math.round(RUN_GAP_PT * scale)),
    maxThick: Math.max(2, MAX_THICK_PT * scale),
    minLen: Math.max(MIN_LEN_PT, MIN_LEN_PAGE * Math.min(pageW, pageH)) * scale,
    snap: Math.max(1.5, SNAP_PT * scale),
    joinGap: JOIN_GAP_PT * scale,
    strip: Math.max(2, Math.round(STRIP_PT * scale)),
    maxEdge: 0,
    textRuns: TEXT_RUNS_PER_PT / scale,
  };
  // An edge band is as thick as the distance the edge test looks either side.
  px.maxEdge = Math.max(px.maxThick, 2 * Math.max(2, Math.round(RIDGE_PT * scale)) + 2);
  const cx = w / 2;
  const cy = h / 2;
  /** Raster point → upright page space. */
  const upright = (x: number, y: number): { x: number; y: number } => {
    const dx = x - cx;
    const dy = y - cy;
    return { x: (cx + dx * cos + dy * sin) / scale, y: (cy - dx * sin + dy * cos) / scale };
  };
  const segments: Segment[] = [];
  for (const horizontal of [true, false]) {
    const sh = sheared(mask, w, h, t, horizontal);
    const pieces = [
      ...bandPieces(sh, horizontal ? RIDGE_H : RIDGE_V, px),
      ...bandPieces(sh, horizontal ? EDGE_H : EDGE_V, { ...px, maxThick: px.maxEdge }),
    ];
    const lines = fuse(
      mergePieces(pieces, px).filter((l) => !besideText(sh, l, px.strip, px.textRuns)),
      px,
    );
    for (const l of lines) {
      const p = l.pos - sh.off;
      if (horizontal) {
        const a = upright(l.from, p + (l.from - cx) * t);
        const b = upright(l.to, p + (l.to - cx) * t);
        const y = (a.y + b.y) / 2;
        segments.push({ x0: a.x, y0: y, x1: b.x, y1: y, orientation: 'h' });
      } else {
        const a = upright(p - (l.from - cy) * t, l.from);
        const b = upright(p - (l.to - cy) * t, l.to);
        const x = (a.x + b.x) / 2;
        segments.push({ x0: x, y0: a.y, x1: x, y1: b.y, orientation: 'v' });
      }
    }
  }
  return { segments, skewDeg, centre };
}
