// CLI for the tiny-model generator: `npm run make:tiny-model -- --family qwen2-vl|qwen2.5-vl|llava-onevision
// --out DIR [--size tiny|bench]` writes a seeded model folder in the onnx-community / transformers.js layout.
import { parseArgs } from 'node:util';
import {
  generateTinyModelAt,
  defaultTinyModelDir,
  TINY_MODEL_FAMILIES,
  type TinyModelFamily,
} from '../models/tiny/make-tiny-model.js';
import { TINY_SIZES, type TinySize } from '../models/tiny/tiny-spec.js';

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
    },
  });
  const family = values.family ?? '';
  const size = values.size ?? 'tiny';
  if (!isFamily(family) || !isSize(size)) {
    console.error(
      `usage: make-tiny-model --family ${TINY_MODEL_FAMILIES.join('|')} [--size ${TINY_SIZES.join('|')}] [--out DIR]`,
    );
    process.exitCode = 2;
    return;
  }
  const out = values.out ?? defaultTinyModelDir({ family, size });
  const started = Date.now();
  const result = generateTinyModelAt(out, { family, size }, { replace: true });
  console.log(
    `${family} ${size}: ${result.parameterCount.toLocaleString('en')} parameters → ${result.dir} (${Date.now() - started} ms)`,
  );
}

main();
