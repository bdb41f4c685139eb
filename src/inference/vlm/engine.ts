// The VLM engine for every family of src/inference/families: three onnxruntime sessions (vision encoder, token
// embeddings, merged decoder) driven like transformers.js' generate — once per image through the ViT, features merged
// into the embeddings, M-RoPE positions, prefill, KV-cached decode — with streaming, cancel, caches and the provider
// it ran on. What differs between families comes from the family's implementation, never from a branch here.
import { createHash } from 'node:crypto';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { checkImage } from '../families/qwen2-vl/preprocess.js';
import type {
  DeepstackWiring,
  ImageGrid,
  PreprocessOptions,
  RawPixels,
  TiledImages,
  VlmFamilyImpl,
} from '../families/index.js';
import type { Provider, ProviderAttempt, ProviderStatus } from '../../shared/domain.js';
import { AppError, isAppError } from '../../shared/errors.js';
import { ModelLoadError, openWithFallback, providerSummary, type ProviderPreference } from '../providers.js';
import { IncrementalDetokenizer } from './detokenizer.js';
import { ByteLru } from './lru.js';
import { GRAPHS, readModelFolder, type GraphName, type ModelFolder, type VlmFamily } from './model-folder.js';
import {
  countImageParts,
  createPromptCodec,
  expandImagePads,
  questionMessages,
  type ChatMessage,
  type PromptCodec,
} from './prompt.js';
import { TokenSampler, type Sampling } from './sampling.js';
import { floatTensor, int64Tensor, onesInt64, toFloat32, type FloatType } from './tensors.js';

export interface LoadVlmOptions {
  provider?: ProviderPreference;
  threads?: number;
  /** One dtype for every graph (`fp32`, `fp16`, `q4`, `q4f16`, `q8`, …) or one per graph. Default: per graph, fp32 first. */
  dtype?: string | Partial<Record<GraphName, string>>;
  /** Cache budgets in bytes (defaults: 256 MiB of image features, 512 MiB of prompt-prefix KV). */
  cache?: { featureBytes?: number; prefixBytes?: number };
}

export interface VlmImage extends RawPixels {
  /** Identity of the image for the caches, e.g. `${docId}:${page}:${planHash}`; default: a hash of the pixels. */
  cacheKey?: string;
  minPixels?: number;
  maxPixels?: number;
}

export interface GenerateRequest {
  images?: VlmImage[];
  /** Chat messages; `{ type: 'image' }` parts take `images` in order. Give this or `question`. */
  messages?: ChatMessage[];
  /** One user turn: every image, then this text. */
  question?: string;
  /** Default 512; clamped to the context left after the prompt. */
  maxTokens?: number;
  sampling?: Sampling;
  signal?: AbortSignal;
  onToken?: (delta: string) => void;
  /** Stop sequences (OpenAI `stop`): decoding ends once the answer's text contains one (result `stop: 'stop'`). */
  stop?: readonly string[];
  /**
   * The reference mode: images go in whole at the preprocessor's own min/max pixels (alpha dropped, as the HF
   * processor does), messages through the model's chat template with nothing added, greedy decoding with no
   * repetition penalty — any faithful implementation given the same image and text emits the same tokens.
   */
  raw?: boolean;
}

export interface VlmTimings {
  /** Preprocessing + vision encoder of the images encoded by this call; 0 when every image came from a cache. */
  vision_ms: number | null;
  prefill_ms: number | null;
  ttft_ms: number | null;
  decode_tokens_per_s: number | null;
  total_ms: number;
}

export interface GenerateResult {
  /** Answer with special tokens skipped. */
  text: string;
  /** Answer with special tokens kept (grounding markers such as <|box_start|>). */
  raw: string;
  /** Generated ids; the stop token (if any) is not included. */
  tokenIds: number[];
  /** Model-input size of each image (smart_resize output). */
  resized: Array<{ width: number; height: number }>;
  provider: Provider;
  model: string;
  stop: 'eos' | 'max_tokens' | 'stop';
  promptTokens: number;
  timings: VlmTimings;
  /** What the caches saved: images encoded vs served from the feature cache, prompt tokens reused from the KV cache. */
  cache: { visionRuns: number; featureHits: number; prefixTokens: number; prefillTokens: number };
}

export interface VlmModel {
  readonly id: string;
  readonly dir: string;
  readonly family: VlmFamily;
  readonly provider: Provider;
  readonly attempts: ProviderAttempt[];
  /** dtype of each graph file that was loaded. */
  readonly dtypes: Record<GraphName, string>;
  /** The preprocessor's own min/max pixels (preprocessor_config.json), for planning pages within them. */
  readonly pixels: { min: number; max: number };
  /**
   * A quality caveat of these graphs, e.g. "reduced quality (no DeepStack)" for a Qwen3-VL export without its
   * DeepStack levels; null when the model runs as designed.
   */
  readonly quality: string | null;
  /** DeepStack levels fed into the decoder (0 where the family has none or the export leaves them out). */
  readonly deepstackLevels: number;
  generate(req: GenerateRequest): Promise<GenerateResult>;
  status(): ProviderStatus;
  /** Prefill logits of the last prompt position for `req` (no cache, no decode); for parity tests. */
  prefillLogits(req: GenerateRequest): Promise<Float32Array>;
  clearCaches(): void;
  dispose(): Promise<void>;
}

