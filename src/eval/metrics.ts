// Benchmark metrics in the form the benchmarks' own scoring code computes them (issue 14: `doclens eval`), so a
// figure DocLens prints can be set beside a model card's. Pure functions of predictions and references; the
// runner that produces predictions lives elsewhere. Written by hand: the rules are short, fixed by each
// benchmark's scorer, and no maintained JS package implements them.
import { normalizeVqaAnswer, processPunctuation } from './vqa-normalize.js';

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

// ---- VQAv2 / TextVQA -------------------------------------------------------------------------------------

/**
 * VQA soft accuracy of one prediction against the (usually 10) human answers, as the VQA API's vqaEval.py
 * computes it: the prediction is normalised; the human answers get punctuation processing only when they
 * disagree; for each human answer left out in turn, acc = min(1, #matches among the others / 3); the mean of
 * those. With 10 answers this is the average over the 10 choose 9 subsets.
 */
export function vqaAccuracy(prediction: string, answers: readonly string[]): number {
  if (answers.length === 0) return 0;
  const pred = normalizeVqaAnswer(prediction);
  const stripped = answers.map((a) => a.replace(/\n/g, ' ').replace(/\t/g, ' ').trim());
  const gts = new Set(stripped).size > 1 ? stripped.map(processPunctuation) : stripped;
  const accs = gts.map((_, i) => {
    const matches = gts.filter((g, j) => j !== i && g === pred).length;
    return Math.min(1, matches / 3);
  });
  return mean(accs);
}

/** EvalAI's answer processor (m4c / pythia `EvalAIAnswerProcessor`): its word_tokenize, then the VQA steps. */
export function evalAiAnswer(answer: string): string {
  const tokenized = answer.toLowerCase().replace(/,/g, '').replace(/\?/g, '').replace(/'s/g, " 's").trim();
  return normalizeVqaAnswer(tokenized);
}

/**
 * TextVQA's scorer (TextVQAAccuracyEvaluator, m4c): prediction and every human answer go through EvalAI's
 * answer processor; the score is the mean over leave-one-out subsets of min(1, matches / 3).
 */
export function textVqaAccuracy(prediction: string, answers: readonly string[]): number {
  if (answers.length === 0) return 0;
  const gts = answers.map(evalAiAnswer);
  const pred = evalAiAnswer(prediction);
  const accs = gts.map((_, i) => Math.min(1, gts.filter((g, j) => j !== i && g === pred).length / 3));
  return mean(accs);
}

// ---- DocVQA / InfographicVQA: ANLS ------------------------------------------------------------------------

/** Levenshtein distance in code points. */
export function levenshtein(a: string, b: string): number {
  const s = [...a];
  const t = [...b];
  if (s.length === 0) return t.length;
  if (t.length === 0) return s.length;
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[t.length] ?? 0;
}

/**
 * ANLS of one prediction (DocVQA / InfographicVQA, RRC scorer): answers compared lower-cased with whitespace
 * runs collapsed and trimmed; NL = edit distance / max length; the item scores the best 1 − NL over the
 * accepted answers, and 0 where NL ≥ τ (0.5).
 */
export function anls(prediction: string, answers: readonly string[], tau = 0.5): number {
  const norm = (s: string) => s.toLowerCase().trim().split(/\s+/).filter(Boolean).join(' ');
  const p = norm(prediction);
  let best = 0;
  for (const a of answers) {
    const g = norm(a);
    const len = Math.max([...p].length, [...g].length);
    const nl = len === 0 ? 0 : levenshtein(p, g) / len;
    const score = nl < tau ? 1 - nl : 0;
    if (score > best) best = score;
  }
  return best;
}

// ---- ChartQA: relaxed accuracy ----------------------------------------------------------------------------

/** pix2struct's `_to_float`: "12%" → 0.12, a plain number → itself, anything else → null. */
function toFloat(text: string): number | null {
  const t = text.trim();
  const body = t.endsWith('%') ? t.replace(/%+$/, '') : t;
  // Python float() accepts surrounding whitespace, a sign, exponents, "inf"/"nan"; not "1,000".
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(body.trim())) return null;
  const v = Number(body);
  return t.endsWith('%') ? v / 100 : v;
}

