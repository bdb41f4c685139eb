// Reads single tensors out of a .safetensors file without loading it (8-byte header length, JSON header, data):
// LLaVA-OneVision's `image_newline` lives only in the checkpoint, outside every ONNX graph of the export. Written
// here because no npm package reads a slice of one tensor from a multi-GB file without mapping all of it.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { AppError } from '../../../shared/errors.js';

interface Entry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const BYTES: Readonly<Record<string, number>> = { F32: 4, F16: 2, BF16: 2 };

function half(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function readAt(fd: number, position: number, length: number, path: string): Buffer {
  const buf = Buffer.alloc(length);
  const got = readSync(fd, buf, 0, length, position);
  if (got !== length)
    throw new AppError('corrupt', `${path} is truncated (wanted ${length} bytes at ${position})`);
  return buf;
}

/** The header's tensor names (metadata excluded). */
export function safetensorsNames(path: string): string[] {
  return Object.keys(readHeader(path).header).filter((k) => k !== '__metadata__');
}

function readHeader(path: string): { header: Record<string, unknown>; dataStart: number } {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    if (size < 8) throw new AppError('corrupt', `${path} is not a safetensors file (${size} bytes)`);
    const n = Number(readAt(fd, 0, 8, path).readBigUInt64LE(0));
    if (n <= 0 || 8 + n > size || n > 100 * 2 ** 20) {
      throw new AppError('corrupt', `${path} is not a safetensors file (header length ${n})`);
    }
    let header: unknown;
    try {
      header = JSON.parse(readAt(fd, 8, n, path).toString('utf8'));
    } catch {
      throw new AppError('corrupt', `${path}: the safetensors header is not valid JSON`);
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) {
      throw new AppError('corrupt', `${path}: the safetensors header is not an object`);
    }
    return { header: header as Record<string, unknown>, dataStart: 8 + n };
  } finally {
    closeSync(fd);
  }
}

/** The first of `names` found in the file, as float32; null when none is there. */
export function readSafetensor(
  path: string,
  names: readonly string[],
): { name: string; shape: number[]; data: Float32Array } | null {
  const { header, dataStart } = readHeader(path);
  const name = names.find((n) => n in header);
  if (!name) return null;
  const e = header[name] as Entry;
  const width = BYTES[e.dtype];
  const count = e.shape.reduce((a, b) => a * b, 1);
  if (!width)
    throw new AppError('corrupt', `${path}: tensor ${name} is ${e.dtype}; F32, F16 or BF16 expected`);
  const [from, to] = e.data_offsets;
  if (to - from !== count * width)
    throw new AppError(
      'corrupt',
      `${path}: tensor ${name} has ${to - from} bytes for shape [${e.shape.join(', ')}]`,
    );
  const fd = openSync(path, 'r');
  let raw: Buffer;
  try {
    raw = readAt(fd, dataStart + from, to - from, path);
  } finally {
    closeSync(fd);
  }
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    if (e.dtype === 'F32') data[i] = raw.readFloatLE(i * 4);
    else if (e.dtype === 'F16') data[i] = half(raw.readUInt16LE(i * 2));
    else data[i] = new Float32Array(new Uint32Array([raw.readUInt16LE(i * 2) << 16]).buffer)[0]!;
  }
  return { name, shape: e.shape, data };
}
