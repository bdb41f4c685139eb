// The reviews room: saves, lists and removes reviews of answers of an open document (src/shared/reviews.ts),
// checking each box against the reviewed page, and keeps them in the data folder by content hash (store.ts).
import { randomBytes } from 'node:crypto';
import { normalizeRect } from '../../shared/geometry.js';
import { AppError } from '../../shared/errors.js';
import type { Review, ReviewedAnswer, SaveReviewInput } from '../../shared/reviews.js';
import type { BackendContext } from '../handlers.js';
import type { RoomSlice } from '../room.js';
import { ReviewStore } from './store.js';

export { ReviewStore, allReviewFiles, reviewsDir } from './store.js';
export type { ReviewFile } from './store.js';

export type ReviewChannel = 'reviews.save' | 'reviews.list' | 'reviews.remove';

/**
 * The boxes of a reviewed answer, checked: each on the review's page, corners ordered and clamped to the page;
 * a corrected box with no area left (dragged off the page) is refused rather than silently stored.
 */
function checkedAnswer(
  a: ReviewedAnswer,
  page: number,
  size: { width: number; height: number },
  what: 'answer' | 'corrected',
  docName: string,
): ReviewedAnswer {
  const boxes = a.boxes.map((b, i) => {
    if (b.page !== page)
      throw new AppError(
        'invalid_input',
        `${docName}: ${what} box ${i + 1} is on page ${b.page}, the review is of page ${page}`,
      );
    const r = normalizeRect(b, size.width, size.height);
    // The engine's answer is kept as it was (a point is a zero-size box); a correction must have an area.
    if (what === 'corrected' && (!(r.x1 > r.x0) || !(r.y1 > r.y0)))
      throw new AppError('invalid_input', `${docName}: ${what} box ${i + 1} has no area on page ${page}`);
    return { page, label: b.label, ...r };
  });
  return { text: a.text, boxes };
}

export function reviewsRoom(ctx: BackendContext): RoomSlice<ReviewChannel> & { store: ReviewStore } {
  const store = new ReviewStore(ctx.dataDir);
  const docOf = (docId: string) => {
    const d = ctx.docs.get(docId);
    return { d, key: { sha256: d.info.sha256, name: d.info.name, path: d.handle.path } };
  };
  const save = async (input: SaveReviewInput): Promise<Review> => {
    const { d, key } = docOf(input.docId);
    ctx.docs.checkPage(input.docId, input.page);
    const p = d.info.pages[input.page - 1];
    if (!p) throw new AppError('invalid_input', `${d.info.name} has no page ${input.page}`);
    const size = { width: p.width, height: p.height };
    if (input.verdict === 'corrected' && !input.corrected)
      throw new AppError('invalid_input', `a corrected review needs the corrected answer (text and boxes)`);
    if (input.verdict !== 'corrected' && input.corrected)
      throw new AppError('invalid_input', `only a corrected review carries a corrected answer`);
    // The engine's boxes on other pages (a document-wide answer) are not part of this page's review.
    const answer = checkedAnswer(
      { text: input.answer.text, boxes: input.answer.boxes.filter((b) => b.page === input.page) },
      input.page,
      size,
      'answer',
      d.info.name,
    );
    const corrected = input.corrected
      ? checkedAnswer(input.corrected, input.page, size, 'corrected', d.info.name)
      : null;
    if (corrected && corrected.text.trim() === '' && corrected.boxes.length === 0)
      throw new AppError('invalid_input', 'a correction needs text or at least one box');
    const now = new Date().toISOString();
    return store.update(key, (f) => {
      const old = input.reviewId ? f.reviews.find((r) => r.id === input.reviewId) : undefined;
      if (input.reviewId && !old)
        throw new AppError('not_found', `${d.info.name} has no review ${input.reviewId}`);
      const review: Review = {
        id: old?.id ?? `r_${randomBytes(6).toString('hex')}`,
        docSha256: d.info.sha256,
        docName: d.info.name,
        page: input.page,
        pageSize: size,
        kind: input.kind,
        question: input.question,
        verdict: input.verdict,
        answer,
        corrected,
        engine: input.engine,
        model: input.model ?? null,
        trust: input.trust ?? null,
        createdAt: old?.createdAt ?? now,
        updatedAt: now,
      };
      f.reviews = old ? f.reviews.map((r) => (r.id === old.id ? review : r)) : [...f.reviews, review];
      return review;
    });
  };
  return {
    store,
    handlers: {
      'reviews.save': save,
      'reviews.list': async ({ docId }) => {
        const { key } = docOf(docId);
        return (await store.read(key.sha256))?.reviews ?? [];
      },
      'reviews.remove': async ({ docId, reviewId }) => {
        const { key } = docOf(docId);
        if (!(await store.read(key.sha256))) return { removed: false };
        return store.update(key, (f) => {
          const before = f.reviews.length;
          f.reviews = f.reviews.filter((r) => r.id !== reviewId);
          return { removed: f.reviews.length < before };
        });
      },
    },
    dispose: () => Promise.resolve(),
  };
}
