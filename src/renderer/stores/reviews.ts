// Reviews of answers in the UI: the saved reviews of each open document (mirrored from the backend, which keeps
// them by content hash), which answer each one reviews, and the one correction being edited — its text and its
// boxes, moved and resized by dragging on the page (components/BoxEditor.tsx).
import { create } from 'zustand';
import type { LabelledBox, Rect } from '../../shared/geometry.js';
import type { Review, ReviewVerdict } from '../../shared/reviews.js';
import { api } from '../lib/api.js';
import type { AskEntry } from './ask.js';
import { showBoxes } from './highlights.js';
import { toast } from './ui.js';

export interface Correction {
  entryKey: number;
  docId: string;
  page: number;
  text: string;
  boxes: LabelledBox[];
  /** Page size in page space, to keep dragged boxes on the page. */
  size: { width: number; height: number };
}

interface ReviewsState {
  /** Saved reviews per open document id. */
  byDoc: Record<string, Review[]>;
  /** Review id of each answer (AskEntry.key) reviewed in this session. */
  ofEntry: Record<number, string>;
  editing: Correction | null;
}

export const useReviews = create<ReviewsState>(() => ({ byDoc: {}, ofEntry: {}, editing: null }));

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function loadReviews(docId: string): Promise<void> {
  try {
    const list = await api.call('reviews.list', { docId });
    useReviews.setState((s) => ({ byDoc: { ...s.byDoc, [docId]: list } }));
  } catch (e) {
    toast('error', 'Could not read the reviews of this document', message(e));
  }
}

/** The page an answer is reviewed on: its scope's page, else its first box's page, else the page in view. */
export function reviewPage(entry: AskEntry, currentPage: number): number {
  if (entry.scope.kind === 'page') return entry.scope.page;
  return entry.answer?.boxes[0]?.page ?? currentPage;
}

async function save(
  entry: AskEntry,
  page: number,
  verdict: ReviewVerdict,
  corrected?: { text: string; boxes: LabelledBox[] },
): Promise<Review | null> {
  const a = entry.answer;
  if (!a) return null;
  const reviewId = useReviews.getState().ofEntry[entry.key];
  try {
    const review = await api.call('reviews.save', {
      docId: entry.docId,
      reviewId,
      page,
      kind: entry.kind,
      question: entry.question,
      verdict,
      answer: { text: a.text, boxes: a.boxes.filter((b) => b.page === page) },
      corrected,
      engine: a.engine,
      model: a.model,
      trust: a.trust,
    });
    useReviews.setState((s) => {
      const list = s.byDoc[entry.docId] ?? [];
      const next = list.some((r) => r.id === review.id)
        ? list.map((r) => (r.id === review.id ? review : r))
        : [...list, review];
      return {
        byDoc: { ...s.byDoc, [entry.docId]: next },
        ofEntry: { ...s.ofEntry, [entry.key]: review.id },
      };
    });
    return review;
  } catch (e) {
    toast('error', 'Could not save the review', message(e));
    return null;
  }
}

export function acceptAnswer(entry: AskEntry, page: number): Promise<Review | null> {
  return save(entry, page, 'accepted');
}

export function rejectAnswer(entry: AskEntry, page: number): Promise<Review | null> {
  return save(entry, page, 'rejected');
}

/** Starts correcting an answer: its text and its boxes on `page` become editable. */
export function startCorrection(
  entry: AskEntry,
  page: number,
  size: { width: number; height: number },
): void {
  // A point (a zero-size box) becomes a small box around it, so there is something to grab.
  const min = Math.max(size.width, size.height) / 100;
  const boxes = (entry.answer?.boxes ?? [])
    .filter((b) => b.page === page)
    .map((b) => {
      const cx = (b.x0 + b.x1) / 2;
      const cy = (b.y0 + b.y1) / 2;
      const w = Math.max(b.x1 - b.x0, min) / 2;
      const h = Math.max(b.y1 - b.y0, min) / 2;
      return { ...b, x0: cx - w, y0: cy - h, x1: cx + w, y1: cy + h };
    });
  useReviews.setState({
    editing: { entryKey: entry.key, docId: entry.docId, page, text: entry.answer?.text ?? '', boxes, size },
  });
}

export function setCorrectionText(text: string): void {
  const e = useReviews.getState().editing;
  if (e) useReviews.setState({ editing: { ...e, text } });
}

/** Moves / resizes box `index` of the correction, kept on the page with a minimum size of one unit. */
export function setCorrectionBox(index: number, r: Rect): void {
  const e = useReviews.getState().editing;
  const old = e?.boxes[index];
  if (!e || !old) return;
  const x0 = Math.min(Math.max(0, Math.min(r.x0, r.x1)), e.size.width - 1);
  const y0 = Math.min(Math.max(0, Math.min(r.y0, r.y1)), e.size.height - 1);
  const x1 = Math.max(x0 + 1, Math.min(e.size.width, Math.max(r.x0, r.x1)));
  const y1 = Math.max(y0 + 1, Math.min(e.size.height, Math.max(r.y0, r.y1)));
  const boxes = e.boxes.map((b, i) => (i === index ? { ...old, x0, y0, x1, y1 } : b));
  useReviews.setState({ editing: { ...e, boxes } });
}

/** Adds a box in the middle of the page (an answer the engine gave without one, or a missed object). */
export function addCorrectionBox(label: string): void {
  const e = useReviews.getState().editing;
  if (!e) return;
  const w = e.size.width / 5;
  const h = e.size.height / 12;
  const x0 = (e.size.width - w) / 2;
  const y0 = (e.size.height - h) / 2;
  const box = { page: e.page, label, x0, y0, x1: x0 + w, y1: y0 + h };
  useReviews.setState({ editing: { ...e, boxes: [...e.boxes, box] } });
}

export function removeCorrectionBox(index: number): void {
  const e = useReviews.getState().editing;
  if (e) useReviews.setState({ editing: { ...e, boxes: e.boxes.filter((_, i) => i !== index) } });
}

export function cancelCorrection(): void {
  useReviews.setState({ editing: null });
}

export async function saveCorrection(entry: AskEntry): Promise<Review | null> {
  const e = useReviews.getState().editing;
  if (!e || e.entryKey !== entry.key) return null;
  const review = await save(entry, e.page, 'corrected', { text: e.text, boxes: e.boxes });
  if (review) {
    useReviews.setState({ editing: null });
    // The page now shows what was saved: the corrected boxes, not the engine's.
    showBoxes(entry.docId, entry.kind, review.corrected?.boxes ?? []);
  }
  return review;
}

/** Draws a saved review's boxes (its correction's when corrected) on the page. */
export function showReview(docId: string, review: Review): void {
  showBoxes(docId, review.kind, (review.corrected ?? review.answer).boxes);
}

export async function removeReview(docId: string, reviewId: string): Promise<void> {
  try {
    await api.call('reviews.remove', { docId, reviewId });
    useReviews.setState((s) => ({
      byDoc: { ...s.byDoc, [docId]: (s.byDoc[docId] ?? []).filter((r) => r.id !== reviewId) },
      ofEntry: Object.fromEntries(Object.entries(s.ofEntry).filter(([, id]) => id !== reviewId)),
    }));
  } catch (e) {
    toast('error', 'Could not remove the review', message(e));
  }
}
