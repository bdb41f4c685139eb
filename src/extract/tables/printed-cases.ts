// Test pages for table detection as browsers print them: HTML tables in the CSS styles real web pages use
// (collapsed and separate borders, zebra rows, rules only, wrapped headers, spans, charts and prose that are not
// tables), printed to PDF by headless Chromium, whose borders and backgrounds are filled rectangles.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export interface PrintedCase {
  id: string;
  /** The failure class it stands for (issue 11). */
  kind: string;
  css: string;
  /** The page body: the table and what surrounds it. */
  html: string;
  /** Expected cells of the page's one table (a spanning cell's text in its first slot), or null: no table. */
  expected: string[][] | null;
  /** How many tables the page holds (default: 1, or 0 when `expected` is null); `expected` is the first. */
  tables?: number;
  /** Expected header rows, when the case checks them. */
  headerRows?: number;
}

const SALES = [
  ['Region', 'Q1 Sales', 'Q2 Sales', 'Growth'],
  ['North', '1,200', '1,350', '12.5%'],
  ['South', '980', '1,010', '3.1%'],
  ['East', '1,540', '1,490', '-3.2%'],
  ['West', '760', '905', '19.1%'],
  ['Central', '2,010', '2,200', '9.5%'],
];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A plain HTML table: the first row in <thead> as <th>. */
export function htmlTable(rows: string[][], attrs = ''): string {
  const [head, ...body] = rows;
  const tr = (r: string[], tag: string) => `<tr>${r.map((c) => `<${tag}>${esc(c)}</${tag}>`).join('')}</tr>`;
  return `<table ${attrs}><thead>${tr(head ?? [], 'th')}</thead><tbody>${body.map((r) => tr(r, 'td')).join('')}</tbody></table>`;
}

const PROSE =
  '<h2>Quarterly summary</h2><p>The figures below are taken from the regional ledgers and were checked against the ' +
  'audited statements before publication; they are rounded to the nearest unit.</p>';
const AFTER = '<p>Figures for the Central region include the two offices opened in March.</p>';

const WRAPPED = [
  ['Programme', 'Number of participants enrolled', 'Average cost per participant (USD)', 'Completion rate'],
  ['Literacy', '1,204', '310', '82%'],
  ['Vocational', '876', '1,450', '74%'],
  ['Health outreach', '2,310', '95', '91%'],
  ['Micro-credit', '455', '2,020', '68%'],
];

const MULTILINE = [
  ['Item', 'Description', 'Amount'],
  ['A100', 'Annual maintenance of the ventilation system in buildings one and two', '4,200.00'],
  ['B220', 'Replacement of the entrance doors on the lower level', '12,750.00'],
  ['C310', 'Cleaning', '980.00'],
  ['D415', 'Survey of the roof drainage and repair of the gutters on the north side', '3,310.50'],
];

const COUNTRIES = [
  ['Country', 'Population', 'Area (km2)', 'GDP (USD bn)', 'Capital'],
  ['France', '68,042,591', '551,695', '2,937', 'Paris'],
  ['Germany', '84,358,845', '357,588', '4,072', 'Berlin'],
  ['Italy', '58,850,717', '301,340', '2,010', 'Rome'],
  ['Spain', '48,059,777', '505,990', '1,397', 'Madrid'],
  ['Poland', '36,753,736', '312,696', '688', 'Warsaw'],
  ['Netherlands', '17,811,291', '41,850', '991', 'Amsterdam'],
];

const ROTA = [
  ['Name', 'Mon', 'Tue', 'Wed', 'Thu'],
  ['Alice', 'x', '', 'x', ''],
  ['Bob', '', 'x', '', 'x'],
  ['Carol', 'x', 'x', '', ''],
  ['Dan', '', '', 'x', 'x'],
];

const TASKS = [
  ['Task', 'Owner', 'Notes'],
  [
    'Migrate database',
    'Priya',
    'Move the reporting tables first, then the archive; keep the old server for a month',
  ],
  ['Update docs', 'Tom', 'Rewrite the install guide'],
  ['Security review', 'Ana', 'External auditors in week 12, internal checks before that'],
];

