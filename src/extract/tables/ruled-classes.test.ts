// Failure classes of ruled and partly ruled tables (issue 11), each on a page printed by headless Chromium and read
// as the app reads it (pdf.js text, operator-list rulings): cells, spans and header rows exact.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { PageLoader } from '../../../scripts/table-corpus/page-loader.js';
import type { Table } from '../../shared/domain.js';
import { detectTables, tableToGrid } from './index.js';
import { placeChunks } from './header-cells.js';
import { detectHeaderRows } from './header.js';
import { glueCut } from './lattice.js';
import { chromiumPath, printCases, type PrintedCase } from './printed-cases.js';

const PROSE =
  '<h2>Site inspections</h2><p>The schedule below lists the visits planned for the quarter; a site visited twice ' +
  'appears once with each visit on its own line.</p>';

const ZEBRA_ROWSPAN_HTML =
  '<table><thead><tr><th>Unit</th><th>Remarks</th><th>Contact</th><th>Owner</th></tr></thead><tbody>' +
  '<tr><td rowspan="3">Granite Works</td><td>see attached schedule</td><td>J. Moreau</td><td>T. Nguyen</td></tr>' +
  '<tr><td>replaces the order of last quarter</td><td>J. Moreau</td><td>A. Okafor</td></tr>' +
  '<tr><td>checked by the audit team</td><td>K. Novak</td><td>J. Moreau</td></tr>' +
  '<tr><td>Copper Works</td><td>see attached schedule</td><td>P. Byrne</td><td>A. Okafor</td></tr>' +
  '<tr><td>River Library</td><td>see attached schedule</td><td>H. Becker</td><td>M. Lindqvist</td></tr>' +
  '<tr><td>East Archive</td><td>renewal due next year</td><td>D. Haddad</td><td>R. Alvarez</td></tr>' +
  '</tbody></table>';

const CASES: (PrintedCase & { spans?: [number, number, number, number][] })[] = [
  {
    id: 'zebra-rowspan',
    kind: 'zebra stripes as the only structure, a cell spanning three rows (its shade is its first row’s)',
    css:
      'table{border-collapse:collapse} td,th{padding:3px 8px;text-align:left;vertical-align:top}' +
      ' thead th{background:#dde} tbody tr:nth-child(even){background:#e6e6e6}',
    html: PROSE + ZEBRA_ROWSPAN_HTML,
    expected: [
      ['Unit', 'Remarks', 'Contact', 'Owner'],
      ['Granite Works', 'see attached schedule', 'J. Moreau', 'T. Nguyen'],
      ['', 'replaces the order of last quarter', 'J. Moreau', 'A. Okafor'],
      ['', 'checked by the audit team', 'K. Novak', 'J. Moreau'],
      ['Copper Works', 'see attached schedule', 'P. Byrne', 'A. Okafor'],
      ['River Library', 'see attached schedule', 'H. Becker', 'M. Lindqvist'],
      ['East Archive', 'renewal due next year', 'D. Haddad', 'R. Alvarez'],
    ],
    spans: [[1, 0, 3, 1]],
  },
];

const skip = existsSync(chromiumPath()) ? false : `no Chromium at ${chromiumPath()} (set CHROMIUM_PATH)`;
let printed: { pdf: string; remove(): void } | undefined;
const loader = new PageLoader();

before(async () => {
  if (!skip) printed = await printCases(CASES);
});
after(async () => {
  await loader.destroy();
  printed?.remove();
});

function norm(t: Table): string[][] {
  return tableToGrid(t).map((r) => r.map((c) => c.replace(/\s+/g, ' ').trim()));
}

