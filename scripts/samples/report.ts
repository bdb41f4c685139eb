// The two-page sample report: prose with dates, a ruled numeric table on page 1 and a vector bar chart
// on page 2, so date, table and chart-reading features have a realistic multi-page document.
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { SampleBar, SampleChart, SampleDate, SampleDocument, SampleField } from './ground-truth.js';
import { roundBox } from './ground-truth.js';
import type { DrawnText } from './pdf-page.js';
import { PageDraw, findIn, hex, setFixedMetadata } from './pdf-page.js';
import { drawTable } from './pdf-table.js';

export const REPORT_FILE = 'report.pdf';
const W = 612;
const H = 792;
const M = 64;

const NAVY = hex('#1b2a4a');
const BLUE = hex('#3465a4');
const INK = hex('#222831');
const MUTED = hex('#6b7280');
const RULE = hex('#cfd6df');
const GRID = hex('#e3e8ee');

const REGIONS: [string, number, number, number][] = [
  // region, Q2 revenue, Q3 revenue, customers
  ['North America', 1520, 1684, 412],
  ['Europe', 1130, 1262, 367],
  ['Asia Pacific', 742, 881, 254],
  ['Latin America', 318, 356, 121],
  ['Middle East & Africa', 170, 197, 58],
];

const QUARTERS: [string, number][] = [
  ['Q3 FY24', 3210],
  ['Q4 FY24', 3395],
  ['Q1 FY25', 3620],
  ['Q2 FY25', 3880],
  ['Q3 FY25', 4380],
];

function num(v: number): string {
  return v.toLocaleString('en-US');
}

