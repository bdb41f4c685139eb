// Scripted tiny models (issue 14): the generated Qwen2-VL / Qwen2.5-VL stand-ins — same generator, graphs, I/O names
// and JSON — with weights set so that greedy decoding writes one chosen answer for any image and prompt, so that a
// grounded answer with a real box can be followed through the engine, transformers.js, the OpenAI API and Ask.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';
import { familyImpl } from '../../src/inference/families/index.js';
import { generationConfig, modelConfig, preprocessorConfig, tokenizerFiles } from './model-files.js';
import { buildDecoder, buildEmbedTokens, buildVisionEncoder, tokenTable } from './qwen-vl-graphs.js';
import { SeededWeights } from './seeded-weights.js';
import { GENERATOR_VERSION, QWEN_TOKENS, tinySpec, type TinySpec } from './tiny-spec.js';

/**
 * The Qwen2-VL grounding answer the API tests use: no token repeats (digits are single tokens in Qwen2's BPE, the
 * second pair's comma is " ,", and "),(" is one token), as a bigram machine needs.
 */
export const SCRIPTED_GROUNDED_ANSWER =
  '<|object_ref_start|>total<|object_ref_end|><|box_start|>(12,34),(567 ,890)<|box_end|>';

/**
 * The Qwen2.5-VL grounding answer (JSON `bbox_2d` in input pixels). Tokens repeat (`2`, `,`, `":`, ` "`), but no
 * (previous, current) pair does, which the pair machine below needs.
 */
export const SCRIPTED_JSON_ANSWER = '[{"bbox_2d": [12,34,256,158], "label": "total"}]';

/**
 * Families with a scripted variant: Qwen2-VL (`<|box_start|>`) as a bigram machine, Qwen2.5-VL (JSON) as a pair
 * machine that also reads the previous token (Qwen3-VL has no q/k biases, which the pair machine's position-only
 * attention is built from: not done).
 */
export type ScriptedFamily = 'qwen2-vl' | 'qwen2.5-vl';

export interface ScriptedModelOptions {
  family: ScriptedFamily;
  /** What the model writes (special tokens as text), before its <|im_end|>. */
  answer: string;
}

/** Generator of the scripted folders; bump when their files change. */
const SCRIPTED_VERSION = 1;
/** Rank of the tied token table: one one-hot dimension per chain token (≤ hidden size). */
const SCRIPTED_RANK = 32;
/** Length of a chain token's table row; other rows are uniform within ±√3, so the scripted logit wins by far. */
const CHAIN_NORM = 30;
const STAMP_FILE = 'doclens-scripted.json';
/** Distinct tokens the pair machine tells apart: two 16-wide value heads carry 15 code dims and a constant each. */
const PAIR_TOKENS = 30;
/**
 * The previous-token head's rotary weights for frequencies θ_j = 10⁶^(−j/8), j = 0…4 (found by a random search):
 * Σ_j w_j·cos((Δ − 1)·θ_j) is 1 at Δ = 1 and at most 0.934 at any other distance up to 8192 tokens; times
 * PAIR_SCORE the previous token outscores every other by ≥ 66, so it takes all the attention.
 */
const PAIR_ROPE_WEIGHTS = [0.1405, 0.1169, 0.0712, 0.1213, 0.5501];
const PAIR_SCORE = 1000;
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function scriptedSpec(family: ScriptedFamily): TinySpec {
  // fp32 graphs only: the scripted folder is for tests of the answer path, not of dtypes.
  const base = { ...tinySpec(family, 'tiny'), embedRank: SCRIPTED_RANK, fp16Variants: false };
  // The pair machine keeps the current, previous and next token and a constant in four 32-wide blocks, and its
  // previous-token head uses the five fastest rotary frequencies, all on the temporal M-RoPE row (so image tokens,
  // whose h/w rows differ, score like text tokens).
  return family === 'qwen2.5-vl' ? { ...base, hiddenSize: 4 * SCRIPTED_RANK, mropeSection: [5, 2, 1] } : base;
}

function tokenizerOf(spec: TinySpec): Tokenizer {
  const { tokenizer, tokenizerConfig } = tokenizerFiles(spec);
  return new Tokenizer(tokenizer, tokenizerConfig as never);
}

/**
 * The token chain the model walks: the last token of the chat template's generation prompt, the answer's tokens,
 * then <|im_end|>. Each token must appear once (a bigram machine has one successor per token); a repeat is refused
 * naming the token and the answer.
 */
export function scriptedChain(options: ScriptedModelOptions): number[] {
  return chainParts(options).chain;
}

