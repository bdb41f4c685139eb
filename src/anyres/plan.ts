// The plan for one page and one model budget — raster size, single image or AnyRes grid, every tile with its
// transform to page space, the image-token count — computed before a run so the UI can show it and the
// inference code can follow it.
import type { ModelFamily, Plan, PlanTile, TileTransform } from '../shared/domain.js';
import { AppError } from '../shared/errors.js';
import type { Rect } from '../shared/geometry.js';
import {
  candidateGrids,
  type FitOnCanvas,
  fitAndPad,
  type GridCandidate,
  LLAVA_NEXT_BASE,
  LLAVA_NEXT_PINPOINTS,
  OV_GEOMETRY,
  ovLayout,
  overlapPixels,
  overlappingSpans,
  pinpointGrids,
  selectBestResolution,
  tileOrigins,
  tokensPerTile,
} from './anyres-grid.js';
import { FAMILIES } from '../shared/families.js';
import { rasterSizeAt, type Size2 } from './coords.js';
import {
  padToFactor,
  QWEN_DEFAULT_MAX_PIXELS,
  QWEN_FACTOR,
  QWEN_MIN_PIXELS,
  qwenImageTokens,
  smartResize,
} from './smart-resize.js';

export type Tiling = 'auto' | 'off' | 'on';

export interface PlanOptions {
  family: ModelFamily;
  /** Qwen2 families: smart_resize max_pixels per image (default 28·28·1280). Ignored by fixed-size families. */
  maxPixels?: number;
  /** Qwen2 families: smart_resize min_pixels (default 56·56). Ignored by fixed-size families. */
  minPixels?: number;
  /** Render DPI of the page (default 150). Use 72 for images, whose page space is their pixel grid. */
  dpi?: number;
  /**
   * `off`: one image. `on`: an AnyRes grid plus a global view. `auto`: a grid only when the raster is larger
   * than one image can hold. Default: `auto` for llava-next (LLaVA-NeXT always tiles), `off` otherwise.
   */
  tiling?: Tiling;
  /** Largest number of grid tiles (global view not counted). Default 4; llava-next uses its pinpoints unless set. */
  maxTiles?: number;
  /** Fraction of a tile shared with its neighbour, 0 ≤ overlap < 0.5 (default 0). */
  overlap?: number;
}

export interface PageSpec {
  page: number;
  width: number;
  height: number;
}

export const DEFAULT_PLAN_DPI = 150;
export const DEFAULT_MAX_TILES = 4;

/** Fixed-input families: every image (tile or global view) is squashed/cropped to `base` × `base`. */
const FIXED: Partial<Record<ModelFamily, { base: number; tokensPerImage: number }>> = {
  // Qwen-VL: 448×448 input, the resampler emits 256 queries per image.
  'qwen-vl': { base: 448, tokensPerImage: 256 },
  // LLaVA-NeXT: CLIP-L/14 at 336 → 24×24 = 576 features per crop.
  // NOTE: HF LlavaNext counts fewer: `spatial_unpad` drops the padded rows/cols of the tile features and adds
  // one `image_newline` per row (a letter page: 2448 instead of 5·576 = 2880; an unpadded 2×2 grid: 2928).
  // The plan shows 576 per crop, the figure the UI budget is stated in.
  'llava-next': { base: LLAVA_NEXT_BASE, tokensPerImage: 576 },
};

function invalid(message: string): never {
  throw new AppError('invalid_input', message);
}

function rect(x0: number, y0: number, x1: number, y1: number): Rect {
  return { x0, y0, x1, y1 };
}

/** Plans one page for one model family. Throws AppError('invalid_input') on bad options or an unusable page. */
export function planPage(page: PageSpec, opts: PlanOptions): Plan {
  if (!Number.isInteger(page.page) || page.page < 1)
    invalid(`page must be a 1-based integer, got ${page.page}`);
  if (!(page.width > 0 && page.height > 0) || !Number.isFinite(page.width) || !Number.isFinite(page.height)) {
    invalid(`page size must be positive, got ${page.width}×${page.height}`);
  }
  const overlap = opts.overlap ?? 0;
  if (!(overlap >= 0 && overlap < 0.5)) invalid(`overlap must be in [0, 0.5), got ${overlap}`);
  if (opts.maxTiles !== undefined && (!Number.isInteger(opts.maxTiles) || opts.maxTiles < 1)) {
    invalid(`maxTiles must be a positive integer, got ${opts.maxTiles}`);
  }
  const dpi = opts.dpi ?? DEFAULT_PLAN_DPI;
  const pageSize = { width: page.width, height: page.height };
  const raster = rasterSizeAt(pageSize, dpi);
  const fixed = FIXED[opts.family];
  const base = { family: opts.family, page: page.page, pageSize, render: { dpi, ...raster } };
  if (fixed) return planFixed(base, raster, opts, overlap, fixed.base, fixed.tokensPerImage);
  if (opts.family === 'llava-onevision') return planOneVision(base, raster);
  return planQwen(base, raster, opts, overlap);
}

type PlanBase = Pick<Plan, 'family' | 'page' | 'pageSize' | 'render'>;

