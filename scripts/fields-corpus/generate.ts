// A seeded corpus of invoices, receipts and forms with exact truth for the field bench: many layouts (label and
// value on one line, across a column gap, a right-hand amount column, leader dots, label above value, a
// two-column header) and label wordings, in US (month-first, $) and UK/EU/MY (day-first, £ € RM) styles;
// drawn as digital PDFs (pdf-lib, standard fonts) and as scans (the same page drawn with @napi-rs/canvas, then
// tilted, blurred and speckled with sharp). The truth is each field's text exactly as printed.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { PDFDocument, StandardFonts, rgb, type PDFFont } from 'pdf-lib';
import sharp from 'sharp';
import { mulberry32 } from '../../src/shared/prng.js';
import { MONTHS } from '../../src/extract/dates/labelled-set.js';
import type { FieldKind } from '../../src/shared/domain.js';

export type Kind = 'invoices' | 'receipts' | 'forms';

export interface GeneratedDoc {
  file: string;
  truth: Partial<Record<FieldKind, string>>;
}

export interface GeneratedSet {
  name: string;
  docs: GeneratedDoc[];
}

/** Questions the bench asks of the generated documents (worded as users word them). */
export const QUESTIONS: Partial<Record<FieldKind, string>> = {
  total: 'What is the total amount?',
  subtotal: 'What is the subtotal?',
  tax: 'How much is the tax?',
  date: 'What is the date?',
  due_date: 'When is the payment due?',
  vendor: 'What is the company name?',
  recipient: 'Who is the invoice addressed to?',
  invoice_number: 'What is the invoice number?',
  address: 'What is the address?',
};

type Face = 'sans' | 'serif' | 'mono';
interface Op {
  text: string;
  x: number;
  y: number;
  size: number;
  bold?: boolean;
  align?: 'left' | 'right';
}
interface Page {
  width: number;
  height: number;
  face: Face;
  ops: Op[];
}

const FIRST = [
  'Harbor',
  'Northwind',
  'Bluebird',
  'Cedar',
  'Summit',
  'Golden',
  'Silver',
  'Maple',
  'Pioneer',
  'Orchid',
  'Lotus',
  'Falcon',
  'Granite',
  'Willow',
  'Sunrise',
  'Atlas',
  'Kestrel',
  'Meridian',
];
const SECOND = [
  'Design',
  'Hardware',
  'Trading',
  'Bakery',
  'Logistics',
  'Stationery',
  'Foods',
  'Electrical',
  'Pharmacy',
  'Books',
  'Supplies',
  'Consulting',
  'Motors',
  'Kitchen',
];
const LEGAL_US = ['Inc.', 'LLC', 'Co.', 'Corp.'];
const LEGAL_UK = ['Ltd', 'Limited', 'plc', 'Sdn Bhd', 'GmbH'];
const PEOPLE = [
  'Acme Robotics Inc.',
  'Globex Partners LLC',
  'Initech Ltd',
  'Umbrella Health',
  'Stark Industries',
  'Wayne Foods Ltd',
  'Hooli Labs Inc.',
  'Vandelay Imports',
  'Soylent Corp.',
  'Tyrell Systems',
  'Jane Morgan',
  'Ahmad bin Ismail',
  'Lee Wei Ling',
  'Oliver Bennett',
];
const STREETS = [
  'Harbor Lane',
  'Main Street',
  'Jalan Putra',
  'High Street',
  'Foundry Street',
  'Oak Avenue',
  'Jalan Dedap',
  'Station Road',
  'Mill Road',
  'Pine Avenue',
];
const CITIES_US = ['Portland, OR 97209', 'Cambridge, MA 02139', 'Austin, TX 78701', 'Denver, CO 80202'];
const CITIES_UK = [
  'Leeds LS1 4AP',
  'Bristol BS1 5TR',
  '81100 Johor Bahru',
  '47400 Petaling Jaya',
  'Manchester M1 2AB',
];
const ITEMS = [
  'Logo design',
  'Printer paper A4',
  'Site visit',
  'Consulting hours',
  'Cable ties',
  'Coffee beans 1kg',
  'Desk lamp',
  'Delivery fee',
  'Repair labour',
  'Paint 5L',
  'Notebook',
  'USB cable',
];

