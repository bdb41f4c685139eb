// Next-token choice from one row of logits: greedy argmax, or HF-order repetition penalty → temperature → top-k →
// top-p sampling with a seedable generator, so a sampled answer can be reproduced.
import { AppError } from '../../shared/errors.js';
import { mulberry32 } from '../../shared/prng.js';

export interface Sampling {
  /** ≤ 0 or absent: greedy. */
  temperature?: number;
  /** 0 or absent: no top-k cut. top_k 1 is greedy whatever the temperature. */
  topK?: number;
  /** 1 or absent: no nucleus cut. */
  topP?: number;
  /** > 1 discourages tokens already in the prompt or the answer (HF semantics). 1 or absent: off. */
  repetitionPenalty?: number;
  /** Seed of the sampler's generator (default 0). */
  seed?: number;
}

export function checkSampling(s: Sampling): void {
  const bad = (what: string): never => {
    throw new AppError('invalid_input', `sampling: ${what}`);
  };
  if (s.temperature !== undefined && !(Number.isFinite(s.temperature) && s.temperature >= 0))
    bad('temperature must be ≥ 0');
  if (s.topK !== undefined && !(Number.isInteger(s.topK) && s.topK >= 0)) bad('topK must be an integer ≥ 0');
  if (s.topP !== undefined && !(s.topP > 0 && s.topP <= 1)) bad('topP must be in (0, 1]');
  if (
    s.repetitionPenalty !== undefined &&
    !(Number.isFinite(s.repetitionPenalty) && s.repetitionPenalty > 0)
  ) {
    bad('repetitionPenalty must be > 0');
  }
}

/** mulberry32: a small, fast, seedable generator in [0, 1). */
export const seededRandom: (seed: number) => () => number = mulberry32;

export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/** HF RepetitionPenaltyLogitsProcessor: each seen id's logit is divided by the penalty if positive, else multiplied. */
export function applyRepetitionPenalty(logits: Float32Array, seen: Iterable<number>, penalty: number): void {
  if (penalty === 1) return;
  for (const id of seen) {
    const v = logits[id];
    if (v === undefined) continue;
    logits[id] = v > 0 ? v / penalty : v * penalty;
  }
}

export class TokenSampler {
  private readonly random: () => number;
  constructor(private readonly s: Sampling) {
    checkSampling(s);
    this.random = seededRandom(s.seed ?? 0);
  }

  get greedy(): boolean {
    return !(this.s.temperature !== undefined && this.s.temperature > 0) || this.s.topK === 1;
  }

  /**
   * Picks the next id; `logits` (float32, one vocabulary row) may be modified in place.
   *
   * Candidates are taken in descending logit order (ties: lower id first), the nucleus is the shortest prefix whose
   * probability reaches top_p, and the draw walks that prefix. Only as long a prefix as the draw needs is sorted:
   * the k best first (a bounded heap, O(V log k)), eight times more while the draw or the nucleus runs past them.
   * A peaked distribution is settled by its first 64 ids instead of a sort of the whole ~152k vocabulary per token.
   */
  next(logits: Float32Array, seen: Iterable<number>): number {
    applyRepetitionPenalty(logits, seen, this.s.repetitionPenalty ?? 1);
    if (this.greedy) return argmax(logits);
    const temperature = this.s.temperature ?? 1;
    const topK = this.s.topK ?? 0;
    const topP = this.s.topP ?? 1;
    const n = topK > 0 && topK < logits.length ? topK : logits.length;
    const top = logits[argmax(logits)]!;
    const weight = (id: number): number => Math.exp((logits[id]! - top) / temperature);
    // The mass of all candidates: over the top-k when there is a cut, else the whole row (order-free).
    let total = 0;
    if (n < logits.length) {
      for (const id of topKIndices(logits, n)) total += weight(id);
    } else {
      for (let i = 0; i < logits.length; i++) total += weight(i);
    }
    const u = this.random();
    for (let k = Math.min(64, n); ; k = Math.min(k * 8, n)) {
      const order = topKIndices(logits, k);
      const weights = order.map(weight);
      // Nucleus: the shortest prefix reaching top_p; unknown yet when these k do not reach it.
      let keep = -1;
      if (topP < 1) {
        let cum = 0;
        for (let i = 0; i < k; i++) {
          cum += weights[i]! / total;
          if (cum >= topP) {
            keep = i + 1;
            break;
          }
        }
      }
      if (keep < 0 && k < n) {
        if (topP < 1) continue;
        // No nucleus cut: the draw may still land in these k.
        let r = u * total;
        for (let i = 0; i < k; i++) {
          r -= weights[i]!;
          if (r < 0) return order[i]!;
        }
        continue;
      }
      if (keep < 0) keep = k;
      let keptTotal = 0;
      for (let i = 0; i < keep; i++) keptTotal += weights[i]!;
      let r = u * (topP < 1 ? keptTotal : total);
      for (let i = 0; i < keep; i++) {
        r -= weights[i]!;
        if (r < 0) return order[i]!;
      }
      return order[keep - 1]!;
    }
  }
}

/** Whether value a (at id i) ranks before value b (at id j): larger first, ties by lower id. */
function before(a: number, i: number, b: number, j: number): boolean {
  return a > b || (a === b && i < j);
}

/**
 * Indices of the k largest values, largest first, ties by lower id (the order a stable full sort gives). A bounded
 * min-heap keeps the k best seen so far: O(V log k) for a V-sized vocabulary.
 */
export function topKIndices(values: ArrayLike<number>, k: number): number[] {
  const n = values.length;
  k = Math.min(k, n);
  if (k <= 0) return [];
  const heap: number[] = []; // heap[0] is the worst of the kept ids
  const worse = (x: number, y: number): boolean => before(values[y]!, y, values[x]!, x);
  const down = (at: number): void => {
    for (;;) {
      const l = 2 * at + 1;
      const r = l + 1;
      let m = at;
      if (l < heap.length && worse(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && worse(heap[r]!, heap[m]!)) m = r;
      if (m === at) return;
      [heap[at], heap[m]] = [heap[m]!, heap[at]!];
      at = m;
    }
  };
  for (let i = 0; i < n; i++) {
    if (heap.length < k) {
      heap.push(i);
      for (let at = heap.length - 1; at > 0;) {
        const p = (at - 1) >> 1;
        if (!worse(heap[at]!, heap[p]!)) break;
        [heap[at], heap[p]] = [heap[p]!, heap[at]!];
        at = p;
      }
    } else if (before(values[i]!, i, values[heap[0]!]!, heap[0]!)) {
      heap[0] = i;
      down(0);
    }
  }
  return heap.sort((x, y) => (before(values[x]!, x, values[y]!, y) ? -1 : 1));
}
