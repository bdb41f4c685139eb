// Sizes of the generated LLaVA-OneVision stand-ins (models/tiny/llava-onevision-*.ts): `tiny` (56 px tiles, a few
// MB, unit tests) and `bench` (the real 384 px tiles and 36 pinpoints with a ~100M decoder).
import type { TinyHyper } from '../types.js';

export interface LlavaOvTinySize {
  /** Decoder and tower sizes (vision.embedDim = SigLIP width); mropeSection is moot with 1-D positions. */
  hyper: TinyHyper;
  /** vision_config.image_size / patch_size. */
  tile: number;
  patch: number;
  /** image_grid_pinpoints, [height, width]. */
  pinpoints: Array<[number, number]>;
  /** anyres_max_N. */
  maxNumPatches: number;
}

/** Every [rows·tile, cols·tile] up to `maxSide` tiles a side, rows outer (the real config's order). */
export function pinpointsUpTo(tile: number, maxSide: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let r = 1; r <= maxSide; r++) for (let c = 1; c <= maxSide; c++) out.push([r * tile, c * tile]);
  return out;
}

const COMMON = { vocabSize: 152000, ropeTheta: 1_000_000, rmsNormEps: 1e-6, fp16Variants: false } as const;

export const LLAVA_OV_TINY_SIZES: Readonly<Record<'tiny' | 'bench', LlavaOvTinySize>> = {
  tiny: {
    hyper: {
      ...COMMON,
      hiddenSize: 64,
      embedRank: 8,
      tableFp16: true,
      numLayers: 2,
      numHeads: 4,
      numKvHeads: 2,
      headDim: 16,
      intermediateSize: 128,
      mropeSection: [2, 3, 3],
      vision: { embedDim: 32, depth: 1, numHeads: 2, mlpDim: 64, patchSize: 14 },
      minPixels: 56 * 56,
      maxPixels: 168 * 168,
    },
    tile: 56,
    patch: 14,
    // The family spec's 7 pinpoints up to 3×3 tiles; anyres_max_4 (not 9) so a 3×3 grid (12×12 features) is
    // downscaled and the tests reach that branch: √(144 / (4·16)) = 1.5 > 1.1.
    pinpoints: [
      [56, 56],
      [56, 112],
      [112, 56],
      [112, 112],
      [112, 168],
      [168, 112],
      [168, 168],
    ],
    maxNumPatches: 4,
  },
  bench: {
    hyper: {
      ...COMMON,
      hiddenSize: 512,
      embedRank: 512,
      tableFp16: false,
      numLayers: 8,
      numHeads: 8,
      numKvHeads: 2,
      headDim: 64,
      intermediateSize: 1536,
      mropeSection: [8, 12, 12],
      // A narrow 2-layer tower: the real tile count and features per tile, far fewer FLOPs.
      vision: { embedDim: 128, depth: 2, numHeads: 4, mlpDim: 256, patchSize: 14 },
      minPixels: 384 * 384,
      maxPixels: 2304 * 2304,
    },
    tile: 384,
    patch: 14,
    pinpoints: pinpointsUpTo(384, 6),
    maxNumPatches: 9,
  },
};
