// How close an extracted table is to an expected one (the table-suite measure, scripts/bench-tables.ts): cell
// texts are normalised, the extracted grid is aligned to the expected one, and matching cells are counted.

/**
 * Text as compared: NFKC, camelot's `<s>` superscript tags dropped, dot leaders dropped, all whitespace dropped
 * (the suite's expected CSVs keep upstream spacing artefacts such as '11,062 .6' and '( 498,5)').
 */
export function normalizeCell(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/<\/?s>/g, '')
    .replace(/(?:\s*\.){2,}/g, '')
    .replace(/\s+/g, '');
}

function same(a: string, b: string): boolean {
  if (a === b) return true;
  // Right-to-left text may come out in visual or logical order.
  return a.length > 1 && a === [...b].reverse().join('');
}

export interface CellScore {
  /** Expected non-empty cells. */
  expected: number;
  /** Of those, equal (normalised) to the extracted cell they align with. */
  matched: number;
  accuracy: number;
  /** Same number of rows and columns. */
  shapeMatch: boolean;
  /** Column offset used (extracted col = expected col + colOffset). */
  colOffset: number;
  /** Non-empty extracted cells (cell precision = matched / extractedCells). */
  extractedCells: number;
  /** Per expected row, the extracted row it is aligned with, or -1 (the alignment that gave `matched`). */
  rowMap: number[];
}

/**
 * Cell accuracy = matched / expected non-empty cells. Alignment: one column offset for the whole table (tried
 * over every plausible value) and a monotone row alignment (dynamic programming, like a weighted LCS over rows),
 * so a missing or split row costs only its own cells instead of shifting every row after it.
 */
export function scoreTable(expected: string[][], extracted: string[][]): CellScore {
  const E = expected.map((r) => r.map(normalizeCell));
  const X = extracted.map((r) => r.map(normalizeCell));
  const total = E.reduce((s, r) => s + r.filter((c) => c !== '').length, 0);
  const eCols = Math.max(0, ...E.map((r) => r.length));
  const xCols = Math.max(0, ...X.map((r) => r.length));
  const shapeMatch = E.length === X.length && eCols === xCols;
  let bestMatched = 0;
  let bestOffset = 0;
  let bestMap: number[] = E.map(() => -1);
  for (let off = -eCols + 1; off < xCols; off++) {
    const sim = (i: number, j: number): number => {
      const er = E[i] ?? [];
      const xr = X[j] ?? [];
      let m = 0;
      for (let c = 0; c < er.length; c++) {
        const e = er[c] ?? '';
        if (e !== '' && same(e, xr[c + off] ?? '')) m++;
      }
      return m;
    };
    // dp[i][j]: best total aligning E[0..i) with X[0..j); kept whole to read the row alignment back.
    const n = E.length;
    const m = X.length;
    const dp = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
    for (let i = 1; i <= n; i++) {
      const prev = dp[i - 1] as number[];
      const cur = dp[i] as number[];
      for (let j = 1; j <= m; j++) {
        cur[j] = Math.max(prev[j] ?? 0, cur[j - 1] ?? 0, (prev[j - 1] ?? 0) + sim(i - 1, j - 1));
      }
    }
    const matched = dp[n]?.[m] ?? 0;
    if (matched > bestMatched) {
      [bestMatched, bestOffset] = [matched, off];
      const map = E.map(() => -1);
      for (let i = n, j = m; i > 0 && j > 0;) {
        const v = dp[i]?.[j] ?? 0;
        if (v === (dp[i - 1]?.[j] ?? 0)) i--;
        else if (v === (dp[i]?.[j - 1] ?? 0)) j--;
        else {
          map[i - 1] = j - 1;
          i--;
          j--;
        }
      }
      bestMap = map;
    }
  }
  return {
    expected: total,
    matched: bestMatched,
    accuracy: total ? bestMatched / total : 1,
    shapeMatch,
    colOffset: bestOffset,
    extractedCells: X.reduce((s, r) => s + r.filter((c) => c !== '').length, 0),
    rowMap: bestMap,
  };
}

/** RFC 4180 parser for the suite's expected CSVs (quoted fields, doubled quotes, CRLF or LF records). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  while (i < src.length) {
    const ch = src[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      quoted = true;
      i++;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (ch === '\r' || ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += ch === '\r' && src[i + 1] === '\n' ? 2 : 1;
    } else {
      field += ch;
      i++;
    }
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** A cell spanning more than one slot, by its anchor (top-left) slot. */
export interface SpanTruth {
  row: number;
  col: number;
  rowSpan: number;
  colSpan: number;
}

/** What a table's truth gives: the grid (texts at anchor slots, spanned slots empty), header rows and spans. */
export interface ExpectedTable {
  grid: string[][];
  headerRows: number;
  spans: SpanTruth[];
}

