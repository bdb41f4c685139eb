// The Ask answer path with a VLM that draws a box (issue 14): the scripted tiny Qwen2-VL (models/tiny/
// scripted-model.ts) always answers "$3.49" with a box at the top of the page, and generated PDF pages put the reader's
// total where that box lands, elsewhere, or with another value — verified, found and conflict, each with its boxes.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { ensureScriptedModel } from '../../models/tiny/scripted-model.js';
import type { AppEvent } from '../shared/contract.js';
import type { Answer, DocumentInfo } from '../shared/domain.js';
import type { Envelope } from '../shared/errors.js';
import type { LabelledBox } from '../shared/geometry.js';
import { createBackend, type Backend } from './backend.js';
import { createModelStore } from './models/index.js';

/**
 * "$3.49" in a Qwen2-VL box from (0 %, 0.1 %) to (62.5 %, 7.8 %) of the image, a strip along the top: no token repeats
 * (the bigram machine needs that), so the value's digits and the box's share none. (The value has cents: the
 * reader does not bind a bare "$7" as the total of such a page.)
 */
const ANSWER = '<|object_ref_start|>$3.49<|object_ref_end|><|box_start|>(0,1),(625 ,78)<|box_end|>';
const TEXT = '$3.49(0,1),(625 ,78)';
const PAGE = { width: 400, height: 300 };
/** The model's box in page space (PDF points, origin top-left): the 0–1000 units are fractions of the page. */
const MODEL_BOX = {
  page: 1,
  x0: 0,
  y0: 0.001 * PAGE.height,
  x1: 0.625 * PAGE.width,
  y1: 0.078 * PAGE.height,
};

/** A one-page receipt: the total line at `top` pt from the page's top edge, the value at x = 150 pt. */
async function receipt(path: string, total: string, top: number): Promise<void> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage([PAGE.width, PAGE.height]);
  const line = (text: string, x: number, y: number) =>
    page.drawText(text, { x, y: PAGE.height - y, size: 16, font });
  line('Total:', 40, top);
  line(total, 150, top);
  const other = top < 150 ? 140 : 60;
  line('Corner Cafe', 40, other);
  line('Thank you for your visit', 40, other + 30);
  await writeFile(path, await pdf.save());
}

async function call<T>(backend: Backend, channel: string, input: unknown): Promise<T> {
  const res = (await backend.call(channel, input)) as Envelope<T>;
  if (!res.ok) throw new Error(`${channel}: ${res.error.code}: ${res.error.message}`);
  return res.value;
}

/** ask.start with the VLM, resolved with the ask.done answer (or rejected with the ask.error). */
function askVlm(backend: Backend, docId: string, question: string): Promise<Answer> {
  const early: AppEvent[] = [];
  let askId: string | null = null;
  return new Promise<Answer>((resolve, reject) => {
    const handle = (e: AppEvent) => {
      if ((e.payload as { askId?: string }).askId !== askId) return;
      if (e.type === 'ask.done') {
        off();
        resolve(e.payload.answer);
      } else if (e.type === 'ask.error') {
        off();
        reject(new Error(`ask.error: ${e.payload.error.code}: ${e.payload.error.message}`));
      }
    };
    const off = backend.onEvent((e) => (askId === null ? early.push(e) : handle(e)));
    call<{ askId: string }>(backend, 'ask.start', {
      docId,
      question,
      scope: { kind: 'page', page: 1 },
      engine: 'vlm',
    }).then((r) => {
      askId = r.askId;
      for (const e of early.splice(0)) handle(e);
    }, reject);
  });
}

function assertNear(got: LabelledBox | undefined, want: Omit<LabelledBox, 'label'>, what: string): void {
  assert.ok(got, `${what}: no box`);
  for (const k of ['x0', 'y0', 'x1', 'y1'] as const)
    assert.ok(
      Math.abs(got[k] - want[k]) < 0.5,
      `${what} ${k}: ${got[k]} ≠ ${want[k]} (${JSON.stringify(got)})`,
    );
  assert.equal(got.page, want.page);
}

describe('Ask with a VLM that draws a box (scripted tiny Qwen2-VL)', () => {
  let dir = '';
  let backend: Backend;
  const docs: Record<string, string> = {};

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'doclens-scripted-ask-'));
    const store = createModelStore({ dataDir: join(dir, 'data') });
    await store.import(await ensureScriptedModel({ family: 'qwen2-vl', answer: ANSWER }), {
      id: 'scripted-qwen2-vl',
      source: 'generated',
      dtype: 'fp32',
    });
    await store.close();
    backend = await createBackend({ dataDir: join(dir, 'data') });
    await call(backend, 'settings.set', { threads: 1 });
    for (const [name, total, top] of [
      ['under-the-box', '$3.49', 18],
      ['elsewhere', '$3.49', 270],
      ['other-value', '$9.99', 18],
    ] as const) {
      const path = join(dir, `${name}.pdf`);
      await receipt(path, total, top);
      docs[name] = (await call<DocumentInfo>(backend, 'documents.open', { path })).id;
    }
  });
  after(async () => {
    await backend?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the total where the model points: verified, its box overlapping the reader-bound "$3.49"', async () => {
    const a = await askVlm(backend, docs['under-the-box']!, 'What is the total?');
    assert.equal(a.engine, 'vlm');
    assert.equal(a.raw, ANSWER);
    assert.equal(a.text, TEXT);
    assert.equal(a.trust, 'verified', a.trust_reason ?? '');
    assert.equal(a.verified, true);
    assert.equal(a.field?.field, 'total');
    assert.equal(a.field?.value, '$3.49');
    // The shown box is the bound value's; the model's box (checked to overlap it) lies around it.
    assert.equal(a.boxes.length, 1);
    const bound = a.boxes[0]!;
    assert.ok(
      bound.x0 >= MODEL_BOX.x0 &&
        bound.x1 <= MODEL_BOX.x1 &&
        bound.y0 >= MODEL_BOX.y0 &&
        bound.y1 <= MODEL_BOX.y1,
      `the bound "$3.49" ${JSON.stringify(bound)} lies inside the model's box ${JSON.stringify(MODEL_BOX)}`,
    );
    assert.ok(bound.x0 > 145 && bound.x1 < 195, `"$3.49" is drawn at x 150–190: ${JSON.stringify(bound)}`);
  });

  test('the same total elsewhere on the page: found, and the model’s own box shown in page space', async () => {
    const a = await askVlm(backend, docs.elsewhere!, 'What is the total?');
    assert.equal(a.raw, ANSWER);
    assert.equal(a.trust, 'found', a.trust_reason ?? '');
    assert.match(a.trust_reason ?? '', /pointed elsewhere/);
    assert.equal(a.boxes.length, 1);
    assertNear(a.boxes[0], MODEL_BOX, "the model's box");
    assert.equal(a.boxes[0]!.label, '$3.49');
  });

  test('another total under the box: conflict, showing the model’s box and the page’s value', async () => {
    const a = await askVlm(backend, docs['other-value']!, 'What is the total?');
    assert.equal(a.trust, 'conflict', a.trust_reason ?? '');
    assert.equal(a.verified, false);
    assert.equal(a.conflict?.value, '$9.99');
    assert.equal(a.boxes.length, 2);
    assertNear(a.boxes[0], MODEL_BOX, "the model's box");
    assert.equal(a.boxes[0]!.label, `model: ${TEXT}`);
    assert.equal(a.boxes[1]!.label, 'page: $9.99');
    assert.ok(a.boxes[1]!.x0 > 145 && a.boxes[1]!.x1 < 195, JSON.stringify(a.boxes[1]));
  });
});
