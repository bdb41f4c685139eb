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

describe('scanned receipts: the address block', () => {
  const addr = (lines: L[]) => answer(page(lines), 'What is the address?').value;

  test('the first address line ending with a comma is the address, not the name above it', () => {
    const p = page([
      ['YHM Aeon Tebrau City', 70, 28, 10],
      ['S117, Second Floor,', 70, 40, 9],
      ['Aeon Tebrau City,', 72, 51, 9],
      ['1, Jalan Desa Tebrau,', 68, 62, 9],
      ['81100 Johor Bahru, Johor.', 60, 73, 9],
      ['002105827328', 80, 84, 9],
      ['* TAX INVOICE *', 70, 98, 9],
    ]);
    assert.equal(answer(p, 'What is the company name?').value, 'YHM Aeon Tebrau City');
    assert.equal(
      answer(p, 'What is the address?').value,
      'S117, Second Floor, Aeon Tebrau City, 1, Jalan Desa Tebrau, 81100 Johor Bahru, Johor.',
    );
  });

  test('registration and tax lines before the address are skipped, a misread "Company No:" line too', () => {
    assert.equal(
      addr([
        ['Farmasi Maluri S/B(587969-U)', 40, 28, 10],
        ['GST N0: 000342237184 (ID: 5033)', 30, 40, 9],
        ['23, Jln Burung Jentayu, Tmn Bukit', 25, 51, 9],
        ['Maluri, Kepong, 52100 KL', 50, 62, 9],
        ['TAX INVOICE', 80, 76, 9],
      ]),
      '23, Jln Burung Jentayu, Tmn Bukit Maluri, Kepong, 52100 KL',
    );
    assert.equal(
      addr([
        ['Shell ISNI PETRO TRADING', 20, 28, 10],
        ['Conpany No: 002643278-A', 20, 40, 9],
        ['LOT 2685 JLN GENTING KLANG', 20, 51, 9],
        ['53300 KL', 20, 62, 9],
        ['Site 1066', 120, 62, 9],
        ['Telephone 03- 40212008', 20, 73, 9],
      ]),
      'LOT 2685 JLN GENTING KLANG 53300 KL Site 1066',
    );
  });

  test('a branch name above the tax line is not the address; the block under it is', () => {
    assert.equal(
      addr([
        ['TF Value-Mart Sdn Bhd (482123-U)', 30, 28, 10],
        ['Bentong-2', 90, 40, 9],
        ['GST Reg No 000184401920', 50, 51, 9],
        ['Jalan Tras Batu 1', 70, 62, 9],
        ['28700 Bentong', 72, 73, 9],
        ['Pahang Darul Makmur.', 62, 84, 9],
        ['Tel: 09-2201388', 70, 95, 9],
      ]),
      'Jalan Tras Batu 1 28700 Bentong Pahang Darul Makmur.',
    );
  });

  test('the address ends on the postcode line or the state and country under it, not a mall or "CARRY OUT"', () => {
    const head: L[] = [
      ['POPULAR BOOK CO. (M) SDN BHD', 30, 28, 10],
      ['No 8, Jalan 7/118B, Desa Tun Razak', 25, 40, 9],
      ['56000 Kuala Lumpur, Malaysia', 35, 51, 9],
    ];
    assert.equal(
      addr([...head, ['AEON SHAH ALAM', 60, 62, 9], ['Te1: 03-55235214', 60, 73, 9]]),
      'No 8, Jalan 7/118B, Desa Tun Razak 56000 Kuala Lumpur, Malaysia',
    );
    assert.equal(
      addr([
        ["DOMINO'S PIZZA SDN BHD", 40, 28, 10],
        ['No.12, Jalan Permas Jaya 10,', 30, 40, 9],
        ['Bandar Baru Permas Jaya, 81750 Masai', 20, 51, 9],
        ['Johor', 80, 62, 9],
        ['CARRY OUT NOW', 30, 80, 9],
      ]),
      'No.12, Jalan Permas Jaya 10, Bandar Baru Permas Jaya, 81750 Masai Johor',
    );
    // An address still open (a comma ends its line) or a state misread by a letter goes on; a lot number is no postcode.
    assert.equal(
      addr([
        ['SINNATHAMBY HOLDINGS SDN. BHD.', 30, 28, 10],
        ['NO.17, 18 & 41, JALAN BESAR,', 30, 40, 9],
        ['39100 BRINCHANG,', 30, 51, 9],
        ['CAMERON HIGHLANDS,', 30, 62, 9],
        ['PAHANG', 30, 73, 9],
        ['GST Reg.: 002120876032', 30, 84, 9],
      ]),
      'NO.17, 18 & 41, JALAN BESAR, 39100 BRINCHANG, CAMERON HIGHLANDS, PAHANG',
    );
    assert.equal(
      addr([
        ['99 SPEED MART S/B (519537-X)', 30, 28, 10],
        ['LOT P.T. 33198, BATU 4', 40, 40, 9],
        ['JALAN KAPAR, MUKIM KAPAR', 40, 51, 9],
        ['42100 KLANG, Selangar', 45, 62, 9],
        ['1181-TMN SRI SINAR', 50, 73, 9],
        ['GST ID. N0: 000181747712', 40, 84, 9],
      ]),
      'LOT P.T. 33198, BATU 4 JALAN KAPAR, MUKIM KAPAR 42100 KLANG, Selangar 1181-TMN SRI SINAR',
    );
  });

  test('"Cash & Carry" is a trade name, not a payment line', () => {
    const p = page([
      ['Segi Cash & Carry Sdn. Bhd.', 40, 28, 10],
      ['(317041-W)', 70, 40, 9],
      ['PT17920, SEKSYEN U9,', 50, 51, 9],
      ['40150 SHAH ALAM,', 55, 62, 9],
      ['SELANGOR DARUL EHSAN.', 45, 73, 9],
      ['GST Reg. No.: 001951645696', 30, 84, 9],
    ]);
    assert.equal(answer(p, 'What is the company name?').value, 'Segi Cash & Carry Sdn. Bhd.');
    assert.equal(
      answer(p, 'What is the address?').value,
      'PT17920, SEKSYEN U9, 40150 SHAH ALAM, SELANGOR DARUL EHSAN.',
    );
  });
});