// ---- sessions -----------------------------------------------------------------------------------------------

interface DecoderIo {
  embedsType: FloatType;
  kvType: FloatType;
  pastNames: Array<{ key: string; value: string; presentKey: string; presentValue: string }>;
  kvHeads: number;
  headDim: number;
  positionRows: number;
  numLogitsToKeep: boolean;
  logits: string;
}

interface Sessions {
  vision: InferenceSession;
  embed: InferenceSession;
  decoder: InferenceSession;
  pixelType: FloatType;
  /** null for families whose encoder takes pixel_values only (tiled images). */
  gridName: string | null;
  /** The vision encoder's fixed tile batch (a graph exported with batch 1), null when dynamic. */
  visionBatch: number | null;
  featuresName: string;
  embedsName: string;
  io: DecoderIo;
  /** DeepStack wiring and each decoder input's float type; null when the graphs carry none. */
  deepstack: (DeepstackWiring & { types: FloatType[] }) | null;
  /** The family resolves DeepStack but these graphs have none. */
  deepstackMissing: boolean;
}

function tensorMeta(
  s: InferenceSession,
  name: string,
  kind: 'input' | 'output',
): InferenceSession.TensorValueMetadata | null {
  const list = kind === 'input' ? s.inputMetadata : s.outputMetadata;
  const m = list.find((x) => x.name === name);
  return m && m.isTensor ? m : null;
}

function floatTypeOf(s: InferenceSession, name: string, kind: 'input' | 'output', file: string): FloatType {
  const t = tensorMeta(s, name, kind)?.type;
  if (t === 'float32' || t === 'float16') return t;
  throw new AppError(
    'no_model',
    `${file}: ${kind} ${name} is ${t ?? 'missing'}, expected float32 or float16`,
  );
}

function requireNames(
  s: InferenceSession,
  names: readonly string[],
  file: string,
  folder: ModelFolder,
): void {
  const have = new Set(s.inputNames);
  const missing = names.filter((n) => !have.has(n));
  if (missing.length > 0) {
    throw new AppError(
      'no_model',
      `${file} is not a ${folder.impl.row.name} export: input(s) ${missing.join(', ')} missing (it has ${s.inputNames.join(', ')})`,
    );
  }
}

