// Sizes of the generated Qwen2-VL / Qwen2.5-VL stand-ins (models/tiny): `tiny` (a few MB, unit tests) and `bench`
// (~100M parameters, CPU decode-speed comparisons).
import type { TinyHyper } from '../types.js';

const COMMON = { vocabSize: 151936, ropeTheta: 1_000_000, rmsNormEps: 1e-6, minPixels: 56 * 56 } as const;

export const QWEN2_TINY_SIZES: Readonly<Record<'tiny' | 'bench', TinyHyper>> = {
  tiny: {
    ...COMMON,
    hiddenSize: 64,
    embedRank: 8,
    tableFp16: true,
    fp16Variants: true,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 16,
    intermediateSize: 128,
    // Same 1/4, 3/8, 3/8 split of the rotary half as the real [16, 24, 24] of head_dim 128.
    mropeSection: [2, 3, 3],
    vision: { embedDim: 32, depth: 1, numHeads: 2, mlpDim: 64, patchSize: 14 },
    maxPixels: 224 * 224,
  },
  bench: {
    ...COMMON,
    hiddenSize: 512,
    embedRank: 512,
    tableFp16: false,
    fp16Variants: false,
    numLayers: 8,
    numHeads: 8,
    numKvHeads: 2,
    headDim: 64,
    intermediateSize: 1536,
    mropeSection: [8, 12, 12],
    vision: { embedDim: 256, depth: 2, numHeads: 4, mlpDim: 1024, patchSize: 14 },
    // The app's default image-token budget (1280 tokens of 28×28 px), so bench:vlm can feed a whole page.
    maxPixels: 1280 * 28 * 28,
  },
};
