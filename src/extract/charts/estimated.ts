// Raster charts through a vision-language model: the chart-to-table prompt, the model's table read back as an
// "estimated" Chart, and its comparison with the exact data where the chart is also a vector drawing. The ask
// flow (src/services/ask.ts) runs the prompt for chart questions on pages with no vector chart and answers with
// answerFromEstimate.
import type { Chart, ChartAnswer, ChartValue } from '../../shared/charts.js';
import type { Trust } from '../../shared/domain.js';
import type { LabelledBox } from '../../shared/geometry.js';
import { answerChartQuestion } from './answer.js';
import { parseNumber } from './labels.js';

/** DePlot-style prompt: the chart's data as a Markdown table, first column the categories, one column per series. */
export const CHART_TO_TABLE_PROMPT =
  'Read the chart in this image and write its underlying data as a Markdown table. The first column holds the ' +
  'categories (or x values), then one column per data series headed by the series name from the legend. Write ' +
  'numbers only in the cells, without units. Output only the table.';

/** The model's Markdown (or CSV / TSV) table as an estimated Chart on `page`; null when there is no table. */
export function chartFromTable(text: string, page: number): Chart | null {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^\|?\s*:?-{2,}/.test(l));
  // One delimiter for the whole table, the strongest the output uses: a line of prose around the table ("Sure, here
  // is the data:") has a comma but no pipe or tab, so it is not taken for the header of a Markdown or TSV table.
  const sep =
    lines.filter((l) => l.includes('|')).length >= 2 ? '|' : lines.some((l) => l.includes('\t')) ? '\t' : ',';
  const rows = lines
    .filter((l) => l.includes(sep))
    .map((l) => (sep === '|' ? l.replace(/^\||\|$/g, '') : l).split(sep).map((c) => c.trim()))
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
    // A category written twice is one category (the re-plot and the table key on it).
    categories: [...new Set(body.map((r) => r[0] ?? ''))],
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

/** How an answer built from the model's table starts when the output holds no table. */
export const UNREADABLE_TABLE = "The model's table could not be read";

/** A chart answer from the model's chart-to-table output: never verified (the values are estimated from pixels). */
export interface EstimatedAnswer {
  text: string;
  boxes: LabelledBox[];
  trust: Trust;
  trustReason: string;
  chart: ChartAnswer | null;
  /** Whether the question was answered from the table (max / min / value …); false for a summary or no table. */
  answered: boolean;
}

/**
 * The answer to `question` from the model's table `modelText` (the reply to CHART_TO_TABLE_PROMPT) about the chart
 * on `page`: the question answered from the estimated Chart where it asks for a max / min / value / trend …, else
 * a summary of what was read; an output with no table says so plainly. Where `exact` holds a vector chart on the
 * same page, the estimate is compared with it and the agreement reported.
 */
export function answerFromEstimate(
  question: string,
  modelText: string,
  page: number,
  exact: readonly Chart[] = [],
): EstimatedAnswer {
  const chart = chartFromTable(modelText, page);
  if (!chart) {
    const said = modelText.replace(/\s+/g, ' ').trim();
    return {
      text: `${UNREADABLE_TABLE}: asked for the chart's data as a table, the model wrote ${said ? `"${said.length > 80 ? `${said.slice(0, 80)}…` : said}"` : 'nothing'}, which holds no rows of categories and numbers.`,
      boxes: [],
      trust: 'unverified',
      trustReason: 'The model was asked for the chart as a table of numbers and its output held none.',
      chart: null,
      answered: false,
    };
  }
  const seriesCount = chart.series.length;
  const reply = answerChartQuestion(question, [chart]);
  const text = reply
    ? `${reply.text.replace(/\.$/, '')} (estimated by the model from the image).`
    : `The model read the chart's data as ${chart.values.length} value${chart.values.length === 1 ? '' : 's'} ` +
      `over ${chart.categories.length} categor${chart.categories.length === 1 ? 'y' : 'ies'}` +
      `${seriesCount > 1 ? ` in ${seriesCount} series` : ''} (estimated, see the table).`;
  let why =
    "Values estimated by the model from the chart's pixels; no drawing or printed label on the page confirms them.";
  const vs = exact
    .filter((c) => c.page === page && c.method === 'vector')
    .map((c) => compareEstimate(chart, c))
    .filter((r) => r.matched > 0)
    .sort((a, b) => b.matched - a.matched)[0];
  if (vs) {
    why += ` Compared with the exact data read from the page's vector chart: ${vs.within5} of ${vs.of} values within 5 %`;
    why += vs.meanRelError !== null ? `, mean relative error ${(vs.meanRelError * 100).toFixed(1)} %.` : '.';
  }
  return {
    text,
    // Estimated values have no place on the page: nothing to highlight there, only in the re-plot.
    boxes: [],
    trust: 'unverified',
    trustReason: why,
    chart: { chart, highlight: reply?.highlight ?? [] },
    answered: reply !== null,
  };
}
