// The reader engine's chart answers: max / min / value of X / difference / trend / sum / average / ranking
// questions answered from the data recovered from a vector chart, with the marks that answer them.
import type { Chart, ChartValue } from '../../shared/charts.js';
import type { LabelledBox } from '../../shared/geometry.js';

export type ChartOp = 'max' | 'min' | 'value' | 'diff' | 'trend' | 'sum' | 'average' | 'rank';

export interface ChartReply {
  text: string;
  boxes: LabelledBox[];
  trust: 'verified' | 'found';
  trustReason: string;
  chart: Chart;
  /** Indices into chart.values of the answer's marks. */
  highlight: number[];
  op: ChartOp;
}

const OPS: [ChartOp, RegExp][] = [
  ['rank', /\b(rank\w*|order(ed)?|sort(ed)?|from (highest|lowest|largest|smallest))\b/],
  [
    'diff',
    /\b(difference|differ|how much (more|less|higher|lower|bigger|smaller)|change from|gap between|compared? (to|with))\b/,
  ],
  [
    'trend',
    /\b(trend\w*|over time|increas\w*|decreas\w*|grow\w*|declin\w*|go(es|ing)? (up|down)|ris(e|ing)|fall\w*)\b/,
  ],
  ['average', /\b(average|mean)\b/],
  ['sum', /\b(total|sum|combined|altogether|overall|add up)\b/],
  ['max', /\b(highest|largest|biggest|greatest|most|maximum|max|peak|top|best|strongest|largest share)\b/],
  ['min', /\b(lowest|smallest|least|minimum|min|fewest|worst|weakest)\b/],
];

/** Words that say a question is about a chart even when it names none of its labels. */
const CHART_WORDS = /\b(chart|graph|plot|bar|bars|pie|slice|line|series|axis|figure)\b/;