/** Reads what the graphs declare — dtypes, grid input name, KV layout, num_logits_to_keep — instead of assuming it. */
function inspect(
  vision: InferenceSession,
  embed: InferenceSession,
  decoder: InferenceSession,
  folder: ModelFolder,
): Sessions {
  const vf = folder.files.vision_encoder.path;
  const gridInputs = folder.impl.graphs.gridInputs;
  const gridName = gridInputs.find((n) => vision.inputNames.includes(n)) ?? null;
  requireNames(vision, ['pixel_values'], vf, folder);
  if (!gridName && gridInputs.length > 0)
    throw new AppError('no_model', `${vf} has no grid input (${gridInputs.join(' or ')})`);
  const pixelDim0 = tensorMeta(vision, 'pixel_values', 'input')?.shape[0];
  const visionBatch = folder.tiled && typeof pixelDim0 === 'number' ? pixelDim0 : null;
  const featuresName = vision.outputNames.includes('image_features')
    ? 'image_features'
    : vision.outputNames[0];
  const ef = folder.files.embed_tokens.path;
  requireNames(embed, ['input_ids'], ef, folder);
  const embedsName = embed.outputNames.includes('inputs_embeds') ? 'inputs_embeds' : embed.outputNames[0];
  const df = folder.files.decoder_model_merged.path;
  requireNames(decoder, ['inputs_embeds', 'attention_mask', 'position_ids'], df, folder);
  if (!featuresName || !embedsName) throw new AppError('no_model', `${vf} or ${ef} declares no output`);
  const pastNames: DecoderIo['pastNames'] = [];
  for (let i = 0; ; i++) {
    const key = `past_key_values.${i}.key`;
    if (!decoder.inputNames.includes(key)) break;
    pastNames.push({
      key,
      value: `past_key_values.${i}.value`,
      presentKey: `present.${i}.key`,
      presentValue: `present.${i}.value`,
    });
  }
  if (pastNames.length === 0)
    throw new AppError('no_model', `${df} has no past_key_values inputs (not a merged decoder)`);
  const kvMeta = tensorMeta(decoder, pastNames[0]!.key, 'input');
  const shape = kvMeta?.shape ?? [];
  const kvHeads = typeof shape[1] === 'number' ? shape[1] : folder.text.numKvHeads;
  const headDim = typeof shape[3] === 'number' ? shape[3] : folder.text.headDim;
  const posShape = tensorMeta(decoder, 'position_ids', 'input')?.shape ?? [];
  // [B, S]: plain 1-D positions (LLaVA's Qwen2 decoder); [3 or 4, B, S]: M-RoPE rows.
  const positionRows = posShape.length === 2 ? 1 : typeof posShape[0] === 'number' ? posShape[0] : 3;
  if (positionRows !== 1 && positionRows !== 3 && positionRows !== 4) {
    throw new AppError(
      'no_model',
      `${df}: position_ids has ${positionRows} rows; expected [B, S], or 3 (M-RoPE) or 4 rows`,
    );
  }
  const dims = (m: InferenceSession.ValueMetadata) => (m.isTensor ? m.shape : []);
  const resolve = folder.impl.graphs.deepstack;
  const wiring = resolve
    ? resolve({
        visionFile: vf,
        decoderFile: df,
        visionOutputs: vision.outputMetadata.map((m) => ({ name: m.name, dims: dims(m) })),
        decoderInputs: decoder.inputMetadata.map((m) => ({ name: m.name, dims: dims(m) })),
      })
    : null;
  return {
    vision,
    embed,
    decoder,
    pixelType: floatTypeOf(vision, 'pixel_values', 'input', vf),
    gridName,
    visionBatch,
    featuresName,
    embedsName,
    io: {
      embedsType: floatTypeOf(decoder, 'inputs_embeds', 'input', df),
      kvType: floatTypeOf(decoder, pastNames[0]!.key, 'input', df),
      pastNames,
      kvHeads,
      headDim,
      positionRows,
      numLogitsToKeep: decoder.inputNames.includes('num_logits_to_keep'),
      logits: decoder.outputNames.includes('logits') ? 'logits' : (decoder.outputNames[0] ?? 'logits'),
    },
    deepstack: wiring
      ? { ...wiring, types: wiring.decoderInputs.map((n) => floatTypeOf(decoder, n, 'input', df)) }
      : null,
    deepstackMissing: resolve !== undefined && wiring === null,
  };
}

const PROVIDER_ERROR = /provider|cuda|cudnn|cublas|directml|dml|shared librar|backend|device|gpu/i;

async function openSessions(
  folder: ModelFolder,
  provider: Provider,
  options: InferenceSession.SessionOptions,
): Promise<Sessions> {
  const opened: InferenceSession[] = [];
  try {
    for (const g of GRAPHS) {
      const file = folder.files[g];
      try {
        opened.push(await InferenceSession.create(file.path, options));
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        if (provider !== 'cpu' && PROVIDER_ERROR.test(msg)) throw e;
        throw new ModelLoadError(
          new AppError('corrupt', `${file.path} could not be loaded (corrupt or truncated?): ${msg}`),
        );
      }
    }
    const [vision, embed, decoder] = opened as [InferenceSession, InferenceSession, InferenceSession];
    return inspect(vision, embed, decoder, folder);
  } catch (e) {
    await Promise.all(opened.map((s) => s.release().catch(() => undefined)));
    throw e;
  }
}

// ---- caches ----------------------------------------------------------------------------------------------

interface Features {
  /** [tokens, hidden] float32. */
  data: Float32Array;
  /** DeepStack levels, each [tokens, hidden] float32 (empty without DeepStack). */
  deep: Float32Array[];
  tokens: number;
  width: number;
  height: number;
}

interface PrefixEntry {
  ids: Int32Array;
  imageKeys: string[];
  /** present.* of the prefill, [1, kvHeads, ids.length, headDim] each, in pastNames order (key, value, key, …). */
  kv: Tensor[];
}

function kvBytes(kv: readonly Tensor[]): number {
  return kv.reduce((n, t) => n + (t.data as ArrayBufferView).byteLength, 0);
}

/** The first `keep` positions of a [1, H, L, D] cache tensor. */
function sliceKv(t: Tensor, keep: number, heads: number, dim: number): Tensor {
  const len = t.dims[2] ?? 0;
  if (keep === len) return t;
  const src = t.data as Float32Array | Uint16Array;
  const out = new (src.constructor as Float32ArrayConstructor | Uint16ArrayConstructor)(heads * keep * dim);
  for (let h = 0; h < heads; h++)
    out.set(src.subarray(h * len * dim, h * len * dim + keep * dim), h * keep * dim);
  return out instanceof Float32Array
    ? new Tensor('float32', out, [1, heads, keep, dim])
    : new Tensor('float16', out, [1, heads, keep, dim]);
}

// ---- the model -------------------------------------------------------------------------------------------

const DEFAULT_MAX_TOKENS = 512;

