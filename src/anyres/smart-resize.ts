// Qwen2-VL / Qwen2.5-VL `smart_resize`, bit-for-bit with the Python processors (HF Qwen2VLImageProcessor and
// qwen-vl-utils), so the token count we plan is the one the model sees and bbox_2d pixels map back exactly.
import { AppError } from '../shared/errors.js';

/** Vision patch 14 × spatial merge 2: both output sides are multiples of this. */
export const QWEN_FACTOR = 28;
/** preprocessor_config.json of Qwen2-VL / Qwen2.5-VL: min_pixels = 56·56. */
export const QWEN_MIN_PIXELS = 56 * 56;
/** HF class default (28·28·1280 = 1,003,520, i.e. 1280 image tokens); the repo config's 12.8 MP is unusable here. */
export const QWEN_DEFAULT_MAX_PIXELS = 28 * 28 * 1280;
/** smart_resize rejects max(h, w) / min(h, w) above this. */
export const QWEN_MAX_RATIO = 200;

export interface SmartResizeOptions {
  factor?: number;
  minPixels?: number;
  maxPixels?: number;
}

export interface HW {
  height: number;
  width: number;
}

/** Python 3 `round(x)`: nearest integer, ties to even (JS `Math.round` rounds ties up). */
export function roundHalfToEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

function checkPositive(name: string, v: number): void {
  if (!Number.isFinite(v) || v <= 0)
    throw new AppError('invalid_input', `${name} must be a positive number, got ${v}`);
}

/**
 * The canvas an image is padded onto before smart_resize: sides below `factor` grow to `factor`
 * (content at the top-left, padding right/bottom).
 * NOTE: HF Python raises for sides < 10 (older versions < 28), qwen-vl-utils clamps the rounded side to 28,
 * transformers.js upscales the short side; we pad instead so the content is not distorted and the
 * transform to page space stays a pure scale.
 */
export function padToFactor(height: number, width: number, factor = QWEN_FACTOR): HW {
  return { height: Math.max(height, factor), width: Math.max(width, factor) };
}

/**
 * smart_resize(height, width) → { height, width } of the model input, like Python's
 * `smart_resize(height, width, factor, min_pixels, max_pixels)` (argument order and float operations kept).
 * Throws AppError('invalid_input') when the aspect ratio exceeds 200 (checked on the unpadded size, as Python does).
 * Images with a side under `factor` are first padded up to it (see padToFactor).
 */
export function smartResize(height: number, width: number, opts: SmartResizeOptions = {}): HW {
  const factor = opts.factor ?? QWEN_FACTOR;
  const minPixels = opts.minPixels ?? QWEN_MIN_PIXELS;
  const maxPixels = opts.maxPixels ?? QWEN_DEFAULT_MAX_PIXELS;
  checkPositive('height', height);
  checkPositive('width', width);
  checkPositive('factor', factor);
  checkPositive('minPixels', minPixels);
  checkPositive('maxPixels', maxPixels);
  if (minPixels > maxPixels) {
    throw new AppError('invalid_input', `minPixels (${minPixels}) must not exceed maxPixels (${maxPixels})`);
  }
  const ratio = Math.max(height, width) / Math.min(height, width);
  if (ratio > QWEN_MAX_RATIO) {
    throw new AppError(
      'invalid_input',
      `image aspect ratio ${ratio.toFixed(1)}:1 (${width}×${height}) is above ${QWEN_MAX_RATIO}:1, which Qwen-VL models do not accept; crop the image first`,
    );
  }
  const padded = padToFactor(height, width, factor);
  const h = padded.height;
  const w = padded.width;
  let hBar = Math.max(factor, roundHalfToEven(h / factor) * factor);
  let wBar = Math.max(factor, roundHalfToEven(w / factor) * factor);
  if (hBar * wBar > maxPixels) {
    const beta = Math.sqrt((h * w) / maxPixels);
    hBar = Math.max(factor, Math.floor(h / beta / factor) * factor);
    wBar = Math.max(factor, Math.floor(w / beta / factor) * factor);
  } else if (hBar * wBar < minPixels) {
    const beta = Math.sqrt(minPixels / (h * w));
    hBar = Math.ceil((h * beta) / factor) * factor;
    wBar = Math.ceil((w * beta) / factor) * factor;
  }
  return { height: hBar, width: wBar };
}

/** Number of `<|image_pad|>` tokens for a smart_resized input: (h/28)·(w/28) (one per merged 2×2 patch block). */
export function qwenImageTokens(size: HW, factor = QWEN_FACTOR): number {
  return (size.height / factor) * (size.width / factor);
}
