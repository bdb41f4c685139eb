// The field binder on generated pages, one layout class per test (label and value on a line, a right-hand amount
// column, leader dots, label above value, receipts with rounding and look-alike labels), and the trust it states:
// verified only where a label or the page's layout ties the value to the field.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TextPage } from '../../shared/domain.js';
import { detectLocale, extractDocumentDates } from '../dates/index.js';
import { specToTextPage, type SpecLine } from '../dates/spec-layout.js';
import { bindAll, bindField, fieldOfQuestion, isVerified } from './index.js';

type L = [text: string, x: number, y: number, size?: number];

function page(lines: L[], width = 612, height = 792): TextPage {
  return specToTextPage({
    page: 1,
    width,
    height,
    lines: lines.map(([text, x, y, size]): SpecLine => ({ text, x, y, size: size ?? 10, font: 'Helvetica' })),
  });
}

function ask(p: TextPage, question: string) {
  const pages = [p];
  const r = bindField(question, {
    pages,
    dates: extractDocumentDates(pages, { locale: detectLocale(pages) }),
  });
  assert.ok(r, `"${question}" is a field question`);
  return r;
}

/** The binding's value, whether it is verified, and that its box covers the value's words on the page. */
function bound(p: TextPage, question: string): { value: string | null; verified: boolean } {
  const r = ask(p, question);
  const b = r.binding;
  if (!b) return { value: null, verified: false };
  // Words whose centre lies in the box (a date cut out of "04/03/2025." keeps the word's centre).
  const inside = p.words.filter((w) => {
    const cx = (w.box.x0 + w.box.x1) / 2;
    const cy = (w.box.y0 + w.box.y1) / 2;
    return cx >= b.box.x0 && cx <= b.box.x1 && cy >= b.box.y0 && cy <= b.box.y1;
  });
  const norm = (s: string) => s.replace(/\s+/g, '');
  assert.ok(
    norm(inside.map((w) => w.text).join('')).includes(norm(b.value)),
    `box of "${b.value}" lies on its words (${inside.map((w) => w.text).join(' ')})`,
  );
  return { value: b.value, verified: isVerified(b) };
}

describe('questions name fields however they are worded', () => {
  test('fieldOfQuestion', () => {
    const cases: Array<[string, string | null]> = [
      ['What is the total amount?', 'total'],
      ['How much is due?', 'total'],
      ['What is the grand total?', 'total'],
      ['What is the subtotal?', 'subtotal'],
      ['How much is the sales tax?', 'tax'],
      ['What is the VAT?', 'tax'],
      ['What is the date?', 'date'],
      ['When was this invoice issued?', 'date'],
      ['When is the payment due?', 'due_date'],
      ['What is the due date?', 'due_date'],
      ['What is the company name?', 'vendor'],
      ['Who issued this invoice?', 'vendor'],
      ['What is the address?', 'address'],
      ['Who is the invoice addressed to?', 'recipient'],
      ['Who is the customer?', 'recipient'],
      ['What is the invoice number?', 'invoice_number'],
      ['What is the receipt no.?', 'invoice_number'],
      ['What currency is it in?', 'currency'],
      ['How much was the logo design?', 'line_item'],
      ['How much do I owe?', 'total'],
      ['How much did we spend?', 'total'],
      ['What is the unit price of the illustration set?', 'line_item'],
      ['How many hours of project management?', 'line_item'],
      ['What is the date of the invoice?', 'date'],
      ['What is the total of the invoice?', 'total'],
      ['Summarize the main points.', null],
      ['What is the trend?', null],
    ];
    for (const [q, f] of cases) assert.equal(fieldOfQuestion(q)?.field ?? null, f, q);
  });
});

