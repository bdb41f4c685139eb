// extractDates: values (ISO, precision, exact text) for each supported format, boxes in page space, locale,
// reference year, ranges, times, wrapped lines. Pages are laid out in Courier 10 pt at x = 100, so character
// i of a line spans x = 100 + 6i … 100 + 6(i + 1): the expected boxes below are exact arithmetic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DateHit } from '../../shared/domain.js';
import type { TextPage } from '../../shared/domain.js';
import * as chrono from 'chrono-node';
import {
  DROPPED_CHRONO_PARTS,
  extractDates,
  extractDocumentDates,
  type ExtractDatesOptions,
} from './extract-dates.js';
import { specToTextPage } from './spec-layout.js';

const X = 100;
const CH = 6;

/** A page with one Courier 10 pt line per string, lines 20 pt apart from y = 50. */
function page(...lines: string[]): TextPage {
  return specToTextPage({
    page: 3,
    width: 612,
    height: 792,
    lines: lines.map((text, i) => ({ text, x: X, y: 50 + 20 * i, size: 10, font: 'Courier' as const })),
  });
}

function dates(text: string, opts?: ExtractDatesOptions): Array<[string, string, string]> {
  return extractDates(page(...text.split('\n')), opts).map((h) => [h.iso, h.precision, h.text]);
}

/** Box of characters [start, end) of line `line` of page(). */
function charBox(line: number, start: number, end: number) {
  return { page: 3, x0: X + CH * start, y0: 50 + 20 * line, x1: X + CH * end, y1: 60 + 20 * line };
}

function assertBox(actual: DateHit['box'], expected: DateHit['box']) {
  for (const k of ['x0', 'y0', 'x1', 'y1'] as const) {
    assert.ok(Math.abs(actual[k] - expected[k]) < 1e-9, `${k}: ${actual[k]} ≠ ${expected[k]}`);
  }
  assert.equal(actual.page, expected.page);
}

test('reads each supported format to an ISO date with its precision and exact text', () => {
  const cases: Array<[string, string, DateHit['precision'], string?]> = [
    ['March 14, 2025', '2025-03-14', 'day'],
    ['14 March 2025', '2025-03-14', 'day'],
    ['14th of March, 2025', '2025-03-14', 'day'],
    ['Mar. 14, 2025', '2025-03-14', 'day'],
    ['Sept. 14, 2025', '2025-09-14', 'day'],
    ['March 14th, 2025', '2025-03-14', 'day'],
    ['MARCH 14, 2025', '2025-03-14', 'day'],
    ['14 MAR 2025', '2025-03-14', 'day'],
    ['2025-03-14', '2025-03-14', 'day'],
    ['14/03/2025', '2025-03-14', 'day'],
    ['03/14/2025', '2025-03-14', 'day'],
    ['3/14/25', '2025-03-14', 'day'],
    ['14.03.2025', '2025-03-14', 'day'],
    ['14.03.25', '2025-03-14', 'day'],
    ['14-Mar-2025', '2025-03-14', 'day'],
    ['03-14-2025', '2025-03-14', 'day'],
    ['2025/03/14', '2025-03-14', 'day'],
    ['2025.03.14', '2025-03-14', 'day'],
    ['the 14th day of March, 2025', '2025-03-14', 'day', '14th day of March, 2025'],
    ['2025-03-14T10:00:00Z', '2025-03-14', 'day'],
    ['March 2025', '2025-03', 'month'],
    ['Mar. 2025', '2025-03', 'month'],
    ['03/2025', '2025-03', 'month'],
    ['2025-03', '2025-03', 'month'],
    ['Q1 2025', '2025', 'year'],
    ['FY 2025', '2025', 'year'],
    ['FY2025', '2025', 'year'],
    ['Fiscal year 2024', '2024', 'year'],
    ['Year: 2019', '2019', 'year'],
  ];
  for (const [text, iso, precision, source] of cases) {
    assert.deepEqual(dates(`Date ${text} end`), [[iso, precision, source ?? text]], text);
  }
});

test('a hit carries page, source and the union box of its words', () => {
  const [hit, ...rest] = extractDates(page('Invoice date: 14 March 2025 (net 30)'));
  assert.equal(rest.length, 0);
  assert.ok(hit);
  assert.doesNotThrow(() => DateHit.parse(hit));
  assert.equal(hit.source, 'text-layer');
  assert.equal(hit.text, '14 March 2025');
  assertBox(hit.box, charBox(0, 14, 27));
});

test('a match inside a word is cut by characters: "(2025-03-14)" boxes the date, not the brackets', () => {
  const [hit] = extractDates(page('Filed (2025-03-14) today'));
  assert.ok(hit);
  assert.equal(hit.text, '2025-03-14');
  assertBox(hit.box, charBox(0, 7, 17));
});

