// The VLM engine's public face for src/services: load a model folder of any registered family, generate (stream,
// cancel, cached follow-ups), ask for boxes in each family's words and decode them.
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
export type { ChatMessage, ContentPart } from './prompt.js';
export { decodeOutput, familyImpl, groundingPrompt } from '../families/index.js';
export type { Sampling } from './sampling.js';
export type { DecodedOutput, ImageGrid, RopeIndex } from '../families/index.js';
