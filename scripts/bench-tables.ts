// Measures table extraction on ../shared/fixtures/table-suite (tabula-java and camelot regression cases): runs
// every manifest case with its page, area and mode and prints per-case and overall cell accuracy.
// Usage: npm run bench:tables [-- --case <id-substring>] [--show]
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDocumentEngine } from '../src/documents/index.js';
import type { DocumentEngine } from '../src/documents/index.js';
import { documentParams, loadPdfJs } from '../src/documents/pdfjs-setup.js';
import { extractRulings, type Segment } from '../src/documents/rulings.js';
import type { Table, TextPage } from '../src/shared/domain.js';
import type { Rect } from '../src/shared/geometry.js';
import {
  detectTables,
  parseCsv,
  scoreTable,
  tableToGrid,
  type CellScore,
} from '../src/extract/tables/index.js';

const ROOT = path.resolve(import.meta.dirname, '..');
export const SUITE_DIR = path.resolve(ROOT, '../shared/fixtures/table-suite');

export interface SuiteCase {
  id: string;
  source: string;
  pdf: string;
  page: number;
  /** [top, left, bottom, right] in page space, or null. */
  area: [number, number, number, number] | null;
  mode: 'lattice' | 'stream';
  expected: string;
  notes: string;
}

/**
 * Non-default settings the upstream tests used (from each case's notes), in our terms.
 * NOTE: only user column separators and camelot's copy_text are reproduced; line_scale, edge_tol, flag_size,
 * split_text and process_background have no counterpart here and those cases run with our defaults.
 */
const CASE_SETTINGS: Record<string, { columns?: number[]; fillSpans?: 'v' }> = {
  cm_mexican_towns_stream: { columns: [67, 180, 230, 425, 475] },
  cm_m27_stream_columns: { columns: [72, 95, 209, 327, 442, 529, 566, 606, 683] },
  cm_row_span_lattice: { fillSpans: 'v' },
};

export interface PageData {
  text: TextPage;
  rulings: Segment[];
}

/** Text (through the documents engine, in this thread) and rulings (pdf.js operator list) of PDF pages. */
export class PageLoader {
  #engine: DocumentEngine = createDocumentEngine({ poolSize: 0 });
  #cache = new Map<string, Promise<PageData>>();

  load(file: string, page: number): Promise<PageData> {
    const key = `${file}#${page}`;
    let p = this.#cache.get(key);
    if (!p) this.#cache.set(key, (p = this.#load(file, page)));
    return p;
  }

  async #load(file: string, pageNo: number): Promise<PageData> {
    const handle = await this.#engine.open(file);
    try {
      const text = await handle.text(pageNo);
      const pdfjs = await loadPdfJs();
      const task = pdfjs.getDocument(documentParams(new Uint8Array(await readFile(file)), undefined));
      try {
        const doc = await task.promise;
        const page = await doc.getPage(pageNo);
        const g = {
          view: [page.view[0] ?? 0, page.view[1] ?? 0, page.view[2] ?? 0, page.view[3] ?? 0] as const,
          rotate: page.rotate,
          userUnit: page.userUnit || 1,
        };
        return { text, rulings: await extractRulings(page, g) };
      } finally {
        await task.destroy();
      }
    } finally {
      await handle.close();
    }
  }

  async destroy(): Promise<void> {
    await this.#engine.destroy();
  }
}

export interface CaseResult {
  id: string;
  mode: string;
  score: CellScore;
  expectedShape: [number, number];
  gotShape: [number, number] | null;
  tables: number;
  ms: number;
  best: Table | null;
  grid: string[][];
}

export async function loadManifest(): Promise<SuiteCase[]> {
  return JSON.parse(await readFile(path.join(SUITE_DIR, 'manifest.json'), 'utf8')) as SuiteCase[];
}

export async function runCase(loader: PageLoader, c: SuiteCase): Promise<CaseResult> {
  const t0 = performance.now();
  const { text, rulings } = await loader.load(path.join(SUITE_DIR, c.pdf), c.page);
  const settings = CASE_SETTINGS[c.id] ?? {};
  const area: Rect | undefined = c.area
    ? { x0: c.area[1], y0: c.area[0], x1: c.area[3], y1: c.area[2] }
    : undefined;
  const tables = detectTables(text, rulings, { area, mode: c.mode, columns: settings.columns });
  const expected = parseCsv(await readFile(path.join(SUITE_DIR, c.expected), 'utf8'));
  const eCols = Math.max(0, ...expected.map((r) => r.length));
  // The suite names one table per case; we score the extracted table that matches it best.
  let best: { t: Table; s: CellScore; grid: string[][] } | null = null;
  for (const t of tables) {
    const grid = tableToGrid(t, { fillSpans: settings.fillSpans });
    const s = scoreTable(expected, grid);
    if (!best || s.matched > best.s.matched) best = { t, s, grid };
  }
  const empty = scoreTable(expected, []);
  return {
    id: c.id,
    mode: c.mode,
    score: best?.s ?? empty,
    expectedShape: [expected.length, eCols],
    gotShape: best ? [best.t.rows, best.t.cols] : null,
    tables: tables.length,
    ms: performance.now() - t0,
    best: best?.t ?? null,
    grid: best?.grid ?? [],
  };
}

export interface SuiteSummary {
  results: CaseResult[];
  /** Matched cells over expected cells, all cases pooled. */
  micro: number;
  /** Mean of per-case accuracies. */
  macro: number;
  shapeMatches: number;
}

export async function runSuite(filter?: (c: SuiteCase) => boolean): Promise<SuiteSummary> {
  const cases = (await loadManifest()).filter(filter ?? (() => true));
  const loader = new PageLoader();
  const results: CaseResult[] = [];
  try {
    for (const c of cases) results.push(await runCase(loader, c));
  } finally {
    await loader.destroy();
  }
  const matched = results.reduce((s, r) => s + r.score.matched, 0);
  const expected = results.reduce((s, r) => s + r.score.expected, 0);
  return {
    results,
    micro: expected ? matched / expected : 1,
    macro: results.length ? results.reduce((s, r) => s + r.score.accuracy, 0) / results.length : 1,
    shapeMatches: results.filter((r) => r.score.shapeMatch).length,
  };
}

function pct(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = args.includes('--case') ? args[args.indexOf('--case') + 1] : undefined;
  const show = args.includes('--show');
  const summary = await runSuite(only ? (c) => c.id.includes(only) : undefined);
  console.log(
    'case                                  mode     accuracy  cells      shape exp → got   tables  ms',
  );
  for (const r of summary.results) {
    const shape = `${r.expectedShape.join('x')} → ${r.gotShape ? r.gotShape.join('x') : '-'}`;
    console.log(
      `${r.id.padEnd(38)}${r.mode.padEnd(9)}${pct(r.score.accuracy).padStart(7)}  ${`${r.score.matched}/${r.score.expected}`.padEnd(10)} ${(shape + (r.score.shapeMatch ? ' =' : '')).padEnd(18)}${String(r.tables).padStart(4)}${r.ms.toFixed(0).padStart(7)}`,
    );
    if (show) for (const row of r.grid) console.log('    ' + JSON.stringify(row));
  }
  console.log(
    `\noverall cell accuracy: ${pct(summary.micro)} pooled (matched/expected non-empty cells), ${pct(summary.macro)} mean per case; shape match ${summary.shapeMatches}/${summary.results.length}`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
