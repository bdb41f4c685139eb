// LLaVA-NeXT's AnyRes grid choice (select_best_resolution, resize-and-pad, divide into tiles) and LLaVA-OneVision's
// AnyRes layout, kept to the reference's integer and float steps so a plan shows what the model really gets.
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

// ---- LLaVA-OneVision ---------------------------------------------------------------------------------------
// Its AnyRes as the Python reference computes it (transformers 4.57 `LlavaOnevisionImageProcessor` +
// `pack_image_features` + the processor's token count): best canvas, aspect resize, padding, tiles, feature-grid
// unpadding, the anyres_max_9 downscale and the image-token count. Integer and float steps copy Python
// (`int(round(x, 7))`, float `//`) so counts match the model exactly (docs/llava-onevision.md).

/** What the geometry needs from a checkpoint's config (never hard-coded: tiny models use other sizes). */
export interface OvGeometry {
  /** vision_config.image_size: the side of every tile and of the base image (384 for the real model). */
  tile: number;
  /** vision_config.patch_size (14): the tile's feature grid is ⌊tile / patch⌋ per side (27). */
  patch: number;
  /** image_grid_pinpoints as [height, width] pairs, in config order (the first wins exact ties). */
  pinpoints: ReadonlyArray<readonly [number, number]>;
  /** N of `anyres_max_N` (vision_aspect_ratio): the feature map is downscaled above 1.1 · N tiles' worth. */
  maxNumPatches: number;
}

/** `image_grid_pinpoints` of llava-onevision-qwen2-0.5b-ov-hf: every [h, w] in {384, 768, …, 2304}², h outer. */
export const OV_PINPOINTS: ReadonlyArray<readonly [number, number]> = (() => {
  const sides = [384, 768, 1152, 1536, 1920, 2304];
  return sides.flatMap((h) => sides.map((w) => [h, w] as const));
})();

export const OV_GEOMETRY: OvGeometry = {
  tile: 384,
  patch: 14,
  pinpoints: OV_PINPOINTS,
  maxNumPatches: 9,
};

/** Python `round(x, 7)` then `int()`: round to 7 decimals (toFixed rounds the exact binary value), truncate. */
export function pyIntRound7(x: number): number {
  return Math.trunc(Number(x.toFixed(7)));
}

/** Python float floor division `a // b` (CPython float_floor_div: fmod, then floor with its 0.5 correction). */
export function pyFloorDiv(a: number, b: number): number {
  let mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) {
    mod += b;
    div -= 1;
  }
  if (div === 0) return 0;
  let floorDiv = Math.floor(div);
  if (div - floorDiv > 0.5) floorDiv += 1;
  return floorDiv;
}

export interface OvLayout {
  /** Original image size (the processor's `image_sizes` entry). */
  original: Resolution;
  /** Side of each tile's feature grid (27). */
  perTile: number;
  /** Tokens of the base image (perTile², 729). */
  baseTokens: number;
  /** False for an image among several in one prompt: base image only, padded square, plus one newline. */
  tiled: boolean;
  /** The chosen canvas (a pinpoint). */
  canvas: Resolution;
  rows: number;
  cols: number;
  /** The image resized keeping its aspect ratio, and where it is pasted on the canvas (black padding). */
  resized: Resolution;
  pad: { top: number; bottom: number; left: number; right: number };
  /** The tiles' feature grid (perTile·rows × perTile·cols) … */
  grid: { height: number; width: number };
  /** … the rows / columns unpadding keeps ([start, end) in grid units) … */
  kept: { rows: [number, number]; cols: [number, number] };
  /** … the anyres_max ratio (downscale when > 1.1) … */
  ratio: number;
  /** … and the final feature map, one newline after each of its rows. */
  final: { height: number; width: number };
  /** Tokens of the image in the prompt: base + final.h·final.w + final.h (tiled), base + 1 (untiled). */
  imageTokens: number;
  /** Tiles fed to the vision encoder: the base image first, then the grid tiles row-major. */
  visionTiles: number;
}

function checkGeometry(g: OvGeometry): number {
  // Python `image_size // patch_size`: SigLIP's stride-14 conv drops the last 384 − 27·14 = 6 px.
  const perTile = Math.floor(g.tile / g.patch);
  if (!Number.isInteger(g.tile) || !Number.isInteger(g.patch) || perTile < 1) {
    throw new AppError('invalid_input', `image_size ${g.tile} / patch_size ${g.patch} gives no patch`);
  }
  if (g.pinpoints.length === 0) throw new AppError('invalid_input', 'image_grid_pinpoints is empty');
  for (const [h, w] of g.pinpoints) {
    if (h % g.tile !== 0 || w % g.tile !== 0 || h < g.tile || w < g.tile) {
      throw new AppError('invalid_input', `pinpoint ${h}×${w} is not a grid of ${g.tile} px tiles`);
    }
  }
  if (!Number.isInteger(g.maxNumPatches) || g.maxNumPatches < 1) {
    throw new AppError('invalid_input', `anyres_max_${g.maxNumPatches} is not a positive tile count`);
  }
  return perTile;
}

/**
 * `unpad_image` (modeling) = `_get_unpadded_features` (processor): which grid rows or columns hold the image.
 * The comparison and the `int(round(·, 7))` are Python's, in the same operation order.
 */
