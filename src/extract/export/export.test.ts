// The exporters on a real extraction (the sample invoice: text layer, rulings, dates, the line-item table) plus
// hand-made values with quotes, commas, line breaks and pipes; every output is parsed back and compared.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import { PageLoader } from '../../../scripts/bench-tables.js';
import { appRoot } from '../../services/paths.js';
import type { DateHit, Table } from '../../shared/domain.js';
import { extractDates } from '../dates/index.js';
import { detectTables, parseCsv } from '../tables/index.js';
import {
  CELL_COLUMNS,
  DATE_COLUMNS,
  INDEX_COLUMNS,
  cellsCsv,
  csvField,
  datesCsv,
  datesMarkdown,
  datesXlsx,
  exportExtraction,
  tablesCsv,
  tablesMarkdown,
  tablesXlsx,
  tableTitle,
  toCsv,
  typeCell,
  toJson,
  parseTableTitle,
  type DocExtraction,
} from './index.js';

const INVOICE = join(appRoot(), 'assets/samples/invoice.pdf');
let invoice: DocExtraction;
const loader = new PageLoader();

const tricky: DocExtraction = {
  file: 'odd, "name".pdf',
  dates: [
    {
      iso: '2024-02-29',
      precision: 'day',
      text: 'Feb 29,\n2024',
      box: { page: 2, x0: 10.123, y0: 20, x1: 30, y1: 40.456 },
      source: 'ocr',
    },
  ],
  tables: [
    {
      page: 3,
      box: { x0: 0, y0: 0, x1: 100, y1: 50 },
      method: 'lattice',
      rows: 2,
      cols: 3,
      headerRows: 1,
      cells: [
        { text: 'A | B', box: { x0: 0, y0: 0, x1: 60, y1: 20 }, row: 0, col: 0, rowSpan: 1, colSpan: 2 },
        { text: 'say "hi"', box: { x0: 60, y0: 0, x1: 100, y1: 20 }, row: 0, col: 2, rowSpan: 1, colSpan: 1 },
        {
          text: 'line 1\r\nline 2',
          box: { x0: 0, y0: 20, x1: 30, y1: 50 },
          row: 1,
          col: 0,
          rowSpan: 1,
          colSpan: 1,
        },
        { text: ' 1,5 ', box: { x0: 30, y0: 20, x1: 60, y1: 50 }, row: 1, col: 1, rowSpan: 1, colSpan: 1 },
        { text: '', box: { x0: 60, y0: 20, x1: 100, y1: 50 }, row: 1, col: 2, rowSpan: 1, colSpan: 1 },
      ],
    },
  ],
};

/** A table with two header rows and typed body cells (a date, a percentage with a Unicode minus, money). */
const cell = (row: number, col: number, text: string) => ({
  text,
  box: { x0: col * 50, y0: row * 20, x1: col * 50 + 50, y1: row * 20 + 20 },
  row,
  col,
  rowSpan: 1,
  colSpan: 1,
});
const typedDoc: DocExtraction = {
  file: 'typed.pdf',
  dates: [],
  tables: [
    {
      page: 1,
      box: { x0: 0, y0: 0, x1: 200, y1: 60 },
      method: 'stream',
      rows: 3,
      cols: 4,
      headerRows: 2,
      cells: [
        cell(0, 0, 'Report'),
        cell(1, 0, '2024'),
        cell(1, 1, 'Q1'),
        cell(1, 2, 'Net'),
        cell(1, 3, 'ID'),
        cell(2, 0, '15 Mar 2024'),
        cell(2, 1, '−5.0%'),
        cell(2, 2, '(1,234)'),
        cell(2, 3, '007'),
      ].concat([{ ...cell(0, 1, ''), colSpan: 3 }]),
    },
  ],
};

before(async () => {
  const { text, rulings } = await loader.load(INVOICE, 1);
  const dates: DateHit[] = extractDates(text, { locale: 'month-first' });
  const tables: Table[] = detectTables(text, rulings);
  invoice = { file: INVOICE, dates, tables };
});
after(() => loader.destroy());

test('csvField quotes only what RFC 4180 needs and doubles quotes', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('cr\rhere'), '"cr\rhere"');
  assert.equal(csvField(' pad'), '" pad"');
  assert.equal(csvField(12.5), '12.5');
  assert.equal(csvField(true), 'true');
  assert.equal(toCsv(['a', 'b'], [['1', 'x,y']]), 'a,b\r\n1,"x,y"\r\n');
});

