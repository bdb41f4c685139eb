// One seeded PRNG for everything that must draw the same numbers on every run: sample documents and their
// scan noise, the labelled date set, synthetic OCR pages, tiny-model weights, the VLM's seeded sampling and
// property tests. Written by hand because it is eight lines and must never change under a dependency bump
// (a different stream would change every generated fixture and model).

/** mulberry32: 32-bit state, uniform in [0, 1), fully deterministic for a seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
