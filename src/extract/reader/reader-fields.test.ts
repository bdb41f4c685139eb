// The reader's field answers on the sample invoice, digital (pdf.js text layer) and scanned (the bundled OCR,
// through a real backend): each field right, verified, and boxed where the samples' ground truth puts it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createBackend, type Backend } from '../../services/backend.js';
import { appRoot } from '../../services/paths.js';
import type { DocumentInfo, TextPage } from '../../shared/domain.js';
import type { Rect } from '../../shared/geometry.js';
import { detectLocale, extractDocumentDates } from '../dates/index.js';
import { answerWithReader } from './reader.js';

const samples = join(appRoot(), 'assets', 'samples');
interface Truth {
  file: string;
  fields: Array<{ name: string; text: string; box: Rect }>;
}
const truth = (JSON.parse(readFileSync(join(samples, 'samples.json'), 'utf8')) as { documents: Truth[] })
  .documents;

const QUESTIONS: Array<[field: string, question: string]> = [
  ['total', 'What is the total amount?'],
  ['invoiceDate', 'What is the date?'],
  ['invoiceNumber', 'What is the invoice number?'],
  ['billedTo', 'Who is the invoice addressed to?'],
  ['company', 'What is the company name?'],
  ['tax', 'How much is the sales tax?'],
  ['subtotal', 'What is the subtotal?'],
  ['dueDate', 'When is the due date?'],
];

/** Intersection over the smaller box: the answer's box lies on the printed value (OCR boxes are a little loose). */
function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / Math.min((a.x1 - a.x0) * (a.y1 - a.y0), (b.x1 - b.x0) * (b.y1 - b.y0));
}

describe('reader field answers on the sample invoice', () => {
  let backend: Backend;
  let dir: string;
  const pages = new Map<string, TextPage[]>();
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'doclens-reader-fields-'));
    backend = await createBackend({ dataDir: join(dir, 'data') });
    for (const file of ['invoice.pdf', 'invoice-scanned.pdf']) {
      const opened = await backend.call('documents.open', { path: join(samples, file) });
      assert.ok(opened.ok, file);
      const info = opened.value as DocumentInfo;
      const text = await backend.call('documents.text', { docId: info.id, page: 1 });
      assert.ok(text.ok, file);
      pages.set(file, [text.value as TextPage]);
    }
  });
  after(async () => {
    await backend.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  for (const file of ['invoice.pdf', 'invoice-scanned.pdf']) {
    test(`${file}: total, date, number, recipient, vendor, tax, subtotal, due date — right, verified, boxed`, () => {
      const p = pages.get(file) ?? [];
      assert.equal(p[0]?.source, file === 'invoice.pdf' ? 'text-layer' : 'ocr');
      const dates = extractDocumentDates(p, { locale: detectLocale(p) });
      const fields = truth.find((d) => d.file === file)?.fields ?? [];
      for (const [name, question] of QUESTIONS) {
        const want = fields.find((f) => f.name === name);
        assert.ok(want, name);
        const a = answerWithReader(question, { pages: p, dates, tables: null, metadataTitle: null });
        assert.equal(a.text, want.text, `${file} ${question}`);
        assert.equal(a.trust, 'verified', `${file} ${question}: ${a.trustReason ?? ''}`);
        assert.equal(a.verified, true);
        assert.ok(a.field, question);
        const box = a.boxes[0];
        assert.ok(
          box && overlap(box, want.box) > 0.6,
          `${file} ${question}: box ${JSON.stringify(box)} on ${JSON.stringify(want.box)}`,
        );
      }
    });
  }

  for (const file of ['invoice.pdf', 'invoice-scanned.pdf']) {
    test(`${file}: line items by row and by column, and what is said when there is no such row or column`, () => {
      const p = pages.get(file) ?? [];
      const ask = (q: string) =>
        answerWithReader(q, { pages: p, dates: [], tables: null, metadataTitle: null });
      for (const [q, want] of [
        ['How much was the brand identity workshop?', '$2,900.00'],
        ['What is the unit price of the print-ready stationery pack?', '$640.00'],
        ['How many hours of project management?', '14'],
        ['How much do I owe?', '$11,977.20'],
      ] as const) {
        const a = ask(q);
        assert.equal(a.text, want, `${file} ${q}`);
        assert.equal(a.trust, 'verified', `${file} ${q}: ${a.trustReason ?? ''}`);
      }
      assert.match(ask('What is the unit price of the illustration set?').text, /^\$85\.00$/);
      assert.equal(
        ask('How much was the espresso machine?').text,
        'No line "espresso machine" with an amount was found on this page.',
      );
      assert.equal(
        ask('What is the unit cost of the espresso machine?').text,
        'No "unit cost" column over a line "espresso machine" was found on this page.',
      );
      assert.equal(
        ask('What is the hourly rate of project management?').trust === 'verified',
        false,
        'no "hourly rate" column is printed',
      );
    });
  }

  test('a field the invoice does not print is not answered as verified', () => {
    const p = pages.get('invoice.pdf') ?? [];
    const a = answerWithReader('What is the order number?', {
      pages: p,
      dates: [],
      tables: null,
      metadataTitle: null,
    });
    assert.notEqual(a.trust, 'verified');
  });
});