test('dates CSV: CRLF records, header, values with file, page and box round-trip', () => {
  const csv = datesCsv([invoice, tricky]);
  assert.ok(csv.endsWith('\r\n'));
  assert.equal(csv.split('\r\n')[0], DATE_COLUMNS.join(','));
  const rows = parseCsv(csv);
  assert.deepEqual(rows[0], [...DATE_COLUMNS]);
  const body = rows.slice(1);
  assert.equal(body.length, invoice.dates.length + 1);
  assert.ok(invoice.dates.length >= 5, `invoice dates: ${invoice.dates.length}`);
  const march = body.find((r) => r[2] === '2025-03-14');
  assert.deepEqual(march?.slice(0, 6), [INVOICE, '1', '2025-03-14', 'day', 'March 14, 2025', 'text-layer']);
  assert.deepEqual(body.at(-1), [
    'odd, "name".pdf',
    '2',
    '2024-02-29',
    'day',
    'Feb 29,\n2024',
    'ocr',
    '10.12',
    '20',
    '30',
    '40.46',
  ]);
});

test('tables CSV: each table as its grid, header first; several tables as titled blocks; spans empty or repeated', () => {
  // One table: its grid and nothing else.
  assert.deepEqual(parseCsv(tablesCsv([tricky])), [
    ['A | B', '', 'say "hi"'],
    ['line 1\r\nline 2', ' 1,5 ', ''],
  ]);
  assert.deepEqual(parseCsv(tablesCsv([tricky], { spans: 'repeat' }))[0], ['A | B', 'A | B', 'say "hi"']);
  // Several: a title record, the grid, an empty record, per table.
  const rows = parseCsv(tablesCsv([invoice, tricky]));
  const titles = rows.flatMap((r, i) => (r.length === 1 && r[0]?.startsWith('file: ') ? [i] : []));
  assert.equal(titles.length, invoice.tables.length + 1);
  const lineIdx = invoice.tables.findIndex((t) => t.rows === 7 && t.cols === 4);
  assert.ok(lineIdx >= 0, 'line-item table');
  const at = titles[lineIdx] as number;
  assert.deepEqual(rows[at], [tableTitle(INVOICE, 1, lineIdx + 1)]);
  const grid = rows.slice(at + 1, at + 8);
  assert.deepEqual(grid[0], ['Description', 'Qty', 'Unit price', 'Amount']);
  assert.equal(grid[1]?.[3], '$2,900.00');
  assert.ok(grid.every((r) => r.length === 4));
  assert.deepEqual(rows[at + 8], ['']);
  const last = titles.at(-1) as number;
  assert.deepEqual(rows[last], ['file: odd, "name".pdf; page: 3; table: 1']);
  assert.deepEqual(rows.slice(last + 1, last + 3), parseCsv(tablesCsv([tricky])));
  // The grid matches the table cell by cell.
  const t = invoice.tables[lineIdx] as Table;
  for (const c of t.cells) assert.equal(grid[c.row]?.[c.col], c.text);
});

test('cells CSV (long form): one record per cell, embedded CRLF and quotes survive', () => {
  const rows = parseCsv(cellsCsv([invoice, tricky]));
  assert.deepEqual(rows[0], [...CELL_COLUMNS]);
  const inv = rows.filter((r) => r[0] === INVOICE);
  const line = invoice.tables.find((t) => t.rows === 7 && t.cols === 4);
  assert.ok(line, 'line-item table');
  assert.ok(inv.length >= 28);
  const tableNo = String(invoice.tables.indexOf(line) + 1);
  const items = inv.filter((r) => r[2] === tableNo);
  assert.equal(items.length, 28);
  assert.equal(items.find((r) => r[3] === '1' && r[4] === '3')?.[8], '$2,900.00');
  const odd = rows.filter((r) => r[0] === 'odd, "name".pdf');
  assert.equal(odd.length, 5);
  assert.deepEqual(odd[0]?.slice(1, 9), ['3', '1', '0', '0', '1', '2', 'true', 'A | B']);
  assert.equal(odd[2]?.[8], 'line 1\r\nline 2');
});

