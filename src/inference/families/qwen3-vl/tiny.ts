// Sizes of the generated Qwen3-VL stand-ins (models/tiny): `tiny` for unit tests, `bench` (~100M) for speed. Both
// have two DeepStack taps, written only when the generator is asked for the DeepStack variant.
import type { TinyHyper } from '../types.js';

const COMMON = { vocabSize: 151936, ropeTheta: 5_000_000, rmsNormEps: 1e-6 } as const;

export const QWEN3_TINY_SIZES: Readonly<Record<'tiny' | 'bench', TinyHyper>> = {
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
    // Interleaved over 8 slots: THWTHWTT (the real [24, 20, 20] over 64 gives THW…THW TTTT).
    mropeSection: [4, 2, 2],
    vision: { embedDim: 32, depth: 2, numHeads: 2, mlpDim: 64, patchSize: 16, deepstackTaps: [0, 1] },
    // 4–64 image tokens keep tests fast (the real processor: 65,536 – 16,777,216 px).
    minPixels: 64 * 64,
    maxPixels: 256 * 256,
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
    // 32 slots interleaved, t gets the tail like the real model's.
    mropeSection: [12, 10, 10],
    vision: { embedDim: 256, depth: 3, numHeads: 4, mlpDim: 1024, patchSize: 16, deepstackTaps: [0, 1, 2] },
    // qwen-vl-utils' minimum (4 tokens), so the bench sizes go in unresized.
    minPixels: 4 * 32 * 32,
    // The family's default budget (1280 tokens of 32×32 px), so bench:vlm can feed a whole page.
    maxPixels: 1280 * 32 * 32,
  },
};
