// Chart detection and data recovery on a digital page: value axes from tick labels (axes.ts), marks from the
// drawing (marks.ts), every bar / point / wedge mapped to (series, category, value) with its box, and printed
// data labels checked against the geometry. Horizontal charts are read by transposing the page.
import type { Chart, ChartAxis, ChartLabel, ChartValue } from '../../shared/charts.js';
import type { TextPage } from '../../shared/domain.js';
import type { Rect } from '../../shared/geometry.js';
import { columnAxes, posOf, valueAt, type AxisCandidate, type Fit, type HLine } from './axes.js';
import { isName, isoDay, parseNumber, phrasesOf, roundTo } from './labels.js';
import {
  classify,
  transposeMarks,
  transposePhrases,
  transposeRect,
  type Marks,
  type RectMark,
} from './marks.js';
import type { Phrase, Pt, VectorPath } from './types.js';

/** Pages drawing more paths than this are not read for charts (maps, technical drawings). */
const MAX_PATHS = 20_000;

interface Legend {
  swatch: Rect;
  color: string;
  text: string;
  textBox: Rect;
}

interface Candidate {
  chart: Chart;
  score: number;
}

const cx = (r: Rect) => (r.x0 + r.x1) / 2;
const cy = (r: Rect) => (r.y0 + r.y1) / 2;
const union = (rs: readonly Rect[]): Rect => ({
  x0: Math.min(...rs.map((r) => r.x0)),
  y0: Math.min(...rs.map((r) => r.y0)),
  x1: Math.max(...rs.map((r) => r.x1)),
  y1: Math.max(...rs.map((r) => r.y1)),
});
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};
const sameBox = (a: Rect, b: Rect) =>
  Math.abs(a.x0 - b.x0) < 0.1 &&
  Math.abs(a.y0 - b.y0) < 0.1 &&
  Math.abs(a.x1 - b.x1) < 0.1 &&
  Math.abs(a.y1 - b.y1) < 0.1;
function overlapShare(a: Rect, b: Rect): number {
  const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  if (w <= 0 || h <= 0) return 0;
  const area = (r: Rect) => Math.max(1e-9, (r.x1 - r.x0) * (r.y1 - r.y0));
  return (w * h) / Math.min(area(a), area(b));
}

/**
 * Legend entries on the page: a small swatch (square, short line or marker) with a word printed right beside it
 * at the same height. Found in the page's own orientation (legends read left to right whatever the chart's).
 */
export function legendsOf(phrases: readonly Phrase[], marks: Marks): Legend[] {
  const swatches: { box: Rect; color: string }[] = [
    ...marks.rects.filter((r) => r.box.x1 - r.box.x0 <= 16 && r.box.y1 - r.box.y0 <= 16),
    ...marks.markers,
    ...marks.hlines.flatMap((h) =>
      h.color && h.x1 - h.x0 <= 40 && h.x1 - h.x0 >= 6
        ? [{ box: { x0: h.x0, y0: h.y - 0.5, x1: h.x1, y1: h.y + 0.5 }, color: h.color }]
        : [],
    ),
  ];
  const out: Legend[] = [];
  for (const s of swatches) {
    let best: Phrase | null = null;
    for (const p of phrases) {
      const gap = p.box.x0 - s.box.x1;
      if (gap < -0.5 || gap > Math.max(1.5 * p.size, 10)) continue;
      if (Math.abs(cy(p.box) - cy(s.box)) > 0.6 * p.size) continue;
      if (!isName(p.text)) continue;
      if (!best || p.box.x0 < best.box.x0) best = p;
    }
    if (best) out.push({ swatch: s.box, color: s.color, text: best.text, textBox: best.box });
  }
  // Line swatches also carry a marker at their middle: keep one entry per phrase.
  const byText = new Map<string, Legend>();
  for (const l of out) {
    const k = `${l.textBox.x0},${l.textBox.y0}`;
    if (!byText.has(k)) byText.set(k, l);
  }
  return [...byText.values()];
}

/** Gap between two boxes (0 when they touch or overlap). */
function gapBetween(a: Rect, b: Rect): number {
  const dx = Math.max(0, a.x0 - b.x1, b.x0 - a.x1);
  const dy = Math.max(0, a.y0 - b.y1, b.y0 - a.y1);
  return Math.hypot(dx, dy);
}

/** Legend entries set out together: swatches in one column (or one row) at a legend's spacing. */
export function legendGroups(legends: readonly Legend[]): Legend[][] {
  const groups: Legend[][] = [];
  for (const l of legends) {
    const h = Math.max(l.swatch.y1 - l.swatch.y0, l.textBox.y1 - l.textBox.y0, 1);
    const joins = (g: Legend[]) =>
      g.some(
        (o) =>
          (Math.abs(o.swatch.x0 - l.swatch.x0) < 2 && Math.abs(cy(o.swatch) - cy(l.swatch)) < 4 * h + 12) ||
          (Math.abs(cy(o.swatch) - cy(l.swatch)) < 2 &&
            gapBetween(union([o.swatch, o.textBox]), l.swatch) < 60),
      );
    const hit = groups.filter(joins);
    const merged = [...hit.flat(), l];
    for (const g of hit) groups.splice(groups.indexOf(g), 1);
    groups.push(merged);
  }
  return groups;
}