test('typeCell: numbers, money, percentages and unambiguous dates are typed; IDs and ambiguous dates stay text', () => {
  const d = (y: number, m: number, day: number): Date => new Date(Date.UTC(y, m - 1, day));
  const cases: [string, number | Date | null, string?][] = [
    ['12,345', 12345, '#,##0'],
    ['42', 42, '0'],
    ['-3.25', -3.25, '0.00'],
    ['$1,234.56', 1234.56, '"$"#,##0.00'],
    ['-$8,968.46', -8968.46, '"$"#,##0.00'],
    ['(12,915.26)', -12915.26, '#,##0.00;(#,##0.00)'],
    ['1,200.00 EUR', 1200, '#,##0.00" EUR"'],
    ['12.5%', 0.125, '0.0%'],
    ['-16.4%', -0.164, '0.0%'],
    ['2024-02-29', d(2024, 2, 29), 'yyyy-mm-dd'],
    ['March 14, 2025', d(2025, 3, 14), 'mmmm d, yyyy'],
    ['15 Mar 2024', d(2024, 3, 15), 'd mmm yyyy'],
    ['03/15/2024', d(2024, 3, 15), 'mm/dd/yyyy'],
    ['15/03/2024', d(2024, 3, 15), 'dd/mm/yyyy'],
    ['03/04/2024', null],
    ['2023-02-29', null],
    ['007', null],
    ['PO-12345', null],
    ['1,5', null],
    ['12345678901234567', null],
    ['', null],
    ['Total', null],
  ];
  for (const [text, value, fmt] of cases) {
    const t = typeCell(text);
    if (value === null) {
      assert.equal(t, null, text);
      continue;
    }
    assert.ok(t, text);
    assert.deepEqual(t.value, value, text);
    assert.equal(t.numFmt, fmt, text);
    assert.equal(t.shown, text, text);
  }
  // Typed, but not shown as printed: the caller keeps the printed text in a note.
  assert.equal(typeCell('−5.0%')?.shown, '-5.0%');
  assert.equal(typeCell('Mar. 3, 2021')?.shown, 'Mar 3, 2021');
});

test('JSON keeps every value with file, page and box', () => {
  const dates = JSON.parse(toJson('dates', [invoice, tricky])) as {
    kind: string;
    files: { file: string; dates: (DateHit & { file: string; page: number })[] }[];
  };
  assert.equal(dates.kind, 'dates');
  assert.equal(dates.files[1]?.dates[0]?.file, 'odd, "name".pdf');
  assert.equal(dates.files[1]?.dates[0]?.page, 2);
  assert.deepEqual(dates.files[1]?.dates[0]?.box, tricky.dates[0]?.box);
  const tables = JSON.parse(toJson('tables', [invoice])) as {
    files: { tables: (Table & { file: string; table: number })[] }[];
  };
  const t = tables.files[0]?.tables.find((x) => x.rows === 7);
  assert.equal(t?.file, INVOICE);
  assert.equal(t?.cells.length, 28);
  assert.ok(t?.cells.every((c) => c.box.x1 > c.box.x0 && c.box.y1 > c.box.y0));
});

function parseMdTable(block: string): string[][] {
  return block
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|( --- \|)+$/.test(l))
    .map((l) =>
      l
        .slice(2, -2)
        .split(/(?<!\\) \| /)
        .map((c) => c.replace(/\\\|/g, '|').replace(/<br>/g, '\n')),
    );
}

