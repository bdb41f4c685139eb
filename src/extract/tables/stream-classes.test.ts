// Borderless tables (the stream path) on pages printed by Chromium, one page per failure class of issue 11: rows of
// cells wrapped in every column with little padding, headings set off their body's column, and the rest below.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { PageLoader } from '../../../scripts/table-corpus/page-loader.js';
import type { Table } from '../../shared/domain.js';
import { detectTables, tableToGrid } from './index.js';
import { chromiumPath, htmlTable, printCases, type PrintedCase } from './printed-cases.js';

const skip = existsSync(chromiumPath()) ? false : `no Chromium at ${chromiumPath()} (set CHROMIUM_PATH)`;
const INTRO =
  '<h2>Site register</h2><p>The figures below were compiled from the monthly returns submitted by each site and ' +
  'have not been adjusted for seasonal effects.</p>';
const OUTRO = '<p>Corrections published after printing are listed on the last page.</p>';

const WRAPPED_ALL = [
  ['Facility', 'Date', 'Owner', 'Budget'],
  ['Granite Station', 'February 1, 2025', 'K. Novak', '-9,693.07'],
  ['West Terminal', 'October 1, 2025', 'L. Chen', '9,114.09'],
  ['Harbour Studio', 'August 28, 2019', 'A. Okafor', '21,723.35'],
  ['Summit Works', 'May 3, 2021', 'H. Becker', '1,204.50'],
];
const VISITS = [
  ['Date', 'Visitors', 'Share'],
  ['27 May 2023', '83,232', '76.5%'],
  ['13 Mar 2024', '4,410', '61.7%'],
  ['6 Jan 2022', '18,069', '-17.0%'],
  ['23 Oct 2025', '2,207', '35.9%'],
  ['4 Dec 2025', '61,921', '-7.1%'],
];
const SUPPLIES = [
  ['Item', 'Count'],
  ['Printer paper A4', '228'],
  ['Toner cartridge', '142'],
  ['Safety gloves', '630'],
];
const OWNERS = [
  ['Issued', 'Responsible', 'Amount', 'Share'],
  ['08/20/2018', 'A. Okafor', '19,043.11 EUR', '-18.8%'],
  ['05/22/2015', 'K. Novak', '18,825.79 EUR', '-24.4%'],
  ['04/25/2016', 'S. Tanaka', '6,923.39 EUR', '43.2%'],
  ['02/06/2025', 'M. Lindqvist', '24,832.03 EUR', '7.5%'],
];
const BRANCHES = [
  ['Branch', 'Ref.', 'Units'],
  ['Bridge Works', 'REF-70154', '834'],
  ['Summit Studio', 'PO-88209', '412'],
  ['Valley Centre Harbour', 'A-56306', '518'],
  ['Summit Station Stone', 'PO-35412', '881'],
  ['Granite Depot', 'A-11873', '97'],
];
const PARAGRAPH =
  '<p>For questions about this report, contact the statistics desk. Corrections published after printing are ' +
  'listed on the last page.</p>';
const SPLIT_CSS =
  '.split{display:flex;gap:24px;align-items:flex-start} .split>.prose{flex:0 0 38%} .split>.box{flex:1 1 auto} .split table{width:100%}';
/** A page with three paragraphs in a column beside the table, as reports and web pages set a side note. */
const beside = (table: string) =>
  `${INTRO}<div class="split"><div class="prose">${PARAGRAPH.repeat(3)}</div><div class="box">${table}</div></div>${OUTRO}`;
const INSPECTIONS = [
  [
    'Delivered',
    'Due date for the next payment',
    'Number of units received in the period',
    'Date of the last inspection visit',
  ],
  ['2026-06-25', '2022-05-09', '229', '2022-05-16'],
  ['2026-05-20', '2018-01-18', '640', '2025-01-19'],
  ['2018-06-03', '2016-09-10', '377', '2025-06-09'],
  ['2018-03-17', '2022-09-13', '428', '2025-11-06'],
];
const PLANS = [
  ['Date', 'Actual', '', 'Planned', '', 'Status'],
  ['', 'Cost', 'State', 'Staff', 'Unit price', ''],
  ['2018-12-28', '(12,964.23)', 'Open', '745', '24,058.30', 'Open'],
  ['2018-05-01', '5,282.61', 'Approved', '573', '(15,319.73)', 'Open'],
  ['2026-09-05', '7,945.34', 'Closed', '19', '8,911.19', 'Closed'],
  ['2024-05-02', '6,773.28', 'Rejected', '667', '(1,221.46)', 'Rejected'],
  ['2016-03-04', '5,958.63', 'Open', '604', '3,718.89', 'Draft'],
];

