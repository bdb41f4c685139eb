// The VLM chart-to-table reading: a model's Markdown table becomes an estimated Chart, compared with exact data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Answer } from '../../shared/domain.js';
import { answerFromEstimate, chartFromTable, compareEstimate, UNREADABLE_TABLE } from './estimated.js';

const OUTPUT = `| Quarter | Revenue |
|---|---|
| Q3 FY24 | 3,200 |
| Q4 FY24 | 3,400 |
| Q1 FY25 | 3,600 |
| Q2 FY25 | 3,900 |
| Q3 FY25 | 4,400 |`;

test('a Markdown table from the model reads as an estimated chart', () => {
  const c = chartFromTable(OUTPUT, 2);
  assert.ok(c);
  assert.equal(c.method, 'estimated');
  assert.deepEqual(c.categories, ['Q3 FY24', 'Q4 FY24', 'Q1 FY25', 'Q2 FY25', 'Q3 FY25']);
  assert.deepEqual(
    c.values.map((v) => [v.series, v.value]),
    [
      ['Revenue', 3200],
      ['Revenue', 3400],
      ['Revenue', 3600],
      ['Revenue', 3900],
      ['Revenue', 4400],
    ],
  );
  assert.equal(chartFromTable('I cannot read this chart.', 1), null);
});

test('prose and code fences around the table are not rows: the table’s own delimiter decides', () => {
  const wrapped = `Sure, here is the data from the chart:\n\n\`\`\`markdown\n${OUTPUT}\n\`\`\`\nNote, values are approximate.`;
  const c = chartFromTable(wrapped, 1);
  assert.ok(c);
  assert.deepEqual(
    c.series.map((s) => s.name),
    ['Revenue'],
  );
  assert.deepEqual(c.categories, ['Q3 FY24', 'Q4 FY24', 'Q1 FY25', 'Q2 FY25', 'Q3 FY25']);
  assert.equal(c.values.length, 5);
  // CSV and TSV tables still read.
  const csv = chartFromTable('Region,2023,2024\nEurope,12.5,14\nAsia,9,11.25', 1);
  assert.deepEqual(
    csv?.values.map((v) => [v.category, v.series, v.value]),
    [
      ['Europe', '2023', 12.5],
      ['Europe', '2024', 14],
      ['Asia', '2023', 9],
      ['Asia', '2024', 11.25],
    ],
  );
  assert.equal(csv?.layout, 'grouped');
  const tsv = chartFromTable('Month\tSales\nJan\t3\nFeb\t5', 1);
  assert.deepEqual(
    tsv?.values.map((v) => v.value),
    [3, 5],
  );
});

test('the estimate is compared with the exact values', () => {
  const est = chartFromTable(OUTPUT, 2);
  const exact = chartFromTable(OUTPUT.replace('3,200', '3,210').replace('4,400', '4,380'), 2);
  assert.ok(est && exact);
  const r = compareEstimate(est, { ...exact, method: 'vector' });
  assert.equal(r.matched, 5);
  assert.equal(r.within5, 5);
  assert.ok(r.meanRelError !== null && Math.abs(r.meanRelError - (10 / 3210 + 20 / 4380) / 5) < 1e-9);
});

test("answerFromEstimate: the question answered from the model's table, estimated and never verified", () => {
  const a = answerFromEstimate('Which quarter had the highest value in the chart?', OUTPUT, 3);
  assert.equal(a.text, 'Q3 FY25 (4,400) (estimated by the model from the image).');
  assert.equal(a.trust, 'unverified');
  assert.match(a.trustReason, /estimated by the model/);
  assert.ok(a.chart);
  assert.equal(a.chart.chart.method, 'estimated');
  assert.equal(a.chart.chart.page, 3);
  assert.deepEqual(a.chart.highlight, [4]);
  assert.equal(a.answered, true);
  assert.deepEqual(a.boxes, []);
  // What the flow builds from it is a valid Answer (the contract's schema), chart included.
  const parsed = Answer.safeParse({
    text: a.text,
    boxes: a.boxes,
    verified: false,
    trust: a.trust,
    trust_reason: a.trustReason,
    field: null,
    conflict: null,
    candidates: [],
    engine: 'vlm',
    model: 'm',
    provider: 'cpu',
    timings: { vision_ms: 1, prefill_ms: 1, ttft_ms: 1, decode_tokens_per_s: 1, total_ms: 2 },
    token_ids: [1],
    raw: OUTPUT,
    chart: a.chart,
  });
  assert.ok(parsed.success, parsed.success ? '' : parsed.error.message);
});

test('answerFromEstimate: a question with no chart operation gets a summary of what was read', () => {
  const a = answerFromEstimate('Describe the chart', OUTPUT, 1);
  assert.equal(
    a.text,
    "The model read the chart's data as 5 values over 5 categories (estimated, see the table).",
  );
  assert.deepEqual(a.chart?.highlight, []);
  assert.equal(a.answered, false);
});

test("answerFromEstimate: output with no table says the model's table could not be read", () => {
  const a = answerFromEstimate('What does the chart show?', 'addCriterion lorem ipsum', 1);
  assert.ok(a.text.startsWith(`${UNREADABLE_TABLE}:`));
  assert.match(a.text, /"addCriterion lorem ipsum"/);
  assert.equal(a.chart, null);
  assert.equal(a.answered, false);
  assert.equal(a.trust, 'unverified');
  assert.match(answerFromEstimate('chart?', '', 1).text, /wrote nothing/);
});

test('answerFromEstimate: compared with the exact vector chart on the same page, agreement reported', () => {
  const exact = chartFromTable(OUTPUT.replace('3,200', '3,210').replace('4,400', '4,380'), 2);
  assert.ok(exact);
  const a = answerFromEstimate('Which quarter had the lowest value in the chart?', OUTPUT, 2, [
    { ...exact, method: 'vector' },
  ]);
  assert.match(a.text, /^Q3 FY24 \(3,?200\)/);
  assert.match(
    a.trustReason,
    /Compared with the exact data .*: 5 of 5 values within 5 %, mean relative error 0\.2 %\./,
  );
  // A chart on another page is not compared.
  const b = answerFromEstimate('Which quarter had the lowest value in the chart?', OUTPUT, 1, [
    { ...exact, method: 'vector' },
  ]);
  assert.doesNotMatch(b.trustReason, /Compared/);
});
