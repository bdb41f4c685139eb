// Ruling lines of a PDF page for table detection: walks pdf.js's operator list, follows the CTM, and keeps the
// horizontal and vertical strokes, thin filled bars and rectangle edges, mapped to page space with anyres/coords.
import type { PDFPageProxy } from 'pdfjs-dist';
import { pdfUserToPage, type Matrix, type PdfPageGeometry } from '../anyres/coords.js';

/** An axis-aligned line in page space: `h` has y0 === y1 and x0 ≤ x1, `v` has x0 === x1 and y0 ≤ y1. */
export interface Segment {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  orientation: 'h' | 'v';
}

/** The pdf.js 6 OPS codes this walk reads (src/shared/util.js `OPS`; rulings.test.ts checks them). */
export const RULING_OPS = {
  save: 10,
  restore: 11,
  transform: 12,
  paintFormXObjectBegin: 74,
  paintFormXObjectEnd: 75,
  constructPath: 91,
  stroke: 20,
  closeStroke: 21,
  fill: 22,
  eoFill: 23,
  fillStroke: 24,
  eoFillStroke: 25,
  closeFillStroke: 26,
  closeEOFillStroke: 27,
} as const;

/** pdf.js 6 `DrawOPS`: the path codes packed into constructPath's Float32Array. */
export const DRAW_OPS = { moveTo: 0, lineTo: 1, curveTo: 2, quadraticCurveTo: 3, closePath: 4 } as const;

export interface RulingOptions {
  /** Filled rectangles no thicker than this (points) are rules drawn as bars. Default 2. */
  maxBarThickness?: number;
  /** A line whose ends differ by at most this across its direction counts as axis-aligned. Default 1. */
  slopeTolerance?: number;
  /** Segments shorter than this (points) are dropped. Default 1. */
  minLength?: number;
}

const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

function multiply(m: Matrix, n: Matrix): Matrix {
  // PDF `cm`: CTM' = M × CTM (row vectors: a point goes through M first, then the old CTM).
  return [
    m[0] * n[0] + m[1] * n[2],
    m[0] * n[1] + m[1] * n[3],
    m[2] * n[0] + m[3] * n[2],
    m[2] * n[1] + m[3] * n[3],
    m[4] * n[0] + m[5] * n[2] + n[4],
    m[4] * n[1] + m[5] * n[3] + n[5],
  ];
}

function asMatrix(v: unknown): Matrix | null {
  if (!v || typeof v !== 'object' || !('length' in v)) return null;
  const a = Array.from(v as ArrayLike<unknown>);
  if (a.length !== 6 || a.some((x) => typeof x !== 'number' || !Number.isFinite(x))) return null;
  return a as unknown as Matrix;
}

interface Pt {
  x: number;
  y: number;
}

/** Splits constructPath's packed path into subpaths of points (curves keep only their end points). */
function subpaths(data: ArrayLike<number>): { points: Pt[]; closed: boolean; curved: boolean }[] {
  const out: { points: Pt[]; closed: boolean; curved: boolean }[] = [];
  let cur: { points: Pt[]; closed: boolean; curved: boolean } | null = null;
  const at = (i: number) => data[i] ?? 0;
  for (let i = 0; i < data.length;) {
    const op = at(i++);
    if (op === DRAW_OPS.moveTo) {
      cur = { points: [{ x: at(i), y: at(i + 1) }], closed: false, curved: false };
      out.push(cur);
      i += 2;
    } else if (op === DRAW_OPS.lineTo) {
      if (!cur) {
        cur = { points: [], closed: false, curved: false };
        out.push(cur);
      }
      cur.points.push({ x: at(i), y: at(i + 1) });
      i += 2;
    } else if (op === DRAW_OPS.curveTo || op === DRAW_OPS.quadraticCurveTo) {
      const n = op === DRAW_OPS.curveTo ? 6 : 4;
      if (cur) {
        cur.curved = true;
        cur.points.push({ x: at(i + n - 2), y: at(i + n - 1) });
      }
      i += n;
    } else if (op === DRAW_OPS.closePath) {
      if (cur) {
        cur.closed = true;
        const first: Pt | undefined = cur.points[0];
        // A new subpath after closePath starts at the first point, as in PDF.
        if (first) cur = { points: [first], closed: false, curved: false };
        if (first) out.push(cur);
      }
    } else {
      break; // unknown code: the rest of the buffer cannot be parsed reliably
    }
  }
  return out.filter((s) => s.points.length > 1 || s.closed);
}