/** The chain, and the prompt token before it (the pair machine's first previous token). */
function chainParts({ family, answer }: ScriptedModelOptions): { chain: number[]; before: number } {
  const spec = scriptedSpec(family);
  const tokenizer = tokenizerOf(spec);
  const template = new Template(familyImpl(family).tiny.chatTemplate);
  const prompt = template.render({
    messages: [{ role: 'user', content: 'x' }],
    add_generation_prompt: true,
    bos_token: '',
    eos_token: '',
    pad_token: '',
  });
  const promptIds = tokenizer.encode(prompt, { add_special_tokens: false }).ids;
  const start = promptIds.at(-1);
  const before = promptIds.at(-2);
  if (start === undefined || before === undefined)
    throw new Error(`the ${family} chat template renders no generation prompt`);
  const chain = [start, ...tokenizer.encode(answer, { add_special_tokens: false }).ids, QWEN_TOKENS.imEnd];
  const text = (id: number) => JSON.stringify(tokenizer.decode([id], { skip_special_tokens: false }));
  const where = `scripted answer ${JSON.stringify(answer)}`;
  if (family === 'qwen2-vl') {
    const seen = new Set<number>();
    for (const id of chain) {
      if (seen.has(id))
        throw new Error(
          `${where}: token ${id} (${text(id)}) occurs twice in the chain (the generation prompt's last token, the answer, <|im_end|>); a bigram model needs each token once`,
        );
      seen.add(id);
    }
    if (chain.length > SCRIPTED_RANK)
      throw new Error(`${where}: ${chain.length} tokens in the chain, at most ${SCRIPTED_RANK}`);
    return { chain, before };
  }
  const pairs = new Set<string>();
  const full = [before, ...chain];
  for (let i = 1; i + 1 < full.length; i++) {
    const key = `${full[i - 1]}/${full[i]}`;
    if (pairs.has(key))
      throw new Error(
        `${where}: the pair ${text(full[i - 1]!)} ${text(full[i]!)} occurs twice; the pair machine needs each (previous, current) pair once`,
      );
    pairs.add(key);
  }
  const distinct = new Set(full).size;
  if (distinct > PAIR_TOKENS)
    throw new Error(`${where}: ${distinct} distinct tokens in the chain, at most ${PAIR_TOKENS}`);
  return { chain, before };
}

/**
 * The bigram machine, by weight name. Every attention output projection and MLP down projection is zero, so each
 * position's residual stream stays its token embedding (the image and the prompt are read and ignored). The
 * embedding projection copies the table's rank-r row into the first r hidden dims, and chain token i's row is
 * CHAIN_NORM·e_i; the final RMSNorm (weight 1) turns it into √hidden·e_i, and lm_head.proj maps e_i to e_(i+1),
 * so the logit of chain token i+1 is √hidden·CHAIN_NORM (240) while every other token's is at most √hidden·√3 (14).
 */
class ScriptedWeights extends SeededWeights {
  constructor(
    seed: string,
    private readonly chainLength: number,
  ) {
    super(seed);
  }

  override linear(name: string, inDim: number, outDim: number, gain = 1): Float32Array {
    if (name === 'embed_tokens.proj') {
      const p = new Float32Array(inDim * outDim); // [r, hidden]
      for (let i = 0; i < inDim; i++) p[i * outDim + i] = 1;
      return p;
    }
    if (name === 'lm_head.proj') {
      const q = new Float32Array(inDim * outDim); // [hidden, r]
      for (let i = 0; i + 1 < this.chainLength; i++) q[i * outDim + i + 1] = 1;
      return q;
    }
    if (/\.(?:self_attn\.o_proj|mlp\.down_proj)\.weight$/.test(name)) return new Float32Array(inDim * outDim);
    return super.linear(name, inDim, outDim, gain);
  }

  override norm(name: string, dim: number): Float32Array {
    return name === 'model.norm.weight' ? new Float32Array(dim).fill(1) : super.norm(name, dim);
  }
}

/**
 * The pair machine (Qwen2.5-VL, hidden 128 = four 32-wide blocks: current | previous | next | constant), by weight
 * name. Layer 0's attention has no token input (q and k are their biases): on the rotary frequencies its score peaks
 * at distance 1, so every head copies the previous position's value; the value heads carry the previous token's
 * one-hot code (15 dims each) and a constant, written by o_proj into the previous and constant blocks. Layer 0's MLP
 * has one neuron per step: it fires (SiLU of +20) only when both the current and the previous code match its step
 * (−20 with one of them), its up projection reads the constant, and it writes the next token's code into the next
 * block. Every other layer writes nothing; lm_head reads the next block. Norm weights are 1.
 */
class PairWeights extends SeededWeights {
  /** Block offsets in the hidden state. */
  private static readonly PREV = SCRIPTED_RANK;
  private static readonly NEXT = 2 * SCRIPTED_RANK;
  private static readonly CONST = 3 * SCRIPTED_RANK;
  /** Size of the constant the value bias writes. */
  private static readonly C = 10;
  /** Gate steepness: a match gives SiLU(β/2). */
  private static readonly BETA = 40;

