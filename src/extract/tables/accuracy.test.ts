// The table measure itself: row alignment, page-level pairing (split and merged tables), spans and header rows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scorePage, scoreTable, type ExpectedTable, type ExtractedTable } from './accuracy.js';

function extracted(
  grid: string[][],
  headerRows = 1,
  spans: [number, number, number, number][] = [],
): ExtractedTable {
  const covered = new Set<string>();
  const cells: ExtractedTable['cells'] = [];
  for (const [row, col, rowSpan, colSpan] of spans) {
    cells.push({ row, col, rowSpan, colSpan, text: grid[row]?.[col] ?? '' });
    for (let r = row; r < row + rowSpan; r++)
      for (let c = col; c < col + colSpan; c++) covered.add(`${r},${c}`);
  }
  grid.forEach((cols, row) =>
    cols.forEach((text, col) => {
      if (!covered.has(`${row},${col}`)) cells.push({ row, col, rowSpan: 1, colSpan: 1, text });
    }),
  );
  return { rows: grid.length, cols: grid[0]?.length ?? 0, headerRows, cells };
}

const TRUTH: ExpectedTable = {
  grid: [
    ['Site', 'Actual', ''],
    ['', 'Count', 'Amount'],
    ['North', '12', '1,200.00'],
    ['South', '7', '(35.10)'],
    ['East', '', '9.99'],
  ],
  headerRows: 2,
  spans: [
    { row: 0, col: 0, rowSpan: 2, colSpan: 1 },
    { row: 0, col: 1, rowSpan: 1, colSpan: 2 },
  ],
};

test('scoreTable: an extra row and a column offset cost nothing; the row alignment is returned', () => {
  const x = [['Title of the table', '', '', ''], ...TRUTH.grid.map((r) => ['', ...r])];
  const s = scoreTable(TRUTH.grid, x);
  assert.equal(s.expected, 12);
  assert.equal(s.matched, 12);
  assert.equal(s.colOffset, 1);
  assert.deepEqual(s.rowMap, [1, 2, 3, 4, 5]);
  assert.equal(s.extractedCells, 13);
  const missing = scoreTable(TRUTH.grid, [TRUTH.grid[0], TRUTH.grid[1], TRUTH.grid[4]] as string[][]);
  assert.equal(missing.matched, 6);
  assert.deepEqual(missing.rowMap, [0, 1, -1, -1, 2]);
});

test('scorePage: the exact table is found with its spans and header rows', () => {
  const page = scorePage(
    [TRUTH],
    [
      extracted(TRUTH.grid, 2, [
        [0, 0, 2, 1],
        [0, 1, 1, 2],
      ]),
    ],
  );
  assert.equal(page.pairs.length, 1);
  const [p] = page.pairs;
  assert.ok(p);
  assert.equal(p.score.matched, 12);
  assert.equal(p.found, true);
  assert.equal(p.spansRight, 2);
  assert.equal(p.extraSpans, 0);
  assert.equal(p.headerRight, true);
  assert.deepEqual(page.missed, []);
  assert.deepEqual(page.spurious, []);
});

test('scorePage: a wrong span and a wrong header count are reported; a cell under a wrong span is lost', () => {
  const [p] = scorePage([TRUTH], [extracted(TRUTH.grid, 1, [[2, 1, 1, 2]])]).pairs;
  assert.ok(p);
  assert.equal(p.score.matched, 11);
  assert.equal(p.spansRight, 0);
  assert.equal(p.extraSpans, 1);
  assert.equal(p.headerRight, false);
});

test('scorePage: a table split in two scores its better half; the other half is spurious', () => {
  const top = extracted(TRUTH.grid.slice(0, 3), 2);
  const bottom = extracted(TRUTH.grid.slice(3), 0);
  const page = scorePage([TRUTH], [bottom, top]);
  assert.equal(page.pairs.length, 1);
  assert.equal(page.pairs[0]?.extracted, 1);
  assert.equal(page.pairs[0]?.score.matched, 7);
  assert.equal(page.pairs[0]?.found, true);
  assert.deepEqual(page.spurious, [0]);
});

test('scorePage: two tables merged into one: one is paired, the other missed; below half is not found', () => {
  const other: ExpectedTable = {
    grid: [
      ['Code', 'Due'],
      ['A-1', '2024-01-02'],
      ['A-2', '2024-03-04'],
    ],
    headerRows: 1,
    spans: [],
  };
  const merged = extracted(
    [...TRUTH.grid, ['Code', 'Due', ''], ['A-1', '2024-01-02', ''], ['A-2', '2024-03-04', '']],
    2,
  );
  const page = scorePage([TRUTH, other], [merged]);
  assert.equal(page.pairs.length, 1);
  assert.equal(page.pairs[0]?.expected, 0);
  assert.deepEqual(page.missed, [1]);
  const weak = scorePage([TRUTH], [extracted([['North', '12', 'x']], 0)]);
  assert.equal(weak.pairs[0]?.score.matched, 2);
  assert.equal(weak.pairs[0]?.found, false);
});