const LABELS = {
  total: [
    'Total',
    'Total due',
    'Amount due',
    'Balance due',
    'Grand total',
    'Total payable',
    'Nett total',
    'Total (incl. tax)',
    'TOTAL',
  ],
  subtotal: ['Subtotal', 'Sub-total', 'Sub Total', 'Net amount'],
  tax: ['Tax', 'Sales tax', 'VAT', 'GST', 'Tax amount'],
  date: ['Invoice date', 'Date', 'Date of issue', 'Issue date', 'Dated'],
  due: ['Due date', 'Payment due', 'Due by'],
  number: ['Invoice number', 'Invoice no.', 'Invoice #', 'Inv. No.', 'Reference no.'],
  billTo: ['Bill to', 'Billed to', 'Invoice to', 'Customer', 'Sold to'],
};

const pick = <T>(r: () => number, a: readonly T[]): T => a[Math.floor(r() * a.length)] as T;

function money(v: number, style: { sym: string; attach: boolean }): string {
  const s = v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return style.attach ? `${style.sym}${s}` : s;
}

function dateText(r: () => number, d: Date, dayFirst: boolean): string {
  const dd = d.getUTCDate();
  const mm = d.getUTCMonth() + 1;
  const yy = d.getUTCFullYear();
  const p2 = (n: number) => String(n).padStart(2, '0');
  const m = MONTHS[mm - 1] ?? 'January';
  const forms = dayFirst
    ? [
        `${p2(dd)}/${p2(mm)}/${yy}`,
        `${dd} ${m} ${yy}`,
        `${p2(dd)}.${p2(mm)}.${yy}`,
        `${dd} ${m.slice(0, 3)} ${yy}`,
        `${yy}-${p2(mm)}-${p2(dd)}`,
      ]
    : [
        `${p2(mm)}/${p2(dd)}/${yy}`,
        `${m} ${dd}, ${yy}`,
        `${m.slice(0, 3)} ${dd}, ${yy}`,
        `${yy}-${p2(mm)}-${p2(dd)}`,
      ];
  return pick(r, forms);
}

interface Content {
  vendor: string;
  address: string[];
  recipient: string;
  number: string;
  date: string;
  due: string;
  items: Array<{ name: string; qty: number; price: number }>;
  subtotal: number;
  tax: number;
  total: number;
  style: { sym: string; attach: boolean };
  taxLabel: string;
}

function content(r: () => number, kind: Kind): Content {
  const us = r() < 0.5;
  const dayFirst = !us;
  const vendor = `${pick(r, FIRST)} ${pick(r, SECOND)} ${pick(r, us ? LEGAL_US : LEGAL_UK)}`;
  const address = [
    `${1 + Math.floor(r() * 400)} ${pick(r, STREETS)}${r() < 0.5 ? `, Suite ${1 + Math.floor(r() * 20)}` : ''}`,
    pick(r, us ? CITIES_US : CITIES_UK),
  ];
  const d = new Date(Date.UTC(2018 + Math.floor(r() * 8), Math.floor(r() * 12), 1 + Math.floor(r() * 28)));
  const due = new Date(d.getTime() + (14 + Math.floor(r() * 30)) * 86400000);
  const n = 2 + Math.floor(r() * 4);
  const items = Array.from({ length: n }, () => ({
    name: pick(r, ITEMS),
    qty: 1 + Math.floor(r() * 5),
    price: Math.round((5 + r() * (kind === 'receipts' ? 40 : 900)) * 100) / 100,
  }));
  const subtotal = Math.round(items.reduce((a, it) => a + it.qty * it.price, 0) * 100) / 100;
  const rate = pick(r, [0.06, 0.08, 0.1, 0.2]);
  const tax = Math.round(subtotal * rate * 100) / 100;
  const total = Math.round((subtotal + tax) * 100) / 100;
  const sym = us ? '$' : pick(r, ['£', '€', 'RM']);
  return {
    vendor,
    address,
    recipient: pick(r, PEOPLE),
    number: pick(r, [
      `INV-${2018 + Math.floor(r() * 8)}-${String(Math.floor(r() * 9999)).padStart(4, '0')}`,
      String(100000 + Math.floor(r() * 899999)),
      `A${Math.floor(r() * 99999)}`,
    ]),
    date: dateText(r, d, dayFirst),
    due: dateText(r, due, dayFirst),
    items,
    subtotal,
    tax,
    total,
    style: { sym, attach: sym !== 'RM' && r() < 0.7 },
    taxLabel: `${pick(r, LABELS.tax)}${r() < 0.5 ? ` (${Math.round(rate * 100)}%)` : ''}`,
  };
}

