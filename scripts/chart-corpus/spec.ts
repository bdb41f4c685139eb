// The chart suite's specifications and layout: seeded chart data (bar / grouped / stacked / horizontal / line /
// scatter / pie / donut; log and date axes; negative values; with and without data labels, legends, grid lines)
// laid out as drawing primitives in page space, which render-svg.ts and render-pdf.ts draw two different ways.
import { mulberry32 } from '../../src/shared/prng.js';

export type Rng = () => number;
export const rng = (seed: number): Rng => mulberry32(seed);
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
export const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

export type Kind =
  | 'bar'
  | 'grouped'
  | 'stacked'
  | 'hbar'
  | 'line'
  | 'date-line'
  | 'scatter'
  | 'pie'
  | 'donut'
  | 'log-bar'
  | 'negative-bar';
export const KINDS: Kind[] = [
  'bar',
  'grouped',
  'stacked',
  'hbar',
  'line',
  'date-line',
  'scatter',
  'pie',
  'donut',
  'log-bar',
  'negative-bar',
];

export interface Style {
  font: 'sans' | 'serif' | 'condensed';
  size: number;
  palette: string[];
  grid: boolean;
  ticks: boolean;
  labels: boolean;
  legend: 'top' | 'right' | 'none';
  background: string | null;
  format: 'plain' | 'thousands' | 'k' | 'money' | 'percent';
}

export interface Series {
  name: string;
  color: string;
  /** Category charts: one value per category; scatter / date charts: points. */
  values: number[];
  xs?: number[];
}

export interface ChartSpec {
  kind: Kind;
  title: string;
  categories: string[];
  series: Series[];
  style: Style;
}

export type Prim =
  | { t: 'rect'; x: number; y: number; w: number; h: number; fill: string }
  | { t: 'line'; x1: number; y1: number; x2: number; y2: number; stroke: string; width: number }
  | { t: 'poly'; points: [number, number][]; stroke: string; width: number }
  | { t: 'circle'; cx: number; cy: number; r: number; fill: string }
  | { t: 'wedge'; cx: number; cy: number; r: number; r0: number; a0: number; a1: number; fill: string }
  | {
      t: 'text';
      x: number;
      y: number;
      text: string;
      size: number;
      anchor: 'start' | 'middle' | 'end';
      color: string;
      bold?: boolean;
    };

export interface TruthValue {
  series: string;
  category: string;
  x: number | null;
  value: number;
}

export interface TruthChart {
  page: number;
  kind: Kind;
  /** The plot area in page space. */
  plot: { x0: number; y0: number; x1: number; y1: number };
  legend: boolean;
  values: TruthValue[];
}

const PALETTES = [
  ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948'],
  ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'],
  ['#264653', '#2a9d8f', '#e9c46a', '#f4a261', '#e76f51', '#8ab17d'],
  ['#3465a4', '#73d216', '#cc0000', '#75507b', '#c17d11', '#555753'],
];
const CATS = [
  ['Q1', 'Q2', 'Q3', 'Q4'],
  ['North', 'South', 'East', 'West', 'Central'],
  ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun'],
  ['2019', '2020', '2021', '2022', '2023', '2024'],
  ['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon', 'Zeta', 'Eta'],
  ['Food', 'Rent', 'Travel', 'Energy', 'Other'],
  ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'],
];
const SERIES = ['Revenue', 'Costs', 'Profit', 'Online', 'Retail', 'Wholesale', 'Plan', 'Actual'];
const TITLES = [
  'Sales by period',
  'Regional results',
  'Monthly volume',
  'Budget split',
  'Performance overview',
  'Survey answers',
  'Units shipped',
];

export function styleOf(r: Rng): Style {
  return {
    font: pick(r, ['sans', 'serif', 'condensed'] as const),
    size: pick(r, [8, 9, 10, 11]),
    palette: pick(r, PALETTES),
    grid: r() < 0.6,
    ticks: r() < 0.6,
    labels: r() < 0.5,
    legend: pick(r, ['top', 'right', 'none'] as const),
    background: r() < 0.25 ? '#f3f4f6' : null,
    format: pick(r, ['plain', 'thousands', 'k', 'money', 'percent'] as const),
  };
}

/** A value with one decimal or none, never zero (relative errors need a non-zero truth). */
function val(r: Rng, lo: number, hi: number, dec: number): number {
  const v = Number((lo + r() * (hi - lo)).toFixed(dec));
  return v === 0 ? Number((hi / 7).toFixed(dec)) : v;
}