/**
 * ChartQA relaxed accuracy (pix2struct `relaxed_correctness`): when both parse as numbers and the target is
 * non-zero, correct if |pred − target| / |target| ≤ 5 %; otherwise a case-insensitive exact string match.
 * NOTE: like the original, a target of 0 falls through to the string comparison (Python's `and target_float`).
 */
export function relaxedAccuracy(prediction: string, target: string, maxRelativeChange = 0.05): boolean {
  const p = toFloat(prediction);
  const t = toFloat(target);
  if (p !== null && t !== null && t !== 0) return Math.abs(p - t) / Math.abs(t) <= maxRelativeChange;
  return prediction.toLowerCase() === target.toLowerCase();
}

// ---- GQA --------------------------------------------------------------------------------------------------

/** GQA accuracy: exact match after the VQA normalisation of both sides (as LLaVA's GQA evaluation does). */
export function gqaExactMatch(prediction: string, answer: string): boolean {
  return normalizeVqaAnswer(prediction) === normalizeVqaAnswer(answer);
}

// ---- POPE -------------------------------------------------------------------------------------------------

/**
 * POPE's answer reading (its evaluate.py, also LLaVA's eval_pope.py): only the first sentence counts, commas
 * dropped, split on single spaces; a "no" when a word is exactly "No", "no" or "not", else a "yes".
 * NOTE: case-sensitive like the original ("NOT" reads as yes).
 */
export function popeAnswer(text: string): 'yes' | 'no' {
  const first = text.includes('.') ? (text.split('.')[0] ?? '') : text;
  const words = first.replace(/,/g, '').split(' ');
  return words.includes('No') || words.includes('not') || words.includes('no') ? 'no' : 'yes';
}

