// The reader engine's answers: what can be answered from the page's words alone, with no model — find text,
// list dates, list tables, the title, and labelled values ("what is the invoice date?"). Anything else
// says that a vision-language model is needed and how to get one.
import type { BoundField, DateHit, FieldKind, Table, TextPage, Trust, Word } from '../../shared/domain.js';
import type { LabelledBox, Rect } from '../../shared/geometry.js';
import { unionRect } from '../../shared/geometry.js';
import { findPhrase, normalizeToken } from '../verify/find-text.js';
import { bindField, fieldOfQuestion, isVerified } from '../fields/index.js';
import type { Chart, ChartAnswer } from '../../shared/charts.js';
import { answerChartQuestion, isChartQuestion } from '../charts/index.js';

export type ReaderIntent =
  | { kind: 'find'; phrase: string }
  | { kind: 'dates' }
  | { kind: 'tables' }
  | { kind: 'title' }
  | { kind: 'field'; label: string }
  | { kind: 'bound'; field: FieldKind }
  | { kind: 'chart' }
  | { kind: 'unsupported' };

export interface ReaderContext {
  pages: readonly TextPage[];
  dates: readonly DateHit[];
  /** null: table detection not available. */
  tables: readonly Table[] | null;
  /** The document's metadata title, if any. */
  metadataTitle: string | null;
  /** Charts read from the pages' vector drawings (src/extract/charts); absent: not read. */
  charts?: readonly Chart[];
}

export interface ReaderAnswer {
  text: string;
  boxes: LabelledBox[];
  /** true exactly when `trust` is 'verified'; false for found / unverified; null when there is nothing to check. */
  verified: boolean | null;
  /**
   * verified: the value is bound to the asked field by the page's labels or layout (fields/); found: the words
   * are on the page but nothing ties them to the question (found text, a listed date, a value that could be
   * the field but is not singled out); unverified: not on the page; null: nothing to check.
   */
  trust: Trust | null;
  /** Why this level, one sentence. */
  trustReason: string | null;
  /** The field asked for and the value bound to it (field questions only). */
  field: BoundField | null;
  /** When nothing could be bound, or the binding is not sure: the closest candidates, best first. */
  candidates: BoundField[];
  intent: ReaderIntent['kind'];
  /** Chart answers: the chart and the values that answer (re-plotted by the renderer). */
  chart?: ChartAnswer | null;
}

export const NEEDS_VLM =
  'The reader engine answers from the words on the page: it can find text ("find …"), list the dates, the tables ' +
  'and the title, and read labelled values ("What is the invoice date?"). This question needs a vision-language ' +
  'model: install one in the Models panel (for example Qwen2-VL-2B-Instruct).';

const STOP = new Set(['the', 'a', 'an', 'this', 'that', 'of', 'in', 'on', 'for', 'is', 'are', 'was']);