test('Markdown: a GitHub table per extracted table, pipes escaped, line breaks as <br>', () => {
  const md = tablesMarkdown([invoice, tricky]);
  const sections = md.split(/^## /m).slice(1);
  assert.equal(sections.length, invoice.tables.length + 1);
  const lineItems = sections.find((s) => s.includes('7 × 4'));
  assert.ok(lineItems);
  const grid = parseMdTable(lineItems);
  assert.deepEqual(grid[0], ['Description', 'Qty', 'Unit price', 'Amount']);
  assert.equal(grid.length, 7);
  assert.equal(grid[1]?.[3], '$2,900.00');
  const odd = parseMdTable(sections.at(-1) ?? '');
  assert.deepEqual(odd[0], ['A | B', '', 'say "hi"']);
  assert.deepEqual(odd[1], ['line 1\nline 2', '1,5', '']);
  const dmd = datesMarkdown([tricky]);
  assert.deepEqual(parseMdTable(dmd)[1], [
    'odd, "name".pdf',
    '2',
    '2024-02-29',
    'day',
    'Feb 29,\n2024',
    '[10.12, 20, 30, 40.46]',
  ]);
});

test('XLSX read back with exceljs: dates sheet; an index sheet and one typed, frozen-header sheet per table', async () => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await datesXlsx([invoice, tricky])) as unknown as ArrayBuffer);
  const ds = wb.getWorksheet('Dates');
  assert.ok(ds);
  assert.deepEqual((ds.getRow(1).values as unknown[]).slice(1), [...DATE_COLUMNS]);
  assert.equal(ds.rowCount, invoice.dates.length + 2);
  const last = (ds.getRow(ds.rowCount).values as unknown[]).slice(1);
  assert.deepEqual(last, [
    'odd, "name".pdf',
    2,
    '2024-02-29',
    'day',
    'Feb 29,\n2024',
    'ocr',
    10.12,
    20,
    30,
    40.46,
  ]);

  const tb = new ExcelJS.Workbook();
  await tb.xlsx.load((await tablesXlsx([invoice, tricky, typedDoc])) as unknown as ArrayBuffer);
  const ntables = invoice.tables.length + 2;
  assert.equal(tb.worksheets.length, 1 + ntables);
  const index = tb.worksheets[0];
  assert.ok(index);
  assert.equal(index.name, 'Index');
  assert.deepEqual(index.views[0], { ...index.views[0], state: 'frozen', ySplit: 1 });
  assert.deepEqual((index.getRow(1).values as unknown[]).slice(1), [...INDEX_COLUMNS]);
  assert.equal(index.getRow(1).font?.bold, true);
  assert.equal(index.rowCount, 1 + ntables);
  const lineIdx = invoice.tables.findIndex((t) => t.rows === 7);
  const name = `T${lineIdx + 1} p1 invoice.pdf`;
  const entry = (index.getRow(2 + lineIdx).values as unknown[]).slice(1);
  assert.deepEqual(entry[0], { text: name, hyperlink: `#'${name}'!A1` });
  const line = invoice.tables[lineIdx] as Table;
  assert.deepEqual(entry.slice(1), [
    INVOICE,
    1,
    lineIdx + 1,
    'lattice',
    7,
    4,
    1,
    ...[line.box.x0, line.box.y0, line.box.x1, line.box.y1].map((v) => Math.round(v * 100) / 100),
    1,
  ]);

  const sheet = tb.getWorksheet(name);
  assert.ok(sheet, tb.worksheets.map((w) => w.name).join(', '));
  assert.deepEqual(sheet.views[0], { ...sheet.views[0], state: 'frozen', ySplit: 1 });
  assert.equal(sheet.getCell(1, 1).value, 'Description');
  assert.equal(sheet.getCell(1, 1).font?.bold, true);
  // Money read as a number with a currency format that prints it as on the page: no note needed.
  const amount = sheet.getCell(2, 4);
  assert.equal(amount.value, 2900);
  assert.equal(amount.numFmt, '"$"#,##0.00');
  assert.equal(amount.note, undefined);
  assert.equal(sheet.getCell(2, 4).font?.bold, undefined);

  const odd = tb.worksheets.at(-2);
  assert.ok(odd);
  assert.equal(odd.getCell(1, 1).value, 'A | B');
  assert.equal(odd.getCell(1, 2).isMerged, true);
  // XML (and so XLSX) stores line breaks as LF; ' 1,5 ' is not a number we read (decimal comma) and stays text.
  assert.equal(odd.getCell(2, 1).value, 'line 1\nline 2');
  assert.equal(odd.getCell(2, 2).value, ' 1,5 ');

  const typed = tb.worksheets.at(-1);
  assert.ok(typed);
  assert.deepEqual(typed.views[0], { ...typed.views[0], state: 'frozen', ySplit: 2 });
  assert.equal(typed.getCell(2, 1).font?.bold, true);
  assert.equal(typed.getCell(2, 2).value, 'Q1', 'header cells stay text');
  assert.deepEqual(typed.getCell(3, 1).value, new Date(Date.UTC(2024, 2, 15)));
  assert.equal(typed.getCell(3, 1).numFmt, 'd mmm yyyy');
  assert.equal(typed.getCell(3, 2).value, -0.05);
  assert.equal(typed.getCell(3, 2).numFmt, '0.0%');
  assert.equal(typed.getCell(3, 2).note, 'Printed as: −5.0%');
  assert.equal(typed.getCell(3, 3).value, -1234);
  assert.equal(typed.getCell(3, 3).numFmt, '#,##0;(#,##0)');
  assert.equal(typed.getCell(3, 4).value, '007');
});

test('XLSX bytes are reproducible (fixed document dates and zip entry times; notes included)', async () => {
  const a = await tablesXlsx([invoice, typedDoc]);
  await sleep(2100); // zip times have 2 s resolution
  const b = await tablesXlsx([invoice, typedDoc]);
  assert.ok(Buffer.from(a).equals(Buffer.from(b)));
});

