// Runs table detection over the committed generated corpus (fixtures/tables-generated) and scores it against the
// truth beside each PDF: cell accuracy, table recall and precision, shapes, spans and header rows, per set and
// broken down by border style and feature. Used by bench:tables and the corpus floor test.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scorePage, scoreTable, type PageScore } from '../../src/extract/tables/accuracy.js';
import { detectTables, tableToGrid } from '../../src/extract/tables/index.js';
import { joinContinuedTables } from '../../src/extract/tables/multi-page.js';
import type { Table, TextPage } from '../../src/shared/domain.js';
import { PageLoader } from './page-loader.js';
import type { TruthDoc, TruthTable } from './truth.js';

export const CORPUS_DIR = fileURLToPath(new URL('../../fixtures/tables-generated/', import.meta.url));
export const CORPUS_SETS = ['chromium', 'libreoffice', 'web'] as const;
export type CorpusSet = (typeof CORPUS_SETS)[number];

/** Counts that add up over pages, documents, styles and sets. */
export interface Tally {
  expectedTables: number;
  extractedTables: number;
  /** Pairs that count as found tables (scorePage: MATCH_FRACTION of the cells). */
  foundTables: number;
  expectedCells: number;
  matchedCells: number;
  /** Non-empty cells of the extracted tables paired with an expected one. */
  extractedCells: number;
  shapeMatches: number;
  spans: number;
  spansRight: number;
  extraSpans: number;
  headerRight: number;
}

export function emptyTally(): Tally {
  return {
    expectedTables: 0,
    extractedTables: 0,
    foundTables: 0,
    expectedCells: 0,
    matchedCells: 0,
    extractedCells: 0,
    shapeMatches: 0,
    spans: 0,
    spansRight: 0,
    extraSpans: 0,
    headerRight: 0,
  };
}

export function addTally(a: Tally, b: Tally): Tally {
  const out = { ...a };
  for (const k of Object.keys(out) as (keyof Tally)[]) out[k] += b[k];
  return out;
}

export const cellAccuracy = (t: Tally): number => (t.expectedCells ? t.matchedCells / t.expectedCells : 1);
export const tableRecall = (t: Tally): number => (t.expectedTables ? t.foundTables / t.expectedTables : 1);
export const tablePrecision = (t: Tally): number =>
  t.extractedTables ? t.foundTables / t.extractedTables : 1;

export interface PageResult {
  file: string;
  page: number;
  truth: TruthTable[];
  tables: Table[];
  score: PageScore;
  tally: Tally;
  /** Tally per truth table (by index on the page), for the per-style and per-feature breakdowns. */
  perTable: Tally[];
}

export interface CorpusSummary {
  set: CorpusSet;
  docs: number;
  pages: PageResult[];
  total: Tally;
  byStyle: Map<string, Tally>;
  /** By the feature of each truth table; extractedTables stays 0 (a page's tables have no feature). */
  byFeature: Map<string, Tally>;
  joins: JoinTally;
}

/** Tables continued over pages, after joinContinuedTables over each document's tables. */
export interface JoinTally {
  /** Tables the truth has over two or more pages. */
  expected: number;
  /** …found as one table covering exactly their pages. */
  joined: number;
  /** Joined tables (two or more parts) that are no continued table of the truth. */
  falseJoins: number;
  /** Cells of the continued tables (joined truth grids) and those matched by the best extracted table. */
  expectedCells: number;
  matchedCells: number;
}

/** The truth's continued tables as one grid each: part 1, then the later parts without their repeated header. */
export function joinedTruth(doc: TruthDoc): { pages: number[]; grid: string[][] }[] {
  const out: { pages: number[]; grid: string[][] }[] = [];
  for (const t of doc.tables) {
    if (!t.part) continue;
    const last = out[out.length - 1];
    if (t.part[0] === 1 || !last) out.push({ pages: [t.page], grid: t.grid.map((r) => [...r]) });
    else {
      last.pages.push(t.page);
      last.grid.push(...t.grid.slice(t.headerRows).map((r) => [...r]));
    }
  }
  return out.filter((x) => x.pages.length > 1);
}

