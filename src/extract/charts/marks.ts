// Sorts a page's painted paths into what charts are drawn with: filled rectangles (bars, swatches), axis-aligned
// strokes (axes, ticks, grid lines), polylines (line series), small markers (scatter points), curved filled
// shapes (pie and donut wedges); and transposes them so horizontal charts are read by the vertical code.
import type { Rect } from '../../shared/geometry.js';
import type { HLine } from './axes.js';
import type { Phrase, Pt, VectorPath } from './types.js';

export interface RectMark {
  box: Rect;
  color: string;
}
export interface LineMark {
  points: Pt[];
  color: string;
  box: Rect;
}
export interface MarkerMark {
  centre: Pt;
  box: Rect;
  color: string;
}
export interface WedgeMark {
  points: Pt[];
  color: string;
  box: Rect;
}

export interface Marks {
  rects: RectMark[];
  hlines: HLine[];
  vlines: HLine[];
  lines: LineMark[];
  markers: MarkerMark[];
  wedges: WedgeMark[];
}

/** Near-white fills are page and plot backgrounds (and donut holes), not data. */
export function isBackground(color: string | null): boolean {
  if (!color) return true;
  const n = Number.parseInt(color.slice(1), 16);
  const r = (n >> 16) & 255;
  const g = (n >> 8) & 255;
  const b = n & 255;
  return r > 240 && g > 240 && b > 240;
}

function rectOf(points: Pt[]): Rect | null {
  const ring =
    points.length === 5 &&
    Math.abs((points[0]?.x ?? 0) - (points[4]?.x ?? 1)) < 0.01 &&
    Math.abs((points[0]?.y ?? 0) - (points[4]?.y ?? 1)) < 0.01
      ? points.slice(0, 4)
      : points;
  if (ring.length !== 4) return null;
  for (let i = 0; i < 4; i++) {
    const a = ring[i] as Pt;
    const b = ring[(i + 1) % 4] as Pt;
    if (Math.abs(a.x - b.x) > 0.05 && Math.abs(a.y - b.y) > 0.05) return null;
  }
  const xs = ring.map((p) => p.x);
  const ys = ring.map((p) => p.y);
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

const MARKER_MAX = 14;

export function classify(paths: readonly VectorPath[], pageArea: number): Marks {
  const m: Marks = { rects: [], hlines: [], vlines: [], lines: [], markers: [], wedges: [] };
  for (const p of paths) {
    const w = p.box.x1 - p.box.x0;
    const h = p.box.y1 - p.box.y0;
    if (p.fill !== null) {
      const subs = p.subpaths;
      const curved = subs.some((s) => s.curved);
      const rects = curved ? [] : subs.map((s) => rectOf(s.points));
      if (rects.length && rects.every((r) => r !== null)) {
        for (const r of rects) {
          const rw = r.x1 - r.x0;
          const rh = r.y1 - r.y0;
          if (rh <= 1.5 && rw > 1.5) m.hlines.push({ y: (r.y0 + r.y1) / 2, x0: r.x0, x1: r.x1 });
          else if (rw <= 1.5 && rh > 1.5) m.vlines.push({ y: (r.x0 + r.x1) / 2, x0: r.y0, x1: r.y1 });
          else if (!isBackground(p.fill) && rw * rh < 0.5 * pageArea) m.rects.push({ box: r, color: p.fill });
        }
        continue;
      }
      if (isBackground(p.fill)) continue;
      if (w <= MARKER_MAX && h <= MARKER_MAX && w > 1 && h > 1 && w / h < 1.8 && h / w < 1.8) {
        m.markers.push({
          centre: { x: (p.box.x0 + p.box.x1) / 2, y: (p.box.y0 + p.box.y1) / 2 },
          box: p.box,
          color: p.fill,
        });
      } else if ((curved || subs.some((s) => s.points.length >= 8)) && w > MARKER_MAX && h > MARKER_MAX) {
        // Arcs come as Béziers, or already flattened into many short lines (Chromium's PDFs).
        m.wedges.push({ points: subs.flatMap((s) => s.points), color: p.fill, box: p.box });
      }
      continue;
    }
    if (p.stroke === null || isBackground(p.stroke)) continue;
    for (const s of p.subpaths) {
      const pts = s.points;
      if (s.closed && !s.curved && rectOf(pts)) {
        const r = rectOf(pts) as Rect;
        if (r.x1 - r.x0 <= MARKER_MAX && r.y1 - r.y0 <= MARKER_MAX) {
          m.markers.push({ centre: { x: (r.x0 + r.x1) / 2, y: (r.y0 + r.y1) / 2 }, box: r, color: p.stroke });
        }
        m.hlines.push({ y: r.y0, x0: r.x0, x1: r.x1 }, { y: r.y1, x0: r.x0, x1: r.x1 });
        m.vlines.push({ y: r.x0, x0: r.y0, x1: r.y1 }, { y: r.x1, x0: r.y0, x1: r.y1 });
        continue;
      }
      if (s.closed && w <= MARKER_MAX && h <= MARKER_MAX) {
        m.markers.push({
          centre: { x: (p.box.x0 + p.box.x1) / 2, y: (p.box.y0 + p.box.y1) / 2 },
          box: p.box,
          color: p.stroke,
        });
        continue;
      }
      if (pts.length === 2) {
        const [a, b] = pts as [Pt, Pt];
        if (Math.abs(a.y - b.y) < 0.05) {
          m.hlines.push({
            y: (a.y + b.y) / 2,
            x0: Math.min(a.x, b.x),
            x1: Math.max(a.x, b.x),
            color: p.stroke,
          });
          continue;
        }
        if (Math.abs(a.x - b.x) < 0.05) {
          m.vlines.push({ y: (a.x + b.x) / 2, x0: Math.min(a.y, b.y), x1: Math.max(a.y, b.y) });
          continue;
        }
      }
      if (pts.length >= 2) {
        const xs = pts.map((q) => q.x);
        const ys = pts.map((q) => q.y);
        m.lines.push({
          points: pts,
          color: p.stroke,
          box: { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) },
        });
      }
    }
  }
  return m;
}

const tr = (r: Rect): Rect => ({ x0: r.y0, y0: r.x0, x1: r.y1, y1: r.x1 });
const tp = (p: Pt): Pt => ({ x: p.y, y: p.x });

/** The marks with x and y swapped (a horizontal chart becomes a vertical one). */
export function transposeMarks(m: Marks): Marks {
  return {
    rects: m.rects.map((r) => ({ ...r, box: tr(r.box) })),
    hlines: m.vlines,
    vlines: m.hlines,
    lines: m.lines.map((l) => ({ ...l, points: l.points.map(tp), box: tr(l.box) })),
    markers: m.markers.map((k) => ({ ...k, centre: tp(k.centre), box: tr(k.box) })),
    wedges: m.wedges,
  };
}

export function transposePhrases(ps: readonly Phrase[]): Phrase[] {
  return ps.map((p) => ({ ...p, box: tr(p.box) }));
}

export { tr as transposeRect };
