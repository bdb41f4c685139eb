// A chart answer drawn in the app: a small SVG re-plot of the data recovered from the page's chart (bars, lines,
// points or wedges) with the answer's marks highlighted, and its data table beside it. Plain SVG: the shapes are
// few and known, so no chart library earns its weight here.
import type { Chart, ChartValue } from '../../shared/charts.js';

const W = 320;
const H = 200;
const PAD = { l: 40, r: 10, t: 10, b: 28 };
const FALLBACK = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1'];

function fmt(v: number): string {
  return v.toLocaleString('en-US', { maximumFractionDigits: 4 });
}

/** Series colours as drawn on the page (a pie's wedges have theirs per category, kept on the values' order). */
function colourOf(chart: Chart, v: ChartValue, i: number): string {
  const s = chart.series.findIndex((x) => x.name === v.series);
  if (chart.kind === 'pie') return FALLBACK[i % FALLBACK.length] as string;
  return chart.series[s]?.color ?? (FALLBACK[Math.max(0, s) % FALLBACK.length] as string);
}

function niceTicks(lo: number, hi: number): number[] {
  const span = hi - lo || 1;
  const raw = span / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  const step = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

interface Mark {
  i: number;
  el: 'rect' | 'circle' | 'path';
  props: Record<string, number | string>;
}

function plotMarks(chart: Chart): {
  marks: Mark[];
  lines: { points: string; color: string }[];
  ticks: number[];
  y: (v: number) => number;
  cats: { text: string; at: number }[];
} {
  const values = chart.values;
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const stacked = chart.layout === 'stacked';
  const sums = new Map<string, { pos: number; neg: number }>();
  if (stacked) {
    for (const v of values) {
      const s = sums.get(v.category) ?? { pos: 0, neg: 0 };
      if (v.value >= 0) s.pos += v.value;
      else s.neg += v.value;
      sums.set(v.category, s);
    }
  }
  const all = stacked ? [...sums.values()].flatMap((s) => [s.pos, s.neg]) : values.map((v) => v.value);
  const log = chart.valueAxis?.scale === 'log' && values.every((v) => v.value > 0);
  const lo = log ? Math.min(...all) : Math.min(0, ...all);
  const hi = Math.max(log ? lo * 10 : 0, ...all);
  const t = (v: number) => (log ? Math.log10(v) : v);
  const frac = (v: number) => (t(v) - t(lo)) / (t(hi) - t(lo) || 1);
  const y = (v: number) => PAD.t + ih - frac(v) * ih;
  const ticks = log ? [lo, hi] : niceTicks(lo, hi);
  const marks: Mark[] = [];
  const lines: { points: string; color: string }[] = [];
  const numericX = values.every((v) => v.x !== null);
  if (numericX && chart.kind !== 'bar') {
    const xs = values.map((v) => v.x ?? 0);
    const x0 = Math.min(...xs);
    const x1 = Math.max(...xs);
    const x = (v: number) => PAD.l + ((v - x0) / (x1 - x0 || 1)) * iw;
    for (const s of chart.series) {
      const pts = values.map((v, i) => ({ v, i })).filter((p) => p.v.series === s.name);
      if (chart.kind === 'line')
        lines.push({
          points: [...pts]
            .sort((a, b) => (a.v.x ?? 0) - (b.v.x ?? 0))
            .map((p) => `${x(p.v.x ?? 0)},${y(p.v.value)}`)
            .join(' '),
          color: s.color ?? '#4e79a7',
        });
    }
    values.forEach((v, i) =>
      marks.push({ i, el: 'circle', props: { cx: x(v.x ?? 0), cy: y(v.value), r: 3 } }),
    );
    const first = values.reduce((a, b) => ((a.x ?? 0) <= (b.x ?? 0) ? a : b));
    const last = values.reduce((a, b) => ((a.x ?? 0) >= (b.x ?? 0) ? a : b));
    return {
      marks,
      lines,
      ticks,
      y,
      cats: [
        { text: first.category, at: x(first.x ?? 0) },
        { text: last.category, at: x(last.x ?? 0) },
      ],
    };
  }
  const cats = chart.categories.length ? chart.categories : [...new Set(values.map((v) => v.category))];
  const slot = iw / Math.max(1, cats.length);
  const series = chart.series.map((s) => s.name);
  const base = { pos: new Map<string, number>(), neg: new Map<string, number>() };
  values.forEach((v, i) => {
    const c = Math.max(0, cats.indexOf(v.category));
    const mid = PAD.l + slot * (c + 0.5);
    if (chart.kind === 'line') {
      marks.push({ i, el: 'circle', props: { cx: mid, cy: y(v.value), r: 3 } });
      return;
    }
    const grouped = chart.layout === 'grouped' && series.length > 1;
    const bw = (slot * 0.7) / (grouped ? series.length : 1);
    const k = Math.max(0, series.indexOf(v.series));
    const x0 = mid - slot * 0.35 + (grouped ? k * bw : 0);
    let from = log ? lo : 0;
    if (stacked) {
      const m = v.value >= 0 ? base.pos : base.neg;
      from = m.get(v.category) ?? 0;
      m.set(v.category, from + v.value);
    }
    const to = stacked ? from + v.value : v.value;
    const top = Math.min(y(from), y(to));
    marks.push({
      i,
      el: 'rect',
      props: { x: x0, y: top, width: Math.max(1, bw - 1), height: Math.max(0.5, Math.abs(y(to) - y(from))) },
    });
  });
  if (chart.kind === 'line') {
    for (const s of chart.series) {
      const pts = values.filter((v) => v.series === s.name);
      lines.push({
        points: pts
          .map((v) => `${PAD.l + slot * (Math.max(0, cats.indexOf(v.category)) + 0.5)},${y(v.value)}`)
          .join(' '),
        color: s.color ?? '#4e79a7',
      });
    }
  }
  return { marks, lines, ticks, y, cats: cats.map((c, k) => ({ text: c, at: PAD.l + slot * (k + 0.5) })) };
}

function PiePlot({ chart, hl }: { chart: Chart; hl: Set<number> }) {
  const cx = W / 2;
  const cy = H / 2;
  const r = H / 2 - 12;
  let a = -Math.PI / 2;
  const total = chart.values.reduce((s, v) => s + Math.max(0, v.value), 0) || 1;
  return (
    <>
      {chart.values.map((v, i) => {
        const sweep = (Math.max(0, v.value) / total) * 2 * Math.PI;
        const p = (ang: number, rr: number) => `${cx + rr * Math.cos(ang)} ${cy + rr * Math.sin(ang)}`;
        const d = `M ${cx} ${cy} L ${p(a, r)} A ${r} ${r} 0 ${sweep > Math.PI ? 1 : 0} 1 ${p(a + sweep, r)} Z`;
        a += sweep;
        return (
          <path
            key={i}
            d={d}
            data-testid="chart-mark"
            data-index={i}
            data-highlight={hl.has(i) ? 'true' : 'false'}
            fill={colourOf(chart, v, i)}
            opacity={hl.size && !hl.has(i) ? 0.35 : 1}
            stroke={hl.has(i) ? 'var(--text, #111)' : '#fff'}
            strokeWidth={hl.has(i) ? 2.5 : 1}
          >
            <title>{`${v.category}: ${fmt(v.value)}%`}</title>
          </path>
        );
      })}
    </>
  );
}

/** The re-plot and the data table of a chart; `highlight` holds indices into chart.values. */
export function ChartView({ chart, highlight = [] }: { chart: Chart; highlight?: number[] }) {
  const hl = new Set(highlight);
  const pie = chart.kind === 'pie';
  const plot = pie ? null : plotMarks(chart);
  const series = chart.series.map((s) => s.name);
  const cats = chart.categories.length ? chart.categories : [...new Set(chart.values.map((v) => v.category))];
  const unit = pie ? '%' : (chart.unit ?? '');
  return (
    <figure
      className="chart-view"
      data-testid="chart-view"
      data-kind={chart.kind}
      data-method={chart.method}
      style={{ margin: '8px 0' }}
    >
      <figcaption className="muted small">
        {chart.title ?? `Chart on page ${chart.page}`} · {chart.kind}
        {chart.layout !== 'single' && !pie ? ` (${chart.layout})` : ''} ·{' '}
        {chart.method === 'vector'
          ? 'exact, read from the drawing'
          : 'estimated by the model from the image: values approximate'}
        {chart.labels.found ? ` · data labels agreeing ${chart.labels.agree}/${chart.labels.found}` : ''}
      </figcaption>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'flex-start' }}>
        <svg
          viewBox={`0 0 ${W} ${H}`}
          role="img"
          aria-label={`Re-plot of ${chart.title ?? 'the chart'}`}
          style={{
            width: '100%',
            maxWidth: 360,
            minWidth: 200,
            flex: '1 1 220px',
            background: 'var(--surface-2, #f6f7f9)',
            borderRadius: 4,
          }}
        >
          {pie && <PiePlot chart={chart} hl={hl} />}
          {plot && (
            <>
              {plot.ticks.map((t) => (
                <g key={t}>
                  <line
                    x1={PAD.l}
                    x2={W - PAD.r}
                    y1={plot.y(t)}
                    y2={plot.y(t)}
                    stroke="#d0d4da"
                    strokeWidth={0.5}
                  />
                  <text x={PAD.l - 4} y={plot.y(t) + 3} fontSize={8} textAnchor="end" fill="currentColor">
                    {fmt(t)}
                  </text>
                </g>
              ))}
              {plot.cats.map((c, k) => (
                <text
                  key={k}
                  x={c.at}
                  y={H - PAD.b + 12}
                  fontSize={8}
                  textAnchor="middle"
                  fill="currentColor"
                >
                  {c.text.length > 12 ? `${c.text.slice(0, 11)}…` : c.text}
                </text>
              ))}
              {plot.lines.map((l, k) => (
                <polyline
                  key={k}
                  points={l.points}
                  fill="none"
                  stroke={l.color}
                  strokeWidth={1.5}
                  opacity={hl.size ? 0.5 : 1}
                />
              ))}
              {plot.marks.map((m) => {
                const v = chart.values[m.i] as ChartValue;
                const on = hl.has(m.i);
                const common = {
                  'data-testid': 'chart-mark',
                  'data-index': m.i,
                  'data-highlight': on ? 'true' : 'false',
                  fill: colourOf(chart, v, m.i),
                  opacity: hl.size && !on ? 0.35 : 1,
                  stroke: on ? 'var(--text, #111)' : 'none',
                  strokeWidth: on ? 2 : 0,
                };
                const tip = (
                  <title>{`${v.category}${series.length > 1 ? `, ${v.series}` : ''}: ${fmt(v.value)}${unit}`}</title>
                );
                return m.el === 'rect' ? (
                  <rect key={m.i} {...common} {...m.props}>
                    {tip}
                  </rect>
                ) : (
                  <circle key={m.i} {...common} {...m.props}>
                    {tip}
                  </circle>
                );
              })}
            </>
          )}
        </svg>
        <div
          className="xt-scroll"
          role="region"
          aria-label="Chart data"
          tabIndex={0}
          style={{ flex: '1 1 160px', maxHeight: 220, overflow: 'auto' }}
        >
          <table className="xt-grid" data-testid="chart-table">
            <tbody>
              <tr className="xt-head">
                <th>{chart.kind === 'scatter' ? 'x' : 'category'}</th>
                {series.map((s) => (
                  <th key={s}>{s}</th>
                ))}
              </tr>
              {cats.map((c) => (
                <tr key={c}>
                  <td>{c}</td>
                  {series.map((s) => {
                    const i = chart.values.findIndex((v) => v.category === c && v.series === s);
                    const v = chart.values[i];
                    return (
                      <td
                        key={s}
                        data-highlight={hl.has(i) ? 'true' : 'false'}
                        style={
                          hl.has(i)
                            ? { fontWeight: 700, outline: '2px solid var(--accent, #3465a4)' }
                            : undefined
                        }
                      >
                        {v ? `${fmt(v.value)}${unit}` : ''}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </figure>
  );
}
