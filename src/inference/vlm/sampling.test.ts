// The sampler against a plain reference (sort the whole row, walk it) and against the distribution it must draw
// from: the partial selection must never change which id a seed picks.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { mulberry32 } from '../../shared/prng.js';
import { TokenSampler, topKIndices, type Sampling } from './sampling.js';

/** The sampler as first written: the whole row sorted, then top-k, nucleus and the draw over that order. */
function reference(logits: Float32Array, s: Sampling, u: number): number {
  const t = s.temperature ?? 1;
  const all = Array.from(logits.keys()).sort((a, b) => logits[b]! - logits[a]! || a - b);
  const order = s.topK && s.topK < all.length ? all.slice(0, s.topK) : all;
  const top = logits[order[0]!]!;
  const w = order.map((id) => Math.exp((logits[id]! - top) / t));
  const total = w.reduce((a, b) => a + b, 0);
  let keep = order.length;
  if ((s.topP ?? 1) < 1) {
    let cum = 0;
    for (let i = 0; i < order.length; i++) {
      cum += w[i]! / total;
      if (cum >= s.topP!) {
        keep = i + 1;
        break;
      }
    }
  }
  const keptTotal = w.slice(0, keep).reduce((a, b) => a + b, 0);
  let r = u * keptTotal;
  for (let i = 0; i < keep; i++) {
    r -= w[i]!;
    if (r < 0) return order[i]!;
  }
  return order[keep - 1]!;
}

function row(n: number, seed: number, spread: number): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rand() - 0.5) * spread;
  return out;
}

test('topKIndices: the k largest, largest first, ties by lower id', () => {
  const v = new Float32Array([3, 9, 1, 9, 5, 7, 7, 0]);
  assert.deepEqual(topKIndices(v, 4), [1, 3, 5, 6]);
  assert.deepEqual(topKIndices(v, 1), [1]);
  assert.deepEqual(topKIndices(v, 20), [1, 3, 5, 6, 4, 0, 2, 7]);
  assert.deepEqual(topKIndices(v, 0), []);
});

test('the sampler picks what a full sort would, for peaked and flat rows, with and without cuts', () => {
  const settings: Sampling[] = [
    { temperature: 0.7, seed: 1 },
    { temperature: 1, topP: 0.9, seed: 2 },
    { temperature: 1.3, topK: 50, seed: 3 },
    { temperature: 0.8, topK: 500, topP: 0.95, seed: 4 },
    { temperature: 2, topP: 0.999, seed: 5 },
  ];
  for (const s of settings) {
    const sampler = new TokenSampler(s);
    const draws = mulberry32(s.seed!); // the sampler's own stream: one number a token
    // spread 40: a peaked row (the first 64 settle it); spread 2: nearly flat (the draw runs past them).
    for (const spread of [40, 2]) {
      for (let t = 0; t < 25; t++) {
        const logits = row(5000, 1000 * t + spread, spread);
        const expected = reference(logits, s, draws());
        assert.equal(sampler.next(Float32Array.from(logits), []), expected, JSON.stringify({ s, spread, t }));
      }
    }
  }
});

test('draws follow the softmax of the kept candidates', () => {
  const logits = new Float32Array([2, 1, 0, -1, -30]);
  const sampler = new TokenSampler({ temperature: 1, topP: 0.9, seed: 7 });
  const counts = [0, 0, 0, 0, 0];
  const N = 20000;
  for (let i = 0; i < N; i++) counts[sampler.next(Float32Array.from(logits), [])]!++;
  // Probabilities 0.644, 0.237, 0.087, 0.032, ~0: the nucleus at 0.9 keeps ids 0-2 (0.968 ≥ 0.9), renormalised.
  const p = [Math.E ** 2, Math.E, 1].map((x) => x / (Math.E ** 2 + Math.E + 1));
  for (let id = 0; id < 3; id++)
    assert.ok(Math.abs(counts[id]! / N - p[id]!) < 0.015, `id ${id}: ${counts[id]}`);
  assert.equal(counts[3], 0);
  assert.equal(counts[4], 0);
});

test('top_k 1 and temperature 0 are greedy; a repetition penalty lowers a seen id', () => {
  const logits = new Float32Array([0.5, 2, 1.9]);
  assert.equal(new TokenSampler({ temperature: 1, topK: 1 }).next(Float32Array.from(logits), []), 1);
  assert.equal(new TokenSampler({ temperature: 0 }).next(Float32Array.from(logits), []), 1);
  assert.equal(new TokenSampler({ repetitionPenalty: 1.5 }).next(Float32Array.from(logits), [1]), 2);
});
