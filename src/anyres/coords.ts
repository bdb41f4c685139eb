// Every coordinate conversion in DocLens lives here (DESIGN.md "Coordinates — one convention, one module"):
// PDF user space ⇄ page space, page ⇄ raster ⇄ tile ⇄ model input ⇄ model output, with one set of round-trip tests.
import type { ModelFamily, PlanTile, TileTransform } from '../shared/domain.js';
import { FAMILIES, type CoordinateSpace } from '../shared/families.js';
import { normalizeRect, type LabelledBox, type Rect } from '../shared/geometry.js';
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

// ---- page ⇄ raster (DPI) ---------------------------------------------------------------------------------

export interface Size2 {
  width: number;
  height: number;
}

/** 72 points per inch: page space is PDF points (an image's page space is its pixel grid, i.e. dpi 72). */
export const POINTS_PER_INCH = 72;

/**
 * Raster size of a page rendered at `dpi`: each side rounded to whole pixels (at least 1).
 * The renderer stretches the page over exactly this many pixels, so page ⇄ raster uses the per-axis ratio
 * raster/page rather than dpi/72, and stays exact despite the rounding.
 */
export function rasterSizeAt(pageSize: Size2, dpi: number): Size2 {
  if (!(dpi > 0) || !Number.isFinite(dpi))
    throw new AppError('invalid_input', `dpi must be positive, got ${dpi}`);
  return {
    width: Math.max(1, Math.round((pageSize.width * dpi) / POINTS_PER_INCH)),
    height: Math.max(1, Math.round((pageSize.height * dpi) / POINTS_PER_INCH)),
  };
}

export function pageToRaster(p: Point, pageSize: Size2, raster: Size2): Point {
  return { x: (p.x * raster.width) / pageSize.width, y: (p.y * raster.height) / pageSize.height };
}

export function rasterToPage(p: Point, pageSize: Size2, raster: Size2): Point {
  return { x: (p.x * pageSize.width) / raster.width, y: (p.y * pageSize.height) / raster.height };
}

// ---- tile (model input) ⇄ page ---------------------------------------------------------------------------

/** A tile's model-input pixel → page: page = offset + pixel · scale per axis (TileTransform in shared/domain). */
export function tileInputToPage(p: Point, t: TileTransform): Point {
  return { x: t.offsetX + p.x * t.scaleX, y: t.offsetY + p.y * t.scaleY };
}

/** Page → a tile's model-input pixel (inverse of tileInputToPage; may fall outside the tile). */
export function pageToTileInput(p: Point, t: TileTransform): Point {
  return { x: (p.x - t.offsetX) / t.scaleX, y: (p.y - t.offsetY) / t.scaleY };
}

// ---- model output ⇄ model input --------------------------------------------------------------------------

/** How a family writes coordinates: one column of the family table (src/shared/families.ts). */
export type OutputSpace = CoordinateSpace;

export const NORM = 1000;

export function outputSpaceFor(family: ModelFamily): OutputSpace {
  return FAMILIES[family].coordinates;
}

export function modelOutputToInput(p: Point, space: OutputSpace, input: Size2): Point {
  if (space === 'input-pixels') return { x: p.x, y: p.y };
  if (space === 'unit') return { x: p.x * input.width, y: p.y * input.height };
  return { x: (p.x / NORM) * input.width, y: (p.y / NORM) * input.height };
}

/** Model input pixel → the model's output units, rounded to integers like the model writes them. */
export function modelInputToOutput(p: Point, space: OutputSpace, input: Size2, quantize = true): Point {
  const q = quantize ? Math.round : (v: number) => v;
  if (space === 'input-pixels') return { x: q(p.x), y: q(p.y) };
  // [0, 1] floats: "rounded like the model writes them" is 3 decimals (LLaVA's own answers).
  if (space === 'unit') {
    const q3 = quantize ? (v: number) => Math.round(v * 1000) / 1000 : (v: number) => v;
    return { x: q3(p.x / input.width), y: q3(p.y / input.height) };
  }
  return { x: q((p.x / input.width) * NORM), y: q((p.y / input.height) * NORM) };
}

// ---- the whole chain -------------------------------------------------------------------------------------

/** What a box needs to travel between a tile's model output and the page. */
export interface TileFrame {
  space: OutputSpace;
  /** PlanTile.input */
  input: Size2;
  /** PlanTile.transform */
  transform: TileTransform;
}