function finish(
  base: PlanBase,
  mode: Plan['mode'],
  grid: Plan['grid'],
  tiles: PlanTile[],
  maxPixels: number,
  minPixels: number,
): Plan {
  const imageTokens = tiles.reduce((n, t) => n + t.imageTokens, 0);
  return { ...base, mode, grid, tiles, imageTokens, maxPixels, minPixels };
}

// ---- Qwen2-VL / Qwen2.5-VL: smart_resize per image ---------------------------------------------------------

/** A region of the page (page units) cut from the raster and smart_resized as one model image. */
function qwenImage(
  kind: PlanTile['kind'],
  region: Rect,
  pageSize: Size2,
  raster: Size2,
  sr: { minPixels: number; maxPixels: number; factor: number },
): PlanTile {
  const rx = raster.width / pageSize.width;
  const ry = raster.height / pageSize.height;
  // The region's pixels in the raster (whole pixels, as the tile is cropped from it).
  const w = Math.max(1, Math.round((region.x1 - region.x0) * rx));
  const h = Math.max(1, Math.round((region.y1 - region.y0) * ry));
  const input = smartResize(h, w, sr);
  // A side under 28 px is padded (right/bottom), so the input spans the padded canvas, not just the region.
  const padded = padToFactor(h, w, sr.factor);
  const transform: TileTransform = {
    offsetX: region.x0,
    offsetY: region.y0,
    scaleX: ((region.x1 - region.x0) * (padded.width / w)) / input.width,
    scaleY: ((region.y1 - region.y0) * (padded.height / h)) / input.height,
  };
  return { kind, region, input, transform, imageTokens: qwenImageTokens(input, sr.factor) };
}

function planQwen(base: PlanBase, raster: Size2, opts: PlanOptions, overlap: number): Plan {
  // Patch · merge and the default budget come from the family's row (28 px for Qwen2/2.5-VL, 32 px for Qwen3-VL).
  const images = FAMILIES[opts.family].images;
  const factor = images.kind === 'smart-resize' ? images.factor : QWEN_FACTOR;
  const maxPixels =
    opts.maxPixels ?? (images.kind === 'smart-resize' ? images.maxPixels : QWEN_DEFAULT_MAX_PIXELS);
  const minPixels = opts.minPixels ?? (images.kind === 'smart-resize' ? images.minPixels : QWEN_MIN_PIXELS);
  if (!Number.isInteger(maxPixels) || maxPixels < factor * factor) {
    invalid(`maxPixels must be an integer ≥ ${factor * factor}, got ${maxPixels}`);
  }
  if (!Number.isInteger(minPixels) || minPixels < 1 || minPixels > maxPixels) {
    invalid(`minPixels must be an integer in [1, maxPixels], got ${minPixels}`);
  }
  const sr = { minPixels, maxPixels, factor };
  const { pageSize } = base;
  const whole = rect(0, 0, pageSize.width, pageSize.height);
  const tiling = opts.tiling ?? 'off';
  const tooBig = raster.width * raster.height > maxPixels;
  if (tiling === 'off' || (tiling === 'auto' && !tooBig)) {
    return finish(
      base,
      'single',
      null,
      [qwenImage('single', whole, pageSize, raster, sr)],
      maxPixels,
      minPixels,
    );
  }
  // NOTE: LLaVA-NeXT pads the image onto the chosen canvas and crops fixed tiles; Qwen takes any 28-multiple
  // size, so we keep LLaVA's grid choice (canvas = cols·T × rows·T, T the largest 28-multiple square within
  // maxPixels) but cut the raster itself into equal tiles and smart_resize each — no padding, no distortion.
  const tile = Math.max(factor, Math.floor(Math.sqrt(maxPixels) / factor) * factor);
  const candidates = candidateGrids(tile, opts.maxTiles ?? DEFAULT_MAX_TILES, overlapPixels(tile, overlap));
  const best = selectBestResolution(raster, candidates);
  const global = qwenImage('global', whole, pageSize, raster, sr);
  if (best.cols * best.rows === 1) {
    // One tile would duplicate the global view: the page fits one image.
    return finish(base, 'single', null, [{ ...global, kind: 'single' }], maxPixels, minPixels);
  }
  const xs = overlappingSpans(pageSize.width, best.cols, overlap);
  const ys = overlappingSpans(pageSize.height, best.rows, overlap);
  const tiles: PlanTile[] = [global];
  for (const [y0, y1] of ys) {
    for (const [x0, x1] of xs) tiles.push(qwenImage('tile', rect(x0, y0, x1, y1), pageSize, raster, sr));
  }
  return finish(base, 'anyres', { cols: best.cols, rows: best.rows }, tiles, maxPixels, minPixels);
}

// ---- Qwen-VL and LLaVA-NeXT: fixed square inputs ---------------------------------------------------------

/** The whole page squashed to base × base (LLaVA-NeXT's `image.resize((336, 336))` global view; Qwen-VL's input). */
function squashed(kind: PlanTile['kind'], pageSize: Size2, size: number, tokens: number): PlanTile {
  return {
    kind,
    region: rect(0, 0, pageSize.width, pageSize.height),
    input: { width: size, height: size },
    transform: { offsetX: 0, offsetY: 0, scaleX: pageSize.width / size, scaleY: pageSize.height / size },
    imageTokens: tokens,
  };
}