describe('line items', () => {
  const rows: L[] = [
    ['Description', 54, 200],
    ['Qty', 330, 200],
    ['Unit price', 400, 200],
    ['Amount', 510, 200],
    ['Logo design and variations', 54, 216],
    ['1', 333, 216],
    ['$2,200.00', 400, 216],
    ['$2,200.00', 510, 216],
    ['Illustration set (12 icons)', 54, 232],
    ['12', 331, 232],
    ['$85.00', 400, 232],
    ['$1,020.00', 510, 232],
  ];
  test("a row's amount, and the cell under the column a question names", () => {
    const p = page(rows);
    assert.deepEqual(bound(p, 'How much was the illustration set?'), { value: '$1,020.00', verified: true });
    assert.deepEqual(bound(p, 'What is the unit price of the illustration set?'), {
      value: '$85.00',
      verified: true,
    });
    assert.deepEqual(bound(p, 'How many of the illustration set?'), { value: '12', verified: true });
    assert.deepEqual(bound(p, 'What is the quantity for logo design?'), { value: '1', verified: true });
    assert.equal(fieldOfQuestion('What is the rate for logo design?')?.column, 'rate');
    // No column of that name over the row: nothing is bound rather than another column's value.
    const noHeader = page(rows.filter(([t]) => t !== 'Unit price'));
    assert.equal(bound(noHeader, 'What is the unit price of the illustration set?').value, null);
  });

  test('a skewed scan: the row drifts a line height lower across the table and is still followed', () => {
    // Each row 1.1 × its text height lower at the right edge than at the left, as on the scanned sample: every
    // word drifts with its x, within a cell as across the columns.
    const skewed: L[] = rows.flatMap(([text, x0, y]) => {
      let x = x0;
      return text.split(' ').map((w): L => {
        const at = x;
        x += w.length * 6 + 3;
        return [w, at, y + ((at - 54) / 456) * 11];
      });
    });
    const p = page(skewed);
    assert.deepEqual(bound(p, 'How much was the illustration set?'), { value: '$1,020.00', verified: true });
    assert.deepEqual(bound(p, 'What is the unit price of the logo design and variations?'), {
      value: '$2,200.00',
      verified: true,
    });
    assert.deepEqual(bound(p, 'How many of the illustration set?'), { value: '12', verified: true });
  });
});

describe('label → value layouts', () => {
  test('same line across a colon, and a value a column away on the label row', () => {
    const p = page([
      ['Invoice number: INV-2031-0042', 54, 80],
      ['Invoice date:', 54, 94],
      ['12 March 2024', 400, 94],
      ['Total due:', 330, 300],
      ['$1,234.50', 500, 300],
    ]);
    assert.deepEqual(bound(p, 'What is the invoice number?'), { value: 'INV-2031-0042', verified: true });
    assert.deepEqual(bound(p, 'What is the date?'), { value: '12 March 2024', verified: true });
    assert.deepEqual(bound(p, 'What is the total amount?'), { value: '$1,234.50', verified: true });
    assert.equal(ask(p, 'What is the total amount?').binding?.normalized, '1234.50');
    assert.equal(ask(p, 'What is the date?').binding?.normalized, '2024-03-12');
  });

  test('right-hand amount column with a separate currency mark, and leader dots', () => {
    const p = page([
      ['Subtotal ..........................', 330, 300],
      ['RM', 480, 300],
      ['100.00', 520, 300],
      ['Sales tax (6%) .................', 330, 316],
      ['RM', 480, 316],
      ['6.00', 528, 316],
      ['Grand total .......................', 330, 332],
      ['RM', 480, 332],
      ['106.00', 520, 332],
    ]);
    assert.deepEqual(bound(p, 'What is the subtotal?'), { value: '100.00', verified: true });
    assert.deepEqual(bound(p, 'How much is the tax?'), { value: '6.00', verified: true });
    assert.deepEqual(bound(p, 'What is the total?'), { value: '106.00', verified: true });
    assert.equal(ask(p, 'What currency is it?').binding?.normalized, 'MYR');
  });

  test('form: labels above their values, two to a row', () => {
    const p = page([
      ['Kestrel Consulting Ltd', 54, 50, 16],
      ['Reference no.', 54, 120, 8],
      ['Date of issue', 324, 120, 8],
      ['932603', 58, 134, 11],
      ['14/06/2022', 328, 134, 11],
      ['Customer', 54, 170, 8],
      ['Total amount payable', 324, 170, 8],
      ['Jane Morgan', 58, 184, 11],
      ['£1,835.32', 328, 184, 11],
      ['Payment due', 54, 220, 8],
      ['14/07/2022', 58, 234, 11],
    ]);
    assert.deepEqual(bound(p, 'What is the reference number?'), { value: '932603', verified: true });
    assert.deepEqual(bound(p, 'What is the date?'), { value: '14/06/2022', verified: true });
    assert.deepEqual(bound(p, 'Who is the customer?'), { value: 'Jane Morgan', verified: true });
    assert.deepEqual(bound(p, 'How much is due?'), { value: '£1,835.32', verified: true });
    assert.deepEqual(bound(p, 'When is the payment due?'), { value: '14/07/2022', verified: true });
    assert.deepEqual(bound(p, 'What is the company name?'), {
      value: 'Kestrel Consulting Ltd',
      verified: true,
    });
  });

  test('a column header is not a label: the amount under "Total" in an items table is an item', () => {
    const p = page([
      ['Qty', 54, 200],
      ['Description', 100, 200],
      ['Price', 380, 200],
      ['Total', 500, 200],
      ['2', 54, 216],
      ['Cable ties', 100, 216],
      ['3.00', 380, 216],
      ['6.00', 500, 216],
    ]);
    assert.equal(ask(p, 'What is the total?').binding, null);
  });
});

