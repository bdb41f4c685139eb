// Look-alike filters: each category is rejected for the right reason, a real date beside it survives, and
// the end-to-end extractor returns nothing for the look-alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rejectLookAlike, type RejectReason } from './filters.js';
import { extractDates } from './extract-dates.js';
import { specToTextPage } from './spec-layout.js';

function extract(text: string) {
  const page = specToTextPage({
    page: 1,
    width: 612,
    height: 792,
    lines: [{ text, x: 50, y: 50, size: 10, font: 'Helvetica' }],
  });
  return extractDates(page).map((h) => h.text);
}

/** The reason rejectLookAlike gives for `candidate` where it occurs in `line`. */
function reason(line: string, candidate: string): RejectReason | null {
  const start = line.indexOf(candidate);
  assert.ok(start >= 0, `${candidate} not in ${line}`);
  return rejectLookAlike(line, start, start + candidate.length);
}

test('rejectLookAlike names the filter that fired', () => {
  const cases: Array<[string, string, RejectReason | null]> = [
    ['build v1.2.2025 shipped', '1.2.2025', 'version'],
    ['version 1.12.20 is out', '1.12.20', 'version'],
    ['release 10.12.20', '10.12.20', 'version'],
    ['upgrade to 2.10.30 now', '2.10.30', 'version'],
    ['host 10.12.20.25 down', '10.12.20', 'number-chain'],
    ['code 01-02-2025-33', '01-02-2025', 'number-chain'],
    ['tel 01-02-2025', '01-02-2025', 'phone'],
    ['+1 03 12 2025', '03 12 2025', 'phone'],
    ['call 555 03/12/2025 1234', '03/12/2025', 'phone'],
    ['INV2025-03-14', '2025-03-14', 'attached'],
    ['2025-03-14a', '2025-03-14', 'attached'],
    ['Invoice #03/14/2025', '03/14/2025', 'identifier'],
    ['ISBN 12-03-2025', '12-03-2025', 'identifier'],
    ['€12.03.2025', '12.03.2025', 'money'],
    ['12.03.25 EUR', '12.03.25', 'money'],
    ['up 12/03/2025%', '12/03/2025', 'percentage'],
    ['see p. 12/2025', '12/2025', 'page-ref'],
    ['section 1.2.2025', '1.2.2025', 'page-ref'],
    // Survivors: a date after a label, in brackets, or at the end of a sentence.
    ['Invoice date: 2025-03-14.', '2025-03-14', null],
    ['(14/03/2025)', '14/03/2025', null],
    ['Invoice 14 March 2025', '14 March 2025', null],
    ['paid $20 on 03/14/2025', '03/14/2025', null],
    ['2025-03-14 10:00', '2025-03-14', null],
  ];
  for (const [line, candidate, expected] of cases) assert.equal(reason(line, candidate), expected, line);
});

test('look-alikes give no date end to end', () => {
  const lookAlikes = [
    // versions
    'v1.2.3',
    'version 2.10.3',
    '2.10.3',
    'v1.2.2025',
    'release 1.12.20',
    // phone numbers
    '+1 (555) 123-4567',
    '555-1234',
    'Tel: 020 7946 0958',
    'fax 12-11-2025',
    // ISBNs and identifiers
    'ISBN 978-3-16-148410-0',
    'ISBN-13: 978-0-12-345678-9',
    'INV-2025-0314',
    'Order #2025-03-14',
    // money
    '$1,234.56',
    '12.05 EUR',
    '€3.10',
    // ratios, scores, times
    '3/4',
    '16:9',
    'final score 3-1',
    'at 10:30',
    '10:30 PM',
    // page references, percentages
    'page 12',
    'pp. 3-12',
    'p. 12/30',
    '12.5%',
    // invalid dates
    '2025-02-30',
    '13/13/2025',
    '31/04/2025',
    '2025-13-01',
    // IPs, coordinates, dimensions
    '10.12.20.25',
    '51.5074, -0.1278',
    '210 x 297 mm',
  ];
  for (const text of lookAlikes) assert.deepEqual(extract(`Note ${text} here`), [], text);
});

test('a real date beside a look-alike survives', () => {
  assert.deepEqual(extract('Call 555-1234 before 14 March 2025.'), ['14 March 2025']);
  assert.deepEqual(extract('Total $1,234.56 due 03/14/2025'), ['03/14/2025']);
  assert.deepEqual(extract('build v1.2.3 deployed 2025-03-14'), ['2025-03-14']);
  assert.deepEqual(extract('won 3-1 on 14.03.2025'), ['14.03.2025']);
});

test('on OCR text a lower-case word glued to a full date is set apart; upper-case codes stay glued', () => {
  assert.equal(reason('met on22/04/2008 here', '22/04/2008'), 'attached');
  assert.equal(rejectLookAlike('met on22/04/2008 here', 6, 16, { ocr: true }), null);
  assert.equal(rejectLookAlike('shipped 2025-03-14was', 8, 18, { ocr: true }), null);
  assert.equal(rejectLookAlike('INV2025-03-14', 3, 13, { ocr: true }), 'attached');
  // Without a four-digit year the glue still counts (ab12/05/25 is a code).
  assert.equal(rejectLookAlike('ab12/05/25', 2, 10, { ocr: true }), 'attached');
});
