// The chart suite read end to end (what bench:charts measures), held to the goals: detection precision and
// recall ≥ 0.95, ≥ 95 % of values within 1 %, and no table reported over a chart; plus the suite's truth is what
// the seeded generator plans (the committed files are current).
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { detectCharts } from '../../src/extract/charts/index.js';
import { detectTables } from '../../src/extract/tables/index.js';
import { CHART_CORPUS_DIR, PAGES_PER_RENDERER, planPage, type TruthDoc } from './generate.js';
import { ChartPageLoader } from './page-loader.js';

const loader = new ChartPageLoader();
after(() => loader.destroy());

test('the committed truth is what the generator plans', async () => {
  const files = (await readdir(CHART_CORPUS_DIR)).filter((f) => f.endsWith('.json')).sort();
  assert.equal(files.length, 2 * PAGES_PER_RENDERER);
  for (const f of files) {
    const t = JSON.parse(await readFile(path.join(CHART_CORPUS_DIR, f), 'utf8')) as TruthDoc;
    const i = Number(/^[cp](\d+)/.exec(f)?.[1]) - 1 + (f.startsWith('p') ? PAGES_PER_RENDERER : 0);
    assert.deepEqual(JSON.parse(JSON.stringify(planPage(i).charts)), t.charts, f);
  }
});

test('chart suite: detection P/R ≥ 0.95, ≥ 95 % of values within 1 %, no chart read as a table', async () => {
  const files = (await readdir(CHART_CORPUS_DIR)).filter((f) => f.endsWith('.pdf')).sort();
  let truthCharts = 0;
  let found = 0;
  let matched = 0;
  let values = 0;
  let within = 0;
  let asTables = 0;
  for (const file of files) {
    const truth = JSON.parse(
      await readFile(path.join(CHART_CORPUS_DIR, file.replace(/\.pdf$/, '.json')), 'utf8'),
    ) as TruthDoc;
    const [page] = await loader.load(path.join(CHART_CORPUS_DIR, file));
    assert.ok(page);
    const charts = detectCharts(page.text, page.paths);
    found += charts.length;
    truthCharts += truth.charts.length;
    for (const t of truth.charts) {
      const c = charts.find(
        (x) =>
          Math.abs((x.plotBox.x0 + x.plotBox.x1) / 2 - (t.plot.x0 + t.plot.x1) / 2) < 20 &&
          Math.abs((x.plotBox.y0 + x.plotBox.y1) / 2 - (t.plot.y0 + t.plot.y1) / 2) < 20,
      );
      values += t.values.length;
      if (!c) continue;
      matched++;
      const one = new Set(t.values.map((v) => v.series)).size === 1;
      for (const tv of t.values) {
        const hit = c.values.find(
          (v) =>
            (one || v.series === tv.series) &&
            (tv.x !== null ? v.x !== null && Math.abs(v.x - tv.x) <= 1 : v.category === tv.category),
        );
        if (hit && Math.abs(hit.value - tv.value) <= 0.01 * Math.abs(tv.value)) within++;
      }
    }
    asTables += detectTables(page.text, page.rulings, { exclude: charts.map((c) => c.box) }).length;
  }
  assert.equal(truthCharts, 88);
  assert.ok(matched / found >= 0.95, `precision ${matched}/${found}`);
  assert.ok(matched / truthCharts >= 0.95, `recall ${matched}/${truthCharts}`);
  assert.ok(within / values >= 0.95, `within 1 %: ${within}/${values}`);
  assert.equal(asTables, 0);
});
