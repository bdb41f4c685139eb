// The generated table corpus: its committed truth is what the generator decides from the seeds (no renderer
// needed to check it), it is well formed, and table detection over it stays at or above today's measure.
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { chromiumPlans, planChromiumDoc } from './generate.js';
import {
  cellAccuracy,
  CORPUS_DIR,
  loadTruth,
  measureCorpus,
  tableRecall,
  type CorpusSet,
} from './measure.js';
import { formatTruth } from './truth.js';

test('corpus: the Chromium truth files are exactly what the generator plans from the seeds', async () => {
  const plans = chromiumPlans();
  assert.equal(plans.length, 72);
  for (const plan of plans) {
    const d = planChromiumDoc(plan);
    const committed = await readFile(
      path.join(CORPUS_DIR, 'chromium', d.file.replace(/\.pdf$/, '.json')),
      'utf8',
    );
    assert.equal(committed, formatTruth(d.doc), d.file);
  }
});

for (const set of ['chromium', 'libreoffice'] as const) {
  test(`corpus ${set}: every PDF has a well-formed truth`, async () => {
    const dir = path.join(CORPUS_DIR, set);
    const files = await readdir(dir);
    const pdfs = files.filter((f) => f.endsWith('.pdf')).sort();
    const docs = await loadTruth(set);
    assert.deepEqual(
      docs.map((d) => d.file),
      pdfs,
    );
    assert.equal(pdfs.length, set === 'chromium' ? 72 : 16);
    let bytes = 0;
    for (const d of docs) {
      bytes += (await stat(path.join(dir, d.file))).size;
      for (const t of d.tables) {
        const what = `${d.file} p${t.page}`;
        assert.ok(t.page >= 1 && t.page <= d.pages, what);
        assert.equal(t.grid.length, t.rows, what);
        for (const row of t.grid) assert.equal(row.length, t.cols, what);
        assert.ok(t.headerRows >= 1 && t.headerRows < t.rows, what);
        for (const s of t.spans) {
          assert.ok(
            s.row + s.rowSpan <= t.rows && s.col + s.colSpan <= t.cols,
            `${what}: span inside the grid`,
          );
          for (let r = s.row; r < s.row + s.rowSpan; r++)
            for (let c = s.col; c < s.col + s.colSpan; c++)
              if (r !== s.row || c !== s.col)
                assert.equal(t.grid[r]?.[c], '', `${what}: slot ${r},${c} under a span`);
        }
      }
    }
    // The whole corpus stays small enough to commit (~3 MB for both sets).
    assert.ok(bytes < (set === 'chromium' ? 2_500_000 : 700_000), `${set}: ${bytes} bytes of PDF`);
  });
}

/**
 * Floors = the measure of the detector when the corpus was committed (npm run bench:tables): raise them as
 * detection improves, never lower them.
 */
const FLOORS: Record<
  CorpusSet,
  { matchedCells: number; foundTables: number; cells: number; recall: number }
> = {
  chromium: { matchedCells: 3934, foundTables: 92, cells: 0.968, recall: 0.958 },
  libreoffice: { matchedCells: 1157, foundTables: 22, cells: 0.969, recall: 0.916 },
};

for (const set of ['chromium', 'libreoffice'] as const) {
  test(`corpus ${set}: table detection stays at or above its floor`, async () => {
    const s = await measureCorpus(set);
    const f = FLOORS[set];
    const got = `${s.total.matchedCells}/${s.total.expectedCells} cells, ${s.total.foundTables}/${s.total.expectedTables} tables`;
    assert.ok(s.total.matchedCells >= f.matchedCells, got);
    assert.ok(s.total.foundTables >= f.foundTables, got);
    assert.ok(cellAccuracy(s.total) >= f.cells, got);
    assert.ok(tableRecall(s.total) >= f.recall, got);
  });
}