/** Character width estimate for right alignment and leader dots (Helvetica-ish average). */
const approxWidth = (text: string, size: number, face: Face) =>
  text.length * size * (face === 'mono' ? 0.6 : 0.52);

function invoicePage(r: () => number, c: Content): { page: Page; truth: Partial<Record<FieldKind, string>> } {
  const face = pick(r, ['sans', 'serif', 'mono'] as const);
  const ops: Op[] = [];
  const W = 612;
  const L = 54;
  const R = 558;
  const layout = pick(r, ['same-line', 'column', 'dots', 'below'] as const);
  ops.push({ text: c.vendor, x: L, y: 60, size: 18, bold: true });
  ops.push({ text: 'INVOICE', x: R, y: 60, size: 16, bold: true, align: 'right' });
  c.address.forEach((a, i) => ops.push({ text: a, x: L, y: 84 + i * 13, size: 10 }));
  const truth: Partial<Record<FieldKind, string>> = {};
  const numLabel = pick(r, LABELS.number);
  const dateLabel = pick(r, LABELS.date);
  const dueLabel = pick(r, LABELS.due);
  // Meta block on the right: label and value on one line (with a colon or not), or label above value.
  const meta: Array<[string, string]> = [
    [numLabel, c.number],
    [dateLabel, c.date],
    [dueLabel, c.due],
  ];
  const colon = r() < 0.5 ? ':' : '';
  meta.forEach(([l, v], i) => {
    if (layout === 'below') {
      ops.push({ text: l, x: 360 + i * 0, y: 84 + i * 26, size: 8, bold: true });
      ops.push({ text: v, x: 360, y: 94 + i * 26, size: 10 });
    } else {
      ops.push({ text: `${l}${colon}`, x: 360, y: 84 + i * 13, size: 10 });
      ops.push({ text: v, x: R, y: 84 + i * 13, size: 10, align: 'right' });
    }
  });
  truth.invoice_number = c.number;
  truth.date = c.date;
  truth.due_date = c.due;
  const billLabel = pick(r, LABELS.billTo);
  if (r() < 0.5) {
    ops.push({ text: billLabel.toUpperCase(), x: L, y: 170, size: 9, bold: true });
    ops.push({ text: c.recipient, x: L, y: 184, size: 11 });
  } else {
    ops.push({ text: `${billLabel}:`, x: L, y: 170, size: 10, bold: true });
    ops.push({ text: c.recipient, x: L + approxWidth(`${billLabel}: `, 10, face) + 14, y: 170, size: 10 });
  }
  ops.push({ text: `${pick(r, STREETS)} ${1 + Math.floor(r() * 90)}`, x: L, y: 198, size: 10 });
  truth.recipient = c.recipient;
  truth.vendor = c.vendor;
  // Items table.
  let y = 250;
  ops.push({ text: 'Description', x: L + 10, y, size: 9, bold: true });
  ops.push({ text: 'Qty', x: 340, y, size: 9, bold: true });
  ops.push({ text: 'Unit price', x: 440, y, size: 9, bold: true, align: 'right' });
  ops.push({ text: 'Amount', x: R - 10, y, size: 9, bold: true, align: 'right' });
  for (const it of c.items) {
    y += 22;
    ops.push({ text: it.name, x: L + 10, y, size: 10 });
    ops.push({ text: String(it.qty), x: 340, y, size: 10 });
    ops.push({ text: money(it.price, c.style), x: 440, y, size: 10, align: 'right' });
    ops.push({ text: money(it.qty * it.price, c.style), x: R - 10, y, size: 10, align: 'right' });
  }
  const totalLabel = pick(r, LABELS.total);
  const subLabel = pick(r, LABELS.subtotal);
  const rows: Array<[string, number, FieldKind]> = [
    [subLabel, c.subtotal, 'subtotal'],
    [c.taxLabel, c.tax, 'tax'],
    [totalLabel, c.total, 'total'],
  ];
  y += 36;
  for (const [l, v, f] of rows) {
    const text = money(v, c.style);
    truth[f] = text;
    if (layout === 'dots') {
      const lx = 330;
      const dots = '.'.repeat(
        Math.max(3, Math.floor((R - 80 - lx - approxWidth(l, 10, face)) / (10 * 0.28))),
      );
      ops.push({ text: `${l} ${dots}`, x: lx, y, size: 10, bold: f === 'total' });
    } else if (layout === 'same-line') {
      ops.push({ text: `${l}:`, x: 330, y, size: 10, bold: f === 'total' });
    } else {
      ops.push({ text: l, x: 330, y, size: 10, bold: f === 'total' });
    }
    if (!c.style.attach && layout !== 'same-line') ops.push({ text: c.style.sym, x: R - 75, y, size: 10 });
    ops.push({ text, x: R - 10, y, size: 10, bold: f === 'total', align: 'right' });
    y += 18;
  }
  ops.push({
    text: `Payment terms: net 30. Please pay the total by the due date, quoting ${c.number}.`,
    x: L,
    y: y + 40,
    size: 9,
  });
  ops.push({ text: `${c.vendor} | ${c.address.join(', ')} | Page 1 of 1`, x: W / 2 - 200, y: 750, size: 8 });
  return { page: { width: W, height: 792, face, ops }, truth };
}

