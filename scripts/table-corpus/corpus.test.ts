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
  CORPUS_SETS,
  loadTruth,
  measureCorpus,
  tableRecall,
  type CorpusSet,
} from './measure.js';
import { formatTruth } from './truth.js';
import { webPlans } from './web.js';

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

const COUNTS: Record<CorpusSet, number> = { chromium: 72, libreoffice: 16, web: 70 };
/** Bytes of PDF per set: small enough to commit (dashed rules are many small rectangles). */
const MAX_BYTES: Record<CorpusSet, number> = { chromium: 2_500_000, libreoffice: 700_000, web: 3_600_000 };

test('corpus web: every style and feature once, continued tables split over pages as planned', async () => {
  const plans = webPlans();
  assert.equal(plans.length, 70);
  const docs = await loadTruth('web');
  for (const plan of plans) {
    const d = docs.find((x) => x.seed === plan.seed);
    assert.ok(d, `web seed ${plan.seed}`);
    assert.ok(d.file.includes(`-${plan.style}-${plan.feature}.pdf`), d.file);
    const parts = d.tables.filter((t) => t.part);
    if (plan.feature === 'continued' || plan.feature === 'continued-plain') {
      assert.ok(parts.length >= 2, `${d.file}: over pages`);
      // Later parts repeat the header rows unless the header is printed once.
      for (const t of parts.slice(1))
        assert.equal(t.headerRows, plan.feature === 'continued' ? parts[0]?.headerRows : 0, d.file);
    } else assert.equal(parts.length, 0, d.file);
    if (plan.feature === 'next-page-table')
      assert.deepEqual(
        d.tables.map((t) => t.page),
        [1, 2],
      );
  }
});

for (const set of CORPUS_SETS) {
  test(`corpus ${set}: every PDF has a well-formed truth`, async () => {
    const dir = path.join(CORPUS_DIR, set);
    const files = await readdir(dir);
    const pdfs = files.filter((f) => f.endsWith('.pdf')).sort();
    const docs = await loadTruth(set);
    assert.deepEqual(
      docs.map((d) => d.file),
      pdfs,
    );
    assert.equal(pdfs.length, COUNTS[set]);
    let bytes = 0;
    for (const d of docs) {
      bytes += (await stat(path.join(dir, d.file))).size;
      for (const t of d.tables) {
        const what = `${d.file} p${t.page}`;
        assert.ok(t.page >= 1 && t.page <= d.pages, what);
        assert.equal(t.grid.length, t.rows, what);
        for (const row of t.grid) assert.equal(row.length, t.cols, what);
        // The later parts of a table whose header is printed once have none.
        const min = t.part && t.part[0] > 1 ? 0 : 1;
        assert.ok(t.headerRows >= min && t.headerRows < t.rows, what);
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
    assert.ok(bytes < MAX_BYTES[set], `${set}: ${bytes} bytes of PDF`);
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
  chromium: { matchedCells: 4052, foundTables: 95, cells: 0.997, recall: 0.989 },
  libreoffice: { matchedCells: 1192, foundTables: 24, cells: 0.999, recall: 1 },
  web: { matchedCells: 7590, foundTables: 96, cells: 0.991, recall: 0.989 },
};

/** Tables over pages found as one (joinContinuedTables) when the floors were last raised. */
const JOINED: Record<CorpusSet, number> = { chromium: 9, libreoffice: 2, web: 13 };

for (const set of CORPUS_SETS) {
  test(`corpus ${set}: table detection stays at or above its floor`, async () => {
    const s = await measureCorpus(set);
    const f = FLOORS[set];
    const got = `${s.total.matchedCells}/${s.total.expectedCells} cells, ${s.total.foundTables}/${s.total.expectedTables} tables`;
    assert.ok(s.total.matchedCells >= f.matchedCells, got);
    assert.ok(s.total.foundTables >= f.foundTables, got);
    assert.ok(cellAccuracy(s.total) >= f.cells, got);
    assert.ok(tableRecall(s.total) >= f.recall, got);
    // Tables over pages: joined at least as often, never joined where the truth has separate tables.
    const j = `${s.joins.joined}/${s.joins.expected} joined, ${s.joins.falseJoins} false joins`;
    assert.ok(s.joins.joined >= JOINED[set], j);
    assert.equal(s.joins.falseJoins, 0, j);
  });
}