export const PRINTED_CASES: PrintedCase[] = [
  {
    id: 'grid-collapsed',
    kind: 'rules drawn as filled rectangles (border-collapse)',
    css: 'table{border-collapse:collapse} td,th{border:1px solid #000;padding:4px 8px}',
    html: PROSE + htmlTable(SALES) + AFTER,
    expected: SALES,
    headerRows: 1,
  },
  {
    id: 'grid-separate',
    kind: 'double rules: separate borders with spacing (phantom thin rows and columns)',
    css: 'table{border-collapse:separate;border-spacing:4px;border:1px solid #444} td,th{border:1px solid #444;padding:4px 8px}',
    html: PROSE + htmlTable(SALES) + AFTER,
    expected: SALES,
    headerRows: 1,
  },
  {
    id: 'grid-double',
    kind: 'double rules (border-style: double)',
    css: 'table{border-collapse:collapse} td,th{border:3px double #000;padding:4px 8px}',
    html: PROSE + htmlTable(SALES) + AFTER,
    expected: SALES,
    headerRows: 1,
  },
  {
    id: 'grid-grey-thin',
    kind: 'thin grey rules',
    css: 'table{border-collapse:collapse} td,th{border:0.5px solid #bbb;padding:3px 10px}',
    html: PROSE + htmlTable(SALES) + AFTER,
    expected: SALES,
    headerRows: 1,
  },
  {
    id: 'zebra',
    kind: 'cell backgrounds as the only structure (zebra rows, shaded header)',
    css: 'table{border-collapse:collapse} td,th{padding:4px 10px} tbody tr:nth-child(odd){background:#e4e4e4} th{background:#335;color:#fff}',
    html: PROSE + htmlTable(SALES) + AFTER,
    expected: SALES,
    headerRows: 1,
  },
  {
    id: 'zebra-even',
    kind: 'cell backgrounds as the only structure (zebra from the second row, plain header)',
    css: 'table{border-collapse:collapse} td,th{padding:4px 10px} tbody tr:nth-child(even){background:#eef}',
    html: PROSE + htmlTable(SALES) + AFTER,
    expected: SALES,
    headerRows: 1,
  },
  {
    id: 'header-rule-multiline',
    kind: 'partly ruled: header ruled, body not, multi-line body cells',
    css: 'table{border-collapse:collapse;width:430px} th{border-bottom:2px solid #000;text-align:left;padding:4px 8px} td{padding:4px 8px;vertical-align:top}',
    html: PROSE + htmlTable(MULTILINE) + AFTER,
    expected: MULTILINE,
    headerRows: 1,
  },
  {
    id: 'hrules-multiline',
    kind: 'only horizontal rules, multi-line body cells',
    css: 'table{border-collapse:collapse;width:430px} td,th{border-top:1px solid #888;border-bottom:1px solid #888;padding:4px 8px;vertical-align:top;text-align:left}',
    html: PROSE + htmlTable(MULTILINE) + AFTER,
    expected: MULTILINE,
    headerRows: 1,
  },
  {
    id: 'wrapped-header-hrules',
    kind: 'header cells wrapped over two or three lines (rules only)',
    css: 'table{border-collapse:collapse} th{width:110px;border-bottom:1px solid #000;padding:4px 6px;vertical-align:bottom} td{padding:3px 6px;text-align:right}',
    html: PROSE + htmlTable(WRAPPED) + AFTER,
    expected: WRAPPED,
    headerRows: 1,
  },
  {
    id: 'wrapped-header-borderless',
    kind: 'header cells wrapped over two or three lines (no rules)',
    css: 'th{width:110px;padding:4px 6px;vertical-align:bottom} td{padding:3px 6px;text-align:right}',
    html: PROSE + htmlTable(WRAPPED) + AFTER,
    expected: WRAPPED,
    headerRows: 1,
  },
  {
    id: 'wrapped-header-grid',
    kind: 'header cells wrapped over two or three lines (full grid)',
    css: 'table{border-collapse:collapse} th{width:110px} td,th{border:1px solid #000;padding:3px 6px}',
    html: PROSE + htmlTable(WRAPPED) + AFTER,
    expected: WRAPPED,
    headerRows: 1,
  },
  {
    id: 'group-header-grid',
    kind: 'stacked headers: a group header spanning sub-headers',
    css: 'table{border-collapse:collapse} td,th{border:1px solid #000;padding:3px 8px}',
    html:
      PROSE +
      '<table><thead><tr><th rowspan="2">Region</th><th colspan="2">Sales</th><th rowspan="2">Growth</th></tr>' +
      '<tr><th>Q1</th><th>Q2</th></tr></thead><tbody>' +
      SALES.slice(1)
        .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
        .join('') +
      '</tbody></table>' +
      AFTER,
    expected: [['Region', 'Sales', '', 'Growth'], ['', 'Q1', 'Q2', ''], ...SALES.slice(1)],
    headerRows: 2,
  },
  {
    id: 'section-rows',
    kind: 'section rows (Male / Female) inside one borderless table',
    css: 'td,th{padding:3px 12px;text-align:left} td.s{font-weight:bold;padding-top:8px}',
    html:
      PROSE +
      '<table><thead><tr><th>Age group</th><th>2019</th><th>2020</th><th>2021</th></tr></thead><tbody>' +
      '<tr><td class="s" colspan="4">Male</td></tr>' +
      '<tr><td>15-24</td><td>12.1</td><td>13.4</td><td>11.9</td></tr>' +
      '<tr><td>25-54</td><td>5.2</td><td>6.0</td><td>5.5</td></tr>' +
      '<tr><td>55+</td><td>4.1</td><td>4.8</td><td>4.4</td></tr>' +
      '<tr><td class="s" colspan="4">Female</td></tr>' +
      '<tr><td>15-24</td><td>11.4</td><td>12.9</td><td>11.0</td></tr>' +
      '<tr><td>25-54</td><td>5.9</td><td>6.6</td><td>6.1</td></tr>' +
      '<tr><td>55+</td><td>3.8</td><td>4.5</td><td>4.0</td></tr>' +
      '</tbody></table>' +
      AFTER,
    expected: [
      ['Age group', '2019', '2020', '2021'],
      ['Male', '', '', ''],
      ['15-24', '12.1', '13.4', '11.9'],
      ['25-54', '5.2', '6.0', '5.5'],
      ['55+', '4.1', '4.8', '4.4'],
      ['Female', '', '', ''],
      ['15-24', '11.4', '12.9', '11.0'],
      ['25-54', '5.9', '6.6', '6.1'],
      ['55+', '3.8', '4.5', '4.0'],
    ],
    headerRows: 1,
  },
  {
    id: 'header-boxed',
    kind: 'partly ruled: boxed header cells over an unruled body',
    css: 'table{border-collapse:collapse} th{border:1px solid #000;background:#f0f0f0;padding:4px 10px} td{padding:4px 10px}',
    html: PROSE + htmlTable(SALES) + AFTER,
    expected: SALES,
    headerRows: 1,
  },
  {
    id: 'colour-rules',
    kind: 'rules in colour, a thick header rule',
    css: 'table{border-collapse:collapse} td,th{border:1px solid #c33;padding:4px 8px} th{border-bottom:3px solid #036}',
    html: PROSE + htmlTable(SALES) + AFTER,
    expected: SALES,
    headerRows: 1,
  },
  {
    id: 'dashed-rules',
    kind: 'rules drawn as many short segments (dashed and dotted borders)',
    css: 'table{border-collapse:collapse} td,th{border:1px dashed #333;padding:4px 8px} th{border-bottom:2px dotted #000}',
    html: PROSE + htmlTable(SALES) + AFTER,
    expected: SALES,
    headerRows: 1,
  },
  {
    id: 'rowspan-grid',
    kind: 'row spans in a full grid',
    css: 'table{border-collapse:collapse} td,th{border:1px solid #000;padding:3px 8px}',
    html:
      PROSE +
      '<table><thead><tr><th>Year</th><th>Quarter</th><th>Revenue</th></tr></thead><tbody>' +
      '<tr><td rowspan="2">2023</td><td>Q1</td><td>410</td></tr><tr><td>Q2</td><td>455</td></tr>' +
      '<tr><td rowspan="2">2024</td><td>Q1</td><td>498</td></tr><tr><td>Q2</td><td>530</td></tr>' +
      '</tbody></table>' +
      AFTER,
    expected: [
      ['Year', 'Quarter', 'Revenue'],
      ['2023', 'Q1', '410'],
      ['', 'Q2', '455'],
      ['2024', 'Q1', '498'],
      ['', 'Q2', '530'],
    ],
    headerRows: 1,
  },
  {
    id: 'two-tables',
    kind: 'two ruled tables of the same width, one caption apart, stay two tables',
    css: 'table{border-collapse:collapse;width:360px} td,th{border:1px solid #000;padding:3px 8px} p.c{margin:6px 0}',
    html:
      PROSE +
      htmlTable(SALES.slice(0, 3)) +
      '<p class="c">Table 2. Staff by office</p>' +
      htmlTable([
        ['Office', 'Staff', 'Open'],
        ['Leeds', '14', '2019'],
        ['York', '9', '2021'],
      ]),
    expected: SALES.slice(0, 3),
    tables: 2,
    headerRows: 1,
  },
  {
    id: 'hrules-bootstrap',
    kind: 'only horizontal rules (a web framework table: header rule 2px, a hairline over each row)',
    css: 'table{border-collapse:collapse;width:100%} th{border-bottom:2px solid #dee2e6;text-align:left;padding:8px} td{border-top:1px solid #dee2e6;padding:8px}',
    html: PROSE + htmlTable(COUNTRIES) + AFTER,
    expected: COUNTRIES,
    headerRows: 1,
  },
  {
    id: 'striped-translucent',
    kind: 'cell backgrounds only: translucent stripes on odd rows',
    css: 'table{border-collapse:collapse;width:100%} th{text-align:left;padding:6px} td{padding:6px} tbody tr:nth-of-type(odd){background:rgba(0,0,0,.05)}',
    html: PROSE + htmlTable(COUNTRIES) + AFTER,
    expected: COUNTRIES,
    headerRows: 1,
  },
  {
    id: 'card-rows',
    kind: 'cell backgrounds only: each row a shaded card, rows spaced apart',
    css: 'table{border-collapse:separate;border-spacing:0 6px} td,th{padding:6px 12px;text-align:left} td{background:#f3f3f8}',
    html: PROSE + htmlTable(COUNTRIES) + AFTER,
    expected: COUNTRIES,
    headerRows: 1,
  },
  {
    id: 'outer-border-only',
    kind: 'a frame round the table, nothing inside',
    css: 'table{border:2px solid #000;border-collapse:collapse} td,th{padding:4px 12px}',
    html: PROSE + htmlTable(COUNTRIES) + AFTER,
    expected: COUNTRIES,
    headerRows: 1,
  },
  {
    id: 'grid-multiline',
    kind: 'multi-line cells in a full grid, the first column wrapped too',
    css: 'table{border-collapse:collapse;width:420px} td,th{border:1px solid #777;padding:4px;vertical-align:top}',
    html: PROSE + htmlTable(TASKS) + AFTER,
    expected: TASKS,
  },
  {
    id: 'borderless-multiline',
    kind: 'multi-line cells without rules, the first column wrapped too',
    css: 'table{width:420px} td,th{padding:5px;vertical-align:top;text-align:left}',
    html: PROSE + htmlTable(TASKS) + AFTER,
    expected: TASKS,
  },
  {
    id: 'empty-cells-grid',
    kind: 'empty cells in a full grid',
    css: 'table{border-collapse:collapse} td,th{border:1px solid #000;padding:3px 10px}',
    html: PROSE + htmlTable(ROTA) + AFTER,
    expected: ROTA,
  },
  {
    id: 'empty-cells-borderless',
    kind: 'empty cells without rules',
    css: 'td,th{padding:3px 14px}',
    html: PROSE + htmlTable(ROTA) + AFTER,
    expected: ROTA,
  },
  {
    id: 'total-row',
    kind: 'partly ruled: header rule and a rule over a bold total row only',
    css: 'table{border-collapse:collapse} td,th{padding:4px 12px} td:not(:first-child){text-align:right} tr.t td{border-top:1.5px solid #000;font-weight:bold} th{border-bottom:1px solid #000}',
    html:
      PROSE +
      '<table><thead><tr><th>Item</th><th>Qty</th><th>Price</th></tr></thead><tbody>' +
      '<tr><td>Pens</td><td>12</td><td>3.40</td></tr><tr><td>Paper</td><td>5</td><td>21.00</td></tr>' +
      '<tr><td>Ink</td><td>2</td><td>38.50</td></tr><tr class="t"><td>Total</td><td>19</td><td>62.90</td></tr>' +
      '</tbody></table>' +
      AFTER,
    expected: [
      ['Item', 'Qty', 'Price'],
      ['Pens', '12', '3.40'],
      ['Paper', '5', '21.00'],
      ['Ink', '2', '38.50'],
      ['Total', '19', '62.90'],
    ],
    headerRows: 1,
  },
  {
    id: 'prose-columns',
    kind: 'false table: prose set in two columns',
    css: '.cols{column-count:2;column-gap:28px;text-align:justify}',
    html:
      '<h2>Annual review</h2><div class="cols">' +
      Array.from(
        { length: 6 },
        (_, i) =>
          `<p>Paragraph ${i + 1} of the review describes the work of the year in plain running text, with ` +
          'sentences that continue from one line to the next and wrap at the edge of the column as prose ' +
          'does in a newsletter, a report or a magazine page laid out in two columns side by side.</p>',
      ).join('') +
      '</div>',
    expected: null,
  },
  {
    id: 'shaded-box',
    kind: 'false table: a small shaded call-out box',
    css: '.box{background:#eee;border:1px solid #999;padding:8px;width:260px}',
    html:
      PROSE +
      '<div class="box"><b>Note</b><br>Offices were closed for two weeks in August.<br>Figures are provisional.</div>' +
      AFTER,
    expected: null,
  },
  {
    id: 'stacked-cards',
    kind: 'false table: shaded cards of the same width one under another',
    css: '.card{background:#eef;border:1px solid #99a;padding:8px;margin:6px 0;width:420px}',
    html:
      '<h2>News</h2>' +
      [
        'The new office opens in May.',
        'Quarterly figures are out on the 12th.',
        'The help desk moves to the second floor.',
      ]
        .map((t) => `<div class="card"><b>Update</b><br>${t}</div>`)
        .join(''),
    expected: null,
  },
  {
    id: 'bar-chart',
    kind: 'false table: a bar chart (bars, axis, grid lines and labels)',
    css:
      '.chart{position:relative;width:420px;height:220px;border-left:1px solid #000;border-bottom:1px solid #000;margin:20px 40px}' +
      '.g{position:absolute;left:0;width:420px;border-top:1px solid #ccc}.bar{position:absolute;bottom:0;width:40px;background:#4a7}' +
      '.v{position:absolute;left:-36px;font-size:9pt}.x{position:absolute;bottom:-18px;font-size:9pt}',
    html:
      '<h2>Revenue by region</h2><div class="chart">' +
      [0, 55, 110, 165]
        .map(
          (y, i) =>
            `<div class="g" style="bottom:${y}px"></div><div class="v" style="bottom:${y - 6}px">${i * 1000}</div>`,
        )
        .join('') +
      [120, 90, 180, 60, 150]
        .map(
          (h, i) =>
            `<div class="bar" style="left:${20 + i * 80}px;height:${h}px"></div><div class="x" style="left:${20 + i * 80}px">R${i + 1}</div>`,
        )
        .join('') +
      '</div>',
    expected: null,
  },
];

