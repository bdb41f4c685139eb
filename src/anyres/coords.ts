// Every coordinate conversion in DocLens lives here (DESIGN.md "Coordinates — one convention, one module"):
// PDF user space ⇄ page space, page ⇄ raster ⇄ tile ⇄ model input ⇄ model output, with one set of round-trip tests.
import type { Rect } from '../shared/geometry.js';
import { AppError } from '../shared/errors.js';

export interface Point {
  x: number;
  y: number;
}

// ---- PDF user space ⇄ page space -------------------------------------------------------------------------

/**
 * What pdf.js tells us about a page's geometry: `page.view` (the CropBox in user space, [x0, y0, x1, y1]),
 * `page.rotate` (/Rotate, clockwise degrees; 0, 90, 180, 270 — other multiples of 90 are normalised as pdf.js
 * does) and `page.userUnit` (/UserUnit, 1 unless the PDF says otherwise).
 */
export interface PdfPageGeometry {
  view: readonly [number, number, number, number];
  rotate: number;
  userUnit: number;
}

/** A 2-D affine matrix [a, b, c, d, e, f] in pdf.js / PDF order: x' = a·x + c·y + e, y' = b·x + d·y + f. */
export type Matrix = readonly [number, number, number, number, number, number];

function normalizeRotation(rotate: number): 0 | 90 | 180 | 270 {
  let r = rotate % 360;
  if (r < 0) r += 360;
  if (r === 0 || r === 90 || r === 180 || r === 270) return r;
  throw new AppError('invalid_input', `page rotation must be a multiple of 90 degrees, got ${rotate}`);
}

/**
 * The user-space → page-space matrix: exactly `PageViewport.transform` of pdf.js for
 * `page.getViewport({ scale: 1, rotation: page.rotate })` (pdf.js ≥ 4 multiplies the scale by userUnit itself,
 * so scale 1 already yields points × userUnit). Written term by term like pdf.js so results agree bit for bit.
 */
export function pdfToPageMatrix(g: PdfPageGeometry): Matrix {
  const [vx0, vy0, vx1, vy1] = g.view;
  const scale = g.userUnit;
  const centerX = (vx1 + vx0) / 2;
  const centerY = (vy1 + vy0) / 2;
  let a: number, b: number, c: number, d: number;
  switch (normalizeRotation(g.rotate)) {
    case 180:
      [a, b, c, d] = [-1, 0, 0, 1];
      break;
    case 90:
      [a, b, c, d] = [0, 1, 1, 0];
      break;
    case 270:
      [a, b, c, d] = [0, -1, -1, 0];
      break;
    case 0:
      [a, b, c, d] = [1, 0, 0, -1];
      break;
  }
  let offsetCanvasX: number, offsetCanvasY: number;
  if (a === 0) {
    offsetCanvasX = Math.abs(centerY - vy0) * scale;
    offsetCanvasY = Math.abs(centerX - vx0) * scale;
  } else {
    offsetCanvasX = Math.abs(centerX - vx0) * scale;
    offsetCanvasY = Math.abs(centerY - vy0) * scale;
  }
  return [
    a * scale,
    b * scale,
    c * scale,
    d * scale,
    offsetCanvasX - a * scale * centerX - c * scale * centerY,
    offsetCanvasY - b * scale * centerX - d * scale * centerY,
  ];
}

/** Page size in page space (points × userUnit, width/height swapped for 90° and 270°). */
export function pdfPageSize(g: PdfPageGeometry): { width: number; height: number } {
  const [vx0, vy0, vx1, vy1] = g.view;
  const w = Math.abs(vx1 - vx0) * g.userUnit;
  const h = Math.abs(vy1 - vy0) * g.userUnit;
  const r = normalizeRotation(g.rotate);
  return r === 90 || r === 270 ? { width: h, height: w } : { width: w, height: h };
}

/** PDF user space → page space; equals pdf.js `viewport.convertToViewportPoint(x, y)` (scale 1). */
export function pdfUserToPage(x: number, y: number, g: PdfPageGeometry): Point {
  const m = pdfToPageMatrix(g);
  return { x: x * m[0] + y * m[2] + m[4], y: x * m[1] + y * m[3] + m[5] };
}

/** Page space → PDF user space; equals pdf.js `viewport.convertToPdfPoint(x, y)` (scale 1). */
export function pageToPdfUser(x: number, y: number, g: PdfPageGeometry): Point {
  const m = pdfToPageMatrix(g);
  const det = m[0] * m[3] - m[1] * m[2];
  return {
    x: (x * m[3] - y * m[2] + m[2] * m[5] - m[4] * m[3]) / det,
    y: (-x * m[1] + y * m[0] + m[4] * m[1] - m[5] * m[0]) / det,
  };
}

function orderedRect(ax: number, ay: number, bx: number, by: number): Rect {
  return { x0: Math.min(ax, bx), y0: Math.min(ay, by), x1: Math.max(ax, bx), y1: Math.max(ay, by) };
}

/**
 * A user-space rectangle (any two opposite corners) → page space, corners ordered (x0 ≤ x1, y0 ≤ y1).
 * Not clamped: a word outside the CropBox stays outside, so callers can drop it or `normalizeRect` it.
 */
export function pdfRectToPage(r: Rect, g: PdfPageGeometry): Rect {
  const a = pdfUserToPage(r.x0, r.y0, g);
  const b = pdfUserToPage(r.x1, r.y1, g);
  return orderedRect(a.x, a.y, b.x, b.y);
}

/** A page-space rectangle → PDF user space, corners ordered (x0 ≤ x1, y0 ≤ y1 in user space). */
export function pageRectToPdf(r: Rect, g: PdfPageGeometry): Rect {
  const a = pageToPdfUser(r.x0, r.y0, g);
  const b = pageToPdfUser(r.x1, r.y1, g);
  return orderedRect(a.x, a.y, b.x, b.y);
}