/** Model output box (any two corners) → page space, corners ordered and clamped to the page. */
export function modelOutputRectToPage(r: Rect, frame: TileFrame, pageSize: Size2): Rect {
  const a = tileInputToPage(
    modelOutputToInput({ x: r.x0, y: r.y0 }, frame.space, frame.input),
    frame.transform,
  );
  const b = tileInputToPage(
    modelOutputToInput({ x: r.x1, y: r.y1 }, frame.space, frame.input),
    frame.transform,
  );
  return normalizeRect({ x0: a.x, y0: a.y, x1: b.x, y1: b.y }, pageSize.width, pageSize.height);
}

/**
 * Page box → what the model would write for it in this tile (integers, clamped to the output range).
 * Used by tests and by prompts that hand the model a region.
 */
export function pageRectToModelOutput(r: Rect, frame: TileFrame, quantize = true): Rect {
  const a = modelInputToOutput(
    pageToTileInput({ x: r.x0, y: r.y0 }, frame.transform),
    frame.space,
    frame.input,
    quantize,
  );
  const b = modelInputToOutput(
    pageToTileInput({ x: r.x1, y: r.y1 }, frame.transform),
    frame.space,
    frame.input,
    quantize,
  );
  const range = { norm1000: { x: NORM, y: NORM }, unit: { x: 1, y: 1 } } as const;
  const maxX = frame.space === 'input-pixels' ? frame.input.width : range[frame.space].x;
  const maxY = frame.space === 'input-pixels' ? frame.input.height : range[frame.space].y;
  return normalizeRect({ x0: a.x, y0: a.y, x1: b.x, y1: b.y }, maxX, maxY);
}

// ---- decoded model boxes → page ---------------------------------------------------------------------------

/** A box as a family decoder read it (model-output units, corners as written); a point has x0 = x1, y0 = y1. */
export interface ModelBox {
  label: string;
  kind: 'box' | 'point';
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Decoded boxes of one plan tile → page-space LabelledBoxes: model output → model input (per the family's
 * coordinate space) → page via the tile transform, corners ordered, clamped to the page. A box with no area left
 * on the page (e.g. wholly in a tile's padding, or degenerate) and a point off the page are dropped; a point
 * becomes a zero-size box. The only road from a model's numbers to the page.
 */
export function toPageBoxes(
  boxes: readonly ModelBox[],
  tile: PlanTile,
  page: number,
  pageSize: Size2,
  family: ModelFamily,
): LabelledBox[] {
  const frame = { space: outputSpaceFor(family), input: tile.input, transform: tile.transform };
  const out: LabelledBox[] = [];
  for (const b of boxes) {
    if (b.kind === 'point') {
      const p = tileInputToPage(
        modelOutputToInput({ x: b.x0, y: b.y0 }, frame.space, frame.input),
        frame.transform,
      );
      if (p.x < 0 || p.y < 0 || p.x > pageSize.width || p.y > pageSize.height) continue;
      out.push({ page, label: b.label, x0: p.x, y0: p.y, x1: p.x, y1: p.y });
      continue;
    }
    const r = modelOutputRectToPage(b, frame, pageSize);
    if (r.x1 - r.x0 <= 0 || r.y1 - r.y0 <= 0) continue;
    out.push({ page, label: b.label, ...r });
  }
  return out;
}

/**
 * The tile a run really saw: `view` with its input replaced by the size the engine resized to (`resized`) and
 * the transform spread over the view's region. Models that write input pixels (Qwen2.5-VL) need it whenever the
 * engine's preprocessing differs from the plan's.
 */
export function tileAsRun(view: PlanTile, resized: Size2): PlanTile {
  const r = view.region;
  return {
    ...view,
    input: resized,
    transform: {
      offsetX: r.x0,
      offsetY: r.y0,
      scaleX: (r.x1 - r.x0) / resized.width,
      scaleY: (r.y1 - r.y0) / resized.height,
    },
  };
}

/**
 * The whole raster pixels a view's page region covers in a page raster of `raster` size ([x0, x1) × [y0, y1)),
 * and the page region exactly those pixels cover (the view's region to within a pixel).
 */
export function viewRasterRect(view: PlanTile, pageSize: Size2, raster: Size2): { px: Rect; region: Rect } {
  const sx = raster.width / pageSize.width;
  const sy = raster.height / pageSize.height;
  const x0 = Math.max(0, Math.min(raster.width - 1, Math.floor(view.region.x0 * sx)));
  const y0 = Math.max(0, Math.min(raster.height - 1, Math.floor(view.region.y0 * sy)));
  const x1 = Math.max(x0 + 1, Math.min(raster.width, Math.ceil(view.region.x1 * sx)));
  const y1 = Math.max(y0 + 1, Math.min(raster.height, Math.ceil(view.region.y1 * sy)));
  return { px: { x0, y0, x1, y1 }, region: { x0: x0 / sx, y0: y0 / sy, x1: x1 / sx, y1: y1 / sy } };
}