export interface BinaryScores {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** Share of "yes" predictions. */
  yesRatio: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** POPE scores with "yes" as the positive class. Precision / recall / F1 are 0 where undefined. */
export function popeScores(items: readonly { prediction: string; label: 'yes' | 'no' }[]): BinaryScores {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (const it of items) {
    const p = popeAnswer(it.prediction);
    if (p === 'yes' && it.label === 'yes') tp++;
    else if (p === 'yes') fp++;
    else if (it.label === 'no') tn++;
    else fn++;
  }
  const n = items.length;
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return {
    accuracy: n ? (tp + tn) / n : 0,
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    yesRatio: n ? (tp + fp) / n : 0,
    tp,
    fp,
    tn,
    fn,
  };
}

// ---- MME --------------------------------------------------------------------------------------------------

/** MME's sub-tasks, as its calculation.py groups them. */
export const MME_PERCEPTION = [
  'existence',
  'count',
  'position',
  'color',
  'posters',
  'celebrity',
  'scene',
  'landmark',
  'artwork',
  'OCR',
] as const;
export const MME_COGNITION = [
  'commonsense_reasoning',
  'numerical_calculation',
  'text_translation',
  'code_reasoning',
] as const;

/**
 * MME's answer reading (calculation.py `parse_pred_ans`): the lower-cased answer if it is exactly yes/no,
 * else yes/no when found in its first four characters, else "other" (always wrong).
 */
export function mmeAnswer(text: string): 'yes' | 'no' | 'other' {
  const a = text.toLowerCase();
  if (a === 'yes' || a === 'no') return a;
  const prefix = a.slice(0, 4);
  if (prefix.includes('yes')) return 'yes';
  if (prefix.includes('no')) return 'no';
  return 'other';
}

export interface MmeItem {
  task: string;
  image: string;
  prediction: string;
  label: 'yes' | 'no';
}

export interface MmeScores {
  /** Per task: accuracy (per question, %), accuracy+ (per image, both questions right, %), score = sum. */
  tasks: Record<string, { acc: number; accPlus: number; score: number }>;
  perception: number;
  cognition: number;
}

/** MME scores: per task acc and acc+ in percent, score = acc + acc+; perception and cognition totals. */
export function mmeScores(items: readonly MmeItem[]): MmeScores {
  const byTask = new Map<string, MmeItem[]>();
  for (const it of items) byTask.set(it.task, [...(byTask.get(it.task) ?? []), it]);
  const tasks: MmeScores['tasks'] = {};
  for (const [task, list] of byTask) {
    const right = list.map((it) => mmeAnswer(it.prediction) === it.label);
    const images = new Map<string, boolean>();
    list.forEach((it, i) => images.set(it.image, (images.get(it.image) ?? true) && (right[i] ?? false)));
    const acc = (100 * right.filter(Boolean).length) / list.length;
    const accPlus = (100 * [...images.values()].filter(Boolean).length) / images.size;
    tasks[task] = { acc, accPlus, score: acc + accPlus };
  }
  const total = (names: readonly string[]) => names.reduce((s, n) => s + (tasks[n]?.score ?? 0), 0);
  return { tasks, perception: total(MME_PERCEPTION), cognition: total(MME_COGNITION) };
}

// ---- MMBench / SEED-Bench: multiple choice ----------------------------------------------------------------

/**
 * The option a free-text answer picks (VLMEvalKit `can_infer_option` then `can_infer_text`): a letter that
 * stands alone ("B", "(B)", "B.", "Answer: B") when exactly one option letter does; else (no letter, or several)
 * the one option whose text the answer contains; else null (no guess: counted wrong).
 */
export function extractChoice(answer: string, options: Readonly<Record<string, string>>): string | null {
  const letters = Object.keys(options);
  // VLMEvalKit replaces each of `.()[],:;!*#{}` by a space, then splits on whitespace.
  const cleaned = answer.replace(/[.()[\],:;!*#{}]/g, ' ');
  const tokens = cleaned.split(/\s+/).filter(Boolean);
  const hits = letters.filter((l) => tokens.includes(l));
  if (hits.length === 1) return hits[0] ?? null;
  // NOTE: two or more letters are not a refusal: can_infer_option returns False and can_infer then tries the
  // option texts, as below.
  const lower = answer.toLowerCase();
  const textHits = letters.filter((l) => {
    const t = options[l]?.toLowerCase().trim();
    return t !== undefined && t.length > 0 && lower.includes(t);
  });
  return textHits.length === 1 ? (textHits[0] ?? null) : null;
}

/**
 * MMBench circular evaluation: a question counts only when every rotation of its options was answered right.
 * `items` are the rotated copies; `group` ties the copies of one question together.
 */
export function circularAccuracy(
  items: readonly {
    group: string;
    prediction: string;
    options: Readonly<Record<string, string>>;
    answer: string;
  }[],
): { accuracy: number; questions: number; passed: number } {
  const groups = new Map<string, boolean>();
  for (const it of items) {
    const ok = extractChoice(it.prediction, it.options) === it.answer;
    groups.set(it.group, (groups.get(it.group) ?? true) && ok);
  }
  const passed = [...groups.values()].filter(Boolean).length;
  return { accuracy: groups.size ? passed / groups.size : 0, questions: groups.size, passed };
}

/** The rotations of a question's options for circular evaluation: option texts shifted, the answer letter follows. */
export function rotations(
  options: Readonly<Record<string, string>>,
  answer: string,
): { options: Record<string, string>; answer: string }[] {
  const letters = Object.keys(options).sort();
  const texts = letters.map((l) => options[l] ?? '');
  const at = letters.indexOf(answer);
  return letters.map((_, k) => {
    const rotated: Record<string, string> = {};
    letters.forEach((l, i) => (rotated[l] = texts[(i + k) % texts.length] ?? ''));
    const answerIndex = (at - k + letters.length) % letters.length;
    return { options: rotated, answer: letters[answerIndex] ?? answer };
  });
}

// ---- RefCOCO ----------------------------------------------------------------------------------------------

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Intersection over union of two boxes in the same space (continuous coordinates). */
export function iou(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0));
  const h = Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
  const inter = w * h;
  const area = (r: Box) => Math.max(0, r.x1 - r.x0) * Math.max(0, r.y1 - r.y0);
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** RefCOCO / + / g: Acc@0.5 — the share of expressions whose predicted box has IoU ≥ 0.5 with the truth. */
export function groundingAccuracy(
  items: readonly { predicted: Box | null; truth: Box }[],
  threshold = 0.5,
): number {
  if (items.length === 0) return 0;
  return (
    items.filter((it) => it.predicted !== null && iou(it.predicted, it.truth) >= threshold).length /
    items.length
  );
}
