// Every explicit calendar date on a page, as ISO 8601 with its precision, exact source text and box. chrono
// finds candidates line by line (strict English, day-first or month-first); this module keeps only explicit
// dates, drops look-alikes (filters.ts), fills years from a range's end, joins dates that wrap onto the next
// line, and maps each match back to the words it came from (line-text.ts).
//
// Decisions (see README.md in this folder):
// - day precision: a day and a month, with a year written or, for month-name dates only, opts.referenceYear.
// - month precision: a month name or number with a year (March 2025, Mar. 2025, 03/2025, 2025-03).
// - year precision: only where a label says the number is a year: FY 2025, fiscal/financial/tax year 2025,
//   "Year: 2019", and quarters (Q1 2025 → 2025). A bare 2019 is not a date.
// - times are cut off (the text and box of "2025-03-14 10:00" are "2025-03-14"); an ISO timestamp stays one
//   token, its date as written (no timezone shift).
// - a range (3–5 March 2025, Jan 5-7, 2025) gives one hit per end, each with its own text and box.
import * as chrono from 'chrono-node';
import type { DateHit, TextPage } from '../../shared/domain.js';
import { detectLocale, type DateOrder } from './locale.js';
import { joinWords, lineText, spanBox, type LineText } from './line-text.js';
import { rejectLookAlike } from './filters.js';
import { normaliseOcrText, printedMonthDate } from './ocr-text.js';

export interface ExtractDatesOptions {
  /**
   * `auto` decides from this page alone (detectLocale([page])); callers with the whole document should
   * call detectLocale(pages) once and pass its answer, so evidence on page 3 settles page 1.
   */
  locale?: 'auto' | DateOrder;
  /** Year for month-name dates written without one ("14 March"); without it such dates are skipped. */
  referenceYear?: number;
  /** Plausible years, inclusive. Default [1900, 2100]. */
  yearRange?: readonly [number, number];
}

export type Precision = DateHit['precision'];

const YEAR_TAG = 'doclens/year-label';
const MONTH_NAMES = [
  'jan',
  'feb',
  'mar',
  'apr',
  'may',
  'jun',
  'jul',
  'aug',
  'sep',
  'oct',
  'nov',
  'dec',
] as const;
const MONTH_RE =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const HAS_MONTH_NAME = new RegExp(`\\b${MONTH_RE}\\b`, 'i');

/**
 * "March 2025", "Mar. 2025", "March, 2025": month precision; "Jan–Mar 2025" is a range of two months (the
 * first a year earlier when it is the later month: "Nov–Feb 2025"). Capitalised, so "we may 2025" is not May.
 */
const monthYearParser: chrono.Parser = {
  pattern: () =>
    new RegExp(
      `(?<![\\p{L}\\d])(?:(${MONTH_RE})\\.?\\s*(?:-|–|—|to|through|until)\\s*)?(${MONTH_RE})\\.?,?\\s+((?:19|20|21)\\d{2})(?!\\d)`,
      'iu',
    ),
  extract: (ctx, m) => {
    const names = [m[1], m[2]].filter((n): n is string => n !== undefined);
    if (names.some((n) => n[0] !== n[0]?.toUpperCase())) return null;
    const year = Number(m[3]);
    const month = monthNumber(m[2] ?? '');
    if (month < 1) return null;
    if (m[1] === undefined) return { year, month };
    const from = monthNumber(m[1]);
    if (from < 1) return null;
    return ctx.createParsingResult(
      m.index ?? 0,
      m[0],
      { year: from > month ? year - 1 : year, month: from },
      { year, month },
    );
  },
};

const monthNumber = (name: string) =>
  MONTH_NAMES.indexOf(name.slice(0, 3).toLowerCase() as (typeof MONTH_NAMES)[number]) + 1;

/** Legal style, "the 14th day of March, 2025": day precision (chrono reads only "March, 2025" of it). */
const dayOfMonthParser: chrono.Parser = {
  pattern: () =>
    new RegExp(
      `(?<![\\p{L}\\d])(\\d{1,2})(?:st|nd|rd|th)?\\s*day\\s+of\\s+(${MONTH_RE})\\.?,?\\s+((?:19|20|21)\\d{2})(?!\\d)`,
      'iu',
    ),
  extract: (_ctx, m) => {
    const month = monthNumber(m[2] ?? '');
    return month > 0 ? { year: Number(m[3]), month, day: Number(m[1]) } : null;
  },
};