function planFixed(
  base: PlanBase,
  raster: Size2,
  opts: PlanOptions,
  overlap: number,
  tile: number,
  tokens: number,
): Plan {
  const pixels = tile * tile;
  const { pageSize } = base;
  const tiling = opts.tiling ?? (opts.family === 'llava-next' ? 'auto' : 'off');
  // LLaVA-NeXT tiles every image; Qwen-VL under `auto` only when the raster is larger than its input.
  const wantGrid =
    tiling === 'on' ||
    (tiling === 'auto' && (opts.family === 'llava-next' || raster.width * raster.height > pixels));
  const global = squashed('global', pageSize, tile, tokens);
  if (!wantGrid) return finish(base, 'single', null, [{ ...global, kind: 'single' }], pixels, pixels);

  const ov = overlapPixels(tile, overlap);
  const candidates: GridCandidate[] =
    opts.family === 'llava-next' && opts.maxTiles === undefined
      ? pinpointGrids(LLAVA_NEXT_PINPOINTS, tile, ov)
      : candidateGrids(tile, opts.maxTiles ?? DEFAULT_MAX_TILES, ov);
  const best = selectBestResolution(raster, candidates);
  // LLaVA-NeXT: resize the raster to fit the canvas keeping its aspect ratio, paste it centred, crop tiles.
  const fit = fitAndPad(raster, best);
  const tiles: PlanTile[] = [
    global,
    ...gridTiles(pageSize, fit, best.cols, best.rows, tile, best.overlapPx, () => tokens),
  ];
  return finish(base, 'anyres', { cols: best.cols, rows: best.rows }, tiles, pixels, pixels);
}

/**
 * The tiles of a canvas on which the raster was resized to `fit` and pasted at its offset: each tile's page
 * region (the part the image covers; padding excluded) and its transform, row-major; `tokens(i)` per tile.
 */
function gridTiles(
  pageSize: Size2,
  fit: FitOnCanvas,
  cols: number,
  rows: number,
  tile: number,
  overlapPx: number,
  tokens: (index: number) => number,
): PlanTile[] {
  const scaleX = pageSize.width / fit.width;
  const scaleY = pageSize.height / fit.height;
  const tiles: PlanTile[] = [];
  for (const ty of tileOrigins(rows, tile, overlapPx)) {
    for (const tx of tileOrigins(cols, tile, overlapPx)) {
      // The part of the tile the image covers (the rest is padding), in page space.
      const cx0 = Math.max(tx, fit.padX);
      const cx1 = Math.min(tx + tile, fit.padX + fit.width);
      const cy0 = Math.max(ty, fit.padY);
      const cy1 = Math.min(ty + tile, fit.padY + fit.height);
      const toPageX = (cx: number) => Math.min(pageSize.width, Math.max(0, (cx - fit.padX) * scaleX));
      const toPageY = (cy: number) => Math.min(pageSize.height, Math.max(0, (cy - fit.padY) * scaleY));
      const x0 = toPageX(cx0);
      const y0 = toPageY(cy0);
      tiles.push({
        kind: 'tile',
        region: rect(x0, y0, Math.max(x0, toPageX(cx1)), Math.max(y0, toPageY(cy1))),
        input: { width: tile, height: tile },
        transform: { offsetX: (tx - fit.padX) * scaleX, offsetY: (ty - fit.padY) * scaleY, scaleX, scaleY },
        imageTokens: tokens(tiles.length),
      });
    }
  }
  return tiles;
}

// ---- LLaVA-OneVision: AnyRes over its pinpoints, tokens after unpadding and the anyres_max_9 downscale -------

/**
 * The raster as LLaVA-OneVision's processor takes one image: the whole page squashed to the base image (729
 * tokens), then the tiles of the chosen pinpoint canvas with the tokens each contributes after unpadding, the
 * anyres_max downscale and the row newlines (anyres-grid.ts).
 */
function planOneVision(base: PlanBase, raster: Size2): Plan {
  const g = OV_GEOMETRY;
  const layout = ovLayout(raster, g);
  const pixels = g.tile * g.tile;
  const { pageSize } = base;
  const global = squashed('global', pageSize, g.tile, layout.baseTokens);
  const fit: FitOnCanvas = {
    width: layout.resized.width,
    height: layout.resized.height,
    padX: layout.pad.left,
    padY: layout.pad.top,
  };
  const perTile = tokensPerTile(layout);
  const tiles = [
    global,
    ...gridTiles(pageSize, fit, layout.cols, layout.rows, g.tile, 0, (i) => perTile[i] ?? 0),
  ];
  const plan = finish(base, 'anyres', { cols: layout.cols, rows: layout.rows }, tiles, pixels, pixels);
  if (plan.imageTokens !== layout.imageTokens) {
    throw new AppError(
      'internal',
      `plan tokens ${plan.imageTokens} ≠ LLaVA-OneVision count ${layout.imageTokens}`,
    );
  }
  return plan;
}
