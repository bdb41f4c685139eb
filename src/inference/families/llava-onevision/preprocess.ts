// LlavaOnevisionImageProcessor in TypeScript: the single-image AnyRes path (aspect resize onto the chosen
// pinpoint, black padding, row-major tiles, the original squashed as the base image) and the multi-image path
// (gray square padding, one tile), then rescale + SigLIP normalisation to [N, 3, T, T] float32.
import sharp from 'sharp';
import { AppError } from '../../../shared/errors.js';
import type { OvLayout } from '../../../anyres/anyres-grid.js';

export interface OvPixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

export interface OvNormalisation {
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  rescale: number;
}

/** SigLIP's processor values (preprocessor_config.json of llava-onevision-qwen2-0.5b-ov-hf). */
export const SIGLIP_NORMALISATION: OvNormalisation = {
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
  rescale: 1 / 255,
};

/** RGB of `img` (alpha composited over white), resized to w×h with Pillow-like antialiased bicubic. */
async function resized(img: OvPixels, width: number, height: number): Promise<Buffer> {
  let p = sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } });
  if (img.channels === 4) p = p.flatten({ background: '#ffffff' });
  if (width !== img.width || height !== img.height)
    p = p.resize(width, height, { kernel: 'cubic', fit: 'fill' });
  const { data, info } = await p.raw().toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 3) {
    throw new AppError(
      'internal',
      `resize gave ${info.width}×${info.height}×${info.channels}, not RGB ${width}×${height}`,
    );
  }
  return data;
}

/** Writes a T×T window of an RGB canvas (top-left x, y) as normalised CHW planes at `out[offset…]`. */
function writeTile(
  canvas: Uint8Array,
  canvasWidth: number,
  x0: number,
  y0: number,
  T: number,
  lut: Float32Array[],
  out: Float32Array,
  offset: number,
): void {
  const plane = T * T;
  for (let y = 0; y < T; y++) {
    const row = ((y0 + y) * canvasWidth + x0) * 3;
    for (let x = 0; x < T; x++) {
      const s = row + x * 3;
      const d = offset + y * T + x;
      out[d] = lut[0]![canvas[s]!]!;
      out[d + plane] = lut[1]![canvas[s + 1]!]!;
      out[d + 2 * plane] = lut[2]![canvas[s + 2]!]!;
    }
  }
}

/**
 * pixel_values of one image, [layout.visionTiles, 3, T, T] flattened: the base image (the original squashed to
 * T×T; for the multi-image path the gray-padded square), then the tiles of the padded canvas, rows top to bottom.
 */
export async function ovPixelValues(
  img: OvPixels,
  layout: OvLayout,
  tile: number,
  norm: OvNormalisation = SIGLIP_NORMALISATION,
): Promise<Float32Array> {
  if (img.width !== layout.original.width || img.height !== layout.original.height) {
    throw new AppError(
      'internal',
      `image is ${img.width}×${img.height}, the layout was made for another size`,
    );
  }
  const lut = [0, 1, 2].map((c) => {
    const t = new Float32Array(256);
    // Float32 steps, as the processor's float32 arrays: x·(1/255), then (x − mean) / std.
    for (let v = 0; v < 256; v++)
      t[v] = Math.fround((Math.fround(v * norm.rescale) - norm.mean[c]!) / norm.std[c]!);
    return t;
  });
  const T = tile;
  const out = new Float32Array(layout.visionTiles * 3 * T * T);
  if (!layout.tiled) {
    // pad_to_square with background int(0.5·255) = 127, centred, then resize to T×T.
    const side = Math.max(img.width, img.height);
    let p = sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } });
    if (img.channels === 4) p = p.flatten({ background: '#ffffff' });
    const squared = await p
      .extend({ ...layout.pad, background: { r: 127, g: 127, b: 127 } })
      .raw()
      .toBuffer();
    const base = await resized({ data: squared, width: side, height: side, channels: 3 }, T, T);
    writeTile(base, T, 0, 0, T, lut, out, 0);
    return out;
  }
  writeTile(await resized(img, T, T), T, 0, 0, T, lut, out, 0);
  const fit = await resized(img, layout.resized.width, layout.resized.height);
  const { width: cw, height: ch } = layout.canvas;
  // Pad with 0 (black) before normalisation (`_pad_for_patching`: constant 0).
  const canvas = new Uint8Array(cw * ch * 3);
  for (let y = 0; y < layout.resized.height; y++) {
    const src = y * layout.resized.width * 3;
    canvas.set(
      fit.subarray(src, src + layout.resized.width * 3),
      ((y + layout.pad.top) * cw + layout.pad.left) * 3,
    );
  }
  let o = 3 * T * T;
  for (let r = 0; r < layout.rows; r++) {
    for (let c = 0; c < layout.cols; c++) {
      writeTile(canvas, cw, c * T, r * T, T, lut, out, o);
      o += 3 * T * T;
    }
  }
  return out;
}