/**
 * A chart's own legend: of the legends printed within `reach` of its plot, the one that names the most of its
 * colours, nearest on a tie (a page holds several charts, often in the same palette).
 */
function nearLegends(
  legends: readonly Legend[],
  plot: Rect,
  colors: ReadonlySet<string>,
  reach = 70,
): Legend[] {
  let best: { g: Legend[]; n: number; d: number } | null = null;
  for (const g of legendGroups(legends)) {
    const d = Math.min(...g.map((l) => gapBetween(union([l.swatch, l.textBox]), plot)));
    const n = g.filter((l) => colors.has(l.color)).length;
    if (d > reach || n === 0) continue;
    if (!best || n > best.n || (n === best.n && d < best.d)) best = { g, n, d };
  }
  return best?.g ?? [];
}

function transposeLegend(l: Legend): Legend {
  return { ...l, swatch: transposeRect(l.swatch), textBox: transposeRect(l.textBox) };
}

/** Numbers printed near a mark: the data label closest to `at` within `reach`, not a tick label. */
function dataLabel(
  numbers: readonly { ph: Phrase; value: number; step: number; unit: string | null }[],
  accept: (r: Rect) => boolean,
  at: Pt,
  used: Set<Phrase>,
): { ph: Phrase; value: number; step: number; unit: string | null } | null {
  let best: { ph: Phrase; value: number; step: number; unit: string | null } | null = null;
  let bestD = Infinity;
  for (const n of numbers) {
    if (used.has(n.ph) || !accept(n.ph.box)) continue;
    const d = Math.hypot(cx(n.ph.box) - at.x, cy(n.ph.box) - at.y);
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  if (best) used.add(best.ph);
  return best;
}

function agreement(
  n: { ph: Phrase; value: number; step: number } | null,
  value: number,
  frameBack: (r: Rect) => Rect,
): ChartLabel | null {
  if (!n) return null;
  const agrees = Math.abs(n.value - value) <= 0.5 * n.step + 1e-9 + 0.002 * Math.abs(n.value);
  return { text: n.ph.text, value: n.value, box: frameBack(n.ph.box), agrees };
}

function axisOut(a: AxisCandidate, side: ChartAxis['side']): ChartAxis {
  return {
    scale: a.fit.scale,
    side,
    ticks: a.ticks.map((t) => ({ text: t.text, value: t.value, pos: t.pos })),
    residual: a.residual,
  };
}

/** Category labels on one side of the plot, multi-line labels joined, in axis order. */
function categoryLabels(phrases: readonly Phrase[], plot: Rect, exclude: Set<Phrase>): Phrase[] {
  const near = (p: Phrase, below: boolean) =>
    cx(p.box) >= plot.x0 - 12 &&
    cx(p.box) <= plot.x1 + 12 &&
    (below
      ? p.box.y0 >= plot.y1 - 2 && p.box.y0 <= plot.y1 + 2.5 * p.size + 8
      : p.box.y1 <= plot.y0 + 2 && p.box.y1 >= plot.y0 - 2.5 * p.size - 8);
  const below = phrases.filter((p) => !exclude.has(p) && near(p, true));
  const above = phrases.filter((p) => !exclude.has(p) && near(p, false));
  const isBelow = below.length >= above.length;
  const side = isBelow ? below : above;
  // The row nearest the plot, plus lines wrapped under (or over) its labels; an axis title further out is not one.
  const gap = (p: Phrase) => (isBelow ? p.box.y0 - plot.y1 : plot.y0 - p.box.y1);
  const nearest = Math.min(...side.map(gap));
  const row = side.filter((p) => gap(p) <= nearest + 0.5 * p.size);
  const rest = side.filter((p) => !row.includes(p)).sort((a, b) => gap(a) - gap(b));
  const sorted = [...row.sort((a, b) => cx(a.box) - cx(b.box)), ...rest];
  const out: Phrase[] = [];
  for (const p of sorted) {
    const inRow = row.includes(p);
    // A wrapped label's next line sits right under it (an axis title further down is not part of it).
    const host = out.find(
      (o) =>
        Math.abs(cx(o.box) - cx(p.box)) < 0.6 * p.size &&
        overlapX(o.box, p.box) &&
        Math.max(p.box.y0 - o.box.y1, o.box.y0 - p.box.y1) < 0.45 * p.size,
    );
    if (host) {
      const top = host.box.y0 <= p.box.y0 ? host : p;
      const bottom = top === host ? p : host;
      host.text = `${top.text} ${bottom.text}`;
      host.box = union([host.box, p.box]);
    } else if (inRow) out.push({ ...p });
  }
  return out.sort((a, b) => cx(a.box) - cx(b.box));
}

function overlapX(a: Rect, b: Rect): boolean {
  return Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0) > 0;
}