function receiptPage(r: () => number, c: Content): { page: Page; truth: Partial<Record<FieldKind, string>> } {
  const face = pick(r, ['mono', 'sans'] as const);
  const W = 260;
  const L = 14;
  const R = W - 14;
  const ops: Op[] = [];
  const center = (text: string, y: number, size: number, bold = false) =>
    ops.push({ text, x: Math.max(L, W / 2 - approxWidth(text, size, face) / 2), y, size, bold });
  // Real receipts' headers: a brand or outlet name printed over the issuing company (only where the company has
  // a legal form that names it as one), a long name broken before its legal form, the registration number on the
  // name's own line. The issuer is the company in each.
  const name = c.vendor.toUpperCase();
  const reg = `(${100000 + Math.floor(r() * 899999)}-${pick(r, ['A', 'K', 'U', 'X'])})`;
  const header = pick(r, ['plain', 'brand', 'broken', 'reg-inline'] as const);
  let hy = 40;
  if (header === 'brand' && !/\bCO\.$/.test(name)) {
    center(
      `${pick(r, FIRST).toUpperCase()} ${pick(r, ['RESTAURANT', 'CAFE', 'BAKERY', 'MART', 'KITCHEN'])}`,
      26,
      12,
      true,
    );
    hy = 42;
  }
  if (header === 'broken') {
    const words = name.split(' ');
    center(words.slice(0, 2).join(' '), hy, 11, true);
    center(words.slice(2).join(' '), hy + 13, 11, true);
    hy += 13;
  } else center(header === 'reg-inline' ? `${name} ${reg}` : name, hy, 11, true);
  if (header !== 'reg-inline') center(reg, hy + 14, 8);
  // The address block as real receipts print it (its own stream, so the rest of the receipt stays as seeded): the
  // tax registration line before it; lines ending with commas and the state on a line of its own; a branch, mall
  // or service line under it that is not the address. The truth is the address's lines joined by one space.
  const ra = mulberry32(c.number.length * 7919 + Math.round(c.total * 100));
  const addressStyle = pick(ra, ['plain', 'gst-first', 'comma-lines', 'branch-after'] as const);
  let ay = hy + 27;
  if (addressStyle === 'gst-first') {
    center(`GST REG NO: 000${100000000 + Math.floor(ra() * 899999999)}`, ay, 8);
    ay += 11;
  }
  const lines = c.address.map((a) => a.toUpperCase());
  const state = /^\d{5} /.test(lines[1] ?? '')
    ? pick(ra, ['SELANGOR DARUL EHSAN.', 'JOHOR.', 'MALAYSIA'])
    : null;
  const printed =
    addressStyle === 'comma-lines' && state
      ? [`${lines[0]},`, `${lines[1]},`, state]
      : addressStyle === 'branch-after' && state
        ? [...lines, state]
        : lines;
  printed.forEach((a, i) => center(a, ay + i * 11, 8));
  let ty = ay + printed.length * 11;
  if (addressStyle === 'branch-after') {
    center(pick(ra, ['AEON SHAH ALAM', 'CARRY OUT', 'KL FESTIVAL CITY MALL', 'OUTLET: MID VALLEY']), ty, 8);
    ty += 11;
  }
  center(`TEL: 0${3 + Math.floor(r() * 6)}-${1000000 + Math.floor(r() * 8999999)}`, ty, 8);
  // What follows moves down by the lines the address block added.
  const dy = ty - (ay + printed.length * 11) + (ay - hy - 27) + (printed.length - lines.length) * 11;
  center(pick(r, ['TAX INVOICE', 'CASH RECEIPT', 'RECEIPT', 'SIMPLIFIED TAX INVOICE']), 110 + dy, 9, true);
  const numLabel = pick(r, ['Receipt No', 'Bill No', 'Invoice No', 'Doc No']);
  ops.push({ text: `${numLabel}: ${c.number}`, x: L, y: 128 + dy, size: 8 });
  ops.push({
    text: `${pick(r, ['Date', 'Date', 'Bill Date', 'Txn Date'])}: ${c.date}${r() < 0.5 ? ` ${10 + Math.floor(r() * 12)}:${String(Math.floor(r() * 60)).padStart(2, '0')}` : ''}`,
    x: L,
    y: 140 + dy,
    size: 8,
  });
  ops.push({ text: `Cashier: ${pick(r, ['SITI', 'JOHN', 'ANGELA', 'TAN'])}`, x: L, y: 152 + dy, size: 8 });
  let y = 172 + dy;
  for (const it of c.items) {
    ops.push({ text: it.name.toUpperCase(), x: L, y, size: 8 });
    y += 11;
    ops.push({ text: `${it.qty} x ${it.price.toFixed(2)}`, x: L + 10, y, size: 8 });
    ops.push({ text: (it.qty * it.price).toFixed(2), x: R, y, size: 8, align: 'right' });
    y += 13;
  }
  y += 8;
  // Malaysian-style rounding to 5 sen: the amount paid is the rounded total.
  const rounded = Math.round(c.total * 20) / 20;
  const adj = Math.round((rounded - c.total) * 100) / 100;
  const rowsOut: Array<[string, string]> = [
    [pick(r, ['Sub Total', 'Subtotal', 'Total Excl. GST']), c.subtotal.toFixed(2)],
    [pick(r, ['GST 6%', 'Total GST', 'Tax', 'SST']), c.tax.toFixed(2)],
  ];
  const truth: Partial<Record<FieldKind, string>> = {
    vendor: c.vendor.toUpperCase(),
    address: printed.join(' '),
    date: c.date,
    subtotal: c.subtotal.toFixed(2),
    tax: c.tax.toFixed(2),
  };
  if (adj !== 0 && r() < 0.7) {
    rowsOut.push([pick(r, ['Total', 'Total Incl. GST', 'Total Incl. of GST']), c.total.toFixed(2)]);
    rowsOut.push(['Rounding Adj', adj.toFixed(2)]);
    rowsOut.push([
      pick(r, ['Total After Rounding', 'Rounded Total', 'Grand Total', 'Nett Total', 'Total Amt Rounded']),
      `${r() < 0.3 ? 'RM' : ''}${rounded.toFixed(2)}`,
    ]);
    truth.total = rounded.toFixed(2);
  } else {
    rowsOut.push([
      pick(r, [
        'TOTAL',
        'Total Amount',
        'Grand Total',
        'Total (RM)',
        'Nett Total',
        'Total Sales (Inclusive of GST)',
      ]),
      c.total.toFixed(2),
    ]);
    truth.total = c.total.toFixed(2);
  }
  const paid = Math.ceil(Number(truth.total) / 10) * 10;
  rowsOut.push(['Cash', paid.toFixed(2)]);
  rowsOut.push(['Change', (paid - Number(truth.total)).toFixed(2)]);
  for (const [l, v] of rowsOut) {
    ops.push({ text: r() < 0.5 ? l.toUpperCase() : l, x: L, y, size: 9, bold: /total/i.test(l) });
    if (r() < 0.4 && !v.startsWith('RM')) ops.push({ text: 'RM', x: R - 70, y, size: 9 });
    ops.push({ text: v, x: R, y, size: 9, align: 'right' });
    y += 13;
  }
  center('THANK YOU, PLEASE COME AGAIN', y + 20, 8);
  return { page: { width: W, height: Math.max(420, y + 50), face, ops }, truth };
}

