// Public surface of the documents room: the engine factory and the interface services codes against.
export type {
  DocumentEngine,
  DocumentHandle,
  OpenedInfo,
  OpenOptions,
  RawImage,
  RenderOptions,
} from './api.js';
export { createDocumentEngine, type DocumentEngineOptions } from './engine.js';