/** The extracted table's side, as the measure needs it (a Table of src/shared/domain.ts fits). */
export interface ExtractedTable {
  rows: number;
  cols: number;
  headerRows: number;
  cells: { row: number; col: number; rowSpan: number; colSpan: number; text: string }[];
}

export interface TablePair {
  expected: number;
  extracted: number;
  score: CellScore;
  /** The pair counts as a found table: at least MATCH_FRACTION of the expected non-empty cells matched. */
  found: boolean;
  /** Expected spans with an extracted cell at the aligned anchor with the same rowSpan and colSpan. */
  spansRight: number;
  /** Extracted cells spanning several slots where the truth has no span at that aligned anchor. */
  extraSpans: number;
  /**
   * Header rows right: the extracted table's header rows are exactly the expected header rows (through the row
   * alignment), and at least one expected header row is aligned.
   */
  headerRight: boolean;
}

export interface PageScore {
  pairs: TablePair[];
  /** Expected tables with no extracted table assigned. */
  missed: number[];
  /** Extracted tables assigned to no expected table. */
  spurious: number[];
}

/** A pair is a found table when this fraction of the expected non-empty cells matched. */
export const MATCH_FRACTION = 0.5;

function gridOfCells(t: ExtractedTable): string[][] {
  const g = Array.from({ length: t.rows }, () => Array.from({ length: t.cols }, () => ''));
  for (const c of t.cells) {
    const row = g[c.row];
    if (row && c.col < t.cols) row[c.col] = c.text;
  }
  return g;
}

function spanChecks(e: ExpectedTable, x: ExtractedTable, s: CellScore): { right: number; extra: number } {
  const at = new Map<string, ExtractedTable['cells'][number]>();
  for (const c of x.cells) at.set(`${c.row},${c.col}`, c);
  let right = 0;
  const expectedAt = new Set<string>();
  for (const sp of e.spans) {
    const r = s.rowMap[sp.row] ?? -1;
    if (r < 0) continue;
    const key = `${r},${sp.col + s.colOffset}`;
    expectedAt.add(key);
    const c = at.get(key);
    if (c && c.rowSpan === sp.rowSpan && c.colSpan === sp.colSpan) right++;
  }
  const extra = x.cells.filter(
    (c) => (c.rowSpan > 1 || c.colSpan > 1) && !expectedAt.has(`${c.row},${c.col}`),
  ).length;
  return { right, extra };
}

function headerCheck(e: ExpectedTable, x: ExtractedTable, s: CellScore): boolean {
  let headerAligned = false;
  for (let i = 0; i < s.rowMap.length; i++) {
    const j = s.rowMap[i] ?? -1;
    if (j < 0) continue;
    if (i < e.headerRows !== j < x.headerRows) return false;
    if (i < e.headerRows) headerAligned = true;
  }
  return e.headerRows === 0 ? x.headerRows === 0 : headerAligned;
}

/**
 * Scores the tables extracted from one page against the page's expected tables. Each expected table is paired
 * with at most one extracted table and the other way round (greedy, most matched cells first), so a table split
 * in two scores only its better half (the other half is spurious) and two tables merged into one score only one
 * of them (the other is missed). Cells are compared as in scoreTable (anchor slots; spanned slots are empty in
 * the expected grid and the extracted grid puts a cell's text at its anchor only).
 */
export function scorePage(
  expected: readonly ExpectedTable[],
  extracted: readonly ExtractedTable[],
): PageScore {
  const grids = extracted.map(gridOfCells);
  const cand: { e: number; x: number; s: CellScore }[] = [];
  expected.forEach((e, ei) =>
    grids.forEach((g, xi) => {
      const s = scoreTable(e.grid, g);
      if (s.matched > 0) cand.push({ e: ei, x: xi, s });
    }),
  );
  cand.sort((a, b) => b.s.matched - a.s.matched || a.e - b.e || a.x - b.x);
  const usedE = new Set<number>();
  const usedX = new Set<number>();
  const pairs: TablePair[] = [];
  for (const c of cand) {
    if (usedE.has(c.e) || usedX.has(c.x)) continue;
    usedE.add(c.e);
    usedX.add(c.x);
    const e = expected[c.e] as ExpectedTable;
    const x = extracted[c.x] as ExtractedTable;
    const spans = spanChecks(e, x, c.s);
    pairs.push({
      expected: c.e,
      extracted: c.x,
      score: c.s,
      found: c.s.matched >= MATCH_FRACTION * c.s.expected,
      spansRight: spans.right,
      extraSpans: spans.extra,
      headerRight: headerCheck(e, x, c.s),
    });
  }
  pairs.sort((a, b) => a.expected - b.expected);
  return {
    pairs,
    missed: expected.map((_, i) => i).filter((i) => !usedE.has(i)),
    spurious: extracted.map((_, i) => i).filter((i) => !usedX.has(i)),
  };
}