CASES.forEach((c, i) => {
  test(`ruled ${c.id}: ${c.kind}`, { skip }, async () => {
    assert.ok(printed);
    const { text, rulings } = await loader.load(printed.pdf, i + 1);
    const tables = detectTables(text, rulings);
    assert.equal(tables.length, 1, `${c.id}: ${JSON.stringify(tables.map(norm))}`);
    const t = tables[0] as Table;
    assert.deepEqual(norm(t), c.expected);
    if (c.headerRows !== undefined) assert.equal(t.headerRows, c.headerRows, `${c.id}: header rows`);
    if (c.spans) {
      const spans = t.cells
        .filter((x) => x.rowSpan > 1 || x.colSpan > 1)
        .map((x) => [x.row, x.col, x.rowSpan, x.colSpan]);
      assert.deepEqual(spans, c.spans);
    }
  });
});

/** A page of the committed generated corpus (fixtures/tables-generated). */
const corpusPage = (set: string, file: string) =>
  fileURLToPath(new URL(`../../../fixtures/tables-generated/${set}/${file}`, import.meta.url));

test('ruled: figures of two cells glued into one word by the text layer are cut at the rule between them', async () => {
  // Chromium set the right-aligned amount and the signed change close enough for pdf.js to read one word,
  // '16,705.59-11.0%', across the column rule.
  const { text, rulings } = await loader.load(
    corpusPage('chromium', 'c016-coloured-grid-wrapped-header.pdf'),
    1,
  );
  assert.ok(text.words.some((w) => w.text === '16,705.59-11.0%'));
  const [t] = detectTables(text, rulings);
  assert.ok(t);
  const rows = norm(t);
  assert.deepEqual(rows[4], ['Whiteboard markers', '16,705.59', '-11.0%', 'partial refund issued']);
  assert.deepEqual(rows[9], ['Toner cartridge', '19,006.82', '-13.4%', 'partial refund issued']);
  assert.deepEqual(rows[11], ['Cable ties', '11,794.40', '-16.6%', 'renewal due next year']);
});

test('glueCut: a glued word is cut at its seam near the edge, a word that only overhangs is not', () => {
  const box = { x0: 364.8, y0: 0, x1: 455.9, y1: 10 };
  assert.equal(glueCut({ text: '16,705.59-11.0%', box }, 410.4), 9);
  assert.equal(glueCut({ text: '(10,921.89)-20.4%', box }, 420), 11);
  // Overhanging its cell by less than two characters: no cut.
  assert.equal(glueCut({ text: '1,151.32', box: { x0: 364.8, y0: 0, x1: 412.9, y1: 10 } }, 410.4), null);
  // No seam near the edge and not far across it: no cut.
  assert.equal(glueCut({ text: 'Lindqvist', box: { x0: 0, y0: 0, x1: 45, y1: 10 } }, 17), null);
});

test('ruled: headings set left over figures set right under a header rule take their own columns', async () => {
  // LibreOffice draws the header rule as one line (no joints at the column edges): the columns come from the
  // body, and 'Rate' / 'Share' start in the gutter before their figures, nearer the previous column's.
  const plain = await loader.load(corpusPage('libreoffice', 'l009-header-rule-plain.pdf'), 1);
  const [a] = detectTables(plain.text, plain.rulings);
  assert.ok(a);
  assert.deepEqual(norm(a)[0], ['Branch', 'Growth', 'Rate', 'Visitors', 'Delivered']);
  assert.deepEqual(norm(a)[1], ['Orion School', '40.4%', '17.6%', '83,230', '11 Jul 2023']);
  assert.equal(a.headerRows, 1);
  const empty = await loader.load(corpusPage('libreoffice', 'l016-header-rule-empty-cells.pdf'), 1);
  const [b] = detectTables(empty.text, empty.rulings);
  assert.deepEqual(b && norm(b)[0], ['Product', 'Visitors', 'Change', 'Growth']);
  // A group heading over sub-headings: the sub-headings' line moves right, the group line stays.
  const group = await loader.load(corpusPage('libreoffice', 'l011-h-rules-group-header.pdf'), 1);
  const [c] = detectTables(group.text, group.rulings);
  assert.ok(c);
  assert.deepEqual(norm(c).slice(0, 3), [
    ['ID', 'Q1', '', ''],
    ['', 'Growth', 'Share', 'Visitors'],
    ['INV-33029', '72.5%', '-21.6%', '47,926'],
  ]);
});

