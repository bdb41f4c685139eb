// The ask flow with no model installed, through createBackend: the reader engine answers from the sample
// invoice's words, tables and dates, streams its answer and points at the page.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AppEvent } from '../shared/contract.js';
import type { Answer, DocumentInfo } from '../shared/domain.js';
import type { Envelope } from '../shared/errors.js';
import { createBackend, type Backend } from './backend.js';
import { samplesDir } from './paths.js';
import { iou } from '../shared/geometry.js';

interface Truth {
  documents: Array<{
    file: string;
    dates: Array<{
      iso: string;
      text: string;
      page: number;
      box: { x0: number; y0: number; x1: number; y1: number };
    }>;
  }>;
}

async function call<T>(backend: Backend, channel: string, input: unknown): Promise<T> {
  const res = (await backend.call(channel, input)) as Envelope<T>;
  if (!res.ok) throw new Error(`${channel}: ${res.error.code}: ${res.error.message}`);
  return res.value;
}

/** Starts a question and resolves with the streamed text and the final answer. */
function askAndWait(
  backend: Backend,
  docId: string,
  question: string,
): Promise<{ streamed: string; answer: Answer }> {
  return new Promise((resolve, reject) => {
    let askId: string | null = null;
    const seen: AppEvent[] = [];
    let streamed = '';
    const handle = (e: AppEvent) => {
      if (e.type === 'ask.token' && e.payload.askId === askId) streamed += e.payload.text;
      if (e.type === 'ask.done' && e.payload.askId === askId) {
        off();
        resolve({ streamed, answer: e.payload.answer });
      }
      if (e.type === 'ask.error' && e.payload.askId === askId) {
        off();
        reject(new Error(e.payload.error.message));
      }
    };
    const off = backend.onEvent((e) => (askId === null ? seen.push(e) : handle(e)));
    call<{ askId: string }>(backend, 'ask.start', { docId, question, scope: { kind: 'page', page: 1 } }).then(
      (r) => {
        askId = r.askId;
        for (const e of seen) handle(e);
      },
      reject,
    );
  });
}

describe('ask with the reader engine (no model installed)', () => {
  let backend: Backend;
  let dataDir: string;
  let invoice: DocumentInfo;
  const truth = (
    JSON.parse(readFileSync(join(samplesDir(), 'samples.json'), 'utf8')) as Truth
  ).documents.find((d) => d.file === 'invoice.pdf');

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'doclens-ask-'));
    backend = await createBackend({ dataDir });
    invoice = await call<DocumentInfo>(backend, 'documents.openSample', { name: 'invoice' });
  });
  after(async () => {
    await backend.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a labelled value is answered, verified and boxed where it is printed', async () => {
    const date = truth?.dates.find((d) => d.iso === '2025-03-14');
    assert.ok(date);
    const { streamed, answer } = await askAndWait(backend, invoice.id, 'What is the invoice date?');
    assert.equal(answer.text, 'March 14, 2025');
    assert.equal(streamed, answer.text);
    assert.equal(answer.engine, 'reader');
    assert.equal(answer.verified, true);
    assert.equal(answer.boxes.length, 1);
    const b = answer.boxes[0];
    assert.ok(b);
    // samples.json boxes are the glyphs' ink; the text layer's are the font's ascent to descent.
    assert.ok(iou(b, date.box) > 0.7, `box ${JSON.stringify(b)} vs ${JSON.stringify(date.box)}`);
  });

  test('"What tables are present?" describes the line-items table and boxes it', async () => {
    const { answer } = await askAndWait(
      backend,
      invoice.id,
      'What tables are present? Describe their contents.',
    );
    assert.equal(answer.engine, 'reader');
    assert.match(answer.text, /table/i);
    assert.match(answer.text, /Description/);
    assert.ok(answer.boxes.length >= 1, 'no table box');
    // The ruled line-items table spans most of the page's width below the addresses.
    const widest = answer.boxes.reduce((a, b) => (b.x1 - b.x0 > a.x1 - a.x0 ? b : a));
    assert.ok(widest.x1 - widest.x0 > 300, `table box ${JSON.stringify(widest)}`);
  });

  test('an open question says a vision-language model is needed', async () => {
    const { answer } = await askAndWait(backend, invoice.id, 'Summarize the main points.');
    assert.equal(answer.engine, 'reader');
    assert.match(answer.text, /vision-language model/i);
    assert.equal(answer.boxes.length, 0);
  });
});
