// Qwen2VLImageProcessor in TypeScript (Qwen2-VL, Qwen2.5-VL and — with patch 16 — Qwen3-VL): RGB → smart_resize
// (Python rounding, src/anyres) → antialiased bicubic resize (sharp) → rescale + normalisation → patch rows
// (3·2·p² long) in the 2×2 merge-block order.
import sharp from 'sharp';
import { padToFactor, smartResize } from '../../../anyres/smart-resize.js';
import { AppError } from '../../../shared/errors.js';
import type { Preprocessed, PreprocessOptions, Preprocessor, RawPixels } from '../types.js';

export type { Preprocessed, PreprocessOptions, RawPixels } from '../types.js';

/** HF Python raises below 10 px (older versions below 28); a few pixels carry nothing a model could read. */
export const MIN_IMAGE_SIDE = 10;

export function checkImage(img: RawPixels, index = 0): void {
  const name = `image ${index + 1}`;
  if (!(img.data instanceof Uint8Array))
    throw new AppError('invalid_input', `${name}: data must be a Uint8Array`);
  if (img.channels !== 3 && img.channels !== 4) {
    throw new AppError(
      'invalid_input',
      `${name}: channels must be 3 (RGB) or 4 (RGBA), got ${String(img.channels)}`,
    );
  }
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width < 1 || img.height < 1) {
    throw new AppError('invalid_input', `${name}: width and height must be positive integers`);
  }
  if (img.data.length !== img.width * img.height * img.channels) {
    throw new AppError(
      'invalid_input',
      `${name}: ${img.data.length} bytes do not make a ${img.width}×${img.height}×${img.channels} image`,
    );
  }
  if (Math.min(img.width, img.height) < MIN_IMAGE_SIDE) {
    throw new AppError(
      'invalid_input',
      `${name} is too small (${img.width}×${img.height}); the model needs at least ${MIN_IMAGE_SIDE} px on each side`,
    );
  }
}

/** The model-input RGB raster (h'×w'×3, uint8) and its size, before normalisation. */
export async function resizeForModel(
  img: RawPixels,
  opts: PreprocessOptions,
  factor: number,
): Promise<{ rgb: Uint8Array; width: number; height: number }> {
  // smartResize throws invalid_input for an aspect ratio over 200:1 and pads sides under `factor`.
  const target = smartResize(img.height, img.width, {
    factor,
    minPixels: opts.minPixels,
    maxPixels: opts.maxPixels,
  });
  const canvas = padToFactor(img.height, img.width, factor);
  let pipeline = sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } });
  if (img.channels === 4) {
    pipeline = opts.alpha === 'white' ? pipeline.flatten({ background: '#ffffff' }) : pipeline.removeAlpha();
  }
  if (canvas.width !== img.width || canvas.height !== img.height) {
    // Pad right/bottom (src/anyres planned the transform that way), then start a new pipeline so the resize
    // sees the padded canvas.
    const padded = await pipeline
      .extend({
        right: canvas.width - img.width,
        bottom: canvas.height - img.height,
        background: '#ffffff',
      })
      .raw()
      .toBuffer();
    pipeline = sharp(padded, { raw: { width: canvas.width, height: canvas.height, channels: 3 } });
  }
  if (target.width !== canvas.width || target.height !== canvas.height) {
    // NOTE: transformers.js resizes with sharp `affine` (bicubic, corner-aligned, no antialiasing), which is half
    // a pixel off Pillow and aliases on downscales; Python's processor uses Pillow's antialiased, centre-aligned
    // bicubic, which libvips' `resize` with the cubic (Catmull-Rom) kernel follows.
    pipeline = pipeline.resize(target.width, target.height, { kernel: 'cubic', fit: 'fill' });
  }
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  if (info.width !== target.width || info.height !== target.height || info.channels !== 3) {
    throw new AppError(
      'internal',
      `resize produced ${info.width}×${info.height}×${info.channels}, expected RGB ${target.width}×${target.height}`,
    );
  }
  return {
    rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: target.width,
    height: target.height,
  };
}

/**
 * Normalises an RGB raster and flattens it into patch rows exactly as Qwen2VLImageProcessor does: the frame is
 * repeated `temporal_patch_size` times; row r holds patch (ph, pw) with
 * r = ((⌊ph/m⌋·(gw/m) + ⌊pw/m⌋)·m + ph mod m)·m + pw mod m, and inside a row index c·T·p² + t·p² + y·p + x.
 */
export function patchify(
  rgb: Uint8Array,
  width: number,
  height: number,
  pre: Pick<
    Preprocessor,
    'patchSize' | 'mergeSize' | 'temporalPatchSize' | 'mean' | 'std' | 'rescale' | 'doRescale' | 'doNormalize'
  >,
): Preprocessed {
  const p = pre.patchSize;
  const m = pre.mergeSize;
  const T = pre.temporalPatchSize;
  const gh = height / p;
  const gw = width / p;
  if (!Number.isInteger(gh / m) || !Number.isInteger(gw / m)) {
    throw new AppError('internal', `${width}×${height} is not a multiple of ${p * m}`);
  }
  const rowLength = 3 * T * p * p;
  const rows = gh * gw;
  const out = new Float32Array(rows * rowLength);
  // Per-channel affine map of a byte value, computed in float32 steps like the JS/Python processors.
  const lut: Float32Array[] = [0, 1, 2].map((c) => {
    const t = new Float32Array(256);
    for (let v = 0; v < 256; v++) {
      let x = Math.fround(v);
      if (pre.doRescale) x = Math.fround(x * pre.rescale);
      if (pre.doNormalize) x = Math.fround((x - pre.mean[c]!) / pre.std[c]!);
      t[v] = x;
    }
    return t;
  });
  const frame = p * p;
  const gwm = gw / m;
  for (let ph = 0; ph < gh; ph++) {
    for (let pw = 0; pw < gw; pw++) {
      const r = ((Math.floor(ph / m) * gwm + Math.floor(pw / m)) * m + (ph % m)) * m + (pw % m);
      const rowBase = r * rowLength;
      for (let y = 0; y < p; y++) {
        const src = ((ph * p + y) * width + pw * p) * 3;
        for (let x = 0; x < p; x++) {
          const s = src + x * 3;
          for (let c = 0; c < 3; c++) {
            const v = lut[c]![rgb[s + c]!]!;
            const at = rowBase + c * T * frame + y * p + x;
            for (let t = 0; t < T; t++) out[at + t * frame] = v;
          }
        }
      }
    }
  }
  return {
    pixelValues: out,
    rows,
    rowLength,
    grid: { t: 1, h: gh, w: gw },
    width,
    height,
    tokens: rows / (m * m),
  };
}

export async function preprocessImage(
  img: RawPixels,
  pre: Preprocessor,
  opts: PreprocessOptions,
): Promise<Preprocessed> {
  const factor = pre.patchSize * pre.mergeSize;
  const { rgb, width, height } = await resizeForModel(img, opts, factor);
  return patchify(rgb, width, height, pre);
}
