// Writes a tiny (or bench-size) LLaVA-OneVision folder: the three graphs, the JSON configs, the tokenizer and
// image_newline.safetensors. make-tiny-model.ts calls this for `--family llava-onevision`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLlavaOvGraphs, imageNewline } from './llava-onevision-graphs.js';
import {
  llavaOvConfig,
  llavaOvGenerationConfig,
  llavaOvPreprocessorConfig,
  llavaOvProcessorConfig,
  llavaOvTokenizerFiles,
  safetensors,
} from './llava-onevision-files.js';
import { llavaOvTinySpec } from './llava-onevision-spec.js';
import type { TinySize } from './tiny-spec.js';

/** The file the engine reads `image_newline` from first (then model.safetensors, as in the HF repos). */
export const IMAGE_NEWLINE_FILE = 'image_newline.safetensors';

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Writes every file but the stamp; returns the parameter count and the files written. */
export function writeLlavaOvModel(dir: string, size: TinySize): { parameterCount: number; files: string[] } {
  const spec = llavaOvTinySpec(size);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const written: string[] = [];
  const parameterCount = buildLlavaOvGraphs(spec, (file, bytes) => {
    writeFileSync(join(dir, 'onnx', file), bytes);
    written.push(`onnx/${file}`);
  });
  const { tokenizer, tokenizerConfig } = llavaOvTokenizerFiles();
  const json: [string, unknown][] = [
    ['config.json', llavaOvConfig(spec, parameterCount)],
    ['generation_config.json', llavaOvGenerationConfig()],
    ['preprocessor_config.json', llavaOvPreprocessorConfig(spec)],
    ['processor_config.json', llavaOvProcessorConfig(spec)],
    ['tokenizer.json', tokenizer],
    ['tokenizer_config.json', tokenizerConfig],
  ];
  for (const [name, value] of json) writeJson(join(dir, name), value);
  const newline = imageNewline(spec);
  writeFileSync(
    join(dir, IMAGE_NEWLINE_FILE),
    safetensors({ image_newline: { shape: [newline.length], data: newline } }),
  );
  return { parameterCount, files: [...json.map(([name]) => name), IMAGE_NEWLINE_FILE, ...written] };
}
