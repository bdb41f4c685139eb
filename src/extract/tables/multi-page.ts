// Tables continued over pages joined into one: detection works page by page, so a long table printed over a page
// break comes out as one table per page. A table that ends a page and one that starts the next are one table when
// their columns line up and nothing but running heads and feet (or a "continued" caption) sits between them.
import type { Table, TableCell, TablePart, TextPage } from '../../shared/domain.js';
import { normalizeCell } from './accuracy.js';
import { groupRows, median } from './text-lines.js';

/** Running heads and feet (a browser's date and URL, page numbers) sit within this fraction of the page height… */
const MARGIN_BAND = 0.06;
/** …or are set smaller than this fraction of the page's usual text. */
const SMALL_TYPE = 0.85;
/** Lines allowed between a table and the page edge outside the margin bands: a "Table 3 (continued)" caption. */
const CAPTION_LINES = 1;

export interface JoinOptions {
  /** Join only when the next page repeats the header rows (default false: lined-up columns are enough). */
  requireRepeatedHeader?: boolean;
}

type Interval = [number, number];

/**
 * Where each column's text lies across the table: the union of the words whose centre is in a one-column cell of
 * that column (null for a column with no such word). Stream tables' cell edges follow the text of each page, so
 * the text, not the cell boxes, tells whether two pages' columns line up.
 */
function columnText(t: Table, page: TextPage): (Interval | null)[] {
  const out: (Interval | null)[] = Array.from({ length: t.cols }, () => null);
  for (const w of page.words) {
    const cx = (w.box.x0 + w.box.x1) / 2;
    const cy = (w.box.y0 + w.box.y1) / 2;
    const cell = t.cells.find(
      (c) =>
        c.colSpan === 1 &&
        (c.page ?? t.page) === page.page &&
        cx >= c.box.x0 &&
        cx <= c.box.x1 &&
        cy >= c.box.y0 &&
        cy <= c.box.y1,
    );
    if (!cell) continue;
    const iv = out[cell.col];
    out[cell.col] = iv ? [Math.min(iv[0], w.box.x0), Math.max(iv[1], w.box.x1)] : [w.box.x0, w.box.x1];
  }
  return out;
}

/**
 * Whether two tables' columns line up: the same number of columns, each column's text on one page overlapping the
 * same column's text on the other and no other column's.
 */
function columnsLineUp(a: Table, pa: TextPage, b: Table, pb: TextPage): boolean {
  if (a.cols !== b.cols || a.cols < 2) return false;
  const ca = columnText(a, pa);
  const cb = columnText(b, pb);
  const overlap = (x: Interval | null, y: Interval | null) =>
    x && y ? Math.min(x[1], y[1]) - Math.max(x[0], y[0]) : null;
  let shared = 0;
  for (let k = 0; k < a.cols; k++) {
    for (let j = 0; j < b.cols; j++) {
      const o = overlap(ca[k] ?? null, cb[j] ?? null);
      if (o === null) continue;
      if (j === k && o <= 0) return false;
      if (j !== k && o > 0) return false;
      if (j === k) shared++;
    }
  }
  return shared >= Math.max(2, a.cols - 1);
}

interface FreeLine {
  y0: number;
  y1: number;
  text: string;
  /** Set in smaller type than the page's usual text (a running head or foot, a footnote). */
  small: boolean;
}

/** Text lines of a page outside the tables on it. */
function freeLines(page: TextPage, tables: readonly Table[]): FreeLine[] {
  const inside = (w: TextPage['words'][number]) =>
    tables.some((t) => {
      const cx = (w.box.x0 + w.box.x1) / 2;
      const cy = (w.box.y0 + w.box.y1) / 2;
      return cx >= t.box.x0 - 2 && cx <= t.box.x1 + 2 && cy >= t.box.y0 - 2 && cy <= t.box.y1 + 2;
    });
  const usual = median(page.words.map((w) => w.box.y1 - w.box.y0));
  return groupRows(page.words.filter((w) => !inside(w)).map((w) => ({ text: w.text, box: w.box }))).map(
    (r) => ({
      y0: r.box.y0,
      y1: r.box.y1,
      text: r.tokens.map((t) => t.text).join(' '),
      small: median(r.tokens.map((t) => t.box.y1 - t.box.y0)) < SMALL_TYPE * usual,
    }),
  );
}