test('placeChunks: chunks go one per column in order, at the least cost, only where allowed', () => {
  // Two chunks in column 1: the second moves right (where it starts in its gutter), not the first left.
  const gutter = [1, 2, 3];
  const cost = (i: number, c: number) => (c === gutter[i] ? 0 : 1) + (c === [1, 1, 2][i] ? 0 : 0.25);
  assert.deepEqual(
    placeChunks(3, 4, () => true, cost),
    [1, 2, 3],
  );
  // Nowhere else allowed: they share their column.
  assert.deepEqual(
    placeChunks(
      2,
      3,
      (_i, c) => c === 1,
      () => 0,
    ),
    [1, 1],
  );
  assert.equal(
    placeChunks(
      2,
      3,
      () => false,
      () => 0,
    ),
    null,
  );
});

test('ruled: a wrapped header under rules drawn cell by cell reads each word in the column its centre is in', async () => {
  // Booktabs rules printed by Chromium meet at the column edges; 'received' and 'next' of two headings wrapped
  // close together, and 'inspection' running past its narrow cell, stay in their own columns.
  const { text, rulings } = await loader.load(corpusPage('chromium', 'c015-booktabs-wrapped-header.pdf'), 1);
  const [t] = detectTables(text, rulings);
  assert.ok(t);
  assert.deepEqual(norm(t)[0], [
    'Facility',
    'Comments from the reviewing team',
    'Number of units received in the period',
    'Due date for the next payment',
    'Date of the last inspection visit',
    'Stage of the approval process',
    'Total count of visitors per year',
  ]);
  assert.equal(t.headerRows, 1);
});

test('ruled: a header wrapped over four lines above the first row rule is one header row of the table', async () => {
  // Rules under every row only (Chromium h-rules): the header sits above the first rule, its lines set so
  // tightly that their boxes overlap; all four lines belong to the table, not the last one alone.
  const { text, rulings } = await loader.load(corpusPage('chromium', 'c013-h-rules-wrapped-header.pdf'), 1);
  const tables = detectTables(text, rulings);
  assert.equal(tables.length, 1, JSON.stringify(tables.map(norm)));
  const t = tables[0] as Table;
  assert.deepEqual(norm(t)[0], [
    'Delivered',
    'Due date for the next payment',
    'Number of units received in the period',
    'Date of the last inspection visit',
    'Contact person at the site',
  ]);
  assert.deepEqual(norm(t)[1], ['2026-06-25', '2022-05-09', '229', '2022-05-16', 'H. Becker']);
  assert.equal(t.rows, 7);
  assert.equal(t.headerRows, 1);
});

test('ruled: a two-column table ruled under every row is a table', async () => {
  // LibreOffice h-rules: 'Item | Count' under a caption, a rule below each row; unruled text needs three
  // columns to read as a table, rules between its rows are evidence enough for two.
  const { text, rulings } = await loader.load(corpusPage('libreoffice', 'l004-h-rules-section-rows.pdf'), 1);
  const tables = detectTables(text, rulings);
  assert.equal(tables.length, 2, JSON.stringify(tables.map(norm)));
  assert.deepEqual(norm(tables[1] as Table), [
    ['Item', 'Count'],
    ['Printer paper A4', '228'],
    ['Toner cartridge', '142'],
    ['Safety gloves', '630'],
  ]);
  assert.equal(tables[1]?.headerRows, 1);
});

