// Reviews through the real backend: saved per content hash, checked against the page, kept across a restart
// (a new backend on the same data folder) and found again when the same bytes are opened from another path.
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DocumentInfo } from '../../shared/domain.js';
import type { Review } from '../../shared/reviews.js';
import { createBackend } from '../backend.js';
import { samplesDir } from '../paths.js';
import { testBackend } from '../testing.js';

const tb = testBackend('doclens-reviews-');
const invoice = join(samplesDir(), 'invoice.pdf');

const dateBox = { page: 1, label: '', x0: 490.41, y0: 103.18, x1: 558, y1: 111.97 };

test('accept, correct and reject are stored per content hash and survive a restart', async () => {
  const doc = await tb.call<DocumentInfo>('documents.open', { path: invoice });
  const base = { docId: doc.id, page: 1, kind: 'ask', engine: 'reader', model: null, trust: 'verified' };
  const accepted = await tb.call<Review>('reviews.save', {
    ...base,
    question: 'What is the invoice date?',
    verdict: 'accepted',
    answer: { text: 'March 14, 2025', boxes: [dateBox] },
  });
  assert.equal(accepted.verdict, 'accepted');
  assert.equal(accepted.docSha256, doc.sha256);
  assert.deepEqual(accepted.pageSize, { width: 612, height: 792 });
  assert.match(accepted.id, /^r_[0-9a-f]{12}$/);

  // A box dragged past the page's edge is clamped to it; corners given in any order are ordered.
  const corrected = await tb.call<Review>('reviews.save', {
    ...base,
    question: 'Who is the vendor?',
    verdict: 'corrected',
    answer: { text: 'Acme', boxes: [{ ...dateBox, label: 'vendor' }] },
    corrected: {
      text: 'Harbor Lane Design Co.',
      boxes: [{ page: 1, label: 'vendor', x0: 200, y0: 60, x1: -10, y1: 40 }],
    },
  });
  assert.deepEqual(corrected.corrected?.boxes, [
    { page: 1, label: 'vendor', x0: 0, y0: 40, x1: 200, y1: 60 },
  ]);

  const rejected = await tb.call<Review>('reviews.save', {
    ...base,
    question: 'What is the total?',
    verdict: 'rejected',
    answer: { text: '$1.00', boxes: [] },
  });
  // Updating a review keeps its id and creation time.
  const changed = await tb.call<Review>('reviews.save', {
    ...base,
    reviewId: rejected.id,
    question: 'What is the total?',
    verdict: 'accepted',
    answer: { text: '$1.00', boxes: [] },
  });
  assert.equal(changed.id, rejected.id);
  assert.equal(changed.createdAt, rejected.createdAt);
  assert.equal(changed.verdict, 'accepted');

  const listed = await tb.call<Review[]>('reviews.list', { docId: doc.id });
  assert.deepEqual(
    listed.map((r) => [r.question, r.verdict]),
    [
      ['What is the invoice date?', 'accepted'],
      ['Who is the vendor?', 'corrected'],
      ['What is the total?', 'accepted'],
    ],
  );
  const onDisk = JSON.parse(
    await readFile(join(tb.dir, 'data', 'reviews', `${doc.sha256}.json`), 'utf8'),
  ) as { path: string; reviews: unknown[] };
  assert.equal(onDisk.path, invoice);
  assert.equal(onDisk.reviews.length, 3);

  // A fresh backend on the same data folder, the same bytes under another name and path: same reviews.
  const copy = join(tb.dir, 'renamed.pdf');
  await copyFile(invoice, copy);
  const again = await createBackend({ dataDir: join(tb.dir, 'data') });
  try {
    const call = async <T>(channel: string, input: unknown): Promise<T> => {
      const r = await again.call(channel, input);
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      return r.value as T;
    };
    const reopened = await call<DocumentInfo>('documents.open', { path: copy });
    const l = await call<Review[]>('reviews.list', { docId: reopened.id });
    assert.deepEqual(
      l.map((x) => x.id),
      listed.map((x) => x.id),
    );
    const removed = await call<{ removed: boolean }>('reviews.remove', {
      docId: reopened.id,
      reviewId: accepted.id,
    });
    assert.equal(removed.removed, true);
    assert.equal((await call<Review[]>('reviews.list', { docId: reopened.id })).length, 2);
  } finally {
    await again.dispose();
  }
});

test('bad reviews are refused with a reason naming the document', async () => {
  const doc = await tb.call<DocumentInfo>('documents.open', { path: invoice });
  const base = {
    docId: doc.id,
    page: 1,
    kind: 'find',
    engine: 'vlm',
    question: 'logo',
    answer: { text: '', boxes: [] },
  };
  // A Find answer that pointed (a zero-size box) can be accepted as it was.
  const point = await tb.call<Review>('reviews.save', {
    ...base,
    verdict: 'accepted',
    answer: { text: 'logo', boxes: [{ page: 1, label: 'logo', x0: 40, y0: 50, x1: 40, y1: 50 }] },
  });
  assert.deepEqual(point.answer.boxes, [{ page: 1, label: 'logo', x0: 40, y0: 50, x1: 40, y1: 50 }]);
  await assert.rejects(
    tb.call('reviews.save', { ...base, verdict: 'corrected' }),
    /corrected review needs the corrected answer/,
  );
  await assert.rejects(
    tb.call('reviews.save', {
      ...base,
      verdict: 'corrected',
      corrected: { text: '', boxes: [{ page: 1, label: 'logo', x0: 700, y0: 10, x1: 800, y1: 20 }] },
    }),
    /invoice\.pdf: corrected box 1 has no area on page 1/,
  );
  await assert.rejects(
    tb.call('reviews.save', {
      ...base,
      verdict: 'corrected',
      corrected: { text: '', boxes: [{ page: 2, label: 'logo', x0: 1, y0: 1, x1: 9, y1: 9 }] },
    }),
    /box 1 is on page 2, the review is of page 1/,
  );
  await assert.rejects(
    tb.call('reviews.save', { ...base, page: 3, verdict: 'accepted' }),
    /page 3 does not exist/,
  );
  await assert.rejects(
    tb.call('reviews.save', { ...base, verdict: 'accepted', reviewId: 'r_nope' }),
    /has no review r_nope/,
  );
});

test('a damaged review file is reported with its path', async () => {
  const doc = await tb.call<DocumentInfo>('documents.open', { path: join(samplesDir(), 'report.pdf') });
  const file = join(tb.dir, 'data', 'reviews', `${doc.sha256}.json`);
  await tb.call('reviews.save', {
    docId: doc.id,
    page: 1,
    kind: 'ask',
    engine: 'reader',
    question: 'Title?',
    verdict: 'rejected',
    answer: { text: 'x', boxes: [] },
  });
  await writeFile(file, '{"version":1,');
  await assert.rejects(tb.call('reviews.list', { docId: doc.id }), (e: Error) => {
    assert.match(e.message, /^corrupt: /);
    assert.ok(e.message.includes(file), e.message);
    return true;
  });
});
