// transformers.js 4.x as an independent consumer of the generated LLaVA-OneVision folder: its tokenizer, its
// LlavaOnevisionForConditionalGeneration (= LlavaForConditionalGeneration) loading the three graphs and greedy
// decoding from one squashed tile. It has no AnyRes (docs/llava-onevision.md): the tests name that gap.
import assert from 'node:assert/strict';
import { basename, dirname } from 'node:path';
import { describe, test } from 'node:test';
import {
  AutoProcessor,
  AutoTokenizer,
  LlavaOnevisionForConditionalGeneration,
  RawImage,
  Tensor,
  env,
} from '@huggingface/transformers';
import { loadVlm } from '../../src/inference/vlm/engine.js';
import { ensureTinyModel } from './make-tiny-model.js';
import { LLAVA_OV_TOKENS } from './llava-onevision-spec.js';

const NEW_TOKENS = 32;
const TILE_TOKENS = 16; // (56 / 14)²

/** A deterministic 100×80 RGB test card; `variant` changes its pixels. */
export function ovTestImage(variant: number): RawImage {
  const w = 100;
  const h = 80;
  const data = new Uint8ClampedArray(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      data[i] = (x * 5 + variant * 60) % 256;
      data[i + 1] = (y * 7) % 256;
      data[i + 2] = ((x ^ y) * 3 + variant * 90) % 256;
    }
  }
  return new RawImage(data, w, h, 3);
}

async function load(): Promise<string> {
  const dir = await ensureTinyModel({ family: 'llava-onevision', size: 'tiny' });
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${dirname(dir)}/`;
  return basename(dir);
}

const toNumbers = (t: Tensor): number[] => Array.from(t.data as BigInt64Array, (v) => Number(v));

/** The prompt the LLaVA-OV template renders for one image and a question, with the system turn DocLens sends. */
export function ovPrompt(question: string, imageTokens: number): string {
  return (
    '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n' +
    '<image>'.repeat(imageTokens) +
    `\n${question}<|im_end|>\n<|im_start|>assistant\n`
  );
}

describe('transformers.js on tiny llava-onevision', () => {
  test('tokenizer: <image> 151646, <video> 151647, Qwen2 BPE', async () => {
    const id = await load();
    const tokenizer = await AutoTokenizer.from_pretrained(id, { local_files_only: true });
    assert.deepEqual(tokenizer.encode('<image>', { add_special_tokens: false }), [LLAVA_OV_TOKENS.image]);
    assert.deepEqual(tokenizer.encode('<video>', { add_special_tokens: false }), [LLAVA_OV_TOKENS.video]);
    assert.deepEqual(tokenizer.encode('<|im_end|>', { add_special_tokens: false }), [LLAVA_OV_TOKENS.imEnd]);
    assert.deepEqual(tokenizer.encode('Hello, world!', { add_special_tokens: false }), [9707, 11, 1879, 0]);
  });

  test('loads and greedy-generates ≥ 32 varied tokens from one squashed tile; the image matters', async (t) => {
    const id = await load();
    const model = await LlavaOnevisionForConditionalGeneration.from_pretrained(id, {
      local_files_only: true,
      dtype: 'fp32',
      session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 },
    });
    const processor = await AutoProcessor.from_pretrained(id, { local_files_only: true });
    const tokenizer = await AutoTokenizer.from_pretrained(id, { local_files_only: true });
    const run = async (variant: number, imageTokens: number): Promise<number[]> => {
      const { pixel_values } = (await processor(ovTestImage(variant))) as { pixel_values: Tensor };
      // transformers.js' LlavaOnevisionImageProcessor is a plain ImageProcessor: the image squashed to one
      // 56×56 tile — no AnyRes grid, no base + tiles, no image_sizes.
      assert.deepEqual(pixel_values.dims, [1, 3, 56, 56]);
      const input_ids = tokenizer(ovPrompt('Describe this image.', imageTokens)).input_ids;
      const output = await model.generate({
        input_ids,
        attention_mask: new Tensor('int64', new BigInt64Array(input_ids.dims[1]).fill(1n), input_ids.dims),
        pixel_values,
        max_new_tokens: NEW_TOKENS,
        do_sample: false,
      });
      assert.ok(output instanceof Tensor);
      return toNumbers(output).slice(input_ids.dims[1]);
    };
    const tokens = await run(0, TILE_TOKENS);
    t.diagnostic(`llava-onevision greedy tokens: ${tokens.join(',')}`);
    assert.equal(tokens.length, NEW_TOKENS);
    assert.ok(new Set(tokens).size >= NEW_TOKENS / 2, `varied tokens (${new Set(tokens).size} distinct)`);
    assert.ok(
      tokens.every((v) => v < LLAVA_OV_TOKENS.endOfText),
      'only ordinary BPE tokens',
    );
    assert.notDeepEqual(await run(1, TILE_TOKENS), tokens, 'a different image changes the generation');
    // The model card's example (one <image>, features of the whole tile) fails since transformers.js PR #1324
    // made the merge a masked scatter: the caller must expand <image> to the feature count itself.
    await assert.rejects(run(0, 1), /Number of tokens and features do not match: tokens: 1, features 16/);
    await model.dispose();
  });
});

describe('DocLens engine vs transformers.js on tiny llava-onevision', () => {
  test('same rendered prompt and the same 32 greedy ids where transformers.js is correct (no image)', async () => {
    const id = await load();
    const dir = await ensureTinyModel({ family: 'llava-onevision', size: 'tiny' });
    const model = await LlavaOnevisionForConditionalGeneration.from_pretrained(id, {
      local_files_only: true,
      dtype: 'fp32',
      session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 },
    });
    const tokenizer = await AutoTokenizer.from_pretrained(id, { local_files_only: true });
    const vlm = await loadVlm(dir, { provider: 'cpu', threads: 1 });
    try {
      for (const question of ['What is the invoice total?', 'Lies den Text vor.']) {
        // Raw mode: the model's own template, nothing added (no system turn), greedy.
        const prompt = `<|im_start|>user\n${question}<|im_end|>\n<|im_start|>assistant\n`;
        const input_ids = tokenizer(prompt).input_ids;
        const output = await model.generate({
          input_ids,
          attention_mask: new Tensor('int64', new BigInt64Array(input_ids.dims[1]).fill(1n), input_ids.dims),
          max_new_tokens: NEW_TOKENS,
          do_sample: false,
        });
        assert.ok(output instanceof Tensor);
        const theirs = toNumbers(output).slice(input_ids.dims[1]);
        const mine = await vlm.generate({ question, raw: true, maxTokens: NEW_TOKENS });
        assert.equal(mine.promptTokens, input_ids.dims[1], 'prompt length (template + tokenizer)');
        assert.deepEqual(mine.tokenIds, theirs, `greedy ids for "${question}"`);
        assert.equal(theirs.length, NEW_TOKENS);
      }
    } finally {
      await vlm.dispose();
      await model.dispose();
    }
  });
});