describe('receipts', () => {
  const receipt = (rows: L[]) =>
    page(
      [
        ['LIGHTROOM GALLERY SDN BHD', 40, 30, 11],
        ['(1072825-A)', 80, 44, 8],
        ['NO 28, JALAN ASTANA 1C,', 40, 56, 8],
        ['41050 KLANG, SELANGOR', 40, 66, 8],
        ['TEL: 03-3343 8122', 40, 76, 8],
        ['Bill Date: 20/11/2017 03:55:07 PM', 14, 100, 8],
        ['Total Qty: 2', 14, 120, 9],
        ['GST No.: 000584089600', 14, 132, 9],
        ...rows,
      ],
      260,
      420,
    );

  test('the amount paid is the total after rounding; quantities and tax numbers are not amounts', () => {
    const p = receipt([
      ['Total', 14, 160, 9],
      ['8.19', 220, 160, 9],
      ['Rounding Adj', 14, 172, 9],
      ['0.01', 220, 172, 9],
      ['Total After Rounding', 14, 184, 9],
      ['8.20', 220, 184, 9],
      ['CASH', 14, 196, 9],
      ['10.00', 214, 196, 9],
      ['CHANGE', 14, 208, 9],
      ['1.80', 220, 208, 9],
    ]);
    assert.deepEqual(bound(p, 'What is the total amount?'), { value: '8.20', verified: true });
    assert.equal(
      ask(p, 'How much is the GST?').binding,
      null,
      'a GST registration number is not a tax amount',
    );
    assert.deepEqual(bound(p, 'What is the date?'), { value: '20/11/2017', verified: true });
  });

  test('issuer and address by position: the name without its registration number, address lines joined', () => {
    const p = receipt([]);
    assert.deepEqual(bound(p, 'What is the company name?'), {
      value: 'LIGHTROOM GALLERY SDN BHD',
      verified: true,
    });
    assert.deepEqual(bound(p, 'What is the address?'), {
      value: 'NO 28, JALAN ASTANA 1C, 41050 KLANG, SELANGOR',
      verified: false,
    });
  });

  test('a total printed above a rounding line is only found, even when subtotal + tax add up to it', () => {
    const p = receipt([
      ['Total (Excluding GST):', 14, 160, 9],
      ['29.26', 220, 160, 9],
      ['GST Payable', 14, 172, 9],
      ['1.76', 220, 172, 9],
      ['Total (Inclusive of GST):', 14, 184, 9],
      ['31.02', 220, 184, 9],
      ['Rounding', 14, 196, 9],
      ['-0.02', 220, 196, 9],
    ]);
    assert.deepEqual(bound(p, 'What is the total amount?'), { value: '31.02', verified: false });
  });

  test('a whole number beside the total on a page in cents is the amount with its point unread', () => {
    const p = receipt([
      ['Item A', 14, 140, 9],
      ['1.00', 220, 140, 9],
      ['Item B', 14, 148, 9],
      ['2.00', 220, 148, 9],
      ['Item C', 14, 156, 9],
      ['3.00', 220, 156, 9],
      ['Item D', 14, 164, 9],
      ['4.00', 220, 164, 9],
      ['TOTAL', 14, 172, 9],
      ['1000', 220, 172, 9],
    ]);
    // The value is the amount as printed, not OCR's "1000": bound() would look for "10.00" among the words.
    const unread = ask(p, 'What is the total amount?').binding;
    assert.equal(unread?.value, '10.00');
    assert.equal(unread?.normalized, '10.00');
    assert.equal(isVerified(unread), false);
    assert.deepEqual([unread?.box.x0, unread?.box.y0], [220, 172], 'boxed on the "1000" OCR read');
    const paid = receipt([
      ['Item A', 14, 150, 9],
      ['4.00', 220, 150, 9],
      ['Item B', 14, 160, 9],
      ['6.00', 220, 160, 9],
      ['TOTAL', 14, 172, 9],
      ['1000', 220, 172, 9],
      ['CASH', 14, 184, 9],
      ['20.00', 214, 184, 9],
      ['CHANGE', 14, 196, 9],
      ['10.00', 214, 196, 9],
    ]);
    const confirmed = ask(paid, 'What is the total amount?').binding;
    assert.equal(confirmed?.value, '10.00');
    assert.equal(isVerified(confirmed), true, 'cash − change confirms it');
  });

  test('the address skips a date line under the name and ends at a phone printed on its last line', () => {
    const p = page(
      [
        ['UNIHAKKA INTERNATIONAL SDN BHD', 40, 30, 11],
        ['10 Mar 2018 18:24', 60, 44, 8],
        ['Co-REG: 867388-U', 60, 54, 8],
        ['12, JALAN TAMPOI 7/4,', 40, 64, 8],
        ['81200 JOHOR BAHRU T:07-2093 7358', 40, 74, 8],
        ['TAXINVOICE', 60, 90, 8],
      ],
      260,
      420,
    );
    assert.deepEqual(bound(p, 'What is the address?'), {
      value: '12, JALAN TAMPOI 7/4, 81200 JOHOR BAHRU',
      verified: false,
    });
  });

  test('a label qualified by "Incl. of GST" still binds its amount; one qualified by "Excl." is not the total', () => {
    const p = receipt([
      ['Total RM Excl. of GST', 14, 160, 9],
      ['6.89', 220, 160, 9],
      ['Total RM Incl. of GST', 14, 172, 9],
      ['7.30', 220, 172, 9],
    ]);
    assert.deepEqual(bound(p, 'What is the total amount?'), { value: '7.30', verified: true });
    const excl = receipt([
      ['Total RM Excl. of GST', 14, 160, 9],
      ['6.89', 220, 160, 9],
    ]);
    assert.equal(ask(excl, 'What is the total amount?').binding, null);
  });

  test('two different totals with equal labels: the binder says found, not verified', () => {
    const p = receipt([
      ['TOTAL', 14, 160, 9],
      ['39.80', 214, 160, 9],
      ['TOTAL', 14, 260, 9],
      ['41.20', 214, 260, 9],
    ]);
    const r = ask(p, 'What is the total?');
    assert.ok(r.binding);
    assert.equal(isVerified(r.binding), false);
    assert.ok(r.candidates.some((c) => c.normalized !== r.binding?.normalized));
  });
});

