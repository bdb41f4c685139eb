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
