// Decides whether a folder is a model DocLens can run (onnx-community Qwen-VL layout, docs/qwen2-vl-onnx.md §1):
// the JSON files, a complete set of the three ONNX graphs for one dtype, a tokenizer.json that parses, and graphs whose
// input and output names are the ones the VLM engine feeds — with an error that names everything that is missing.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { familyForModelType, familyImpl, knownModelTypes } from '../../inference/families/index.js';
import type { ModelFamily } from '../../shared/domain.js';
import { AppError } from '../../shared/errors.js';
import { SESSIONS, type Manifest, type SessionName } from './manifest.js';
import { jsonProblem, readRegular } from './safe-files.js';

export type SessionFiles = Record<SessionName, string>;

/** Preference when a folder holds several complete dtype sets and the caller names none. */
export const IMPORT_DTYPE_ORDER = ['q4', 'q4f16', 'q8', 'fp16', 'fp32', 'int8', 'uint8', 'bnb4'];

export interface FolderCheck {
  family: ModelFamily;
  dtype: string;
  /** Every complete dtype set found. */
  dtypes: string[];
  sessions: SessionFiles;
  /** Relative paths (with `/`) making up the chosen dtype: root files, session graphs and their external data. */
  files: string[];
  layers: number;
}

/** Regular files of the folder and its first level of subfolders, and every entry that is something else. */
async function listFiles(dir: string): Promise<{ files: Set<string>; special: string[] }> {
  const files = new Set<string>();
  const special: string[] = [];
  const walk = async (rel: string) => {
    const entries = await readdir(join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      // Dirent types come from lstat: a symlink (to a file or a folder) is reported as one, never followed.
      if (e.isDirectory()) {
        if (!rel) await walk(path);
      } else if (e.isFile()) files.add(path);
      else
        special.push(
          `${path} (${e.isSymbolicLink() ? 'symbolic link' : e.isFIFO() ? 'FIFO' : e.isSocket() ? 'socket' : 'device'})`,
        );
    }
  };
  await walk('');
  return { files, special: special.sort() };
}

/** `<graph>.onnx_data`, `<graph>.onnx_data_1`, … next to a graph (transformers.js external-data naming). */
export function externalDataOf(graph: string, present: Iterable<string>): string[] {
  const prefix = `${graph}_data`;
  return [...present].filter((p) => p === prefix || new RegExp(`^${escape(prefix)}_\\d+$`).test(p)).sort();
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function sessionFiles(suffix: string): SessionFiles {
  return {
    vision_encoder: `onnx/vision_encoder${suffix}.onnx`,
    embed_tokens: `onnx/embed_tokens${suffix}.onnx`,
    decoder_model_merged: `onnx/decoder_model_merged${suffix}.onnx`,
  };
}

function familyOf(config: unknown): ModelFamily | null {
  if (typeof config !== 'object' || config === null || !('model_type' in config)) return null;
  return familyForModelType(String(config.model_type))?.id ?? null;
}

function layersOf(config: unknown): number | null {
  const c = config as { num_hidden_layers?: unknown; text_config?: { num_hidden_layers?: unknown } };
  const n = c.text_config?.num_hidden_layers ?? c.num_hidden_layers;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;
}

/** Parses a JSON file; a parse error says where, never what the file holds. */
async function readJson(path: string, name: string): Promise<unknown> {
  const text = await readRegular(path, name);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(`${name} is not valid JSON: ${jsonProblem(e)}`);
  }
}

/**
 * Checks `dir` without loading any graph. Throws `not_found` when the folder is missing and `invalid_input` naming
 * every missing or unreadable piece otherwise.
 */
