// The engine's contract with a model family: everything that differs between families (preprocessing defaults,
// prompt rules, rope index, output decoder, graph I/O, generation defaults, tiny-model recipe) behind one interface,
// so the generic engine (src/inference/vlm) never branches on a family id. See docs/families.md.
import type { ModelBox } from '../../anyres/coords.js';
import type { FamilyId, FamilyRow } from '../../shared/families.js';

/** Image grid in ViT patch units (before the spatial merge). */
export interface ImageGrid {
  t: number;
  h: number;
  w: number;
}

export interface RopeIndex {
  /** Rows t, h, w; each as long as the sequence. */
  positions: [Int32Array, Int32Array, Int32Array];
  /** max position + 1 − length: the offset added to the cache length for every decoded token. */
  delta: number;
}

/** preprocessor_config.json as the engine uses it (missing keys filled from the family's Python class defaults). */
export interface Preprocessor {
  patchSize: number;
  mergeSize: number;
  temporalPatchSize: number;
  mean: [number, number, number];
  std: [number, number, number];
  rescale: number;
  doRescale: boolean;
  doNormalize: boolean;
  minPixels: number;
  maxPixels: number;
}

export interface RawPixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

export interface PreprocessOptions {
  minPixels: number;
  maxPixels: number;
  /**
   * `drop`: RGBA → RGB by dropping alpha (HF processor, transformers.js); `white`: composite over white
   * (qwen-vl-utils, what the Qwen team feeds its models).
   */
  alpha: 'drop' | 'white';
}

export interface Preprocessed {
  /** [t·gh·gw, 3·T·p·p] float32, rows in merge-block raster order. */
  pixelValues: Float32Array;
  rows: number;
  rowLength: number;
  grid: ImageGrid;
  /** Model input size (smart_resize output). */
  width: number;
  height: number;
  /** Number of image-pad tokens: t·gh·gw / merge². */
  tokens: number;
}

/** What a family decoder read out of an answer; boxes in model-output units (src/anyres/coords.ts maps them). */
export interface DecodedOutput {
  /** The grounding format found, null when no box was found. */
  format: string | null;
  /** True for Qwen2-VL text whose special tokens were stripped (`phrase(x1,y1),(x2,y2)`). */
  stripped: boolean;
  boxes: ModelBox[];
}

/** Names and dims of the graphs' I/O, as onnxruntime reports them. */
export interface GraphIo {
  visionFile: string;
  decoderFile: string;
  visionOutputs: ReadonlyArray<{ name: string; dims: ReadonlyArray<number | string> }>;
  decoderInputs: ReadonlyArray<{ name: string; dims: ReadonlyArray<number | string> }>;
}

/** Extra visual feature levels (Qwen3-VL DeepStack): vision outputs → decoder inputs, level by level. */
export interface DeepstackWiring {
  /** One output per level `[tokens, hidden]`, or one stacked output `[levels, tokens, hidden]`. */
  visionOutputs: string[];
  stacked: boolean;
  /** One `[batch, seq, hidden]` input per level: the level's features at image-pad rows, zeros elsewhere. */
  decoderInputs: string[];
  levels: number;
}

/** Graph I/O the family's exports declare beyond the common onnx-community names. */
export interface GraphContract {
  /** Accepted names of the vision encoder's grid input, first preferred. */
  gridInputs: readonly string[];
  /**
   * Families whose model feeds extra visual levels into the decoder (Qwen3-VL DeepStack) resolve them here: the
   * wiring, null when the export leaves them out (the model then runs with reduced quality), or an error for a
   * half-wired set. Absent for families without such levels.
   */
  deepstack?: (io: GraphIo) => DeepstackWiring | null;
}

/** Hyperparameters of a generated stand-in model (models/tiny): `tiny` for unit tests, `bench` (~100M) for speed. */
export interface TinyHyper {
  vocabSize: number;
  hiddenSize: number;
  /** Rank of the tied token table: embed = table[id] · P (r×H); lm_head = (h · Q) · tableᵀ. */
  embedRank: number;
  /** Store the token table as float16 (cast to float32 in-graph) to keep tiny files small. */
  tableFp16: boolean;
  /** Also write `<graph>_fp16.onnx`. */
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
    /** ViT patch side (14 for Qwen2/2.5-VL, 16 for Qwen3-VL). */
    patchSize: number;
    /** Vision blocks whose output feeds a DeepStack level (Qwen3-VL; written only in the `--deepstack` variant). */
    deepstackTaps?: number[];
  };
  minPixels: number;
  maxPixels: number;
}

