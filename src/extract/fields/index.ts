// Public face of the field binder: what the reader engine and VLM answer checking import. bindField answers
// "which value on these pages is the one this question asks for, and how sure is that"; bindAll lists every
// field a page set binds.
import type { BoundField, FieldKind } from '../../shared/domain.js';
import { findPhrase } from '../verify/find-text.js';
import { bindCandidates, type BindContext, type FieldBinding } from './bind.js';
import { indexPage, rightOf } from './page-index.js';
import { fieldOfQuestion } from './question.js';
import { parseMoney } from './values.js';

export {
  bindAll,
  bindCandidates,
  isVerified,
  VERIFIED_SCORE,
  type BindContext,
  type FieldBinding,
} from './bind.js';
export { fieldOfQuestion, type FieldQuestion } from './question.js';
export { FIELD_SPECS } from './labels.js';

/** A line item's amount: the item's words, then the last amount on its row. */
function bindLineItem(item: string, ctx: BindContext): FieldBinding {
  const cands: BoundField[] = [];
  const matches = findPhrase(ctx.pages, item, { minScore: 0.8, maxMatches: 6 });
  for (const m of matches) {
    const page = ctx.pages.find((p) => p.page === m.page);
    const box = m.boxes[0];
    if (!page || !box) continue;
    const ix = indexPage(page);
    const amounts = rightOf(ix, box)
      .map((i) => ({ i, money: parseMoney(ix.tokens[i]?.text ?? '') }))
      .filter((a) => a.money !== null);
    const last = amounts[amounts.length - 1];
    const tok = last ? ix.tokens[last.i] : undefined;
    if (!last?.money || !tok) continue;
    cands.push({
      field: 'line_item',
      value: last.money.value,
      normalized: last.money.normalized,
      type: 'money',
      box: { ...tok.box, page: page.page, label: m.text },
      label: m.text,
      labelBox: { ...box, page: page.page, label: m.text },
      how: 'table-row',
      score: m.score >= 0.95 ? 0.88 : 0.7,
    });
  }
  // Two rows matching the item with different amounts: which one was meant is not on the page.
  const first = cands[0];
  if (first && cands.slice(1).some((c) => c.normalized !== first.normalized && c.score >= first.score - 0.05))
    cands[0] = { ...first, score: Math.min(first.score, 0.65) };
  return { field: 'line_item', binding: cands[0] ?? null, candidates: cands.slice(1) };
}

/**
 * The value the question asks for, bound on the pages: null when the question asks for no field; otherwise
 * the field, its binding (null when none could be bound) and the other candidates, best first. A binding
 * with score ≥ VERIFIED_SCORE is one the page's labels or layout tie to the field (isVerified).
 */
export function bindField(
  question: string,
  ctx: BindContext,
): { field: FieldKind; binding: BoundField | null; candidates: BoundField[] } | null {
  const q = fieldOfQuestion(question);
  if (!q) return null;
  if (q.field === 'line_item') return bindLineItem(q.item ?? '', ctx);
  const all = bindCandidates(ctx);
  const list = all.get(q.field) ?? [];
  if (list.length > 0) return { field: q.field, binding: list[0] ?? null, candidates: list.slice(1, 6) };
  // Nothing of this field: the closest values of the same type stand in as candidates.
  const type = list[0]?.type;
  const near: BoundField[] = [];
  for (const [f, l] of all)
    if (f !== q.field && l[0] && (type === undefined || l[0].type === type)) near.push(l[0]);
  return { field: q.field, binding: null, candidates: near.filter((c) => sameType(q.field, c)).slice(0, 5) };
}

const TYPE_OF: Partial<Record<FieldKind, string>> = {
  total: 'money',
  subtotal: 'money',
  tax: 'money',
  date: 'date',
  due_date: 'date',
  vendor: 'name',
  recipient: 'name',
  address: 'address',
  invoice_number: 'id',
};

function sameType(field: FieldKind, c: BoundField): boolean {
  const t = TYPE_OF[field];
  return t === undefined || t === c.type;
}
