// The sample invoice: the document DocLens opens on first start, and the source of the scanned copy.
// One US Letter page with dates in three formats, a ruled line-item table and totals.
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { SampleDate, SampleDocument, SampleField } from './ground-truth.js';
import { roundBox } from './ground-truth.js';
import type { DrawnText } from './pdf-page.js';
import { PageDraw, findIn, hex, setFixedMetadata, subBox } from './pdf-page.js';
import { drawTable } from './pdf-table.js';

export const INVOICE_FILE = 'invoice.pdf';
const W = 612;
const H = 792;
const M = 54; // margin

const TEAL = hex('#1f4e5f');
const ACCENT = hex('#2a9d8f');
const INK = hex('#1d2430');
const MUTED = hex('#5b6573');
const RULE = hex('#c9d1d9');
const ZEBRA = hex('#f3f6f8');
const PANEL = hex('#e8f1f2');

const ITEMS: [string, number, number][] = [
  ['Brand identity workshop (2 days)', 2, 1450],
  ['Logo design and variations', 1, 2200],
  ['Website UI design, per page', 8, 375],
  ['Illustration set (12 icons)', 12, 85],
  ['Print-ready stationery pack', 1, 640],
  ['Project management, hours', 14, 95],
];
const TAX_RATE = 0.08;

