// A scripted tiny model (issue 14): the generated Qwen2-VL stand-in — same generator, graphs, I/O names and JSON —
// with weights set so that greedy decoding writes one chosen answer for any image and prompt, so that a grounded
// answer with a real box can be followed through the engine, transformers.js, the OpenAI API and Ask.
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

/** Families with a scripted variant (the `<|box_start|>` format; JSON `bbox_2d` repeats tokens). */
export type ScriptedFamily = 'qwen2-vl';

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
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function scriptedSpec(family: ScriptedFamily): TinySpec {
  // fp32 graphs only: the scripted folder is for tests of the answer path, not of dtypes.
  return { ...tinySpec(family, 'tiny'), embedRank: SCRIPTED_RANK, fp16Variants: false };
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
export function scriptedChain({ family, answer }: ScriptedModelOptions): number[] {
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
  const start = tokenizer.encode(prompt, { add_special_tokens: false }).ids.at(-1);
  if (start === undefined) throw new Error(`the ${family} chat template renders no generation prompt`);
  const chain = [start, ...tokenizer.encode(answer, { add_special_tokens: false }).ids, QWEN_TOKENS.imEnd];
  const seen = new Set<number>();
  for (const id of chain) {
    if (seen.has(id)) {
      const text = JSON.stringify(tokenizer.decode([id], { skip_special_tokens: false }));
      throw new Error(
        `scripted answer ${JSON.stringify(answer)}: token ${id} (${text}) occurs twice in the chain (the generation prompt's last token, the answer, <|im_end|>); a bigram model needs each token once`,
      );
    }
    seen.add(id);
  }
  if (chain.length > SCRIPTED_RANK)
    throw new Error(
      `scripted answer ${JSON.stringify(answer)}: ${chain.length} tokens in the chain, at most ${SCRIPTED_RANK}`,
    );
  return chain;
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

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Writes the scripted model folder into `dir`: the tiny folder's files, scripted decoder weights. */
export function writeScriptedModel(
  dir: string,
  options: ScriptedModelOptions,
): { dir: string; chain: number[] } {
  const chain = scriptedChain(options);
  const spec = scriptedSpec(options.family);
  if (spec.hiddenSize < SCRIPTED_RANK)
    throw new Error(`${options.family}: hidden size below ${SCRIPTED_RANK}`);
  const w = new ScriptedWeights(spec.seed, chain.length);
  const table = tokenTable(spec, w);
  chain.forEach((id, i) => {
    table.fill(0, id * SCRIPTED_RANK, (id + 1) * SCRIPTED_RANK);
    table[id * SCRIPTED_RANK + i] = CHAIN_NORM;
  });
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