export function makeSpec(seed: number, kind: Kind): ChartSpec {
  const r = rng(seed);
  const style = styleOf(r);
  const cats = pick(r, CATS);
  const nSeries =
    kind === 'grouped'
      ? int(r, 2, 3)
      : kind === 'stacked'
        ? int(r, 2, 3)
        : kind === 'line' || kind === 'scatter' || kind === 'date-line'
          ? int(r, 1, 3)
          : 1;
  const names = [...SERIES].sort(() => r() - 0.5).slice(0, nSeries);
  if (nSeries > 1 && style.legend === 'none') style.legend = 'top';
  if (kind === 'pie' || kind === 'donut') style.format = 'percent';
  const scale = style.format === 'percent' ? 100 : pick(r, [100, 1000, 5000, 60]);
  const dec = scale >= 1000 ? 0 : 1;
  const series: Series[] = names.map((name, i) => {
    const color = style.palette[i % style.palette.length] as string;
    if (kind === 'scatter') {
      const n = int(r, 6, 12);
      const xs = Array.from({ length: n }, () => val(r, 1, 100, 1));
      return { name, color, xs, values: xs.map(() => val(r, 0.1 * scale, scale, dec)) };
    }
    if (kind === 'date-line') {
      const n = int(r, 6, 12);
      const start = Date.UTC(2023, int(r, 0, 11), 1) / 86_400_000;
      const xs = Array.from({ length: n }, (_, k) => {
        const d = new Date(start * 86_400_000);
        return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k, 1) / 86_400_000;
      });
      return { name, color, xs, values: xs.map(() => val(r, 0.2 * scale, scale, dec)) };
    }
    if (kind === 'log-bar')
      return { name, color, values: cats.map(() => Number((10 ** (r() * 4.5 + 0.2)).toFixed(1))) };
    if (kind === 'negative-bar')
      return { name, color, values: cats.map(() => val(r, -0.6 * scale, scale, dec)) };
    if (kind === 'pie' || kind === 'donut')
      return { name: 'Share', color, values: cats.map(() => int(r, 5, 40)) };
    if (kind === 'stacked')
      return { name, color, values: cats.map(() => val(r, 0.1 * scale, 0.45 * scale, dec)) };
    return { name, color, values: cats.map(() => val(r, 0.15 * scale, scale, dec)) };
  });
  return { kind, title: pick(r, TITLES), categories: cats, series, style };
}

// ---- numbers on axes and labels ----------------------------------------------------------------------------

export function niceStep(span: number, target: number): number {
  const raw = span / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
}

