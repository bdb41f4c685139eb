// Reads a model folder in the onnx-community layout (config, preprocessor, generation config, tokenizer, chat
// template, `onnx/<graph><dtype suffix>.onnx` with external data) for any family of the registry, and says clearly
// what is wrong with a folder that is not one, before any ONNX session is created.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FamilyId } from '../../shared/families.js';
import { AppError } from '../../shared/errors.js';
import {
  familyForModelType,
  knownModelTypes,
  type Preprocessor,
  type TiledImages,
  type VlmFamilyImpl,
} from '../families/index.js';

export type VlmFamily = FamilyId;
export type { Preprocessor } from '../families/index.js';
export type GraphName = 'vision_encoder' | 'embed_tokens' | 'decoder_model_merged';
export const GRAPHS: readonly GraphName[] = ['vision_encoder', 'embed_tokens', 'decoder_model_merged'];

/** transformers.js dtype → file suffix (utils/dtypes.js). */
export const DTYPE_SUFFIX: Readonly<Record<string, string>> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

/** Picked per graph when no dtype is asked for: full precision first, then the common onnx-community files. */
const DEFAULT_DTYPE_ORDER = ['fp32', 'q4', 'fp16', 'q8', 'q4f16', 'int8', 'uint8', 'bnb4'];

export interface TextConfig {
  numLayers: number;
  numKvHeads: number;
  headDim: number;
  hiddenSize: number;
  maxPositions: number;
}

export interface VisionIds {
  imageToken: number;
  videoToken: number;
  visionStart: number;
  visionEnd: number;
}

export interface GenerationDefaults {
  eos: number[];
  doSample: boolean;
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
}

export interface GraphFile {
  graph: GraphName;
  dtype: string;
  path: string;
  /** `<file>.onnx_data`, `_1`, … found next to it. */
  externalData: string[];
  bytes: number;
}

export interface ModelFolder {
  dir: string;
  id: string;
  family: VlmFamily;
  impl: VlmFamilyImpl;
  /** The family's tiled-image path (LLaVA-OneVision AnyRes), null for one resized input per image. */
  tiled: TiledImages | null;
  text: TextConfig;
  ids: VisionIds;
  preprocessor: Preprocessor;
  generation: GenerationDefaults;
  tokenizerJson: object;
  tokenizerConfig: Record<string, unknown>;
  chatTemplate: string;
  files: Record<GraphName, GraphFile>;
}

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readJson(dir: string, name: string, required: true): Json;
function readJson(dir: string, name: string, required: false): Json | null;
function readJson(dir: string, name: string, required: boolean): Json | null {
  const path = join(dir, name);
  if (!existsSync(path)) {
    if (required)
      throw new AppError('no_model', `${dir} is not a vision-language model folder: ${name} is missing`);
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    // V8's message quotes the start of the file; only where it failed is passed on, never what the file holds.
    const at = /position (\d+)/.exec(e instanceof Error ? e.message : '');
    throw new AppError('corrupt', `${path} is not valid JSON${at ? ` (syntax error at byte ${at[1]})` : ''}`);
  }
  if (!isRecord(value)) throw new AppError('corrupt', `${path} must hold a JSON object`);
  return value;
}

