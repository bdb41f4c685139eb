// Table detection on pages printed by Chromium (printed-cases.ts): each failure class of issue 11 on a real
// printed page, read through the documents engine (pdf.js text) and the operator-list rulings, cells exact.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { PageLoader } from '../../../scripts/bench-tables.js';
import { detectTables, tableToGrid } from './index.js';
import { PRINTED_CASES, chromiumPath, printCases } from './printed-cases.js';

const skip = existsSync(chromiumPath()) ? false : `no Chromium at ${chromiumPath()} (set CHROMIUM_PATH)`;
let printed: { pdf: string; remove(): void } | undefined;
const loader = new PageLoader();

before(async () => {
  if (!skip) printed = await printCases();
});
after(async () => {
  await loader.destroy();
  printed?.remove();
});

/** Cell text as compared: runs of whitespace (line breaks inside a cell included) as one space. */
function norm(grid: string[][]): string[][] {
  return grid.map((r) => r.map((c) => c.replace(/\s+/g, ' ').trim()));
}

PRINTED_CASES.forEach((c, i) => {
  test(`printed ${c.id}: ${c.kind}`, { skip }, async () => {
    assert.ok(printed);
    const { text, rulings } = await loader.load(printed.pdf, i + 1);
    const tables = detectTables(text, rulings);
    const want = c.tables ?? (c.expected ? 1 : 0);
    assert.equal(
      tables.length,
      want,
      `${c.id}: ${tables.length} tables ${JSON.stringify(tables.map((t) => norm(tableToGrid(t))))}`,
    );
    if (!c.expected) return;
    const t = tables[0];
    assert.ok(t);
    assert.deepEqual(norm(tableToGrid(t)), c.expected);
    if (c.headerRows !== undefined) assert.equal(t.headerRows, c.headerRows, `${c.id}: header rows`);
  });
});

test('printed: a group header spans its sub-headers and a row span covers its rows', { skip }, async () => {
  assert.ok(printed);
  const group = PRINTED_CASES.findIndex((c) => c.id === 'group-header-grid');
  const g = await loader.load(printed.pdf, group + 1);
  const [t] = detectTables(g.text, g.rulings);
  assert.ok(t);
  const sales = t.cells.find((c) => c.text === 'Sales');
  assert.deepEqual(sales && [sales.row, sales.col, sales.rowSpan, sales.colSpan], [0, 1, 1, 2]);
  const region = t.cells.find((c) => c.text === 'Region');
  assert.deepEqual(region && [region.row, region.col, region.rowSpan, region.colSpan], [0, 0, 2, 1]);
  const rs = PRINTED_CASES.findIndex((c) => c.id === 'rowspan-grid');
  const r = await loader.load(printed.pdf, rs + 1);
  const [u] = detectTables(r.text, r.rulings);
  const y2023 = u?.cells.find((c) => c.text === '2023');
  assert.deepEqual(y2023 && [y2023.row, y2023.col, y2023.rowSpan, y2023.colSpan], [1, 0, 2, 1]);
});