function formPage(r: () => number, c: Content): { page: Page; truth: Partial<Record<FieldKind, string>> } {
  const face = pick(r, ['sans', 'serif'] as const);
  const ops: Op[] = [];
  ops.push({ text: c.vendor, x: 54, y: 56, size: 16, bold: true });
  ops.push({
    text: pick(r, ['Payment Request Form', 'Statement of Account', 'Claim Form', 'Remittance Advice']),
    x: 54,
    y: 80,
    size: 12,
  });
  const fields: Array<[string, string, FieldKind]> = [
    [
      pick(r, ['Reference no.', 'Invoice number', 'Document no.', 'Statement number']),
      c.number,
      'invoice_number',
    ],
    [pick(r, ['Date', 'Date of issue', 'Statement date', 'Issue date']), c.date, 'date'],
    [pick(r, ['Customer', 'Bill to', 'Client name', 'Customer name']), c.recipient, 'recipient'],
    [
      pick(r, ['Amount due', 'Total due', 'Balance due', 'Total amount payable']),
      money(c.total, c.style),
      'total',
    ],
    [pick(r, ['Due date', 'Payment due', 'Pay by']), c.due, 'due_date'],
  ];
  const boxed = r() < 0.5;
  const truth: Partial<Record<FieldKind, string>> = { vendor: c.vendor };
  fields.forEach(([l, v, f], i) => {
    truth[f] = v;
    if (boxed) {
      const col = i % 2;
      const row = Math.floor(i / 2);
      ops.push({ text: l, x: 54 + col * 270, y: 130 + row * 52, size: 8, bold: true });
      ops.push({ text: v, x: 58 + col * 270, y: 146 + row * 52, size: 11 });
    } else {
      ops.push({ text: `${l}:`, x: 54, y: 130 + i * 22, size: 10, bold: true });
      ops.push({ text: v, x: 230, y: 130 + i * 22, size: 10 });
    }
  });
  ops.push({
    text: 'Please return this form with your payment. Signature: ____________',
    x: 54,
    y: 420,
    size: 9,
  });
  return { page: { width: 612, height: 792, face, ops }, truth };
}