/** A line that says the table goes on: "Table 3 (continued)", "continued on next page", "cont'd". */
const CONTINUED = /\bcont(?:inued|inues|\.|['’]d)|\(cont/i;

/**
 * Whether only margin lines lie between the table and the page's bottom (`below`) or top: running heads and
 * feet (in the page's outer MARGIN_BAND or in smaller type), and at most CAPTION_LINES lines saying the table
 * continues. Any other line (a caption naming another
 * table, a note, prose) ends the table there.
 */
function clearTo(t: Table, page: TextPage, lines: readonly FreeLine[], below: boolean): boolean {
  const between = (
    below
      ? lines.filter((l) => l.y0 >= t.box.y1 - 1 && l.y0 < (1 - MARGIN_BAND) * page.height)
      : lines.filter((l) => l.y1 <= t.box.y0 + 1 && l.y1 > MARGIN_BAND * page.height)
  ).filter((l) => !l.small);
  return (
    between.length === 0 || (between.length <= CAPTION_LINES && between.every((l) => CONTINUED.test(l.text)))
  );
}

/** How many leading rows of `b` repeat the header rows of `a` (0 when they do not). */
function repeatedHeader(a: Table, b: Table): number {
  // A table whose header was not recognised may still repeat its first row on the next page.
  const h = Math.max(a.headerRows, 1);
  if (b.rows <= h) return 0;
  const rowText = (t: Table, r: number): string[] => {
    const out = Array.from({ length: t.cols }, () => '');
    for (const c of t.cells) if (c.row === r) out[c.col] = normalizeCell(c.text);
    return out;
  };
  for (let r = 0; r < h; r++) {
    const x = rowText(a, r);
    const y = rowText(b, r);
    if (x.join('\u0001') !== y.join('\u0001') || x.every((s) => s === '')) return 0;
  }
  return h;
}

function partsOf(t: Table): TablePart[] {
  return t.parts ?? [{ page: t.page, box: t.box, firstRow: 0, rows: t.rows }];
}

/** `b` appended under `a`, the `drop` repeated header rows of `b` left out; every cell keeps its page. */
function join(a: Table, b: Table, drop: number): Table {
  const withPage = (c: TableCell, page: number): TableCell => ({ ...c, page: c.page ?? page });
  const cells = [
    ...a.cells.map((c) => withPage(c, a.page)),
    ...b.cells
      .filter((c) => c.row >= drop)
      .map((c) => ({ ...withPage(c, b.page), row: c.row - drop + a.rows })),
  ];
  const rows = a.rows + b.rows - drop;
  return {
    ...a,
    rows,
    cells,
    parts: [...partsOf(a), { page: b.page, box: b.box, firstRow: a.rows, rows: b.rows - drop }],
  };
}

/**
 * Tables of a document (any order) with those continued over pages joined: the last table of a page and the
 * first of the next page are one when they have the same columns at the same places, the second either repeats
 * the first's header rows (dropped from the joined table) or has no header, and only running heads and feet (the
 * outer MARGIN_BAND of the page, or in smaller type) and at most a "continued" line lie below the first and
 * above the second. `pages`
 * are the texts the tables were found in.
 */
export function joinContinuedTables(
  tables: readonly Table[],
  pages: readonly TextPage[],
  opts: JoinOptions = {},
): Table[] {
  const byPage = new Map<number, Table[]>();
  for (const t of tables) byPage.set(t.page, [...(byPage.get(t.page) ?? []), t]);
  for (const list of byPage.values()) list.sort((a, b) => a.box.y0 - b.box.y0 || a.box.x0 - b.box.x0);
  const text = new Map(pages.map((p) => [p.page, p]));
  const lines = new Map(pages.map((p) => [p.page, freeLines(p, byPage.get(p.page) ?? [])]));
  const out: Table[] = [];
  /** The joined table whose last part ends its page, by that page. */
  const open = new Map<number, number>();
  for (const page of [...byPage.keys()].sort((a, b) => a - b)) {
    const list = byPage.get(page) ?? [];
    list.forEach((t, i) => {
      const prevIdx = i === 0 ? open.get(page - 1) : undefined;
      const prev = prevIdx === undefined ? undefined : out[prevIdx];
      const here = text.get(page);
      let joined = false;
      const before = text.get(page - 1);
      if (prev && here && before && clearTo(t, here, lines.get(page) ?? [], false)) {
        const drop = repeatedHeader(prev, t);
        const lastPart = { ...prev, page: page - 1 };
        // A header of its own that is not the one above starts another table; no header at all continues it.
        const headed = drop > 0 || (t.headerRows === 0 && !opts.requireRepeatedHeader);
        if (headed && columnsLineUp(lastPart, before, t, here)) {
          out[prevIdx as number] = join(prev, t, drop);
          joined = true;
        }
      }
      const idx = joined ? (prevIdx as number) : out.push(t) - 1;
      if (i === list.length - 1 && here && clearTo(t, here, lines.get(page) ?? [], true)) open.set(page, idx);
    });
  }
  return out;
}
