// A tiny seeded PRNG so noise, speckle and any jitter in the samples are identical on every run.

export { mulberry32 } from '../../src/shared/prng.js';

/** Standard normal samples (Box–Muller) from a uniform source. */
export function gaussian(rand: () => number): () => number {
  return () => {
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}