const norm = (s: string) =>
  s
    .toLowerCase()
    .replace(/[\u2019']/g, '')
    .replace(/[^a-z0-9.%]+/g, ' ')
    .trim();

function mentions(q: string, name: string): boolean {
  const n = norm(name);
  if (!n || n.length < 2) return false;
  return ` ${q} `.includes(` ${n} `);
}

function fmt(v: ChartValue, chart: Chart): string {
  if (v.label?.agrees) return v.label.text;
  return fmtNumber(v.value, chart);
}

function fmtNumber(n: number, chart: Chart): string {
  const s = n.toLocaleString('en-US', { maximumFractionDigits: 6 });
  return chart.kind === 'pie' || chart.unit === '%' ? `${s}%` : s;
}

function name(v: ChartValue, chart: Chart, many: boolean): string {
  if (chart.kind === 'scatter') return `${v.series} at x = ${v.category}`;
  return many && v.series !== 'Value' ? `${v.category}, ${v.series}` : v.category;
}

/** Whether the geometry alone pins this value: an axis fitted exactly on drawn ticks, or a pie's angles. */
function confirmed(v: ChartValue, chart: Chart): { ok: boolean; why: string } {
  if (v.label?.agrees)
    return {
      ok: true,
      why: `the printed data label "${v.label.text}" agrees with the value read from the drawing`,
    };
  if (chart.kind === 'pie') return { ok: true, why: 'the share is the wedge’s angle in the drawing' };
  const a = chart.valueAxis;
  if (a && a.residual < 0.002)
    return {
      ok: true,
      why: `the value is read from the drawing on an axis whose ${a.ticks.length} tick labels fit it exactly`,
    };
  return {
    ok: false,
    why: 'the value is read from the drawing, but its axis fits its tick labels only loosely',
  };
}

/** Picks the chart a question is about: the one whose labels, series or title it names; else the only one. */
function pickChart(q: string, charts: readonly Chart[]): Chart | null {
  let best: Chart | null = null;
  let bestScore = 0;
  for (const c of charts) {
    let s = 0;
    for (const cat of c.categories) if (mentions(q, cat)) s += 2;
    for (const se of c.series) if (mentions(q, se.name)) s += 2;
    for (const w of norm(c.title ?? '').split(' ')) if (w.length > 3 && ` ${q} `.includes(` ${w} `)) s += 1;
    if (s > bestScore) {
      bestScore = s;
      best = c;
    }
  }
  return best ?? (charts.length === 1 ? (charts[0] ?? null) : null);
}

/**
 * A chart question answered from the charts recovered on the pages asked about, or null when the question is not
 * one (no chart operation asked, or no chart it could be about). Trust: verified when the answering marks carry a
 * data label that agrees with the geometry, or the axis fits its drawn ticks exactly; found otherwise.
 */
export function answerChartQuestion(question: string, charts: readonly Chart[]): ChartReply | null {
  if (!charts.length) return null;
  const q = norm(question);
  const chart = pickChart(q, charts);
  if (!chart) return null;
  const named = chart.categories.filter((c) => mentions(q, c));
  const series = chart.series.filter((s) => mentions(q, s.name)).map((s) => s.name);
  let op: ChartOp | null = OPS.find(([, re]) => re.test(q))?.[0] ?? null;
  // "How much was Q2 FY25?" / "What is the value of Europe?": a named category and nothing else asked.
  if (!op && named.length >= 1 && /\b(what|how much|how many|value|share|was|is)\b/.test(q)) op = 'value';
  if (op === 'sum' && named.length === 1 && !/\b(sum|combined|altogether|add up)\b/.test(q)) op = 'value';
  if (op === 'trend' && named.length === 2) op = 'diff';
  if (!op) return null;
  // Only answer what plausibly asks about this chart: it names a label, a series, the title's words or a chart.
  const title = norm(chart.title ?? '')
    .split(' ')
    .filter((w) => w.length > 3);
  const about =
    named.length > 0 ||
    series.length > 0 ||
    CHART_WORDS.test(q) ||
    title.some((w) => ` ${q} `.includes(` ${w} `)) ||
    /\b(quarter|month|year|week|day|category|region|value|share|percent)s?\b/.test(q) ||
    // With one chart in scope, a bare "what is the trend?" or "which is highest?" can only be about it.
    (charts.length === 1 && (op === 'trend' || op === 'max' || op === 'min' || op === 'rank'));
  if (!about) return null;

  const idx = chart.values
    .map((_, i) => i)
    .filter((i) => !series.length || series.includes(chart.values[i]?.series ?? ''));
  const vals = (ids: number[]) => ids.map((i) => chart.values[i] as ChartValue);
  const many = new Set(vals(idx).map((v) => v.series)).size > 1;
  const box = (i: number, label?: string): LabelledBox => {
    const v = chart.values[i] as ChartValue;
    return { ...v.box, page: chart.page, label: label ?? `${v.category}: ${fmt(v, chart)}` };
  };
  const reply = (text: string, highlight: number[], why: string, ok: boolean): ChartReply => ({
    text,
    boxes: highlight.map((i) => box(i)),
    trust: ok ? 'verified' : 'found',
    trustReason: why,
    chart,
    highlight,
    op: op,
  });
  const check = (ids: number[]) => {
    const c = ids.map((i) => confirmed(chart.values[i] as ChartValue, chart));
    const ok = c.every((x) => x.ok);
    return { ok, why: ok ? (c[0]?.why ?? '') : (c.find((x) => !x.ok)?.why ?? '') };
  };
  const byCat = (cat: string) => idx.filter((i) => chart.values[i]?.category === cat);

  switch (op) {
    case 'max':
    case 'min': {
      if (!idx.length) return null;
      const sorted = [...idx].sort((a, b) => (chart.values[b]?.value ?? 0) - (chart.values[a]?.value ?? 0));
      const pick = (op === 'max' ? sorted[0] : sorted[sorted.length - 1]) as number;
      const v = chart.values[pick] as ChartValue;
      const ties = idx.filter((i) => chart.values[i]?.value === v.value);
      const c = check(ties);
      const text = ties
        .map(
          (i) =>
            `${name(chart.values[i] as ChartValue, chart, many)} (${fmt(chart.values[i] as ChartValue, chart)})`,
        )
        .join(', ');
      return reply(
        text,
        ties,
        `${op === 'max' ? 'The highest' : 'The lowest'} of ${idx.length} values; ${c.why}.`,
        c.ok,
      );
    }
    case 'value': {
      const ids = named.flatMap(byCat);
      if (!ids.length) return null;
      const c = check(ids);
      const text = ids
        .map(
          (i) =>
            `${name(chart.values[i] as ChartValue, chart, many)}: ${fmt(chart.values[i] as ChartValue, chart)}`,
        )
        .join('; ');
      return reply(text, ids, `${c.why[0]?.toUpperCase() ?? ''}${c.why.slice(1)}.`, c.ok);
    }
    case 'diff': {
      const a = named[0];
      const b = named[1];
      if (a === undefined || b === undefined) return null;
      const ia = byCat(a);
      const ib = byCat(b);
      if (ia.length !== 1 || ib.length !== 1) return null;
      const va = chart.values[ia[0] as number] as ChartValue;
      const vb = chart.values[ib[0] as number] as ChartValue;
      const d = Number((vb.value - va.value).toPrecision(12));
      const c = check([...ia, ...ib]);
      const text = `${b} − ${a} = ${fmtNumber(d, chart)} (${fmt(vb, chart)} vs ${fmt(va, chart)})`;
      return reply(text, [...ia, ...ib], `${c.why[0]?.toUpperCase() ?? ''}${c.why.slice(1)}.`, c.ok);
    }
    case 'sum':
    case 'average': {
      if (!idx.length) return null;
      const total = vals(idx).reduce((s, v) => s + v.value, 0);
      const n = Number((op === 'sum' ? total : total / idx.length).toPrecision(12));
      const c = check(idx);
      const text = `${op === 'sum' ? 'Total' : 'Average'}: ${fmtNumber(Math.round(n * 1e6) / 1e6, chart)} over ${idx.length} values`;
      return reply(text, idx, `Computed from the ${idx.length} values read from the chart; ${c.why}.`, c.ok);
    }
    case 'rank': {
      const sorted = [...idx].sort((a, b) => (chart.values[b]?.value ?? 0) - (chart.values[a]?.value ?? 0));
      const low = /\b(lowest|smallest|ascending|least)\b/.test(q) && !/\bhighest\b/.test(q);
      const order = low ? sorted.reverse() : sorted;
      const c = check(order);
      const text = order
        .map(
          (i, k) =>
            `${k + 1}. ${name(chart.values[i] as ChartValue, chart, many)} (${fmt(chart.values[i] as ChartValue, chart)})`,
        )
        .join('; ');
      return reply(text, order, `Ordered by the values read from the chart; ${c.why}.`, c.ok);
    }
    case 'trend': {
      const seriesNames = [...new Set(vals(idx).map((v) => v.series))];
      const parts: string[] = [];
      const hi: number[] = [];
      for (const s of seriesNames) {
        const ids = idx.filter((i) => chart.values[i]?.series === s);
        const order = [...ids].sort((a, b) => {
          const va = chart.values[a] as ChartValue;
          const vb = chart.values[b] as ChartValue;
          if (va.x !== null && vb.x !== null) return va.x - vb.x;
          return chart.categories.indexOf(va.category) - chart.categories.indexOf(vb.category);
        });
        const first = order[0];
        const last = order[order.length - 1];
        if (first === undefined || last === undefined || order.length < 2) continue;
        const v0 = chart.values[first] as ChartValue;
        const v1 = chart.values[last] as ChartValue;
        const steps = order
          .slice(1)
          .map((i, k) => (chart.values[i]?.value ?? 0) - (chart.values[order[k] as number]?.value ?? 0));
        const dir = v1.value > v0.value ? 'rising' : v1.value < v0.value ? 'falling' : 'flat';
        const every = steps.every((d) => d > 0)
          ? ', up every step'
          : steps.every((d) => d < 0)
            ? ', down every step'
            : '';
        const pct =
          v0.value !== 0 ? ` (${(((v1.value - v0.value) / Math.abs(v0.value)) * 100).toFixed(1)}%)` : '';
        parts.push(
          `${many ? `${s}: ` : ''}${dir}, from ${fmt(v0, chart)} (${v0.category}) to ${fmt(v1, chart)} (${v1.category})${pct}${every}`,
        );
        hi.push(first, last);
      }
      if (!parts.length) return null;
      const c = check(hi);
      return reply(`${parts.join('; ')}.`, hi, `From the values read from the chart; ${c.why}.`, c.ok);
    }
  }
}

/** Whether a question asks about a chart at all (used to say that a chart drawn as an image needs a model). */
export function isChartQuestion(question: string): boolean {
  return /\b(chart|graph|plot|pie|histogram)s?\b/.test(norm(question));
}
