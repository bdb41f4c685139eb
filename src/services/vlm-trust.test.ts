// VLM answers against the values the binder reads off the sample invoice's real text layer: agreeing answers are
// verified whatever their wording (money by amount, dates by value, identifiers by their characters), a model box
// away from the evidence drops it to found, and a different value is a conflict that shows both.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { extractDocumentDates } from '../extract/dates/index.js';
import { bindField } from '../extract/fields/index.js';
import type { BoundField, DateHit, TextPage } from '../shared/domain.js';
import { vlmTrust } from './ask.js';
import { appRoot } from './paths.js';
import { testBackend } from './testing.js';
import { amountsIn, judgeVlmAnswer, valueAgrees } from './vlm-trust.js';

const tb = testBackend('doclens-vlm-trust-');

async function invoice(): Promise<{ pages: TextPage[]; dates: DateHit[] }> {
  const doc = await tb.call<{ id: string }>('documents.open', {
    path: join(appRoot(), 'assets/samples/invoice.pdf'),
  });
  const page = await tb.call<TextPage>('documents.text', { docId: doc.id, page: 1 });
  return { pages: [page], dates: extractDocumentDates([page]) };
}

function bound(question: string, ctx: { pages: TextPage[]; dates: DateHit[] }): BoundField {
  const r = bindField(question, ctx);
  assert.ok(r?.binding, `the binder binds "${question}"`);
  return r.binding;
}

test('amountsIn reads amounts written in prose, whatever the grouping and decimal marks', () => {
  assert.deepEqual(amountsIn('The total is $11,977.20.'), [11977.2]);
  assert.deepEqual(amountsIn('RM 8.20'), [8.2]);
  assert.deepEqual(amountsIn('1.234,50 EUR'), [1234.5]);
  assert.deepEqual(amountsIn('a refund of (2.00)'), [-2]);
  assert.deepEqual(amountsIn('1,234 units'), [1234]);
  assert.deepEqual(amountsIn('no amount'), []);
});

test('agreeing answers match the sample invoice’s bound date, total and invoice number by type', async () => {
  const ctx = await invoice();
  const date = bound('What is the invoice date?', ctx);
  assert.equal(date.normalized, '2025-03-14');
  for (const a of ['March 14, 2025', 'The invoice date is 14 March 2025.', '2025-03-14', '03/14/2025'])
    assert.ok(valueAgrees(a, date), a);
  for (const a of ['April 13, 2025', '2025-04-13', 'March 2025', '']) assert.ok(!valueAgrees(a, date), a);

  const total = bound('What is the total due?', ctx);
  assert.equal(total.normalized, '11977.20');
  for (const a of ['$11,977.20', 'The total due is 11977.2 USD', 'USD 11.977,20'])
    assert.ok(valueAgrees(a, total), a);
  for (const a of ['$11,090.00', '$887.20', 'eleven thousand']) assert.ok(!valueAgrees(a, total), a);

  const number = bound('What is the invoice number?', ctx);
  assert.equal(number.value, 'INV-2025-0314');
  for (const a of ['INV-2025-0314', 'The invoice number is INV 2025 0314.', 'inv-2025-0314'])
    assert.ok(valueAgrees(a, number), a);
  for (const a of ['INV-2025-0315', '2025-0314x']) assert.ok(!valueAgrees(a, number), a);

  // The model's box: on the value → verified; elsewhere on the page → found; another value → conflict.
  const on = { ...date.box, label: 'date' };
  const away = { ...date.box, x0: 20, x1: 60, y0: 700, y1: 712, label: 'date' };
  assert.equal(judgeVlmAnswer('March 14, 2025', [on], date).trust, 'verified');
  assert.equal(judgeVlmAnswer('March 14, 2025', [], date).trust, 'verified');
  assert.equal(judgeVlmAnswer('March 14, 2025', [away], date).trust, 'found');
  const c = judgeVlmAnswer('April 13, 2025', [on], date);
  assert.equal(c.trust, 'conflict');
  assert.match(c.reason, /March 14, 2025/);
});

test('vlmTrust on the sample invoice: verified when the model states the bound value, conflict with both boxes when not', async () => {
  const { pages, dates } = await invoice();
  const ok = vlmTrust('What is the invoice date?', { text: 'March 14, 2025', boxes: [] }, pages, dates);
  assert.equal(ok.trust, 'verified');
  assert.equal(ok.field?.normalized, '2025-03-14');
  assert.equal(ok.boxes.length, 1);

  const wrong = vlmTrust('What is the invoice date?', { text: 'April 13, 2025', boxes: [] }, pages, dates);
  assert.equal(wrong.trust, 'conflict');
  assert.equal(wrong.conflict?.value, 'March 14, 2025');
  // Both places: the model's value where it is printed (the due date) and the bound invoice date.
  assert.deepEqual(
    wrong.boxes.map((b) => b.label),
    ['model: April 13, 2025', 'page: March 14, 2025'],
  );
  assert.ok(wrong.boxes[0]!.y0 > wrong.boxes[1]!.y0, 'the due date is printed under the invoice date');

  // Not a field question: only whether the words are on the page.
  const found = vlmTrust(
    'Who designed the logo?',
    { text: 'Harbor Lane Design Co.', boxes: [] },
    pages,
    dates,
  );
  assert.equal(found.trust, 'found');
  const absent = vlmTrust('Who designed the logo?', { text: 'Someone Else Ltd', boxes: [] }, pages, dates);
  assert.equal(absent.trust, 'unverified');
});