  constructor(
    private readonly spec: TinySpec,
    /** Per step: [previous, current, next] token codes. */
    private readonly steps: Array<[number, number, number]>,
  ) {
    super(spec.seed);
  }

  /** What RMSNorm makes of a step's residual (current CHAIN_NORM·e, previous √hidden·e, constant C) per block. */
  private scales(): { cur: number; prev: number; constant: number } {
    const H = this.spec.hiddenSize;
    const k = Math.sqrt(H) / Math.sqrt(CHAIN_NORM ** 2 + H + PairWeights.C ** 2);
    return { cur: k * CHAIN_NORM, prev: k * Math.sqrt(H), constant: k * PairWeights.C };
  }

  override norm(_name: string, dim: number): Float32Array {
    return new Float32Array(dim).fill(1);
  }

  override bias(name: string, dim: number, std?: number): Float32Array {
    const D = this.spec.headDim;
    const half = D / 2;
    const theta = (j: number) => Math.pow(this.spec.ropeTheta, (-2 * j) / D);
    const amp = (j: number) => Math.sqrt(Math.sqrt(D) * PAIR_SCORE * (PAIR_ROPE_WEIGHTS[j] ?? 0));
    const out = new Float32Array(dim);
    if (name === 'model.layers.0.self_attn.q_proj.bias') {
      // q = a_j on the first coordinate of pair j in every head, k = a_j·(cos θ_j, sin θ_j): after the rotations
      // q·k/√D = PAIR_SCORE·Σ w_j cos((1 − Δ)·θ_j) for a key Δ positions back.
      for (let h = 0; h < this.spec.numHeads; h++)
        PAIR_ROPE_WEIGHTS.forEach((_, j) => (out[h * D + j] = amp(j)));
      return out;
    }
    if (name === 'model.layers.0.self_attn.k_proj.bias') {
      for (let h = 0; h < this.spec.numKvHeads; h++)
        PAIR_ROPE_WEIGHTS.forEach((_, j) => {
          out[h * D + j] = amp(j) * Math.cos(theta(j));
          out[h * D + half + j] = amp(j) * Math.sin(theta(j));
        });
      return out;
    }
    if (name === 'model.layers.0.self_attn.v_proj.bias') {
      out[D - 1] = 1; // the constant, in kv head 0's last dim
      return out;
    }
    return super.bias(name, dim, std);
  }