function nearestCategory(cats: readonly Phrase[], x: number, plotW: number): number {
  if (!cats.length) return -1;
  const centres = cats.map((c) => cx(c.box));
  const gaps = centres.slice(1).map((c, i) => c - (centres[i] ?? 0));
  const spacing = gaps.length ? median(gaps) : plotW;
  let best = -1;
  let bestD = 0.6 * spacing;
  centres.forEach((c, i) => {
    const d = Math.abs(c - x);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

/** Charts with a value axis, read in one frame (the page, or the page transposed for horizontal charts). */
function axisCharts(
  pageNo: number,
  phrases: readonly Phrase[],
  marks: Marks,
  legends: readonly Legend[],
  transposed: boolean,
): Candidate[] {
  const back = (r: Rect) => (transposed ? transposeRect(r) : r);
  const out: Candidate[] = [];
  const legendSwatch = (b: Rect) =>
    legends.some((l) => sameBox(l.swatch, b) || overlapShare(l.swatch, b) > 0.9);
  const legendText = new Set(legends.map((l) => `${l.textBox.x0},${l.textBox.y0}`));
  for (const axis of columnAxes(phrases, marks.hlines)) {
    if (axis.fit.scale === 'date') continue;
    const poss = axis.ticks.map((t) => t.pos);
    const yLo = Math.min(...poss);
    const yHi = Math.max(...poss);
    const span = yHi - yLo;
    if (span < 20) continue;
    const band0 = yLo - 0.1 * span - 1;
    const band1 = yHi + 0.1 * span + 1;
    let best: Candidate | null = null;
    for (const side of ['left', 'right'] as const) {
      const dir = side === 'left' ? 1 : -1;
      const edge = side === 'left' ? axis.box.x1 : axis.box.x0;
      const beyond = (r: Rect) => (dir > 0 ? r.x0 >= edge - 1 : r.x1 <= edge + 1);
      const inBand = (r: Rect) => r.y0 >= band0 && r.y1 <= band1;
      // Grid lines or the axis line at the ticks give the plot's extent across.
      const grid = marks.hlines.filter(
        (h) =>
          h.y >= band0 &&
          h.y <= band1 &&
          h.x1 - h.x0 > 4 * axis.size &&
          (dir > 0
            ? h.x0 >= edge - 2 && h.x0 <= edge + 3 * axis.size + 14
            : h.x1 <= edge + 2 && h.x1 >= edge - 3 * axis.size - 14),
      );
      const items: { box: Rect }[] = [
        ...marks.rects.filter((r) => inBand(r.box) && beyond(r.box) && !legendSwatch(r.box)),
        ...marks.lines.filter((l) => inBand(l.box) && beyond(l.box)),
        ...marks.markers.filter((k) => inBand(k.box) && beyond(k.box) && !legendSwatch(k.box)),
      ];
      let x0: number;
      let x1: number;
      if (grid.length) {
        x0 = median(grid.map((g) => g.x0));
        x1 = median(grid.map((g) => g.x1));
      } else {
        const dist = (r: Rect) => (dir > 0 ? r.x0 - edge : edge - r.x1);
        const far = (r: Rect) => (dir > 0 ? r.x1 - edge : edge - r.x0);
        const sorted = [...items].sort((a, b) => dist(a.box) - dist(b.box));
        let reach = 3 * axis.size + 40;
        let extent = 0;
        for (const it of sorted) {
          if (dist(it.box) > reach) break;
          extent = Math.max(extent, far(it.box));
          reach = extent + Math.max(0.35 * span, 60);
        }
        if (extent <= 0) continue;
        x0 = dir > 0 ? edge : edge - extent;
        x1 = dir > 0 ? edge + extent : edge;
      }
      const plot: Rect = { x0: Math.min(x0, x1), y0: yLo, x1: Math.max(x0, x1), y1: yHi };
      const inPlot = (r: Rect) =>
        r.x0 >= plot.x0 - 1.5 && r.x1 <= plot.x1 + 1.5 && r.y0 >= band0 && r.y1 <= band1;
      const c = readPlot(
        pageNo,
        axis,
        side,
        plot,
        phrases,
        marks,
        legends,
        inPlot,
        legendSwatch,
        legendText,
        back,
        transposed,
      );
      if (c && (!best || c.score > best.score)) best = c;
    }
    if (best) out.push(best);
  }
  return out;
}

function readPlot(
  pageNo: number,
  axis: AxisCandidate,
  side: 'left' | 'right',
  plot: Rect,
  phrases: readonly Phrase[],
  marks: Marks,
  legends: readonly Legend[],
  inPlot: (r: Rect) => boolean,
  legendSwatch: (r: Rect) => boolean,
  legendText: Set<string>,
  back: (r: Rect) => Rect,
  transposed: boolean,
): Candidate | null {
  const fit: Fit = { ...axis.fit };
  const rects = marks.rects.filter(
    (r) => inPlot(r.box) && !legendSwatch(r.box) && r.box.x1 - r.box.x0 < 0.6 * (plot.x1 - plot.x0),
  );
  const lines = marks.lines.filter((l) => {
    if (!inPlot(l.box) || l.points.length < 2) return false;
    // A series is a function of the category axis: its vertices run one way across.
    const d = l.points.slice(1).map((p, i) => p.x - (l.points[i]?.x ?? 0));
    return d.every((v) => v > 0.01) || d.every((v) => v < -0.01);
  });
  const markers = marks.markers.filter((k) => inPlot(k.box) && !legendSwatch(k.box));
  const tickSet = new Set<string>(axis.ticks.map((t) => `${t.box.x0},${t.box.y0}`));
  const isTick = (p: Phrase) => tickSet.has(`${p.box.x0},${p.box.y0}`);
  const exclude = new Set(phrases.filter((p) => isTick(p) || legendText.has(`${p.box.x0},${p.box.y0}`)));
  const numbers = phrases
    .filter((p) => !exclude.has(p))
    .flatMap((p) => {
      const n = parseNumber(p.text);
      return n ? [{ ph: p, value: n.value, step: n.step, unit: n.unit }] : [];
    });
  const valueSpan = Math.abs(valueAt(fit, plot.y0) - valueAt(fit, plot.y1));
  const near = nearLegends(legends, plot, new Set([...rects, ...lines, ...markers].map((m) => m.color)));
  const colorName = new Map<string, string>();
  for (const l of near) if (!colorName.has(l.color)) colorName.set(l.color, l.text);
  const usedLegends = near.filter((l) => [...rects, ...lines, ...markers].some((m) => m.color === l.color));

  // ---- bars ------------------------------------------------------------------------------------------------
  interface Bar {
    r: RectMark;
    near: number;
    far: number;
    stacked: boolean;
  }
  const bars: Bar[] = [];
  let layout: Chart['layout'] = 'single';
  if (rects.length >= 2) {
    const edges = new Map<number, number>();
    for (const r of rects) {
      for (const e of [r.box.y0, r.box.y1])
        edges.set(Math.round(e * 2) / 2, (edges.get(Math.round(e * 2) / 2) ?? 0) + 1);
    }
    let yb = 0;
    let most = 0;
    for (const [e, n] of edges)
      if (n > most || (n === most && Math.abs(e - posOfZero(fit)) < Math.abs(yb - posOfZero(fit))))
        [yb, most] = [e, n];
    // Bars start at zero: when the fitted zero falls within a hair of the shared base, the base is zero.
    if (fit.scale === 'linear' && Math.abs(valueAt(fit, yb)) < 0.03 * valueSpan) fit.b -= valueAt(fit, yb);
    const on = (y: number) => Math.abs(y - yb) < 0.75;
    for (const r of rects) {
      if (on(r.box.y1) || on(r.box.y0)) {
        const near = Math.abs(r.box.y1 - yb) <= Math.abs(r.box.y0 - yb) ? r.box.y1 : r.box.y0;
        bars.push({ r, near, far: near === r.box.y1 ? r.box.y0 : r.box.y1, stacked: false });
      }
    }
    // Stacks: a rectangle resting on a bar (or on a stacked piece) over the same x range.
    let grew = true;
    while (grew) {
      grew = false;
      for (const r of rects) {
        if (bars.some((b) => b.r === r)) continue;
        const under = bars.find(
          (b) =>
            overlapShare({ ...b.r.box, y0: 0, y1: 1 }, { ...r.box, y0: 0, y1: 1 }) > 0.8 &&
            (Math.abs(b.far - r.box.y1) < 0.75 || Math.abs(b.far - r.box.y0) < 0.75),
        );
        if (!under) continue;
        const near = Math.abs(under.far - r.box.y1) < 0.75 ? r.box.y1 : r.box.y0;
        bars.push({ r, near, far: near === r.box.y1 ? r.box.y0 : r.box.y1, stacked: true });
        under.stacked = true;
        grew = true;
      }
    }
    if (bars.length < 2 || bars.length < 0.7 * rects.length) bars.length = 0;
    if (bars.some((b) => b.stacked)) layout = 'stacked';
  }

  if (!bars.length && !lines.length && markers.length < 3) return null;
  const cats = categoryLabels(phrases, plot, exclude);
  const plotW = plot.x1 - plot.x0;
  // A numeric or date x axis under (or over) the plot, for scatter and line charts.
  let xAxis: AxisCandidate | null = null;
  if (!bars.length) {
    const row = transposePhrases(
      phrases.filter(
        (p) =>
          !exclude.has(p) &&
          ((p.box.y0 >= plot.y1 - 2 && p.box.y0 <= plot.y1 + 3 * p.size) ||
            (p.box.y1 <= plot.y0 + 2 && p.box.y1 >= plot.y0 - 3 * p.size)),
      ),
    );
    const vl: HLine[] = marks.vlines.map((v) => ({ y: v.y, x0: v.x0, x1: v.x1 }));
    const xs = columnAxes(row, vl).filter((a) => a.ticks.length >= 3);
    xAxis = xs.sort((a, b) => b.ticks.length - a.ticks.length)[0] ?? null;
  }
  if (!bars.length && !lines.length && !xAxis) return null;

  const values: ChartValue[] = [];
  const seriesColors: string[] = [];
  const used = new Set<Phrase>();
  const span = valueSpan || 1;
  const round = (v: number) => (fit.scale === 'log' ? roundTo(v, Math.abs(v)) : roundTo(v, span));
  const xRound = (x: number): { category: string; x: number } => {
    if (!xAxis) return { category: '', x };
    const v = valueAt(xAxis.fit, x);
    if (xAxis.fit.scale === 'date') return { category: isoDay(v), x: Math.round(v) };
    const ts = xAxis.ticks.map((t) => t.value);
    const r = roundTo(v, Math.max(...ts) - Math.min(...ts));
    return { category: String(r), x: r };
  };
  const categories: string[] = cats.map((c) => c.text);
  const catOf = (x: number): { category: string; x: number | null } => {
    if (xAxis) return xRound(x);
    const i = nearestCategory(cats, x, plotW);
    return { category: i >= 0 ? (cats[i]?.text ?? '') : '', x: null };
  };
  const seriesOf = (color: string) => {
    if (!seriesColors.includes(color)) seriesColors.push(color);
    return color;
  };

  for (const b of bars) {
    const v = b.stacked ? valueAt(fit, b.far) - valueAt(fit, b.near) : valueAt(fit, b.far);
    const value = round(v);
    const x = cx(b.r.box);
    const farPt = { x, y: b.far };
    const lab = dataLabel(
      numbers,
      (r) =>
        cx(r) >= b.r.box.x0 - 1 &&
        cx(r) <= b.r.box.x1 + 1 &&
        // Beyond the bar's end, or inside the bar.
        (Math.abs(cy(r) - b.far) < 2.2 * (r.y1 - r.y0) + 2 ||
          (cy(r) >= Math.min(b.near, b.far) && cy(r) <= Math.max(b.near, b.far))),
      b.stacked ? { x, y: (b.far + b.near) / 2 } : farPt,
      used,
    );
    values.push({
      series: seriesOf(b.r.color),
      ...catOf(x),
      value,
      box: back(b.r.box),
      label: agreement(lab, value, back),
    });
  }
  for (const l of lines) {
    for (const p of l.points) {
      const value = round(valueAt(fit, p.y));
      const lab = dataLabel(
        numbers,
        (r) => Math.hypot(cx(r) - p.x, cy(r) - p.y) < 3 * (r.y1 - r.y0) + 4,
        p,
        used,
      );
      values.push({
        series: seriesOf(l.color),
        ...catOf(p.x),
        value,
        box: back({ x0: p.x - 3, y0: p.y - 3, x1: p.x + 3, y1: p.y + 3 }),
        label: agreement(lab, value, back),
      });
    }
  }
  if (!lines.length && !bars.length && xAxis) {
    for (const k of markers) {
      const value = round(valueAt(fit, k.centre.y));
      values.push({ series: seriesOf(k.color), ...xRound(k.centre.x), value, box: back(k.box), label: null });
    }
  }
  if (values.length < 2) return null;
  // With no legend, bars of several colours that never share a category are one series coloured per bar.
  const catCount = new Map<string, number>();
  for (const v of values) catCount.set(v.category, (catCount.get(v.category) ?? 0) + 1);
  const oneSeries =
    bars.length > 0 && !lines.length && !usedLegends.length && [...catCount.values()].every((n) => n === 1);
  const names = new Map<string, string>();
  let k = 0;
  for (const c of seriesColors) {
    names.set(
      c,
      oneSeries ? 'Value' : (colorName.get(c) ?? (seriesColors.length === 1 ? 'Value' : `Series ${++k}`)),
    );
  }
  for (const v of values) v.series = names.get(v.series) ?? v.series;
  if (bars.length && layout !== 'stacked' && [...catCount.values()].some((n) => n > 1)) layout = 'grouped';
  if (!xAxis) {
    // Bars or points that no category label claimed are numbered in axis order.
    for (const v of values) if (!v.category) v.category = `#${Math.round(cx(transposedBack(v.box, back)))}`;
    for (const v of values) if (!categories.includes(v.category)) categories.push(v.category);
  } else {
    for (const v of values) if (!categories.includes(v.category)) categories.push(v.category);
  }
  const found = values.filter((v) => v.label).length;
  const agree = values.filter((v) => v.label?.agrees).length;
  const boxes = [
    plot,
    axis.box,
    ...cats.map((c) => c.box),
    ...(xAxis ? [xAxis.box].map(transposeRect) : []),
    ...usedLegends.map((l) => union([l.swatch, l.textBox])),
    ...bars.map((b) => b.r.box),
  ];
  const valueSide: ChartAxis['side'] = transposed ? (side === 'left' ? 'top' : 'bottom') : side;
  const chart: Chart = {
    page: pageNo,
    box: back(union(boxes)),
    plotBox: back(plot),
    kind: bars.length ? 'bar' : lines.length ? 'line' : 'scatter',
    orientation: transposed ? 'horizontal' : 'vertical',
    layout,
    title: null,
    method: 'vector',
    valueAxis: axisOut({ ...axis, fit }, valueSide),
    xAxis: xAxis ? axisOut(xAxis, transposed ? 'right' : 'bottom') : null,
    series: seriesColors.map((c) => ({ name: names.get(c) ?? c, color: c })),
    categories,
    values,
    unit: axis.unit,
    labels: { found, agree },
  };
  if (oneSeries) chart.series = [{ name: 'Value', color: seriesColors[0] ?? null }];
  const score = values.length + axis.ticks.length + (bars.length ? 2 : 0) + agree;
  return { chart, score };
}

function transposedBack(r: Rect, back: (r: Rect) => Rect): Rect {
  // `back` is its own inverse (a transpose, or the identity).
  return back(r);
}

function posOfZero(fit: Fit): number {
  return fit.scale === 'log' ? Number.NaN : posOf(fit, 0);
}

// ---- pies ----------------------------------------------------------------------------------------------------

/**
 * The centre of a pie or donut from its wedges' points (curves keep only their end points, so the wedges' bounds
 * miss the circle's extremes): a pie's wedges all share the centre as a vertex; a donut's ring segments do not,
 * and the centre is the least-squares (Kåsa) circle fit of their points, which lie on two concentric circles
 * covered all the way round.
 */
function circleCentre(wedges: readonly Pt[][]): Pt | null {
  const [first, ...rest] = wedges;
  if (!first) return null;
  const shared = first.filter((p) => rest.every((w) => w.some((q) => Math.hypot(q.x - p.x, q.y - p.y) < 1)));
  if (shared.length) {
    // Two wedges also share their boundary points on the circle: the centre is the one equally far from the arcs.
    const spread = (c: Pt) => {
      const r = wedges.map((w) => Math.max(...w.map((q) => Math.hypot(q.x - c.x, q.y - c.y))));
      return Math.max(...r) - Math.min(...r) + (r.some((x) => x < 1) ? Infinity : 0);
    };
    return [...shared].sort((a, b) => spread(a) - spread(b))[0] ?? null;
  }
  // A donut: fit all points, then refit on the outer ring alone (one circle fits exactly), twice.
  let c = kasa(wedges.flat());
  for (let k = 0; k < 2 && c; k++) {
    const at = c;
    const d = wedges.flat().map((p) => Math.hypot(p.x - at.x, p.y - at.y));
    const R = Math.max(...d);
    const ring = wedges.flat().filter((_, i) => (d[i] ?? 0) > 0.93 * R);
    if (ring.length < 5) break;
    c = kasa(ring) ?? c;
  }
  return c;
}

function kasa(pts: readonly Pt[]): Pt | null {
  // Normal equations of x² + y² + D x + E y + F = 0 in (D, E, F).
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  let sx = 0;
  let sy = 0;
  let sxz = 0;
  let syz = 0;
  let sz = 0;
  for (const p of pts) {
    const z = -(p.x * p.x + p.y * p.y);
    sxx += p.x * p.x;
    sxy += p.x * p.y;
    syy += p.y * p.y;
    sx += p.x;
    sy += p.y;
    sxz += p.x * z;
    syz += p.y * z;
    sz += z;
  }
  const n = pts.length;
  const m = [
    [sxx, sxy, sx],
    [sxy, syy, sy],
    [sx, sy, n],
  ];
  const v = [sxz, syz, sz];
  const det = (a: number[][]) =>
    (a[0]?.[0] ?? 0) * ((a[1]?.[1] ?? 0) * (a[2]?.[2] ?? 0) - (a[1]?.[2] ?? 0) * (a[2]?.[1] ?? 0)) -
    (a[0]?.[1] ?? 0) * ((a[1]?.[0] ?? 0) * (a[2]?.[2] ?? 0) - (a[1]?.[2] ?? 0) * (a[2]?.[0] ?? 0)) +
    (a[0]?.[2] ?? 0) * ((a[1]?.[0] ?? 0) * (a[2]?.[1] ?? 0) - (a[1]?.[1] ?? 0) * (a[2]?.[0] ?? 0));
  const d = det(m);
  if (Math.abs(d) < 1e-9) return null;
  const col = (k: number) => m.map((row, i) => row.map((x, j) => (j === k ? (v[i] ?? 0) : x)));
  const D = det(col(0)) / d;
  const E = det(col(1)) / d;
  return { x: -D / 2, y: -E / 2 };
}

function pieCharts(
  pageNo: number,
  phrases: readonly Phrase[],
  marks: Marks,
  legends: readonly Legend[],
): Candidate[] {
  const groups: { box: Rect; wedges: typeof marks.wedges }[] = [];
  for (const w of marks.wedges) {
    const g = groups.find(
      (x) =>
        w.box.x0 <= x.box.x1 + 2 &&
        w.box.x1 >= x.box.x0 - 2 &&
        w.box.y0 <= x.box.y1 + 2 &&
        w.box.y1 >= x.box.y0 - 2,
    );
    if (g) {
      g.wedges.push(w);
      g.box = union([g.box, w.box]);
    } else groups.push({ box: { ...w.box }, wedges: [w] });
  }
  const out: Candidate[] = [];
  for (const g of groups) {
    if (g.wedges.length < 2) continue;
    const w = g.box.x1 - g.box.x0;
    const h = g.box.y1 - g.box.y0;
    if (w / h > 1.25 || h / w > 1.25) continue;
    const c = circleCentre(g.wedges.map((x) => x.points));
    if (!c) continue;
    const R = median(g.wedges.map((x) => Math.max(...x.points.map((p) => Math.hypot(p.x - c.x, p.y - c.y)))));
    const slices: { color: string; sweep: number; mid: number; box: Rect }[] = [];
    for (const wd of g.wedges) {
      const onArc = (p: Pt) => Math.abs(Math.hypot(p.x - c.x, p.y - c.y) - R) < 0.04 * R + 0.75;
      // The sweep adds up steps between consecutive points both on the outer arc (a donut's path comes back
      // along its inner arc, and closing it returns to the start: neither is part of the sweep).
      let sweep = 0;
      const acc = { start: Number.NaN };
      let steps = 0;
      wd.points.forEach((p, i) => {
        const q = wd.points[i - 1];
        if (!q || !onArc(p) || !onArc(q)) return;
        const a0 = Math.atan2(q.y - c.y, q.x - c.x);
        let d = Math.atan2(p.y - c.y, p.x - c.x) - a0;
        while (d > Math.PI) d -= 2 * Math.PI;
        while (d <= -Math.PI) d += 2 * Math.PI;
        if (Math.abs(d) < 1e-9) return;
        if (Number.isNaN(acc.start)) acc.start = a0;
        sweep += d;
        steps++;
      });
      if (!steps) continue;
      slices.push({ color: wd.color, sweep: Math.abs(sweep), mid: acc.start + sweep / 2, box: wd.box });
    }
    const total = slices.reduce((s, x) => s + x.sweep, 0);
    if (slices.length < 2 || Math.abs(total - 2 * Math.PI) > 0.05) continue;
    const used = new Set<Phrase>();
    const colorName = new Map<string, string>();
    for (const l of nearLegends(legends, g.box, new Set(g.wedges.map((x) => x.color)), 250))
      if (!colorName.has(l.color)) colorName.set(l.color, l.text);
    const legendText = new Set(legends.map((l) => `${l.textBox.x0},${l.textBox.y0}`));
    const free = phrases.filter((p) => !legendText.has(`${p.box.x0},${p.box.y0}`));
    const values: ChartValue[] = [];
    const rawLabels: ({ ph: Phrase; value: number; step: number; unit: string | null } | null)[] = [];
    slices.forEach((s, i) => {
      const at = (r: number) => ({ x: c.x + r * Math.cos(s.mid), y: c.y + r * Math.sin(s.mid) });
      let name = colorName.get(s.color) ?? null;
      if (!name) {
        let bestD = 0.45 * R;
        for (const p of free) {
          if (used.has(p) || !isName(p.text)) continue;
          const q = at(1.25 * R);
          const inner = at(0.6 * R);
          const d = Math.min(
            Math.hypot(cx(p.box) - q.x, cy(p.box) - q.y),
            Math.hypot(cx(p.box) - inner.x, cy(p.box) - inner.y),
          );
          if (d < bestD) {
            bestD = d;
            name = p.text;
          }
        }
        const ph = free.find((p) => p.text === name);
        if (ph) used.add(ph);
      }
      const numbers = free.flatMap((p) => {
        const n = parseNumber(p.text);
        return n ? [{ ph: p, value: n.value, step: n.step, unit: n.unit }] : [];
      });
      const lab =
        [0.65 * R, 1.2 * R]
          .map((r) =>
            dataLabel(
              numbers,
              (b) => Math.hypot(cx(b) - at(r).x, cy(b) - at(r).y) < 0.45 * R,
              at(r),
              new Set(used),
            ),
          )
          .find((x) => x !== null) ?? null;
      if (lab) used.add(lab.ph);
      rawLabels.push(lab);
      const share = Number(((s.sweep / (2 * Math.PI)) * 100).toFixed(2));
      values.push({
        series: 'Share',
        category: name ?? `Slice ${i + 1}`,
        x: null,
        value: share,
        box: s.box,
        label: null,
      });
    });
    // Labels in percent compare with the share; raw numbers with their share of the labels' sum.
    const all = rawLabels.every((l) => l !== null);
    const sum = rawLabels.reduce((s, l) => s + (l?.value ?? 0), 0);
    values.forEach((v, i) => {
      const l = rawLabels[i];
      if (!l) return;
      const pct = l.unit === '%' || !all || sum <= 0 ? l.value : (l.value / sum) * 100;
      const step = l.unit === '%' ? l.step : (l.step / Math.max(sum, 1e-9)) * 100;
      const agrees = Math.abs(pct - v.value) <= 0.5 * step + 0.15;
      v.label = { text: l.ph.text, value: l.value, box: l.ph.box, agrees };
    });
    const donut = g.wedges.some((wd) =>
      wd.points.some(
        (p) => Math.hypot(p.x - c.x, p.y - c.y) < 0.9 * R && Math.hypot(p.x - c.x, p.y - c.y) > 0.1 * R,
      ),
    );
    const labelBoxes = values.flatMap((v) => (v.label ? [v.label.box] : []));
    const chart: Chart = {
      page: pageNo,
      box: union([
        g.box,
        ...labelBoxes,
        ...legends
          .filter((l) => slices.some((s) => s.color === l.color))
          .map((l) => union([l.swatch, l.textBox])),
      ]),
      plotBox: g.box,
      kind: 'pie',
      orientation: 'vertical',
      layout: donut ? 'grouped' : 'single',
      title: null,
      method: 'vector',
      valueAxis: null,
      xAxis: null,
      series: [{ name: 'Share', color: null }],
      categories: values.map((v) => v.category),
      values,
      unit: '%',
      labels: { found: labelBoxes.length, agree: values.filter((v) => v.label?.agrees).length },
    };
    out.push({ chart, score: values.length * 2 });
  }
  return out;
}

/**
 * The title of a chart: the nearest line above it, across its width, set larger than the chart's own labels (an
 * axis title or a caption between them is not the title); else the nearest line above.
 */
function titleOf(phrases: readonly Phrase[], box: Rect): string | null {
  const inside = phrases.filter(
    (p) =>
      p.box.x0 >= box.x0 - 1 && p.box.x1 <= box.x1 + 1 && p.box.y0 >= box.y0 - 1 && p.box.y1 <= box.y1 + 1,
  );
  const labelSize = median(inside.map((p) => p.size)) || 8;
  const above = phrases.filter(
    (p) =>
      p.box.y1 <= box.y0 + 1 &&
      p.box.y1 >= box.y0 - 4 * p.size - 10 &&
      p.box.x1 >= box.x0 - 20 &&
      p.box.x0 <= box.x1 + 20 &&
      !parseNumber(p.text) &&
      /[a-z]{2}/i.test(p.text),
  );
  const nearest = (ps: Phrase[]) => [...ps].sort((a, b) => b.box.y1 - a.box.y1)[0] ?? null;
  const best = nearest(above.filter((p) => p.size >= 1.2 * labelSize)) ?? nearest(above);
  if (!best) return null;
  // A title wrapped over lines: the lines right above in the same type, starting at the same x.
  let text = best.text;
  let top = best;
  for (let k = 0; k < 2; k++) {
    const up = phrases.find(
      (p) =>
        Math.abs(p.size - top.size) < 0.3 &&
        Math.abs(p.box.x0 - top.box.x0) < 2 &&
        top.box.y0 - p.box.y1 < 0.6 * p.size &&
        top.box.y0 - p.box.y1 > -0.2 * p.size,
    );
    if (!up) break;
    text = up.text.endsWith('-') ? `${up.text.slice(0, -1)}${text}` : `${up.text} ${text}`;
    top = up;
  }
  return text;
}

/**
 * The charts on one page, read exactly from its vector drawing: bar (vertical and horizontal; grouped, stacked,
 * negative; linear or log axis), line, scatter (numeric or date x axis), pie and donut. `paths` are the page's
 * painted paths in page space (src/documents/rulings.ts vectorPathsFromOperatorList).
 */
export function detectCharts(page: TextPage, paths: readonly VectorPath[]): Chart[] {
  if (!paths.length || paths.length >= MAX_PATHS) return [];
  const phrases = phrasesOf(page);
  const marks = classify(paths, page.width * page.height);
  const legends = legendsOf(phrases, marks);
  const cands: Candidate[] = [
    ...axisCharts(page.page, phrases, marks, legends, false),
    ...axisCharts(
      page.page,
      transposePhrases(phrases),
      transposeMarks(marks),
      legends.map(transposeLegend),
      true,
    ),
    ...pieCharts(page.page, phrases, marks, legends),
  ];
  cands.sort((a, b) => b.score - a.score);
  const kept: Chart[] = [];
  for (const c of cands) {
    if (kept.some((k) => overlapShare(k.plotBox, c.chart.plotBox) > 0.3)) continue;
    kept.push(c.chart);
  }
  for (const c of kept) {
    c.title = titleOf(phrases, c.box);
  }
  return kept.sort((a, b) => a.box.y0 - b.box.y0 || a.box.x0 - b.box.x0);
}