export function fmt(v: number, style: Style, decimals: number): string {
  const sign = v < 0 ? '-' : '';
  const a = Math.abs(v);
  const plain = a.toFixed(decimals);
  const th = Number(plain).toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
  switch (style.format) {
    case 'plain':
      return `${sign}${plain}`;
    case 'thousands':
      return `${sign}${th}`;
    case 'k':
      return a >= 1000
        ? `${sign}${Number((a / 1000).toFixed(decimals + 3)).toLocaleString('en-US', { maximumFractionDigits: decimals + 3 })}k`
        : `${sign}${th}`;
    case 'money':
      return `${sign}$${th}`;
    case 'percent':
      return `${sign}${th}%`;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Approximate text width for layout (the renderers measure nothing: labels only need room). */
export const textWidth = (s: string, size: number) => s.length * size * 0.56;

// ---- layout ------------------------------------------------------------------------------------------------

export interface Laid {
  prims: Prim[];
  truth: Omit<TruthChart, 'page'>;
  height: number;
}

/** Lays a chart out at (x, y) in a w × h box (page space, points). */
export function layout(spec: ChartSpec, x: number, y: number, w: number, h: number): Laid {
  const s = spec.style;
  const prims: Prim[] = [];
  const text = (
    tx: number,
    ty: number,
    t: string,
    anchor: 'start' | 'middle' | 'end',
    color = '#222222',
    size = s.size,
    bold = false,
  ) => prims.push({ t: 'text', x: tx, y: ty, text: t, size, anchor, color, bold });
  text(x, y + s.size + 4, spec.title, 'start', '#111111', s.size + 4, true);
  let top = y + s.size + 16;
  let right = x + w;
  const legendOn = s.legend !== 'none';
  const legendItems =
    spec.kind === 'pie' || spec.kind === 'donut'
      ? spec.categories.map((c, i) => ({ name: c, color: s.palette[i % s.palette.length] as string }))
      : spec.series.map((se) => ({ name: se.name, color: se.color }));
  const line = spec.kind === 'line' || spec.kind === 'date-line';
  const swatch = (sx: number, sy: number, color: string) => {
    if (line)
      prims.push({
        t: 'line',
        x1: sx,
        y1: sy + s.size / 2,
        x2: sx + 16,
        y2: sy + s.size / 2,
        stroke: color,
        width: 2,
      });
    else if (spec.kind === 'scatter')
      prims.push({ t: 'circle', cx: sx + 5, cy: sy + s.size / 2, r: 3.5, fill: color });
    else prims.push({ t: 'rect', x: sx, y: sy, w: 10, h: 10 * (s.size / 10), fill: color });
  };
  const swW = line ? 16 : 10;
  if (legendOn && s.legend === 'top') {
    let lx = x;
    for (const it of legendItems) {
      swatch(lx, top, it.color);
      text(lx + swW + 4, top + s.size * 0.85, it.name, 'start');
      lx += swW + 4 + textWidth(it.name, s.size) + 16;
    }
    top += s.size + 12;
  } else if (legendOn && s.legend === 'right') {
    const lw = Math.max(...legendItems.map((it) => textWidth(it.name, s.size))) + swW + 12;
    right -= lw + 8;
    legendItems.forEach((it, i) => {
      const ly = top + 10 + i * (s.size + 8);
      swatch(right + 8, ly, it.color);
      text(right + 8 + swW + 4, ly + s.size * 0.85, it.name, 'start');
    });
  }
  const bottom = y + h;
  if (spec.kind === 'pie' || spec.kind === 'donut') return pie(spec, prims, x, top, right, bottom, legendOn);

  const horizontal = spec.kind === 'hbar';
  const stacked = spec.kind === 'stacked';
  const isLog = spec.kind === 'log-bar';
  const xNumeric = spec.kind === 'scatter' || spec.kind === 'date-line';
  // Value range and ticks.
  const all = stacked
    ? spec.categories.map((_, i) => spec.series.reduce((a, se) => a + (se.values[i] ?? 0), 0))
    : spec.series.flatMap((se) => se.values);
  let ticks: number[];
  let decimals = 0;
  if (isLog) {
    const hi = Math.ceil(Math.log10(Math.max(...all)));
    ticks = Array.from({ length: hi + 1 }, (_, k) => 10 ** k);
  } else {
    const lo = Math.min(0, ...all);
    const hiV = Math.max(0, ...all);
    const step = niceStep(hiV - lo, 5);
    decimals = step < 1 ? 1 : 0;
    ticks = [];
    for (let v = Math.floor(lo / step) * step; v <= hiV + step * 0.999; v += step)
      ticks.push(Number(v.toFixed(6)));
    if ((ticks[ticks.length - 1] ?? 0) < hiV)
      ticks.push(Number(((ticks[ticks.length - 1] ?? 0) + step).toFixed(6)));
  }
  const tickText = ticks.map((t) =>
    fmt(
      t,
      isLog ? { ...s, format: s.format === 'percent' || s.format === 'money' ? 'thousands' : s.format } : s,
      decimals,
    ),
  );
  const labelW = Math.max(...tickText.map((t) => textWidth(t, s.size)));
  const catLabelW = Math.max(...spec.categories.map((c) => textWidth(c, s.size)));
  const plot = horizontal
    ? { x0: x + catLabelW + 12, y0: top + 8, x1: right - 10, y1: bottom - s.size - 14 }
    : { x0: x + labelW + 12, y0: top + 8, x1: right - 10, y1: bottom - s.size - 14 };
  if (s.background)
    prims.push({
      t: 'rect',
      x: plot.x0,
      y: plot.y0,
      w: plot.x1 - plot.x0,
      h: plot.y1 - plot.y0,
      fill: s.background,
    });
  const vLo = ticks[0] as number;
  const vHi = ticks[ticks.length - 1] as number;
  const tv = (v: number) => (isLog ? Math.log10(v) : v);
  const frac = (v: number) => (tv(v) - tv(vLo)) / (tv(vHi) - tv(vLo));
  /** Value → page coordinate along the value axis. */
  const vpos = (v: number) =>
    horizontal ? plot.x0 + frac(v) * (plot.x1 - plot.x0) : plot.y1 - frac(v) * (plot.y1 - plot.y0);
  ticks.forEach((t, i) => {
    const p = vpos(t);
    if (horizontal) {
      if (s.grid)
        prims.push({ t: 'line', x1: p, y1: plot.y0, x2: p, y2: plot.y1, stroke: '#d0d4da', width: 0.6 });
      if (s.ticks)
        prims.push({ t: 'line', x1: p, y1: plot.y1, x2: p, y2: plot.y1 + 4, stroke: '#333333', width: 0.8 });
      text(p, plot.y1 + s.size + 6, tickText[i] as string, 'middle', '#444444');
    } else {
      if (s.grid)
        prims.push({ t: 'line', x1: plot.x0, y1: p, x2: plot.x1, y2: p, stroke: '#d0d4da', width: 0.6 });
      if (s.ticks)
        prims.push({ t: 'line', x1: plot.x0 - 4, y1: p, x2: plot.x0, y2: p, stroke: '#333333', width: 0.8 });
      text(plot.x0 - 7, p + s.size * 0.35, tickText[i] as string, 'end', '#444444');
    }
  });
  const values: TruthValue[] = [];
  const base = isLog ? vLo : 0;
  const labelFmt = (v: number) => fmt(v, isLog ? { ...s, format: 'plain' } : s, Number.isInteger(v) ? 0 : 1);
  if (xNumeric) {
    // x axis: numbers (scatter) or dates (date-line).
    const xsAll = spec.series.flatMap((se) => se.xs ?? []);
    let xt: number[];
    let xLabel: (v: number) => string;
    if (spec.kind === 'date-line') {
      const d0 = new Date(Math.min(...xsAll) * 86_400_000);
      const d1 = new Date(Math.max(...xsAll) * 86_400_000);
      xt = [];
      for (
        let m = d0.getUTCFullYear() * 12 + Math.floor(d0.getUTCMonth() / 3) * 3;
        m <= d1.getUTCFullYear() * 12 + d1.getUTCMonth() + 3;
        m += 3
      ) {
        xt.push(Date.UTC(Math.floor(m / 12), m % 12, 1) / 86_400_000);
      }
      xLabel = (v) => {
        const d = new Date(v * 86_400_000);
        return `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
      };
    } else {
      const step = niceStep(Math.max(...xsAll), 5);
      xt = [];
      for (let v = 0; v <= Math.max(...xsAll) + step * 0.999; v += step) xt.push(v);
      xLabel = (v) => String(v);
    }
    const xLo = xt[0] as number;
    const xHi = xt[xt.length - 1] as number;
    const xp = (v: number) => plot.x0 + ((v - xLo) / (xHi - xLo)) * (plot.x1 - plot.x0);
    for (const t of xt) {
      if (s.ticks)
        prims.push({
          t: 'line',
          x1: xp(t),
          y1: plot.y1,
          x2: xp(t),
          y2: plot.y1 + 4,
          stroke: '#333333',
          width: 0.8,
        });
      text(xp(t), plot.y1 + s.size + 6, xLabel(t), 'middle', '#444444');
    }
    for (const se of spec.series) {
      const pts = (se.xs ?? []).map((xv, k) => [xp(xv), vpos(se.values[k] ?? 0)] as [number, number]);
      if (spec.kind === 'date-line') prims.push({ t: 'poly', points: pts, stroke: se.color, width: 1.6 });
      else for (const [px, py] of pts) prims.push({ t: 'circle', cx: px, cy: py, r: 3, fill: se.color });
      (se.xs ?? []).forEach((xv, k) =>
        values.push({
          series: se.name,
          category:
            spec.kind === 'date-line' ? new Date(xv * 86_400_000).toISOString().slice(0, 10) : String(xv),
          x: xv,
          value: se.values[k] ?? 0,
        }),
      );
    }
  } else {
    const n = spec.categories.length;
    const along = horizontal ? plot.y1 - plot.y0 : plot.x1 - plot.x0;
    const slot = along / n;
    const groupW = slot * 0.7;
    spec.categories.forEach((c, i) => {
      const mid = (horizontal ? plot.y0 : plot.x0) + slot * (i + 0.5);
      if (horizontal) text(plot.x0 - 6, mid + s.size * 0.35, c, 'end');
      else text(mid, plot.y1 + s.size + 6, c, 'middle');
      let stackAt = base;
      spec.series.forEach((se, k) => {
        const v = se.values[i] ?? 0;
        values.push({ series: se.name, category: c, x: null, value: v });
        if (line) return;
        const grouped = spec.kind === 'grouped';
        const bw = grouped ? groupW / spec.series.length : groupW;
        const b0 = mid - groupW / 2 + (grouped ? k * bw : 0);
        const from = stacked ? stackAt : base;
        const to = stacked ? stackAt + v : v;
        stackAt = to;
        const p0 = vpos(from);
        const p1 = vpos(to);
        const lo = Math.min(p0, p1);
        const len = Math.abs(p1 - p0);
        const color =
          spec.series.length === 1 && !legendOn && i === n - 1 && s.palette[1] ? s.palette[1] : se.color;
        if (horizontal) prims.push({ t: 'rect', x: lo, y: b0, w: len, h: bw, fill: color });
        else prims.push({ t: 'rect', x: b0, y: lo, w: bw, h: len, fill: color });
        if (s.labels) {
          const lt = labelFmt(v);
          if (stacked) {
            if (len > s.size + 2) {
              if (horizontal)
                text((p0 + p1) / 2, b0 + bw / 2 + s.size * 0.35, lt, 'middle', '#ffffff', s.size - 1);
              else text(b0 + bw / 2, (p0 + p1) / 2 + s.size * 0.35, lt, 'middle', '#ffffff', s.size - 1);
            }
          } else if (horizontal)
            text(
              v >= base ? p1 + 4 : p1 - 4,
              b0 + bw / 2 + s.size * 0.35,
              lt,
              v >= base ? 'start' : 'end',
              '#222222',
              s.size - 1,
            );
          else text(b0 + bw / 2, v >= base ? p1 - 4 : p1 + s.size + 2, lt, 'middle', '#222222', s.size - 1);
        }
      });
    });
    if (line) {
      for (const se of spec.series) {
        const pts = se.values.map((v, i) => [plot.x0 + slot * (i + 0.5), vpos(v)] as [number, number]);
        prims.push({ t: 'poly', points: pts, stroke: se.color, width: 1.8 });
        if (s.labels && spec.series.length === 1)
          pts.forEach(([px, py], i) =>
            text(px, py - 6, labelFmt(se.values[i] ?? 0), 'middle', '#222222', s.size - 1),
          );
      }
    }
  }
  // Axis lines.
  if (horizontal)
    prims.push({
      t: 'line',
      x1: vpos(base),
      y1: plot.y0,
      x2: vpos(base),
      y2: plot.y1,
      stroke: '#333333',
      width: 1,
    });
  else
    prims.push({
      t: 'line',
      x1: plot.x0,
      y1: vpos(isLog || xNumeric ? vLo : base),
      x2: plot.x1,
      y2: vpos(isLog || xNumeric ? vLo : base),
      stroke: '#333333',
      width: 1,
    });
  return { prims, truth: { kind: spec.kind, plot, legend: legendOn, values }, height: h };
}

function pie(
  spec: ChartSpec,
  prims: Prim[],
  x: number,
  top: number,
  right: number,
  bottom: number,
  legendOn: boolean,
): Laid {
  const s = spec.style;
  const vals = spec.series[0]?.values ?? [];
  const sum = vals.reduce((a, b) => a + b, 0);
  const R = Math.min(right - x - (legendOn ? 0 : 120), bottom - top - 30) / 2 - 4;
  const cx = (x + right) / 2;
  const cy = (top + bottom) / 2;
  const r0 = spec.kind === 'donut' ? R * 0.55 : 0;
  let a = -Math.PI / 2;
  const values: TruthValue[] = [];
  vals.forEach((v, i) => {
    const sweep = (v / sum) * 2 * Math.PI;
    prims.push({
      t: 'wedge',
      cx,
      cy,
      r: R,
      r0,
      a0: a,
      a1: a + sweep,
      fill: s.palette[i % s.palette.length] as string,
    });
    const mid = a + sweep / 2;
    const share = (v / sum) * 100;
    if (!legendOn) {
      const lx = cx + 1.22 * R * Math.cos(mid);
      const ly = cy + 1.22 * R * Math.sin(mid);
      prims.push({
        t: 'text',
        x: lx,
        y: ly + s.size * 0.35,
        text: spec.categories[i] as string,
        size: s.size,
        anchor: Math.cos(mid) >= 0 ? 'start' : 'end',
        color: '#222222',
      });
    }
    if (s.labels && sweep > 0.25) {
      const rr = spec.kind === 'donut' ? (R + r0) / 2 : 0.65 * R;
      prims.push({
        t: 'text',
        x: cx + rr * Math.cos(mid),
        y: cy + rr * Math.sin(mid) + s.size * 0.35,
        text: `${share.toFixed(1)}%`,
        size: s.size - 1,
        anchor: 'middle',
        color: '#ffffff',
      });
    }
    values.push({
      series: 'Share',
      category: spec.categories[i] as string,
      x: null,
      value: Number(share.toFixed(4)),
    });
    a += sweep;
  });
  return {
    prims,
    truth: {
      kind: spec.kind,
      plot: { x0: cx - R, y0: cy - R, x1: cx + R, y1: cy + R },
      legend: legendOn,
      values,
    },
    height: bottom - top,
  };
}
