// Value scales from tick labels: a column of numbers (or dates) printed at even steps beside a plot, fitted to
// their positions (linear, log or dates), each tick snapped to its tick mark or grid line where one is drawn.
import type { Rect } from '../../shared/geometry.js';
import { parseDate, parseNumber } from './labels.js';
import type { Phrase } from './types.js';

export interface Fit {
  scale: 'linear' | 'log' | 'date';
  /** value = a·pos + b (log: log10(value) = a·pos + b; date: days = a·pos + b). */
  a: number;
  b: number;
}

export interface Tick {
  text: string;
  value: number;
  /** Position along the axis (page y for a column of labels). */
  pos: number;
  box: Rect;
  snapped: boolean;
}

export interface AxisCandidate {
  ticks: Tick[];
  fit: Fit;
  /** The tick labels' union box. */
  box: Rect;
  /** Largest tick residual as a share of the span (in the fit's space). */
  residual: number;
  unit: string | null;
  /** Font height of the labels. */
  size: number;
}

export function valueAt(fit: Fit, pos: number): number {
  const v = fit.a * pos + fit.b;
  return fit.scale === 'log' ? 10 ** v : v;
}

export function posOf(fit: Fit, value: number): number {
  const v = fit.scale === 'log' ? Math.log10(value) : value;
  return (v - fit.b) / fit.a;
}

/** A horizontal stroke (tick mark, grid line, axis line) in the frame the axis is searched in. */
export interface HLine {
  y: number;
  x0: number;
  x1: number;
  /** Stroke colour (legend swatches drawn as short lines). */
  color?: string;
}

function lsq(ps: readonly { x: number; y: number }[]): { a: number; b: number; res: number } {
  const n = ps.length;
  const mx = ps.reduce((s, p) => s + p.x, 0) / n;
  const my = ps.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of ps) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  const a = sxx > 0 ? sxy / sxx : 0;
  const b = my - a * mx;
  const ys = ps.map((p) => p.y);
  const span = Math.max(...ys) - Math.min(...ys) || 1;
  const res = Math.max(...ps.map((p) => Math.abs(a * p.x + b - p.y))) / span;
  return { a, b, res };
}

interface Labelled {
  ph: Phrase;
  value: number;
  unit: string | null;
  date: boolean;
}

