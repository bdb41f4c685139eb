// detectLocale: unambiguous numeric dates decide, month-name order is the fallback hint, month-first the
// default; evidence anywhere in the document settles every page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectLocale, localeEvidence } from './locale.js';
import { specToTextPage } from './spec-layout.js';

function page(n: number, ...lines: string[]) {
  return specToTextPage({
    page: n,
    width: 612,
    height: 792,
    lines: lines.map((text, i) => ({ text, x: 50, y: 50 + 14 * i, size: 10, font: 'Helvetica' as const })),
  });
}

test('an unambiguous numeric date decides the order', () => {
  assert.equal(detectLocale([page(1, 'Paid 25/03/2025')]), 'day-first');
  assert.equal(detectLocale([page(1, 'Paid 03/25/2025')]), 'month-first');
  assert.equal(detectLocale([page(1, 'Paid 25.03.2025')]), 'day-first');
  assert.equal(detectLocale([page(1, 'Paid 3-25-25')]), 'month-first');
});

test('evidence on a later page settles an ambiguous first page', () => {
  const pages = [page(1, 'Issued 04/03/2025'), page(2, 'Due 28/03/2025')];
  assert.equal(detectLocale(pages), 'day-first');
  assert.equal(detectLocale(pages.slice(0, 1)), 'month-first');
});

test('the majority wins; month-name order is only a tie-break; month-first is the default', () => {
  assert.equal(detectLocale([page(1, '25/03/2025 and 13/01/2025', 'but 03/25/2025')]), 'day-first');
  assert.equal(detectLocale([page(1, 'Signed 14 March 2025, paid 04/03/2025')]), 'day-first');
  assert.equal(detectLocale([page(1, 'Signed March 14, 2025, paid 04/03/2025')]), 'month-first');
  assert.equal(detectLocale([page(1, '14 March 2025', '03/25/2025')]), 'month-first');
  assert.equal(detectLocale([page(1, 'no dates here')]), 'month-first');
  assert.equal(detectLocale([]), 'month-first');
});

test('localeEvidence counts each kind and ignores versions and invalid fields', () => {
  const ev = localeEvidence([
    page(1, '25/03/2025 03/25/2025 04/03/2025', 'v1.25.3.2025 32/01/2025 13/13/2025', '14 March 2025'),
  ]);
  assert.deepEqual(ev, {
    dayFirst: 1,
    monthFirst: 1,
    dayFirstNames: 1,
    monthFirstNames: 0,
    dayFirstWords: 0,
    monthFirstWords: 0,
  });
});

test("a country's words decide when no numeric date does, before the order of month names", () => {
  // The UK report class: month names written both ways, one ambiguous numeric date, a plc in Leeds.
  const uk = page(
    1,
    'Northwind Instruments plc',
    'Published October 7, 2025; period 1 July 2025 to 30 September 2025',
    'audited accounts follow on 12/11/2025; Sep 22, 2025; 19 August 2025',
  );
  assert.equal(detectLocale([uk]), 'day-first');
  assert.equal(detectLocale([page(1, 'Total £1,200.00 due 04/03/2025')]), 'day-first');
  assert.equal(detectLocale([page(1, 'Tel +60 3-7845 6155, due 04/03/2025')]), 'day-first');
  assert.equal(
    detectLocale([page(1, 'Acme Robotics Inc., Cambridge, MA 02139', 'due 04/03/2025')]),
    'month-first',
  );
  assert.equal(detectLocale([page(1, 'Call +1 (503) 555-0147 by 04/03/2025')]), 'month-first');
  // Numeric proof still wins over words.
  assert.equal(detectLocale([page(1, 'Initech Ltd, London', 'paid 03/25/2025')]), 'month-first');
  const ev = localeEvidence([page(1, 'Wayne Foods Ltd, Leeds LS1 4AP, colour £5.00', 'Hooli Labs Inc. LLC')]);
  assert.equal(ev.dayFirstWords, 4);
  assert.equal(ev.monthFirstWords, 2);
});
