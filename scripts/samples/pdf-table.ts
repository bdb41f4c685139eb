// Draws a ruled (lattice) table and returns its exact cell grid as ground truth.
import type { RGB } from 'pdf-lib';
import type { PageDraw, TextStyle } from './pdf-page.js';
import { ASCENT, DESCENT } from './pdf-page.js';
import type { SampleCell, SampleTable } from './ground-truth.js';
import { roundBox } from './ground-truth.js';

export interface TableSpec {
  x: number;
  y: number;
  colWidths: number[];
  rowHeight: number;
  /** rows[0..headerRows) are header rows. */
  rows: string[][];
  headerRows: number;
  aligns: ('left' | 'right' | 'center')[];
  headerStyle: TextStyle;
  bodyStyle: TextStyle;
  /** Styles for specific body rows (e.g. a bold total row), by row index. */
  rowStyles?: Record<number, TextStyle>;
  headerFill: RGB;
  zebraFill: RGB | null;
  lineColor: RGB;
  outerColor: RGB;
  padding: number;
  caption: string | null;
}

export function drawTable(pd: PageDraw, spec: TableSpec): SampleTable {
  const { x, y, colWidths, rowHeight, rows } = spec;
  const width = colWidths.reduce((a, b) => a + b, 0);
  const height = rows.length * rowHeight;
  const colX: number[] = [x];
  for (const w of colWidths) colX.push((colX[colX.length - 1] ?? x) + w);

  // Fills first, then rules on top, then text.
  rows.forEach((_, r) => {
    const box = { x0: x, y0: y + r * rowHeight, x1: x + width, y1: y + (r + 1) * rowHeight };
    if (r < spec.headerRows) pd.rect(box, { fill: spec.headerFill });
    else if (spec.zebraFill && (r - spec.headerRows) % 2 === 1) pd.rect(box, { fill: spec.zebraFill });
  });
  for (let r = 1; r < rows.length; r++)
    pd.line(x, y + r * rowHeight, x + width, y + r * rowHeight, spec.lineColor, 0.6);
  for (let c = 1; c < colWidths.length; c++) {
    const cx = colX[c] ?? x;
    pd.line(cx, y, cx, y + height, spec.lineColor, 0.6);
  }
  pd.rect({ x0: x, y0: y, x1: x + width, y1: y + height }, { stroke: spec.outerColor, lineWidth: 0.9 });

  const cells: SampleCell[] = [];
  rows.forEach((row, r) => {
    const style = r < spec.headerRows ? spec.headerStyle : (spec.rowStyles?.[r] ?? spec.bodyStyle);
    // Centre the text's ascent+descent box vertically in the row.
    const top = y + r * rowHeight;
    const baseline = top + rowHeight / 2 + ((ASCENT - DESCENT) * style.size) / 2;
    row.forEach((text, c) => {
      const x0 = colX[c] ?? x;
      const x1 = colX[c + 1] ?? x0;
      const align = spec.aligns[c] ?? 'left';
      const anchor =
        align === 'right' ? x1 - spec.padding : align === 'center' ? (x0 + x1) / 2 : x0 + spec.padding;
      const drawn = pd.text(text, anchor, baseline, { ...style, align });
      cells.push({
        row: r,
        col: c,
        text,
        box: roundBox({ x0, y0: top, x1, y1: top + rowHeight }),
        textBox: roundBox(drawn.box),
      });
    });
  });
  return {
    page: pd.pageNo,
    caption: spec.caption,
    box: roundBox({ x0: x, y0: y, x1: x + width, y1: y + height }),
    rows: rows.length,
    cols: colWidths.length,
    headerRows: spec.headerRows,
    cells,
  };
}