/**
 * Horizontal and vertical rulings of a page in page space. Stroked paths contribute each axis-aligned line
 * (rectangle edges included); filled paths contribute rectangles: a bar no thicker than `maxBarThickness`
 * becomes one segment along its middle, a larger rectangle its four edges (cell shading and boxes drawn as
 * filled `re` outline tables too), except one covering most of the page (a page background).
 */
export async function extractRulings(
  page: PDFPageProxy,
  geometry: PdfPageGeometry,
  opts: RulingOptions = {},
): Promise<Segment[]> {
  const list = await page.getOperatorList();
  return rulingsFromOperatorList(list.fnArray, list.argsArray as unknown[], geometry, opts);
}

/** The walk behind extractRulings, on a raw operator list (separate so it can be tested without a PDF). */
export function rulingsFromOperatorList(
  fnArray: readonly number[],
  argsArray: readonly unknown[],
  geometry: PdfPageGeometry,
  opts: RulingOptions = {},
): Segment[] {
  const maxBar = opts.maxBarThickness ?? 2;
  const slope = opts.slopeTolerance ?? 1;
  const minLength = opts.minLength ?? 1;
  const [vx0, vy0, vx1, vy1] = geometry.view;
  const pageArea = Math.abs((vx1 - vx0) * (vy1 - vy0));

  let ctm: Matrix = IDENTITY;
  const stack: Matrix[] = [];
  const out: Segment[] = [];

  const toPage = (p: Pt): Pt => {
    const ux = ctm[0] * p.x + ctm[2] * p.y + ctm[4];
    const uy = ctm[1] * p.x + ctm[3] * p.y + ctm[5];
    return pdfUserToPage(ux, uy, geometry);
  };
  const pushLine = (a: Pt, b: Pt) => {
    const dx = Math.abs(a.x - b.x);
    const dy = Math.abs(a.y - b.y);
    if (dy <= slope && dx >= minLength) {
      const y = (a.y + b.y) / 2;
      out.push({ x0: Math.min(a.x, b.x), y0: y, x1: Math.max(a.x, b.x), y1: y, orientation: 'h' });
    } else if (dx <= slope && dy >= minLength) {
      const x = (a.x + b.x) / 2;
      out.push({ x0: x, y0: Math.min(a.y, b.y), x1: x, y1: Math.max(a.y, b.y), orientation: 'v' });
    }
  };
  /** Page-space box of a closed 4-corner axis-aligned subpath, or null when it is not one. */
  const asRect = (pts: Pt[]): { x0: number; y0: number; x1: number; y1: number } | null => {
    const ring = pts.length === 5 && near(pts[0], pts[4]) ? pts.slice(0, 4) : pts;
    if (ring.length !== 4) return null;
    for (let i = 0; i < 4; i++) {
      const a = ring[i] as Pt;
      const b = ring[(i + 1) % 4] as Pt;
      if (Math.abs(a.x - b.x) > 0.01 && Math.abs(a.y - b.y) > 0.01) return null;
    }
    const xs = ring.map((p) => p.x);
    const ys = ring.map((p) => p.y);
    return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
  };

  for (let i = 0; i < fnArray.length; i++) {
    const fn = fnArray[i];
    const args = argsArray[i];
    switch (fn) {
      case RULING_OPS.save:
        stack.push(ctm);
        break;
      case RULING_OPS.restore:
        ctm = stack.pop() ?? ctm;
        break;
      case RULING_OPS.transform: {
        const m = asMatrix(args);
        if (m) ctm = multiply(m, ctm);
        break;
      }
      case RULING_OPS.paintFormXObjectBegin: {
        stack.push(ctm);
        const m = Array.isArray(args) ? asMatrix(args[0]) : null;
        if (m) ctm = multiply(m, ctm);
        break;
      }
      case RULING_OPS.paintFormXObjectEnd:
        ctm = stack.pop() ?? ctm;
        break;
      case RULING_OPS.constructPath: {
        if (!Array.isArray(args)) break;
        const paint = args[0] as number;
        const data = (args[1] as unknown[] | undefined)?.[0] as ArrayLike<number> | null | undefined;
        if (!data) break;
        const stroked = paintStrokes(paint);
        const filled = !stroked && (paint === RULING_OPS.fill || paint === RULING_OPS.eoFill);
        if (!stroked && !filled) break; // endPath (clipping paths) paints nothing
        for (const sp of subpaths(data)) {
          if (sp.curved) continue;
          const pts = sp.points.map(toPage);
          if (stroked) {
            for (let k = 0; k + 1 < pts.length; k++) pushLine(pts[k] as Pt, pts[k + 1] as Pt);
            if (sp.closed && pts.length > 2) pushLine(pts[pts.length - 1] as Pt, pts[0] as Pt);
            continue;
          }
          const r = asRect(pts);
          if (!r) continue;
          const w = r.x1 - r.x0;
          const h = r.y1 - r.y0;
          if (h <= maxBar && w >= minLength) {
            const y = (r.y0 + r.y1) / 2;
            out.push({ x0: r.x0, y0: y, x1: r.x1, y1: y, orientation: 'h' });
          } else if (w <= maxBar && h >= minLength) {
            const x = (r.x0 + r.x1) / 2;
            out.push({ x0: x, y0: r.y0, x1: x, y1: r.y1, orientation: 'v' });
          } else if (w * h < 0.8 * pageArea) {
            pushLine({ x: r.x0, y: r.y0 }, { x: r.x1, y: r.y0 });
            pushLine({ x: r.x0, y: r.y1 }, { x: r.x1, y: r.y1 });
            pushLine({ x: r.x0, y: r.y0 }, { x: r.x0, y: r.y1 });
            pushLine({ x: r.x1, y: r.y0 }, { x: r.x1, y: r.y1 });
          }
        }
        break;
      }
      default:
        break;
    }
  }
  return out;
}

