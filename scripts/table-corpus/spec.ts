// Seeded table content and layout choices for the generated table corpus: the logical grid (cell text, spans,
// header rows) is decided here, before any renderer draws it, so it is the exact truth of the printed page.
import { mulberry32 } from '../../src/shared/prng.js';
import { MONTHS as MONTHS_LONG } from '../../src/extract/dates/labelled-set.js';

/** One logical cell: its anchor slot, its span and its text (lines joined by one space in `text`). */
export interface GenCell {
  row: number;
  col: number;
  rowSpan: number;
  colSpan: number;
  text: string;
  /** Forced line breaks inside the cell (rendered as separate lines); `text` is these joined by a space. */
  lines: string[];
  /** Numeric content (renderers right-align these columns as print layouts usually do). */
  numeric: boolean;
}

/** A logical table: rows × cols slots covered by cells; header rows are the first `headerRows` rows. */
export interface GenTable {
  rows: number;
  cols: number;
  headerRows: number;
  cells: GenCell[];
  /** Body rows that are one full-width label ("Region: North"), as row indexes. */
  sectionRows: number[];
  /** A forced page break before this row (repeated header on the next page), or null. */
  breakBefore: number | null;
  /** Per-column weight for widths that force header wrapping (null: the renderer's automatic widths). */
  colWidths: number[] | null;
  caption: string;
}

export type Rng = () => number;

export function rng(seed: number): Rng {
  return mulberry32(seed);
}

export function pick<T>(r: Rng, items: readonly T[]): T {
  const v = items[Math.floor(r() * items.length)];
  if (v === undefined) throw new Error('pick from an empty list');
  return v;
}

