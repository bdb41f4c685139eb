// The Qwen2-VL and Qwen2.5-VL families (one folder: same processor, rope index and graphs; they differ in the
// grid input's name, the grounding phrasing and coordinate space, and the tokenizer's last added token).
import { smartResize } from '../../../anyres/smart-resize.js';
import { FAMILIES } from '../../../shared/families.js';
import type { Preprocessor, VlmFamilyImpl } from '../types.js';
import { parseGrounding } from './output.js';
import { preprocessImage } from './preprocess.js';
import { getRopeIndex } from './rope-index.js';
import { jsonGroundingPrompt, QWEN2_VL_CHAT_TEMPLATE, qwen2VlGroundingPrompt } from './template.js';
import { QWEN2_TINY_SIZES } from './tiny.js';

const CLIP_MEAN: [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD: [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

/** Qwen2VLImageProcessor's class defaults (transformers 4.57): CLIP mean/std, 56² – 28²·1280 px. */
export const QWEN2_PREPROCESSOR: Preprocessor = {
  patchSize: 14,
  mergeSize: 2,
  temporalPatchSize: 2,
  mean: CLIP_MEAN,
  std: CLIP_STD,
  rescale: 1 / 255,
  doRescale: true,
  doNormalize: true,
  minPixels: 56 * 56,
  maxPixels: 28 * 28 * 1280,
};

/** The parts every Qwen-VL family from 2 on shares. */
export const qwenCommon = {
  inputSize(
    height: number,
    width: number,
    pre: Preprocessor,
    limits: { minPixels: number; maxPixels: number },
  ) {
    return smartResize(height, width, { factor: pre.patchSize * pre.mergeSize, ...limits });
  },
  preprocess: preprocessImage,
  ropeIndex: getRopeIndex,
  decode: parseGrounding,
  generation: { eos: [151645, 151643] },
} as const;

export const qwen2Vl: VlmFamilyImpl = {
  ...qwenCommon,
  id: 'qwen2-vl',
  row: FAMILIES['qwen2-vl'],
  modelTypes: ['qwen2_vl'],
  preprocessorDefaults: QWEN2_PREPROCESSOR,
  graphs: { gridInputs: ['grid_thw', 'image_grid_thw'] },
  groundingPrompt: qwen2VlGroundingPrompt,
  tiny: {
    sizes: QWEN2_TINY_SIZES,
    modelType: 'qwen2_vl',
    architecture: 'Qwen2VLForConditionalGeneration',
    processorClass: 'Qwen2VLProcessor',
    lastAddedToken: 151656,
    chatTemplate: QWEN2_VL_CHAT_TEMPLATE,
  },
};

export const qwen25Vl: VlmFamilyImpl = {
  ...qwenCommon,
  id: 'qwen2.5-vl',
  row: FAMILIES['qwen2.5-vl'],
  modelTypes: ['qwen2_5_vl'],
  preprocessorDefaults: QWEN2_PREPROCESSOR,
  graphs: { gridInputs: ['image_grid_thw', 'grid_thw'] },
  groundingPrompt: jsonGroundingPrompt,
  tiny: {
    sizes: QWEN2_TINY_SIZES,
    modelType: 'qwen2_5_vl',
    architecture: 'Qwen2_5_VLForConditionalGeneration',
    processorClass: 'Qwen2_5_VLProcessor',
    lastAddedToken: 151664,
    chatTemplate: QWEN2_VL_CHAT_TEMPLATE,
  },
};
