// Header rows of a detected table. The TextPage carries no font weight, so the signals are structural and typed:
// (1) a cell in the top row that spans several rows or columns is a heading over the rows it covers, and
// (2) a top row with text (or years) over columns whose body is mostly numeric, or mostly values with digits
// (dates, codes, amounts with units), is a heading row (what spreadsheet import wizards and Python's
// csv.Sniffer.has_header guess too). Rows are taken from the top while either signal holds.
import type { TableCell } from '../../shared/domain.js';

const YEAR = /^(1[89]|20)\d\d$/;
const NUMERIC = /^[\s(+\-−–$€£¥%]*[\d.,]+[\s)%]*[A-Za-z%]{0,3}\s*$/;

/** A value rather than a heading: a number, or digits in a date, a code or an amount ('INV-36334', '03/10/2021'). */
function valueLike(text: string): boolean {
  return isNumeric(text) || /\d{3,}/.test(text) || /\d[/.:-]\d/.test(text);
}

export function isNumeric(text: string): boolean {
  const t = text.trim();
  return t !== '' && /\d/.test(t) && NUMERIC.test(t);
}

export function detectHeaderRows(cells: readonly TableCell[], rows: number, cols: number): number {
  if (rows < 2 || cols < 1) return 0;
  const grid: (TableCell | undefined)[][] = Array.from({ length: rows }, () =>
    Array.from({ length: cols }, () => undefined),
  );
  for (const c of cells) if (grid[c.row]) (grid[c.row] as (TableCell | undefined)[])[c.col] = c;

  // Whether most of a column's filled body cells (rows below the first, at least two) pass `test`.
  const mostly = (c: number, test: (t: string) => boolean) => {
    let hit = 0;
    let filled = 0;
    for (let r = 1; r < rows; r++) {
      const t = grid[r]?.[c]?.text ?? '';
      if (!t.trim()) continue;
      filled++;
      if (test(t)) hit++;
    }
    return filled >= 2 && hit / filled >= 0.6;
  };
  // Columns whose body is mostly numeric.
  const numericCol = Array.from({ length: cols }, (_, c) => mostly(c, isNumeric));
  // Columns whose body is mostly other values with digits (dates, codes, amounts with units).
  const valueCol = Array.from({ length: cols }, (_, c) => !numericCol[c] && mostly(c, valueLike));

  // Columns whose body is years (a Year column), where a year in the top row is data, not a heading.
  const yearCol = Array.from({ length: cols }, (_, c) => {
    for (let r = 1; r < rows; r++) {
      const t = (grid[r]?.[c]?.text ?? '').trim();
      if (t && YEAR.test(t)) return true;
    }
    return false;
  });

  // Signal 1: spans in the top row cover the rows below them.
  let header = 0;
  for (const c of cells) {
    if (c.row === 0 && (c.colSpan > 1 || c.rowSpan > 1) && c.text.trim())
      header = Math.max(header, c.rowSpan);
  }
  for (const c of cells) {
    if (c.row > 0 && c.row < header && c.colSpan > 1 && c.text.trim())
      header = Math.max(header, c.row + c.rowSpan);
  }
  // Signal 2: text over numeric columns.
  const maxHeader = Math.max(1, Math.floor(rows / 2));
  for (let r = header; r < Math.min(rows - 1, maxHeader); r++) {
    // Below the first row, a row with one piece of text (a section label across the table) starts the body.
    if (r > 0 && cells.filter((c) => c.row === r && c.text.trim()).length < 2) break;
    let textOverNumber = 0;
    let numberOverNumber = 0;
    for (let c = 0; c < cols; c++) {
      const t = grid[r]?.[c]?.text ?? '';
      if (!t.trim()) continue;
      if (valueCol[c]) {
        if (valueLike(t)) numberOverNumber++;
        else textOverNumber++;
        continue;
      }
      if (!numericCol[c]) continue;
      // A year over a column of other numbers (2019 | 2020 | 2021 over rates or amounts) is a heading.
      if (isNumeric(t) && !(YEAR.test(t.trim()) && !yearCol[c])) numberOverNumber++;
      else textOverNumber++;
    }
    if (textOverNumber > 0 && numberOverNumber === 0) header = r + 1;
    else break;
  }
  return Math.min(header, rows - 1);
}
