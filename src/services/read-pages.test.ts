// Progress and stop of single-document extract calls and asks through the real backend: a page-by-page
// extract.progress / ask.progress stream that ends at N of N, and extract.stop ending a run between pages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { AppEvent } from '../shared/contract.js';
import type { DocumentInfo } from '../shared/domain.js';
import { testBackend } from './testing.js';

const events: AppEvent[] = [];
const tb = testBackend('doclens-progress-', (b) => b.onEvent((e) => events.push(e)));

/** A PDF of `n` text pages, page i dated 2024-03-(i mod 28 + 1). */
async function datedPdf(n: number): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < n; i++) {
    const page = pdf.addPage([400, 300]);
    page.drawText(`Statement ${i + 1} dated 2024-03-${String((i % 28) + 1).padStart(2, '0')}`, {
      x: 40,
      y: 240,
      size: 14,
      font,
    });
    page.drawText('Please keep this page for your records and pay within thirty days.', {
      x: 40,
      y: 200,
      size: 10,
      font,
    });
  }
  return pdf.save();
}

test('extract.dates with a runId reports every page, in order of completion, ending at N of N', async () => {
  const doc = await tb.call<DocumentInfo>('documents.upload', {
    name: 'dated.pdf',
    bytes: await datedPdf(12),
  });
  events.length = 0;
  const r = await tb.call<{ dates: unknown[] }>('extract.dates', { docId: doc.id, runId: 'run-dates' });
  assert.equal(r.dates.length, 12);
  const progress = events.flatMap((e) => (e.type === 'extract.progress' ? [e.payload] : []));
  assert.equal(progress.length, 13, 'a 0-of-12 report, then one per page');
  assert.deepEqual(progress[0], { runId: 'run-dates', done: 0, total: 12, page: null, source: null });
  assert.deepEqual(
    progress.map((p) => p.done),
    Array.from({ length: 13 }, (_, i) => i),
  );
  assert.deepEqual(
    progress
      .slice(1)
      .map((p) => p.page ?? 0)
      .sort((a, b) => a - b),
    Array.from({ length: 12 }, (_, i) => i + 1),
  );
  assert.ok(progress.every((p) => p.runId === 'run-dates' && p.total === 12));
  assert.ok(progress.slice(1).every((p) => p.source === 'text-layer'));
  // Without a runId nothing is reported.
  events.length = 0;
  await tb.call('extract.dates', { docId: doc.id });
  assert.equal(events.filter((e) => e.type === 'extract.progress').length, 0);
});

test('extract.stop ends a tables run between pages with "cancelled"; stopping an unknown run says false', async () => {
  const doc = await tb.call<DocumentInfo>('documents.upload', {
    name: 'long.pdf',
    bytes: await datedPdf(40),
  });
  events.length = 0;
  const stop: { reply: Promise<unknown> | null } = { reply: null };
  const off = tb.backend.onEvent((e) => {
    if (e.type === 'extract.progress' && e.payload.done === 1 && !stop.reply)
      stop.reply = tb.call('extract.stop', { runId: 'run-tables' });
  });
  const r = await tb.backend.call('extract.tables', { docId: doc.id, runId: 'run-tables' });
  off();
  assert.ok(!r.ok, 'the stopped run still answered');
  assert.equal(r.error.code, 'cancelled');
  assert.deepEqual(await stop.reply, { stopped: true });
  const read = events.filter((e) => e.type === 'extract.progress').length - 1;
  assert.ok(read < 40, `all ${read} pages were read before the stop took effect`);
  assert.deepEqual(await tb.call('extract.stop', { runId: 'run-tables' }), { stopped: false });
  // The document still extracts afterwards (pages read before the stop are kept).
  const again = await tb.call<{ tables: unknown[] }>('extract.tables', { docId: doc.id });
  assert.ok(Array.isArray(again.tables));
});

test('an ask reports reading its pages before it answers', async () => {
  const doc = await tb.call<DocumentInfo>('documents.upload', { name: 'ask.pdf', bytes: await datedPdf(3) });
  events.length = 0;
  const { askId } = await tb.call<{ askId: string }>('ask.start', {
    docId: doc.id,
    question: 'Extract all dates mentioned.',
    scope: { kind: 'document' },
    engine: 'reader',
  });
  await new Promise<void>((resolve) => {
    const check = () =>
      events.some((e) => (e.type === 'ask.done' || e.type === 'ask.error') && e.payload.askId === askId);
    if (check()) return resolve();
    const off = tb.backend.onEvent(() => {
      if (check()) {
        off();
        resolve();
      }
    });
  });
  const progress = events.flatMap((e) =>
    e.type === 'ask.progress' && e.payload.askId === askId ? [e.payload] : [],
  );
  assert.deepEqual(
    progress.map((p) => `${p.done}/${p.total}`),
    ['0/3', '1/3', '2/3', '3/3'],
  );
  const doneAt = events.findIndex((e) => e.type === 'ask.done');
  const lastProgress = events.findLastIndex((e) => e.type === 'ask.progress');
  assert.ok(doneAt > lastProgress, 'progress came after the answer');
});
