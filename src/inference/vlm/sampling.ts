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

  /** Picks the next id; `logits` (float32, one vocabulary row) may be modified in place. */
  next(logits: Float32Array, seen: Iterable<number>): number {
    applyRepetitionPenalty(logits, seen, this.s.repetitionPenalty ?? 1);
    if (this.greedy) return argmax(logits);
    const temperature = this.s.temperature ?? 1;
    const topK = this.s.topK ?? 0;
    const topP = this.s.topP ?? 1;
    // Candidates: the top-k ids (or all), sorted by logit, descending.
    let order: number[];
    if (topK > 0 && topK < logits.length) {
      order = topKIndices(logits, topK);
    } else {
      order = Array.from(logits.keys()).sort((a, b) => logits[b]! - logits[a]!);
    }
    const top = logits[order[0]!]!;
    const weights = order.map((id) => Math.exp((logits[id]! - top) / temperature));
    const total = weights.reduce((a, b) => a + b, 0);
    // Nucleus: the smallest prefix whose probability reaches top_p (always at least one token).
    let keep = order.length;
    if (topP < 1) {
      let cum = 0;
      for (let i = 0; i < order.length; i++) {
        cum += weights[i]! / total;
        if (cum >= topP) {
          keep = i + 1;
          break;
        }
      }
    }
    const kept = weights.slice(0, keep);
    const keptTotal = kept.reduce((a, b) => a + b, 0);
    let r = this.random() * keptTotal;
    for (let i = 0; i < keep; i++) {
      r -= kept[i]!;
      if (r < 0) return order[i]!;
    }
    return order[keep - 1]!;
  }
}

/** Indices of the k largest values, largest first (a partial selection; vocabularies are ~150k). */
function topKIndices(values: Float32Array, k: number): number[] {
  const idx: number[] = [];
  let minPos = -1;
  for (let i = 0; i < values.length; i++) {
    if (idx.length < k) {
      idx.push(i);
      if (idx.length === k) minPos = indexOfMin(values, idx);
      continue;
    }
    if (values[i]! > values[idx[minPos]!]!) {
      idx[minPos] = i;
      minPos = indexOfMin(values, idx);
    }
  }
  return idx.sort((a, b) => values[b]! - values[a]!);
}

function indexOfMin(values: Float32Array, idx: readonly number[]): number {
  let m = 0;
  for (let j = 1; j < idx.length; j++) if (values[idx[j]!]! < values[idx[m]!]!) m = j;
  return m;
}