function num(obj: Json | null | undefined, key: string): number | undefined {
  const v = obj?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function need(value: number | undefined, what: string, file: string): number {
  if (value === undefined) throw new AppError('corrupt', `${file}: ${what} is missing or not a number`);
  return value;
}

function triple(v: unknown, fallback: [number, number, number]): [number, number, number] {
  if (Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number')) {
    return [v[0] as number, v[1] as number, v[2] as number];
  }
  return fallback;
}

/** Which graphs declare external data in config.json → "transformers.js_config".use_external_data_format. */
function externalDataDeclared(config: Json, graph: GraphName, file: string): number {
  const tjs = config['transformers.js_config'];
  if (!isRecord(tjs)) return 0;
  const flag = tjs.use_external_data_format;
  const pick = (v: unknown): number => (v === true ? 1 : typeof v === 'number' ? v : 0);
  if (isRecord(flag)) return pick(flag[`${file}.onnx`] ?? flag[graph]);
  return pick(flag);
}

function resolveGraph(
  dir: string,
  config: Json,
  graph: GraphName,
  dtype: string | undefined,
  present: Set<string>,
): GraphFile {
  const order = dtype ? [dtype] : DEFAULT_DTYPE_ORDER;
  if (dtype && DTYPE_SUFFIX[dtype] === undefined) {
    throw new AppError(
      'invalid_input',
      `unknown dtype ${dtype}; expected one of ${Object.keys(DTYPE_SUFFIX).join(', ')}`,
    );
  }
  for (const d of order) {
    const stem = `${graph}${DTYPE_SUFFIX[d] ?? ''}`;
    if (!present.has(`${stem}.onnx`)) continue;
    const path = join(dir, 'onnx', `${stem}.onnx`);
    const bytes = statSync(path).size;
    if (bytes === 0) throw new AppError('corrupt', `${path} is empty`);
    const externalData = [...present]
      .filter((f) => f === `${stem}.onnx_data` || f.startsWith(`${stem}.onnx_data_`))
      .sort()
      .map((f) => join(dir, 'onnx', f));
    const declared = externalDataDeclared(config, graph, stem);
    if (declared > externalData.length) {
      throw new AppError(
        'corrupt',
        `${path} keeps its weights in ${declared} external data file(s) (${stem}.onnx_data…), ` +
          `but ${externalData.length} are next to it; the download is incomplete`,
      );
    }
    return {
      graph,
      dtype: d,
      path,
      externalData,
      bytes: bytes + externalData.reduce((n, f) => n + statSync(f).size, 0),
    };
  }
  const want = dtype ? `${graph}${DTYPE_SUFFIX[dtype] ?? ''}.onnx` : `${graph}*.onnx`;
  throw new AppError('no_model', `${dir} is not a complete ONNX export: onnx/${want} is missing`);
}

/**
 * Reads and checks everything but the ONNX graphs themselves. `dtype` picks the file variant of every graph
 * (`fp32`, `fp16`, `q4`, …) or, as `{ decoder_model_merged: 'q4', … }`, per graph.
 */
export function readModelFolder(
  dir: string,
  dtype?: string | Partial<Record<GraphName, string>>,
): ModelFolder {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new AppError('no_model', `model folder not found: ${dir}`);
  }
  const config = readJson(dir, 'config.json', true);
  const modelType = typeof config.model_type === 'string' ? config.model_type : '';
  const impl = familyForModelType(modelType);
  if (!impl) {
    throw new AppError(
      'no_model',
      `${dir} holds a ${modelType || 'model without a model_type'}; DocLens runs model_type ${knownModelTypes().join(', ')}`,
    );
  }
  const family = impl.id;
  const textSrc = isRecord(config.text_config) ? config.text_config : null;
  const pick = (key: string): number | undefined => num(config, key) ?? num(textSrc, key);
  const hiddenSize = need(pick('hidden_size'), 'hidden_size', 'config.json');
  const numHeads = need(pick('num_attention_heads'), 'num_attention_heads', 'config.json');
  const text: TextConfig = {
    numLayers: need(pick('num_hidden_layers'), 'num_hidden_layers', 'config.json'),
    numKvHeads: pick('num_key_value_heads') ?? numHeads,
    headDim: pick('head_dim') ?? hiddenSize / numHeads,
    hiddenSize,
    maxPositions: pick('max_position_embeddings') ?? 32768,
  };
  const ids: VisionIds = {
    imageToken: pick('image_token_id') ?? pick('image_token_index') ?? 151655,
    videoToken: pick('video_token_id') ?? 151656,
    visionStart: pick('vision_start_token_id') ?? 151652,
    visionEnd: pick('vision_end_token_id') ?? 151653,
  };

  const pre = readJson(dir, 'preprocessor_config.json', true);
  const size = isRecord(pre.size) ? pre.size : null;
  // Keys the file leaves out take the family's Python class defaults (normalisation on, its mean/std), not
  // transformers.js' (which skips normalisation when do_normalize is absent).
  const d = impl.preprocessorDefaults;
  const preprocessor: Preprocessor = {
    patchSize: num(pre, 'patch_size') ?? d.patchSize,
    mergeSize: num(pre, 'merge_size') ?? d.mergeSize,
    temporalPatchSize: num(pre, 'temporal_patch_size') ?? d.temporalPatchSize,
    mean: triple(pre.image_mean, d.mean),
    std: triple(pre.image_std, d.std),
    rescale: num(pre, 'rescale_factor') ?? d.rescale,
    doRescale: pre.do_rescale !== false,
    doNormalize: pre.do_normalize !== false,
    minPixels: num(pre, 'min_pixels') ?? num(size, 'shortest_edge') ?? d.minPixels,
    maxPixels: num(pre, 'max_pixels') ?? num(size, 'longest_edge') ?? d.maxPixels,
  };

  const gen = readJson(dir, 'generation_config.json', false);
  const eosRaw = gen?.eos_token_id ?? config.eos_token_id;
  const eos = new Set<number>(impl.generation.eos);
  for (const v of Array.isArray(eosRaw) ? eosRaw : [eosRaw]) if (typeof v === 'number') eos.add(v);
  const generation: GenerationDefaults = {
    eos: [...eos],
    doSample: gen?.do_sample === true,
    temperature: num(gen, 'temperature') ?? 1,
    topK: num(gen, 'top_k') ?? 0,
    topP: num(gen, 'top_p') ?? 1,
    repetitionPenalty: num(gen, 'repetition_penalty') ?? 1,
  };

  const tokenizerJson = readJson(dir, 'tokenizer.json', true);
  const tokenizerConfig = readJson(dir, 'tokenizer_config.json', false) ?? {};
  const templateJson = readJson(dir, 'chat_template.json', false);
  const jinjaPath = join(dir, 'chat_template.jinja');
  const chatTemplate =
    typeof templateJson?.chat_template === 'string'
      ? templateJson.chat_template
      : existsSync(jinjaPath)
        ? readFileSync(jinjaPath, 'utf8')
        : typeof tokenizerConfig.chat_template === 'string'
          ? tokenizerConfig.chat_template
          : null;
  if (chatTemplate === null) {
    throw new AppError(
      'no_model',
      `${dir} has no chat template (chat_template.json or tokenizer_config.json)`,
    );
  }

  const onnxDir = join(dir, 'onnx');
  if (!existsSync(onnxDir)) throw new AppError('no_model', `${dir} has no onnx/ folder`);
  const present = new Set(readdirSync(onnxDir));
  const dtypeFor = (g: GraphName): string | undefined => (typeof dtype === 'string' ? dtype : dtype?.[g]);
  const files = Object.fromEntries(
    GRAPHS.map((g) => [g, resolveGraph(dir, config, g, dtypeFor(g), present)]),
  ) as Record<GraphName, GraphFile>;

  return {
    dir,
    id: basename(dir),
    family,
    impl,
    text,
    ids,
    preprocessor,
    generation,
    tokenizerJson,
    tokenizerConfig,
    chatTemplate,
    files,
    tiled: impl.openTiled?.({ dir, config, preprocessor, hiddenSize: text.hiddenSize }) ?? null,
  };
}