function money(v: number): string {
  return `$${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export async function makeInvoice(): Promise<{ bytes: Uint8Array; truth: SampleDocument }> {
  const doc = await PDFDocument.create();
  setFixedMetadata(doc, 'Invoice INV-2025-0314');
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const oblique = await doc.embedFont(StandardFonts.HelveticaOblique);
  const pd = new PageDraw(doc.addPage([W, H]), 1);
  const dates: SampleDate[] = [];
  const fields: SampleField[] = [];
  const field = (name: string, run: DrawnText, text = run.text) =>
    fields.push({ name, page: 1, text, box: roundBox(text === run.text ? run.box : subBox(run, text)) });
  const date = (text: string, iso: string, precision: SampleDate['precision'], box: DrawnText['box']) =>
    dates.push({ page: 1, text, iso, precision, box: roundBox(box) });

  // Header band.
  pd.rect({ x0: 0, y0: 0, x1: W, y1: 10 }, { fill: TEAL });
  pd.rect({ x0: 0, y0: 10, x1: W, y1: 13 }, { fill: ACCENT });
  // Logo mark: a small square with an inset.
  pd.rect({ x0: M, y0: 42, x1: M + 30, y1: 72 }, { fill: TEAL });
  pd.rect({ x0: M + 8, y0: 50, x1: M + 22, y1: 64 }, { fill: ACCENT });
  const company = pd.text('Harbor Lane Design Co.', M + 40, 58, { font: bold, size: 17, color: INK });
  pd.text('Brand, web and print studio', M + 40, 71, { font: regular, size: 9, color: MUTED });
  const addr = { font: regular, size: 9, color: MUTED };
  pd.text('214 Harbor Lane, Suite 3', M, 96, addr);
  pd.text('Portland, OR 97209, United States', M, 108, addr);
  pd.text('billing@harborlane.design  |  +1 (503) 555-0147', M, 120, addr);
  field('company', company);

  const title = pd.text('INVOICE', W - M, 66, { font: bold, size: 30, color: TEAL, align: 'right' });
  field('title', title);
  const label = { font: regular, size: 9.5, color: MUTED };
  const value = { font: bold, size: 9.5, color: INK, align: 'right' as const };
  const lx = 380;
  pd.text('Invoice number', lx, 96, label);
  field('invoiceNumber', pd.text('INV-2025-0314', W - M, 96, value));
  pd.text('Invoice date', lx, 110, label);
  const invDate = pd.text('March 14, 2025', W - M, 110, value);
  field('invoiceDate', invDate);
  date(invDate.text, '2025-03-14', 'day', invDate.box);
  pd.text('Due date', lx, 124, label);
  const due = pd.text('2025-04-13', W - M, 124, value);
  field('dueDate', due);
  date(due.text, '2025-04-13', 'day', due.box);

  pd.line(M, 142, W - M, 142, RULE, 0.8);

  // Billed to / project panel.
  const caps = { font: bold, size: 8, color: ACCENT };
  pd.text('BILLED TO', M, 166, caps);
  const client = pd.text('Acme Robotics Inc.', M, 183, { font: bold, size: 11.5, color: INK });
  field('billedTo', client);
  const body = { font: regular, size: 9.5, color: INK };
  pd.text('Attn: Accounts Payable', M, 198, body);
  pd.text('88 Foundry Street, Floor 4', M, 211, body);
  pd.text('Cambridge, MA 02139, United States', M, 224, body);

  pd.rect({ x0: 360, y0: 152, x1: W - M, y1: 232 }, { fill: PANEL });
  pd.text('PROJECT', 372, 168, caps);
  pd.text('Brand and website refresh', 372, 183, { font: bold, size: 10, color: INK });
  pd.text('SERVICE PERIOD', 372, 203, caps);
  const period = pd.text('February 2025', 372, 218, body);
  date(period.text, '2025-02', 'month', period.box);

  // Line items.
  const rows = [['Description', 'Qty', 'Unit price', 'Amount']];
  let subtotal = 0;
  for (const [desc, qty, unit] of ITEMS) {
    subtotal += qty * unit;
    rows.push([desc, String(qty), money(unit), money(qty * unit)]);
  }
  const table = drawTable(pd, {
    x: M,
    y: 256,
    colWidths: [254, 56, 96, 98],
    rowHeight: 25,
    rows,
    headerRows: 1,
    aligns: ['left', 'right', 'right', 'right'],
    headerStyle: { font: bold, size: 9.5, color: hex('#ffffff') },
    bodyStyle: { font: regular, size: 9.5, color: INK },
    headerFill: TEAL,
    zebraFill: ZEBRA,
    lineColor: RULE,
    outerColor: hex('#9fb0bd'),
    padding: 10,
    caption: null,
  });

  // Totals.
  const tax = Math.round(subtotal * TAX_RATE * 100) / 100;
  const total = subtotal + tax;
  const tTop = table.box.y1 + 22;
  const tl = 372;
  pd.text('Subtotal', tl, tTop, { font: regular, size: 10, color: MUTED });
  field(
    'subtotal',
    pd.text(money(subtotal), W - M - 10, tTop, { font: regular, size: 10, color: INK, align: 'right' }),
  );
  pd.text('Sales tax (8%)', tl, tTop + 17, { font: regular, size: 10, color: MUTED });
  field(
    'tax',
    pd.text(money(tax), W - M - 10, tTop + 17, { font: regular, size: 10, color: INK, align: 'right' }),
  );
  pd.rect({ x0: 360, y0: tTop + 28, x1: W - M, y1: tTop + 56 }, { fill: TEAL });
  pd.text('Total due (USD)', tl, tTop + 46, { font: bold, size: 11, color: hex('#ffffff') });
  field(
    'total',
    pd.text(money(total), W - M - 10, tTop + 46, {
      font: bold,
      size: 13,
      color: hex('#ffffff'),
      align: 'right',
    }),
  );

  // Payment terms.
  const pTop = tTop + 96;
  pd.text('PAYMENT TERMS', M, pTop, caps);
  const terms = pd.paragraph(
    'Net 30. Please pay the total due by the due date above by bank transfer, quoting the invoice ' +
      'number as the reference. A 2% early-payment discount applies to payments received by~28/03/2025. ' +
      'Balances unpaid after~1~May~2025 accrue interest at 1.5% per month.',
    M,
    pTop + 16,
    W - 2 * M,
    13.5,
    body,
  );
  date('28/03/2025', '2025-03-28', 'day', findIn(terms, '28/03/2025'));
  date('1 May 2025', '2025-05-01', 'day', findIn(terms, '1 May 2025'));

  const bTop = (terms[terms.length - 1]?.baseline ?? pTop) + 28;
  pd.text('BANK DETAILS', M, bTop, caps);
  const mono = { font: regular, size: 9.5, color: INK };
  pd.text('Bank', M, bTop + 16, { ...mono, color: MUTED });
  pd.text('First Harbor Bank, Portland', M + 90, bTop + 16, mono);
  pd.text('Account name', M, bTop + 30, { ...mono, color: MUTED });
  pd.text('Harbor Lane Design Co.', M + 90, bTop + 30, mono);
  pd.text('Account / routing', M, bTop + 44, { ...mono, color: MUTED });
  pd.text('4417 0093 2286  /  123006800', M + 90, bTop + 44, mono);

  pd.text('Thank you for your business!', W - M, bTop + 44, {
    font: oblique,
    size: 12,
    color: ACCENT,
    align: 'right',
  });

  // Footer.
  pd.line(M, H - 54, W - M, H - 54, RULE, 0.8);
  pd.text(
    'Harbor Lane Design Co.  |  214 Harbor Lane, Suite 3, Portland, OR 97209  |  harborlane.design  |  Page 1 of 1',
    W / 2,
    H - 38,
    { font: regular, size: 8, color: MUTED, align: 'center' },
  );
  pd.rect({ x0: 0, y0: H - 6, x1: W, y1: H }, { fill: TEAL });

  const bytes = await doc.save();
  return {
    bytes,
    truth: {
      file: INVOICE_FILE,
      kind: 'pdf',
      description:
        'One-page US Letter invoice from Harbor Lane Design Co. to Acme Robotics Inc.: dates in three formats, ' +
        'a month-precision service period, a ruled 4-column line-item table and totals.',
      pages: [{ page: 1, width: W, height: H }],
      hasTextLayer: true,
      dates,
      distractors: ['INV-2025-0314', '+1 (503) 555-0147', '97209', '02139', '4417 0093 2286', '123006800'],
      fields,
      tables: [table],
      charts: [],
      objects: [],
      transform: null,
    },
  };
}
