// Hyperparameters of the generated LLaVA-OneVision stand-ins (`tiny`: 56 px tiles, a few MB, for unit tests;
// `bench`: the real 384 px tiles and 36 pinpoints with a ~100M decoder) and the real model's token ids.
import type { TextSpec } from './qwen-vl-graphs.js';
import type { TinySize } from './tiny-spec.js';

/** Bump when the generated files change, so cached folders are regenerated. */
export const LLAVA_OV_GENERATOR_VERSION = 1;

/** Token ids of llava-onevision-qwen2-0.5b-ov-hf (Qwen2 added tokens, then `<image>` and `<video>`). */
export const LLAVA_OV_TOKENS = {
  endOfText: 151643,
  imStart: 151644,
  imEnd: 151645,
  image: 151646,
  video: 151647,
} as const;

export interface LlavaOvTinySpec {
  size: TinySize;
  seed: string;
  text: TextSpec;
  vision: {
    imageSize: number;
    patchSize: number;
    hiddenSize: number;
    mlpDim: number;
    numHeads: number;
    depth: number;
  };
  /** image_grid_pinpoints, [height, width]. */
  pinpoints: Array<[number, number]>;
  /** `anyres_max_N`. */
  maxNumPatches: number;
}

/** Every [rows·tile, cols·tile] up to maxSide tiles a side, rows outer (the real config's order). */
function pinpointsUpTo(tile: number, maxSide: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let r = 1; r <= maxSide; r++) for (let c = 1; c <= maxSide; c++) out.push([r * tile, c * tile]);
  return out;
}

export function llavaOvTinySpec(size: TinySize): LlavaOvTinySpec {
  const seed = `doclens-tiny/llava-onevision/${size}`;
  const common = { seed, vocabSize: 152000, ropeTheta: 1_000_000, rmsNormEps: 1e-6 };
  if (size === 'tiny') {
    return {
      size,
      seed,
      text: {
        ...common,
        hiddenSize: 64,
        embedRank: 8,
        tableFp16: true,
        numLayers: 2,
        numHeads: 4,
        numKvHeads: 2,
        headDim: 16,
        intermediateSize: 128,
        // One position row drives every frequency, so the section split does not matter (plain 1-D RoPE).
        mropeSection: [2, 3, 3],
      },
      vision: { imageSize: 56, patchSize: 14, hiddenSize: 32, mlpDim: 64, numHeads: 2, depth: 1 },
      // The spec's 7 pinpoints up to 3×3 tiles; anyres_max_4 (not 9) so a 3×3 grid (12×12 features) is
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
    };
  }
  return {
    size,
    seed,
    text: {
      ...common,
      hiddenSize: 512,
      embedRank: 512,
      tableFp16: false,
      numLayers: 8,
      numHeads: 8,
      numKvHeads: 2,
      headDim: 64,
      intermediateSize: 1536,
      mropeSection: [8, 12, 12],
    },
    // The real tile and pinpoints (so plans and AnyRes costs are the real ones), a narrow 2-layer tower.
    vision: { imageSize: 384, patchSize: 14, hiddenSize: 128, mlpDim: 256, numHeads: 4, depth: 2 },
    pinpoints: pinpointsUpTo(384, 6),
    maxNumPatches: 9,
  };
}
