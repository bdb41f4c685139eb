// Look-alike filters: strings a date parser accepts that are not dates in context (version numbers, phone
// numbers, ISBNs and other identifiers, money, percentages, page references). Each filter reads the
// characters around a candidate on its line and names why it rejected it, so tests and the labelled-set
// report can say which filter fired.

export type RejectReason =
  'attached' | 'version' | 'number-chain' | 'phone' | 'identifier' | 'money' | 'percentage' | 'page-ref';

const CURRENCY_CODES = 'USD|EUR|GBP|CHF|JPY|CNY|CAD|AUD|NZD|SEK|NOK|DKK|INR|RUB|BRL|ZAR|PLN';

const VERSION_BEFORE =
  /(?:\b(?:v|ver|version|release|rel|build|rev|revision|firmware|fw|sdk|api)\.?\s*:?\s*)$/i;
const PHONE_BEFORE =
  /(?:\+\s*\d{0,4}[\s.-]*(?:\(\d{1,4}\)\s*)?|\(\d{2,4}\)\s*|\b(?:tel|telephone|phone|ph|fax|mobile|mob|cell|call|dial|hotline)\.?\s*(?:no\.?|number|#)?\s*:?\s*(?:\+?\d{1,4}[\s.-]*)?)$/i;
const IDENTIFIER_BEFORE =
  /(?:\b(?:isbn(?:-1[03])?|issn|doi|no|nr|num|number|id|ref|reference|invoice|inv|order|po|account|acct|serial|s\/n|sku|part|item|ticket|case|lot|batch|tracking|policy|claim|member|customer|patient|code)\.?\s*(?:no\.?|number|#)?\s*[:#]?\s*|#\s*)$/i;
const MONEY_BEFORE = new RegExp(`(?:[$€£¥₹]\\s*|\\b(?:${CURRENCY_CODES})\\s*)$`, 'i');
const MONEY_AFTER = new RegExp(`^\\s*(?:[$€£¥₹]|(?:${CURRENCY_CODES})\\b)`, 'i');
const PAGE_BEFORE =
  /(?:\b(?:page|pages|pg|p|pp|section|sec|chapter|ch|fig|figure|table|vol|volume|art|article|para|paragraph|line|lines|clause|rule|step)\.?\s*|§\s*)$/i;

/**
 * Why the numeric-or-worded date candidate `line.slice(start, end)` is not a date in context, or null when
 * it survives every filter. `numeric` is true when the candidate has no letters (12/03/2025, 2025-03-14):
 * identifier, money and page filters only apply to those, since "Invoice 14 March 2025" is still a date.
 */
export function rejectLookAlike(
  line: string,
  start: number,
  end: number,
  opts: { ocr?: boolean } = {},
): RejectReason | null {
  const text = line.slice(start, end);
  let before = line.slice(0, start);
  let after = line.slice(end);
  const numeric = !/\p{L}/u.test(text.replace(/T(?=\d)|Z$/g, ''));

  // OCR drops spaces ("on22/04/2008", "2008was"): a lower-case word glued to a complete date is prose, not a
  // code, so on OCR text it is set apart before the checks below. Upper case (INV2025-03-14) stays glued.
  if (opts.ocr && /\d{4}/.test(text)) {
    if (/(?:^|[^\p{L}\d])\p{Ll}{2,}$/u.test(before)) before += ' ';
    if (/^\p{Ll}{2,}(?![\p{L}\d])/u.test(after)) after = ` ${after}`;
  }

  // Glued to a letter or digit on either side: part of a longer token (INV2025-03-14, 12.03.2025a, v1.2.2025).
  if (/[\p{L}\d]$/u.test(before)) return /\bv$/i.test(before) ? 'version' : 'attached';
  if (/^[\p{L}\d]/u.test(after)) return 'attached';
  if (numeric && VERSION_BEFORE.test(before)) return 'version';
  // d.m.yy with an unpadded field reads as a version (2.10.30, 1.12.20) far more often than as a date;
  // dotted dates with a two-digit year are written padded (14.03.25).
  if (/^\d{1,2}\.\d{1,2}\.\d{2}$/.test(text) && !/^\d{2}\.\d{2}\.\d{2}$/.test(text)) return 'version';
  // More numeric fields chained on: 10.12.20.25 (an IP or a version), 01-02-2025-33, 1.2.2025.4.
  if (numeric && (/\d[.\-/:]$/.test(before) || /^[.\-/:]\d/.test(after))) return 'number-chain';
  if (numeric && PHONE_BEFORE.test(before)) return 'phone';
  if (numeric && /^(?:[.-]\d{2,}|\s\d{3,}\b(?![:.]\d))/.test(after)) return 'phone';
  if (/^\s*%/.test(after)) return 'percentage';
  if (numeric && MONEY_BEFORE.test(before)) return 'money';
  if (numeric && MONEY_AFTER.test(after)) return 'money';
  if (numeric && IDENTIFIER_BEFORE.test(before)) return 'identifier';
  if (numeric && PAGE_BEFORE.test(before)) return 'page-ref';
  return null;
}