const CASES: (PrintedCase & { check?: (t: Table) => void })[] = [
  {
    id: 'wrapped-first-column',
    kind: 'multi-line cells in most columns (the first too), rows set only a small padding apart',
    css: 'table{width:330px} td,th{padding:1.5px 6px;vertical-align:top;text-align:left;line-height:1.25}',
    html: INTRO + htmlTable(WRAPPED_ALL) + OUTRO,
    expected: WRAPPED_ALL,
  },
  {
    id: 'heading-off-column',
    kind: 'headings set flush left over figures set flush right in wide columns',
    css: 'table{width:420px} th{text-align:left;padding:4px 8px} td{padding:4px 8px} td:not(:first-child){text-align:right}',
    html: INTRO + htmlTable(VISITS) + OUTRO,
    expected: VISITS,
  },
  {
    id: 'two-columns-row-ruled',
    kind: 'a two-column table ruled under every row (no column rules) is a table, not page layout',
    css: 'table{border-collapse:collapse;width:260px} td,th{padding:3px 6px;text-align:left;border-bottom:1px solid #333} td:last-child{text-align:right}',
    html: INTRO + htmlTable(SUPPLIES) + OUTRO,
    expected: SUPPLIES,
  },
  {
    id: 'fixed-pitch-beside-prose',
    kind: 'a monospaced page (a word space is 0.6 em, no column gap) with paragraphs beside the table',
    css: `section{font-family:'Liberation Mono',monospace;font-size:13px} ${SPLIT_CSS} td,th{padding:2px 8px;text-align:left}`,
    html: beside(htmlTable(OWNERS)),
    expected: OWNERS,
  },
  {
    id: 'beside-prose',
    kind: 'paragraphs in a column beside a borderless table with wrapped cells, their lines between its rows',
    css: `${SPLIT_CSS} td,th{padding:3px 6px;text-align:left;vertical-align:top}`,
    html: beside(htmlTable(BRANCHES)),
    expected: BRANCHES,
  },
  {
    id: 'spans-unruled',
    kind: 'spanned cells without rules: a section row, a note across two columns, figures flush right over two',
    css: 'td,th{padding:3px 10px;text-align:left} td.n{text-align:right}',
    html:
      INTRO +
      '<table><thead><tr><th>Site</th><th>Owner</th><th>Budget</th><th>Comment</th></tr></thead><tbody>' +
      '<tr><td colspan="4">Division: Atlas</td></tr>' +
      '<tr><td>PO-93062</td><td>S. Tanaka</td><td class="n">1,084.23</td><td>see attached schedule</td></tr>' +
      '<tr><td>A-95619</td><td>L. Chen</td><td class="n">16,927.25</td><td>partial refund issued</td></tr>' +
      '<tr><td>A-48062</td><td>J. Moreau</td><td class="n" colspan="2">17,963.03</td></tr>' +
      '<tr><td>PO-84341</td><td colspan="2">awaiting signature from the regional office</td><td>on hold</td></tr>' +
      '<tr><td>REF-8131</td><td>A. Okafor</td><td class="n">981.74</td><td>renewal due next year</td></tr>' +
      '</tbody></table>' +
      OUTRO,
    expected: [
      ['Site', 'Owner', 'Budget', 'Comment'],
      ['Division: Atlas', '', '', ''],
      ['PO-93062', 'S. Tanaka', '1,084.23', 'see attached schedule'],
      ['A-95619', 'L. Chen', '16,927.25', 'partial refund issued'],
      ['A-48062', 'J. Moreau', '17,963.03', ''],
      ['PO-84341', 'awaiting signature from the regional office', '', 'on hold'],
      ['REF-8131', 'A. Okafor', '981.74', 'renewal due next year'],
    ],
    check: (t) => {
      const span = (text: string) => {
        const c = t.cells.find((x) => x.text === text);
        return c && [c.row, c.col, c.colSpan];
      };
      assert.deepEqual(span('Division: Atlas'), [1, 0, 4]);
      assert.deepEqual(span('17,963.03'), [4, 2, 2]);
      assert.deepEqual(span('awaiting signature from the regional office'), [5, 1, 2]);
      assert.deepEqual(span('see attached schedule'), [2, 3, 1]);
    },
  },
  {
    id: 'group-header-unruled',
    kind: 'a group heading over sub-headings without rules: one header of two rows, the heading spanning three',
    css: 'td,th{padding:3px 10px;text-align:left;vertical-align:top}',
    html:
      INTRO +
      '<table><thead><tr><th rowspan="2">Issued</th><th colspan="3">Actual</th></tr>' +
      '<tr><th>Responsible</th><th>Amount</th><th>Share</th></tr></thead><tbody>' +
      OWNERS.slice(1)
        .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
        .join('') +
      '</tbody></table>' +
      OUTRO,
    expected: [['Issued', 'Actual', '', ''], ['', 'Responsible', 'Amount', 'Share'], ...OWNERS.slice(1)],
    check: (t) => {
      const at = (text: string) => {
        const c = t.cells.find((x) => x.text === text);
        return c && [c.row, c.col, c.rowSpan, c.colSpan];
      };
      assert.deepEqual(at('Actual'), [0, 1, 1, 3]);
      assert.deepEqual(at('Issued'), [0, 0, 2, 1]);
      assert.deepEqual(at('Amount'), [1, 2, 1, 1]);
      assert.equal(t.headerRows, 2);
    },
  },
  {
    id: 'wrapped-header-over-row-rules',
    kind: 'a header wrapped over four lines set close (line boxes overlapping) over rules under every row',
    css: "section{font-family:'Liberation Sans Narrow',sans-serif;font-size:16px} table{border-collapse:collapse} th,td{border-bottom:1px solid #333;padding:5px 8px;vertical-align:top;text-align:left} th{width:90px}",
    html: INTRO + htmlTable(INSPECTIONS) + OUTRO,
    expected: INSPECTIONS,
  },
  {
    id: 'group-headers-over-figures',
    kind: 'group headings flush left over sub-headings and figures flush right, no rules (LibreOffice style)',
    css: 'th{padding:2px 6px;text-align:left;vertical-align:top} td{padding:2px 6px} td.n{text-align:right}',
    html:
      INTRO +
      '<table><thead><tr><th rowspan="2">Date</th><th colspan="2">Actual</th><th colspan="2">Planned</th>' +
      '<th rowspan="2">Status</th></tr><tr><th>Cost</th><th>State</th><th>Staff</th><th>Unit price</th></tr></thead>' +
      '<tbody>' +
      PLANS.slice(2)
        .map(
          (r) =>
            `<tr>${r.map((c, i) => `<td${i === 1 || i === 3 || i === 4 ? ' class="n"' : ''}>${c}</td>`).join('')}</tr>`,
        )
        .join('') +
      '</tbody></table>' +
      OUTRO,
    expected: PLANS,
    check: (t) => {
      const at = (text: string) => {
        const c = t.cells.find((x) => x.text === text);
        return c && [c.row, c.col, c.rowSpan, c.colSpan];
      };
      assert.deepEqual(at('Actual'), [0, 1, 1, 2]);
      assert.deepEqual(at('Planned'), [0, 3, 1, 2]);
      assert.deepEqual(at('Status'), [0, 5, 2, 1]);
    },
  },
];

let printed: { pdf: string; remove(): void } | undefined;
const loader = new PageLoader();
before(async () => {
  if (!skip) printed = await printCases(CASES);
});
after(async () => {
  await loader.destroy();
  printed?.remove();
});

const norm = (grid: string[][]) => grid.map((r) => r.map((c) => c.replace(/\s+/g, ' ').trim()));

CASES.forEach((c, i) => {
  test(`stream ${c.id}: ${c.kind}`, { skip }, async () => {
    assert.ok(printed);
    const { text, rulings } = await loader.load(printed.pdf, i + 1);
    const tables = detectTables(text, rulings);
    assert.equal(
      tables.length,
      c.tables ?? 1,
      `${c.id}: ${JSON.stringify(tables.map((t) => norm(tableToGrid(t))))}`,
    );
    const t = tables[0] as Table;
    assert.equal(t.method, 'stream');
    assert.deepEqual(norm(tableToGrid(t)), c.expected);
    c.check?.(t);
  });
});
