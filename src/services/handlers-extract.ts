// The extract room beyond dates: tables of an open document, exports of one document's dates or tables, and
// batch jobs over files and folders (src/services/jobs).
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { EXTENSION, exportExtraction } from '../extract/export/index.js';
import type { Chart } from '../shared/charts.js';
import type { Table } from '../shared/domain.js';
import { AppError } from '../shared/errors.js';
import type { OpenDocument } from './document-store.js';
import type { BackendContext } from './handlers.js';
import { JobManager, chartsOf, datesOf, tablesOf } from './jobs/index.js';
import { Runs, readPages } from './read-pages.js';
import type { PageProgress } from './read-pages.js';
import type { Emit, RoomSlice } from './room.js';

export type ExtractChannel =
  | 'extract.tables'
  | 'extract.charts'
  | 'extract.stop'
  | 'extract.export'
  | 'extract.start'
  | 'extract.cancel'
  | 'extract.resume'
  | 'extract.jobs'
  | 'extract.job'
  | 'extract.revealOutput';

/** What other rooms may use: tables of an open document (e.g. the reader engine's "what tables are present"). */
export interface ExtractRoom extends RoomSlice<ExtractChannel> {
  tables(doc: OpenDocument, pages: number[]): Promise<Table[]>;
  /** Charts of an open document's pages (the reader engine's chart answers). */
  charts(doc: OpenDocument, pages: number[]): Promise<Chart[]>;
  jobs: JobManager;
  /** Single-document extract calls that named a runId (extract.dates lives in handlers.ts and uses these too). */
  runs: Runs;
}

export function extractRoom(ctx: BackendContext, emit: Emit): ExtractRoom {
  const jobs = new JobManager({
    dataDir: ctx.dataDir,
    engine: ctx.engine,
    text: ctx.text,
    settings: ctx.settings,
    emit,
  });

  const pagesOf = (doc: OpenDocument, pages: number[] | undefined): number[] => {
    const wanted = pages ?? doc.info.pages.map((p) => p.page);
    for (const p of wanted) ctx.docs.checkPage(doc.id, p);
    return wanted;
  };
  /** Page texts, failing the call on the first page that cannot be read (single-document calls say why). */
  const texts = (doc: OpenDocument, pages: number[], read: Parameters<typeof readPages>[3] = {}) =>
    readPages(ctx.text, doc, pages, read);
  const tables = async (doc: OpenDocument, pages: number[], read: Parameters<typeof readPages>[3] = {}) =>
    (await tablesOf(doc, await texts(doc, pages, read))).tables;
  const charts = async (doc: OpenDocument, pages: number[], read: Parameters<typeof readPages>[3] = {}) =>
    (await chartsOf(doc, await texts(doc, pages, read))).charts;
  const runs = new Runs();
  /** One stoppable run over a document's pages, its page progress sent as extract.progress events. */
  const run = async <T>(
    docId: string,
    pages: number[] | undefined,
    runId: string | undefined,
    what: (doc: OpenDocument, pages: number[], read: Parameters<typeof readPages>[3]) => Promise<T>,
  ): Promise<T> => {
    const doc = ctx.docs.get(docId);
    const wanted = pagesOf(doc, pages);
    const signal = runs.start(runId);
    try {
      const onProgress = runId
        ? (p: PageProgress) => emit({ type: 'extract.progress', payload: { runId, ...p } })
        : undefined;
      return await what(doc, wanted, { signal, onProgress });
    } finally {
      runs.end(runId, signal);
    }
  };

  return {
    tables: (doc, pages) => tables(doc, pages),
    charts: (doc, pages) => charts(doc, pages),
    jobs,
    runs,
    handlers: {
      'extract.tables': async ({ docId, pages, runId }) => ({
        tables: await run(docId, pages, runId, tables),
      }),
      'extract.charts': async ({ docId, pages, runId }) => ({
        charts: await run(docId, pages, runId, charts),
      }),
      'extract.stop': ({ runId }) => Promise.resolve({ stopped: runs.stop(runId) }),
      'extract.export': async ({ docId, kind, format }) => {
        const doc = ctx.docs.get(docId);
        const t = await texts(doc, pagesOf(doc, undefined));
        const extraction = {
          file: doc.info.name,
          dates: kind === 'dates' ? datesOf(t, ctx.settings.get()) : [],
          tables: kind === 'tables' ? (await tablesOf(doc, t)).tables : [],
          charts: kind === 'charts' ? (await chartsOf(doc, t)).charts : [],
        };
        const out = await exportExtraction(kind, format, [extraction]);
        const stem = basename(doc.info.name, extname(doc.info.name)) || 'document';
        return { name: `${stem}-${kind}.${EXTENSION[format]}`, mime: out.mime, bytes: out.bytes };
      },
      'extract.start': (input) => jobs.start(input),
      'extract.cancel': ({ jobId }) => jobs.cancel(jobId),
      'extract.resume': ({ jobId }) => jobs.resume(jobId),
      'extract.jobs': () => jobs.list(),
      'extract.job': ({ jobId }) => jobs.get(jobId),
      'extract.revealOutput': async ({ jobId }) => {
        const { outDir } = await jobs.get(jobId);
        const st = await stat(outDir).catch(() => null);
        if (!st?.isDirectory())
          throw new AppError('not_found', `the output folder of job ${jobId} is gone: ${outDir}`);
        return { path: outDir, opened: false };
      },
    },
    async dispose() {
      await jobs.dispose();
    },
  };
}
