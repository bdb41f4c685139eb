// Deterministic weight generation for the tiny models: every tensor gets its own PRNG stream derived from
// `${seed}/${name}`, using integer-only arithmetic (FNV-1a + mulberry32) so files are byte-identical across runs.
import { mulberry32 } from '../../src/shared/prng.js';

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export { mulberry32 };

export class SeededWeights {
  constructor(private readonly seed: string) {}

  /** Uniform values with the given standard deviation (range ±std·√3) and optional mean. */
  uniform(name: string, count: number, std: number, mean = 0): Float32Array {
    const rand = mulberry32(fnv1a(`${this.seed}/${name}`));
    const half = std * Math.sqrt(3);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = mean + (rand() * 2 - 1) * half;
    return out;
  }

  /** A [inDim, outDim] matrix (ONNX MatMul layout) with std = gain / √inDim. */
  linear(name: string, inDim: number, outDim: number, gain = 1): Float32Array {
    return this.uniform(name, inDim * outDim, gain / Math.sqrt(inDim));
  }

  /** Small random bias. */
  bias(name: string, dim: number, std = 0.02): Float32Array {
    return this.uniform(name, dim, std);
  }

  /** Norm scale around 1. */
  norm(name: string, dim: number): Float32Array {
    return this.uniform(name, dim, 0.05, 1);
  }
}
