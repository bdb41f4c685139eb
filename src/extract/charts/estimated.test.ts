// The VLM chart-to-table reading: a model's Markdown table becomes an estimated Chart, compared with exact data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chartFromTable, compareEstimate } from './estimated.js';

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

test('the estimate is compared with the exact values', () => {
  const est = chartFromTable(OUTPUT, 2);
  const exact = chartFromTable(OUTPUT.replace('3,200', '3,210').replace('4,400', '4,380'), 2);
  assert.ok(est && exact);
  const r = compareEstimate(est, { ...exact, method: 'vector' });
  assert.equal(r.matched, 5);
  assert.equal(r.within5, 5);
  assert.ok(r.meanRelError !== null && Math.abs(r.meanRelError - (10 / 3210 + 20 / 4380) / 5) < 1e-9);
});
