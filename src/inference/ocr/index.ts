// The OCR engine's public face for the rest of the backend: create it once, recognise page rasters.
export {
  createOcrEngine,
  defaultModelDir,
  MODEL_FILES,
  OCR_DPI,
  OCR_VERSION,
  ocrFingerprint,
} from './ocr-engine.js';
export type {
  OcrEngine,
  OcrEngineOptions,
  OcrImage,
  OcrResult,
  OcrTimings,
  RecognizeOptions,
} from './types.js';