export async function checkFolder(
  dir: string,
  layout: Manifest['layout'],
  dtype?: string,
): Promise<FolderCheck> {
  let present: Set<string>;
  try {
    const listed = await listFiles(dir);
    if (listed.special.length)
      throw new AppError(
        'invalid_input',
        `${dir} holds entries that are not regular files, which are never imported: ${listed.special.join(', ')}` +
          '; copy the real files into a folder first (e.g. cp -rL)',
      );
    present = listed.files;
  } catch (e) {
    if (e instanceof AppError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new AppError('not_found', `cannot read the model folder ${dir}: ${code ?? (e as Error).message}`);
  }
  const problems: string[] = [];
  const missing = layout.requiredFiles.filter((f) => !present.has(f));

  let config: unknown = null;
  let family: ModelFamily | null = null;
  let layers: number | null = null;
  if (present.has('config.json')) {
    try {
      config = await readJson(join(dir, 'config.json'), 'config.json');
      family = familyOf(config);
      layers = layersOf(config);
      if (!family)
        problems.push(
          `config.json model_type "${String((config as { model_type?: unknown }).model_type)}" is not ${knownModelTypes().join(' or ')}`,
        );
      else if (!layers) problems.push('config.json has no num_hidden_layers');
    } catch (e) {
      problems.push(`config.json does not parse (${(e as Error).message.replace(/^config\.json /, '')})`);
    }
  }

  const complete: string[] = [];
  const partial: string[] = [];
  for (const [name, suffix] of Object.entries(layout.dtypeSuffixes)) {
    const files = Object.values(sessionFiles(suffix));
    const have = files.filter((f) => present.has(f));
    if (have.length === files.length) complete.push(name);
    else if (have.length > 0)
      partial.push(`${name} lacks ${files.filter((f) => !present.has(f)).join(', ')}`);
  }
  const ordered = [
    ...IMPORT_DTYPE_ORDER.filter((d) => complete.includes(d)),
    ...complete.filter((d) => !IMPORT_DTYPE_ORDER.includes(d)),
  ];
  let chosen: string | undefined;
  if (dtype !== undefined) {
    if (!complete.includes(dtype))
      problems.push(
        `no complete ${dtype} set (${SESSIONS.map((s) => `onnx/${s}${layout.dtypeSuffixes[dtype] ?? '_?'}.onnx`).join(', ')})`,
      );
    else chosen = dtype;
  } else {
    chosen = ordered[0];
    if (!chosen)
      missing.push(
        `onnx/{${SESSIONS.join(',')}}<dtype>.onnx${partial.length ? ` (incomplete sets: ${partial.join('; ')})` : ''}`,
      );
  }

  if (present.has('tokenizer.json')) {
    try {
      const tokenizerJson = await readJson(join(dir, 'tokenizer.json'), 'tokenizer.json');
      const tokenizerConfig = present.has('tokenizer_config.json')
        ? await readJson(join(dir, 'tokenizer_config.json'), 'tokenizer_config.json').catch(() => ({}))
        : {};
      const tok = new Tokenizer(tokenizerJson as object, tokenizerConfig as object);
      if (tok.encode('DocLens').ids.length === 0) problems.push('tokenizer.json encodes text to nothing');
    } catch (e) {
      // The tokenizer library's messages may quote the file; only its error class is passed on.
      const detail = /is not valid JSON/.test((e as Error).message)
        ? (e as Error).message.replace(/^tokenizer\.json /, '')
        : `${(e as Error).name}`;
      problems.push(`tokenizer.json does not load (${detail})`);
    }
  }

  if (missing.length || problems.length || !family || !chosen || !layers) {
    const parts = [];
    if (missing.length) parts.push(`missing ${missing.join(', ')}`);
    parts.push(...problems);
    throw new AppError(
      'invalid_input',
      `${dir} is not a supported Qwen2-VL / Qwen2.5-VL ONNX model: ${parts.join('; ')}`,
    );
  }

  const sessions = sessionFiles(layout.dtypeSuffixes[chosen] ?? '');
  const root = [...layout.requiredFiles, ...layout.optionalFiles.filter((f) => present.has(f))];
  const graphs = Object.values(sessions).flatMap((g) => [g, ...externalDataOf(g, present)]);
  return {
    family,
    dtype: chosen,
    dtypes: ordered,
    sessions,
    files: [...new Set([...root, ...graphs])],
    layers,
  };
}

/** Input and output names the VLM engine feeds and reads, per session (docs/qwen2-vl-onnx.md §1.3). */
export function expectedNames(
  family: ModelFamily,
  layers: number,
): Record<SessionName, { inputs: string[]; outputs: string[] }> {
  const past = Array.from({ length: layers }, (_, i) => [
    `past_key_values.${i}.key`,
    `past_key_values.${i}.value`,
  ]).flat();
  const present = Array.from({ length: layers }, (_, i) => [`present.${i}.key`, `present.${i}.value`]).flat();
  return {
    vision_encoder: {
      inputs: ['pixel_values', familyImpl(family).graphs.gridInputs[0]!],
      outputs: ['image_features'],
    },
    embed_tokens: { inputs: ['input_ids'], outputs: ['inputs_embeds'] },
    decoder_model_merged: {
      inputs: ['inputs_embeds', 'attention_mask', 'position_ids', ...past],
      outputs: ['logits', ...present],
    },
  };
}

/**
 * Opens each graph with onnxruntime-node (metadata only is read, but ORT loads the weights too) and compares its
 * input and output names with what the engine feeds; extra optional inputs are allowed, missing ones are not.
 */
export async function checkSessions(dir: string, check: FolderCheck): Promise<void> {
  const ort = await import('onnxruntime-node');
  const want = expectedNames(check.family, check.layers);
  const problems: string[] = [];
  for (const name of SESSIONS) {
    const file = check.sessions[name];
    let session: Awaited<ReturnType<typeof ort.InferenceSession.create>> | null = null;
    try {
      session = await ort.InferenceSession.create(join(dir, ...file.split('/')), {
        graphOptimizationLevel: 'disabled',
        intraOpNumThreads: 1,
      });
      const inputs = new Set(session.inputNames);
      const outputs = new Set(session.outputNames);
      const noIn = want[name].inputs.filter((n) => !inputs.has(n));
      const noOut = want[name].outputs.filter((n) => !outputs.has(n));
      if (noIn.length) problems.push(`${file} lacks input${noIn.length > 1 ? 's' : ''} ${abbreviate(noIn)}`);
      if (noOut.length)
        problems.push(`${file} lacks output${noOut.length > 1 ? 's' : ''} ${abbreviate(noOut)}`);
    } catch (e) {
      problems.push(`${file} does not open in onnxruntime (${(e as Error).message.split('\n')[0] ?? ''})`);
    } finally {
      await session?.release();
    }
  }
  if (problems.length)
    throw new AppError(
      'invalid_input',
      `${dir} is not a usable ${check.family} model: ${problems.join('; ')}`,
    );
}

function abbreviate(names: string[]): string {
  return names.length > 4 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
}