export function int(r: Rng, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

const WORDS = [
  'North',
  'South',
  'East',
  'West',
  'Central',
  'Harbour',
  'Valley',
  'Ridge',
  'Lake',
  'River',
  'Forest',
  'Meadow',
  'Stone',
  'Cedar',
  'Maple',
  'Granite',
  'Silver',
  'Copper',
  'Atlas',
  'Orion',
  'Delta',
  'Summit',
  'Bridge',
  'Garden',
];
const NOUNS = [
  'Office',
  'Clinic',
  'School',
  'Depot',
  'Library',
  'Station',
  'Works',
  'Market',
  'Centre',
  'Archive',
  'Plant',
  'Campus',
  'Terminal',
  'Studio',
];
const ITEMS = [
  'Printer paper A4',
  'Desk lamp',
  'Network switch',
  'Safety gloves',
  'Water filter',
  'Laptop stand',
  'Cable ties',
  'Label tape',
  'Whiteboard markers',
  'USB-C hub',
  'Ergonomic chair',
  'Storage boxes',
  'Projector bulb',
  'First aid kit',
  'Hand sanitiser',
  'Toner cartridge',
];
const PEOPLE = [
  'A. Okafor',
  'M. Lindqvist',
  'J. Moreau',
  'S. Tanaka',
  'R. Alvarez',
  'K. Novak',
  'L. Chen',
  'P. Byrne',
  'D. Haddad',
  'E. Rossi',
  'T. Nguyen',
  'H. Becker',
];
const STATUS = ['Open', 'Closed', 'Pending', 'Approved', 'Rejected', 'On hold', 'Draft'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const NOTES = [
  'delivered in two parts',
  'awaiting signature from the regional office',
  'see attached schedule',
  'price includes shipping and handling',
  'replaces the order of last quarter',
  'checked by the audit team',
  'partial refund issued',
  'renewal due next year',
];

export type ColumnKind =
  'name' | 'item' | 'person' | 'status' | 'int' | 'money' | 'pct' | 'date' | 'code' | 'note';

const HEADERS: Record<ColumnKind, string[]> = {
  name: ['Site', 'Location', 'Branch', 'Facility', 'Unit'],
  item: ['Item', 'Description', 'Product', 'Article'],
  person: ['Owner', 'Contact', 'Responsible', 'Reviewer'],
  status: ['Status', 'State', 'Stage'],
  int: ['Quantity', 'Count', 'Units', 'Visitors', 'Staff'],
  money: ['Amount', 'Total', 'Unit price', 'Budget', 'Cost'],
  pct: ['Share', 'Change', 'Rate', 'Growth'],
  date: ['Date', 'Due date', 'Issued', 'Delivered', 'Updated'],
  code: ['Ref.', 'Code', 'ID', 'Order no.'],
  note: ['Notes', 'Comment', 'Remarks'],
};

/** Longer header phrasings that wrap over two or three lines in a narrow column. */
const LONG_HEADERS: Record<ColumnKind, string[]> = {
  name: ['Site or facility name', 'Reporting location of the unit'],
  item: ['Description of the item supplied', 'Product or service delivered'],
  person: ['Responsible officer for follow-up', 'Contact person at the site'],
  status: ['Current status of the request', 'Stage of the approval process'],
  int: ['Number of units received in the period', 'Total count of visitors per year'],
  money: ['Amount paid including taxes (USD)', 'Budget allocated for the fiscal year'],
  pct: ['Change compared with the previous year', 'Share of the national total'],
  date: ['Date of the last inspection visit', 'Due date for the next payment'],
  code: ['Internal reference number', 'Order number in the ledger'],
  note: ['Additional notes and remarks', 'Comments from the reviewing team'],
};

export const NUMERIC_KINDS: ReadonlySet<ColumnKind> = new Set(['int', 'money', 'pct']);

function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

/** One cell value of a column kind; number formats vary per table (`fmt`) as real documents do. */
export function value(r: Rng, kind: ColumnKind, fmt: number): string {
  switch (kind) {
    case 'name':
      return `${pick(r, WORDS)} ${pick(r, NOUNS)}`;
    case 'item':
      return pick(r, ITEMS);
    case 'person':
      return pick(r, PEOPLE);
    case 'status':
      return pick(r, STATUS);
    case 'int':
      return thousands(int(r, 0, fmt % 2 ? 99_999 : 950));
    case 'money': {
      const v = int(r, 100, 2_500_000) / 100;
      const neg = r() < 0.12;
      const s = v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      if (fmt % 3 === 0) return neg ? `-$${s}` : `$${s}`;
      if (fmt % 3 === 1) return neg ? `(${s})` : s;
      return `${neg ? '-' : ''}${s} EUR`;
    }
    case 'pct': {
      const v = (int(r, -250, 999) / 10).toFixed(1);
      return `${v}%`;
    }
    case 'date': {
      const y = int(r, 2015, 2026);
      const m = int(r, 1, 12);
      const d = int(r, 1, 28);
      const p2 = (n: number): string => String(n).padStart(2, '0');
      switch (fmt % 4) {
        case 0:
          return `${y}-${p2(m)}-${p2(d)}`;
        case 1:
          return `${d} ${MONTHS[m - 1]} ${y}`;
        case 2:
          return `${MONTHS_LONG[m - 1]} ${d}, ${y}`;
        default:
          return `${p2(m)}/${p2(d)}/${y}`;
      }
    }
    case 'code':
      return `${pick(r, ['PO', 'INV', 'REF', 'A'])}-${int(r, 1000, 99999)}`;
    case 'note':
      return pick(r, NOTES);
  }
}

/** The structural feature a table shows (besides its border style). */
export type Feature =
  | 'plain'
  | 'wrapped-header'
  | 'multiline-cells'
  | 'spans'
  | 'group-header'
  | 'section-rows'
  | 'page-break'
  | 'empty-cells';

export interface TablePlan {
  feature: Feature;
  rows: number;
  cols: number;
}

function columnKinds(r: Rng, cols: number): ColumnKind[] {
  const first = pick<ColumnKind>(r, ['name', 'item', 'code', 'person', 'date']);
  const rest: ColumnKind[] = [
    'int',
    'money',
    'pct',
    'date',
    'status',
    'person',
    'code',
    'int',
    'money',
    'note',
  ];
  const kinds: ColumnKind[] = [first];
  while (kinds.length < cols) {
    const k = pick(r, rest);
    if (k === 'note' && kinds.includes('note')) continue;
    kinds.push(k);
  }
  return kinds;
}

function cell(row: number, col: number, text: string, numeric = false, rowSpan = 1, colSpan = 1): GenCell {
  return { row, col, rowSpan, colSpan, text, lines: [text], numeric };
}

function uniqueHeader(r: Rng, kind: ColumnKind, used: Set<string>, long: boolean): string {
  const pool = long ? LONG_HEADERS[kind] : HEADERS[kind];
  for (let i = 0; i < 8; i++) {
    const h = pick(r, pool);
    if (!used.has(h)) {
      used.add(h);
      return h;
    }
  }
  const h = `${pick(r, pool)} ${used.size + 1}`;
  used.add(h);
  return h;
}

/**
 * Builds one logical table for a plan. Every slot is covered by exactly one cell; spans never cross the header /
 * body edge; section rows are one cell spanning all columns.
 */
export function makeTable(r: Rng, plan: TablePlan): GenTable {
  const { feature, cols } = plan;
  const kinds = columnKinds(r, cols);
  const fmt = int(r, 0, 11);
  const cells: GenCell[] = [];
  const usedHeaders = new Set<string>();
  let headerRows = 1;
  let colWidths: number[] | null = null;

  if (feature === 'group-header') {
    // Row 0: the first column spans both header rows; the rest are groups of 2–3 columns.
    headerRows = 2;
    cells.push(cell(0, 0, uniqueHeader(r, kinds[0] as ColumnKind, usedHeaders, false), false, 2, 1));
    let c = 1;
    let g = 0;
    const groups = ['Actual', 'Planned', 'Previous year', 'This year', 'Q1', 'Q2', 'Budget', 'Outturn'];
    const start = int(r, 0, groups.length - 1);
    while (c < cols) {
      const span = Math.min(cols - c, c + 3 <= cols && r() < 0.5 ? 3 : 2);
      if (span === 1)
        cells.push(cell(0, c, uniqueHeader(r, kinds[c] as ColumnKind, usedHeaders, false), false, 2));
      else cells.push(cell(0, c, groups[(start + g) % groups.length] as string, false, 1, span));
      if (span > 1)
        for (let k = c; k < c + span; k++)
          cells.push(cell(1, k, uniqueHeader(r, kinds[k] as ColumnKind, usedHeaders, false)));
      c += span;
      g++;
    }
  } else {
    const long = feature === 'wrapped-header';
    for (let c = 0; c < cols; c++) {
      const text = uniqueHeader(r, kinds[c] as ColumnKind, usedHeaders, long && c > 0);
      cells.push(cell(0, c, text));
    }
    if (long) colWidths = kinds.map((k, c) => (c === 0 ? 2 : k === 'note' ? 2.2 : 1));
  }

  // Body.
  const bodyRows = plan.rows;
  const rows = headerRows + bodyRows;
  const sectionRows: number[] = [];
  if (feature === 'section-rows') {
    const every = int(r, 3, 5);
    for (let i = headerRows; i < rows - 1; i += every + 1) sectionRows.push(i);
  }
  const covered = new Set<string>();
  const key = (row: number, col: number): string => `${row},${col}`;
  for (let row = headerRows; row < rows; row++) {
    if (sectionRows.includes(row)) {
      cells.push(
        cell(
          row,
          0,
          `${pick(r, ['Region', 'Division', 'Group', 'Sector'])}: ${pick(r, WORDS)}`,
          false,
          1,
          cols,
        ),
      );
      continue;
    }
    for (let c = 0; c < cols; c++) {
      if (covered.has(key(row, c))) continue;
      const kind = kinds[c] as ColumnKind;
      const numeric = NUMERIC_KINDS.has(kind);
      let text = value(r, kind, fmt);
      const emptyRate = feature === 'empty-cells' ? 0.25 : 0.04;
      if (c > 0 && r() < emptyRate) text = '';
      let rowSpan = 1;
      let colSpan = 1;
      if (feature === 'spans') {
        const nextFree = (rr: number, cc: number): boolean =>
          rr < rows && cc < cols && !covered.has(key(rr, cc)) && !sectionRows.includes(rr);
        if (c === 0 && row + 1 < rows && r() < 0.3 && nextFree(row + 1, 0)) {
          rowSpan = r() < 0.5 || row + 2 >= rows ? 2 : 3;
          if (!nextFree(row + rowSpan - 1, 0)) rowSpan = 2;
        } else if (c > 0 && c + 1 < cols && r() < 0.12 && nextFree(row, c + 1)) {
          colSpan = 2;
          text = text === '' ? 'n/a' : text;
        }
      }
      const g = cell(row, c, text, numeric, rowSpan, colSpan);
      if (
        feature === 'multiline-cells' &&
        !numeric &&
        kind !== 'date' &&
        kind !== 'code' &&
        text !== '' &&
        r() < 0.45
      ) {
        const second =
          kind === 'note' ? pick(r, NOTES) : kind === 'person' ? pick(r, STATUS) : pick(r, WORDS);
        g.lines = [text, second];
        g.text = `${text} ${second}`;
      }
      cells.push(g);
      for (let rr = row; rr < row + rowSpan; rr++)
        for (let cc = c; cc < c + colSpan; cc++) covered.add(key(rr, cc));
    }
  }
  const breakBefore = feature === 'page-break' ? headerRows + Math.floor(bodyRows * (0.4 + r() * 0.2)) : null;
  const caption = `Table ${int(r, 1, 24)}. ${pick(r, ['Summary of', 'Overview of', 'Register of', 'Schedule of'])} ${pick(r, ['deliveries', 'site visits', 'payments', 'inspections', 'orders', 'staff costs'])} by ${HEADERS[kinds[0] as ColumnKind][0]?.toLowerCase()}`;
  return { rows, cols, headerRows, cells, sectionRows, breakBefore, colWidths, caption };
}

/** rows × cols grid of the table: each cell's text at its anchor slot, spanned slots empty. */
export function gridOf(t: { rows: number; cols: number; cells: readonly GenCell[] }): string[][] {
  const g = Array.from({ length: t.rows }, () => Array.from({ length: t.cols }, () => ''));
  for (const c of t.cells) (g[c.row] as string[])[c.col] = c.text;
  return g;
}

/** Checks that cells tile the grid exactly (each slot covered once); throws naming the slot otherwise. */
export function checkTiling(t: GenTable, what: string): void {
  const seen = new Set<string>();
  for (const c of t.cells)
    for (let r = c.row; r < c.row + c.rowSpan; r++)
      for (let k = c.col; k < c.col + c.colSpan; k++) {
        const s = `${r},${k}`;
        if (r >= t.rows || k >= t.cols)
          throw new Error(`${what}: cell ${c.row},${c.col} spans outside the grid`);
        if (seen.has(s)) throw new Error(`${what}: slot ${s} covered twice`);
        seen.add(s);
      }
  if (seen.size !== t.rows * t.cols)
    throw new Error(`${what}: ${t.rows * t.cols - seen.size} slots uncovered`);
}

export const PROSE = [
  'The figures below were compiled from the monthly returns submitted by each site. Values are shown as reported and have not been adjusted for seasonal effects.',
  'This page summarises the activity recorded during the period. Where a site did not report, the cell is left empty; totals are not shown.',
  'All amounts are stated in the currency of the reporting unit. Dates follow the format used by the issuing office.',
  'Readers should note that the categories were revised at the start of the year, so comparisons with earlier editions are indicative only.',
  'For questions about this report, contact the statistics desk. Corrections published after printing are listed on the last page.',
];
