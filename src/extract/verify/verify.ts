// Answer verification: an answer (from the VLM or the user) found on the page is snapped to the page's own
// words and marked verified; one that is not found is marked unverified. Dates compare by value, so
// "2025-03-14" verifies against "March 14, 2025" on the page.
import type { DateHit, TextPage } from '../../shared/domain.js';
import type { LabelledBox } from '../../shared/geometry.js';
import { extractDates } from '../dates/index.js';
import { findPhrase } from './find-text.js';

export interface Verification {
  verified: boolean;
  boxes: LabelledBox[];
  /** The page's own text that matched (null when not found). */
  matched: string | null;
}

/** The ISO values of dates written in a free-text answer (both day orders tried when ambiguous). */
export function answerDates(answer: string): Set<string> {
  const line = { text: answer, box: { x0: 0, y0: 0, x1: 100, y1: 10 }, wordStart: 0, wordEnd: 0 };
  const words = answer.split(/\s+/).filter(Boolean);
  let x = 0;
  const page: TextPage = {
    page: 1,
    width: 1000,
    height: 20,
    source: 'text-layer',
    words: words.map((text) => {
      const box = { x0: x, y0: 0, x1: x + text.length * 5, y1: 10 };
      x += text.length * 5 + 5;
      return { text, box, line: 0, confidence: 1 };
    }),
    lines: [{ ...line, wordEnd: words.length, box: { x0: 0, y0: 0, x1: Math.max(1, x), y1: 10 } }],
  };
  const iso = new Set<string>();
  for (const locale of ['month-first', 'day-first'] as const)
    for (const d of extractDates(page, { locale })) iso.add(d.iso);
  return iso;
}

export function verifyAnswer(
  answer: string,
  pages: readonly TextPage[],
  pageDates?: readonly DateHit[],
): Verification {
  const text = answer.trim();
  if (!text) return { verified: false, boxes: [], matched: null };
  const found = findPhrase(pages, text, { minScore: 0.85, maxMatches: 5 });
  const best = found[0];
  if (best) {
    const top = found.filter((m) => m.score >= best.score - 1e-9);
    return {
      verified: true,
      boxes: top.flatMap((m) => m.boxes.map((b) => ({ ...b, page: m.page, label: m.text }))),
      matched: best.text,
    };
  }
  const wanted = answerDates(text);
  if (wanted.size > 0) {
    const dates = pageDates ?? pages.flatMap((p) => extractDates(p));
    const hits = dates.filter((d) => wanted.has(d.iso));
    if (hits.length > 0) {
      return {
        verified: true,
        boxes: hits.map((h) => ({ ...h.box, label: h.text })),
        matched: hits[0]?.text ?? null,
      };
    }
  }
  return { verified: false, boxes: [], matched: null };
}
