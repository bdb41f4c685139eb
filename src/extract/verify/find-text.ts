// Finds a phrase on pages of words, tolerant of what differs between an answer and the page: case, spacing,
// punctuation, thousands separators and currency signs, small OCR or model typos. The reader engine uses it to
// find text, and answer verification uses it to snap a VLM answer to the exact words on the page.
import type { TextPage, Word } from '../../shared/domain.js';
import type { Rect } from '../../shared/geometry.js';
import { unionRect } from '../../shared/geometry.js';

export interface TextMatch {
  page: number;
  /** The page's own words that matched, joined by spaces. */
  text: string;
  /** One box per line the match spans, in page space. */
  boxes: Rect[];
  /** 0..1: 1 = the same characters after normalisation. */
  score: number;
  /** Indices into the page's words. */
  words: number[];
}

/** Canonical form of one token: NFKC, lower case, no surrounding punctuation, numbers without grouping. */
export function normalizeToken(token: string): string {
  let t = token.normalize('NFKC').toLowerCase();
  t = t
    .replace(/[’‘]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/[‐‑‒–—]/g, '-');
  t = t.replace(/^[\s"'([{<«]+|[\s"')\]}>»:;,.!?]+$/g, '');
  // Money and grouped numbers: "$11,977.20" → "11977.20"; "1.234,5" stays as written (ambiguous).
  const money = /^[$€£¥]?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$/.exec(t.replace(/^[$€£¥]/, ''));
  if (money && /\d/.test(t)) {
    const whole = (money[1] ?? '').replace(/,/g, '');
    t = `${whole}${money[2] ?? ''}`;
  }
  return t;
}

/** Splits free text into normalised tokens (empty ones dropped). */
export function tokenize(text: string): string[] {
  return text
    .split(/\s+/)
    .map(normalizeToken)
    .filter((t) => t.length > 0);
}

/** Levenshtein distance, two rows (strings here are a few dozen characters). */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length] ?? 0;
}

export function similarity(a: string, b: string): number {
  const n = Math.max(a.length, b.length);
  return n === 0 ? 1 : 1 - levenshtein(a, b) / n;
}

function boxesByLine(words: readonly Word[], idx: readonly number[]): Rect[] {
  const byLine = new Map<number, Rect[]>();
  for (const i of idx) {
    const w = words[i];
    if (!w) continue;
    const list = byLine.get(w.line) ?? [];
    list.push(w.box);
    byLine.set(w.line, list);
  }
  return [...byLine.values()].map((r) => unionRect(r)).filter((r): r is Rect => r !== null);
}

export interface FindOptions {
  /** Lowest similarity accepted (default 0.85; 1 = exact after normalisation). */
  minScore?: number;
  maxMatches?: number;
}

/**
 * Every place on the pages where `phrase` occurs, best first. Windows of the page's words around the
 * phrase's token count are compared with their spaces removed, so "$ 11,977.20" finds "$11,977.20" and
 * "March 14, 2025" finds the three words `March` `14,` `2025`.
 */
export function findPhrase(pages: readonly TextPage[], phrase: string, opts: FindOptions = {}): TextMatch[] {
  const minScore = opts.minScore ?? 0.85;
  const target = tokenize(phrase);
  if (target.length === 0) return [];
  const joined = target.join('');
  // Numbers must match exactly: a total or a date one digit off is a different answer, however similar.
  const digits = joined.replace(/\D/g, '');
  const score = (text: string) => (text.replace(/\D/g, '') === digits ? similarity(text, joined) : 0);
  const matches: TextMatch[] = [];
  for (const page of pages) {
    const norm = page.words.map((w) => normalizeToken(w.text));
    const taken = new Set<number>();
    const candidates: TextMatch[] = [];
    for (let i = 0; i < norm.length; i++) {
      if (!norm[i]) continue;
      let best: { score: number; end: number } | null = null;
      let text = '';
      for (let k = 0; k < target.length + 2 && i + k < norm.length; k++) {
        text += norm[i + k] ?? '';
        if (text.length > joined.length * 1.5 + 2) break;
        const s = score(text);
        if (!best || s > best.score) best = { score: s, end: i + k };
      }
      if (best && best.score >= minScore) {
        const idx = Array.from({ length: best.end - i + 1 }, (_, j) => i + j);
        candidates.push({
          page: page.page,
          text: idx.map((j) => page.words[j]?.text ?? '').join(' '),
          boxes: boxesByLine(page.words, idx),
          score: best.score,
          words: idx,
        });
      }
    }
    // Keep the best non-overlapping windows.
    candidates.sort((a, b) => b.score - a.score || a.words.length - b.words.length);
    for (const c of candidates) {
      if (c.words.some((w) => taken.has(w))) continue;
      for (const w of c.words) taken.add(w);
      matches.push(c);
    }
  }
  matches.sort((a, b) => b.score - a.score || a.page - b.page);
  return opts.maxMatches ? matches.slice(0, opts.maxMatches) : matches;
}
