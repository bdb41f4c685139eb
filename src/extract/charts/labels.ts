// Reads the text around a chart: phrases (words printed together on a line) and the numbers and dates that tick
// labels and data labels print ("1,250", "$2.5k", "−40%", "(12)", "Mar 2024", "2024-03-15").
import type { TextPage } from '../../shared/domain.js';
import type { Rect } from '../../shared/geometry.js';
import type { Phrase } from './types.js';

/**
 * The page's words grouped into phrases: consecutive words of a line closer than 0.6 × the font height (a space
 * is about 0.25–0.3 em; labels printed side by side on one baseline, like category labels, are further apart).
 */
export function phrasesOf(page: TextPage): Phrase[] {
  const out: Phrase[] = [];
  for (const line of page.lines) {
    let cur: { words: string[]; box: Rect } | null = null;
    for (let i = line.wordStart; i < line.wordEnd; i++) {
      const w = page.words[i];
      if (!w) continue;
      const h = w.box.y1 - w.box.y0;
      if (cur && w.box.x0 - cur.box.x1 < 0.6 * h && w.box.x0 >= cur.box.x0) {
        // Pieces of one word split by the text layer (a ligature "fi" read apart) join without a space.
        if (w.box.x0 - cur.box.x1 < 0.05 * h && cur.words.length) {
          cur.words[cur.words.length - 1] += w.text;
        } else cur.words.push(w.text);
        cur.box = {
          x0: cur.box.x0,
          y0: Math.min(cur.box.y0, w.box.y0),
          x1: Math.max(cur.box.x1, w.box.x1),
          y1: Math.max(cur.box.y1, w.box.y1),
        };
      } else {
        if (cur) out.push(toPhrase(cur));
        cur = { words: [w.text], box: { ...w.box } };
      }
    }
    if (cur) out.push(toPhrase(cur));
  }
  return out;
}

function toPhrase(c: { words: string[]; box: Rect }): Phrase {
  return { text: c.words.join(' '), box: c.box, size: c.box.y1 - c.box.y0 };
}

export interface ParsedNumber {
  value: number;
  /** '%', a currency sign, or null. */
  unit: string | null;
  /** Digits after the decimal point as printed (the label's precision). */
  decimals: number;
  /** What one unit of the last printed digit is worth ("4.4k": 100). */
  step: number;
}

const SUFFIX: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, m: 1e6, B: 1e9, bn: 1e9, G: 1e9, T: 1e12 };

/** A number as a chart prints it, or null when the text is not one number. */
export function parseNumber(text: string): ParsedNumber | null {
  let s = text
    .trim()
    .replace(/[\u2212\u2013\u2012]/g, '-')
    .replace(/\s+/g, '');
  if (!s || s.length > 24) return null;
  let neg = false;
  if (/^\(.*\)$/.test(s)) {
    neg = true;
    s = s.slice(1, -1);
  }
  let unit: string | null = null;
  const sign = /^([+-])/.exec(s);
  if (sign) {
    neg = neg !== (sign[1] === '-');
    s = s.slice(1);
  }
  const cur = /^([$€£¥₹])/.exec(s);
  if (cur) {
    unit = cur[1] ?? null;
    s = s.slice(1);
  }
  if (s.startsWith('-')) {
    neg = !neg;
    s = s.slice(1);
  }
  if (s.endsWith('%')) {
    unit = '%';
    s = s.slice(0, -1);
  }
  let mult = 1;
  const suf = /(bn|[kKMmBGT])$/.exec(s);
  if (suf?.[1]) {
    mult = SUFFIX[suf[1]] ?? 1;
    s = s.slice(0, -suf[1].length);
  }
  // Thousands separators: "1,250" / "1 250" (spaces already gone); a lone comma with 1–2 digits is a decimal comma.
  let body: string;
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) body = s.replace(/,/g, '');
  else if (/^\d+(\.\d+)?$/.test(s)) body = s;
  else if (/^\.\d+$/.test(s)) body = `0${s}`;
  else if (/^\d+,\d{1,2}$/.test(s)) body = s.replace(',', '.');
  else if (/^\d+(\.\d+)?e[+-]?\d+$/i.test(s)) body = s;
  else return null;
  const value = Number(body) * mult * (neg ? -1 : 1);
  if (!Number.isFinite(value)) return null;
  const dec = /\.(\d+)/.exec(body);
  const decimals = dec?.[1]?.length ?? 0;
  return { value: value === 0 ? 0 : value, unit, decimals, step: 10 ** -decimals * mult };
}

/** A label that names something rather than measuring it: not a number, or a bare year ("2024"). */
export function isName(text: string): boolean {
  const n = parseNumber(text);
  return (
    !n ||
    (n.unit === null && n.decimals === 0 && /^\d{4}$/.test(text.trim()) && n.value >= 1800 && n.value <= 2200)
  );
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function month(s: string): number {
  return MONTHS.indexOf(s.slice(0, 3).toLowerCase());
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 (UTC) of a date an axis prints, or null. Years alone are numbers, not dates. */
export function parseDate(text: string): number | null {
  const s = text.trim().replace(/,/g, '').replace(/\s+/g, ' ');
  const days = (y: number, m: number, d: number) => {
    if (m < 0 || m > 11 || d < 1 || d > 31 || y < 1000 || y > 9999) return null;
    return Date.UTC(y, m, d) / DAY_MS;
  };
  let m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(s);
  if (m) return days(Number(m[1]), Number(m[2]) - 1, Number(m[3] ?? 1));
  m = /^([A-Za-z]{3,9})\.? (\d{1,2}) (\d{4})$/.exec(s);
  if (m && month(m[1] ?? '') >= 0) return days(Number(m[3]), month(m[1] ?? ''), Number(m[2]));
  m = /^(\d{1,2}) ([A-Za-z]{3,9})\.? (\d{4})$/.exec(s);
  if (m && month(m[2] ?? '') >= 0) return days(Number(m[3]), month(m[2] ?? ''), Number(m[1]));
  m = /^([A-Za-z]{3,9})\.? '?(\d{2}|\d{4})$/.exec(s);
  if (m && month(m[1] ?? '') >= 0) {
    const y = Number(m[2]);
    return days(y < 100 ? 2000 + y : y, month(m[1] ?? ''), 1);
  }
  return null;
}

/** Days since 1970-01-01 as YYYY-MM-DD. */
export function isoDay(days: number): string {
  return new Date(Math.round(days) * DAY_MS).toISOString().slice(0, 10);
}

/** A value rounded to the precision its axis can carry: four significant digits of the span (or of |v| on a log axis). */
export function roundTo(v: number, span: number): number {
  if (!Number.isFinite(v) || v === 0 || span <= 0) return v;
  const step = 10 ** (Math.floor(Math.log10(span)) - 3);
  const r = Math.round(v / step) * step;
  // Cut float noise: as many decimals as the step has.
  const dec = Math.max(0, -Math.floor(Math.log10(step)));
  return Number(r.toFixed(Math.min(dec, 12)));
}