test('exportExtraction gives bytes and a MIME type per format', async () => {
  for (const format of ['csv', 'xlsx', 'json', 'md'] as const) {
    const out = await exportExtraction('tables', format, [invoice]);
    assert.ok(out.bytes.length > 100, format);
    assert.ok(out.mime.length > 5);
  }
  const csv = new TextDecoder().decode((await exportExtraction('dates', 'csv', [invoice])).bytes);
  assert.equal(csv, datesCsv([invoice]));
});

/** A table continued from page 4 onto page 5 (joinContinuedTables): two header cells, then one body row a page. */
const overPages: DocExtraction = {
  file: 'long.pdf',
  dates: [],
  tables: [
    {
      page: 4,
      box: { x0: 10, y0: 700, x1: 110, y1: 760 },
      method: 'lattice',
      rows: 3,
      cols: 2,
      headerRows: 1,
      cells: [
        { ...cell(0, 0, 'Item'), page: 4 },
        { ...cell(0, 1, 'Amount'), page: 4 },
        { ...cell(1, 0, 'Desk'), page: 4 },
        { ...cell(1, 1, '120.00'), page: 4 },
        { ...cell(2, 0, 'Lamp'), box: { x0: 10, y0: 60, x1: 60, y1: 80 }, page: 5 },
        { ...cell(2, 1, '35.50'), box: { x0: 60, y0: 60, x1: 110, y1: 80 }, page: 5 },
      ],
      parts: [
        { page: 4, box: { x0: 10, y0: 700, x1: 110, y1: 760 }, firstRow: 0, rows: 2 },
        { page: 5, box: { x0: 10, y0: 40, x1: 110, y1: 80 }, firstRow: 2, rows: 1 },
      ],
    },
  ],
};

test('a table over pages: every format names both pages and keeps each cell on its own page', async () => {
  // Grid CSV: one grid, the title names the pages and parses back.
  const rows = parseCsv(tablesCsv([overPages, tricky]));
  assert.deepEqual(rows[0], ['file: long.pdf; page: 4-5; table: 1']);
  assert.deepEqual(parseTableTitle(rows[0] ?? []), { file: 'long.pdf', page: 4, lastPage: 5, table: 1 });
  assert.deepEqual(parseTableTitle(['file: a.pdf; page: 3; table: 2']), {
    file: 'a.pdf',
    page: 3,
    lastPage: 3,
    table: 2,
  });
  assert.deepEqual(rows.slice(1, 4), [
    ['Item', 'Amount'],
    ['Desk', '120.00'],
    ['Lamp', '35.50'],
  ]);
  // Long form: the cell's own page and box.
  const cells = parseCsv(cellsCsv([overPages])).slice(1);
  assert.deepEqual(
    cells.map((r) => [r[1], r[3], r[4], r[8], r[10]]),
    [
      ['4', '0', '0', 'Item', '0'],
      ['4', '0', '1', 'Amount', '0'],
      ['4', '1', '0', 'Desk', '20'],
      ['4', '1', '1', '120.00', '20'],
      ['5', '2', '0', 'Lamp', '60'],
      ['5', '2', '1', '35.50', '60'],
    ],
  );
  // JSON: parts and cell pages as they are.
  const json = JSON.parse(toJson('tables', [overPages])) as { files: { tables: Table[] }[] };
  const t = json.files[0]?.tables[0];
  assert.deepEqual(
    t?.parts?.map((p) => [p.page, p.firstRow, p.rows]),
    [
      [4, 0, 2],
      [5, 2, 1],
    ],
  );
  assert.deepEqual(
    t?.cells.map((c) => c.page),
    [4, 4, 4, 4, 5, 5],
  );
  // Markdown: the pages in the heading, each page's rows and box.
  const md = tablesMarkdown([overPages]);
  assert.match(md, /## long\.pdf: pages 4–5, table 1/);
  assert.match(
    md,
    /page 4: rows 1–2, box \[10, 700, 110, 760\] pt; page 5: rows 3–3, box \[10, 40, 110, 80\] pt/,
  );
  // XLSX: the index's last page, a note where the second page starts.
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await tablesXlsx([overPages])) as unknown as ArrayBuffer);
  const index = wb.worksheets[0];
  assert.ok(index);
  const entry = (index.getRow(2).values as unknown[]).slice(1);
  assert.equal(entry[2], 4);
  assert.equal(entry[INDEX_COLUMNS.indexOf('last_page')], 5);
  const sheet = wb.worksheets[1];
  assert.ok(sheet);
  assert.equal(sheet.getCell(3, 1).value, 'Lamp');
  assert.equal(sheet.getCell(3, 1).note, 'Page 5 from here');
  assert.equal(sheet.getCell(2, 1).note, undefined);
});
