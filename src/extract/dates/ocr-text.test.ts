// OCR digit confusions are undone before parsing, one character for one, and only on OCR pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseOcrText } from './ocr-text.js';
import { extractDates } from './extract-dates.js';
import { specToTextPage } from './spec-layout.js';

test('normaliseOcrText fixes digits read as letters and keeps the length', () => {
  const cases: Array<[string, string]> = [
    ['Paid 2O25-O3-l4 in full', 'Paid 2025-03-14 in full'],
    ['due S/19/99', 'due 5/19/99'],
    ['on O6.OS.2O25', 'on 06.05.2025'],
    ['at 2O25-O3-14T1O:OO:OOZ', 'at 2025-03-14T10:00:00Z'],
    ['June S, 2007', 'June 5, 2007'],
    ['S May 2024', '5 May 2024'],
    ['the lSth day of May', 'the 15th day of May'],
    ['March 14. 2025', 'March 14, 2025'],
    ['June 15th. 2014', 'June 15th, 2014'],
    // Words stay words.
    ['Oct SOS Bob lS ISO', 'Oct SOS Bob lS ISO'],
    ['Row 3 | Jan 2010', 'Row 3 | Jan 2010'],
  ];
  for (const [input, expected] of cases) {
    const out = normaliseOcrText(input);
    assert.equal(out, expected, input);
    assert.equal(out.length, input.length);
  }
});

function page(text: string, source: 'ocr' | 'text-layer') {
  const p = specToTextPage({
    page: 1,
    width: 612,
    height: 792,
    lines: [{ text, x: 100, y: 50, size: 10, font: 'Courier' }],
  });
  return { ...p, source };
}

test('an OCR page is parsed with confusions undone; the hit keeps the OCR text and its box', () => {
  const [hit, ...rest] = extractDates(page('Paid 2O25-O3-l4 in full', 'ocr'));
  assert.equal(rest.length, 0);
  assert.ok(hit);
  assert.equal(hit.iso, '2025-03-14');
  assert.equal(hit.text, '2O25-O3-l4');
  assert.equal(hit.source, 'ocr');
  assert.deepEqual(hit.box, { page: 1, x0: 130, y0: 50, x1: 190, y1: 60 });
  // The text layer is taken as written.
  assert.deepEqual(extractDates(page('Paid 2O25-O3-l4 in full', 'text-layer')), []);
});

test("a colon, semicolon or full stop OCR read for the comma of 'October 21, 2022' is one date, answered with the comma", () => {
  for (const read of [
    'Date: October 21: 2022',
    'Date: October 21; 2022',
    'Date: October 21. 2022',
    'Date: October 21.2022 20:28',
  ]) {
    const hits = extractDates(page(read, 'ocr'));
    assert.deepEqual(
      hits.map((h) => [h.iso, h.text]),
      [['2022-10-21', 'October 21, 2022']],
      read,
    );
  }
  // A stop read for the space before the month name.
  assert.deepEqual(
    extractDates(page('Issued: 24.October 2020', 'ocr')).map((h) => [h.iso, h.text]),
    [['2020-10-24', '24 October 2020']],
  );
  // A text layer's characters are what was printed: a colon there is not a misreading, and no date.
  assert.deepEqual(extractDates(page('Date: October 21: 2022', 'text-layer')), []);
});

test("a till's compact date is read only with a time after it", () => {
  const read = (text: string, locale: 'day-first' | 'month-first' = 'day-first') =>
    extractDates(page(text, 'ocr'), { locale }).map((h) => [h.iso, h.text]);
  assert.deepEqual(read('00440010036 25032018 13:11:54 0003'), [['2018-03-25', '25032018']]);
  assert.deepEqual(read('POS 03252018 13:11', 'month-first'), [['2018-03-25', '03252018']]);
  assert.deepEqual(read('TRX 20180325 09:05'), [['2018-03-25', '20180325']]);
  // Without a time, or not a calendar date: an id.
  assert.deepEqual(read('00440010036 25032018 0003'), []);
  assert.deepEqual(read('Ref 12345678 10:30'), []);
  assert.deepEqual(read('Member 12345678'), []);
});

test('a date OCR cut into lines side by side on one row ("Jan" / "13," / "2021") is one date', () => {
  const row = (parts: Array<[string, number]>, source: 'ocr' | 'text-layer' = 'ocr') => ({
    ...specToTextPage({
      page: 1,
      width: 612,
      height: 792,
      lines: parts.map(([text, x]) => ({ text, x, y: 50, size: 10, font: 'Courier' as const })),
    }),
    source,
  });
  const [hit, ...rest] = extractDates(
    row([
      ['Jan', 100],
      ['13,', 124],
      ['2021', 148],
    ]),
  );
  assert.equal(rest.length, 0);
  assert.equal(hit?.iso, '2021-01-13');
  assert.equal(hit?.text, 'Jan 13, 2021');
  assert.deepEqual(hit?.box, { page: 1, x0: 100, y0: 50, x1: 172, y1: 60 });
  // Lines a column apart are not one row's words: "Row 3" beside "Jan 2010" is no 3 January.
  assert.deepEqual(
    extractDates(
      row([
        ['Row 3', 100],
        ['Jan 2010', 200],
      ]),
    ).map((h) => [h.iso, h.text]),
    [['2010-01', 'Jan 2010']],
  );
});