/** "2025-03", "2025/03": month precision (chrono has no year-month numeric form). */
const yearMonthParser: chrono.Parser = {
  pattern: () => /(?<![\p{L}\d.\-/])((?:19|20|21)\d{2})[-/](0[1-9]|1[0-2])(?![\p{L}\d]|[-/.][\p{L}\d])/u,
  extract: (_ctx, m) => ({ year: Number(m[1]), month: Number(m[2]) }),
};

/** Labelled years and quarters: "FY 2025", "Fiscal year 2025", "Year: 2019", "Q1 2025": year precision. */
const yearLabelParser: chrono.Parser = {
  pattern: () =>
    /(?<![\p{L}\d])(?:FY|F\.Y\.|[Ff]iscal [Yy]ear|[Ff]inancial [Yy]ear|[Tt]ax [Yy]ear|[Yy]ear\s*:|Q[1-4](?:\s*FY)?)\s*:?\s*((?:19|20|21)\d{2})(?![\d/-])/u,
  extract: (ctx, m) => {
    const result = ctx.createParsingResult(m.index ?? 0, m[0], { year: Number(m[1]) });
    result.addTag(YEAR_TAG);
    return result;
  },
};

// Kept out of the strict English configuration: relative dates ("in 3 days"), bare times, weekday names
// (a weekday alone is not a date, and beside a date it only widens the box), and the refiners that merge
// a date with its time or two dates into one range (ranges are split again below, each end its own hit).
// NOTE: chrono exports no handle on its parsers, so they are matched by class name. That holds because the
// Node bundles keep packages external (chrono is loaded unminified from node_modules); a test checks that
// every name still exists in chrono's configuration.
export const DROPPED_CHRONO_PARTS: ReadonlySet<string> = new Set([
  'ENTimeUnitWithinFormatParser',
  'ENTimeUnitAgoFormatParser',
  'ENTimeUnitLaterFormatParser',
  'ENTimeExpressionParser',
  'ENWeekdayParser',
  'ENMergeDateTimeRefiner',
  'ENMergeDateRangeRefiner',
  'ENMergeRelativeAfterDateRefiner',
  'ENMergeRelativeFollowByDateRefiner',
  'ForwardDateRefiner',
]);

/**
 * "25032018 13:11:54": a till's compact date (DDMMYYYY day first, MMDDYYYY month first, or YYYYMMDD), read only
 * when a time follows it, since eight digits alone are an id far more often than a date. Outside chrono, whose
 * filters drop every all-digit match.
 */
function compactDates(text: string, order: DateOrder, range: readonly [number, number]): Found[] {
  const out: Found[] = [];
  for (const m of text.matchAll(/(?<![\p{L}\d])(\d{8})(?=\s+\d{1,2}:\d{2}(?!\d))/gu)) {
    const d = m[1] ?? '';
    const n = (a: number, b: number) => Number(d.slice(a, b));
    const iso = (year: number, month: number, day: number) =>
      isoOf(year, { year, month, day, yearCertain: true, precision: 'day' }, range);
    const [day, month] = order === 'day-first' ? [n(0, 2), n(2, 4)] : [n(2, 4), n(0, 2)];
    const value = (/^(?:19|20)/.test(d) ? iso(n(0, 4), n(4, 6), n(6, 8)) : null) ?? iso(n(4, 8), month, day);
    const at = m.index ?? 0;
    if (value) out.push({ start: at, end: at + d.length, iso: value, precision: 'day' });
  }
  return out;
}

function buildParser(dayFirst: boolean): chrono.Chrono {
  const config = chrono.en.configuration.createConfiguration(true, dayFirst);
  config.parsers = config.parsers.filter((p) => !DROPPED_CHRONO_PARTS.has(p.constructor.name));
  config.refiners = config.refiners.filter((r) => !DROPPED_CHRONO_PARTS.has(r.constructor.name));
  // Custom parsers go first so that chrono's overlap removal, which keeps the longer match, sees them.
  config.parsers.unshift(dayOfMonthParser, monthYearParser, yearMonthParser, yearLabelParser);
  return new chrono.Chrono(config);
}

const PARSERS: Record<DateOrder, chrono.Chrono> = {
  'month-first': buildParser(false),
  'day-first': buildParser(true),
};

