// Chart exports from the report's chart as read from its drawing: CSV rows with each value's box, the Markdown
// grid, JSON with the whole chart, and an XLSX workbook with an index, the values and a sheet per chart.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import { ChartPageLoader } from '../../../scripts/chart-corpus/page-loader.js';
import type { Chart } from '../../shared/charts.js';
import { exportExtraction } from '../export/index.js';
import { detectCharts } from './index.js';

const loader = new ChartPageLoader();
let charts: Chart[] = [];
before(async () => {
  const [p] = await loader.load('assets/samples/report.pdf', [2]);
  assert.ok(p);
  charts = detectCharts(p.text, p.paths);
});
after(() => loader.destroy());

const doc = () => [{ file: 'report.pdf', dates: [], tables: [], charts }];
const text = (b: Uint8Array) => new TextDecoder().decode(b);

test('CSV: one record per value with series, category, value, label agreement and box', async () => {
  const csv = text((await exportExtraction('charts', 'csv', doc())).bytes).split('\r\n');
  assert.equal(
    csv[0],
    'file,page,chart,title,kind,series,category,x,value,unit,label,label_agrees,x0,y0,x1,y1',
  );
  assert.equal(
    csv[5],
    'report.pdf,2,1,Quarterly revenue,bar,Value,Q3 FY25,,4380,,"4,380",true,470.48,170.26,517.52,384',
  );
  assert.equal(csv.length, 7);
});

test('Markdown, JSON and XLSX carry the same five values', async () => {
  const md = text((await exportExtraction('charts', 'md', doc())).bytes);
  assert.match(md, /\| Q3 FY25 \| 4380 \|/);
  const json = JSON.parse(text((await exportExtraction('charts', 'json', doc())).bytes)) as {
    files: { charts: Chart[] }[];
  };
  assert.deepEqual(
    json.files[0]?.charts[0]?.values.map((v) => v.value),
    [3210, 3395, 3620, 3880, 4380],
  );
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await exportExtraction('charts', 'xlsx', doc())).bytes as unknown as ArrayBuffer);
  assert.deepEqual(
    wb.worksheets.map((w) => w.name),
    ['Index', 'Values', 'C1 p2'],
  );
  const sheet = wb.getWorksheet('C1 p2');
  assert.equal(sheet?.getCell('A6').value, 'Q3 FY25');
  assert.equal(sheet?.getCell('B6').value, 4380);
});
