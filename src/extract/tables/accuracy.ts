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
    // dp[i][j]: best total aligning E[0..i) with X[0..j).
    const n = E.length;
    const m = X.length;
    let prev = new Array<number>(m + 1).fill(0);
    for (let i = 1; i <= n; i++) {
      const cur = new Array<number>(m + 1).fill(0);
      for (let j = 1; j <= m; j++) {
        cur[j] = Math.max(prev[j] ?? 0, cur[j - 1] ?? 0, (prev[j - 1] ?? 0) + sim(i - 1, j - 1));
      }
      prev = cur;
    }
    const matched = prev[m] ?? 0;
    if (matched > bestMatched) [bestMatched, bestOffset] = [matched, off];
  }
  return {
    expected: total,
    matched: bestMatched,
    accuracy: total ? bestMatched / total : 1,
    shapeMatch,
    colOffset: bestOffset,
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