function near(a: Pt | undefined, b: Pt | undefined): boolean {
  return !!a && !!b && Math.abs(a.x - b.x) < 0.01 && Math.abs(a.y - b.y) < 0.01;
}

/**
 * Rulings of some pages of a PDF given as bytes: loads it with pdf.js in this thread (call it from a worker),
 * reads each page's geometry as the documents engine does and walks its operator list. `onPage` sees each page's
 * segments as soon as they are known. Throws what pdf.js throws (wrong password, corrupt file).
 */
export async function pdfRulings(
  bytes: Uint8Array,
  password: string | undefined,
  pages: readonly number[],
  opts: RulingOptions = {},
): Promise<Segment[][]> {
  const { documentParams, loadPdfJs } = await import('./pdfjs-setup.js');
  const pdfjs = await loadPdfJs();
  const task = pdfjs.getDocument(documentParams(bytes, password));
  try {
    const doc = await task.promise;
    const out: Segment[][] = [];
    for (const n of pages) {
      const page = await doc.getPage(n);
      const [a = 0, b = 0, c = 612, d = 792] = page.view;
      const geometry: PdfPageGeometry = {
        view: [a, b, c, d],
        rotate: page.rotate,
        userUnit: page.userUnit || 1,
      };
      out.push(await extractRulings(page, geometry, opts));
      page.cleanup();
    }
    return out;
  } finally {
    await task.destroy();
  }
}

// ---- vector paths for chart reading -------------------------------------------------------------------------

/** More OPS codes the path walk reads: colours and line width (pdf.js turns Gray/CMYK/RGB colours into hex). */
const PAINT_OPS = {
  setLineWidth: 2,
  setGState: 9,
  setStrokeRGBColor: 58,
  setFillRGBColor: 59,
  setStrokeTransparent: 92,
  setFillTransparent: 93,
} as const;

/**
 * A painted path in page space with its colours, for chart reading (src/extract/charts). Curves keep their end
 * points only (enough for circle markers and pie wedges, whose ends lie on the arc). `fill` / `stroke` are
 * `#rrggbb` when painted that way, else null.
 */
export interface VectorPath {
  fill: string | null;
  stroke: string | null;
  /** Stroke width in points (page space). */
  lineWidth: number;
  subpaths: { points: { x: number; y: number }[]; closed: boolean; curved: boolean }[];
  box: { x0: number; y0: number; x1: number; y1: number };
}

/** Paths a page may carry before chart reading gives up on it (a map or a technical drawing, not a chart). */
export const MAX_PATHS = 20_000;

