// Test helpers for the VLM engine's tests: deterministic test cards and transformers.js (the reference
// implementation, a devDependency) loaded on the same tiny model folder. Imported by *.test.ts files only.
import { basename, dirname } from 'node:path';
import {
  AutoProcessor,
  Qwen2VLForConditionalGeneration,
  Qwen2_5_VLForConditionalGeneration,
  Qwen3VLForConditionalGeneration,
  RawImage,
  Tensor,
  env,
  type PreTrainedModel,
  type Processor,
} from '@huggingface/transformers';
import type { VlmFamily } from './model-folder.js';

/** A deterministic RGB test card; `variant` changes its pixels. */
export function testCard(width: number, height: number, variant = 0): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * 5 + variant * 60) % 256;
      data[i + 1] = (y * 7 + variant * 11) % 256;
      data[i + 2] = ((x ^ y) * 3 + variant * 90) % 256;
    }
  }
  return data;
}

export interface Reference {
  model: PreTrainedModel;
  processor: Processor;
  /** Greedy ids and the first step's logits (last prompt position) for one image + text, transformers.js end to end. */
  generate(
    image: { data: Uint8Array; width: number; height: number },
    text: string,
    maxNewTokens: number,
  ): Promise<{ tokens: number[]; promptIds: number[]; firstLogits: Float32Array; pixelValues: Float32Array }>;
  dispose(): Promise<void>;
}

export async function loadReference(dir: string, family: VlmFamily): Promise<Reference> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${dirname(dir)}/`;
  const id = basename(dir);
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
  return {
    model,
    processor,
    async generate(image, text, maxNewTokens) {
      const messages = [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text }] }];
      const prompt = processor.apply_chat_template(messages, { add_generation_prompt: true });
      const raw = new RawImage(new Uint8ClampedArray(image.data), image.width, image.height, 3);
      const inputs = (await processor(prompt, raw)) as Record<string, Tensor>;
      const ids = inputs.input_ids;
      const pv = inputs.pixel_values;
      if (!ids || !pv) throw new Error('transformers.js processor returned no input_ids / pixel_values');
      let firstLogits: Float32Array | null = null;
      const capture = (_ids: unknown, logits: Tensor): Tensor => {
        firstLogits ??= Float32Array.from(logits.data as Float32Array);
        return logits;
      };
      const out = await model.generate({
        ...inputs,
        max_new_tokens: maxNewTokens,
        do_sample: false,
        repetition_penalty: 1.0,
        logits_processor: [capture] as never,
      });
      if (!(out instanceof Tensor)) throw new Error('transformers.js generate returned no tensor');
      const all = Array.from(out.data as BigInt64Array, Number);
      const promptIds = Array.from(ids.data as BigInt64Array, Number);
      if (!firstLogits) throw new Error('no logits captured');
      return {
        tokens: all.slice(promptIds.length),
        promptIds,
        firstLogits,
        pixelValues: Float32Array.from(pv.data as Float32Array),
      };
    },
    dispose: async () => {
      await model.dispose();
    },
  };
}
