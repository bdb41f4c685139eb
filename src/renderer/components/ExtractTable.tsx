// A preview grid of one extracted table: header rows as <th>, spans kept, whole cell texts, wide tables scrolled
// sideways (a focusable region, so the keyboard scrolls it too), long tables cut with a count.
import type { Table, TableCell } from '../../shared/domain.js';

/** Row-major grid of the cells that start at each position (null where a span covers it or nothing is). */
export function tableGrid(table: Table): Array<Array<TableCell | null | 'covered'>> {
  const grid: Array<Array<TableCell | null | 'covered'>> = Array.from({ length: table.rows }, () =>
    Array.from({ length: table.cols }, () => null),
  );
  for (const c of table.cells) {
    for (let r = c.row; r < Math.min(table.rows, c.row + c.rowSpan); r++)
      for (let k = c.col; k < Math.min(table.cols, c.col + c.colSpan); k++) {
        const row = grid[r];
        if (row) row[k] = r === c.row && k === c.col ? c : 'covered';
      }
  }
  return grid;
}

export function ExtractTable({
  table,
  maxRows = 8,
  label = 'Table preview',
}: {
  table: Table;
  maxRows?: number;
  label?: string;
}) {
  const grid = tableGrid(table);
  const shown = grid.slice(0, Math.max(maxRows, table.headerRows));
  return (
    <div className="xt-scroll" role="region" aria-label={label} tabIndex={0}>
      <table className="xt-grid" data-testid="table-preview">
        <tbody>
          {shown.map((row, r) => (
            <tr key={r} className={r < table.headerRows ? 'xt-head' : undefined}>
              {row.map((cell, k) => {
                if (cell === 'covered') return null;
                const Tag = r < table.headerRows ? 'th' : 'td';
                return (
                  <Tag key={k} rowSpan={cell?.rowSpan} colSpan={cell?.colSpan} title={cell?.text}>
                    {cell?.text ?? ''}
                  </Tag>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {grid.length > shown.length && (
        <p className="xt-more">
          {grid.length - shown.length} more row{grid.length - shown.length === 1 ? '' : 's'} — export to see
          all
        </p>
      )}
    </div>
  );
}
