// Tables continued over pages, on printed PDFs of the generated corpus (fixtures/tables-generated): a table
// broken over two pages is joined into one with its repeated header dropped and each cell on its own page; tables
// that merely follow each other over a page break stay apart.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import { CORPUS_DIR, joinedTruth, loadTruth } from '../../../scripts/table-corpus/measure.js';
import { PageLoader } from '../../../scripts/table-corpus/page-loader.js';
import type { Table, TextPage } from '../../shared/domain.js';
import { scoreTable } from './accuracy.js';
import { detectTables, tableToGrid } from './detect-tables.js';
import { joinContinuedTables } from './multi-page.js';

const loader = new PageLoader();
after(() => loader.destroy());

async function pageOf(file: string, page: number, as = page): Promise<{ text: TextPage; tables: Table[] }> {
  const { text, rulings } = await loader.load(path.join(CORPUS_DIR, file), page);
  const tables = detectTables(text, rulings).map((t) => ({ ...t, page: as }));
  return { text: { ...text, page: as }, tables };
}

for (const name of [
  'c055-full-grid-page-break',
  'c056-header-rule-page-break',
  'c059-borderless-page-break',
]) {
  test(`multi-page: ${name} is one table over pages 1–2, header once, cells on their pages`, async () => {
    const doc = (await loadTruth('chromium')).find((d) => d.file === `${name}.pdf`);
    assert.ok(doc);
    const [truth] = joinedTruth(doc);
    assert.ok(truth);
    const p1 = await pageOf(`chromium/${name}.pdf`, 1);
    const p2 = await pageOf(`chromium/${name}.pdf`, 2);
    const joined = joinContinuedTables([...p2.tables, ...p1.tables], [p1.text, p2.text]);
    assert.equal(joined.length, 1);
    const t = joined[0] as Table;
    assert.deepEqual(
      t.parts?.map((p) => p.page),
      [1, 2],
    );
    assert.equal(t.rows, truth.grid.length);
    const score = scoreTable(truth.grid, tableToGrid(t));
    assert.equal(score.matched, score.expected, `${name}: ${score.matched}/${score.expected} cells`);
    // Cells of the second part are on page 2, in that page's space, below its top margin; the header once.
    const second = t.parts?.[1];
    assert.ok(second);
    for (const c of t.cells) assert.equal(c.page, c.row >= second.firstRow ? 2 : 1, `cell ${c.row},${c.col}`);
    const head = tableToGrid(t)[0]?.join('|');
    assert.equal(tableToGrid(t).filter((r) => r.join('|') === head).length, 1);
  });
}

test('multi-page: different tables on consecutive pages stay apart', async () => {
  // Page 1 of a page-break document (its table runs to the page's end) followed by another document's page whose
  // table has the same number of columns but a header of its own: two tables.
  const p1 = await pageOf('chromium/c055-full-grid-page-break.pdf', 1);
  const other = await pageOf('chromium/c063-separate-grid-page-break.pdf', 2, 2);
  assert.equal(p1.tables.length, 1);
  assert.equal(other.tables.length, 1);
  assert.equal(other.tables[0]?.cols, p1.tables[0]?.cols);
  const joined = joinContinuedTables([...p1.tables, ...other.tables], [p1.text, other.text]);
  assert.equal(joined.length, 2);
  assert.ok(joined.every((t) => !t.parts));
  // A page with prose under its table: the table does not end its page, nothing is joined.
  const single = await pageOf('chromium/c001-full-grid-plain.pdf', 1);
  const next = await pageOf('chromium/c001-full-grid-plain.pdf', 1, 2);
  assert.equal(joinContinuedTables([...single.tables, ...next.tables], [single.text, next.text]).length, 2);
});
