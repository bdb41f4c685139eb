// bench:charts — chart reading on the generated chart suite (fixtures/charts-generated, exact truth; Chromium-
// printed SVG and pdf-lib drawings) and on the sample report: detection precision / recall, the share of values
// within 1 % of the truth, the mean relative error, and charts reported as tables on the chart pages.
// Usage: npm run bench:charts [-- --verbose]
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ChartPageLoader } from './chart-corpus/page-loader.js';
import { CHART_CORPUS_DIR, type TruthDoc } from './chart-corpus/generate.js';
import type { TruthChart } from './chart-corpus/spec.js';
import { detectCharts } from '../src/extract/charts/index.js';
import { detectTables } from '../src/extract/tables/index.js';
import type { Chart } from '../src/shared/charts.js';
import type { Rect } from '../src/shared/geometry.js';

const verbose = process.argv.includes('--verbose');

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  if (w <= 0 || h <= 0) return 0;
  const area = (r: Rect) => (r.x1 - r.x0) * (r.y1 - r.y0);
  return (w * h) / Math.max(area(a), area(b));
}

interface Tally {
  truth: number;
  found: number;
  matched: number;
  values: number;
  within1: number;
  relErr: number;
  falseTables: number;
  tablesBefore: number;
}
const blank = (): Tally => ({
  truth: 0,
  found: 0,
  matched: 0,
  values: 0,
  within1: 0,
  relErr: 0,
  falseTables: 0,
  tablesBefore: 0,
});

/** Scores one matched chart's values: each truth value against the recovered value of its series and category. */
function scoreValues(t: TruthChart, c: Chart, tally: Tally, where: string): void {
  const oneSeries = new Set(t.values.map((v) => v.series)).size === 1;
  const xs = t.values.map((v) => v.x ?? 0);
  const xSpan = Math.max(...xs) - Math.min(...xs) || 1;
  for (const tv of t.values) {
    const cands = c.values.filter((v) => oneSeries || v.series === tv.series);
    const hit =
      tv.x !== null
        ? cands
            .filter(
              (v) =>
                v.x !== null && Math.abs(v.x - (tv.x ?? 0)) <= (t.kind === 'date-line' ? 1 : 0.01 * xSpan),
            )
            .sort((a, b) => Math.abs(a.value - tv.value) - Math.abs(b.value - tv.value))[0]
        : cands.find((v) => v.category.trim().toLowerCase() === tv.category.trim().toLowerCase());
    const err = hit ? Math.abs(hit.value - tv.value) / Math.abs(tv.value) : 1;
    tally.values++;
    tally.relErr += Math.min(err, 1);
    if (err <= 0.01) tally.within1++;
    else if (verbose)
      console.log(
        `  ${where} ${t.kind}: ${tv.series}/${tv.category} truth ${tv.value} got ${hit ? `${hit.series}/${hit.category} ${hit.value}` : 'nothing'}`,
      );
  }
}

