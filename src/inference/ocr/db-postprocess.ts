// Turns the DB detector's probability map into text-line quads the way PaddleOCR's DBPostProcess does
// (threshold → components → min-area rectangle → box score → unclip → min-area rectangle), without OpenCV.
import type { Point, Quad } from './types.js';

export interface DbParams {
  /** Pixel threshold on the probability map (PaddleOCR det_db_thresh). */
  thresh: number;
  /** Minimum mean probability inside a box (det_db_box_thresh). */
  boxThresh: number;
  /** Expansion of the shrunk text kernel back to the text box (det_db_unclip_ratio). */
  unclipRatio: number;
  /** Shortest side, in map pixels, a box must have before unclip (min_size); after unclip it needs min_size + 2. */
  minSize: number;
  /** At most this many components are considered (max_candidates). */
  maxCandidates: number;
}

/** PaddleOCR's PP-OCRv4 inference defaults (tools/infer/utility.py). */
export const DB_DEFAULTS: DbParams = {
  thresh: 0.3,
  boxThresh: 0.6,
  unclipRatio: 1.5,
  minSize: 3,
  maxCandidates: 1000,
};

export interface DetectedBox {
  /** Corners [tl, tr, br, bl] in probability-map pixels, after unclip. */
  quad: Quad;
  /** Mean probability inside the box before unclip. */
  score: number;
}

/** A rotated rectangle: centre, unit axis `u` (its "width" direction), half extents along u and its normal. */
export interface RotatedRect {
  cx: number;
  cy: number;
  ux: number;
  uy: number;
  halfW: number;
  halfH: number;
}

export function dbPostprocess(
  prob: Float32Array,
  width: number,
  height: number,
  params: DbParams = DB_DEFAULTS,
): DetectedBox[] {
  const n = width * height;
  // 0 = background, 1 = text pixel not yet visited, 2 = visited.
  const mark = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (prob[i]! > params.thresh) mark[i] = 1;
  const queue = new Int32Array(n);
  const rowMin = new Int32Array(height);
  const rowMax = new Int32Array(height);
  const boxes: DetectedBox[] = [];
  let candidates = 0;
  for (let start = 0; start < n && candidates < params.maxCandidates; start++) {
    if (mark[start] !== 1) continue;
    candidates++;
    // 8-connected flood fill (cv2.findContours follows 8-connected borders). `queue` ends up holding the
    // component's pixels; each row's extreme x is all the convex hull needs.
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    mark[start] = 2;
    let yMin = height;
    let yMax = -1;
    while (head < tail) {
      const p = queue[head++]!;
      const y = (p / width) | 0;
      const x = p - y * width;
      if (y < yMin) yMin = y;
      if (y > yMax) yMax = y;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const q = yy * width + xx;
          if (mark[q] === 1) {
            mark[q] = 2;
            queue[tail++] = q;
          }
        }
      }
    }
    const count = tail;
    rowMin.fill(width, yMin, yMax + 1);
    rowMax.fill(-1, yMin, yMax + 1);
    for (let i = 0; i < count; i++) {
      const p = queue[i]!;
      const y = (p / width) | 0;
      const x = p - y * width;
      if (x < rowMin[y]!) rowMin[y] = x;
      if (x > rowMax[y]!) rowMax[y] = x;
    }
    if (count < 4) continue;
    const pts: Point[] = [];
    for (let y = yMin; y <= yMax; y++) {
      if (rowMax[y]! < 0) continue;
      pts.push([rowMin[y]!, y]);
      if (rowMax[y] !== rowMin[y]) pts.push([rowMax[y]!, y]);
    }
    const rect = minAreaRect(convexHull(pts));
    if (Math.min(rect.halfW, rect.halfH) * 2 < params.minSize) continue;
    const score = boxScore(prob, width, height, rectCorners(rect));
    if (score < params.boxThresh) continue;
    const grown = unclipRect(rect, params.unclipRatio);
    if (Math.min(grown.halfW, grown.halfH) * 2 < params.minSize + 2) continue;
    boxes.push({ quad: orderCorners(rectCorners(grown)), score });
  }
  return boxes;
}

/** Andrew's monotone chain; returns the hull counter-clockwise in y-down terms, without repeating the first point. */
export function convexHull(points: readonly Point[]): Point[] {
  const pts = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (pts.length <= 2) return pts;
  const cross = (o: Point, a: Point, b: Point) =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point[] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0)
      lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0)
      upper.pop();
    upper.push(p);
  }
  lower.pop();
  upper.pop();
  return lower.concat(upper);
}