/** Painted paths of an operator list in page space (clipping paths excluded); at most MAX_PATHS of them. */
export function vectorPathsFromOperatorList(
  fnArray: readonly number[],
  argsArray: readonly unknown[],
  geometry: PdfPageGeometry,
): VectorPath[] {
  interface State {
    ctm: Matrix;
    fill: string | null;
    stroke: string | null;
    lineWidth: number;
  }
  let st: State = { ctm: IDENTITY, fill: '#000000', stroke: '#000000', lineWidth: 1 };
  const stack: State[] = [];
  const out: VectorPath[] = [];
  const hex = (v: unknown): string | null => {
    const s: unknown = Array.isArray(v) ? (v as unknown[])[0] : v;
    return typeof s === 'string' && /^#[0-9a-f]{6}$/i.test(s) ? s.toLowerCase() : null;
  };
  for (let i = 0; i < fnArray.length && out.length < MAX_PATHS; i++) {
    const fn = fnArray[i];
    const args = argsArray[i];
    switch (fn) {
      case RULING_OPS.save:
      case RULING_OPS.paintFormXObjectBegin: {
        stack.push(st);
        st = { ...st };
        const m = fn === RULING_OPS.paintFormXObjectBegin && Array.isArray(args) ? asMatrix(args[0]) : null;
        if (m) st.ctm = multiply(m, st.ctm);
        break;
      }
      case RULING_OPS.restore:
      case RULING_OPS.paintFormXObjectEnd:
        st = stack.pop() ?? st;
        break;
      case RULING_OPS.transform: {
        const m = asMatrix(args);
        if (m) st.ctm = multiply(m, st.ctm);
        break;
      }
      case PAINT_OPS.setLineWidth:
        if (Array.isArray(args) && typeof args[0] === 'number') st.lineWidth = args[0];
        break;
      case PAINT_OPS.setGState:
        for (const kv of Array.isArray(args) && Array.isArray(args[0]) ? (args[0] as unknown[]) : []) {
          if (Array.isArray(kv) && kv[0] === 'LW' && typeof kv[1] === 'number') st.lineWidth = kv[1];
        }
        break;
      case PAINT_OPS.setFillRGBColor:
        st.fill = hex(args);
        break;
      case PAINT_OPS.setStrokeRGBColor:
        st.stroke = hex(args);
        break;
      case PAINT_OPS.setFillTransparent:
        st.fill = null;
        break;
      case PAINT_OPS.setStrokeTransparent:
        st.stroke = null;
        break;
      case RULING_OPS.constructPath: {
        if (!Array.isArray(args)) break;
        const paint = args[0] as number;
        const data = (args[1] as unknown[] | undefined)?.[0] as ArrayLike<number> | null | undefined;
        if (!data) break;
        const strokes = paintStrokes(paint);
        const fills =
          paint !== RULING_OPS.stroke && paint !== RULING_OPS.closeStroke && paint >= 22 && paint <= 27;
        if (!strokes && !fills) break;
        const ctm = st.ctm;
        const toPage = (p: Pt): Pt =>
          pdfUserToPage(ctm[0] * p.x + ctm[2] * p.y + ctm[4], ctm[1] * p.x + ctm[3] * p.y + ctm[5], geometry);
        const subs = subpaths(data).map((s) => ({ ...s, points: s.points.map(toPage) }));
        if (!subs.length) break;
        const box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
        for (const s of subs) {
          for (const p of s.points) {
            box.x0 = Math.min(box.x0, p.x);
            box.y0 = Math.min(box.y0, p.y);
            box.x1 = Math.max(box.x1, p.x);
            box.y1 = Math.max(box.y1, p.y);
          }
        }
        const scale = Math.sqrt(Math.abs(ctm[0] * ctm[3] - ctm[1] * ctm[2])) * (geometry.userUnit || 1);
        const closeAll = paint === RULING_OPS.closeStroke || paint === RULING_OPS.closeFillStroke;
        out.push({
          fill: fills ? st.fill : null,
          stroke: strokes ? st.stroke : null,
          lineWidth: st.lineWidth * scale,
          subpaths: closeAll ? subs.map((s) => ({ ...s, closed: true })) : subs,
          box,
        });
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** Ruling lines and painted paths of a page from one operator list walk each. */
export async function extractGraphics(
  page: PDFPageProxy,
  geometry: PdfPageGeometry,
): Promise<{ segments: Segment[]; paths: VectorPath[] }> {
  const list = await page.getOperatorList();
  const args = list.argsArray as unknown[];
  return {
    segments: rulingsFromOperatorList(list.fnArray, args, geometry),
    paths: vectorPathsFromOperatorList(list.fnArray, args, geometry),
  };
}

/** Whether a constructPath's paint operator strokes the path (with or without a fill). */
function paintStrokes(paint: number): boolean {
  return (
    paint === RULING_OPS.stroke ||
    paint === RULING_OPS.closeStroke ||
    paint === RULING_OPS.fillStroke ||
    paint === RULING_OPS.eoFillStroke ||
    paint === RULING_OPS.closeFillStroke ||
    paint === RULING_OPS.closeEOFillStroke
  );
}