test("a colon OCR read after the issuer's name is not part of it", () => {
  const p = page([
    ['Pioneer Kitchen Inc.:', 20, 28, 12],
    ['23 Oak Avenue, Suite 3', 20, 44, 9],
    ['Denver, CO 80202', 20, 55, 9],
  ]);
  assert.equal(answer(p, 'What is the company name?').value, 'Pioneer Kitchen Inc.');
});

test('an amount with a digit OCR read as a letter ("RMI11.90") is one amount, answered with the digit', () => {
  const p = page([
    ...HEAD,
    ['Amt Psid excl. GST: RM 105.57', 40, 120],
    ['AMT PAID incl GST: RMI11.90', 40, 132],
    ['GST AMT: RM5.33', 60, 144],
  ]);
  assert.deepEqual(answer(p, 'What is the total amount?'), { value: 'RM111.90', verified: true });
});

test('an amount with its 4s read as A ("$3,9AA.56", "$A,181.23.") is the amount; a word is not', () => {
  const p = page([
    ...HEAD,
    ['Net amount', 14, 120],
    ['$3,9AA.56.', 196, 120],
    ['Total payable', 14, 132],
    ['$A,181.23.', 196, 132],
  ]);
  assert.equal(answer(p, 'What is the subtotal?').value, '$3,944.56');
  assert.equal(answer(p, 'What is the total amount?').value, '$4,181.23');
  // Without a currency mark and thousands groups two letters are too many to be digits.
  const words = page([...HEAD, ['Total payable', 14, 132], ['BA.AA', 196, 132]]);
  assert.notEqual(answer(words, 'What is the total amount?').value, '84.44');
});

test('a US ZIP or a UK postcode ends the address as a Malaysian postcode line does', () => {
  for (const [city, outlet] of [
    ['DENVER, CO 80202', 'KL FESTIVAL CITY MALL'],
    ['LEEDS LS1 4AP', 'OUTLET: MID VALLEY'],
  ] as const) {
    const p = page([
      ['SUMMIT BAKERY CORP.', 60, 28, 11],
      ['384 HIGH STREET, SUITE 11', 50, 44, 8],
      [city, 70, 55, 8],
      [outlet, 60, 66, 8],
      ['TEL: 03-5523521', 60, 77, 8],
    ]);
    assert.equal(answer(p, 'What is the address?').value, `384 HIGH STREET, SUITE 11 ${city}`);
  }
});

test("a total label whose amount was not read, a tax summary's 'Net Amt' under the payment lines: cash − change", () => {
  const p = page([
    ...HEAD,
    ['SR 6 254.72', 14, 110],
    ['270.00', 212, 110],
    ['Total RM', 14, 124],
    ['Cash', 14, 136],
    ['-300.00', 206, 136],
    ['Change in RM', 14, 148],
    ['30.00', 216, 148],
    ['Net. Amt', 60, 166],
    ['GST', 130, 166],
    ['Amount', 190, 166],
    ['254.72', 60, 178],
    ['15.28', 130, 178],
    ['270.00', 190, 178],
  ]);
  assert.deepEqual(answer(p, 'What is the total amount?'), { value: '270.00', verified: false });
});

test('a unit number in the address ("Unit 2.05") is no amount ending it; an item row under the header is', () => {
  const p = page([
    ['WATSONS SDN BHD', 60, 28, 11],
    ['Unit 2.05, Level 2, Mid Valley,', 40, 44, 8],
    ['59200 Kuala Lumpur', 60, 55, 8],
    ['22241 NS CUT SCISSORS 18.00 S', 20, 70, 8],
  ]);
  assert.equal(answer(p, 'What is the address?').value, 'Unit 2.05, Level 2, Mid Valley, 59200 Kuala Lumpur');
});

