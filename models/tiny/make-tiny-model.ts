// Writes a tiny Qwen2-VL / Qwen2.5-VL model folder in the onnx-community layout (JSON + tokenizer + three ONNX
// graphs) and keeps generated folders in a git-ignored cache, created on demand and safe against concurrent tests.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildQwenVlGraphs } from './qwen-vl-graphs.js';
import { familyImpl } from '../../src/inference/families/index.js';
import { generationConfig, modelConfig, preprocessorConfig, tokenizerFiles } from './model-files.js';
import { writeLlavaOvModel } from './llava-onevision-model.js';
import { LLAVA_OV_GENERATOR_VERSION } from './llava-onevision-spec.js';
import { GENERATOR_VERSION, TINY_FAMILIES, tinySpec, type TinyFamily, type TinySize } from './tiny-spec.js';

export type { TinyFamily, TinySize } from './tiny-spec.js';

/** Every family the generator writes: the Qwen ones (tiny-spec.ts) and LLaVA-OneVision (llava-onevision-*.ts). */
export type TinyModelFamily = TinyFamily | 'llava-onevision';
export const TINY_MODEL_FAMILIES: readonly TinyModelFamily[] = [...TINY_FAMILIES, 'llava-onevision'];

export interface TinyModelOptions {
  family: TinyModelFamily;
  size: TinySize;
  /** Qwen3-VL only: write the DeepStack variant (extra vision outputs and decoder inputs). */
  deepstack?: boolean;
}

function generatorVersion(family: TinyModelFamily): number {
  return family === 'llava-onevision' ? LLAVA_OV_GENERATOR_VERSION : GENERATOR_VERSION;
}

export interface TinyModelResult {
  dir: string;
  parameterCount: number;
  files: string[];
}

/** Marker written last; a folder without a matching one is incomplete or stale. */
const STAMP_FILE = 'doclens-tiny.json';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function defaultTinyModelDir({ family, size, deepstack }: TinyModelOptions): string {
  return join(REPO_ROOT, '.cache', 'models', `tiny-${family}-${size}${deepstack ? '-deepstack' : ''}`);
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Writes every file of the model into `dir` (created if needed). Deterministic for a given family and size. */
export function writeTinyModel(
  dir: string,
  { family, size, deepstack = false }: TinyModelOptions,
): TinyModelResult {
  if (family === 'llava-onevision') {
    const result = writeLlavaOvModel(dir, size);
    writeJson(join(dir, STAMP_FILE), { generator_version: generatorVersion(family), family, size });
    return { dir, ...result };
  }
  const spec = tinySpec(family, size, deepstack);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const written: string[] = [];
  const parameterCount = buildQwenVlGraphs(spec, (file, bytes) => {
    writeFileSync(join(dir, 'onnx', file), bytes);
    written.push(`onnx/${file}`);
  });
  const { tokenizer, tokenizerConfig } = tokenizerFiles(spec);
  const json: [string, unknown][] = [
    ['config.json', modelConfig(spec, parameterCount)],
    ['generation_config.json', generationConfig(spec)],
    ['preprocessor_config.json', preprocessorConfig(spec)],
    ['tokenizer.json', tokenizer],
    ['tokenizer_config.json', tokenizerConfig],
    ['chat_template.json', { chat_template: familyImpl(family).tiny.chatTemplate }],
  ];
  for (const [name, value] of json) writeJson(join(dir, name), value);
  writeJson(join(dir, STAMP_FILE), {
    generator_version: GENERATOR_VERSION,
    family,
    size,
    ...(deepstack ? { deepstack: true } : {}),
  });
  return { dir, parameterCount, files: [...json.map(([name]) => name), ...written] };
}

function stampIsCurrent(dir: string, { family, size, deepstack = false }: TinyModelOptions): boolean {
  try {
    const stamp: unknown = JSON.parse(readFileSync(join(dir, STAMP_FILE), 'utf8'));
    return (
      typeof stamp === 'object' &&
      stamp !== null &&
      'generator_version' in stamp &&
      stamp.generator_version === generatorVersion(family) &&
      'family' in stamp &&
      stamp.family === family &&
      'size' in stamp &&
      stamp.size === size &&
      ('deepstack' in stamp ? stamp.deepstack === true : false) === deepstack
    );
  } catch {
    return false;
  }
}

/**
 * Generates into a sibling temp folder and renames it into place, so readers never see a half-written model and
 * concurrent writers (parallel test files) simply let the first finished rename win.
 */
export function generateTinyModelAt(
  dir: string,
  options: TinyModelOptions,
  { replace = false }: { replace?: boolean } = {},
): TinyModelResult {
  const target = resolve(dir);
  mkdirSync(dirname(target), { recursive: true });
  // Deterministic output makes any finished copy as good as ours: unless asked, a current one is kept.
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  const result = writeTinyModel(tmp, options);
  if (!replace && existsSync(target) && stampIsCurrent(target, options)) {
    rmSync(tmp, { recursive: true, force: true });
    return { ...result, dir: target };
  }
  if (existsSync(target)) {
    const trash = `${target}.old-${process.pid}-${Date.now()}`;
    try {
      renameSync(target, trash);
      rmSync(trash, { recursive: true, force: true });
    } catch {
      // Another process replaced or is replacing it; fall through to the rename race below.
    }
  }
  try {
    renameSync(tmp, target);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    if (!stampIsCurrent(target, options)) throw error;
  }
  return { ...result, dir: target };
}

const pending = new Map<string, Promise<string>>();

/** Returns the cached model folder for `family`/`size`, generating it first when missing or stale. */
export function ensureTinyModel(options: TinyModelOptions): Promise<string> {
  const dir = defaultTinyModelDir(options);
  if (stampIsCurrent(dir, options)) return Promise.resolve(dir);
  const existing = pending.get(dir);
  if (existing) return existing;
  const job = Promise.resolve().then(() => {
    if (!stampIsCurrent(dir, options)) generateTinyModelAt(dir, options);
    return dir;
  });
  pending.set(dir, job);
  return job.finally(() => pending.delete(dir));
}