const PDF_FONTS: Record<Face, [StandardFonts, StandardFonts]> = {
  sans: [StandardFonts.Helvetica, StandardFonts.HelveticaBold],
  serif: [StandardFonts.TimesRoman, StandardFonts.TimesRomanBold],
  mono: [StandardFonts.Courier, StandardFonts.CourierBold],
};

async function toPdf(page: Page): Promise<Uint8Array> {
  // Fixed dates: the same page makes the same bytes, so the bench's text cache (keyed by content) holds.
  const doc = await PDFDocument.create({ updateMetadata: false });
  const p = doc.addPage([page.width, page.height]);
  const [regularName, boldName] = PDF_FONTS[page.face];
  const regular = await doc.embedFont(regularName);
  const bold = await doc.embedFont(boldName);
  for (const op of page.ops) {
    const font: PDFFont = op.bold ? bold : regular;
    // Standard-14 fonts are WinAnsi: "€" and "£" are in it; anything else would throw, so none is used.
    const w = font.widthOfTextAtSize(op.text, op.size);
    const x = op.align === 'right' ? op.x - w : op.x;
    p.drawText(op.text, { x, y: page.height - op.y, size: op.size, font, color: rgb(0.05, 0.05, 0.05) });
  }
  return doc.save();
}

const CANVAS_FONTS: Record<Face, string> = {
  sans: 'Liberation Sans',
  serif: 'Liberation Serif',
  mono: 'Liberation Mono',
};

