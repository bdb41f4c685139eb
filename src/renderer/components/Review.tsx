// Reviewing an answer (issue 14 part 3): accept, correct (edit the text; move and resize the boxes by dragging
// them on the page, BoxEditor.tsx) or reject it, and the list of this document's reviews, which come back when
// the same document is opened again. Reviewed answers become training data (`doclens data export`).
import { useEffect } from 'react';
import type { Review, ReviewVerdict } from '../../shared/reviews.js';
import type { AskEntry } from '../stores/ask.js';
import type { OpenDoc } from '../stores/documents.js';
import {
  acceptAnswer,
  addCorrectionBox,
  cancelCorrection,
  loadReviews,
  rejectAnswer,
  removeCorrectionBox,
  removeReview,
  reviewPage,
  saveCorrection,
  setCorrectionText,
  showReview,
  startCorrection,
  useReviews,
} from '../stores/reviews.js';
import '../panels.css';
import '../reviews.css';

const VERDICT_LABEL: Record<ReviewVerdict, string> = {
  accepted: '✓ Accepted',
  corrected: '✎ Corrected',
  rejected: '✗ Rejected',
};

/** Accept / Correct / Reject under a finished answer, and the correction form while it is being corrected. */
export function ReviewBar({ entry, doc }: { entry: AskEntry; doc: OpenDoc }) {
  const reviewId = useReviews((s) => s.ofEntry[entry.key]);
  const review = useReviews((s) =>
    reviewId ? s.byDoc[doc.info.id]?.find((r) => r.id === reviewId) : undefined,
  );
  const editing = useReviews((s) => (s.editing?.entryKey === entry.key ? s.editing : null));
  if (entry.status !== 'done' || !entry.answer) return null;
  const page = reviewPage(entry, doc.page);
  const stop = (ev: { stopPropagation(): void }) => ev.stopPropagation();
  if (editing) {
    return (
      <div className="review-edit" data-testid="review-edit" onClick={stop}>
        <label className="small">
          Corrected answer
          <textarea
            rows={2}
            value={editing.text}
            aria-label="Corrected answer"
            onChange={(e) => setCorrectionText(e.currentTarget.value)}
          />
        </label>
        <p className="muted small">
          Drag a box on page {editing.page} to move it, its corner to resize it (arrow keys nudge the focused
          box).
        </p>
        {editing.boxes.length > 0 && (
          <ul className="review-boxes" aria-label="Corrected boxes">
            {editing.boxes.map((b, i) => (
              <li key={i}>
                <span>
                  {b.label || `box ${i + 1}`}: {Math.round(b.x0)},{Math.round(b.y0)} – {Math.round(b.x1)},
                  {Math.round(b.y1)}
                </span>
                <button
                  type="button"
                  className="linkish small"
                  aria-label={`Remove box ${i + 1}`}
                  onClick={() => removeCorrectionBox(i)}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        <div className="row spread">
          <button
            type="button"
            className="btn"
            onClick={() =>
              addCorrectionBox(entry.kind === 'find' ? (entry.question.split(',')[0] ?? '') : '')
            }
          >
            Add box
          </button>
          <span className="row">
            <button type="button" className="btn" onClick={cancelCorrection}>
              Cancel
            </button>
            <button
              type="button"
              className="btn primary"
              disabled={!editing.text.trim() && editing.boxes.length === 0}
              onClick={() => void saveCorrection(entry)}
            >
              Save correction
            </button>
          </span>
        </div>
      </div>
    );
  }
  const size = doc.info.pages[page - 1] ?? { width: 1, height: 1 };
  return (
    <div className="review-bar" role="group" aria-label="Review this answer" onClick={stop}>
      {review && (
        <span
          className={`badge review ${review.verdict}`}
          data-testid="review-verdict"
          data-verdict={review.verdict}
        >
          {VERDICT_LABEL[review.verdict]}
        </span>
      )}
      <button
        type="button"
        className="btn small"
        aria-pressed={review?.verdict === 'accepted'}
        onClick={() => void acceptAnswer(entry, page)}
        title="The answer (and its boxes) is right: keep it as training data"
      >
        Accept
      </button>
      <button
        type="button"
        className="btn small"
        aria-pressed={review?.verdict === 'corrected'}
        onClick={() => startCorrection(entry, page, { width: size.width, height: size.height })}
        title="Fix the text, and move or resize the boxes on the page"
      >
        Correct
      </button>
      <button
        type="button"
        className="btn small"
        aria-pressed={review?.verdict === 'rejected'}
        onClick={() => void rejectAnswer(entry, page)}
        title="The answer is wrong: it is kept as rejected and not exported as an example"
      >
        Reject
      </button>
    </div>
  );
}

/** The reviews kept for this document (by its content, so they come back when it is opened again). */
export function ReviewList({ doc, kind }: { doc: OpenDoc; kind: Review['kind'] }) {
  const docId = doc.info.id;
  useEffect(() => {
    void loadReviews(docId);
  }, [docId]);
  const all = useReviews((s) => s.byDoc[docId]);
  const list = (all ?? []).filter((r) => r.kind === kind);
  if (list.length === 0) return null;
  return (
    <details className="review-list" data-testid="review-list">
      <summary title="Reviewed answers become training data: doclens data export">
        Reviewed on this document ({list.length})
      </summary>
      <ul aria-label="Reviews">
        {list.map((r) => {
          const shown = r.corrected ?? r.answer;
          return (
            <li key={r.id} data-testid="review-item" data-verdict={r.verdict}>
              <span className={`badge review ${r.verdict}`}>{VERDICT_LABEL[r.verdict]}</span>{' '}
              <span className="small">
                p.{r.page} · <strong>{r.question}</strong> → {shown.text || '(boxes only)'}
                {shown.boxes.length > 0
                  ? ` · ${shown.boxes.length} box${shown.boxes.length === 1 ? '' : 'es'}`
                  : ''}
              </span>{' '}
              {shown.boxes.length > 0 && (
                <button
                  type="button"
                  className="linkish small"
                  aria-label={`Show the boxes of “${r.question}”`}
                  onClick={() => showReview(docId, r)}
                >
                  Show
                </button>
              )}{' '}
              <button
                type="button"
                className="linkish small"
                aria-label={`Forget the review of “${r.question}”`}
                onClick={() => void removeReview(docId, r.id)}
              >
                Forget
              </button>
            </li>
          );
        })}
      </ul>
    </details>
  );
}
