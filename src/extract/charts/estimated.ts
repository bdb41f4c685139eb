// Raster charts through a vision-language model: the chart-to-table prompt, the model's table read back as an
// "estimated" Chart, and its comparison with the exact data where the chart is also a vector drawing.
// NOTE: not wired into the VLM flow yet (src/services/handlers-vlm.ts); docs/charts.md says so.
import type { Chart, ChartValue } from '../../shared/charts.js';
import { parseNumber } from './labels.js';

/** DePlot-style prompt: the chart's data as a Markdown table, first column the categories, one column per series. */
export const CHART_TO_TABLE_PROMPT =
  'Read the chart in this image and write its underlying data as a Markdown table. The first column holds the ' +
  'categories (or x values), then one column per data series headed by the series name from the legend. Write ' +
  'numbers only in the cells, without units. Output only the table.';

/** The model's Markdown (or CSV / TSV) table as an estimated Chart on `page`; null when there is no table. */
export function chartFromTable(text: string, page: number): Chart | null {
  const rows = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^\|?\s*:?-{2,}/.test(l))
    .map((l) =>
      (l.includes('|')
        ? l.replace(/^\||\|$/g, '').split('|')
        : l.includes('\t')
          ? l.split('\t')
          : l.split(',')
      ).map((c) => c.trim()),
    )
    .filter((r) => r.length >= 2);
  const [header, ...body] = rows;
  if (!header || body.length < 1) return null;
  const series = header.slice(1).map((s, i) => s || `Series ${i + 1}`);
  const values: ChartValue[] = [];
  for (const r of body) {
    const category = r[0] ?? '';
    series.forEach((s, k) => {
      const n = parseNumber(r[k + 1] ?? '');
      if (n)
        values.push({
          series: s,
          category,
          x: null,
          value: n.value,
          box: { x0: 0, y0: 0, x1: 0, y1: 0 },
          label: null,
        });
    });
  }
  if (!values.length) return null;
  return {
    page,
    box: { x0: 0, y0: 0, x1: 0, y1: 0 },
    plotBox: { x0: 0, y0: 0, x1: 0, y1: 0 },
    kind: 'bar',
    orientation: 'vertical',
    layout: series.length > 1 ? 'grouped' : 'single',
    title: null,
    method: 'estimated',
    valueAxis: null,
    xAxis: null,
    series: series.map((name) => ({ name, color: null })),
    categories: body.map((r) => r[0] ?? ''),
    values,
    unit: null,
    labels: { found: 0, agree: 0 },
  };
}

/** How an estimated table compares with the exact one: values matched by series and category, relative errors. */
export function compareEstimate(
  estimated: Chart,
  exact: Chart,
): { matched: number; of: number; within5: number; meanRelError: number | null } {
  const one = exact.series.length === 1 || estimated.series.length === 1;
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
  let matched = 0;
  let within5 = 0;
  let sum = 0;
  for (const v of exact.values) {
    const e = estimated.values.find(
      (x) => norm(x.category) === norm(v.category) && (one || norm(x.series) === norm(v.series)),
    );
    if (!e) continue;
    matched++;
    const err = v.value === 0 ? Math.abs(e.value) : Math.abs(e.value - v.value) / Math.abs(v.value);
    sum += err;
    if (err <= 0.05) within5++;
  }
  return { matched, of: exact.values.length, within5, meanRelError: matched ? sum / matched : null };
}