/** Reads what kind of question this is. Deliberately conservative: unknown questions go to the VLM. */
export function classify(question: string): ReaderIntent {
  const q = question.trim().replace(/\s+/g, ' ');
  const lower = q.toLowerCase();
  const quoted = /["“'‘]([^"”'’]{1,200})["”'’]/.exec(q);
  const find = /^(?:find|search(?: for)?|locate|highlight|where is|where's|show me)\s+(.+?)\??$/i.exec(q);
  if (find?.[1] || (quoted?.[1] && /\b(find|where|search|locate|highlight)\b/i.test(q))) {
    const phrase = quoted?.[1] ?? find?.[1] ?? '';
    const cleaned = phrase
      .replace(/^(?:the (?:text|word|phrase)s?\s+)/i, '')
      .replace(/\s+(?:on|in) (?:this|the) (?:page|document)$/i, '');
    return { kind: 'find', phrase: cleaned.replace(/^["“'‘]|["”'’]$/g, '') };
  }
  if (/\b(dates|deadlines)\b/.test(lower) || /\b(all|every|extract|list)\b.*\bdates?\b/.test(lower))
    return { kind: 'dates' };
  if (/\btables?\b/.test(lower) && /\b(what|which|list|any|how many|present|describe|extract)\b/.test(lower))
    return { kind: 'tables' };
  if (/\btitle\b/.test(lower) || /\bwhat is this document\b/.test(lower)) return { kind: 'title' };
  const field =
    /^(?:what|which|when|who)(?:'s| is| was| are| were)\s+(?:the\s+)?(.+?)(?:\s+(?:of|on|in|for)\s+(?:this|the)\s+(?:document|invoice|page|report|file|receipt))?\s*\??$/i.exec(
      q,
    ) ?? /^(?:when is|when was)\s+(?:the\s+)?(.+?)\s*\??$/i.exec(q);
  const label = field?.[1]?.trim();
  if (
    label &&
    label.split(' ').length <= 6 &&
    !/\b(main points|summar\w*|trend|chart|about|mean\w*)\b/i.test(label)
  ) {
    return { kind: 'field', label };
  }
  // A bare label ("invoice number?") reads as a lookup; a bare question ("what is the trend?") does not.
  if (
    /^[\w .#/-]{2,40}\??$/.test(q) &&
    q.split(' ').length <= 4 &&
    !/^(?:(?:what|which|when|who|why|how|where|is|are|does|do|can)\b|summar)/i.test(q)
  ) {
    return { kind: 'field', label: q.replace(/\?$/, '') };
  }
  return { kind: 'unsupported' };
}

function lineHeight(words: readonly Word[]): number {
  const hs = words.map((w) => w.box.y1 - w.box.y0).sort((a, b) => a - b);
  return hs[Math.floor(hs.length / 2)] ?? 10;
}

/** The words right of a label on its line (up to a column gap), else the words just below it. */
function valueAfter(page: TextPage, labelWords: readonly number[]): number[] {
  const last = labelWords[labelWords.length - 1];
  const first = labelWords[0];
  if (last === undefined || first === undefined) return [];
  const lw = page.words[last];
  const fw = page.words[first];
  if (!lw || !fw) return [];
  const line = page.lines[lw.line];
  const h = lineHeight(page.words.filter((w) => w.line === lw.line));
  const out: number[] = [];
  if (line) {
    let prev = lw.box;
    for (let i = last + 1; i < line.wordEnd; i++) {
      const w = page.words[i];
      if (!w) break;
      const gap = w.box.x0 - prev.x1;
      // The first value word may sit in the next column; later words must stay close.
      if (out.length > 0 && gap > 2.5 * h) break;
      if (out.length === 0 && gap > 25 * h) break;
      out.push(i);
      prev = w.box;
    }
  }
  if (out.length > 0) return out;
  // Below: the nearest line under the label whose words overlap the label's x-range.
  const labelBox = unionRect(
    labelWords.map((i) => page.words[i]?.box).filter((b): b is Rect => b !== undefined),
  );
  if (!labelBox) return [];
  let best: number[] = [];
  let bestDy = Infinity;
  for (const l of page.lines) {
    const dy = l.box.y0 - labelBox.y1;
    if (dy < -1 || dy > 3 * h || dy >= bestDy) continue;
    const idx: number[] = [];
    for (let i = l.wordStart; i < l.wordEnd; i++) {
      const w = page.words[i];
      if (w && w.box.x1 > labelBox.x0 - h && w.box.x0 < labelBox.x1 + 10 * h) idx.push(i);
    }
    if (idx.length > 0) {
      best = idx;
      bestDy = dy;
    }
  }
  return best;
}

function describeTable(t: Table, i: number): string {
  const header = t.cells.filter((c) => c.row < Math.max(1, t.headerRows)).sort((a, b) => a.col - b.col);
  const cols = header.map((c) => c.text.replace(/\s+/g, ' ').trim()).filter(Boolean);
  return `Table ${i + 1} (page ${t.page}): ${t.rows} rows × ${t.cols} columns${cols.length ? `; columns: ${cols.join(', ')}` : ''}.`;
}

function reply(
  intent: ReaderIntent['kind'],
  text: string,
  boxes: LabelledBox[],
  trust: Trust | null,
  trustReason: string | null,
  extra: { field?: BoundField | null; candidates?: BoundField[] } = {},
): ReaderAnswer {
  return {
    text,
    boxes,
    verified: trust === null ? null : trust === 'verified',
    trust,
    trustReason,
    field: extra.field ?? null,
    candidates: extra.candidates ?? [],
    intent,
  };
}

const FIELD_NAMES: Record<FieldKind, string> = {
  total: 'total',
  subtotal: 'subtotal',
  tax: 'tax',
  date: 'date',
  due_date: 'due date',
  vendor: 'issuing company',
  address: 'address',
  recipient: 'recipient',
  invoice_number: 'invoice number',
  currency: 'currency',
  line_item: 'amount',
};

/** The answer text of a bound value: money keeps its currency mark as printed ("$11,977.20"). */
function valueText(b: BoundField, pages: readonly TextPage[]): string {
  if (b.type !== 'money') return b.value;
  const page = pages.find((p) => p.page === b.box.page);
  const word = page?.words.find(
    (w) =>
      w.box.x0 <= b.box.x0 + 0.5 &&
      w.box.x1 >= b.box.x1 - 0.5 &&
      w.box.y0 <= b.box.y1 &&
      w.box.y1 >= b.box.y0 &&
      w.text.includes(b.value),
  );
  return word ? word.text.replace(/[:*]+$/, '') : b.value;
}

function boundAnswer(question: string, ctx: ReaderContext): ReaderAnswer | null {
  const r = bindField(question, { pages: ctx.pages, dates: ctx.dates });
  if (!r) return null;
  const name = FIELD_NAMES[r.field];
  const b = r.binding;
  if (!b) {
    const near = r.candidates
      .map((c) => `"${valueText(c, ctx.pages)}" (${FIELD_NAMES[c.field]})`)
      .slice(0, 3);
    const where = ctx.pages.length === 1 ? 'this page' : 'these pages';
    const q = r.field === 'line_item' ? fieldOfQuestion(question) : null;
    // A line item names what was looked for: the row's words, and the column when the question named one.
    const what = q?.item
      ? q.column
        ? `No "${q.column}" column over a line "${q.item}" was found on ${where}`
        : `No line "${q.item}" with an amount was found on ${where}`
      : `No ${name} could be read from ${where}`;
    // 'unsupported': a vision-language model, where one is installed, may still read it.
    return reply(
      'unsupported',
      `${what}${near.length ? `; closest: ${near.join(', ')}` : ''}.`,
      r.candidates.map((c) => ({ ...c.box, label: c.value })),
      null,
      null,
      { candidates: r.candidates },
    );
  }
  const boxes = [{ ...b.box, label: b.label ?? name }];
  if (isVerified(b)) {
    const [row, col] = b.how === 'table-cell' ? (b.label ?? '').split(' · ') : [];
    const why =
      row && col
        ? `"${b.value}" is printed in the row "${row}" under the column "${col}".`
        : b.label
          ? `"${b.value}" is the value the page prints ${b.how === 'below' ? 'under' : 'beside'} the label "${b.label}".`
          : b.how === 'only-date'
            ? `"${b.value}" is the only date on the page.`
            : b.how === 'under rounding'
              ? `"${b.value}" is the amount under the rounding line, and cash minus change comes to it.`
              : `"${b.value}" is singled out as the ${name} by its type and position.`;
    return reply('bound', valueText(b, ctx.pages), boxes, 'verified', why, {
      field: b,
      candidates: r.candidates,
    });
  }
  const why = b.how.endsWith('currency apart')
    ? `"${b.value}" is printed by the label "${b.label ?? name}", with a currency code as a separate word: whether the code belongs to the amount as written is not certain from a scan.`
    : b.how === 'under rounding' || b.how === 'cash − change'
      ? `No ${name} label could be read; "${b.value}" is ${b.how === 'under rounding' ? 'the amount under the rounding line' : 'what cash minus change comes to'}.`
      : b.label
        ? `"${b.value}" is printed by the label "${b.label}", but another value could also be the ${name}.`
        : `"${b.value}" is on the page, but no label ties it to the ${name}.`;
  return reply('bound', valueText(b, ctx.pages), boxes, 'found', why, { field: b, candidates: r.candidates });
}

/** Says that a chart drawn as an image needs a model (a chart question on pages with no vector chart). */
export const NEEDS_VLM_CHART =
  'No chart drawn as vector graphics was found on ' +
  'these pages, so the reader engine cannot read its values; a chart drawn as an image needs a vision-language ' +
  'model: install one in the Models panel (for example Qwen2-VL-2B-Instruct).';

export function answerWithReader(question: string, ctx: ReaderContext): ReaderAnswer {
  // Chart questions (max / min / value / trend …) about a chart read from the vector drawing (src/extract/charts).
  if (ctx.charts) {
    const c = answerChartQuestion(question, ctx.charts);
    if (c) {
      const r = reply('chart', c.text, c.boxes, c.trust, c.trustReason);
      return { ...r, chart: { chart: c.chart, highlight: c.highlight } };
    }
    if (!ctx.charts.length && isChartQuestion(question))
      return reply('unsupported', NEEDS_VLM_CHART, [], null, null);
  }
  const intent = classify(question);
  if (intent.kind === 'field' || intent.kind === 'unsupported') {
    const bound = boundAnswer(question, ctx);
    if (bound) return bound;
  }
  switch (intent.kind) {
    case 'find': {
      const matches = findPhrase(ctx.pages, intent.phrase, { minScore: 0.9 });
      if (matches.length === 0) {
        return reply(
          intent.kind,
          `"${intent.phrase}" does not appear on ${ctx.pages.length === 1 ? 'this page' : 'these pages'}.`,
          [],
          'unverified',
          'The words are not on the page.',
        );
      }
      const pages = [...new Set(matches.map((m) => m.page))].sort((a, b) => a - b);
      // Found text is 'found': the words are there; a find asks for nothing more to be tied to them.
      return reply(
        intent.kind,
        `Found ${matches.length} match${matches.length === 1 ? '' : 'es'} for "${intent.phrase}" on page${pages.length === 1 ? '' : 's'} ${pages.join(', ')}.`,
        matches.flatMap((m) => m.boxes.map((b) => ({ ...b, page: m.page, label: m.text }))),
        'found',
        'The words are on the page where the boxes are.',
      );
    }
    case 'dates': {
      if (ctx.dates.length === 0) return reply(intent.kind, 'No dates found.', [], null, null);
      const list = ctx.dates.map((d) => `${d.text} (${d.iso}, page ${d.box.page})`);
      return reply(
        intent.kind,
        `${ctx.dates.length} date${ctx.dates.length === 1 ? '' : 's'}: ${list.join('; ')}.`,
        ctx.dates.map((d) => ({ ...d.box, label: d.iso })),
        'found',
        'Every date printed on the page, read where it is printed.',
      );
    }
    case 'tables': {
      if (ctx.tables === null)
        return reply(intent.kind, 'Table detection is not available in this build yet.', [], null, null);
      if (ctx.tables.length === 0) return reply(intent.kind, 'No tables found.', [], null, null);
      return reply(
        intent.kind,
        `${ctx.tables.length} table${ctx.tables.length === 1 ? '' : 's'}. ${ctx.tables.map(describeTable).join(' ')}`,
        ctx.tables.map((t, i) => ({ ...t.box, page: t.page, label: `Table ${i + 1}` })),
        'found',
        'The tables detected on the page.',
      );
    }
    case 'title': {
      // The title is the line set in the largest type near the top of the first page.
      const first = ctx.pages[0];
      let best: { text: string; box: Rect; size: number } | null = null;
      for (const l of first?.lines ?? []) {
        if (!/[a-z]{2}/i.test(l.text) || !first) continue;
        const size = lineHeight(first.words.slice(l.wordStart, l.wordEnd));
        const score = size * (l.box.y0 < first.height / 2 ? 1 : 0.6);
        if (!best || score > best.size + 0.5) best = { text: l.text, box: l.box, size: score };
      }
      if (!best && !ctx.metadataTitle)
        return reply(intent.kind, 'This document has no visible title.', [], null, null);
      const meta =
        ctx.metadataTitle && best && normalizeToken(ctx.metadataTitle) !== normalizeToken(best.text)
          ? ` (its metadata title is "${ctx.metadataTitle}")`
          : '';
      return best && first
        ? reply(
            intent.kind,
            `${best.text}${meta}`,
            [{ ...best.box, page: first.page, label: 'title' }],
            'found',
            'The line in the largest type near the top of the first page.',
          )
        : reply(intent.kind, ctx.metadataTitle ?? '', [], null, null);
    }
    case 'field': {
      const label = intent.label
        .split(' ')
        .filter((w, i, all) => !(i === 0 && STOP.has(w.toLowerCase()) && all.length > 1))
        .join(' ');
      for (const m of findPhrase(ctx.pages, label, { minScore: 0.85 })) {
        const page = ctx.pages.find((p) => p.page === m.page);
        if (!page) continue;
        const value = valueAfter(page, m.words);
        if (value.length === 0) continue;
        const text = value.map((i) => page.words[i]?.text ?? '').join(' ');
        const box = unionRect(value.map((i) => page.words[i]?.box).filter((b): b is Rect => b !== undefined));
        if (!box) continue;
        // A label the binder does not know: the words beside it are on the page, but no type check ties them.
        return reply(
          intent.kind,
          text,
          [{ ...box, page: page.page, label }],
          'found',
          `The words printed beside "${m.text}"; nothing checks that they are its value.`,
        );
      }
      return reply('unsupported', `No value labelled "${label}" was found. ${NEEDS_VLM}`, [], null, null);
    }
    case 'bound':
    case 'chart':
    case 'unsupported':
      return reply(intent.kind, NEEDS_VLM, [], null, null);
  }
}