export function unpadRange(
  original: Resolution,
  grid: { height: number; width: number },
): { rows: [number, number]; cols: [number, number] } {
  const { width: W, height: H } = original;
  const ch = grid.height;
  const cw = grid.width;
  if (W / H > cw / ch) {
    const newH = pyIntRound7(H * (cw / W));
    const pad = Math.floor((ch - newH) / 2);
    return { rows: [pad, ch - pad], cols: [0, cw] };
  }
  const newW = pyIntRound7(W * (ch / H));
  const pad = Math.floor((cw - newW) / 2);
  return { rows: [0, ch], cols: [pad, cw - pad] };
}

/** The whole AnyRes layout of one image of `original` size; `multiImage` for an image among several in a prompt. */
export function ovLayout(
  original: Resolution,
  geometry: OvGeometry = OV_GEOMETRY,
  multiImage = false,
): OvLayout {
  const perTile = checkGeometry(geometry);
  const { width: W, height: H } = original;
  if (!(Number.isInteger(W) && Number.isInteger(H) && W > 0 && H > 0)) {
    throw new AppError('invalid_input', `image size must be positive integers, got ${W}×${H}`);
  }
  const baseTokens = perTile * perTile;
  const T = geometry.tile;
  if (multiImage) {
    // pad_to_square (gray 127, centred) then one T×T tile; features = base + one image_newline.
    const side = Math.max(W, H);
    const left = Math.floor((side - W) / 2);
    const top = Math.floor((side - H) / 2);
    return {
      original: { width: W, height: H },
      perTile,
      baseTokens,
      tiled: false,
      canvas: { width: T, height: T },
      rows: 1,
      cols: 1,
      resized: { width: T, height: T },
      pad: { top, bottom: side - H - top, left, right: side - W - left },
      grid: { height: perTile, width: perTile },
      kept: { rows: [0, perTile], cols: [0, perTile] },
      ratio: 1,
      final: { height: 0, width: 0 },
      imageTokens: baseTokens + 1,
      visionTiles: 1,
    };
  }
  const candidates = geometry.pinpoints.map(([height, width]) => ({ width, height }));
  const canvas = selectBestResolution({ width: W, height: H }, candidates);
  const fit = fitAndPad({ width: W, height: H }, canvas);
  const rows = canvas.height / T;
  const cols = canvas.width / T;
  const grid = { height: perTile * rows, width: perTile * cols };
  const kept = unpadRange({ width: W, height: H }, grid);
  let fh = kept.rows[1] - kept.rows[0];
  let fw = kept.cols[1] - kept.cols[0];
  const ratio = Math.sqrt((fh * fw) / (geometry.maxNumPatches * perTile * perTile));
  if (ratio > 1.1) {
    fh = Math.trunc(pyFloorDiv(fh, ratio));
    fw = Math.trunc(pyFloorDiv(fw, ratio));
  }
  return {
    original: { width: W, height: H },
    perTile,
    baseTokens,
    tiled: true,
    canvas: { width: canvas.width, height: canvas.height },
    rows,
    cols,
    resized: { width: fit.width, height: fit.height },
    pad: {
      top: fit.padY,
      bottom: canvas.height - fit.height - fit.padY,
      left: fit.padX,
      right: canvas.width - fit.width - fit.padX,
    },
    grid,
    kept,
    ratio,
    final: { height: fh, width: fw },
    imageTokens: baseTokens + fh * fw + fh,
    visionTiles: 1 + rows * cols,
  };
}

/**
 * Where the source of final feature (row or column) `i` lies in the unpadded map, as torch's bilinear
 * `interpolate(align_corners=False)` samples it: src = (i + 0.5)·in/out − 0.5, clamped at 0.
 */
export function bilinearSource(
  i: number,
  inSize: number,
  outSize: number,
): { i0: number; i1: number; w1: number } {
  if (inSize === outSize) return { i0: i, i1: i, w1: 0 };
  const scale = inSize / outSize;
  const src = Math.max(0, (i + 0.5) * scale - 0.5);
  const i0 = Math.min(Math.floor(src), inSize - 1);
  const i1 = i0 < inSize - 1 ? i0 + 1 : i0;
  return { i0, i1, w1: src - i0 };
}

/**
 * How many of the image's prompt tokens each grid tile accounts for (row-major, rows·cols entries): a final
 * feature belongs to the tile its bilinear source lies in, a newline to the tile of its row's last feature.
 * Sums to imageTokens − baseTokens; used to show per-tile token counts in a plan.
 */
export function tokensPerTile(layout: OvLayout): number[] {
  const counts = new Array<number>(layout.rows * layout.cols).fill(0);
  if (!layout.tiled) return counts;
  const kh = layout.kept.rows[1] - layout.kept.rows[0];
  const kw = layout.kept.cols[1] - layout.kept.cols[0];
  const tileOf = (gridRow: number, gridCol: number): number =>
    Math.min(layout.rows - 1, Math.floor(gridRow / layout.perTile)) * layout.cols +
    Math.min(layout.cols - 1, Math.floor(gridCol / layout.perTile));
  for (let r = 0; r < layout.final.height; r++) {
    const gr = layout.kept.rows[0] + bilinearSource(r, kh, layout.final.height).i0;
    for (let c = 0; c < layout.final.width; c++) {
      const gc = layout.kept.cols[0] + bilinearSource(c, kw, layout.final.width).i0;
      counts[tileOf(gr, gc)]!++;
    }
    const lastCol = layout.kept.cols[0] + bilinearSource(layout.final.width - 1, kw, layout.final.width).i0;
    counts[tileOf(gr, lastCol)]!++;
  }
  return counts;
}