  override linear(name: string, inDim: number, outDim: number, gain = 1): Float32Array {
    const m = new Float32Array(inDim * outDim);
    const set = (i: number, o: number, v: number) => {
      m[i * outDim + o] = v;
    };
    const D = this.spec.headDim;
    const code = D - 1; // code dims per value head
    const { PREV, NEXT, CONST, C, BETA } = PairWeights;
    if (name === 'embed_tokens.proj') {
      for (let i = 0; i < inDim; i++) set(i, i, 1);
      return m;
    }
    if (name === 'lm_head.proj') {
      for (let d = 0; d < outDim; d++) set(NEXT + d, d, 1);
      return m;
    }
    if (!name.startsWith('model.layers.0.')) {
      if (/\.(?:self_attn\.o_proj|mlp\.down_proj)\.weight$/.test(name)) return m;
      return super.linear(name, inDim, outDim, gain);
    }
    if (/self_attn\.[qk]_proj\.weight$/.test(name)) return m;
    if (name.endsWith('self_attn.v_proj.weight')) {
      // Current code dims 0–14 → kv head 0, 15–29 → kv head 1.
      for (let i = 0; i < PAIR_TOKENS; i++) set(i, Math.floor(i / code) * D + (i % code), 1);
      return m;
    }
    if (name.endsWith('self_attn.o_proj.weight')) {
      // Head 0 reads kv head 0, head G (= heads / kv heads) kv head 1: their code dims → the previous block.
      const G = this.spec.numHeads / this.spec.numKvHeads;
      for (let i = 0; i < PAIR_TOKENS; i++) set(Math.floor(i / code) * G * D + (i % code), PREV + i, 1);
      set(code, CONST, C);
      return m;
    }
    const s = this.scales();
    if (name.endsWith('mlp.gate_proj.weight')) {
      this.steps.forEach(([prev, cur], n) => {
        set(cur, n, BETA / s.cur);
        set(PREV + prev, n, BETA / s.prev);
        set(CONST, n, (-1.5 * BETA) / s.constant);
      });
      return m;
    }
    if (name.endsWith('mlp.up_proj.weight')) {
      this.steps.forEach((_, n) => set(CONST, n, 1 / s.constant));
      return m;
    }
    if (name.endsWith('mlp.down_proj.weight')) {
      this.steps.forEach(([, , next], n) => set(n, NEXT + next, CHAIN_NORM / (BETA / 2)));
      return m;
    }
    return super.linear(name, inDim, outDim, gain);
  }
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Writes the scripted model folder into `dir`: the tiny folder's files, scripted decoder weights. */
export function writeScriptedModel(
  dir: string,
  options: ScriptedModelOptions,
): { dir: string; chain: number[] } {
  const { chain, before } = chainParts(options);
  const spec = scriptedSpec(options.family);
  if (spec.hiddenSize < SCRIPTED_RANK)
    throw new Error(`${options.family}: hidden size below ${SCRIPTED_RANK}`);
  // Each chain token's code: its place in the chain (bigram), or among the distinct tokens (pair machine).
  const codes = new Map<number, number>();
  let w: SeededWeights;
  if (options.family === 'qwen2-vl') {
    chain.forEach((id, i) => codes.set(id, i));
    w = new ScriptedWeights(spec.seed, chain.length);
  } else {
    const full = [before, ...chain];
    for (const id of full) if (!codes.has(id)) codes.set(id, codes.size);
    const c = (id: number) => codes.get(id) ?? 0;
    const steps: Array<[number, number, number]> = [];
    for (let i = 1; i + 1 < full.length; i++) steps.push([c(full[i - 1]!), c(full[i]!), c(full[i + 1]!)]);
    w = new PairWeights(spec, steps);
  }
  const table = tokenTable(spec, w);
  for (const [id, i] of codes) {
    table.fill(0, id * SCRIPTED_RANK, (id + 1) * SCRIPTED_RANK);
    table[id * SCRIPTED_RANK + i] = CHAIN_NORM;
  }
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  let parameterCount = -spec.vocabSize * spec.embedRank;
  for (const [file, graph] of [
    ['vision_encoder', buildVisionEncoder(spec)],
    ['embed_tokens', buildEmbedTokens(spec, table, false, w)],
    ['decoder_model_merged', buildDecoder(spec, table, false, 3, w)],
  ] as const) {
    parameterCount += graph.parameterCount;
    writeFileSync(join(dir, 'onnx', `${file}.onnx`), graph.bytes);
  }
  const { tokenizer, tokenizerConfig } = tokenizerFiles(spec);
  writeJson(join(dir, 'config.json'), modelConfig(spec, parameterCount));
  writeJson(join(dir, 'generation_config.json'), generationConfig(spec));
  writeJson(join(dir, 'preprocessor_config.json'), preprocessorConfig(spec));
  writeJson(join(dir, 'tokenizer.json'), tokenizer);
  writeJson(join(dir, 'tokenizer_config.json'), tokenizerConfig);
  writeJson(join(dir, 'chat_template.json'), { chat_template: familyImpl(options.family).tiny.chatTemplate });
  writeJson(join(dir, STAMP_FILE), stamp(options));
  return { dir, chain };
}

function stamp({ family, answer }: ScriptedModelOptions): Record<string, unknown> {
  return { scripted_version: SCRIPTED_VERSION, generator_version: GENERATOR_VERSION, family, answer };
}

function stampIsCurrent(dir: string, options: ScriptedModelOptions): boolean {
  try {
    return readFileSync(join(dir, STAMP_FILE), 'utf8') === `${JSON.stringify(stamp(options), null, 2)}\n`;
  } catch {
    return false;
  }
}

/** The cache folder of one scripted answer. */
export function defaultScriptedModelDir({ family, answer }: ScriptedModelOptions): string {
  const hash = createHash('sha256').update(answer).digest('hex').slice(0, 10);
  return join(REPO_ROOT, '.cache', 'models', `scripted-${family}-${hash}`);
}

/**
 * Writes into a sibling temp folder and renames it into place (readers never see half a model; parallel writers
 * let the first finished rename win, their outputs being identical).
 */
export function generateScriptedModelAt(dir: string, options: ScriptedModelOptions): string {
  const target = resolve(dir);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  writeScriptedModel(tmp, options);
  if (stampIsCurrent(target, options)) {
    rmSync(tmp, { recursive: true, force: true });
    return target;
  }
  if (existsSync(target)) rmSync(target, { recursive: true, force: true });
  try {
    renameSync(tmp, target);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    if (!stampIsCurrent(target, options)) throw error;
  }
  return target;
}

/** The cached scripted folder for `answer`, generated first when missing or stale. */
export function ensureScriptedModel(options: ScriptedModelOptions): Promise<string> {
  const dir = defaultScriptedModelDir(options);
  if (stampIsCurrent(dir, options)) return Promise.resolve(dir);
  return Promise.resolve().then(() =>
    stampIsCurrent(dir, options) ? dir : generateScriptedModelAt(dir, options),
  );
}