/** The tiny-model recipe: the sizes and the JSON facts a generated folder needs to look like the real export. */
export interface TinyRecipe {
  sizes: Readonly<Record<'tiny' | 'bench', TinyHyper>>;
  modelType: string;
  architecture: string;
  processorClass: string;
  /** Last added-token id the family's tokenizer ships. */
  lastAddedToken: number;
  /** The chat template written into the folder (the official one). */
  chatTemplate: string;
}

/** generation_config.json values used when the folder has none, and what DocLens decodes with. */
export interface GenerationFallback {
  eos: readonly number[];
  /**
   * Decoding DocLens uses instead of generation_config.json's (absent: the config's own). Qwen3-VL ships top-k 20
   * sampling at temperature 0.7; documents want one answer, so it decodes greedily with a repetition penalty.
   */
  sampling?: { temperature: number; topK?: number; topP?: number; repetitionPenalty?: number };
}

/** What a family may read from a model folder beyond the common files (openTiled). */
export interface FolderFacts {
  dir: string;
  /** config.json */
  config: Record<string, unknown>;
  preprocessor: Preprocessor;
  /** The decoder's hidden size (the features' width). */
  hiddenSize: number;
}

/**
 * Families whose image is several vision-encoder inputs packed into one feature sequence (LLaVA-OneVision's
 * AnyRes: base image + tiles, unpadding, image_newline). The engine then skips inputSize / preprocess and the grid
 * input, and asks this instead; `count` is the number of images in the prompt (several change the path).
 */
export interface TiledImages {
  /** Prompt tokens of one image and the size it is fed at (its canvas). */
  plan(
    size: { width: number; height: number },
    count: number,
  ): { tokens: number; width: number; height: number };
  /** pixel_values of one image: [tiles, …] float32 with its dims. */
  pixelValues(img: RawPixels, count: number): Promise<{ data: Float32Array; dims: number[] }>;
  /** The encoder's output for those tiles (float32, [tiles, per tile, hidden] flattened) → [tokens, hidden]. */
  pack(features: Float32Array, size: { width: number; height: number }, count: number): Float32Array;
}

export interface VlmFamilyImpl {
  /** The family's row of src/shared/families.ts. */
  readonly row: FamilyRow;
  readonly id: FamilyId;
  /** config.json `model_type` values this family loads. */
  readonly modelTypes: readonly string[];
  /** Python image-processor class defaults, used for keys preprocessor_config.json leaves out. */
  readonly preprocessorDefaults: Preprocessor;
  readonly graphs: GraphContract;
  readonly generation: GenerationFallback;
  /** Model-input size of an image within the pixel limits (smart_resize with the family's factor). */
  inputSize(
    height: number,
    width: number,
    pre: Preprocessor,
    limits: { minPixels: number; maxPixels: number },
  ): {
    width: number;
    height: number;
  };
  /** Pixels → the vision encoder's `pixel_values` rows and grid. */
  preprocess(img: RawPixels, pre: Preprocessor, opts: PreprocessOptions): Promise<Preprocessed>;
  /** Decoder position ids for a prompt whose image pads are expanded. */
  ropeIndex(
    ids: ArrayLike<number>,
    grids: readonly ImageGrid[],
    imageToken: number,
    mergeSize: number,
  ): RopeIndex;
  /** The "find X" question in the words the family was trained on. */
  groundingPrompt(objects: readonly string[]): string;
  /** Boxes out of the raw answer (special tokens kept), in model-output units. */
  decode(raw: string): DecodedOutput;
  readonly tiny: TinyRecipe;
  /** Families with tiled images (see TiledImages) read their folder's extras here; others leave it out. */
  openTiled?(folder: FolderFacts): TiledImages;
  /** A system turn sent before the user's (outside raw mode) when the family's template adds none. */
  readonly defaultSystem?: string;
}