test('header rows: headings over columns of dates and codes, not a section label under them', async () => {
  // No figures to tell the heading by: 'Code | Order no. | Stage' over 'INV-36334 | REF-6595 | Pending'.
  const plain = await loader.load(corpusPage('libreoffice', 'l001-full-grid-plain.pdf'), 1);
  const [a] = detectTables(plain.text, plain.rulings);
  assert.deepEqual(a && norm(a)[0], ['Code', 'Order no.', 'Stage']);
  assert.equal(a?.headerRows, 1);
  // A section row ('Group: Stone') right under the heading is body.
  const section = await loader.load(corpusPage('chromium', 'c048-zebra-section-rows.pdf'), 1);
  const [b] = detectTables(section.text, section.rulings);
  assert.deepEqual(b && norm(b)[1]?.[0], 'Group: Stone');
  assert.equal(b?.headerRows, 1);
});

test('detectHeaderRows: a first row of values is no heading', () => {
  const grid = [
    ['INV-36334', 'REF-6595', 'Pending'],
    ['INV-94723', 'INV-1417', 'Approved'],
    ['REF-11220', 'A-5521', 'Closed'],
  ];
  const cells = grid.flatMap((row, r) =>
    row.map((text, c) => ({
      text,
      box: { x0: c, y0: r, x1: c + 1, y1: r + 1 },
      row: r,
      col: c,
      rowSpan: 1,
      colSpan: 1,
    })),
  );
  assert.equal(detectHeaderRows(cells, 3, 3), 0);
  const headed = [
    ...cells.map((c) => ({ ...c, row: c.row + 1 })),
    ...['Code', 'Order no.', 'Stage'].map((text, c) => ({ ...(cells[c] as (typeof cells)[number]), text })),
  ];
  assert.equal(detectHeaderRows(headed, 4, 3), 1);
});

test('no table: a title and paragraph in a monospaced font over a ruled table', async () => {
  // Every word of monospaced running text stands on the character grid, so its lines line up like columns;
  // their even word spacing marks them as text. The page holds the ruled table only.
  for (const file of ['c008-double-plain.pdf', 'c009-separate-grid-plain.pdf']) {
    const { text, rulings } = await loader.load(corpusPage('chromium', file), 1);
    const tables = detectTables(text, rulings);
    assert.deepEqual(
      tables.map((t) => [t.method, t.rows, t.cols]),
      [['lattice', file.startsWith('c008') ? 7 : 11, file.startsWith('c008') ? 6 : 5]],
      file,
    );
  }
});

test('ruled: rules between columns only, broken by spanning cells, still rule one table', async () => {
  // Column rules only (no row rules tie the pieces): a cell spanning two columns breaks one rule, a cell
  // spanning rows another; the pieces overlap top to bottom and are one table, not two overlapping ones.
  const { text, rulings } = await loader.load(corpusPage('web', 'w024-vertical-rules-spans.pdf'), 1);
  const tables = detectTables(text, rulings);
  assert.equal(tables.length, 1, JSON.stringify(tables.map(norm)));
  const t = tables[0] as Table;
  assert.deepEqual([t.rows, t.cols, t.headerRows], [9, 3, 1]);
  assert.deepEqual(norm(t)[2], ['Valley Centre', '19,671.36', '']);
  assert.deepEqual(norm(t)[8], ['Orion Depot', '19,147.35', '458']);
});

test('ruled: shaded rows a wrapped unshaded row apart are one zebra table', async () => {
  // Bootstrap's striped table: the unshaded row between two shaded ones wraps to two lines, so the gap is wider
  // than a shaded row; its words stand in the shaded rows' columns, so the pieces are one table.
  const { text, rulings } = await loader.load(corpusPage('web', 'w020-bootstrap-multiline-cells.pdf'), 1);
  const tables = detectTables(text, rulings);
  assert.equal(tables.length, 1, JSON.stringify(tables.map(norm)));
  const t = tables[0] as Table;
  assert.deepEqual([t.rows, t.cols, t.headerRows], [6, 5, 1]);
  assert.deepEqual(norm(t)[2], ['A. Okafor Approved', '88,790', 'Closed', '22 Jul 2019', 'On hold']);
});