test('the time after a date is not part of its text or box; a timestamp keeps its written date', () => {
  const [hit] = extractDates(page('2025-03-14 10:42 INFO started'));
  assert.ok(hit);
  assert.equal(hit.text, '2025-03-14');
  assertBox(hit.box, charBox(0, 0, 10));
  assert.deepEqual(dates('at 2025-03-14T23:30:00-05:00 and 2025-03-15T01:30:00+09:00'), [
    ['2025-03-14', 'day', '2025-03-14T23:30:00-05:00'],
    ['2025-03-15', 'day', '2025-03-15T01:30:00+09:00'],
  ]);
  assert.deepEqual(dates('Mon 14 Mar 2025 10:00 GMT'), [['2025-03-14', 'day', '14 Mar 2025']]);
});

test('a weekday is not part of the date; a weekday alone is no date', () => {
  assert.deepEqual(dates('Friday, March 14, 2025'), [['2025-03-14', 'day', 'March 14, 2025']]);
  assert.deepEqual(dates('see you on Monday'), []);
  assert.deepEqual(dates('he may 12 2025 ways'), []);
  assert.deepEqual(dates('on May 12 2025'), [['2025-05-12', 'day', 'May 12 2025']]);
});

test('ranges give one hit per end, each with its own text and box', () => {
  const hits = extractDates(page('Stay 5-7 March 2025 only'));
  assert.deepEqual(
    hits.map((h) => [h.iso, h.text]),
    [
      ['2025-03-05', '5'],
      ['2025-03-07', '7 March 2025'],
    ],
  );
  // "5-7" is one word: each end gets its characters of it.
  assertBox(hits[0]?.box ?? charBox(0, 0, 0), charBox(0, 5, 6));
  assertBox(hits[1]?.box ?? charBox(0, 0, 0), charBox(0, 7, 19));
  assert.deepEqual(dates('Jan 5-7, 2025'), [
    ['2025-01-05', 'day', 'Jan 5'],
    ['2025-01-07', 'day', '7, 2025'],
  ]);
  assert.deepEqual(dates('from March 3 to March 5, 2025'), [
    ['2025-03-03', 'day', 'March 3'],
    ['2025-03-05', 'day', 'March 5, 2025'],
  ]);
  // The first end of a range across New Year takes the year before.
  assert.deepEqual(dates('Dec 28 – Jan 3, 2026'), [
    ['2025-12-28', 'day', 'Dec 28'],
    ['2026-01-03', 'day', 'Jan 3, 2026'],
  ]);
  // Month ranges: the first month a year earlier when it comes later in the year.
  assert.deepEqual(dates('Jan–Mar 2025'), [
    ['2025-01', 'month', 'Jan'],
    ['2025-03', 'month', 'Mar 2025'],
  ]);
  assert.deepEqual(
    dates('Nov - Feb 2025').map((d) => d[0]),
    ['2024-11', '2025-02'],
  );
  assert.deepEqual(dates('3 May 2025 to 5 June 2025'), [
    ['2025-05-03', 'day', '3 May 2025'],
    ['2025-06-05', 'day', '5 June 2025'],
  ]);
});

test('a date wrapped onto the next line is one hit whose box spans both lines', () => {
  const hits = extractDates(page('Please pay by 14 March', '2025 at the latest.'));
  assert.equal(hits.length, 1);
  const [hit] = hits;
  assert.ok(hit);
  assert.equal(hit.iso, '2025-03-14');
  assert.equal(hit.text, '14 March 2025');
  // Union of "14 March" (x 184–232, line 1) and "2025" (x 100–124, line 2).
  assertBox(hit.box, { page: 3, x0: X, y0: 50, x1: X + 22 * CH, y1: 80 });
  // A number ending one line is not the day of a month-year starting the next.
  assert.deepEqual(dates('Total 14\nMarch 2025 statement'), [['2025-03', 'month', 'March 2025']]);
  // Lines far apart do not join.
  const far = specToTextPage({
    page: 1,
    width: 612,
    height: 792,
    lines: [
      { text: 'due 14 March', x: X, y: 50, size: 10, font: 'Courier' },
      { text: '2025 report', x: X, y: 200, size: 10, font: 'Courier' },
    ],
  });
  assert.deepEqual(extractDates(far), []);
  // A wrapped date sorts by where it starts on its first line.
  assert.deepEqual(
    dates('On 2025-01-02 and 14 March\n2025 we met').map((d) => d[2]),
    ['2025-01-02', '14 March 2025'],
  );
});

