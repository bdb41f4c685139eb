// The project's own labelled set for date extraction: seeded synthetic pages (invoices, letters, logs,
// tables) with known dates in many formats among look-alikes, and the precision / recall measurement.
// A page is first a spec (lines of text at positions, plus where each date and distractor sits in them),
// so the documents and OCR rooms can later draw the same specs into digital and scanned PDFs; specToTextPage
// is the text layer such a PDF would have with a fixed-pitch font.
import type { DateHit, TextPage } from '../../shared/domain.js';
import type { Rect } from '../../shared/geometry.js';
import { iou, unionRect } from '../../shared/geometry.js';
import { extractDates } from './extract-dates.js';
import { detectLocale, type DateOrder } from './locale.js';
import { spanRect, specToTextPage, type SpecFont, type SpecLine, type SpecPage } from './spec-layout.js';
import { mulberry32 } from '../../shared/prng.js';

export { specToTextPage, spanRect, type SpecLine };

export const DATE_FORMATS = [
  'month-day-year', // March 14, 2025
  'day-month-year', // 14 March 2025
  'ordinal-of', // 14th of March, 2025
  'abbr-dot', // Mar. 14, 2025
  'ordinal', // March 14th, 2025 or 14th March 2025
  'upper-case', // MARCH 14, 2025 or 14 MAR 2025
  'legal', // 14th day of March, 2025
  'iso', // 2025-03-14
  'slash', // 14/03/2025 or 03/14/2025 by the document's order
  'slash-short-year', // 14/3/25 or 3/14/25
  'dot', // 14.03.2025 (day-first documents)
  'dash-numeric', // 14-03-2025 or 03-14-2025
  'dot-ymd', // 2025.03.14
  'dash-abbr', // 14-Mar-2025
  'ymd-slash', // 2025/03/14
  'month-year', // March 2025
  'numeric-month-year', // 03/2025
  'year-month', // 2025-03
  'iso-timestamp', // 2025-03-14T10:00:00Z
  'date-time', // 2025-03-14 10:42 (the date only)
  'weekday', // Friday, 14 March 2025 (the date without the weekday)
  'quarter', // Q1 2025 → 2025
  'fiscal-year', // FY 2025 → 2025
  'range', // 5-7 March 2025 → two dates
  'wrapped', // 14 March / 2025 across two lines
] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

export const DISTRACTOR_KINDS = [
  'version',
  'phone',
  'isbn',
  'money',
  'ratio',
  'score',
  'time',
  'page-ref',
  'percentage',
  'invalid-date',
  'bare-year',
  'relative',
  'ip-address',
  'identifier',
  'yearless',
  'yearless-numeric',
  'coordinates',
  'dimensions',
] as const;
export type DistractorKind = (typeof DISTRACTOR_KINDS)[number];

/** Characters [start, end) of spec line `line`. */
export interface Span {
  line: number;
  start: number;
  end: number;
}

export interface ExpectedDate {
  iso: string;
  precision: DateHit['precision'];
  /** The source text (spans joined with a space when the date wraps). */
  text: string;
  format: DateFormat;
  spans: Span[];
}

export interface Distractor {
  kind: DistractorKind;
  text: string;
  span: Span;
}

export interface PageSpec extends SpecPage {
  doc: string;
  kind: 'invoice' | 'letter' | 'log' | 'table';
  order: DateOrder;
  dates: ExpectedDate[];
  distractors: Distractor[];
}

// ---- seeded randomness ------------------------------------------------------------------------------------

