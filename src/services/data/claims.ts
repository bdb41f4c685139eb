// Checking what a teacher model wrote against the page (`doclens data generate`): every grounded claim of an answer —
// the field a question asks for (the fields binder), each date, amount or identifier, each quoted phrase — is looked
// up by the reader engine on the page's own words, and a pair with a claim the page does not support is dropped or
// marked. Gibberish with no checkable claim is kept only as 'unchecked', never as verified.
import { bindField, isVerified } from '../../extract/fields/index.js';
import { answerDates, verifyAnswer } from '../../extract/verify/verify.js';
import type { DateHit, TextPage } from '../../shared/domain.js';
import type { LabelledBox } from '../../shared/geometry.js';
import { boxesOverlap, judgeVlmAnswer } from '../vlm-trust.js';

export const GENERATE_KINDS = ['conversation', 'detail', 'reasoning'] as const;
export type GenerateKind = (typeof GENERATE_KINDS)[number];

export interface Claim {
  claim: string;
  what: 'field' | 'date' | 'value' | 'quote' | 'box';
  /**
   * verified: on the page (a field: the value the binder ties to it; a box: over the words it points at);
   * unverified: not on the page, another value than the page gives, or a box elsewhere; derived: a number of a reasoning answer computed from values that are on the page.
   */
  status: 'verified' | 'unverified' | 'derived';
  /** Where the page states it (page space), when it does. */
  boxes: LabelledBox[];
  reason: string;
}

export interface CheckedPair {
  question: string;
  answer: string;
  /** verified: every claim on the page; unverified: at least one is not; unchecked: nothing checkable in it. */
  status: 'verified' | 'unverified' | 'unchecked';
  claims: Claim[];
}

/** Tokens that carry a value: digits with at least three of them, or a currency / decimal / percent sign. */
function valueTokens(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/[^\s"“”'‘’()[\]{}]+/g)) {
    const t = m[0].replace(/^[.,;:!?]+|[.,;:!?]+$/g, '');
    const digits = t.replace(/\D/g, '').length;
    // NOTE: one- and two-digit numbers alone (a day, a quantity, "3 items") are too common on any page to prove
    // anything by being found there; they are checked as part of dates and amounts instead.
    if (digits >= 3 || (digits > 0 && /[$€£¥%.,]/.test(t) && /\d[.,]\d/.test(t))) out.add(t);
  }
  return [...out];
}

function quotes(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/["“]([^"”\n]{3,120})["”]/g)) if (m[1]) out.push(m[1].trim());
  return out;
}

/** Checks one question–answer pair against the page (its reader text and dates). */
export function checkPair(
  question: string,
  answer: string,
  page: TextPage,
  dates: readonly DateHit[],
  kind: GenerateKind,
  /** The boxes the teacher drew in this answer, page space (see `boxesOfPairs`). */
  boxes: readonly LabelledBox[] = [],
): CheckedPair {
  const claims: Claim[] = [];
  const on = (s: string) => verifyAnswer(s, [page], dates);
  // 1. The field the question asks for, when the binder ties a value to it on the page.
  const bound = bindField(question, { pages: [page], dates });
  if (bound?.binding && isVerified(bound.binding)) {
    const j = judgeVlmAnswer(answer, [], bound.binding);
    claims.push({
      claim: bound.binding.value,
      what: 'field',
      status: j.trust === 'conflict' ? 'unverified' : 'verified',
      boxes: [bound.binding.box],
      reason: j.reason,
    });
  }
  // 2. Dates, by value ("2025-03-14" is "March 14, 2025" on the page).
  const pageIso = new Set(dates.map((d) => d.iso));
  const isoInAnswer = answerDates(answer);
  for (const iso of isoInAnswer) {
    const hits = dates.filter((d) => d.iso === iso);
    claims.push({
      claim: iso,
      what: 'date',
      status: pageIso.has(iso) ? 'verified' : 'unverified',
      boxes: hits.map((h) => ({ ...h.box, label: h.text })),
      reason: pageIso.has(iso) ? `the page states ${hits[0]?.text ?? iso}` : `no date ${iso} on the page`,
    });
  }
  // 3. Amounts, identifiers, other numbers (date parts already checked above are skipped).
  for (const t of valueTokens(answer)) {
    // A date's own parts ("2025" of "March 14, 2025") were checked with the date.
    if (/^\d{4}$/.test(t) && [...isoInAnswer].some((d) => d.startsWith(t))) continue;
    if (answerDates(t).size > 0 && [...answerDates(t)].every((d) => isoInAnswer.has(d))) continue;
    const v = on(t);
    claims.push({
      claim: t,
      what: 'value',
      status: v.verified ? 'verified' : 'unverified',
      boxes: v.boxes,
      reason: v.verified ? `on the page as "${v.matched ?? t}"` : `"${t}" is not on the page`,
    });
  }
  // 4. Quoted phrases: quoting is claiming the page says it.
  for (const q of quotes(answer)) {
    const v = on(q);
    claims.push({
      claim: q,
      what: 'quote',
      status: v.verified ? 'verified' : 'unverified',
      boxes: v.boxes,
      reason: v.verified
        ? `quoted from the page ("${v.matched ?? q}")`
        : `the quote "${q}" is not on the page`,
    });
  }
  // 5. The teacher's boxes: a box claims "this is where it is". It must lie over the words it names (its label, found
  // on the page) or, for an unlabelled box, over the evidence of a claim above that holds.
  const evidence = claims.filter((c) => c.status === 'verified').flatMap((c) => c.boxes);
  for (const b of boxes) {
    const named = b.label.trim() ? on(b.label.trim()) : null;
    const targets = named?.verified ? named.boxes : b.label.trim() ? [] : evidence;
    const hit = targets.some((t) => pointsAt(b, t));
    const where = `[${b.x0.toFixed(0)}, ${b.y0.toFixed(0)}, ${b.x1.toFixed(0)}, ${b.y1.toFixed(0)}] on page ${b.page}`;
    claims.push({
      claim: b.label.trim() || where,
      what: 'box',
      status: hit ? 'verified' : 'unverified',
      boxes: [b],
      reason: hit
        ? `the box ${where} lies over ${named?.verified ? `"${named.matched ?? b.label}"` : 'the evidence'}`
        : named && !named.verified
          ? `the box's label "${b.label}" is not on the page`
          : targets.length === 0
            ? `nothing on the page checks the box ${where}`
            : `the box ${where} is not over ${named ? `"${b.label}"` : 'the evidence'} on the page`,
    });
  }
  // A reasoning answer computes new numbers from the page's: those are derived when it also cites page values.
  if (kind === 'reasoning' && claims.some((c) => c.what !== 'field' && c.status === 'verified')) {
    for (const c of claims)
      if (c.what === 'value' && c.status === 'unverified') {
        c.status = 'derived';
        c.reason = `"${c.claim}" is not on the page; computed from the page's values`;
      }
  }
  const status =
    claims.length === 0
      ? 'unchecked'
      : claims.some((c) => c.status === 'unverified')
        ? 'unverified'
        : 'verified';
  return { question, answer, status, claims };
}

