// Cross-checks the generated folders against an independent consumer: transformers.js 4.x loads them with its own
// Qwen2-VL / Qwen2.5-VL classes, processor and tokenizer, and greedy-generates from an image + text prompt.
import assert from 'node:assert/strict';
import { basename, dirname } from 'node:path';
import { describe, test } from 'node:test';
import {
  AutoProcessor,
  AutoTokenizer,
  Qwen2VLForConditionalGeneration,
  Qwen2_5_VLForConditionalGeneration,
  RawImage,
  Tensor,
  env,
} from '@huggingface/transformers';
import { ensureTinyModel } from './make-tiny-model.js';
import { QWEN2_VL_SPECIALS } from './model-files.js';
import { QWEN_TOKENS, TINY_FAMILIES, type TinyFamily } from './tiny-spec.js';

const NEW_TOKENS = 32;

/** A deterministic 100×80 RGB test card; `variant` changes its pixels. */
function testImage(variant: number): RawImage {
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

async function load(family: TinyFamily): Promise<{ dir: string; id: string }> {
  const dir = await ensureTinyModel({ family, size: 'tiny' });
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${dirname(dir)}/`;
  return { dir, id: basename(dir) };
}

function toNumbers(t: Tensor): number[] {
  return Array.from(t.data as BigInt64Array, (v) => Number(v));
}

for (const family of TINY_FAMILIES) {
  describe(`transformers.js on tiny ${family}`, () => {
    test('tokenizer carries the Qwen2-VL special-token ids', async () => {
      const { id } = await load(family);
      const tokenizer = await AutoTokenizer.from_pretrained(id, { local_files_only: true });
      for (const [tokenId, content] of Object.entries(QWEN2_VL_SPECIALS)) {
        assert.deepEqual(
          tokenizer.encode(content, { add_special_tokens: false }),
          [Number(tokenId)],
          content,
        );
      }
      assert.deepEqual(tokenizer.encode('Hello, world!', { add_special_tokens: false }), [9707, 11, 1879, 0]);
    });

    test('loads with its ConditionalGeneration class and greedy-generates ≥ 32 varied tokens', async (t) => {
      const { id } = await load(family);
      const Model =
        family === 'qwen2-vl' ? Qwen2VLForConditionalGeneration : Qwen2_5_VLForConditionalGeneration;
      const model = await Model.from_pretrained(id, {
        local_files_only: true,
        dtype: 'fp32',
        session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 },
      });
      const processor = await AutoProcessor.from_pretrained(id, { local_files_only: true });
      const messages = [
        { role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Describe this image.' }] },
      ];
      const prompt = processor.apply_chat_template(messages, { add_generation_prompt: true });
      assert.equal(
        prompt,
        '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n' +
          '<|vision_start|><|image_pad|><|vision_end|>Describe this image.<|im_end|>\n<|im_start|>assistant\n',
      );

      const run = async (variant: number): Promise<number[]> => {
        const inputs = (await processor(prompt, testImage(variant))) as Record<string, Tensor>;
        const inputIds = inputs.input_ids;
        assert.ok(inputIds && inputs.pixel_values && inputs.image_grid_thw);
        // 100×80 → smart_resize 112×84 → grid 1×6×8 → 48 patch rows, 12 image tokens.
        assert.deepEqual(inputs.pixel_values.dims, [48, 1176]);
        assert.deepEqual(toNumbers(inputs.image_grid_thw), [1, 6, 8]);
        assert.equal(toNumbers(inputIds).filter((v) => v === QWEN_TOKENS.imagePad).length, 12);
        const output = await model.generate({
          ...inputs,
          max_new_tokens: NEW_TOKENS,
          do_sample: false,
          repetition_penalty: 1.0,
        });
        assert.ok(output instanceof Tensor);
        return toNumbers(output).slice(inputIds.dims[1]);
      };

      const tokens = await run(0);
      t.diagnostic(`${family} greedy tokens: ${tokens.join(',')}`);
      t.diagnostic(
        `${family} text: ${JSON.stringify(processor.batch_decode([tokens], { skip_special_tokens: false })[0])}`,
      );
      assert.equal(tokens.length, NEW_TOKENS);
      assert.ok(new Set(tokens).size >= NEW_TOKENS / 2, `varied tokens (${new Set(tokens).size} distinct)`);
      assert.ok(
        tokens.every((v) => v < QWEN_TOKENS.endOfText),
        'only ordinary BPE tokens',
      );

      // The image really flows through the vision encoder into the decoder.
      const other = await run(1);
      assert.notDeepEqual(other, tokens, 'a different image changes the generation');
      await model.dispose();
    });
  });
}