async function main(): Promise<void> {
  const loader = new ChartPageLoader();
  const byRenderer = new Map<string, Tally>();
  const byKind = new Map<string, Tally>();
  const t0 = performance.now();
  let pages = 0;
  try {
    const files = (await readdir(CHART_CORPUS_DIR)).filter((f) => f.endsWith('.pdf')).sort();
    for (const file of files) {
      const truth = JSON.parse(
        await readFile(path.join(CHART_CORPUS_DIR, file.replace(/\.pdf$/, '.json')), 'utf8'),
      ) as TruthDoc;
      const loaded = await loader.load(path.join(CHART_CORPUS_DIR, file));
      const r = byRenderer.get(truth.renderer) ?? blank();
      byRenderer.set(truth.renderer, r);
      for (const [i, pg] of loaded.entries()) {
        pages++;
        const found = detectCharts(pg.text, pg.paths);
        const want = truth.charts.filter((c) => c.page === i + 1);
        r.truth += want.length;
        r.found += found.length;
        const used = new Set<Chart>();
        for (const t of want) {
          const k = byKind.get(t.kind) ?? blank();
          byKind.set(t.kind, k);
          k.truth++;
          const best = found
            .filter((c) => !used.has(c))
            .map((c) => ({ c, o: overlap(t.plot, c.plotBox) }))
            .sort((a, b) => b.o - a.o)[0];
          if (best && best.o >= 0.5) {
            used.add(best.c);
            r.matched++;
            k.matched++;
            scoreValues(t, best.c, r, file);
            scoreValues(t, best.c, k, file);
          } else {
            if (verbose)
              console.log(`  ${file}: ${t.kind} not found (best overlap ${best?.o.toFixed(2) ?? 0})`);
            for (const tally of [r, k]) {
              tally.values += t.values.length;
              tally.relErr += t.values.length;
            }
          }
        }
        if (verbose)
          for (const c of found)
            if (!used.has(c)) console.log(`  ${file}: extra ${c.kind} at ${JSON.stringify(c.plotBox)}`);
        // Charts as tables: tables over a true chart's plot, with and without the chart exclusion.
        const onChart = (b: Rect) =>
          want.some(
            (t) =>
              overlap(b, t.plot) > 0 ||
              (b.x0 < t.plot.x1 && b.x1 > t.plot.x0 && b.y0 < t.plot.y1 && b.y1 > t.plot.y0),
          );
        r.tablesBefore += detectTables(pg.text, pg.rulings).filter((t) => onChart(t.box)).length;
        r.falseTables += detectTables(pg.text, pg.rulings, { exclude: found.map((c) => c.box) }).filter((t) =>
          onChart(t.box),
        ).length;
      }
    }
    // The sample report: its bar chart's five quarter values, exactly.
    const report = await loader.load('assets/samples/report.pdf', [2]);
    const rp = report[0];
    const rc = rp ? detectCharts(rp.text, rp.paths)[0] : undefined;
    const want = [3210, 3395, 3620, 3880, 4380];
    const got = rc?.values.map((v) => v.value) ?? [];
    const reportOk = JSON.stringify(got) === JSON.stringify(want);
    const reportTables = rp ? detectTables(rp.text, rp.rulings, { exclude: rc ? [rc.box] : [] }).length : -1;

    const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : '—');
    const line = (name: string, t: Tally) => {
      const p = t.found ? t.matched / t.found : 1;
      const rcl = t.truth ? t.matched / t.truth : 1;
      return `${name.padEnd(14)} charts ${String(t.truth).padStart(3)}  P ${p.toFixed(3)}  R ${rcl.toFixed(3)}  values ${String(t.values).padStart(4)}  within 1% ${pct(t.within1, t.values).padStart(6)}  mean rel. err ${(t.values ? t.relErr / t.values : 0).toFixed(4)}`;
    };
    console.log(`bench:charts — ${pages} pages in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const all = blank();
    for (const [name, t] of byRenderer) {
      console.log(
        `${line(name, t)}  charts as tables ${t.falseTables} (without the exclusion: ${t.tablesBefore})`,
      );
      for (const k of Object.keys(all) as (keyof Tally)[]) all[k] += t[k];
    }
    console.log(
      `${line('all', all)}  charts as tables ${all.falseTables} (without the exclusion: ${all.tablesBefore})`,
    );
    console.log('by kind:');
    for (const [name, t] of [...byKind].sort()) console.log(`  ${line(name, t)}`);
    console.log(
      `report.pdf page 2: ${JSON.stringify(got)} ${reportOk ? 'exact' : `expected ${JSON.stringify(want)}`}; tables on the page: ${reportTables}`,
    );
    const P = all.found ? all.matched / all.found : 1;
    const R = all.truth ? all.matched / all.truth : 1;
    const goals = [
      ['detection precision ≥ 0.95', P >= 0.95],
      ['detection recall ≥ 0.95', R >= 0.95],
      ['≥ 95 % of values within 1 %', all.within1 >= 0.95 * all.values],
      ['zero charts reported as tables', all.falseTables === 0 && reportTables === 0],
      ['report.pdf: five quarter values exact', reportOk],
    ] as const;
    for (const [g, ok] of goals) console.log(`goal ${ok ? 'met   ' : 'MISSED'} ${g}`);
  } finally {
    await loader.destroy();
  }
}

await main();
