// Day-first or month-first is a property of a document, not of one date: 25/03/2025 proves day-first and
// 03/25/2025 proves month-first, and that proof settles 04/03/2025 elsewhere in the same document.
import type { TextPage } from '../../shared/domain.js';
import { lineText } from './line-text.js';
import { normaliseOcrText } from './ocr-text.js';

export type DateOrder = 'month-first' | 'day-first';

export interface LocaleEvidence {
  /** Numeric dates whose first field is > 12 and second ≤ 12 (25/03/2025). */
  dayFirst: number;
  /** Numeric dates whose second field is > 12 and first ≤ 12 (03/25/2025). */
  monthFirst: number;
  /** Month-name dates written day first (14 March 2025): a hint, not proof. */
  dayFirstNames: number;
  /** Month-name dates written month first (March 14, 2025): a hint, not proof. */
  monthFirstNames: number;
  /**
   * Words of a day-first country: legal forms (Ltd, plc, Sdn Bhd, Pty, GmbH), currencies (£, €, RM), phone
   * codes (+44, +60, +61 …), British spellings, UK postcodes. A hint, weighed before the order of month names.
   */
  dayFirstWords: number;
  /** Words of the US: Inc., LLC, Corp., +1 and (555) 555-0147 phones, a state and ZIP code, US spellings. */
  monthFirstWords: number;
}

const NUMERIC = /(?<![\d.\-/])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d.\-/])/g;
const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const DAY_NAME = new RegExp(`\\b\\d{1,2}(?:st|nd|rd|th)?(?:\\s+of)?[\\s-]+${MONTH}[\\s,-]+\\d{4}\\b`, 'gi');
const DAY_FIRST_WORDS = [
  /\b(?:plc|ltd|limited|pty|gmbh|sdn\.?\s*bhd|berhad|s\/b|llp)\b/gi,
  /£|€|\bGBP\b|\bEUR\b|\bMYR\b|\bRM\s?\d|\bAUD\b|\bINR\b|\bSGD\b/g,
  /\+(?:44|353|60|61|64|65|91|49|33|34|39|31)\b/g,
  /\b(?:colour|organisation|centre|programme|licence|cheque|authorised|catalogue|favour|analyse|recognised)\b/gi,
  /\b[A-Z]{1,2}\d{1,2}[A-Z]?\s\d[A-Z]{2}\b/g,
];
const MONTH_FIRST_WORDS = [
  /\b(?:inc|llc|corp)\b\.?/gi,
  /\+1[\s-]|\(\d{3}\)\s?\d{3}-\d{4}/g,
  /\b(?:AL|AK|AZ|CA|CO|CT|DC|FL|GA|IL|MA|MD|MI|MN|NC|NJ|NY|OH|OR|PA|TX|VA|WA|WI)\s\d{5}(?:-\d{4})?\b/g,
  /\b(?:color|organization|center|program|favor|analyze|authorized)\b/gi,
];
const NAME_DAY = new RegExp(`\\b${MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}\\b`, 'gi');

/** Counts the evidence for each order over the lines of `pages`. */
export function localeEvidence(pages: readonly TextPage[]): LocaleEvidence {
  const ev: LocaleEvidence = {
    dayFirst: 0,
    monthFirst: 0,
    dayFirstNames: 0,
    monthFirstNames: 0,
    dayFirstWords: 0,
    monthFirstWords: 0,
  };
  for (const page of pages) {
    for (let i = 0; i < page.lines.length; i++) {
      const raw = lineText(page, i).text;
      const text = page.source === 'ocr' ? normaliseOcrText(raw) : raw;
      for (const m of text.matchAll(NUMERIC)) {
        const a = Number(m[1]);
        const b = Number(m[3]);
        if (a > 12 && a <= 31 && b >= 1 && b <= 12) ev.dayFirst++;
        else if (b > 12 && b <= 31 && a >= 1 && a <= 12) ev.monthFirst++;
      }
      ev.dayFirstNames += [...text.matchAll(DAY_NAME)].length;
      ev.monthFirstNames += [...text.matchAll(NAME_DAY)].length;
      for (const re of DAY_FIRST_WORDS) ev.dayFirstWords += [...raw.matchAll(re)].length;
      for (const re of MONTH_FIRST_WORDS) ev.monthFirstWords += [...raw.matchAll(re)].length;
    }
  }
  return ev;
}

/**
 * The date order of a document. Unambiguous numeric dates decide (majority); without any, the words of a
 * country (a UK "plc" and "£", a US "Inc." and ZIP code: the class of a British report whose "12/11/2025" is
 * 12 November) decide; then the order month names are written in (14 March 2025 is the British habit); with
 * none, month-first, which is chrono's and the en-US default.
 */
export function detectLocale(pages: readonly TextPage[]): DateOrder {
  const ev = localeEvidence(pages);
  if (ev.dayFirst !== ev.monthFirst) return ev.dayFirst > ev.monthFirst ? 'day-first' : 'month-first';
  if (ev.dayFirstWords !== ev.monthFirstWords)
    return ev.dayFirstWords > ev.monthFirstWords ? 'day-first' : 'month-first';
  if (ev.dayFirstNames > ev.monthFirstNames) return 'day-first';
  return 'month-first';
}
