// The failure classes real scanned receipts showed the binder, one per test, on generated pages: a currency code
// printed apart from the amount, a total whose label OCR did not read, a label run into its amount, a column's
// amount stacked over the next row's, the issuing company under a brand, a name over three lines or a spaced row.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TextPage } from '../../shared/domain.js';
import { detectLocale, extractDocumentDates } from '../dates/index.js';
import { specToTextPage, type SpecLine } from '../dates/spec-layout.js';
import { answerWithReader } from '../reader/reader.js';
import { bindField, isVerified } from './index.js';

type L = [text: string, x: number, y: number, size?: number];

function page(lines: L[], source: TextPage['source'] = 'ocr'): TextPage {
  const p = specToTextPage({
    page: 1,
    width: 260,
    height: 420,
    lines: lines.map(([text, x, y, size]): SpecLine => ({ text, x, y, size: size ?? 9, font: 'Helvetica' })),
  });
  return { ...p, source };
}

function answer(p: TextPage, question: string): { value: string | null; verified: boolean } {
  const pages = [p];
  const r = bindField(question, {
    pages,
    dates: extractDocumentDates(pages, { locale: detectLocale(pages) }),
  });
  assert.ok(r, `"${question}" is a field question`);
  return { value: r.binding?.value ?? null, verified: isVerified(r.binding) };
}

const HEAD: L[] = [
  ['MR. D.I.Y. (M) SDN BHD', 40, 30, 11],
  ['LOT 1851-A, JALAN KPB 6,', 40, 46, 8],
  ['43300 SERI KEMBANGAN, SELANGOR', 40, 56, 8],
  ['-TAX INVOICE-', 80, 70, 8],
  ['SCISSOR G/FISH', 14, 90],
  ['3.00', 220, 90],
];

describe('scanned receipts: amounts', () => {
  test('a currency code printed apart from the amount ("RM 8.60") leaves its text unsure: found on a scan', () => {
    const rows: L[] = [
      ['Total Incl. GST@6%', 14, 120],
      ['RM', 190, 120],
      ['8.60', 214, 120],
    ];
    assert.deepEqual(answer(page([...HEAD, ...rows]), 'What is the total amount?'), {
      value: '8.60',
      verified: false,
    });
    // A text layer's characters are exact; a mark inside the word is part of it.
    assert.deepEqual(answer(page([...HEAD, ...rows], 'text-layer'), 'What is the total amount?'), {
      value: '8.60',
      verified: true,
    });
    // The reader says why: the label binds it, the currency word makes its text unsure.
    const scan = page([...HEAD, ...rows]);
    const a = answerWithReader('What is the total amount?', {
      pages: [scan],
      dates: extractDocumentDates([scan], { locale: detectLocale([scan]) }),
      tables: null,
      metadataTitle: null,
    });
    assert.equal(a.trust, 'found');
    assert.match(a.trustReason ?? '', /currency code as a separate word/);
    const glued = page([...HEAD, ['Total Incl. GST@6%', 14, 120], ['RM8.60', 200, 120]]);
    assert.deepEqual(answer(glued, 'What is the total amount?'), { value: 'RM8.60', verified: true });
  });

  test('no total label read: the amount under the rounding line, verified only when cash − change agrees', () => {
    const rows: L[] = [
      ['Total Sales (Excluding GST):', 14, 120],
      ['565.50', 210, 120],
      ['Rounding Adj:', 14, 132],
      ['0.02', 220, 132],
      ['ales (Inclusive of GST):', 30, 144],
      ['599.45', 210, 144],
    ];
    assert.deepEqual(answer(page([...HEAD, ...rows]), 'What is the total amount?'), {
      value: '599.45',
      verified: false,
    });
    const paid = page([
      ...HEAD,
      ...rows,
      ['CASH', 14, 156],
      ['600.00', 210, 156],
      ['Change', 14, 168],
      ['0.55', 220, 168],
    ]);
    assert.deepEqual(answer(paid, 'What is the total amount?'), { value: '599.45', verified: true });
  });

  test('a label OCR ran into its amount is split from it ("Grand TotaiRM15.40", "Grand Tota 1RM14.20")', () => {
    for (const [line, want, before] of [
      ['Grand TotaiRM15.40', 'RM15.40', 'RM15.39'],
      ['Grand Tota 1RM14.20', 'RM14.20', 'RM14.18'],
    ] as const) {
      const p = page([...HEAD, ['Total (Incl GST, 0%)', 14, 120], [before, 200, 120], [line, 14, 140]]);
      assert.equal(answer(p, 'What is the total amount?').value, want, line);
    }
  });

  test('the total under the rounding line that the total above it rounds to wins over a better-worded label', () => {
    const p = page([
      ...HEAD,
      ['Total (Excluding GST):', 14, 120],
      ['29.26', 214, 120],
      ['GST Payable', 14, 132],
      ['1.76', 220, 132],
      ['Total (Inclusive of GST):', 14, 144],
      ['31.02', 214, 144],
      ['Rounding Adj:', 14, 156],
      ['-0.02', 214, 156],
      ['TOTAL:', 14, 172],
      ['31.00', 214, 172],
    ]);
    assert.deepEqual(answer(p, 'What is the total amount?'), { value: '31.00', verified: true });
  });

  test("a column's amount stacked over the next row's is read on the row its centre is nearer", () => {
    const p = page([
      ...HEAD,
      ['TOTAL', 14, 120],
      ['RM', 120, 119],
      ['15.15', 170, 118],
      ['Total item: 1', 14, 125],
      ['Total Qty: 1', 150, 124],
    ]);
    assert.equal(answer(p, 'What is the total amount?').value, '15.15');
  });
});

describe('scanned receipts: the issuing company', () => {
  const address: L[] = [
    ['19-1, JALAN MALINJA 2, TAMAN BUNGA RAYA,', 20, 60, 8],
    ['53100 SETAPAK, KUALA LUMPUR.', 40, 70, 8],
    ['TEL: 03-4161 8936', 60, 80, 8],
  ];
  test('the company with a legal form, not the brand or trade name printed above it', () => {
    const p = page([
      ['KIKU JAPANESE RESTAURANT', 30, 30, 11],
      ['TK DIVISION KITCHEN SDN BHD', 30, 42, 10],
      ...address,
    ]);
    assert.equal(answer(p, 'What is the company name?').value, 'TK DIVISION KITCHEN SDN BHD');
  });

  test('a name over three lines is joined upwards from its legal form; a registration number is cut', () => {
    const p = page([
      ['AIK HUAT HARDWARE', 40, 28, 10],
      ['ENTERPRISE (SETIA', 40, 39, 10],
      ['ALAM) SDN BHD', 50, 50, 10],
      ...address,
    ]);
    assert.equal(
      answer(p, 'What is the company name?').value,
      'AIK HUAT HARDWARE ENTERPRISE (SETIA ALAM) SDN BHD',
    );
    const reg = page([['99 SPEED MART S/B (S19537-X)', 30, 40, 10], ...address]);
    assert.equal(answer(reg, 'What is the company name?').value, '99 SPEED MART S/B');
  });

  test('a spaced-out row of the name is one row', () => {
    const p = page([
      ['POPULAR BOOK', 60, 28, 10],
      ['CO.', 30, 40, 10],
      ['(M)', 80, 40, 10],
      ['SDN', 130, 40, 10],
      ['BHD', 180, 40, 10],
      ...address,
    ]);
    assert.equal(answer(p, 'What is the company name?').value, 'POPULAR BOOK CO. (M) SDN BHD');
  });
});