function clusters<T>(items: readonly T[], key: (t: T) => number, tol: number): T[][] {
  const sorted = [...items].sort((p, q) => key(p) - key(q));
  const out: T[][] = [];
  let cur: T[] = [];
  for (const t of sorted) {
    const last = cur[cur.length - 1];
    if (last !== undefined && key(t) - key(last) > tol) {
      out.push(cur);
      cur = [];
    }
    cur.push(t);
  }
  if (cur.length) out.push(cur);
  return out;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

/** Runs of labels at even steps down a column (a lone number above or below the run is not a tick). */
function evenRuns(col: Labelled[]): Labelled[][] {
  const s = [...col].sort((p, q) => cy(p.ph) - cy(q.ph));
  const runs: Labelled[][] = [];
  let run: Labelled[] = [];
  let step = 0;
  for (const l of s) {
    const last = run[run.length - 1];
    if (!last) {
      run = [l];
      continue;
    }
    const gap = cy(l.ph) - cy(last.ph);
    const ok = gap > 0.9 * l.ph.size && (run.length < 2 || Math.abs(gap - step) <= 0.12 * step + 0.5);
    if (ok) {
      if (run.length === 1) step = gap;
      run.push(l);
    } else {
      if (run.length >= 3) runs.push(run);
      const prev: Labelled = last;
      run = gap > 0.9 * l.ph.size && gap < 3 * step ? [prev, l] : [l];
      step = run.length === 2 ? gap : 0;
    }
  }
  if (run.length >= 3) runs.push(run);
  return runs;
}

function cy(p: Phrase): number {
  return (p.box.y0 + p.box.y1) / 2;
}

function fitRun(
  run: Labelled[],
  pos: (l: Labelled, i: number) => number,
): { fit: Fit; residual: number } | null {
  const date = run.every((l) => l.date);
  const pts = run.map((l, i) => ({ x: pos(l, i), y: l.value }));
  const values = run.map((l) => l.value);
  const inc = values.every((v, i) => i === 0 || v > (values[i - 1] ?? -Infinity));
  const dec = values.every((v, i) => i === 0 || v < (values[i - 1] ?? Infinity));
  if (!inc && !dec) return null;
  // Tick values step evenly (linear: equal differences; log: equal ratios). A column of figures in a table that
  // happens to line up does not.
  if (!date) {
    const span = Math.abs((values[values.length - 1] ?? 0) - (values[0] ?? 0));
    const diffs = values.slice(1).map((v, i) => v - (values[i] ?? 0));
    const even = diffs.every((d) => Math.abs(d - (diffs[0] ?? 0)) <= 1e-6 * span + 1e-9);
    const ratios = values.every((v) => v > 0) ? values.slice(1).map((v, i) => v / (values[i] ?? 1)) : [];
    const geometric =
      ratios.length > 0 &&
      ratios.every((q) => Math.abs(q - (ratios[0] ?? 0)) <= 1e-6 * Math.abs(ratios[0] ?? 1));
    if (!even && !geometric) return null;
  }
  const lin = lsq(pts);
  let best: { fit: Fit; residual: number } = {
    fit: { scale: date ? 'date' : 'linear', a: lin.a, b: lin.b },
    residual: lin.res,
  };
  if (!date && values.every((v) => v > 0)) {
    const lg = lsq(pts.map((p) => ({ x: p.x, y: Math.log10(p.y) })));
    if (lg.res < best.residual * 0.5) best = { fit: { scale: 'log', a: lg.a, b: lg.b }, residual: lg.res };
  }
  // Dates at month starts are not evenly spaced in days (28–31); a little more slack for them.
  return best.residual <= (date ? 0.03 : 0.02) ? best : null;
}

/**
 * Value-axis candidates among the phrases: at least three numbers (or dates) of one size, aligned on their left
 * edge, right edge or centre, at even vertical steps, whose values fit their positions linearly or on a log
 * scale. Each tick is snapped to a horizontal line drawn at its height right beside the labels (a tick mark or a
 * grid line), and the scale refitted on the snapped positions.
 */
export function columnAxes(phrases: readonly Phrase[], lines: readonly HLine[]): AxisCandidate[] {
  const labelled: Labelled[] = [];
  for (const ph of phrases) {
    const n = parseNumber(ph.text);
    if (n) {
      labelled.push({ ph, value: n.value, unit: n.unit, date: false });
      continue;
    }
    const d = parseDate(ph.text);
    if (d !== null) labelled.push({ ph, value: d, unit: null, date: true });
  }
  const seen = new Set<string>();
  const out: AxisCandidate[] = [];
  const keys: ((l: Labelled) => number)[] = [
    (l) => l.ph.box.x1,
    (l) => l.ph.box.x0,
    (l) => (l.ph.box.x0 + l.ph.box.x1) / 2,
  ];
  for (const key of keys) {
    for (const col of clusters(labelled, key, 1.5)) {
      if (col.length < 3) continue;
      for (const kind of [false, true]) {
        const same = col.filter((l) => l.date === kind);
        const size = median(same.map((l) => l.ph.size));
        const sized = same.filter((l) => Math.abs(l.ph.size - size) <= 0.25 * size);
        for (const run of evenRuns(sized)) {
          const id = run.map((l) => `${l.ph.box.x0},${l.ph.box.y0}`).join('|');
          if (seen.has(id)) continue;
          seen.add(id);
          const axis = buildAxis(run, lines, size);
          if (axis) out.push(axis);
        }
      }
    }
  }
  return out;
}

function buildAxis(run: Labelled[], lines: readonly HLine[], size: number): AxisCandidate | null {
  const first = fitRun(run, (l) => cy(l.ph));
  if (!first) return null;
  const box = {
    x0: Math.min(...run.map((l) => l.ph.box.x0)),
    y0: Math.min(...run.map((l) => l.ph.box.y0)),
    x1: Math.max(...run.map((l) => l.ph.box.x1)),
    y1: Math.max(...run.map((l) => l.ph.box.y1)),
  };
  // Snap: a line at the label's height that starts (or ends) within a short reach of the labels' edge.
  const snapSide = (side: 'left' | 'right'): (number | null)[] =>
    run.map((l) => {
      let best: number | null = null;
      let bestD = 0.75 * l.ph.size;
      for (const ln of lines) {
        const near =
          side === 'left'
            ? ln.x0 >= box.x1 - 2 && ln.x0 <= box.x1 + 3 * size + 12
            : ln.x1 <= box.x0 + 2 && ln.x1 >= box.x0 - 3 * size - 12;
        if (!near) continue;
        const d = Math.abs(ln.y - cy(l.ph));
        if (d < bestD) {
          bestD = d;
          best = ln.y;
        }
      }
      return best;
    });
  const l = snapSide('left');
  const r = snapSide('right');
  const snaps = l.filter((v) => v !== null).length >= r.filter((v) => v !== null).length ? l : r;
  const offsets = snaps.flatMap((s, i) => (s === null ? [] : [s - cy((run[i] as Labelled).ph)]));
  // A label sits at the same offset from its tick as its neighbours (one font): a few snapped ticks (an axis
  // line under the zero label, with no tick marks or grid lines) place the others.
  const off = offsets.length ? median(offsets) : 0;
  const pos = (lab: Labelled, i: number) => snaps[i] ?? cy(lab.ph) + off;
  const refit = offsets.length ? fitRun(run, pos) : first;
  const fit = refit ?? first;
  const units = run.map((x) => x.unit).filter((u): u is string => u !== null);
  return {
    ticks: run.map((lab, i) => ({
      text: lab.ph.text,
      value: lab.value,
      pos: pos(lab, i),
      box: lab.ph.box,
      snapped: snaps[i] !== null && offsets.length * 2 >= run.length,
    })),
    fit: fit.fit,
    box,
    residual: fit.residual,
    unit: units.length * 2 >= run.length ? (units[0] ?? null) : null,
    size,
  };
}