/** A teacher's box lands on a piece of evidence: overlapping it, or a point inside it (2 pt of slack). */
function pointsAt(b: LabelledBox, t: LabelledBox): boolean {
  if (b.x1 - b.x0 <= 0 && b.y1 - b.y0 <= 0) {
    return b.page === t.page && b.x0 >= t.x0 - 2 && b.x0 <= t.x1 + 2 && b.y0 >= t.y0 - 2 && b.y0 <= t.y1 + 2;
  }
  return boxesOverlap(b, t);
}

/**
 * Which pair each of the teacher's boxes belongs to: the one pair whose answer (or question) names the box's
 * label; with one pair, every box is that pair's. A box tied to no pair is returned apart
 * (`stray`): it is recorded, and cannot sink a pair it may not belong to.
 */
export function boxesOfPairs(
  pairs: ReadonlyArray<{ question: string; answer: string }>,
  boxes: readonly LabelledBox[],
): { perPair: LabelledBox[][]; stray: LabelledBox[] } {
  const perPair = pairs.map((): LabelledBox[] => []);
  const stray: LabelledBox[] = [];
  for (const b of boxes) {
    const label = b.label.trim().toLowerCase();
    let at = -1;
    if (label) {
      const hits = pairs
        .map((p, i) => ({ i, n: `${p.answer}\n${p.question}`.toLowerCase().includes(label) }))
        .filter((h) => h.n);
      if (hits.length === 1) at = hits[0]!.i;
    }
    if (at < 0 && pairs.length === 1) at = 0;
    if (at < 0) stray.push(b);
    else perPair[at]!.push(b);
  }
  return { perPair, stray };
}

/** `Q: … A: …` pairs of a teacher's output (also `Question:` / `Answer:`, numbered, multi-line answers). */
export function parsePairs(raw: string): Array<{ question: string; answer: string }> {
  const out: Array<{ question: string; answer: string }> = [];
  let q: string | null = null;
  let a: string[] | null = null;
  const flush = () => {
    if (q && a && a.join(' ').trim()) out.push({ question: q, answer: a.join('\n').trim() });
    q = null;
    a = null;
  };
  for (const line of raw.split(/\r?\n/)) {
    const qm =
      /^\s*(?:\d+[.)]\s*)?(?:\*\*)?(?:Q|Question)\s*\d*\s*(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*(.*)$/i.exec(line);
    const am = /^\s*(?:\*\*)?(?:A|Answer)\s*\d*\s*(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*(.*)$/i.exec(line);
    if (qm) {
      flush();
      q = (qm[1] ?? '').trim() || null;
    } else if (am && q) {
      a = [(am[1] ?? '').trim()];
    } else if (a) {
      a.push(line);
    }
  }
  flush();
  return out;
}