export async function makeReport(): Promise<{ bytes: Uint8Array; truth: SampleDocument }> {
  const doc = await PDFDocument.create();
  setFixedMetadata(doc, 'Quarterly Operations Report, Q3 FY25');
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const oblique = await doc.embedFont(StandardFonts.HelveticaOblique);
  const dates: SampleDate[] = [];
  const fields: SampleField[] = [];
  const date = (
    page: number,
    runs: DrawnText[],
    text: string,
    iso: string,
    precision: SampleDate['precision'],
  ) => dates.push({ page, text, iso, precision, box: roundBox(findIn(runs, text)) });
  const body = { font: regular, size: 10.5, color: INK };
  const h2 = { font: bold, size: 13, color: NAVY };

  const chrome = (pd: PageDraw, pageNo: number) => {
    pd.rect({ x0: 0, y0: 0, x1: W, y1: 6 }, { fill: NAVY });
    pd.text('Northwind Instruments plc', M, 32, { font: bold, size: 8.5, color: MUTED });
    pd.text('Quarterly Operations Report', W - M, 32, {
      font: regular,
      size: 8.5,
      color: MUTED,
      align: 'right',
    });
    pd.line(M, 40, W - M, 40, RULE, 0.6);
    pd.line(M, H - 50, W - M, H - 50, RULE, 0.6);
    pd.text('Confidential: prepared for the Board of Directors', M, H - 36, {
      font: regular,
      size: 8,
      color: MUTED,
    });
    pd.text(`Page ${pageNo} of 2`, W - M, H - 36, { font: regular, size: 8, color: MUTED, align: 'right' });
  };

  // ---- page 1 --------------------------------------------------------------------------------------------
  const p1 = new PageDraw(doc.addPage([W, H]), 1);
  chrome(p1, 1);
  const title = p1.text('Quarterly Operations Report', M, 84, { font: bold, size: 24, color: NAVY });
  fields.push({ name: 'title', page: 1, text: title.text, box: roundBox(title.box) });
  const sub = p1.text('Results for the third quarter of FY25', M, 104, {
    font: regular,
    size: 12,
    color: BLUE,
  });
  fields.push({ name: 'subtitle', page: 1, text: sub.text, box: roundBox(sub.box) });
  // Two runs with a drawn separator: pdf.js collapses repeated spaces, so drawn text keeps single spaces.
  const metaStyle = { font: regular, size: 9, color: MUTED };
  const published = p1.text('Published October 7, 2025', M, 124, metaStyle);
  p1.line(published.box.x1 + 9, 116, published.box.x1 + 9, 126, RULE, 0.8);
  const meta = [
    published,
    p1.text('Reporting period 1 July 2025 to 30 September 2025', published.box.x1 + 18, 124, metaStyle),
  ];
  date(1, meta, 'October 7, 2025', '2025-10-07', 'day');
  date(1, meta, '1 July 2025', '2025-07-01', 'day');
  date(1, meta, '30 September 2025', '2025-09-30', 'day');
  p1.rect({ x0: M, y0: 136, x1: M + 48, y1: 139 }, { fill: BLUE });

  p1.text('Summary', M, 166, h2);
  const summary = p1.paragraph(
    'Revenue grew for the fifth consecutive quarter, reaching 4,380 thousand dollars, up 12.9% on the previous ' +
      'quarter. Growth was broad-based: every region expanded, led by Asia Pacific after the distribution ' +
      'agreement signed on~2025-07-15 came into force. Gross margin held at 41.2% despite higher component ' +
      'costs, and the order backlog at quarter end stood at 2,940 thousand dollars.',
    M,
    186,
    W - 2 * M,
    15,
    body,
  );
  date(1, summary, '2025-07-15', '2025-07-15', 'day');
  let y = (summary[summary.length - 1]?.baseline ?? 186) + 30;

  p1.text('Revenue by region', M, y, h2);
  const intro = p1.paragraph(
    'Table 1 compares revenue and active customers by region for the second and third quarters. Figures ' +
      'are unaudited and stated in thousands of US dollars; the audited accounts follow on~12/11/2025.',
    M,
    y + 20,
    W - 2 * M,
    15,
    body,
  );
  date(1, intro, '12/11/2025', '2025-11-12', 'day');
  y = (intro[intro.length - 1]?.baseline ?? y) + 26;

  const caption = 'Table 1. Revenue by region (USD thousands)';
  p1.text(caption, M, y, { font: bold, size: 9.5, color: INK });
  const q2 = REGIONS.reduce((a, r) => a + r[1], 0);
  const q3 = REGIONS.reduce((a, r) => a + r[2], 0);
  const cust = REGIONS.reduce((a, r) => a + r[3], 0);
  const pct = (a: number, b: number) => `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)}%`;
  const rows = [
    ['Region', 'Q2 revenue', 'Q3 revenue', 'Change', 'Customers'],
    ...REGIONS.map(([name, a, b, c]) => [name, num(a), num(b), pct(a, b), num(c)]),
    ['Total', num(q2), num(q3), pct(q2, q3), num(cust)],
  ];
  const table = drawTable(p1, {
    x: M,
    y: y + 10,
    colWidths: [164, 78, 78, 80, 84],
    rowHeight: 22,
    rows,
    headerRows: 1,
    aligns: ['left', 'right', 'right', 'right', 'right'],
    headerStyle: { font: bold, size: 9.5, color: NAVY },
    bodyStyle: { font: regular, size: 9.5, color: INK },
    rowStyles: { [rows.length - 1]: { font: bold, size: 9.5, color: INK } },
    headerFill: hex('#dde7f3'),
    zebraFill: null,
    lineColor: RULE,
    outerColor: hex('#8a9bb0'),
    padding: 8,
    caption,
  });
  y = table.box.y1 + 16;
  const source = p1.text('Source: Northwind finance systems, extracted 2025-10-03.', M, y, {
    font: oblique,
    size: 8.5,
    color: MUTED,
  });
  date(1, [source], '2025-10-03', '2025-10-03', 'day');
  y += 30;

  p1.text('Operations', M, y, h2);
  const ops = p1.paragraph(
    'On-time delivery improved to 96.4% from 94.1%, and average lead time fell by two working days. The ' +
      'Leeds assembly line ran at full capacity for the last six weeks, and the second shift approved in the previous ' +
      'quarter is now fully staffed. Warranty returns remained below 0.6% of units shipped.',
    M,
    y + 20,
    W - 2 * M,
    15,
    body,
  );
  y = (ops[ops.length - 1]?.baseline ?? y) + 30;
  p1.text('People and safety', M, y, h2);
  const people = p1.paragraph(
    'Headcount rose to 1,148, with 37 engineers joining the instrument software team. The external safety ' +
      'audit completed on~Sep~22,~2025 found no major non-conformities; the two minor findings will be closed ' +
      'before~December~2025.',
    M,
    y + 20,
    W - 2 * M,
    15,
    body,
  );
  date(1, people, 'Sep 22, 2025', '2025-09-22', 'day');
  date(1, people, 'December 2025', '2025-12', 'month');

  // ---- page 2 --------------------------------------------------------------------------------------------
  const p2 = new PageDraw(doc.addPage([W, H]), 2);
  chrome(p2, 2);
  const chartTitle = p2.text('Quarterly revenue', M, 80, { font: bold, size: 16, color: NAVY });
  fields.push({ name: 'chartTitle', page: 2, text: chartTitle.text, box: roundBox(chartTitle.box) });
  p2.text('Figure 1. Revenue per quarter, USD thousands, last five quarters', M, 97, {
    font: regular,
    size: 9.5,
    color: MUTED,
  });

  const plot = { x0: M + 52, y0: 140, x1: W - M - 12, y1: 384 };
  const yMax = 5000;
  const toY = (v: number) => plot.y1 - (v / yMax) * (plot.y1 - plot.y0);
  p2.rect({ x0: M, y0: 110, x1: W - M, y1: 446 }, { fill: hex('#f7f9fc') });
  for (let v = 0; v <= yMax; v += 1000) {
    const gy = toY(v);
    if (v > 0) p2.line(plot.x0, gy, plot.x1, gy, GRID, 0.6);
    p2.line(plot.x0 - 5, gy, plot.x0, gy, INK, 0.8);
    p2.text(num(v), plot.x0 - 9, gy + 3, { font: regular, size: 8.5, color: MUTED, align: 'right' });
  }
  // The y-axis label stays horizontal above the axis: rotated text extracts poorly.
  p2.text('USD thousands', M + 10, plot.y0 - 16, { font: regular, size: 8, color: MUTED });
  const slot = (plot.x1 - plot.x0) / QUARTERS.length;
  const barW = slot * 0.56;
  const bars: SampleBar[] = [];
  QUARTERS.forEach(([label, value], i) => {
    const cx = plot.x0 + slot * (i + 0.5);
    const box = { x0: cx - barW / 2, y0: toY(value), x1: cx + barW / 2, y1: plot.y1 };
    p2.rect(box, { fill: i === QUARTERS.length - 1 ? NAVY : BLUE });
    p2.text(num(value), cx, box.y0 - 6, { font: bold, size: 9, color: INK, align: 'center' });
    p2.text(label, cx, plot.y1 + 16, { font: regular, size: 9, color: INK, align: 'center' });
    bars.push({ label, value, box: roundBox(box) });
  });
  p2.line(plot.x0, plot.y0 - 6, plot.x0, plot.y1, INK, 1);
  p2.line(plot.x0, plot.y1, plot.x1, plot.y1, INK, 1);
  p2.text('Fiscal quarter', (plot.x0 + plot.x1) / 2, plot.y1 + 34, {
    font: regular,
    size: 8.5,
    color: MUTED,
    align: 'center',
  });
  const chart: SampleChart = {
    page: 2,
    kind: 'bar',
    title: chartTitle.text,
    plotBox: roundBox(plot),
    yAxis: { min: 0, max: yMax, label: 'USD thousands' },
    bars,
  };

  let y2 = 482;
  p2.text('Commentary', M, y2, h2);
  const comm = p2.paragraph(
    'The third quarter is the strongest in the company\u2019s history. The step up from 3,880 to 4,380 ' +
      'reflects the first full quarter of the Asia Pacific agreement and two large laboratory orders ' +
      'delivered on 19~August~2025 and September~2,~2025. Excluding those orders, underlying growth ' +
      'was 7.4%, in line with the plan approved in~March~2025.',
    M,
    y2 + 20,
    W - 2 * M,
    15,
    body,
  );
  date(2, comm, '19 August 2025', '2025-08-19', 'day');
  date(2, comm, 'September 2, 2025', '2025-09-02', 'day');
  date(2, comm, 'March 2025', '2025-03', 'month');
  y2 = (comm[comm.length - 1]?.baseline ?? y2) + 30;
  p2.text('Outlook', M, y2, h2);
  const out = p2.paragraph(
    'We expect fourth-quarter revenue between 4,450 and 4,600 thousand dollars. The board will review the ' +
      'FY26 budget on~2025-11-20, and the next quarterly report is due on~January~15,~2026.',
    M,
    y2 + 20,
    W - 2 * M,
    15,
    body,
  );
  date(2, out, '2025-11-20', '2025-11-20', 'day');
  date(2, out, 'January 15, 2026', '2026-01-15', 'day');
  y2 = (out[out.length - 1]?.baseline ?? y2) + 34;
  p2.text('Risks', M, y2, h2);
  const risks = p2.paragraph(
    'Component lead times remain the main risk to the outlook. Two suppliers have announced price increases ' +
      'from~2026-02-01; purchasing has secured fixed prices for 70% of planned volume through the end of the ' +
      'fiscal year.',
    M,
    y2 + 20,
    W - 2 * M,
    15,
    body,
  );
  date(2, risks, '2026-02-01', '2026-02-01', 'day');
  y2 = (risks[risks.length - 1]?.baseline ?? y2) + 34;
  p2.text('Approved by the Chief Financial Officer, Northwind Instruments plc.', M, y2, {
    font: oblique,
    size: 9.5,
    color: MUTED,
  });

  const bytes = await doc.save();
  return {
    bytes,
    truth: {
      file: REPORT_FILE,
      kind: 'pdf',
      description:
        'Two-page US Letter quarterly report (Northwind Instruments plc): prose with dates in several formats, ' +
        'a ruled 5-column numeric table on page 1, a vector bar chart of quarterly revenue on page 2.',
      pages: [
        { page: 1, width: W, height: H },
        { page: 2, width: W, height: H },
      ],
      hasTextLayer: true,
      dates,
      distractors: ['FY25', 'FY26', ...QUARTERS.map(([label]) => label), '4,380', '1,148'],
      fields,
      tables: [table],
      charts: [chart],
      objects: [],
      transform: null,
    },
  };
}