test('locale decides ambiguous numeric dates; unambiguous ones read the same either way', () => {
  assert.deepEqual(dates('04/03/2025', { locale: 'month-first' }), [['2025-04-03', 'day', '04/03/2025']]);
  assert.deepEqual(dates('04/03/2025', { locale: 'day-first' }), [['2025-03-04', 'day', '04/03/2025']]);
  assert.deepEqual(dates('4.3.2025', { locale: 'day-first' }), [['2025-03-04', 'day', '4.3.2025']]);
  assert.deepEqual(dates('25/03/2025', { locale: 'month-first' }), [['2025-03-25', 'day', '25/03/2025']]);
  assert.deepEqual(dates('03/25/2025', { locale: 'day-first' }), [['2025-03-25', 'day', '03/25/2025']]);
  // Dotted dates read day first whatever the locale (it speaks for slashes and dashes).
  assert.deepEqual(dates('on 12.10.2020 and 10/12/2020'), [
    ['2020-10-12', 'day', '12.10.2020'],
    ['2020-10-12', 'day', '10/12/2020'],
  ]);
  assert.deepEqual(dates('on 12.10.2020', { locale: 'month-first' }), [['2020-10-12', 'day', '12.10.2020']]);
  assert.deepEqual(dates('on 03.25.2020'), [['2020-03-25', 'day', '03.25.2020']]);
  // auto: 25/03/2025 on the page proves day-first, so 04/03/2025 is 4 March.
  assert.deepEqual(dates('Issued 25/03/2025\nPaid 04/03/2025', { locale: 'auto' }), [
    ['2025-03-25', 'day', '25/03/2025'],
    ['2025-03-04', 'day', '04/03/2025'],
  ]);
  assert.deepEqual(dates('Issued 03/25/2025\nPaid 04/03/2025'), [
    ['2025-03-25', 'day', '03/25/2025'],
    ['2025-04-03', 'day', '04/03/2025'],
  ]);
});

test('a month-name date without a year needs referenceYear; a numeric one is never a date', () => {
  assert.deepEqual(dates('see you on 14 March'), []);
  assert.deepEqual(dates('see you on 14 March', { referenceYear: 2024 }), [
    ['2024-03-14', 'day', '14 March'],
  ]);
  assert.deepEqual(dates('Dec 25 holiday', { referenceYear: 2024 }), [['2024-12-25', 'day', 'Dec 25']]);
  assert.deepEqual(dates('mix 3/4 cup, 12/05 shift', { referenceYear: 2024 }), []);
});

test('years outside the plausible range are dropped unless the range is widened', () => {
  assert.deepEqual(dates('born 31 Dec 1899'), []);
  assert.deepEqual(dates('until Jan 1, 2101'), []);
  assert.deepEqual(dates('born 31 Dec 1899', { yearRange: [1800, 2100] }), [
    ['1899-12-31', 'day', '31 Dec 1899'],
  ]);
});

test('a bare year, relative dates and bare times are not dates', () => {
  for (const text of [
    'in 2019',
    'since 1998',
    'tomorrow',
    'next Monday',
    'in 3 days',
    '3 days ago',
    'at 10:30',
    'last week',
  ]) {
    assert.deepEqual(dates(text), [], text);
  }
});

test('cells of a table row are not read across their gap', () => {
  const row = specToTextPage({
    page: 1,
    width: 612,
    height: 792,
    lines: [{ text: 'Row 3\tJan 2010\tapproved', x: X, y: 50, size: 10, font: 'Courier' }],
  });
  assert.deepEqual(
    extractDates(row).map((h) => [h.iso, h.text]),
    [['2010-01', 'Jan 2010']],
  );
  // The same words with ordinary spacing are one date.
  assert.deepEqual(dates('Row 3 Jan 2010 approved'), [['2010-01-03', 'day', '3 Jan 2010']]);
});

test('several dates on a line come back in reading order; a page without text gives none', () => {
  assert.deepEqual(
    dates('14/03/2025, 15/03/2025 and 16/03/2025').map((d) => d[0]),
    ['2025-03-14', '2025-03-15', '2025-03-16'],
  );
  assert.deepEqual(extractDates({ ...page('14 March 2025'), source: 'none' }), []);
  assert.equal(extractDates(page('14 March 2025'))[0]?.box.page, 3);
});

test('dates glued by a dash or slash are both read; a label before a month-name date does not hide it', () => {
  assert.deepEqual(dates('2025-03-14/2025-03-16'), [
    ['2025-03-14', 'day', '2025-03-14'],
    ['2025-03-16', 'day', '2025-03-16'],
  ]);
  assert.deepEqual(
    dates('14/03/2025-16/03/2025').map((d) => d[0]),
    ['2025-03-14', '2025-03-16'],
  );
  assert.deepEqual(dates('Rev. 14 March 2025'), [['2025-03-14', 'day', '14 March 2025']]);
  assert.deepEqual(dates('Rev. 14.03.2025'), []);
});

test('the chrono parsers and refiners left out are still there by name (a rename would bring them back)', () => {
  const config = chrono.en.configuration.createConfiguration(true, false);
  const names = new Set([...config.parsers, ...config.refiners].map((p) => p.constructor.name));
  assert.deepEqual(
    [...DROPPED_CHRONO_PARTS].filter((n) => !names.has(n)),
    [],
  );
});

test('extractDocumentDates decides the order once for the document', () => {
  const p1 = page('Issued 04/03/2025');
  const p2 = { ...page('Due 28/03/2025'), page: 4 };
  assert.deepEqual(
    extractDocumentDates([p1, p2]).map((h) => [h.box.page, h.iso]),
    [
      [3, '2025-03-04'],
      [4, '2025-03-28'],
    ],
  );
  // Page by page, the first page has no evidence and reads month first.
  assert.equal(extractDates(p1)[0]?.iso, '2025-04-03');
  assert.equal(extractDocumentDates([p1, p2], { locale: 'month-first' })[0]?.iso, '2025-04-03');
});