/** Scores a document's joined tables against its continued truth tables. */
export function scoreJoins(doc: TruthDoc, tables: readonly Table[]): JoinTally {
  const truth = joinedTruth(doc);
  const tally: JoinTally = {
    expected: truth.length,
    joined: 0,
    falseJoins: 0,
    expectedCells: 0,
    matchedCells: 0,
  };
  const used = new Set<number>();
  for (const t of truth) {
    let best = -1;
    let bestScore = { matched: -1, expected: 0 };
    tables.forEach((x, i) => {
      if (used.has(i) || !t.pages.includes(x.page)) return;
      const s = scoreTable(t.grid, tableToGrid(x));
      if (s.matched > bestScore.matched) [best, bestScore] = [i, s];
    });
    tally.expectedCells += t.grid.reduce(
      (n, r) => n + r.filter((c) => c.replace(/\s+/g, '') !== '').length,
      0,
    );
    if (best < 0) continue;
    used.add(best);
    tally.matchedCells += bestScore.matched;
    const pages = (tables[best] as Table).parts?.map((p) => p.page) ?? [(tables[best] as Table).page];
    if (pages.join(',') === t.pages.join(',')) tally.joined++;
  }
  tables.forEach((x, i) => {
    if (!used.has(i) && (x.parts?.length ?? 1) > 1) tally.falseJoins++;
  });
  return tally;
}

function nonEmpty(grid: string[][]): number {
  return grid.reduce((s, r) => s + r.filter((c) => c.replace(/\s+/g, '') !== '').length, 0);
}

export async function loadTruth(set: CorpusSet): Promise<TruthDoc[]> {
  const dir = path.join(CORPUS_DIR, set);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (f) => JSON.parse(await readFile(path.join(dir, f), 'utf8')) as TruthDoc),
  );
}

/** Scores one page: detection in auto mode (no area, no hints), as the app runs it. */
export function scoreCorpusPage(
  file: string,
  page: number,
  truth: TruthTable[],
  tables: Table[],
): PageResult {
  const score = scorePage(truth, tables);
  const perTable = truth.map((t, i) => {
    const tally = emptyTally();
    tally.expectedTables = 1;
    tally.expectedCells = nonEmpty(t.grid);
    tally.spans = t.spans.length;
    const pair = score.pairs.find((p) => p.expected === i);
    if (pair) {
      tally.foundTables = pair.found ? 1 : 0;
      tally.matchedCells = pair.score.matched;
      tally.extractedCells = pair.score.extractedCells;
      const x = tables[pair.extracted];
      tally.shapeMatches = x && x.rows === t.rows && x.cols === t.cols ? 1 : 0;
      tally.spansRight = pair.spansRight;
      tally.extraSpans = pair.extraSpans;
      tally.headerRight = pair.headerRight ? 1 : 0;
    }
    return tally;
  });
  const tally = perTable.reduce(addTally, emptyTally());
  tally.extractedTables = tables.length;
  return { file, page, truth, tables, score, tally, perTable };
}

export async function measureCorpus(set: CorpusSet, only?: string): Promise<CorpusSummary> {
  const docs = (await loadTruth(set)).filter((d) => !only || d.file.includes(only));
  const loader = new PageLoader();
  const pages: PageResult[] = [];
  const byStyle = new Map<string, Tally>();
  const byFeature = new Map<string, Tally>();
  const joins: JoinTally = { expected: 0, joined: 0, falseJoins: 0, expectedCells: 0, matchedCells: 0 };
  try {
    for (const doc of docs) {
      const file = path.join(CORPUS_DIR, set, doc.file);
      const docTables: Table[] = [];
      const texts: TextPage[] = [];
      for (let page = 1; page <= doc.pages; page++) {
        const { text, rulings } = await loader.load(file, page);
        const truth = doc.tables.filter((t) => t.page === page);
        const tables = detectTables(text, rulings);
        docTables.push(...tables);
        texts.push(text);
        const r = scoreCorpusPage(doc.file, page, truth, tables);
        pages.push(r);
        truth.forEach((t, i) => {
          const one = { ...(r.perTable[i] as Tally) };
          byFeature.set(t.feature, addTally(byFeature.get(t.feature) ?? emptyTally(), one));
          // Every table of a page has the page's border style, so the page's extracted tables count there once.
          if (i === 0) one.extractedTables = tables.length;
          byStyle.set(t.style, addTally(byStyle.get(t.style) ?? emptyTally(), one));
        });
      }
      const j = scoreJoins(doc, joinContinuedTables(docTables, texts));
      for (const k of Object.keys(joins) as (keyof JoinTally)[]) joins[k] += j[k];
    }
  } finally {
    await loader.destroy();
  }
  const total = pages.map((p) => p.tally).reduce(addTally, emptyTally());
  return { set, docs: docs.length, pages, total, byStyle, byFeature, joins };
}
