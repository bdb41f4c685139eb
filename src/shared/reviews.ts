// Reviews of answers (issue 14 part 3): the user accepts, corrects or rejects an Ask or Find answer, and the
// reviewed pages become visual-instruction training data (`doclens data export`). Kept per document content hash.
import { z } from 'zod';
import { DocId, Engine, Trust } from './domain.js';
import { LabelledBox } from './geometry.js';

export const ReviewVerdict = z.enum(['accepted', 'corrected', 'rejected']);
export type ReviewVerdict = z.infer<typeof ReviewVerdict>;

/** Which panel the answer came from: an Ask answer (text, maybe boxes) or a Find result (labelled boxes). */
export const ReviewKind = z.enum(['ask', 'find']);
export type ReviewKind = z.infer<typeof ReviewKind>;

/** An answer as reviewed: its text and its boxes in page space (all on the review's page). */
export const ReviewedAnswer = z.object({
  text: z.string().max(20_000),
  boxes: z.array(LabelledBox).max(256),
});
export type ReviewedAnswer = z.infer<typeof ReviewedAnswer>;

export const Review = z.object({
  /** `r_…`, unique within the document's review file. */
  id: z.string(),
  /** The document's content hash (sha256 hex): a review follows the bytes, not the file name or path. */
  docSha256: z.string(),
  docName: z.string(),
  page: z.number().int().min(1),
  /** The page's size in page space when reviewed (points; pixels for images). */
  pageSize: z.object({ width: z.number().positive(), height: z.number().positive() }),
  kind: ReviewKind,
  /** The question asked (Ask) or the objects looked for, comma-separated (Find). */
  question: z.string(),
  verdict: ReviewVerdict,
  /** What the engine answered. */
  answer: ReviewedAnswer,
  /** With verdict 'corrected': the user's text and boxes; null otherwise. */
  corrected: ReviewedAnswer.nullable(),
  engine: Engine,
  model: z.string().nullable(),
  trust: Trust.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Review = z.infer<typeof Review>;

export const SaveReviewInput = z
  .object({
    docId: DocId,
    /** Updates this review of the same document; absent: a new review. */
    reviewId: z.string().min(1).max(64).optional(),
    page: z.number().int().min(1).max(100_000),
    kind: ReviewKind,
    question: z.string().min(1).max(8000),
    verdict: ReviewVerdict,
    answer: ReviewedAnswer,
    corrected: ReviewedAnswer.optional(),
    engine: Engine,
    model: z.string().max(512).nullable().optional(),
    trust: Trust.nullable().optional(),
  })
  .strict();
export type SaveReviewInput = z.infer<typeof SaveReviewInput>;

/** The channels, spread into contract.ts's `channels`. */
export const reviewChannels = {
  /** Saves (or, with reviewId, updates) a review of an answer on one page of an open document. */
  'reviews.save': { input: SaveReviewInput, output: Review },
  /** Every review of the open document's content (any earlier copy with the same bytes included), oldest first. */
  'reviews.list': { input: z.object({ docId: DocId }).strict(), output: z.array(Review) },
  'reviews.remove': {
    input: z.object({ docId: DocId, reviewId: z.string().min(1).max(64) }).strict(),
    output: z.object({ removed: z.boolean() }),
  },
} as const;
