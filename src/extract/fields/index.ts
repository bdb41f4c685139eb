// Public face of the field binder: what the reader engine and VLM answer checking import. bindField answers
// "which value on these pages is the one this question asks for, and how sure is that"; bindAll lists every
// field a page set binds.
import type { BoundField, FieldKind } from '../../shared/domain.js';
import type { Rect } from '../../shared/domain.js';
import { findPhrase, type TextMatch } from '../verify/find-text.js';
import { bindCandidates, type BindContext, type FieldBinding } from './bind.js';
import { indexPage, rowRightOf, type PageIndex } from './page-index.js';
import { columnHeaders, fieldOfQuestion } from './question.js';
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

/**
 * The cell of a line item's row under the asked column's header: the header printed above the row (the nearest
 * one), and the row's token whose middle lies within the header's span (a cell aligned left, right or centred
 * under it overlaps it).
 */
function cellUnder(
  ix: PageIndex,
  row: readonly number[],
  rowBox: Rect,
  column: string,
): { idx: number; header: TextMatch } | null {
  let best: { idx: number; header: TextMatch } | null = null;
  let bestGap = Infinity;
  for (const name of columnHeaders(column)) {
    // Only the row's own page can hold its header.
    for (const h of findPhrase([ix.page], name, { minScore: 0.95, maxMatches: 8 })) {
      const hb = h.boxes[0];
      if (!hb) continue;
      const hx0 = hb.x0;
      const hx1 = Math.max(...h.boxes.map((b) => b.x1));
      // The cell under the header's span, below it (measured at the cell: a skewed row drifts across the page).
      const under = row.filter((i) => {
        const b = ix.tokens[i]?.box;
        return !!b && b.x1 > hx0 - 2 && b.x0 < hx1 + 2 && b.y0 >= hb.y1 - 0.3 * (rowBox.y1 - rowBox.y0);
      });
      const cell = ix.tokens[under[0] ?? -1]?.box;
      if (under.length !== 1 || !cell) continue;
      const gap = cell.y0 - hb.y1;
      if (gap >= bestGap) continue;
      best = { idx: under[0] ?? -1, header: h };
      bestGap = gap;
    }
    if (best) return best;
  }
  return best;
}

/** A line item's amount: the item's words, then the last amount on its row (or the asked column's cell). */
function bindLineItem(item: string, ctx: BindContext, column?: string): FieldBinding {
  const cands: BoundField[] = [];
  const matches = findPhrase(ctx.pages, item, { minScore: 0.8, maxMatches: 6 });
  for (const m of matches) {
    const page = ctx.pages.find((p) => p.page === m.page);
    const box = m.boxes[0];
    if (!page || !box) continue;
    // The row runs on from the item's last word (a wrapped description ends on the row's own line).
    const end = m.boxes[m.boxes.length - 1] ?? box;
    const ix = indexPage(page);
    if (column) {
      const row = rowRightOf(ix, end);
      const cell = cellUnder(ix, row, box, column);
      const tok = cell ? ix.tokens[cell.idx] : undefined;
      if (!cell || !tok) continue;
      const money = parseMoney(tok.text);
      cands.push({
        field: 'line_item',
        value: money?.value ?? tok.text,
        normalized: money?.normalized ?? null,
        type: money ? 'money' : 'text',
        box: { ...tok.box, page: page.page, label: `${m.text} · ${cell.header.text}` },
        label: `${m.text} · ${cell.header.text}`,
        labelBox: { ...box, page: page.page, label: m.text },
        how: 'table-cell',
        score: m.score >= 0.95 ? 0.88 : 0.7,
      });
      continue;
    }
    const amounts = rowRightOf(ix, end)
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
  if (q.field === 'line_item') return bindLineItem(q.item ?? '', ctx, q.column);
  const all = bindCandidates(ctx);
  let list = all.get(q.field) ?? [];
  if (q.field === 'invoice_number') list = byQualifier(question, list);
  if (list.length > 0) return { field: q.field, binding: list[0] ?? null, candidates: list.slice(1, 6) };
  // Nothing of this field: the closest values of the same type stand in as candidates.
  const type = list[0]?.type;
  const near: BoundField[] = [];
  for (const [f, l] of all)
    if (f !== q.field && l[0] && (type === undefined || l[0].type === type)) near.push(l[0]);
  return { field: q.field, binding: null, candidates: near.filter((c) => sameType(q.field, c)).slice(0, 5) };
}

const QUALIFIERS: ReadonlyArray<[RegExp, RegExp]> = [
  [/\border\b/i, /\border\b/i],
  [/\b(?:reference|ref)\b/i, /\b(?:reference|ref)\b/i],
  [/\breceipt\b/i, /\breceipt\b/i],
  [/\bstatement\b/i, /\bstatement\b/i],
  [/\b(?:document|doc)\b/i, /\b(?:document|doc)\b/i],
];

/**
 * "What is the order number?" asks for the number labelled as an order's: the invoice number is not it. The
 * candidate whose label names what was asked comes first; without one, the best is only 'found'.
 */
function byQualifier(question: string, list: BoundField[]): BoundField[] {
  const q = QUALIFIERS.find(([inQuestion]) => inQuestion.test(question));
  if (!q) return list;
  const hit = list.find((b) => q[1].test(b.label ?? ''));
  if (hit) return [hit, ...list.filter((b) => b !== hit)];
  const first = list[0];
  return first ? [{ ...first, score: Math.min(first.score, 0.65) }, ...list.slice(1)] : list;
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
