// CLI for the tiny-model generator: `npm run make:tiny-model -- --family qwen2-vl|qwen2.5-vl|qwen3-vl|llava-onevision
// --out DIR [--size tiny|bench] [--deepstack]` writes a seeded folder of that family in the onnx-community layout
// (Qwen3-VL with `--deepstack`: with DeepStack vision outputs and decoder inputs, which transformers.js cannot run).
// `--family qwen2-vl|qwen2.5-vl --scripted [--answer TEXT]` writes the scripted variant (models/tiny/scripted-model.ts):
// greedy decoding writes TEXT (default: a grounded answer with one box) for any image and prompt.
import { parseArgs } from 'node:util';
import {
  generateTinyModelAt,
  defaultTinyModelDir,
  TINY_MODEL_FAMILIES,
  type TinyModelFamily,
} from '../models/tiny/make-tiny-model.js';
import { TINY_SIZES, type TinySize } from '../models/tiny/tiny-spec.js';
import {
  defaultScriptedModelDir,
  generateScriptedModelAt,
  scriptedChain,
  SCRIPTED_GROUNDED_ANSWER,
  SCRIPTED_JSON_ANSWER,
  type ScriptedFamily,
} from '../models/tiny/scripted-model.js';

function isFamily(value: string): value is TinyModelFamily {
  return (TINY_MODEL_FAMILIES as readonly string[]).includes(value);
}

function isSize(value: string): value is TinySize {
  return (TINY_SIZES as readonly string[]).includes(value);
}

function main(): void {
  const { values } = parseArgs({
    options: {
      family: { type: 'string' },
      size: { type: 'string', default: 'tiny' },
      out: { type: 'string' },
      deepstack: { type: 'boolean', default: false },
      scripted: { type: 'boolean', default: false },
      answer: { type: 'string' },
    },
  });
  if (values.scripted) {
    const family: ScriptedFamily | null =
      values.family === 'qwen2-vl' || values.family === 'qwen2.5-vl' ? values.family : null;
    if (!family) {
      console.error(
        'usage: make-tiny-model --family qwen2-vl|qwen2.5-vl --scripted [--answer TEXT] [--out DIR]',
      );
      process.exitCode = 2;
      return;
    }
    const fallback = family === 'qwen2-vl' ? SCRIPTED_GROUNDED_ANSWER : SCRIPTED_JSON_ANSWER;
    const options = { family, answer: values.answer ?? fallback };
    const started = Date.now();
    let dir: string;
    try {
      dir = generateScriptedModelAt(values.out ?? defaultScriptedModelDir(options), options);
    } catch (e) {
      console.error(`make-tiny-model: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
      return;
    }
    console.log(
      `${family} scripted (${scriptedChain(options).length - 2} answer tokens, ${JSON.stringify(options.answer)}) → ${dir} (${Date.now() - started} ms)`,
    );
    return;
  }
  const deepstack = values.deepstack ?? false;
  const family = values.family ?? '';
  const size = values.size ?? 'tiny';
  if (!isFamily(family) || !isSize(size) || (deepstack && family !== 'qwen3-vl')) {
    console.error(
      `usage: make-tiny-model --family ${TINY_MODEL_FAMILIES.join('|')} [--size ${TINY_SIZES.join('|')}] [--out DIR] [--deepstack (qwen3-vl)]`,
    );
    process.exitCode = 2;
    return;
  }
  const out = values.out ?? defaultTinyModelDir({ family, size, deepstack });
  const started = Date.now();
  const result = generateTinyModelAt(out, { family, size, deepstack }, { replace: true });
  console.log(
    `${family}${deepstack ? ' (DeepStack)' : ''} ${size}: ${result.parameterCount.toLocaleString('en')} parameters → ${result.dir} (${Date.now() - started} ms)`,
  );
}

main();