function abortIfNeeded(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AppError('cancelled', 'generation cancelled');
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface PlannedImage {
  image: VlmImage;
  key: string;
  pre: PreprocessOptions;
  width: number;
  height: number;
  tokens: number;
  grid: ImageGrid;
  /** Images in the prompt (the tiled path differs for one and for several). */
  count: number;
}

class OnnxVlmModel implements VlmModel {
  readonly id: string;
  readonly dir: string;
  readonly family: VlmFamily;
  readonly dtypes: Record<GraphName, string>;
  readonly pixels: { min: number; max: number };
  readonly quality: string | null;
  readonly deepstackLevels: number;
  private readonly impl: VlmFamilyImpl;
  private readonly features: ByteLru<Features>;
  private readonly prefixes: ByteLru<PrefixEntry>;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly folder: ModelFolder,
    private readonly s: Sessions,
    private readonly codec: PromptCodec,
    readonly provider: Provider,
    readonly attempts: ProviderAttempt[],
    private readonly preference: ProviderPreference,
    cache: LoadVlmOptions['cache'],
  ) {
    this.id = folder.id;
    this.dir = folder.dir;
    this.family = folder.family;
    this.impl = folder.impl;
    this.quality = s.deepstackMissing ? 'reduced quality (no DeepStack)' : null;
    this.deepstackLevels = s.deepstack?.levels ?? 0;
    this.dtypes = Object.fromEntries(GRAPHS.map((g) => [g, folder.files[g].dtype])) as Record<
      GraphName,
      string
    >;
    this.pixels = { min: folder.preprocessor.minPixels, max: folder.preprocessor.maxPixels };
    this.features = new ByteLru(cache?.featureBytes ?? 256 * 2 ** 20);
    this.prefixes = new ByteLru(cache?.prefixBytes ?? 512 * 2 ** 20);
  }

  status(): ProviderStatus {
    return {
      preference: this.preference,
      active: this.disposed ? null : this.provider,
      attempts: this.attempts,
      summary: providerSummary(this.provider, this.attempts) + (this.quality ? `; ${this.quality}` : ''),
      loadedModel: this.disposed ? null : this.id,
      installedModel: this.id,
    };
  }

  clearCaches(): void {
    this.features.clear();
    this.prefixes.clear();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue.catch(() => undefined);
    this.clearCaches();
    await Promise.all([this.s.vision.release(), this.s.embed.release(), this.s.decoder.release()]);
  }

  /** One request at a time: the sessions are shared and already use every core. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  generate(req: GenerateRequest): Promise<GenerateResult> {
    return this.serial(() => this.run(req, false)) as Promise<GenerateResult>;
  }

  prefillLogits(req: GenerateRequest): Promise<Float32Array> {
    return this.serial(() => this.run(req, true)) as Promise<Float32Array>;
  }

  // ---- request → prompt ------------------------------------------------------------------------------------

  private planImages(req: GenerateRequest): PlannedImage[] {
    const pre = this.folder.preprocessor;
    const impl = this.impl;
    const factor = pre.patchSize * pre.mergeSize;
    const count = req.images?.length ?? 0;
    const tiled = this.folder.tiled;
    return (req.images ?? []).map((image, i) => {
      checkImage(image, i);
      if (tiled) {
        // The family tiles the image itself at its own fixed sizes: no pixel budget applies.
        const p = tiled.plan(image, count);
        const identity = image.cacheKey ?? createHash('sha1').update(image.data).digest('hex');
        return {
          image,
          key: `${identity}|${image.width}x${image.height}x${image.channels}|tiled-${count > 1 ? 'multi' : 'single'}`,
          pre: { minPixels: 1, maxPixels: p.width * p.height, alpha: 'white' },
          width: p.width,
          height: p.height,
          tokens: p.tokens,
          grid: { t: 1, h: 1, w: 1 },
          count,
        };
      }
      const minPixels = req.raw ? pre.minPixels : (image.minPixels ?? pre.minPixels);
      // Outside raw mode the budget is the family's default (its row in src/shared/families.ts) unless the image
      // says otherwise: the repos' own maxima (up to 16 MP) are far too slow on a desktop.
      const familyMax = impl.row.images.kind === 'smart-resize' ? impl.row.images.maxPixels : pre.maxPixels;
      const maxPixels = req.raw
        ? pre.maxPixels
        : (image.maxPixels ?? Math.max(minPixels, Math.min(pre.maxPixels, familyMax)));
      const opts: PreprocessOptions = { minPixels, maxPixels, alpha: req.raw ? 'drop' : 'white' };
      const size = impl.inputSize(image.height, image.width, pre, { minPixels, maxPixels });
      const identity = image.cacheKey ?? createHash('sha1').update(image.data).digest('hex');
      const key = `${identity}|${image.width}x${image.height}x${image.channels}|${minPixels}-${maxPixels}|${opts.alpha}`;
      const grid = { t: 1, h: size.height / pre.patchSize, w: size.width / pre.patchSize };
      return {
        image,
        key,
        pre: opts,
        width: size.width,
        height: size.height,
        tokens: (size.height / factor) * (size.width / factor),
        grid,
        count,
      };
    });
  }

  private buildIds(req: GenerateRequest, images: readonly PlannedImage[]): number[] {
    let messages: ChatMessage[];
    if (req.messages !== undefined) {
      if (req.question !== undefined)
        throw new AppError('invalid_input', 'give messages or question, not both');
      if (!Array.isArray(req.messages) || req.messages.length === 0)
        throw new AppError('invalid_input', 'messages must not be empty');
      messages = req.messages;
      const slots = countImageParts(messages);
      if (slots !== images.length) {
        throw new AppError(
          'invalid_input',
          `${images.length} image(s) given but the messages have ${slots} image part(s)`,
        );
      }
    } else if (typeof req.question === 'string') {
      messages = questionMessages(req.question, images.length);
      const system = this.impl.defaultSystem;
      // A family whose template adds no system turn gets the one it was trained with (not in raw mode).
      if (system !== undefined && !req.raw) {
        messages = [{ role: 'system', content: [{ type: 'text', text: system }] }, ...messages];
      }
    } else {
      throw new AppError('invalid_input', 'a question or messages are required');
    }
    let text: string;
    try {
      text = this.codec.render(messages);
    } catch (e) {
      throw new AppError(
        'invalid_input',
        `the chat template rejected the messages: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const ids = this.codec.encode(text);
    return expandImagePads(
      ids,
      this.folder.ids.imageToken,
      images.map((im) => im.tokens),
    );
  }

  private async imageFeatures(
    img: PlannedImage,
    stats: { visionRuns: number; featureHits: number; visionMs: number },
  ): Promise<Features> {
    const hit = this.features.get(img.key);
    if (hit) {
      stats.featureHits++;
      return hit;
    }
    const t0 = performance.now();
    if (this.folder.tiled) {
      const data = await this.tiledFeatures(img, this.folder.tiled);
      stats.visionRuns++;
      stats.visionMs += performance.now() - t0;
      const features: Features = { data, deep: [], tokens: img.tokens, width: img.width, height: img.height };
      this.features.set(img.key, features, data.byteLength);
      return features;
    }
    const pre = await this.impl.preprocess(img.image, this.folder.preprocessor, img.pre);
    if (!this.s.gridName) throw new AppError('internal', 'the vision encoder has no grid input');
    const out = await this.s.vision.run({
      pixel_values: floatTensor(pre.pixelValues, this.s.pixelType, [pre.rows, pre.rowLength]),
      [this.s.gridName]: int64Tensor([pre.grid.t, pre.grid.h, pre.grid.w], [1, 3]),
    });
    const t = out[this.s.featuresName];
    if (!t) throw new AppError('internal', 'vision encoder returned no features');
    const hidden = this.folder.text.hiddenSize;
    if (t.dims[0] !== pre.tokens || t.dims[1] !== hidden) {
      throw new AppError(
        'internal',
        `vision encoder returned [${t.dims.join(', ')}], expected [${pre.tokens}, ${hidden}]`,
      );
    }
    const data = Float32Array.from(toFloat32(t));
    t.dispose();
    const deep = this.deepFeatures(out, pre.tokens, hidden);
    stats.visionRuns++;
    stats.visionMs += performance.now() - t0;
    const features: Features = { data, deep, tokens: pre.tokens, width: pre.width, height: pre.height };
    this.features.set(img.key, features, data.byteLength * (1 + deep.length));
    return features;
  }

  /** Tiled images: every tile through the encoder (in batches the graph accepts), packed by the family. */
  private async tiledFeatures(img: PlannedImage, tiled: TiledImages): Promise<Float32Array> {
    const { data, dims } = await tiled.pixelValues(img.image, img.count);
    const tiles = dims[0] ?? 0;
    const perTile = data.length / tiles;
    const batch = this.s.visionBatch ?? tiles;
    const parts: Float32Array[] = [];
    for (let at = 0; at < tiles; at += batch) {
      const n = Math.min(batch, tiles - at);
      const out = await this.s.vision.run({
        pixel_values: floatTensor(data.subarray(at * perTile, (at + n) * perTile), this.s.pixelType, [
          n,
          ...dims.slice(1),
        ]),
      });
      const t = out[this.s.featuresName];
      if (!t) throw new AppError('internal', 'vision encoder returned no features');
      parts.push(Float32Array.from(toFloat32(t)));
      t.dispose();
    }
    const all = new Float32Array(parts.reduce((k, p) => k + p.length, 0));
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    const packed = tiled.pack(all, img.image, img.count);
    const hidden = this.folder.text.hiddenSize;
    if (packed.length !== img.tokens * hidden) {
      throw new AppError(
        'internal',
        `packed ${packed.length / hidden} image features for ${img.tokens} image tokens (the token count and the packing disagree)`,
      );
    }
    return packed;
  }

  /** The DeepStack levels of one vision run, each [tokens, hidden] float32, in level order. */
  private deepFeatures(out: InferenceSession.ReturnType, tokens: number, hidden: number): Float32Array[] {
    const ds = this.s.deepstack;
    if (!ds) return [];
    const levels: Float32Array[] = [];
    for (const name of ds.visionOutputs) {
      const t = out[name];
      if (!t) throw new AppError('internal', `vision encoder returned no ${name}`);
      const want = ds.stacked ? [ds.levels, tokens, hidden] : [tokens, hidden];
      if (t.dims.length !== want.length || t.dims.some((d, i) => d !== want[i])) {
        throw new AppError(
          'internal',
          `vision encoder returned ${name} [${t.dims.join(', ')}], expected [${want.join(', ')}]`,
        );
      }
      const all = Float32Array.from(toFloat32(t));
      t.dispose();
      if (!ds.stacked) levels.push(all);
      else
        for (let k = 0; k < ds.levels; k++)
          levels.push(all.slice(k * tokens * hidden, (k + 1) * tokens * hidden));
    }
    return levels;
  }

  /**
   * DeepStack decoder feeds for `len` new positions: level k's feature rows at the image-pad rows, zeros elsewhere
   * (and everywhere at decode steps, `rows` empty).
   */
  private deepFeeds(
    len: number,
    rows: ReadonlyArray<{ at: number; image: number; row: number }>,
    feats: ReadonlyMap<number, Features>,
  ): Record<string, Tensor> {
    const ds = this.s.deepstack;
    if (!ds) return {};
    const hidden = this.folder.text.hiddenSize;
    const feeds: Record<string, Tensor> = {};
    ds.decoderInputs.forEach((name, k) => {
      const data = new Float32Array(len * hidden);
      for (const p of rows) {
        const level = feats.get(p.image)!.deep[k]!;
        data.set(level.subarray(p.row * hidden, (p.row + 1) * hidden), p.at * hidden);
      }
      feeds[name] = floatTensor(data, ds.types[k]!, [1, len, hidden]);
    });
    return feeds;
  }

  /** Longest reusable cached prefix of `ids` (image pads compared by image identity). */
  private findPrefix(
    ids: readonly number[],
    keys: readonly string[],
  ): { entry: PrefixEntry; length: number } | null {
    const imageToken = this.folder.ids.imageToken;
    let best: { entry: PrefixEntry; length: number } | null = null;
    for (const [, entry] of this.prefixes.entries()) {
      const limit = Math.min(entry.ids.length, ids.length - 1);
      let block = -1;
      let i = 0;
      for (; i < limit; i++) {
        const id = ids[i]!;
        if (id !== entry.ids[i]) break;
        if (id === imageToken && (i === 0 || ids[i - 1] !== imageToken)) {
          block++;
          if (keys[block] !== entry.imageKeys[block]) break;
        }
      }
      if (i > 0 && (!best || i > best.length)) best = { entry, length: i };
    }
    return best;
  }

  private emptyPast(): Record<string, Tensor> {
    const io = this.s.io;
    const feeds: Record<string, Tensor> = {};
    const empty = floatTensor(new Float32Array(0), io.kvType, [1, io.kvHeads, 0, io.headDim]);
    for (const p of io.pastNames) {
      feeds[p.key] = empty;
      feeds[p.value] = empty;
    }
    return feeds;
  }

  private positionTensor(
    rows: [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>],
    from: number,
    to: number,
    textStart: number,
  ): Tensor {
    const n = to - from;
    const rowCount = this.s.io.positionRows;
    if (rowCount === 1) {
      // 1-D RoPE: position_ids [B, S]; the family's three rows are equal.
      const data = new BigInt64Array(n);
      for (let i = from; i < to; i++) data[i - from] = BigInt(rows[0][i]!);
      return new Tensor('int64', data, [1, n]);
    }
    const data = new BigInt64Array(rowCount * n);
    let o = 0;
    if (rowCount === 4) {
      // NOTE: 4-row position_ids (newer Qwen2.5-VL exports) lead with the plain text position of each token.
      for (let i = 0; i < n; i++) data[o++] = BigInt(textStart + i);
    }
    for (const row of rows) for (let i = from; i < to; i++) data[o++] = BigInt(row[i]!);
    return new Tensor('int64', data, [rowCount, 1, n]);
  }

  private async decoderRun(feeds: Record<string, Tensor>): Promise<{ logits: Float32Array; kv: Tensor[] }> {
    const io = this.s.io;
    if (io.numLogitsToKeep) feeds.num_logits_to_keep = int64Tensor([1], []);
    const out = await this.s.decoder.run(feeds);
    const logitsT = out[io.logits];
    if (!logitsT) throw new AppError('internal', 'decoder returned no logits');
    const vocab = logitsT.dims[2] ?? 0;
    const rows = logitsT.dims[1] ?? 0;
    const logits = Float32Array.from(toFloat32(logitsT, (rows - 1) * vocab, rows * vocab));
    logitsT.dispose();
    const kv: Tensor[] = [];
    for (const p of io.pastNames) {
      const k = out[p.presentKey];
      const v = out[p.presentValue];
      if (!k || !v) throw new AppError('internal', `decoder returned no ${p.presentKey}/${p.presentValue}`);
      kv.push(k, v);
    }
    return { logits, kv };
  }

  private pastFeeds(kv: readonly Tensor[]): Record<string, Tensor> {
    const feeds: Record<string, Tensor> = {};
    this.s.io.pastNames.forEach((p, i) => {
      feeds[p.key] = kv[2 * i]!;
      feeds[p.value] = kv[2 * i + 1]!;
    });
    return feeds;
  }

  private async run(req: GenerateRequest, logitsOnly: boolean): Promise<GenerateResult | Float32Array> {
    if (this.disposed) throw new AppError('no_model', 'the model was unloaded');
    const t0 = performance.now();
    const signal = req.signal;
    abortIfNeeded(signal);
    if (req.images !== undefined && !Array.isArray(req.images))
      throw new AppError('invalid_input', 'images must be an array');
    const images = this.planImages(req);
    const ids = this.buildIds(req, images);
    const n = ids.length;
    const ctx = this.folder.text.maxPositions;
    if (n >= ctx) {
      throw new AppError(
        'too_large',
        `the prompt is ${n} tokens (${images.reduce((a, im) => a + im.tokens, 0)} of them image tokens); the model's context is ${ctx}. Lower maxPixels or shorten the question`,
      );
    }
    const maxTokens = Math.min(req.maxTokens ?? DEFAULT_MAX_TOKENS, ctx - n);
    if (!Number.isInteger(maxTokens) || maxTokens < 1)
      throw new AppError('invalid_input', 'maxTokens must be a positive integer');
    const sampling: Sampling = req.raw
      ? {}
      : (req.sampling ?? this.impl.generation.sampling ?? this.defaultSampling());
    const sampler = new TokenSampler(sampling);

    const rope = this.impl.ropeIndex(
      ids,
      images.map((im) => im.grid),
      this.folder.ids.imageToken,
      this.folder.preprocessor.mergeSize,
    );
    const keys = images.map((im) => im.key);
    const reuse = logitsOnly ? null : this.findPrefix(ids, keys);
    const start = reuse?.length ?? 0;

    // Image pads in the part still to prefill → which image and which feature row each takes.
    const stats = { visionRuns: 0, featureHits: 0, visionMs: 0 };
    const padRows: Array<{ at: number; image: number; row: number }> = [];
    {
      let image = -1;
      let row = 0;
      for (let i = 0; i < n; i++) {
        if (ids[i] !== this.folder.ids.imageToken) continue;
        if (i === 0 || ids[i - 1] !== this.folder.ids.imageToken) {
          image++;
          row = 0;
        }
        if (i >= start) padRows.push({ at: i - start, image, row });
        row++;
      }
    }
    const needed = [...new Set(padRows.map((p) => p.image))];
    const feats = new Map<number, Features>();
    for (const index of needed) {
      abortIfNeeded(signal);
      feats.set(index, await this.imageFeatures(images[index]!, stats));
    }
    abortIfNeeded(signal);

    // Prefill the rest of the prompt.
    const tPrefill = performance.now();
    const suffix = ids.slice(start);
    const s = suffix.length;
    const embedOut = await this.s.embed.run({ input_ids: int64Tensor(suffix, [1, s]) });
    const embedT = embedOut[this.s.embedsName];
    if (!embedT) throw new AppError('internal', 'embed_tokens returned nothing');
    const hidden = this.folder.text.hiddenSize;
    let embeds: Tensor = embedT;
    if (padRows.length > 0 || embedT.type !== this.s.io.embedsType) {
      const merged = Float32Array.from(toFloat32(embedT));
      for (const p of padRows) {
        const f = feats.get(p.image)!;
        merged.set(f.data.subarray(p.row * hidden, (p.row + 1) * hidden), p.at * hidden);
      }
      embeds = floatTensor(merged, this.s.io.embedsType, [1, s, hidden]);
    }
    const past: Record<string, Tensor> = reuse
      ? this.pastFeeds(reuse.entry.kv.map((t) => sliceKv(t, start, this.s.io.kvHeads, this.s.io.headDim)))
      : this.emptyPast();
    const prefill = await this.decoderRun({
      inputs_embeds: embeds,
      attention_mask: onesInt64(n),
      position_ids: this.positionTensor(rope.positions, start, n, start),
      ...this.deepFeeds(s, padRows, feats),
      ...past,
    });
    const prefillMs = performance.now() - tPrefill;
    if (logitsOnly) return prefill.logits;
    this.prefixes.set(
      `${n}:${createHash('sha1').update(Int32Array.from(ids)).update(keys.join('\n')).digest('hex')}`,
      { ids: Int32Array.from(ids), imageKeys: keys, kv: prefill.kv },
      kvBytes(prefill.kv),
    );

    // Decode.
    const eos = new Set(this.folder.generation.eos);
    const seen = new Set<number>(sampling.repetitionPenalty && sampling.repetitionPenalty !== 1 ? ids : []);
    const tokens: number[] = [];
    const detok = new IncrementalDetokenizer((part) => this.codec.decode(part, false));
    let logits = prefill.logits;
    let kv = prefill.kv;
    let stop: GenerateResult['stop'] = 'max_tokens';
    const stops = (req.stop ?? []).filter((x) => x.length > 0);
    const stopReach = Math.max(0, ...stops.map((x) => x.length));
    let recent = '';
    let tFirst = 0;
    for (;;) {
      const next = sampler.next(logits, seen);
      if (tokens.length === 0) tFirst = performance.now();
      if (eos.has(next)) {
        stop = 'eos';
        break;
      }
      tokens.push(next);
      seen.add(next);
      if (req.onToken || stops.length > 0) {
        const delta = detok.push(next);
        if (delta) req.onToken?.(delta);
        if (stops.length > 0 && delta) {
          // Only the tail can hold a new match: the delta plus one stop's length before it.
          const tail = recent.slice(-stopReach) + delta;
          recent = tail;
          if (stops.some((s) => tail.includes(s))) {
            stop = 'stop';
            break;
          }
        }
      }
      if (tokens.length >= maxTokens) break;
      await yieldToEventLoop();
      abortIfNeeded(signal);
      const pastLen = n + tokens.length - 1;
      const stepEmbeds = (await this.s.embed.run({ input_ids: int64Tensor([next], [1, 1]) }))[
        this.s.embedsName
      ];
      if (!stepEmbeds) throw new AppError('internal', 'embed_tokens returned nothing');
      const pos = pastLen + rope.delta;
      const step = await this.decoderRun({
        inputs_embeds:
          stepEmbeds.type === this.s.io.embedsType
            ? stepEmbeds
            : floatTensor(Float32Array.from(toFloat32(stepEmbeds)), this.s.io.embedsType, [1, 1, hidden]),
        attention_mask: onesInt64(pastLen + 1),
        position_ids: this.positionTensor([[pos], [pos], [pos]], 0, 1, pastLen),
        ...this.deepFeeds(1, [], feats),
        ...this.pastFeeds(kv),
      });
      if (kv !== prefill.kv) for (const t of kv) t.dispose();
      kv = step.kv;
      logits = step.logits;
    }
    const tEnd = performance.now();
    const text = this.codec.decode(tokens, false);
    if (req.onToken) {
      const rest = detok.flush(text);
      if (rest) req.onToken(rest);
    }
    return {
      text,
      raw: this.codec.decode(tokens, true),
      tokenIds: tokens,
      resized: images.map((im) => ({ width: im.width, height: im.height })),
      provider: this.provider,
      model: this.id,
      stop,
      promptTokens: n,
      timings: {
        vision_ms: stats.visionMs,
        prefill_ms: prefillMs,
        ttft_ms: tFirst - t0,
        decode_tokens_per_s:
          tokens.length > 1 && tEnd > tFirst ? ((tokens.length - 1) * 1000) / (tEnd - tFirst) : null,
        total_ms: tEnd - t0,
      },
      cache: {
        visionRuns: stats.visionRuns,
        featureHits: stats.featureHits,
        prefixTokens: start,
        prefillTokens: s,
      },
    };
  }

  /** generation_config.json's sampling (Qwen ships top_k 1: greedy, with its repetition penalty). */
  private defaultSampling(): Sampling {
    const g = this.folder.generation;
    return {
      temperature: g.doSample ? g.temperature : 0,
      topK: g.topK,
      topP: g.topP,
      repetitionPenalty: g.repetitionPenalty,
    };
  }
}

/** Opens a model folder of any family the registry runs, on the best provider available (see providers.ts). */
export async function loadVlm(dir: string, opts: LoadVlmOptions = {}): Promise<VlmModel> {
  const folder = readModelFolder(dir, opts.dtype);
  const codec = createPromptCodec(folder);
  const preference = opts.provider ?? 'auto';
  try {
    const { value, provider, attempts } = await openWithFallback(
      preference,
      (p, options) => openSessions(folder, p, options),
      { threads: opts.threads },
    );
    return new OnnxVlmModel(folder, value, codec, provider, attempts, preference, opts.cache);
  } catch (e) {
    if (isAppError(e)) throw e;
    throw new AppError('internal', `loading ${dir} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