describe('dates without labels', () => {
  test('the only date on the page is the date; two different ones are only found', () => {
    const one = page([
      ['Harbor Ltd', 54, 40, 14],
      ['Thank you for your visit on 04/03/2025.', 54, 200],
    ]);
    assert.deepEqual(bound(one, 'What is the date?'), { value: '04/03/2025', verified: true });
    assert.equal(ask(one, 'What is the date?').binding?.normalized, '2025-03-04', 'Ltd: day-first');
    const two = page([
      ['Harbor Ltd', 54, 40, 14],
      ['Ordered 04/03/2025, shipped 09/03/2025.', 54, 200],
    ]);
    assert.equal(bound(two, 'What is the date?').verified, false);
  });

  test('a scanned date split by mixed marks is a misreading: found, not verified', () => {
    const scan = (text: string): TextPage => ({
      ...page([
        ['Harbor Ltd', 54, 40, 14],
        [text, 54, 200],
      ]),
      source: 'ocr',
    });
    assert.deepEqual(bound(scan('Date 24-Mar-2018'), 'What is the date?').verified, true);
    // A date does not mix a space with a dash between its parts: the space is the dash OCR lost (the answer
    // repairs the mark, so its text is not the words' own).
    const misread = ask(scan('Visited 24 Mar-2018'), 'What is the date?').binding;
    assert.deepEqual([misread?.value, isVerified(misread ?? null)], ['24-Mar-2018', false]);
    assert.equal(ask(scan('Visited 24/03 2018'), 'What is the date?').binding?.value, '24/03/2018');
  });

  test('a field that is not on the page binds nothing', () => {
    const p = page([
      ['Meeting notes', 54, 40, 14],
      ['We agreed to review the budget next week.', 54, 80],
    ]);
    assert.equal(ask(p, 'What is the invoice number?').binding, null);
    assert.equal(ask(p, 'What is the total?').binding, null);
    assert.deepEqual(
      bindAll([p], []).filter((b) => isVerified(b)),
      [],
    );
  });
});
