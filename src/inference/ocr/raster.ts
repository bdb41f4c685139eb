// Pixel work the PP-OCR models need, done in plain TypeScript so the OCR path is synchronous, allocation-light
// and has no native image dependency: flatten to RGB, and warp any parallelogram of the page (a scaled page
// tile, a rotated text line) into a normalised, BGR, CHW float tensor in one pass.
import type { OcrImage, Quad } from './types.js';

/** Opaque interleaved RGB. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Drops alpha by compositing over white (scanned pages and rendered PDFs are opaque; transparent PNGs read as paper). */
export function toRgb(image: OcrImage): RgbImage {
  const { width, height, channels, data } = image;
  if (channels === 3) return { data, width, height };
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; j < out.length; i += 4, j += 3) {
    const a = data[i + 3] ?? 255;
    const k = 255 - a;
    out[j] = ((data[i] ?? 0) * a + 255 * k + 127) / 255;
    out[j + 1] = ((data[i + 1] ?? 0) * a + 255 * k + 127) / 255;
    out[j + 2] = ((data[i + 2] ?? 0) * a + 255 * k + 127) / 255;
  }
  return { data: out, width, height };
}

/** Per-channel normalisation in the model's channel order (B, G, R), as PaddleOCR applies it to cv2's BGR. */
export interface Norm {
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/**
 * Where one output tensor is written: `out` is [N, 3, H, stride] float32 and this image fills rows 0..outH-1,
 * columns 0..outW-1 of batch item `item`.
 */
export interface TensorSlot {
  out: Float32Array;
  item: number;
  height: number;
  stride: number;
}

/**
 * Samples the parallelogram spanned by quad[0] (top-left), quad[1] (top-right) and quad[3] (bottom-left) into
 * an outW×outH tensor slot. Sampling is bilinear with edge replication (cv2.BORDER_REPLICATE, as PaddleOCR's
 * crop), and supersampled k×k when the warp shrinks by more than 1.5× so small output stays anti-aliased.
 */
export function warpToTensor(
  src: RgbImage,
  quad: Quad,
  outW: number,
  outH: number,
  norm: Norm,
  slot: TensorSlot,
): void {
  const [tl, tr, , bl] = quad;
  // Source position of output pixel centre (u, v): tl + (u/outW)·(tr−tl) + (v/outH)·(bl−tl), in pixel-centre terms.
  const ax = (tr[0] - tl[0]) / outW;
  const ay = (tr[1] - tl[1]) / outW;
  const bx = (bl[0] - tl[0]) / outH;
  const by = (bl[1] - tl[1]) / outH;
  const ox = tl[0] - 0.5;
  const oy = tl[1] - 0.5;
  const shrink = Math.max(Math.hypot(ax, ay), Math.hypot(bx, by));
  const k = shrink > 1.5 ? Math.min(4, Math.ceil(shrink)) : 1;
  const inv = 1 / (k * k);
  const { data, width: W, height: H } = src;
  const maxX = W - 1;
  const maxY = H - 1;
  const s0 = 1 / (255 * norm.std[0]);
  const s1 = 1 / (255 * norm.std[1]);
  const s2 = 1 / (255 * norm.std[2]);
  const m0 = norm.mean[0] / norm.std[0];
  const m1 = norm.mean[1] / norm.std[1];
  const m2 = norm.mean[2] / norm.std[2];
  const plane = slot.height * slot.stride;
  const base = slot.item * 3 * plane;
  const out = slot.out;
  for (let v = 0; v < outH; v++) {
    const row = base + v * slot.stride;
    for (let u = 0; u < outW; u++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sj = 0; sj < k; sj++) {
        const fv = v + (sj + 0.5) / k;
        for (let si = 0; si < k; si++) {
          const fu = u + (si + 0.5) / k;
          let x = ox + fu * ax + fv * bx;
          let y = oy + fu * ay + fv * by;
          x = x < 0 ? 0 : x > maxX ? maxX : x;
          y = y < 0 ? 0 : y > maxY ? maxY : y;
          const x0 = x | 0;
          const y0 = y | 0;
          const x1 = x0 < maxX ? x0 + 1 : x0;
          const y1 = y0 < maxY ? y0 + 1 : y0;
          const wx = x - x0;
          const wy = y - y0;
          const i00 = (y0 * W + x0) * 3;
          const i01 = (y0 * W + x1) * 3;
          const i10 = (y1 * W + x0) * 3;
          const i11 = (y1 * W + x1) * 3;
          const w00 = (1 - wx) * (1 - wy);
          const w01 = wx * (1 - wy);
          const w10 = (1 - wx) * wy;
          const w11 = wx * wy;
          r += data[i00]! * w00 + data[i01]! * w01 + data[i10]! * w10 + data[i11]! * w11;
          g += data[i00 + 1]! * w00 + data[i01 + 1]! * w01 + data[i10 + 1]! * w10 + data[i11 + 1]! * w11;
          b += data[i00 + 2]! * w00 + data[i01 + 2]! * w01 + data[i10 + 2]! * w10 + data[i11 + 2]! * w11;
        }
      }
      // BGR planes, as the models were trained on cv2 images.
      out[row + u] = b * inv * s0 - m0;
      out[row + plane + u] = g * inv * s1 - m1;
      out[row + 2 * plane + u] = r * inv * s2 - m2;
    }
  }
}

/** Fills columns [fromX, stride) of every row of a slot with a constant (the padding PaddleOCR leaves as 0). */
export function padSlot(slot: TensorSlot, fromX: number, value: number): void {
  const plane = slot.height * slot.stride;
  const base = slot.item * 3 * plane;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < slot.height; y++) {
      const row = base + c * plane + y * slot.stride;
      slot.out.fill(value, row + fromX, row + slot.stride);
    }
  }
}

/** Ink darker than this (0–255 luminance, at the 0.5th percentile) and paper lighter than CONTRAST_PAPER need nothing. */
const CONTRAST_INK = 40;
const CONTRAST_PAPER = 215;

/**
 * NOTE: not in PaddleOCR. Faint prints (thermal receipts, light scans, grey paper) reach the detector with
 * grey-on-grey text it half misses. When the page's darkest ink (0.5th luminance percentile) is
 * lighter than CONTRAST_INK or its paper (99.5th) darker than CONTRAST_PAPER, levels are stretched so they
 * become black and white — one linear map of all three channels (colours keep their hue), clipped at both
 * ends. Pages with black ink on white paper come back unchanged (the same object).
 */
export function normalizeContrast(rgb: RgbImage): RgbImage {
  const { data, width, height } = rgb;
  const n = width * height;
  const hist = new Uint32Array(256);
  // Every pixel up to ~1 Mpx, then a stride: the percentiles need no more.
  const step = Math.max(1, Math.floor(n / 1_000_000));
  let count = 0;
  for (let p = 0; p < n; p += step) {
    const i = p * 3;
    hist[(data[i]! * 77 + data[i + 1]! * 150 + data[i + 2]! * 29) >> 8]!++;
    count++;
  }
  const at = (q: number) => {
    const want = q * count;
    let acc = 0;
    for (let v = 0; v < 256; v++) {
      acc += hist[v]!;
      if (acc > want) return v;
    }
    return 255;
  };
  const lo = at(0.005);
  const hi = at(0.995);
  if ((lo <= CONTRAST_INK && hi >= CONTRAST_PAPER) || hi - lo < 24) return rgb;
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) lut[v] = Math.max(0, Math.min(255, Math.round(((v - lo) * 255) / (hi - lo))));
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = lut[data[i]!]!;
  return { data: out, width, height };
}
