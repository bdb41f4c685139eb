// The VLM engine's public face for src/services: load a Qwen2-VL / Qwen2.5-VL folder, generate (stream, cancel,
// cached follow-ups), ask for boxes in each family's words.
export {
  loadVlm,
  type GenerateRequest,
  type GenerateResult,
  type LoadVlmOptions,
  type VlmImage,
  type VlmModel,
  type VlmTimings,
} from './engine.js';
export type { VlmFamily, GraphName } from './model-folder.js';
export { groundingPrompt, type ChatMessage, type ContentPart } from './prompt.js';
export type { Sampling } from './sampling.js';
export { getRopeIndex, type ImageGrid, type RopeIndex } from './rope-index.js';
export { parseAnswerBoxes } from './grounding.js';
