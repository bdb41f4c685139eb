// The Qwen3-VL family: Qwen2-VL's processor at patch 16 with mean/std 0.5, the same image rope index (interleaved
// M-RoPE lives inside the decoder graph), the official template without a system prompt, `bbox_2d` JSON in relative
// 0–1000, and DeepStack fed whenever the graphs carry it (docs/families.md).
import { FAMILIES } from '../../../shared/families.js';
import { qwenCommon } from '../qwen2-vl/index.js';
import { objectList } from '../qwen2-vl/template.js';
import type { Preprocessor, VlmFamilyImpl } from '../types.js';
import { QWEN3_VL_CHAT_TEMPLATE } from './chat-template.js';
import { resolveDeepstack } from './deepstack.js';
import { QWEN3_TINY_SIZES } from './tiny.js';

/**
 * Qwen2VLImageProcessorFast as the Qwen3-VL repos configure it (patch 16, mean/std 0.5, 65,536 – 16,777,216 px);
 * keys a folder leaves out take these, normalisation on (transformers.js would skip it).
 */
export const QWEN3_PREPROCESSOR: Preprocessor = {
  patchSize: 16,
  mergeSize: 2,
  temporalPatchSize: 2,
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
  rescale: 1 / 255,
  doRescale: true,
  doNormalize: true,
  minPixels: 65_536,
  maxPixels: 16_777_216,
};

/** The official grounding prompt (Qwen3-VL ODinW eval): categories in one quoted list, boxes as JSON. */
export function qwen3GroundingPrompt(objects: readonly string[]): string {
  return `Locate every instance that belongs to the following categories: '${objectList(objects).join(', ')}'. Report bbox coordinates in JSON format.`;
}

export const qwen3Vl: VlmFamilyImpl = {
  ...qwenCommon,
  id: 'qwen3-vl',
  row: FAMILIES['qwen3-vl'],
  modelTypes: ['qwen3_vl'],
  preprocessorDefaults: QWEN3_PREPROCESSOR,
  graphs: { gridInputs: ['image_grid_thw', 'grid_thw'], deepstack: resolveDeepstack },
  generation: {
    eos: [151645, 151643],
    // Greedy with a repetition penalty: the published top-k 20 / temperature 0.7 sampling gives a different answer
    // each time, and exports without DeepStack are reported to loop.
    sampling: { temperature: 0, repetitionPenalty: 1.05 },
  },
  groundingPrompt: qwen3GroundingPrompt,
  tiny: {
    sizes: QWEN3_TINY_SIZES,
    modelType: 'qwen3_vl',
    architecture: 'Qwen3VLForConditionalGeneration',
    processorClass: 'Qwen3VLProcessor',
    lastAddedToken: 151668,
    chatTemplate: QWEN3_VL_CHAT_TEMPLATE,
  },
};
