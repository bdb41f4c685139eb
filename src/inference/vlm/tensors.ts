// Float16 ⇄ float32 and tensor helpers: onnxruntime-node passes float16 as Uint16Array bit patterns and int64 as
// BigInt64Array, and the engine keeps its own buffers (features, merged embeddings) in float32 whatever the graphs use.
import { Tensor } from 'onnxruntime-node';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half bits → number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** number → IEEE half bits, round to nearest even. */
export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  e = half >> 10;
  return sign | half;
}

export type FloatType = 'float32' | 'float16';

/** A float tensor's values as float32 (a view when it already is float32). */
export function toFloat32(t: Tensor, from = 0, to?: number): Float32Array {
  const data = t.data;
  if (data instanceof Float32Array) return data.subarray(from, to);
  if (data instanceof Uint16Array) {
    const src = data.subarray(from, to);
    const out = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = halfToFloat(src[i]!);
    return out;
  }
  if (ArrayBuffer.isView(data) && !(data instanceof BigInt64Array) && !(data instanceof BigUint64Array)) {
    // A native Float16Array (newer runtimes) reads back as numbers.
    return Float32Array.from(data as unknown as ArrayLike<number>).subarray(from, to);
  }
  throw new Error(`expected a float tensor, got ${t.type}`);
}

export function floatTensor(values: Float32Array, type: FloatType, dims: readonly number[]): Tensor {
  if (type === 'float32') return new Tensor('float32', values, dims);
  const bits = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) bits[i] = floatToHalf(values[i]!);
  return new Tensor('float16', bits, dims);
}

export function int64Tensor(values: ArrayLike<number>, dims: readonly number[]): Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]!);
  return new Tensor('int64', data, dims);
}

export function onesInt64(n: number): Tensor {
  return new Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
}
