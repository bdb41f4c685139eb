// Reads a table cell's text as the typed value a spreadsheet should hold (numbers, money, percentages, dates)
// with an Excel number format that shows it as printed. Written by hand: the formats accepted are few and strict
// on purpose (a cell that only looks numeric, such as an ID with leading zeros or a day/month-ambiguous date,
// stays text), which no parsing library offers as one rule set.

export interface TypedCell {
  value: number | Date;
  /** Excel number format that shows the value the way the page printed it (as far as Excel can). */
  numFmt: string;
  /** What the format shows for the value (our rendering of the format); equal to the text unless it changed. */
  shown: string;
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

function monthOf(name: string): { month: number; long: boolean } | null {
  const n = name.toLowerCase().replace(/\.$/, '');
  const i = MONTHS.findIndex((m) => m === n || (n.length === 3 && m.startsWith(n)));
  if (i < 0) return null;
  return { month: i + 1, long: n.length > 3 || n === 'may' };
}

function validDate(y: number, m: number, d: number): Date | null {
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCMonth() === m - 1 ? date : null;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function dateCell(text: string): TypedCell | null {
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m) {
    const date = validDate(+m[1]!, +m[2]!, +m[3]!);
    return date && { value: date, numFmt: 'yyyy-mm-dd', shown: text };
  }
  // March 15, 2024 / Mar 15, 2024
  m = /^([A-Za-z]{3,9}\.?) (\d{1,2}), (\d{4})$/.exec(text);
  if (m) {
    const mo = monthOf(m[1]!);
    const date = mo && validDate(+m[3]!, mo.month, +m[2]!);
    if (!mo || !date) return null;
    const name = MONTHS[mo.month - 1] as string;
    return {
      value: date,
      numFmt: mo.long ? 'mmmm d, yyyy' : 'mmm d, yyyy',
      shown: `${cap(mo.long ? name : name.slice(0, 3))} ${+m[2]!}, ${m[3]}`,
    };
  }
  // 15 March 2024 / 15 Mar 2024
  m = /^(\d{1,2}) ([A-Za-z]{3,9}\.?) (\d{4})$/.exec(text);
  if (m) {
    const mo = monthOf(m[2]!);
    const date = mo && validDate(+m[3]!, mo.month, +m[1]!);
    if (!mo || !date) return null;
    const name = MONTHS[mo.month - 1] as string;
    return {
      value: date,
      numFmt: mo.long ? 'd mmmm yyyy' : 'd mmm yyyy',
      shown: `${+m[1]!} ${cap(mo.long ? name : name.slice(0, 3))} ${m[3]}`,
    };
  }
  // 03/15/2024 or 15/03/2024: only when one part is over 12 (otherwise day and month cannot be told apart).
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  if (m) {
    const a = +m[1]!;
    const b = +m[2]!;
    const padded = m[1]!.length === 2 && m[2]!.length === 2;
    const part = padded ? pad2 : String;
    if (a > 12 && b <= 12) {
      const date = validDate(+m[3]!, b, a);
      return (
        date && {
          value: date,
          numFmt: padded ? 'dd/mm/yyyy' : 'd/m/yyyy',
          shown: `${part(a)}/${part(b)}/${m[3]}`,
        }
      );
    }
    if (b > 12 && a <= 12) {
      const date = validDate(+m[3]!, a, b);
      return (
        date && {
          value: date,
          numFmt: padded ? 'mm/dd/yyyy' : 'm/d/yyyy',
          shown: `${part(a)}/${part(b)}/${m[3]}`,
        }
      );
    }
  }
  return null;
}

const CURRENCY_PREFIX = /^([$€£¥])\s?/;
const CURRENCY_SUFFIX = /\s?(€|EUR|USD|GBP|CHF|JPY|CAD|AUD)$/;

function numberCell(text: string): TypedCell | null {
  let s = text;
  let negative = false;
  let parens = false;
  if (/^\(.*\)$/.test(s)) {
    parens = true;
    negative = true;
    s = s.slice(1, -1).trim();
  }
  if (/^[-−]/.test(s)) {
    if (parens) return null;
    negative = true;
    s = s.slice(1);
  }
  let prefix = '';
  let suffix = '';
  const pre = CURRENCY_PREFIX.exec(s);
  if (pre) {
    prefix = pre[0];
    s = s.slice(prefix.length);
  }
  const suf = CURRENCY_SUFFIX.exec(s);
  if (suf && !prefix) {
    suffix = suf[0];
    s = s.slice(0, -suffix.length);
  }
  let percent = false;
  if (s.endsWith('%') && !prefix && !suffix) {
    percent = true;
    s = s.slice(0, -1);
  }
  if (/^[-−]/.test(s) && !negative && prefix) {
    // $-1,234.00
    negative = true;
    s = s.slice(1);
  }
  const grouped = /^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s);
  const plain = /^\d+(\.\d+)?$/.test(s);
  if (!grouped && !plain) return null;
  // Identifiers, not quantities: leading zeros ('007') or more digits than a double holds exactly.
  if (/^0\d/.test(s) || s.replace(/\D/g, '').length > 15) return null;
  const decimals = s.includes('.') ? (s.split('.')[1] as string).length : 0;
  const magnitude = Number(s.replace(/,/g, ''));
  let value = negative ? -magnitude : magnitude;
  const body = `${grouped ? '#,##0' : '0'}${decimals ? '.' + '0'.repeat(decimals) : ''}`;
  const q = (t: string): string => (t ? `"${t}"` : '');
  const pos = `${q(prefix)}${body}${percent ? '%' : ''}${q(suffix)}`;
  const numFmt = parens ? `${pos};(${pos})` : pos;
  if (percent) value = Number((value / 100).toPrecision(15));
  const digits = magnitude.toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
    useGrouping: grouped,
  });
  const shownPos = `${prefix}${digits}${percent ? '%' : ''}${suffix}`;
  const shown = negative ? (parens ? `(${shownPos})` : `-${shownPos}`) : shownPos;
  return { value, numFmt, shown };
}

/** The typed reading of a cell's text, or null when it should stay text. */
export function typeCell(text: string): TypedCell | null {
  const t = text.trim().replace(/\s+/g, ' ');
  if (t === '' || t.length > 40) return null;
  return dateCell(t) ?? numberCell(t);
}