test('a stop OCR read after the cents ("$236.67.") is not part of the amount', () => {
  const p = page([
    ...HEAD,
    ['Net amount', 14, 120],
    ['$3,944.56.', 196, 120],
    ['Sales tax (6%)', 14, 132],
    ['$236.67.', 204, 132],
    ['Total payable', 14, 144],
    ['$4,181.23.', 196, 144],
  ]);
  assert.equal(answer(p, 'What is the total amount?').value, '$4,181.23');
  assert.equal(answer(p, 'How much is the tax?').value, '$236.67');
});

test('a place printed as the only address line ("USJ Summit, Subang (SS)") is the address when no other follows', () => {
  const lines: L[] = [
    ["Watson's Personal Care Stores Sdn Bhd", 20, 28, 10],
    ['Company Reg No.:289892V', 50, 40, 8],
    ['GST Reg No. 000947339264', 50, 51, 8],
    ['USJ Summit, Subang (SS)', 50, 62, 8],
    ['22241 NS CUT SCISSORS', 14, 80, 8],
    ['18.00 S', 200, 80, 8],
  ];
  assert.equal(answer(page(lines), 'What is the address?').value, 'USJ Summit, Subang (SS)');
  // A line with an address's signs under it is the address.
  const withStreet: L[] = [
    ...lines.slice(0, 4),
    ['12, Jalan USJ 1,', 50, 73, 8],
    ['47600 Subang Jaya', 50, 84, 8],
  ];
  assert.equal(answer(page(withStreet), 'What is the address?').value, '12, Jalan USJ 1, 47600 Subang Jaya');
});

test("an 'Address' label under a 'Bill to' is the customer's: the address question means the issuer's", () => {
  const head: L[] = [
    ['ELKEN SERVICE SDN BHD (310184-X)', 30, 28, 10],
    ['No 2-1 Jalan 3/137B Batu 5', 40, 42, 8],
    ['Jalan Kelang Lama 58000 Kuala Lumpur', 30, 52, 8],
    ['Tel: 603-79859377', 50, 62, 8],
    ['TAX INVOICE', 90, 80, 8],
  ];
  const customer: L[] = [
    ['BILL TO', 10, 110, 8],
    [': WONG PEI HAR', 70, 110, 8],
    ['ADDRESS', 10, 121, 8],
    [': 2920/1, JALAN JINJANG INDAH 1,', 70, 121, 8],
    ['52000 KEPONG, KUALA LUMPUR.', 76, 131, 8],
    ['TOTAL', 10, 160, 8],
    ['250.00', 200, 160, 8],
  ];
  assert.equal(
    answer(page([...head, ...customer]), 'What is the address?').value,
    'No 2-1 Jalan 3/137B Batu 5 Jalan Kelang Lama 58000 Kuala Lumpur',
  );
  // Without the recipient's label the labelled address is the page's own answer.
  const labelled = customer.filter(([t]) => t !== 'BILL TO' && t !== ': WONG PEI HAR');
  assert.equal(
    answer(page([...head, ...labelled]), 'What is the address?').value,
    '2920/1, JALAN JINJANG INDAH 1, 52000 KEPONG, KUALA LUMPUR.',
  );
});

test('a name whose legal form OCR misread, with its registration number after it, is the issuer; "LOT P.T, 33198" its address', () => {
  const p = page([
    ['99 SFEEO MRRT 5/9 (519S37-X)', 30, 28, 10],
    ['LOT P.T, 33198, BATU 4', 40, 42, 8],
    ['JALAN KAPAR, MUKIM KAPAR', 40, 52, 8],
    ['42100 KLANG, SELANGOR', 40, 62, 8],
    ['GST ID NO: 000181747712', 40, 72, 8],
  ]);
  assert.equal(answer(p, 'What is the company name?').value, '99 SFEEO MRRT 5/9');
  assert.equal(
    answer(p, 'What is the address?').value,
    'LOT P.T, 33198, BATU 4 JALAN KAPAR, MUKIM KAPAR 42100 KLANG, SELANGOR',
  );
});

test('"Sdn Bhd" with one letter misread is the legal form; a misread registration number after it is cut', () => {
  const name = (first: string) =>
    answer(
      page([
        [first, 30, 28, 10],
        ['NO 12, JALAN SS 2/4,', 40, 42, 8],
        ['47300 PETALING JAYA', 40, 52, 8],
      ]),
      'What is the company name?',
    ).value;
  assert.equal(name('GARDENIA BAKERIES (KL) SDN EHD'), 'GARDENIA BAKERIES (KL) SDN BHD');
  assert.equal(name('BEMED (SP) SON. BHD.'), 'BEMED (SP) SDN. BHD.');
  assert.equal(name('Segi Cash & Carry Sdn. Rhd'), 'Segi Cash & Carry Sdn. Bhd');
  assert.equal(name('MOONLIGHT CAKE HOUSE SDN DHD 8OZTZ5-U'), 'MOONLIGHT CAKE HOUSE SDN BHD');
  // Both words misread is not the form; a name's own "SON" before another word stays.
  assert.equal(name('KEDAI SON EHD TRADING'), 'KEDAI SON EHD TRADING');
  assert.equal(name('LIM & SON TRADING'), 'LIM & SON TRADING');
});