/** Minimum-area enclosing rectangle of a convex polygon (rotating calipers: one side lies on a hull edge). */
export function minAreaRect(hull: readonly Point[]): RotatedRect {
  if (hull.length === 0) return { cx: 0, cy: 0, ux: 1, uy: 0, halfW: 0, halfH: 0 };
  let best: RotatedRect | null = null;
  let bestArea = Infinity;
  const m = hull.length;
  for (let i = 0; i < Math.max(1, m - (m === 2 ? 1 : 0)); i++) {
    const a = hull[i]!;
    const b = hull[(i + 1) % m]!;
    let ux = b[0] - a[0];
    let uy = b[1] - a[1];
    const len = Math.hypot(ux, uy);
    if (len === 0) {
      ux = 1;
      uy = 0;
    } else {
      ux /= len;
      uy /= len;
    }
    let minU = Infinity;
    let maxU = -Infinity;
    let minV = Infinity;
    let maxV = -Infinity;
    for (const p of hull) {
      const pu = p[0] * ux + p[1] * uy;
      const pv = -p[0] * uy + p[1] * ux;
      if (pu < minU) minU = pu;
      if (pu > maxU) maxU = pu;
      if (pv < minV) minV = pv;
      if (pv > maxV) maxV = pv;
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < bestArea - 1e-9) {
      bestArea = area;
      const cu = (minU + maxU) / 2;
      const cv = (minV + maxV) / 2;
      best = {
        cx: cu * ux - cv * uy,
        cy: cu * uy + cv * ux,
        ux,
        uy,
        halfW: (maxU - minU) / 2,
        halfH: (maxV - minV) / 2,
      };
    }
  }
  return best!;
}

export function rectCorners(r: RotatedRect): [Point, Point, Point, Point] {
  const wx = r.ux * r.halfW;
  const wy = r.uy * r.halfW;
  const hx = -r.uy * r.halfH;
  const hy = r.ux * r.halfH;
  return [
    [r.cx - wx - hx, r.cy - wy - hy],
    [r.cx + wx - hx, r.cy + wy - hy],
    [r.cx + wx + hx, r.cy + wy + hy],
    [r.cx - wx + hx, r.cy - wy + hy],
  ];
}

/**
 * DB's unclip: offset the box outward by distance = area × ratio / perimeter.
 *
 * NOTE: hand-written rather than PaddleOCR's pyclipper call. The only JS ports (js-clipper, clipper-lib) are
 * unmaintained, and here the polygon is always a rectangle: offsetting a rectangle with round joins and taking
 * the min-area rectangle of the result (what PaddleOCR does next) is exactly the rectangle grown by `distance`
 * on every side, because the rounded corners stay inside it.
 */
export function unclipRect(r: RotatedRect, ratio: number): RotatedRect {
  const w = r.halfW * 2;
  const h = r.halfH * 2;
  const perimeter = 2 * (w + h);
  if (perimeter === 0) return r;
  const distance = (w * h * ratio) / perimeter;
  return { ...r, halfW: r.halfW + distance, halfH: r.halfH + distance };
}

/** Mean probability over the pixels whose centres fall inside the (convex) quad — PaddleOCR's box_score_fast. */
export function boxScore(prob: Float32Array, width: number, height: number, quad: readonly Point[]): number {
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const [x, y] of quad) {
    xMin = Math.min(xMin, x);
    xMax = Math.max(xMax, x);
    yMin = Math.min(yMin, y);
    yMax = Math.max(yMax, y);
  }
  const x0 = Math.max(0, Math.floor(xMin));
  const x1 = Math.min(width - 1, Math.ceil(xMax));
  const y0 = Math.max(0, Math.floor(yMin));
  const y1 = Math.min(height - 1, Math.ceil(yMax));
  let sum = 0;
  let count = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (!insideConvex(quad, x, y)) continue;
      sum += prob[y * width + x]!;
      count++;
    }
  }
  return count > 0 ? sum / count : 0;
}

function insideConvex(poly: readonly Point[], x: number, y: number): boolean {
  let sign = 0;
  const m = poly.length;
  for (let i = 0; i < m; i++) {
    const a = poly[i]!;
    const b = poly[(i + 1) % m]!;
    const c = (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]);
    if (Math.abs(c) < 1e-9) continue;
    const s = c > 0 ? 1 : -1;
    if (sign === 0) sign = s;
    else if (s !== sign) return false;
  }
  return true;
}

/** PaddleOCR's get_mini_boxes ordering: the two leftmost corners give tl/bl by y, the two rightmost tr/br. */
export function orderCorners(corners: readonly Point[]): Quad {
  const p = [...corners].sort((a, b) => a[0] - b[0]);
  const [a, b, c, d] = p as [Point, Point, Point, Point];
  const [tl, bl] = b[1] > a[1] ? [a, b] : [b, a];
  const [tr, br] = d[1] > c[1] ? [c, d] : [d, c];
  return [tl, tr, br, bl];
}
