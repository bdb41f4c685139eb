// Typed values as printed: money amounts (currency marks stripped, OCR's O-for-0 undone), ids, currency codes.
// A label is only bound to a value of its field's type, which is what keeps "Total Qty: 2" and "GST No.:
// 000584089600" from being read as a total or a tax.

const CURRENCY_CODES: Record<string, string> = {
  rm: 'MYR',
  myr: 'MYR',
  usd: 'USD',
  us$: 'USD',
  eur: 'EUR',
  '€': 'EUR',
  gbp: 'GBP',
  '£': 'GBP',
  sgd: 'SGD',
  s$: 'SGD',
  aud: 'AUD',
  a$: 'AUD',
  cad: 'CAD',
  c$: 'CAD',
  inr: 'INR',
  '₹': 'INR',
  jpy: 'JPY',
  '¥': 'JPY',
  chf: 'CHF',
  idr: 'IDR',
  rp: 'IDR',
  php: 'PHP',
  thb: 'THB',
};

/** The ISO 4217 code a token names ("(USD)", "RM", "€"), or null; "$" alone is null (many dollars). */
export function currencyCode(token: string): string | null {
  const t = token.toLowerCase().replace(/^[([:]+|[)\]:.]+$/g, '');
  return CURRENCY_CODES[t] ?? null;
}

/** A token that may sit between a money label and its amount: currency, "(8%)", ":", "=", "-". */
export function isMoneyFiller(token: string): boolean {
  const t = token.trim();
  if (/^[:=\-–—.*|@]+$/.test(t)) return true;
  if (/^[$€£¥₹]$/.test(t)) return true;
  if (currencyCode(t)) return true;
  if (/^\(?@?\d{1,2}(?:\.\d+)?\s*%\)?:?$/.test(t)) return true;
  if (/^\((?:rm|usd|myr|eur|gbp|\$|incl\.?|excl\.?|inclusive|exclusive|gst|vat|tax)\)?:?$/i.test(t))
    return true;
  return false;
}

export interface Money {
  /** The amount as printed, without currency marks ("11,977.20"). */
  value: string;
  /** Decimal, no grouping ("11977.20"); negative for "-1.00" and "(1.00)". */
  normalized: string;
  /** Currency named in the token itself ("RM39.80" → MYR), if any. */
  currency: string | null;
  /** Character range of the value inside the token (for a tighter box). */
  start: number;
  end: number;
}

/**
 * Reads one token as an amount with two decimals ("39.80", "RM39.80", "$11,977.20", "1.234,50", "(2.00)").
 * OCR's letter-for-digit confusions inside an otherwise numeric token are undone ("39.8O").
 */
export function parseMoney(token: string): Money | null {
  // OCR puts stray strokes before a number ("/21.50", "|39.80"); a rule before the amount is not part of it.
  // A stop after the cents ("$236.67.") is a speck or the end of a sentence, not part of the amount.
  const cleaned = token
    .trim()
    .replace(/^[/|'`‘’"!]+/, '')
    .replace(/([.,]\d{2})\.$/, '$1');
  const m =
    /^([(-]?)((?:RM|USD|MYR|EUR|GBP|SGD|S\$|US\$|[$€£¥₹])?)\s*([(-]?)([0-9OoIlSBA,.\s]*[0-9][0-9OoIlSBA,.]*)(\)?)[*:]?$/i.exec(
      cleaned,
    );
  if (!m) return null;
  const raw = m[4] ?? '';
  const fixed = raw
    .replace(/[Oo]/g, '0')
    .replace(/[Il]/g, '1')
    .replace(/S/g, '5')
    .replace(/B/g, '8')
    .replace(/A/g, '4');
  let normalized: string | null = null;
  if (/^\d{1,3}(?:,\d{3})+\.\d{2}$/.test(fixed) || /^\d+\.\d{2}$/.test(fixed))
    normalized = fixed.replace(/,/g, '');
  else if (/^\d{1,3}(?:\.\d{3})+,\d{2}$/.test(fixed) || /^\d+,\d{2}$/.test(fixed))
    normalized = fixed.replace(/\./g, '').replace(',', '.');
  if (normalized === null) return null;
  // Letters standing in for digits only where most of the token is digits already; two where a currency mark
  // and thousands groups say it is an amount ("$3,9AA.56" for $3,944.56).
  const letters = raw.match(/[OoIlSBA]/g)?.length ?? 0;
  if (
    raw !== fixed &&
    letters > (m[2] && fixed.includes(',') && letters < (raw.match(/\d/g)?.length ?? 0) ? 2 : 1)
  )
    return null;
  const negative =
    m[1] === '-' || m[3] === '-' || (m[1] === '(' && m[5] === ')') || (m[3] === '(' && m[5] === ')');
  const start = token.indexOf(raw);
  // As printed: a currency mark written in the same word stays with the amount ("RM41.45", "$7.10"); a letter
  // OCR read for a digit is the digit the print has ("RMI11.90" is RM111.90).
  const printed = m[2] ? `${m[2]}${fixed}` : fixed;
  return {
    value: printed,
    normalized: negative ? `-${normalized}` : normalized,
    currency: m[2] ? currencyCode(m[2]) : null,
    start: Math.max(0, start),
    end: Math.max(0, start) + raw.length,
  };
}

/** An identifier: has a digit, at least three characters of letters/digits, no spaces ("INV-2025-0314", "443181"). */
export function parseId(token: string): string | null {
  const t = token.replace(/^[#:.([]+|[:.,;)\]]+$/g, '');
  if (!/\d/.test(t) || t.replace(/[^A-Za-z0-9]/g, '').length < 3) return null;
  if (!/^[A-Za-z0-9][A-Za-z0-9\-/#.]*$/.test(t)) return null;
  return t;
}