/** Ways of writing "to" between the two ends of a range. */
const RANGE_GAP = /^\s*(?:-|–|—|to|through|thru|until|till|and)\s*$/i;
const RANGE_SEPARATOR = /(?<=[\p{L}\d]\.?)\s*(?:-|–|—|\bto\b|\bthrough\b|\buntil\b)\s*/iu;

interface Found {
  start: number;
  end: number;
  iso: string;
  precision: Precision;
}

interface Fields {
  year: number | null;
  month: number | null;
  day: number | null;
  yearCertain: boolean;
  precision: Precision | null;
}

function fieldsOf(c: chrono.ParsedComponents, yearLabel: boolean): Fields {
  const yearCertain = c.isCertain('year');
  const monthCertain = c.isCertain('month');
  const dayCertain = c.isCertain('day');
  let precision: Precision | null = null;
  if (monthCertain && dayCertain) precision = 'day';
  else if (monthCertain && yearCertain) precision = 'month';
  else if (yearCertain && yearLabel) precision = 'year';
  return { year: c.get('year'), month: c.get('month'), day: c.get('day'), yearCertain, precision };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** ISO string for the fields, or null when the date is not a calendar date or out of range. */
function isoOf(year: number, f: Fields, range: readonly [number, number]): string | null {
  if (!Number.isInteger(year) || year < range[0] || year > range[1]) return null;
  if (f.precision === 'year') return pad(year, 4);
  const month = f.month ?? 0;
  if (month < 1 || month > 12) return null;
  if (f.precision === 'month') return `${pad(year, 4)}-${pad(month, 2)}`;
  const day = f.day ?? 0;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Trims spaces, commas and a leading preposition chrono sometimes takes in ("on 14 March") off [start, end). */
function trimSpan(text: string, start: number, end: number): [number, number] {
  let a = start;
  let b = end;
  const lead = /^\s*(?:(?:on|the|of|from|since|until|by|to)\s+)*/i.exec(text.slice(a, b));
  if (lead && a + lead[0].length < b) a += lead[0].length;
  while (a < b && /[\s,]/.test(text[a] ?? '')) a++;
  while (b > a && /[\s,]/.test(text[b - 1] ?? '')) b--;
  return [a, b];
}

/** Dates found in one string (a line, or the seam of two lines). */
function findInText(text: string, order: DateOrder, opts: ExtractDatesOptions, ocr: boolean): Found[] {
  const range = opts.yearRange ?? [1900, 2100];
  const results = PARSERS[order].parse(text, new Date(Date.UTC(opts.referenceYear ?? 2000, 5, 15)));
  const found: Found[] = [];

  results.forEach((r, i) => {
    const yearLabel = r.tags().has(YEAR_TAG);
    const start = fieldsOf(r.start, yearLabel);
    if (!start.precision) return;
    // "may" in lower case before a number is the verb ("he may 12 …"), not the month.
    if (/^may\b/.test(r.text)) return;
    // Dotted numeric dates are written day first (14.03.2025: German, French, Russian…; US usage has none),
    // so they read day first whatever the locale, which speaks for slashes and dashes; 03.25.2025 stays
    // 25 March.
    const dotted = /^(\d{1,2})\.(\d{1,2})\.(?:\d{2}|\d{4})$/.exec(r.text);
    if (dotted && Number(dotted[2]) <= 12) {
      start.day = Number(dotted[1]);
      start.month = Number(dotted[2]);
    }
    const hasLetters = /\p{L}/u.test(r.text.replace(/T(?=\d)|Z$/g, ''));
    // Look-alike filters read the context of the whole match (a range's ends sit next to each other), and
    // of a date glued to the next or previous one by a dash or slash ("2025-03-14/2025-03-16").
    const [ws, we] = trimSpan(text, r.index, r.index + r.text.length);
    if (we <= ws) return;
    const prev = results[i - 1];
    const after = results[i + 1];
    const glued = (at: number) => /[-/–—]/.test(text[at] ?? '');
    const cs = prev && prev.index + prev.text.length === ws - 1 && glued(ws - 1) ? prev.index : ws;
    const ce = after && after.index === we + 1 && glued(we) ? after.index + after.text.length : we;
    if (rejectLookAlike(text, cs, ce, { ocr })) return;

    // Ends of the match: one, or two when the parser itself read a range ("Jan 5-7, 2025").
    const ends: Array<{ a: number; b: number; f: Fields }> = [];
    const sep = r.end ? RANGE_SEPARATOR.exec(r.text) : null;
    if (r.end && sep) {
      const endFields = fieldsOf(r.end, yearLabel);
      ends.push({ a: r.index, b: r.index + sep.index, f: start });
      if (endFields.precision)
        ends.push({ a: r.index + sep.index + sep[0].length, b: r.index + r.text.length, f: endFields });
      if (!start.yearCertain && endFields.yearCertain) start.year = endFields.year;
      if (!start.yearCertain && endFields.yearCertain) start.yearCertain = true;
    } else {
      ends.push({ a: r.index, b: r.index + r.text.length, f: start });
    }

    // "March 3 to March 5, 2025": the first end borrows the year of the next date (a year earlier when
    // its month is later, as in "Dec 28 – Jan 3, 2026").
    const next = results[i + 1];
    if (!start.yearCertain && next && RANGE_GAP.test(text.slice(r.index + r.text.length, next.index))) {
      if (next.start.isCertain('year')) {
        const nextYear = next.start.get('year') ?? 0;
        const later = (start.month ?? 0) > (next.start.get('month') ?? 0);
        start.year = later ? nextYear - 1 : nextYear;
        start.yearCertain = true;
      }
    }

    for (const { a, b, f } of ends) {
      let year = f.year ?? 0;
      if (!f.yearCertain) {
        // A numeric date without a year (3/4, 12-05) is a fraction, a ratio or a score far more often than a
        // date; a month-name date without one takes the caller's reference year, if given.
        if (!hasLetters || opts.referenceYear === undefined) continue;
        year = opts.referenceYear;
      }
      const iso = isoOf(year, f, range);
      if (!iso) continue;
      const [s, e] = trimSpan(text, a, b);
      if (e <= s) continue;
      found.push({ start: s, end: e, iso, precision: f.precision ?? 'day' });
    }
  });
  for (const c of compactDates(text, order, range))
    if (!found.some((f) => overlaps(f, c)) && !rejectLookAlike(text, c.start, c.end, { ocr })) found.push(c);
  return found;
}

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Whether line j directly follows line i below it, close enough for a date to wrap from one to the other. */
function wrapsOnto(page: TextPage, i: number, j: number): boolean {
  const a = page.lines[i]?.box;
  const b = page.lines[j]?.box;
  if (!a || !b) return false;
  const h = Math.max(a.y1 - a.y0, 1);
  return b.y0 >= a.y0 + 0.5 * h && b.y0 - a.y1 <= h;
}

/** Whether run b starts right after run a on the same printed row (OCR split the row at a wide space). */
function besideOnRow(page: TextPage, a: LineText | undefined, b: LineText | undefined): boolean {
  const last = a?.words[a.words.length - 1];
  const first = b?.words[0];
  if (page.source !== 'ocr' || !last || !first) return false;
  const h = Math.min(last.box.y1 - last.box.y0, first.box.y1 - first.box.y0);
  const overlap = Math.min(last.box.y1, first.box.y1) - Math.max(last.box.y0, first.box.y0);
  const cw =
    (last.box.x1 - last.box.x0 + (first.box.x1 - first.box.x0)) / (last.text.length + first.text.length);
  const gap = first.box.x0 - last.box.x1;
  return overlap > 0.5 * h && gap > -0.5 * cw && gap < 2 * cw;
}

/** Dates of one page, in reading order (line, then position in line). */
export function extractDates(page: TextPage, opts: ExtractDatesOptions = {}): DateHit[] {
  if (page.source === 'none') return [];
  const order: DateOrder = !opts.locale || opts.locale === 'auto' ? detectLocale([page]) : opts.locale;
  const runs: LineText[] = page.lines.map((_, i) => lineText(page, i));
  // OCR text is parsed with its digit confusions undone (same length, so offsets hold); hits keep the OCR text.
  const parseable = (text: string) => (page.source === 'ocr' ? normaliseOcrText(text) : text);
  const perLine: Found[][] = runs.map((run) =>
    findInText(parseable(run.text), order, opts, page.source === 'ocr'),
  );
  // `upTo`: the end of the part on the hit's first line, whose left edge orders it among that line's hits.
  const hits: Array<{ run: LineText; f: Found; line: number; upTo: number }> = [];

  // A date wrapped onto the next line ("…due on 14 March" / "2025 at the latest"): parse the seam (the last
  // words of line i and the first of line i+1) and keep matches that cross it and carry a month name on the
  // first line, so "Total 14" above "March 2025" is not read as 14 March 2025.
  for (let i = 0; i + 1 < runs.length; i++) {
    const upper = runs[i];
    const lower = runs[i + 1];
    if (!upper || !lower || upper.words.length === 0 || lower.words.length === 0) continue;
    if (!wrapsOnto(page, i, i + 1)) continue;
    const tail = upper.words.slice(-4);
    const head = lower.words.slice(0, 4);
    const seam = joinWords([...tail, ...head]);
    const cut = joinWords(tail).text.length; // index of the joining space
    if (!HAS_MONTH_NAME.test(seam.text)) continue;
    for (const f of findInText(parseable(seam.text), order, opts, page.source === 'ocr')) {
      if (!(f.start < cut && f.end > cut + 1) || !/\p{L}/u.test(seam.text.slice(f.start, cut))) continue;
      // Drop what each line found alone inside the wrapped date (e.g. "March 2025" of "14 March" / "2025").
      const upperOffset = upper.text.length - cut;
      perLine[i] = (perLine[i] ?? []).filter(
        (g) => !overlaps(g, { start: f.start + upperOffset, end: upper.text.length }),
      );
      const lowerEnd = f.end - cut - 1;
      perLine[i + 1] = (perLine[i + 1] ?? []).filter((g) => !overlaps(g, { start: 0, end: lowerEnd }));
      hits.push({ run: seam, f, line: i, upTo: cut });
    }
  }
  // OCR cuts one printed row into several lines at wider spaces ("Jan" / "13," / "2021"): lines side by side on
  // one row, each starting right after the last, are parsed together; a date that crosses their seams is kept.
  for (let i = 0; i < runs.length; i++) {
    let j = i;
    while (j + 1 < runs.length && besideOnRow(page, runs[j], runs[j + 1])) j++;
    if (j === i) continue;
    const chain = runs.slice(i, j + 1);
    const run = joinWords(chain.flatMap((r) => r.words));
    for (const f of findInText(parseable(run.text), order, opts, page.source === 'ocr')) {
      const lines = new Set(
        run.words
          .filter((_, w) => (run.spans[w]?.start ?? 0) < f.end && (run.spans[w]?.end ?? 0) > f.start)
          .map((w) => w.line),
      );
      if (lines.size < 2) continue;
      const box = spanBox(run, f.start, f.end);
      if (!box) continue;
      // What each line found alone inside the joined date is a piece of it.
      for (let k = i; k <= j; k++) {
        const r = runs[k];
        if (!r) continue;
        perLine[k] = (perLine[k] ?? []).filter((g) => {
          const b = spanBox(r, g.start, g.end);
          return !b || b.x1 <= box.x0 || b.x0 >= box.x1;
        });
      }
      hits.push({ run, f, line: i, upTo: f.end });
    }
    i = j;
  }
  perLine.forEach((found, line) => {
    const run = runs[line];
    if (run) for (const f of found) hits.push({ run, f, line, upTo: f.end });
  });

  const out: Array<{ hit: DateHit; line: number; start: number }> = [];
  for (const { run, f, line, upTo } of hits) {
    const box = spanBox(run, f.start, f.end);
    if (!box) continue;
    const first = spanBox(run, f.start, Math.min(f.end, upTo)) ?? box;
    out.push({
      hit: {
        iso: f.iso,
        precision: f.precision,
        text:
          page.source === 'ocr'
            ? printedMonthDate(run.text.slice(f.start, f.end))
            : run.text.slice(f.start, f.end),
        box: { page: page.page, ...box },
        source: page.source,
      },
      line,
      start: first.x0,
    });
  }
  out.sort((a, b) => a.line - b.line || a.start - b.start);
  return out.map((o) => o.hit);
}

/** Dates of a whole document, page by page; under `auto` the order is decided once from all its pages. */
export function extractDocumentDates(pages: readonly TextPage[], opts: ExtractDatesOptions = {}): DateHit[] {
  const locale = !opts.locale || opts.locale === 'auto' ? detectLocale(pages) : opts.locale;
  return pages.flatMap((page) => extractDates(page, { ...opts, locale }));
}
