// How far a VLM answer can be trusted once the reader has bound the asked field on the page (issue 10): the
// model's value is compared with the bound value by type (money by amount, dates by ISO value, identifiers and
// text normalised) and its box, when it drew one, must overlap the evidence. Agreement is 'verified'; a different
// value is a 'conflict' that shows both.
import { answerDates } from '../extract/verify/verify.js';
import type { BoundField, Trust } from '../shared/domain.js';
import type { LabelledBox, Rect } from '../shared/geometry.js';

/**
 * Amounts written in free text, as plain decimals: "$11,977.20" → 11977.20, "RM 8.20" → 8.20, "1.234,50" →
 * 1234.50, "(2.00)" → -2.00. NOTE: hand-written rather than a number parser library: the grouping and decimal
 * marks are guessed from the number's own shape (a final group of exactly two digits is the decimal part), which
 * no locale-bound parser does.
 */
export function amountsIn(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(/(\(|-)?\d[\d,.']*\d|\d/g)) {
    const raw = m[0].replace(/^[(-]/, '');
    const negative = m[1] !== undefined && (m[1] === '-' || text[m.index + m[0].length] === ')');
    let v: number | null = null;
    const dec = /^(.*)([.,])(\d{1,2})$/.exec(raw);
    if (dec && !/[.,]/.test(dec[1]!.replace(/[.,']\d{3}/g, ''))) {
      v = Number(`${dec[1]!.replace(/[.,']/g, '')}.${dec[3]}`);
    } else if (/^\d{1,3}(?:([,.'])\d{3})(?:\1\d{3})*$/.test(raw) || /^\d+$/.test(raw)) {
      v = Number(raw.replace(/[.,']/g, ''));
    }
    if (v !== null && Number.isFinite(v)) out.push(negative ? -v : v);
  }
  return out;
}

/** Letters and digits only, lower case: "INV-2025/0314" and "inv 2025 0314" read the same. */
function squash(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

/** Words, lower case, punctuation dropped. */
function words(s: string): string[] {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * Whether a free-text answer states the bound value: money by amount (to the cent), dates by ISO value (either
 * day order of an ambiguous answer), identifiers by their letters and digits, names, addresses and other text by
 * their words — the value's words all present in the answer, and the answer adding no more than a sentence's
 * worth of framing ("The vendor is ACME Ltd.").
 */
export function valueAgrees(answer: string, bound: BoundField): boolean {
  const text = answer.trim();
  if (!text) return false;
  if (bound.type === 'money') {
    const want = Number(bound.normalized ?? Number.NaN);
    const got = amountsIn(text);
    if (Number.isFinite(want)) return got.some((g) => Math.abs(g - want) < 0.005);
    return squash(text).includes(squash(bound.value));
  }
  if (bound.type === 'date') {
    const iso = bound.normalized;
    if (iso) return answerDates(text).has(iso);
    return squash(text).includes(squash(bound.value));
  }
  if (bound.type === 'id') {
    const want = squash(bound.normalized ?? bound.value);
    return (
      want.length > 0 &&
      (squash(text) === want || words(text).some((w) => w === want) || squash(text).includes(want))
    );
  }
  const want = words(bound.normalized ?? bound.value);
  const got = words(text);
  if (want.length === 0) return false;
  const have = new Set(got);
  if (!want.every((w) => have.has(w))) return false;
  // "ACME" does not state "ACME Trading Sdn Bhd": the value must be most of the answer's content words.
  return want.length >= Math.max(1, Math.ceil(0.5 * got.filter((w) => !FRAMING.has(w)).length));
}

/** Words a model wraps a value in ("The total is …", "It was issued on …"). */
const FRAMING = new Set(
  'the a an is was are of on in at for to by it its this that date total amount value invoice receipt number vendor company address due issued from'.split(
    ' ',
  ),
);

/** Whether two boxes on the same page overlap by at least a fifth of the smaller one. */
export function boxesOverlap(a: LabelledBox, b: LabelledBox): boolean {
  if (a.page !== b.page) return false;
  const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  if (w <= 0 || h <= 0) return false;
  const area = (r: Rect) => Math.max(1e-9, (r.x1 - r.x0) * (r.y1 - r.y0));
  return (w * h) / Math.min(area(a), area(b)) >= 0.2;
}

export interface VlmJudgement {
  trust: Extract<Trust, 'verified' | 'found' | 'conflict'>;
  reason: string;
}

/**
 * The trust of a VLM answer against a value the binder stands behind: verified when the values agree and the
 * model's boxes (if any) overlap the evidence; found when the value agrees but the model pointed elsewhere;
 * conflict when the values differ.
 */
export function judgeVlmAnswer(
  text: string,
  modelBoxes: readonly LabelledBox[],
  bound: BoundField,
): VlmJudgement {
  const stated = `"${bound.value}"${bound.label ? ` (labelled "${bound.label}")` : ''}`;
  if (!valueAgrees(text, bound))
    return {
      trust: 'conflict',
      reason: `The page gives ${stated} for the ${bound.field.replace(/_/g, ' ')}; the model answered something else.`,
    };
  if (modelBoxes.length > 0 && !modelBoxes.some((b) => boxesOverlap(b, bound.box)))
    return {
      trust: 'found',
      reason: `The value matches what the page gives for the ${bound.field.replace(/_/g, ' ')} (${stated}), but the model pointed elsewhere on the page.`,
    };
  return {
    trust: 'verified',
    reason: `The model's answer matches the value the page gives for the ${bound.field.replace(/_/g, ' ')}: ${stated}.`,
  };
}
