// Cross-checks the generated folders against an independent consumer: transformers.js 4.x loads them with its own
// Qwen2-VL / Qwen2.5-VL / Qwen3-VL classes, processor and tokenizer, and greedy-generates from an image + text prompt.
import assert from 'node:assert/strict';
import { basename, dirname } from 'node:path';
import { describe, test } from 'node:test';
import {
  AutoProcessor,
  AutoTokenizer,
  Qwen2VLForConditionalGeneration,
  Qwen2_5_VLForConditionalGeneration,
  Qwen3VLForConditionalGeneration,
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
        family === 'qwen2-vl'
          ? Qwen2VLForConditionalGeneration
          : family === 'qwen3-vl'
            ? Qwen3VLForConditionalGeneration
            : Qwen2_5_VLForConditionalGeneration;
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
      // Qwen3-VL's template has no default system prompt.
      assert.equal(
        prompt,
        (family === 'qwen3-vl' ? '' : '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n') +
          '<|im_start|>user\n' +
          '<|vision_start|><|image_pad|><|vision_end|>Describe this image.<|im_end|>\n<|im_start|>assistant\n',
      );
      // 100×80 → smart_resize 112×84 (factor 28) → grid 1×6×8 → 48 patch rows, 12 image tokens; Qwen3-VL (factor 32):
      // transformers.js' Math.round takes 80/32 = 2.5 up to 96 (Python's round: 64) → 96×96 → grid 1×6×6, 9 tokens.
      const want =
        family === 'qwen3-vl'
          ? { dims: [36, 1536], grid: [1, 6, 6], tokens: 9 }
          : { dims: [48, 1176], grid: [1, 6, 8], tokens: 12 };

      const run = async (variant: number): Promise<number[]> => {
        const inputs = (await processor(prompt, testImage(variant))) as Record<string, Tensor>;
        const inputIds = inputs.input_ids;
        assert.ok(inputIds && inputs.pixel_values && inputs.image_grid_thw);
        assert.deepEqual(inputs.pixel_values.dims, want.dims);
        assert.deepEqual(toNumbers(inputs.image_grid_thw), want.grid);
        assert.equal(toNumbers(inputIds).filter((v) => v === QWEN_TOKENS.imagePad).length, want.tokens);
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

test('transformers.js runs the _fp16 graphs (dtype fp16)', async (t) => {
  const { id } = await load('qwen2.5-vl');
  const model = await Qwen2_5_VLForConditionalGeneration.from_pretrained(id, {
    local_files_only: true,
    dtype: 'fp16',
    session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 },
  });
  const processor = await AutoProcessor.from_pretrained(id, { local_files_only: true });
  const messages = [
    { role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Describe this image.' }] },
  ];
  const prompt = processor.apply_chat_template(messages, { add_generation_prompt: true });
  const inputs = (await processor(prompt, testImage(0))) as Record<string, Tensor>;
  const output = await model.generate({
    ...inputs,
    max_new_tokens: NEW_TOKENS,
    do_sample: false,
    repetition_penalty: 1.0,
  });
  assert.ok(output instanceof Tensor && inputs.input_ids);
  const tokens = toNumbers(output).slice(inputs.input_ids.dims[1]);
  t.diagnostic(`qwen2.5-vl fp16 greedy tokens: ${tokens.join(',')}`);
  assert.equal(tokens.length, NEW_TOKENS);
  assert.ok(new Set(tokens).size >= NEW_TOKENS / 2);
  await model.dispose();
});

/** Qwen2-VL model instance methods this file calls directly (not in transformers.js' public typings). */
interface RopeIndex {
  get_rope_index(
    inputIds: Tensor,
    imageGridThw: Tensor | null,
    videoGridThw: Tensor | null,
    attentionMask: Tensor,
  ): [Tensor, Tensor];
}

function hasRopeIndex(value: unknown): value is RopeIndex {
  // transformers.js models are callable (typeof "function"), so look the method up rather than test for an object.
  return typeof (value as Partial<RopeIndex> | null)?.get_rope_index === 'function';
}

test('reference doc vectors (§2.3 patch layout, §4 positions, §5.3.1 text-only delta) hold in transformers.js', async () => {
  const { id } = await load('qwen2-vl');
  const processor = await AutoProcessor.from_pretrained(id, { local_files_only: true });
  const model = await Qwen2VLForConditionalGeneration.from_pretrained(id, {
    local_files_only: true,
    dtype: 'fp32',
    session_options: { intraOpNumThreads: 1 },
  });
  assert.ok(hasRopeIndex(model));

  // §2.3: 224×224 white image → pixel_values [256, 1176], grid [1, 16, 16], an 89-token prompt.
  const white = new RawImage(new Uint8ClampedArray(224 * 224 * 3).fill(255), 224, 224, 3);
  const messages = [
    { role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Describe this image.' }] },
  ];
  const prompt = processor.apply_chat_template(messages, { add_generation_prompt: true });
  const inputs = (await processor(prompt, white)) as Record<string, Tensor>;
  const { input_ids: ids, attention_mask: mask, image_grid_thw: grid, pixel_values: pv } = inputs;
  assert.ok(ids && mask && grid && pv);
  assert.deepEqual(pv.dims, [256, 1176]);
  assert.deepEqual(toNumbers(grid), [1, 16, 16]);
  assert.equal(ids.dims[1], 89);

  // §4: image tokens at 15..78 get t = 15, h = 15 + row, w = 15 + col; <|vision_end|> (79) → 23; last → 32; delta −56.
  const [positions, delta] = model.get_rope_index(ids, grid, null, mask);
  const pos = toNumbers(positions);
  const row = (r: number, i: number): number => pos[r * 89 + i] ?? NaN;
  assert.equal(toNumbers(ids)[14], QWEN_TOKENS.visionStart);
  assert.deepEqual([row(0, 14), row(1, 14), row(2, 14)], [14, 14, 14]);
  assert.deepEqual([row(0, 15 + 9), row(1, 15 + 9), row(2, 15 + 9)], [15, 16, 16]); // image token (row 1, col 1)
  assert.deepEqual([row(0, 78), row(1, 78), row(2, 78)], [15, 22, 22]);
  assert.deepEqual([row(0, 79), row(0, 88)], [23, 32]);
  assert.deepEqual(toNumbers(delta), [-56]);

  // §2.3 within-row layout: value (c, t, y, x) of patch (ph, pw) sits at row r(ph, pw), column c·392 + t·196 + y·14 + x.
  const size = 56;
  const data = new Uint8ClampedArray(size * size * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + Math.floor(i / 3) * 3) % 256;
  const imageProcessor = processor.image_processor;
  assert.ok(imageProcessor);
  const { pixel_values: patches } = (await imageProcessor(new RawImage(data, size, size, 3))) as Record<
    string,
    Tensor
  >;
  assert.ok(patches);
  const flat = patches.data as Float32Array;
  const mean = [0.48145466, 0.4578275, 0.40821073];
  const std = [0.26862954, 0.26130258, 0.27577711];
  let maxErr = 0;
  for (let ph = 0; ph < 4; ph++) {
    for (let pw = 0; pw < 4; pw++) {
      const r = ((Math.floor(ph / 2) * 2 + Math.floor(pw / 2)) * 2 + (ph % 2)) * 2 + (pw % 2);
      for (let c = 0; c < 3; c++) {
        for (let t = 0; t < 2; t++) {
          for (let y = 0; y < 14; y++) {
            for (let x = 0; x < 14; x++) {
              const raw = data[((ph * 14 + y) * size + pw * 14 + x) * 3 + c] ?? 0;
              const want = (raw / 255 - (mean[c] ?? 0)) / (std[c] ?? 1);
              maxErr = Math.max(
                maxErr,
                Math.abs(want - (flat[r * 1176 + c * 392 + t * 196 + y * 14 + x] ?? NaN)),
              );
            }
          }
        }
      }
    }
  }
  assert.ok(maxErr < 1e-5, `patch layout matches the doc formula (max err ${maxErr})`);

  // §5.3.1: transformers.js 4.3 text-only rope delta is max + 1 + len (Python: max + 1 − len = 0).
  const text = processor.apply_chat_template([{ role: 'user', content: 'Hi there' }], {
    add_generation_prompt: true,
  });
  const tokenizer = processor.tokenizer;
  assert.ok(tokenizer && typeof text === 'string');
  const textInputs = tokenizer(text) as Record<string, Tensor>;
  assert.ok(textInputs.input_ids && textInputs.attention_mask);
  const len = textInputs.input_ids.dims[1] ?? 0;
  const [, textDelta] = model.get_rope_index(textInputs.input_ids, null, null, textInputs.attention_mask);
  assert.deepEqual(
    toNumbers(textDelta),
    [2 * len],
    'transformers.js text-only delta (a known quirk, not Python)',
  );
  await model.dispose();
});