/** The page drawn at `dpi`, then tilted, blurred and speckled like a phone or flatbed scan. */
async function toScan(page: Page, r: () => number, dpi = 200): Promise<Buffer> {
  const s = dpi / 72;
  const w = Math.round(page.width * s);
  const h = Math.round(page.height * s);
  const canvas = createCanvas(w, h);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fbfaf6';
  ctx.fillRect(0, 0, w, h);
  const ink = Math.round(20 + r() * 60);
  ctx.fillStyle = `rgb(${ink},${ink},${ink + 10})`;
  for (const op of page.ops) {
    ctx.font = `${op.bold ? 'bold ' : ''}${op.size * s}px "${CANVAS_FONTS[page.face]}"`;
    const tw = ctx.measureText(op.text).width;
    const x = op.align === 'right' ? op.x * s - tw : op.x * s;
    ctx.fillText(op.text, x, op.y * s);
  }
  const png = await canvas.encode('png');
  const angle = (r() - 0.5) * 3;
  const raw = await sharp(png)
    .rotate(angle, { background: '#fbfaf6' })
    .blur(0.4 + r() * 0.5)
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { data, info } = raw;
  for (let i = 0; i < data.length; i++) {
    const n = (r() - 0.5) * 40;
    let v = (data[i] ?? 0) + n;
    if (r() < 0.002) v = 40;
    data[i] = Math.max(0, Math.min(255, v));
  }
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

const MAKERS = { invoices: invoicePage, receipts: receiptPage, forms: formPage } as const;

/** Writes the corpus under .cache/fields-corpus and returns the sets: each kind digital (PDF) and scanned (JPEG). */
export async function writeCorpus(opts: {
  docs: number;
  scanned?: number;
  seed?: number;
}): Promise<GeneratedSet[]> {
  const root = resolve('.cache/fields-corpus');
  const sets: GeneratedSet[] = [];
  for (const kind of ['invoices', 'receipts', 'forms'] as const) {
    for (const scan of [false, true]) {
      const n = scan ? (opts.scanned ?? Math.max(1, Math.round(opts.docs / 3))) : opts.docs;
      const name = `${kind} ${scan ? 'scanned' : 'digital'}`;
      const dir = join(root, `${kind}-${scan ? 'scanned' : 'digital'}`);
      await mkdir(dir, { recursive: true });
      const docs: GeneratedDoc[] = [];
      for (let i = 0; i < n; i++) {
        const seed =
          (opts.seed ?? 7) * 100003 + i * 101 + (kind === 'invoices' ? 0 : kind === 'receipts' ? 1 : 2);
        const r = mulberry32(seed);
        const { page, truth } = MAKERS[kind](r, content(r, kind));
        const file = join(dir, `${String(i).padStart(3, '0')}.${scan ? 'jpg' : 'pdf'}`);
        await writeFile(file, scan ? await toScan(page, mulberry32(seed + 1)) : await toPdf(page));
        docs.push({ file, truth });
      }
      sets.push({ name, docs });
    }
  }
  return sets;
}

export { invoicePage, receiptPage, formPage, content, toPdf, toScan, type Page };