/** Chromium for printing: CHROMIUM_PATH or /usr/bin/chromium. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/**
 * Prints the cases to one PDF, one case per page (in PRINTED_CASES order), with headless Chromium; returns the
 * PDF's path and a remover for its folder.
 */
export async function printCases(
  cases: readonly PrintedCase[] = PRINTED_CASES,
): Promise<{ pdf: string; remove(): void }> {
  const bin = chromiumPath();
  if (!existsSync(bin)) throw new Error(`${bin}: Chromium not found (set CHROMIUM_PATH)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'doclens-printed-'));
  const html = path.join(dir, 'cases.html');
  const pdf = path.join(dir, 'cases.pdf');
  const pages = cases.map((c, i) => `<section id="c${i}">${c.html}</section>`);
  const css = cases.map((c, i) =>
    c.css.replace(
      /(^|})\s*([^{}]+)\{/g,
      (_m, b: string, sel: string) =>
        `${b} ${sel
          .split(',')
          .map((s) => `#c${i} ${s.trim()}`)
          .join(',')}{`,
    ),
  );
  writeFileSync(
    html,
    `<!doctype html><html><head><meta charset="utf-8"><style>body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:10pt;margin:0}` +
      `section{break-after:page;padding:10px}${css.join('\n')}</style></head><body>${pages.join('')}</body></html>`,
  );
  await promisify(execFile)(
    bin,
    ['--headless', '--no-sandbox', '--disable-gpu', '--no-pdf-header-footer', `--print-to-pdf=${pdf}`, html],
    { timeout: 60_000 },
  );
  if (!existsSync(pdf)) throw new Error(`${pdf}: Chromium printed nothing`);
  return { pdf, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