function pick<T>(rand: () => number, items: readonly T[]): T {
  const item = items[Math.floor(rand() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

// ---- formats ----------------------------------------------------------------------------------------------

/** English month names, January first. */
export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

const p2 = (n: number) => String(n).padStart(2, '0');
const monthName = (m: number) => MONTHS[m - 1] ?? 'January';
const abbr = (m: number) => monthName(m).slice(0, 3);
const ordinal = (d: number) => {
  const tens = d % 100;
  if (tens >= 11 && tens <= 13) return `${d}th`;
  return `${d}${['th', 'st', 'nd', 'rd'][d % 10] ?? 'th'}`;
};

interface DateValue {
  y: number;
  m: number;
  d: number;
}

/**
 * A written date: the pieces of text in order (several for ranges and wrapped dates, whose `parts` say
 * which pieces are which expected dates) and the expected dates themselves.
 */
interface Written {
  /** Text pieces; `\n` as a whole piece means "continue on the next line". */
  pieces: string[];
  expected: Array<{ iso: string; precision: DateHit['precision']; pieces: number[] }>;
}

function isoDay(v: DateValue): string {
  return `${v.y}-${p2(v.m)}-${p2(v.d)}`;
}

function writeDate(format: DateFormat, v: DateValue, order: DateOrder, rand: () => number): Written {
  const dayFirst = order === 'day-first';
  const one = (text: string, iso = isoDay(v), precision: DateHit['precision'] = 'day'): Written => ({
    pieces: [text],
    expected: [{ iso, precision, pieces: [0] }],
  });
  switch (format) {
    case 'month-day-year':
      return one(`${monthName(v.m)} ${v.d}, ${v.y}`);
    case 'day-month-year':
      return one(`${v.d} ${monthName(v.m)} ${v.y}`);
    case 'ordinal-of':
      return one(`${ordinal(v.d)} of ${monthName(v.m)}, ${v.y}`);
    case 'abbr-dot':
      return one(v.m === 5 ? `May ${v.d}, ${v.y}` : `${abbr(v.m)}. ${v.d}, ${v.y}`);
    case 'ordinal':
      return one(
        dayFirst ? `${ordinal(v.d)} ${monthName(v.m)} ${v.y}` : `${monthName(v.m)} ${ordinal(v.d)}, ${v.y}`,
      );
    case 'upper-case':
      return one(
        dayFirst
          ? `${v.d} ${abbr(v.m).toUpperCase()} ${v.y}`
          : `${monthName(v.m).toUpperCase()} ${v.d}, ${v.y}`,
      );
    case 'legal':
      return one(`${ordinal(v.d)} day of ${monthName(v.m)}, ${v.y}`);
    case 'iso':
      return one(isoDay(v));
    case 'slash':
      return one(dayFirst ? `${p2(v.d)}/${p2(v.m)}/${v.y}` : `${p2(v.m)}/${p2(v.d)}/${v.y}`);
    case 'slash-short-year': {
      const yy = p2(v.y % 100);
      return one(dayFirst ? `${v.d}/${v.m}/${yy}` : `${v.m}/${v.d}/${yy}`);
    }
    case 'dot':
      return one(`${p2(v.d)}.${p2(v.m)}.${v.y}`);
    case 'dash-numeric':
      return one(dayFirst ? `${p2(v.d)}-${p2(v.m)}-${v.y}` : `${p2(v.m)}-${p2(v.d)}-${v.y}`);
    case 'dot-ymd':
      return one(`${v.y}.${p2(v.m)}.${p2(v.d)}`);
    case 'dash-abbr':
      return one(`${p2(v.d)}-${abbr(v.m)}-${v.y}`);
    case 'ymd-slash':
      return one(`${v.y}/${p2(v.m)}/${p2(v.d)}`);
    case 'month-year':
      return one(`${rand() < 0.5 ? monthName(v.m) : abbr(v.m)} ${v.y}`, `${v.y}-${p2(v.m)}`, 'month');
    case 'numeric-month-year':
      return one(`${p2(v.m)}/${v.y}`, `${v.y}-${p2(v.m)}`, 'month');
    case 'year-month':
      return one(`${v.y}-${p2(v.m)}`, `${v.y}-${p2(v.m)}`, 'month');
    case 'iso-timestamp':
      return one(`${isoDay(v)}T${p2(Math.floor(rand() * 24))}:${p2(Math.floor(rand() * 60))}:00Z`);
    case 'date-time':
      return {
        pieces: [isoDay(v), ` ${p2(Math.floor(rand() * 24))}:${p2(Math.floor(rand() * 60))}`],
        expected: [{ iso: isoDay(v), precision: 'day', pieces: [0] }],
      };
    case 'weekday': {
      const wd = WEEKDAYS[new Date(Date.UTC(v.y, v.m - 1, v.d)).getUTCDay()] ?? 'Monday';
      const date = dayFirst ? `${v.d} ${monthName(v.m)} ${v.y}` : `${monthName(v.m)} ${v.d}, ${v.y}`;
      return { pieces: [`${wd}, `, date], expected: [{ iso: isoDay(v), precision: 'day', pieces: [1] }] };
    }
    case 'quarter':
      return one(`Q${Math.ceil(v.m / 3)} ${v.y}`, String(v.y), 'year');
    case 'fiscal-year':
      return one(`FY ${v.y}`, String(v.y), 'year');
    case 'range': {
      const d0 = Math.min(v.d, 25);
      const d1 = d0 + 1 + Math.floor(rand() * 3);
      const a = isoDay({ ...v, d: d0 });
      const b = isoDay({ ...v, d: d1 });
      const pieces = dayFirst
        ? [`${d0}`, '-', `${d1} ${monthName(v.m)} ${v.y}`]
        : [`${monthName(v.m)} ${d0}`, '-', `${d1}, ${v.y}`];
      return {
        pieces,
        expected: [
          { iso: a, precision: 'day', pieces: [0] },
          { iso: b, precision: 'day', pieces: [2] },
        ],
      };
    }
    case 'wrapped': {
      const head = dayFirst ? `${v.d} ${monthName(v.m)}` : `${monthName(v.m)} ${v.d},`;
      return {
        pieces: [head, '\n', String(v.y)],
        expected: [{ iso: isoDay(v), precision: 'day', pieces: [0, 2] }],
      };
    }
  }
}

function writeDistractor(kind: DistractorKind, rand: () => number): string {
  const n = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  switch (kind) {
    case 'version':
      return pick(rand, [
        `v${n(1, 9)}.${n(0, 20)}.${n(0, 30)}`,
        `version ${n(1, 4)}.${n(10, 12)}.${n(20, 30)}`,
        `release ${n(1, 12)}.${n(1, 12)}.${n(10, 30)}`,
        `${n(1, 9)}.${n(1, 12)}.${n(10, 30)}`,
      ]);
    case 'phone':
      return pick(rand, [
        `+1 (555) ${n(100, 999)}-${n(1000, 9999)}`,
        `555-${n(1000, 9999)}`,
        `+44 20 ${n(1000, 9999)} ${n(1000, 9999)}`,
        `(555) ${n(100, 999)}-${n(1000, 9999)}`,
        `Tel: 020 ${n(1000, 9999)} ${n(1000, 9999)}`,
        `fax ${n(10, 99)}-${n(10, 99)}-${n(1000, 9999)}`,
      ]);
    case 'isbn':
      return pick(rand, [
        `ISBN 978-3-16-${n(100000, 999999)}-0`,
        `ISBN 0-306-${n(10000, 99999)}-2`,
        `ISBN-13: 978-0-${n(10, 99)}-${n(100000, 999999)}-${n(0, 9)}`,
      ]);
    case 'money':
      return pick(rand, [
        `$${n(1, 9)},${n(100, 999)}.${p2(n(0, 99))}`,
        `${n(1, 12)}.${p2(n(1, 12))} EUR`,
        `€${n(1, 99)}.${p2(n(0, 99))}`,
      ]);
    case 'ratio':
      return pick(rand, [`${n(1, 9)}/${n(2, 9)}`, '16:9', '4:3']);
    case 'score':
      return `${n(0, 5)}-${n(0, 5)}`;
    case 'time':
      return pick(rand, [`${p2(n(0, 23))}:${p2(n(0, 59))}`, `${n(1, 12)}:${p2(n(0, 59))} PM`]);
    case 'page-ref':
      return pick(rand, [`page ${n(1, 300)}`, `p. ${n(1, 12)}/${n(13, 40)}`, `pp. ${n(1, 9)}-${n(10, 30)}`]);
    case 'percentage':
      return `${n(1, 99)}.${n(0, 9)}%`;
    case 'invalid-date':
      return pick(rand, [
        `2025-02-${n(30, 31)}`,
        `13/13/${n(2000, 2030)}`,
        `${n(2000, 2030)}-13-${p2(n(1, 28))}`,
      ]);
    case 'bare-year':
      return pick(rand, [`in ${n(1990, 2030)}`, `since ${n(1950, 2020)}`]);
    case 'relative':
      return pick(rand, ['tomorrow', 'next Monday', `in ${n(2, 9)} days`, 'last week']);
    case 'ip-address':
      return `10.${n(1, 12)}.${n(1, 28)}.${n(1, 99)}`;
    case 'identifier':
      return pick(rand, [
        `INV-${n(2019, 2026)}-${n(1000, 9999)}`,
        `#${n(2019, 2026)}-${p2(n(1, 12))}-${p2(n(1, 28))}`,
      ]);
    case 'yearless':
      return `${n(1, 28)} ${monthName(n(1, 12))}`;
    case 'yearless-numeric':
      return `${p2(n(1, 12))}/${p2(n(1, 28))}`;
    case 'coordinates':
      return `${n(10, 60)}.${n(1000, 9999)}, -${n(0, 9)}.${n(1000, 9999)}`;
    case 'dimensions':
      return pick(rand, [`${n(100, 300)} x ${n(100, 400)} mm`, `${n(1, 12)}x${n(1, 12)}`]);
  }
}

// ---- page templates ---------------------------------------------------------------------------------------

// {D} is a date slot, {X} a distractor slot. Each template is one line (a wrapped date adds one).
const TEMPLATES: Record<PageSpec['kind'], readonly string[]> = {
  invoice: [
    'Invoice date: {D}',
    'Due date: {D}   Terms: net 30',
    'Total due: {X}   payable by {D}',
    'Questions? Call {X} or write to billing before {D}.',
    'Service period {D} (see {X})',
    'Delivered on {D}, order total {X}.',
    'Discount {X} applied to the order of {D}.',
    'Reference {X}, statement for {D}.',
    'Shipped {X} units on {D}; next delivery expected {D}.',
    'Paid {X} by card on {D}',
  ],
  letter: [
    'Dear Ms. Alvarez, thank you for your letter of {D}.',
    'We have been partners {X} and met again on {D}.',
    'Please reply by {D}; our number is {X}.',
    'The meeting on {D} ran {X} over schedule.',
    'As agreed, the contract starts {D} and not {X}.',
    'Your order ({X}) was shipped {D}.',
    'The committee reviewed the draft {D}, see {X}.',
    'Yours sincerely, signed {D}.',
    'I wrote on {D} and again on {D}, quoting {X}.',
    'Signed this {D} at the offices of the company.',
  ],
  log: [
    '[{D}] INFO service started, build {X}',
    '{D} WARN disk usage at {X}',
    '{D} ERROR upstream {X} unreachable',
    'rotated log at {D}; ratio {X}',
    '{D} DEBUG retry {X} of request',
    'deployed {X} on {D}',
    '{D} INFO frame {X} rendered',
    '{D} INFO location {X} cached',
  ],
  table: [
    'Row {X}\t{D}\tapproved',
    'Milestone\t{D}\towner: K. Singh\t{X}',
    'Period\t{D}\trevenue {X}',
    'Match\t{D}\tfinal score {X}',
    'Checked\t{D}\tpage {X}',
    '{X}\t{D}\t{X}',
  ],
};

const DISTRACTOR_FOR: Record<PageSpec['kind'], readonly DistractorKind[]> = {
  invoice: [
    'money',
    'phone',
    'identifier',
    'percentage',
    'isbn',
    'invalid-date',
    'page-ref',
    'yearless',
    'dimensions',
    'yearless-numeric',
  ],
  letter: ['bare-year', 'phone', 'relative', 'time', 'isbn', 'page-ref', 'identifier', 'yearless', 'version'],
  log: [
    'version',
    'percentage',
    'ip-address',
    'ratio',
    'time',
    'invalid-date',
    'score',
    'coordinates',
    'dimensions',
  ],
  table: [
    'score',
    'ratio',
    'money',
    'version',
    'percentage',
    'page-ref',
    'invalid-date',
    'yearless-numeric',
    'phone',
    'bare-year',
  ],
};

// Log lines lead with machine formats; prose favours written formats. Every format appears in some kind.
const FORMATS_FOR: Record<PageSpec['kind'], readonly DateFormat[]> = {
  invoice: [
    'month-day-year',
    'day-month-year',
    'abbr-dot',
    'ordinal',
    'upper-case',
    'iso',
    'slash',
    'slash-short-year',
    'dot',
    'dash-numeric',
    'dash-abbr',
    'month-year',
    'numeric-month-year',
    'range',
    'quarter',
    'fiscal-year',
  ],
  letter: [
    'month-day-year',
    'day-month-year',
    'ordinal-of',
    'ordinal',
    'legal',
    'abbr-dot',
    'weekday',
    'slash',
    'month-year',
    'range',
    'wrapped',
  ],
  log: [
    'iso',
    'iso-timestamp',
    'date-time',
    'ymd-slash',
    'dot-ymd',
    'slash',
    'dot',
    'dash-abbr',
    'upper-case',
  ],
  table: [
    'iso',
    'slash',
    'dot',
    'dash-numeric',
    'dash-abbr',
    'year-month',
    'month-year',
    'quarter',
    'fiscal-year',
    'numeric-month-year',
    'dot-ymd',
  ],
};

const MARGIN = 54;

export interface GenerateOptions {
  /** Documents to generate (each of `pagesPerDoc` pages). Default 60. */
  docs?: number;
  pagesPerDoc?: number;
  seed?: number;
  /** Template lines per page. Default 14. */
  linesPerPage?: number;
}

/** Generates the labelled set: deterministic for a seed. */
export function generateLabelledSet(opts: GenerateOptions = {}): PageSpec[] {
  const rand = mulberry32(opts.seed ?? 20250314);
  const docs = opts.docs ?? 60;
  const pagesPerDoc = opts.pagesPerDoc ?? 2;
  const linesPerPage = opts.linesPerPage ?? 14;
  const specs: PageSpec[] = [];
  for (let di = 0; di < docs; di++) {
    const kind = pick(rand, ['invoice', 'letter', 'log', 'table'] as const);
    const order: DateOrder = rand() < 0.5 ? 'day-first' : 'month-first';
    // Logs are set in a fixed-pitch font; other documents in either.
    const font: SpecFont = kind === 'log' || rand() < 0.3 ? 'Courier' : 'Helvetica';
    const size = pick(rand, [9, 10, 11, 12]);
    const doc = `doc-${String(di + 1).padStart(3, '0')}`;
    for (let pi = 1; pi <= pagesPerDoc; pi++) {
      specs.push(generatePage(rand, { doc, page: pi, kind, order, font, size }, linesPerPage));
    }
  }
  return specs;
}

interface PageSetup {
  doc: string;
  page: number;
  kind: PageSpec['kind'];
  order: DateOrder;
  font: SpecFont;
  size: number;
}

function generatePage(rand: () => number, setup: PageSetup, linesPerPage: number): PageSpec {
  const { doc, page, kind, order, font, size } = setup;
  const spec: PageSpec = {
    doc,
    page,
    kind,
    order,
    width: 612,
    height: 792,
    lines: [],
    dates: [],
    distractors: [],
  };
  const formats = FORMATS_FOR[kind].filter((f) => f !== 'dot' || order === 'day-first');
  const leading = Math.round(size * 1.4);
  let current = '';
  const flush = () => {
    spec.lines.push({ text: current, x: MARGIN, y: MARGIN + spec.lines.length * leading, size, font });
    current = '';
  };
  for (let t = 0; t < linesPerPage; t++) {
    const template = pick(rand, TEMPLATES[kind]);
    for (const part of template.split(/(\{D\}|\{X\})/)) {
      if (part === '{D}') {
        const y = 1995 + Math.floor(rand() * 36);
        const m = 1 + Math.floor(rand() * 12);
        const d = 1 + Math.floor(rand() * new Date(Date.UTC(y, m, 0)).getUTCDate());
        const format = pick(rand, formats);
        const written = writeDate(format, { y, m, d }, order, rand);
        // Where each piece lands: a line index and a character range in it.
        const placed: Span[] = [];
        for (const piece of written.pieces) {
          if (piece === '\n') {
            flush();
            placed.push({ line: spec.lines.length, start: 0, end: 0 });
            continue;
          }
          placed.push({ line: spec.lines.length, start: current.length, end: current.length + piece.length });
          current += piece;
        }
        for (const e of written.expected) {
          const spans = e.pieces.map((k) => placed[k]).filter((sp): sp is Span => sp !== undefined);
          const text = e.pieces.map((k) => written.pieces[k] ?? '').join(' ');
          spec.dates.push({ iso: e.iso, precision: e.precision, text, format, spans });
        }
      } else if (part === '{X}') {
        const dk = pick(rand, DISTRACTOR_FOR[kind]);
        const text = writeDistractor(dk, rand);
        const span = { line: spec.lines.length, start: current.length, end: current.length + text.length };
        spec.distractors.push({ kind: dk, text, span });
        current += text;
      } else {
        current += part;
      }
    }
    flush();
  }
  return spec;
}

// ---- text layer and truth boxes ---------------------------------------------------------------------------

/** The expected box of a date: the union of its spans (two lines when it wraps). */
export function expectedBox(spec: PageSpec, date: ExpectedDate): Rect {
  const rects = date.spans.flatMap((sp) => {
    const line = spec.lines[sp.line];
    return line ? [spanRect(line, sp.start, sp.end)] : [];
  });
  return unionRect(rects) ?? { x0: 0, y0: 0, x1: 0, y1: 0 };
}

// ---- OCR-like text ----------------------------------------------------------------------------------------

export interface OcrNoise {
  seed?: number;
  /** Chance that a digit is read as its look-alike letter (0→O, 1→l, 5→S, 8→B). Default 0.03. */
  confusion?: number;
  /** Chance that a word holding / - or . is cut into touching pieces after one of them. Default 0.15. */
  split?: number;
  /** Chance that a comma is read as a full stop. Default 0.1. */
  punctuation?: number;
  /** Box edges move by up to this many points. Default 0.8. */
  jitter?: number;
}

const LETTER_FOR: Record<string, string> = { '0': 'O', '1': 'l', '5': 'S', '8': 'B' };

/**
 * The text layer re-read as OCR would: source `ocr`, confidences below 1, jittered boxes, digits read as
 * letters, commas as full stops, and words cut into touching pieces. A stand-in for the scanned PDFs the
 * OCR room will make from the same specs.
 */
export function simulateOcr(page: TextPage, noise: OcrNoise = {}): TextPage {
  const rand = mulberry32(noise.seed ?? 7);
  const confusion = noise.confusion ?? 0.03;
  const split = noise.split ?? 0.15;
  const punctuation = noise.punctuation ?? 0.1;
  const jitter = noise.jitter ?? 0.8;
  const j = () => (rand() * 2 - 1) * jitter;
  const words: TextPage['words'] = [];
  const lines: TextPage['lines'] = page.lines.map((line, li) => {
    const wordStart = words.length;
    for (let k = line.wordStart; k < line.wordEnd; k++) {
      const w = page.words[k];
      if (!w) continue;
      let text = [...w.text]
        .map((c) => {
          const letter = LETTER_FOR[c];
          if (letter && rand() < confusion) return letter;
          if (c === ',' && rand() < punctuation) return '.';
          return c;
        })
        .join('');
      const box = { x0: w.box.x0 + j(), y0: w.box.y0 + j(), x1: w.box.x1 + j(), y1: w.box.y1 + j() };
      const confidence = 0.75 + rand() * 0.25;
      const cutAt = /[/.-]/.exec(text.slice(0, -1));
      if (cutAt && rand() < split) {
        const at = cutAt.index + 1;
        const xm = box.x0 + ((box.x1 - box.x0) * at) / text.length;
        words.push({ text: text.slice(0, at), box: { ...box, x1: xm }, line: li, confidence });
        text = text.slice(at);
        words.push({ text, box: { ...box, x0: xm }, line: li, confidence });
      } else {
        words.push({ text, box, line: li, confidence });
      }
    }
    const own = words.slice(wordStart);
    return { ...line, text: own.map((w) => w.text).join(' '), wordStart, wordEnd: words.length };
  });
  return { ...page, source: 'ocr', words, lines };
}

// ---- measurement ------------------------------------------------------------------------------------------

export interface Score {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface Report {
  overall: Score;
  /** Per format: a hit on a date of that format with the wrong value counts against its precision. */
  byFormat: Record<string, Score>;
  /** False positives by what they sat on: a distractor kind, `wrong-value`, or `other`. */
  falsePositives: Record<string, number>;
  /** A few misses and false positives, for reading. */
  examples: { misses: string[]; falsePositives: string[] };
}

export interface MeasureOptions {
  /** `known`: each document's true order; `auto`: detectLocale over the document's pages (the app's default). */
  locale?: 'known' | 'auto';
  /** Minimum IoU between a hit's box and the expected box. Default 0.5. */
  minIou?: number;
  /** Read each page through simulateOcr with this noise (the seed is offset per page). */
  ocr?: OcrNoise;
  /** The extractor under test; default extractDates (tests pass broken ones to check the score catches them). */
  extract?: (page: TextPage, opts: { locale: DateOrder }) => DateHit[];
}

function score(tp: number, fp: number, fn: number): Score {
  const precision = tp + fp > 0 ? tp / (tp + fp) : 1;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 1;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { tp, fp, fn, precision, recall, f1 };
}

/**
 * Runs extractDates over the set and scores it: a hit is a true positive when an unmatched expected date
 * on the same page has the same ISO value and precision and a box with IoU ≥ minIou.
 */
export function measure(specs: readonly PageSpec[], opts: MeasureOptions = {}): Report {
  const minIou = opts.minIou ?? 0.5;
  const pagesByDoc = new Map<string, TextPage[]>();
  const pages = specs.map((spec, i) => {
    const layer = specToTextPage(spec);
    const page = opts.ocr ? simulateOcr(layer, { ...opts.ocr, seed: (opts.ocr.seed ?? 7) + i }) : layer;
    pagesByDoc.set(spec.doc, [...(pagesByDoc.get(spec.doc) ?? []), page]);
    return page;
  });
  const orders = new Map<string, DateOrder>();
  for (const [doc, docPages] of pagesByDoc) orders.set(doc, detectLocale(docPages));

  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const bump = (format: string, key: 'tp' | 'fp' | 'fn') => {
    const c = counts.get(format) ?? { tp: 0, fp: 0, fn: 0 };
    c[key]++;
    counts.set(format, c);
  };
  const falsePositives: Record<string, number> = {};
  const examples: Report['examples'] = { misses: [], falsePositives: [] };
  let tp = 0;
  let fp = 0;
  let fn = 0;

  specs.forEach((spec, i) => {
    const page = pages[i];
    if (!page) return;
    const locale = opts.locale === 'known' ? spec.order : (orders.get(spec.doc) ?? 'month-first');
    const hits = (opts.extract ?? extractDates)(page, { locale });
    const boxes = spec.dates.map((d) => expectedBox(spec, d));
    const matched = new Set<number>();
    for (const hit of hits) {
      let found = -1;
      spec.dates.forEach((d, k) => {
        const box = boxes[k];
        if (found >= 0 || matched.has(k) || !box) return;
        if (d.iso === hit.iso && d.precision === hit.precision && iou(box, hit.box) >= minIou) found = k;
      });
      const date = spec.dates[found];
      if (date) {
        matched.add(found);
        tp++;
        bump(date.format, 'tp');
        continue;
      }
      fp++;
      const onDate = spec.dates.findIndex((_, k) => {
        const box = boxes[k];
        return box !== undefined && iou(box, hit.box) > 0;
      });
      const onDistractor = spec.distractors.find((d) => {
        const line = spec.lines[d.span.line];
        return line !== undefined && iou(spanRect(line, d.span.start, d.span.end), hit.box) > 0;
      });
      const dateOn = spec.dates[onDate];
      const why = dateOn ? 'wrong-value' : (onDistractor?.kind ?? 'other');
      if (dateOn) bump(dateOn.format, 'fp');
      falsePositives[why] = (falsePositives[why] ?? 0) + 1;
      if (examples.falsePositives.length < 20) {
        examples.falsePositives.push(
          `${spec.doc} p${spec.page} ${why}: "${hit.text}" → ${hit.iso} (${locale})`,
        );
      }
    }
    spec.dates.forEach((d, k) => {
      if (matched.has(k)) return;
      fn++;
      bump(d.format, 'fn');
      if (examples.misses.length < 20) {
        examples.misses.push(`${spec.doc} p${spec.page} ${d.format}: "${d.text}" = ${d.iso} (${locale})`);
      }
    });
  });

  const byFormat: Record<string, Score> = {};
  for (const f of DATE_FORMATS) {
    const c = counts.get(f) ?? { tp: 0, fp: 0, fn: 0 };
    byFormat[f] = score(c.tp, c.fp, c.fn);
  }
  return { overall: score(tp, fp, fn), byFormat, falsePositives, examples };
}
