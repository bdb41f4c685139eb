// The reader engine and answer verification on the real sample documents (pdf.js text layer, and OCR for
// the scan), checked against the samples' ground truth.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createDocumentEngine } from '../../documents/index.js';
import type { DocumentEngine } from '../../documents/index.js';
import { appRoot } from '../../services/paths.js';
import type { TextPage } from '../../shared/domain.js';
import { iou } from '../../shared/geometry.js';
import type { Rect } from '../../shared/geometry.js';
import { extractDates } from '../dates/index.js';
import { verifyAnswer } from '../verify/verify.js';
import { NEEDS_VLM, answerWithReader, classify } from './reader.js';

const samples = join(appRoot(), 'assets', 'samples');
interface Truth {
  file: string;
  dates: Array<{ text: string; iso: string; box: Rect & { page: number } }>;
  fields: Array<{ name: string; text: string; box: Rect }>;
}
const truth = (JSON.parse(readFileSync(join(samples, 'samples.json'), 'utf8')) as { documents: Truth[] })
  .documents;
const invoiceTruth = truth.find((d) => d.file === 'invoice.pdf');

describe('reader engine on the sample invoice', () => {
  let engine: DocumentEngine;
  let invoice: TextPage;
  let report: TextPage;
  before(async () => {
    engine = createDocumentEngine({ poolSize: 1 });
    const a = await engine.open(join(samples, 'invoice.pdf'));
    invoice = await a.text(1);
    const b = await engine.open(join(samples, 'report.pdf'));
    report = await b.text(1);
  });
  after(async () => {
    await engine.destroy();
  });
  const ctx = (pages: TextPage[]) => ({
    pages,
    dates: pages.flatMap((p) => extractDates(p)),
    tables: null,
    metadataTitle: null,
  });

  test('classifies questions conservatively', () => {
    assert.deepEqual(classify('What is the invoice date?'), { kind: 'field', label: 'invoice date' });
    assert.deepEqual(classify('When is the due date?'), { kind: 'field', label: 'due date' });
    assert.deepEqual(classify('Find "Acme Robotics"'), { kind: 'find', phrase: 'Acme Robotics' });
    assert.equal(classify('Extract all dates mentioned.').kind, 'dates');
    assert.equal(classify('What tables are present? Describe their contents.').kind, 'tables');
    assert.equal(classify('What is the title of this document?').kind, 'title');
    assert.equal(classify('Summarize the main points.').kind, 'unsupported');
    assert.equal(classify('What is the trend?').kind, 'unsupported');
  });

  test('labelled values: the answer is the value and its box is where the page shows it', () => {
    const invoiceDate = invoiceTruth?.dates.find((d) => d.iso === '2025-03-14');
    assert.ok(invoiceDate);
    const a = answerWithReader('What is the invoice date?', ctx([invoice]));
    assert.equal(a.text, 'March 14, 2025');
    assert.equal(a.verified, true);
    assert.equal(a.boxes.length, 1);
    const box = a.boxes[0];
    assert.ok(box && iou(box, invoiceDate.box) > 0.7, JSON.stringify(box));
    assert.equal(answerWithReader('When is the due date?', ctx([invoice])).text, '2025-04-13');
    assert.equal(answerWithReader('What is the invoice number?', ctx([invoice])).text, 'INV-2025-0314');
  });

  test('dates, title, find, and the honest "needs a model" answer', () => {
    const dates = answerWithReader('Extract all dates mentioned.', ctx([invoice]));
    assert.deepEqual(
      dates.boxes.map((b) => b.label).sort(),
      (invoiceTruth?.dates ?? []).map((d) => d.iso).sort(),
    );
    assert.equal(
      answerWithReader('What is the title of this document?', ctx([report])).text,
      'Quarterly Operations Report',
    );
    const found = answerWithReader('find "Acme Robotics"', ctx([invoice]));
    assert.equal(found.trust, 'found', 'found text is on the page; nothing binds it to a field');
    assert.equal(found.verified, false);
    assert.match(found.text, /^Found 1 match/);
    const missing = answerWithReader('find "Globex"', ctx([invoice]));
    assert.equal(missing.verified, false);
    assert.equal(missing.trust, 'unverified');
    assert.equal(missing.boxes.length, 0);
    assert.equal(answerWithReader('Summarize the main points.', ctx([invoice])).text, NEEDS_VLM);
  });

  test('verification snaps answers to the page, compares dates and money by value, rejects what is absent', () => {
    const total = verifyAnswer('$11,977.20', [invoice]);
    assert.equal(total.verified, true);
    assert.equal(total.matched, '$11,977.20');
    const iso = verifyAnswer('2025-03-14', [invoice]);
    assert.equal(iso.verified, true);
    assert.equal(iso.matched, 'March 14, 2025');
    const fuzzy = verifyAnswer('Harbour Lane Design Co', [invoice]);
    assert.equal(fuzzy.verified, true, 'one-letter variant still verifies');
    assert.equal(verifyAnswer('Globex Corporation', [invoice]).verified, false);
    assert.equal(verifyAnswer('$12,977.20', [invoice]).verified, false, 'a different amount must not verify');
    assert.equal(verifyAnswer('2025-03-15', [invoice]).verified, false);
  });
});
