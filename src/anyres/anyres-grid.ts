// LLaVA-NeXT's AnyRes grid choice (select_best_resolution, resize-and-pad, divide into tiles), kept to the
// reference's integer and float steps so a plan shows the grid the model family really uses.
import { AppError } from '../shared/errors.js';

export interface Resolution {
  width: number;
  height: number;
}

/** A candidate canvas: `cols × rows` tiles of `tile` px whose neighbours overlap by `overlapPx`. */
export interface GridCandidate extends Resolution {
  cols: number;
  rows: number;
  tile: number;
  overlapPx: number;
}

/** CLIP ViT-L/14-336 crop size used by LLaVA-NeXT (llava-v1.6). */
export const LLAVA_NEXT_BASE = 336;

/**
 * llava-v1.6 `image_grid_pinpoints`, width × height in the order of the LLaVA repo (`for width, height in
 * possible_resolutions`). NOTE: HF transformers reads the same list as height × width; the list is closed under
 * swapping, so only the tie order of 336×672 vs 672×336 differs (only images ≤ 336 px on both sides tie).
 */
export const LLAVA_NEXT_PINPOINTS: readonly Resolution[] = [
  { width: 336, height: 672 },
  { width: 672, height: 336 },
  { width: 672, height: 672 },
  { width: 1008, height: 336 },
  { width: 336, height: 1008 },
];

/**
 * LLaVA-NeXT `select_best_resolution`: the candidate that maximises the effective resolution
 * min(downscaled w·h, original w·h), then minimises the wasted pixels (candidate area − effective); the first
 * candidate wins exact ties. Python's `int()` truncation of the downscaled sides is kept.
 */
export function selectBestResolution<R extends Resolution>(
  original: Resolution,
  candidates: readonly R[],
): R {
  if (candidates.length === 0)
    throw new AppError('invalid_input', 'selectBestResolution needs at least one candidate');
  const ow = original.width;
  const oh = original.height;
  let best: R | null = null;
  let maxEffective = 0;
  let minWasted = Infinity;
  for (const c of candidates) {
    const scale = Math.min(c.width / ow, c.height / oh);
    const dw = Math.trunc(ow * scale);
    const dh = Math.trunc(oh * scale);
    const effective = Math.min(dw * dh, ow * oh);
    const wasted = c.width * c.height - effective;
    if (effective > maxEffective || (effective === maxEffective && wasted < minWasted)) {
      maxEffective = effective;
      minWasted = wasted;
      best = c;
    }
  }
  // Every candidate has a positive area, so the first one always beats maxEffective = 0 unless it truncates
  // to an empty image; fall back to the first candidate like a caller of Python's version would crash instead.
  return best ?? (candidates[0] as R);
}

/** Overlap in canvas pixels for a fraction of the tile size. */
export function overlapPixels(tile: number, overlap: number): number {
  return Math.round(tile * overlap);
}

/** Canvas size of a cols × rows grid of `tile` px tiles overlapping by `overlapPx`. */
export function gridCanvas(cols: number, rows: number, tile: number, overlapPx = 0): GridCandidate {
  return {
    cols,
    rows,
    tile,
    overlapPx,
    width: cols * tile - (cols - 1) * overlapPx,
    height: rows * tile - (rows - 1) * overlapPx,
  };
}

/**
 * Candidate grids from a base tile size and a tile budget: every cols × rows with cols·rows ≤ maxTiles, in the
 * order LLaVA-NeXT builds `(1x1)…(NxM)` pinpoints (width multiplier outer, height multiplier inner).
 */
export function candidateGrids(tile: number, maxTiles: number, overlapPx = 0): GridCandidate[] {
  if (!Number.isInteger(maxTiles) || maxTiles < 1) {
    throw new AppError('invalid_input', `maxTiles must be a positive integer, got ${maxTiles}`);
  }
  const out: GridCandidate[] = [];
  for (let cols = 1; cols <= maxTiles; cols++) {
    for (let rows = 1; cols * rows <= maxTiles; rows++) out.push(gridCanvas(cols, rows, tile, overlapPx));
  }
  return out;
}

/** Turns explicit pinpoints (multiples of `tile`) into grid candidates, keeping their order. */
export function pinpointGrids(
  pinpoints: readonly Resolution[],
  tile: number,
  overlapPx = 0,
): GridCandidate[] {
  return pinpoints.map((p) => {
    const cols = Math.round(p.width / tile);
    const rows = Math.round(p.height / tile);
    if (cols < 1 || rows < 1 || cols * tile !== p.width || rows * tile !== p.height) {
      throw new AppError(
        'invalid_input',
        `pinpoint ${p.width}×${p.height} is not a grid of ${tile} px tiles`,
      );
    }
    return gridCanvas(cols, rows, tile, overlapPx);
  });
}

/** Where the image lands on the candidate canvas: size after the aspect-preserving resize and paste offset. */
export interface FitOnCanvas {
  width: number;
  height: number;
  padX: number;
  padY: number;
}

/**
 * LLaVA-NeXT `resize_and_pad_image` / HF `get_patch_output_size` + `_pad_for_patching`: scale to fit the target
 * (the limiting side exactly, the other `min(ceil(side·scale), target)`), then paste centred (floor of half the slack).
 */
export function fitAndPad(original: Resolution, target: Resolution): FitOnCanvas {
  const scaleW = target.width / original.width;
  const scaleH = target.height / original.height;
  let width: number;
  let height: number;
  if (scaleW < scaleH) {
    width = target.width;
    height = Math.min(Math.ceil(original.height * scaleW), target.height);
  } else {
    height = target.height;
    width = Math.min(Math.ceil(original.width * scaleH), target.width);
  }
  return {
    width,
    height,
    padX: Math.floor((target.width - width) / 2),
    padY: Math.floor((target.height - height) / 2),
  };
}

/** Tile origins along one axis of a grid canvas (stride = tile − overlap), in raster order of LLaVA's crops. */
export function tileOrigins(count: number, tile: number, overlapPx: number): number[] {
  return Array.from({ length: count }, (_, i) => i * (tile - overlapPx));
}

/**
 * Splits a length into `count` equal spans that overlap by the fraction `overlap` of a span and cover it exactly.
 * Returns [start, end) pairs.
 */
export function overlappingSpans(length: number, count: number, overlap: number): Array<[number, number]> {
  const span = length / (count - (count - 1) * overlap);
  const stride = span * (1 - overlap);
  return Array.from({ length: count }, (_, i) => {
    const start = i * stride;
    // The last span ends exactly at `length` (no float drift past the page edge).
    const end = i === count - 1 ? length : Math.min(length, start + span);
    return [start, end] as [number, number];
  });
}
