// Batch extraction jobs (DESIGN.md "Jobs"): a journal per job in dataDir/jobs, one result file per document keyed
// by the input's hash and the options, outputs rebuilt from the results in input order (so a job resumed after a
// crash writes the same bytes as one that never stopped), each document ending in one status.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { basename, extname, join } from 'node:path';
import type { DocumentEngine } from '../../documents/api.js';
import { EXTENSION } from '../../extract/export/index.js';
import type { AppEvent } from '../../shared/contract.js';
import type {
  DateHit,
  ExportFormat,
  ExtractKind,
  FileStatus,
  JobFile,
  JobInfo,
  JobProgress,
  JobState,
  Settings,
  Table,
} from '../../shared/domain.js';
import { AppError, isAppError } from '../../shared/errors.js';
import type { OpenDocument } from '../document-store.js';
import type { PageText } from '../page-text.js';
import { discoverInputs } from './discover.js';
import { toJobFile, writeResultSet } from './merge.js';
import { checkShard, jobRoot, listKeyOf, shardPositions, writeShardManifest } from './shard.js';
import { chartsOf, datesOf, imageLossesOf, tablesOf, textsOf } from './extract-doc.js';
import type { Chart } from '../../shared/charts.js';
import {
  appendLine,
  readJournal,
  sha256Regular,
  writeAtomic,
  type FileLine,
  type HeaderLine,
  type JournalLine,
} from './journal.js';

/** Bumped when extraction changes what it finds, so stored results of older code are not reused. */
export const EXTRACT_VERSION = 1;

export interface JobDeps {
  dataDir: string;
  engine: DocumentEngine;
  text: PageText;
  settings: { get(): Settings };
  emit(event: AppEvent): void;
}

export interface JobOptions {
  /** Documents processed at once; default from cores and free memory. */
  concurrency?: number;
  /**
   * Deadline for one document once opened: base + per page, at most 2 h. Defaults 30 s + 20 s per page. `(0)` bounds
   * reading and hashing the file before it is opened (the hash keys its stored result).
   */
  docDeadlineMs?: (pages: number) => number;
}

const DEFAULT_DEADLINE = (pages: number): number => Math.min(30_000 + 20_000 * pages, 2 * 3600_000);

/**
 * Stored results are shared by content, so a message naming the file is stored with this in place of the quoted
 * name and filled in with the name of the file each row is for ("zero.png", not the "zero.pdf" read first).
 */
const NAME_SLOT = '"\u0000name\u0000"';

/** What extracting one document needs: the documents engine, page text (text layer or OCR) and the settings. */
export type ExtractDeps = Pick<JobDeps, 'engine' | 'text' | 'settings'>;

/** The result stored for one document, keyed by its content, extension and the job's options. */
export interface StoredResult {
  status: FileStatus;
  pages: number;
  error: string | null;
  dates: DateHit[];
  tables: Table[];
  /** Charts (kind 'charts'); absent in results written before charts were extracted. */
  charts?: Chart[];
}

interface Job {
  header: HeaderLine;
  done: Map<number, FileLine>;
  state: JobState;
  message: string | null;
  outputs: string[];
  abort: AbortController | null;
  running: Promise<void> | null;
  current: Set<string>;
  runStartedAt: number;
  runDoneAtStart: number;
  lastProgress: number;
  /** Documents being read: their page count once opened, and pages read so far (for pages done and the ETA). */
  inflight: Map<number, { pages: number; read: number }>;
  runPagesAtStart: number;
}

const ERROR_STATUS: Partial<Record<string, FileStatus>> = {
  needs_password: 'needs_password',
  wrong_password: 'needs_password',
  unsupported_format: 'unsupported',
  too_large: 'too_large',
  corrupt: 'corrupt',
  empty_file: 'corrupt',
  timeout: 'timeout',
  io_error: 'io_error',
  not_found: 'io_error',
  disk_full: 'io_error',
};

/** The terminal status of a document that failed with `e`. */
export function statusOf(e: unknown): FileStatus {
  return (isAppError(e) && ERROR_STATUS[e.code]) || 'crashed';
}

function isDiskFull(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/**
 * The key of a document's stored result: its content hash and extension plus the options. The extension is part
 * of the key: what a file is opened as (and says) depends on its name as well.
 */
export async function resultKey(file: string, optionsKey: string, readDeadlineMs: number): Promise<string> {
  const ext = extname(file)
    .toLowerCase()
    .replace(/[^a-z0-9.]/g, '')
    .slice(0, 12);
  try {
    return `${await sha256Regular(file, readDeadlineMs)}${ext}-${optionsKey}`;
  } catch {
    // Unreadable, not a regular file, or too slow to read: opening it reports which, under the deadline.
    return `unreadable-${createHash('sha256').update(file).digest('hex').slice(0, 16)}-${optionsKey}`;
  }
}

/** The options part of result keys: what changes what extraction finds. */
export function optionsKeyOf(kinds: readonly ExtractKind[], dateLocale: Settings['dateLocale']): string {
  return createHash('sha256')
    .update(JSON.stringify({ v: EXTRACT_VERSION, kinds, dateLocale }))
    .digest('hex')
    .slice(0, 16);
}

/** Message placeholders of stored results filled in with the name of the file a row is for. */
export function fileLineOf(i: number, file: string, key: string, result: StoredResult): FileLine {
  return {
    t: 'file',
    i,
    file,
    key,
    status: result.status,
    pages: result.pages,
    dates: result.dates.length,
    tables: result.tables.length,
    error: result.error === null ? null : result.error.split(NAME_SLOT).join(`"${basename(file)}"`),
  };
}

/** A stored result's error with the file's quoted name replaced by the slot (results are shared by content). */
export function withNameSlot(result: StoredResult, file: string): StoredResult {
  if (result.error) result.error = result.error.split(`"${basename(file)}"`).join(NAME_SLOT);
  return result;
}

export function defaultConcurrency(): number {
  const byCores = os.availableParallelism();
  const byMemory = Math.floor(os.freemem() / (512 * 1024 ** 2)); // about 512 MiB per document in flight (OCR)
  return Math.max(1, Math.min(byCores, byMemory, 8));
}

export class JobManager {
  readonly #jobs = new Map<string, Job>();
  readonly #dir: string;
  #loaded: Promise<void> | null = null;
  #disposed = false;

  constructor(
    private readonly deps: JobDeps,
    private readonly opts: JobOptions = {},
  ) {
    this.#dir = join(deps.dataDir, 'jobs');
  }

  /** Reads the journals on disk once: a job that was running when the process died shows as paused. */
  #load(): Promise<void> {
    this.#loaded ??= (async () => {
      await mkdir(this.#dir, { recursive: true });
      for (const name of (await readdir(this.#dir)).filter((n) => n.endsWith('.jsonl')).sort()) {
        try {
          const job = this.#fromLines(await readJournal(join(this.#dir, name)));
          if (job) this.#jobs.set(job.header.jobId, job);
        } catch {
          // an unreadable journal is skipped; the others still load
        }
      }
    })();
    return this.#loaded;
  }

  #fromLines(lines: JournalLine[]): Job | null {
    const header = lines[0];
    if (header?.t !== 'job') return null;
    const job = this.#newJob(header);
    for (const l of lines.slice(1)) {
      if (l.t === 'file') job.done.set(l.i, l);
      else if (l.t === 'state') [job.state, job.message] = [l.state, l.message];
      else if (l.t === 'outputs') job.outputs = l.outputs;
    }
    if (job.state === 'running' || job.state === 'queued') {
      job.state = 'paused';
      job.message = 'interrupted (the app stopped while the job ran); resume to continue where it stopped';
    }
    return job;
  }

  #newJob(header: HeaderLine): Job {
    return {
      header,
      done: new Map(),
      state: 'queued',
      message: null,
      outputs: [],
      abort: null,
      running: null,
      current: new Set(),
      runStartedAt: Date.now(),
      runDoneAtStart: 0,
      lastProgress: 0,
      inflight: new Map(),
      runPagesAtStart: 0,
    };
  }

  #journal(job: Job): string {
    return join(this.#dir, `${job.header.jobId}.jsonl`);
  }
  #resultsDir(job: Job): string {
    return join(this.#dir, job.header.jobId, 'results');
  }

  async start(input: {
    inputs: string[];
    kinds: ExtractKind[];
    formats: ExportFormat[];
    outDir?: string;
    /** Only this shard's documents (shard.ts); the outputs then include the manifest `extract merge` reads. */
    shard?: { index: number; count: number };
  }): Promise<JobInfo> {
    await this.#load();
    const found = await discoverInputs(input.inputs);
    const { skipped } = found;
    let { files } = found;
    let shard: HeaderLine['shard'];
    if (input.shard) {
      const { index, count } = checkShard(input.shard.index, input.shard.count);
      const dirs = new Set<string>();
      for (const p of input.inputs) if ((await stat(p).catch(() => null))?.isDirectory()) dirs.add(p);
      const root = jobRoot(input.inputs, (p) => dirs.has(p));
      const positions = shardPositions(files, root, index, count);
      shard = { index, count, root, total: files.length, listKey: listKeyOf(files, root), positions };
      files = positions.map((i) => files[i] as string);
    }
    const jobId = `j_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${randomBytes(4).toString('hex')}`;
    const kinds = [...new Set(input.kinds)].sort();
    const formats = [...new Set(input.formats)];
    const optionsKey = optionsKeyOf(kinds, this.deps.settings.get().dateLocale);
    const header: HeaderLine = {
      t: 'job',
      v: 1,
      jobId,
      createdAt: new Date().toISOString(),
      inputs: input.inputs,
      kinds,
      formats,
      outDir: input.outDir ?? join(this.deps.dataDir, 'exports', jobId),
      optionsKey,
      files,
      skipped,
      ...(shard ? { shard } : {}),
    };
    const job = this.#newJob(header);
    await mkdir(this.#resultsDir(job), { recursive: true });
    await appendLine(this.#journal(job), header);
    this.#jobs.set(jobId, job);
    this.#launch(job);
    return this.info(job);
  }

  async resume(jobId: string): Promise<JobInfo> {
    const job = await this.#get(jobId);
    if (job.running) return this.info(job);
    if (job.state === 'done') return this.info(job);
    this.#launch(job);
    return this.info(job);
  }

  /** Stops the job now: documents in flight are dropped (they run again on resume) and the job is marked cancelled. */
  async cancel(jobId: string): Promise<JobInfo> {
    const job = await this.#get(jobId);
    if (!job.running) return this.info(job);
    job.abort?.abort();
    await job.running;
    return this.info(job);
  }

  async list(): Promise<JobInfo[]> {
    await this.#load();
    return [...this.#jobs.values()]
      .map((j) => this.info(j))
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  }

  async get(jobId: string): Promise<JobInfo> {
    return this.info(await this.#get(jobId));
  }

  /** Resolves when the job's current run has ended (done, cancelled or paused). */
  async wait(jobId: string): Promise<JobInfo> {
    const job = await this.#get(jobId);
    await job.running;
    return this.info(job);
  }

  async #get(jobId: string): Promise<Job> {
    await this.#load();
    const job = this.#jobs.get(jobId);
    if (!job) throw new AppError('not_found', `no job ${jobId}`);
    return job;
  }

  #launch(job: Job): void {
    const abort = new AbortController();
    job.abort = abort;
    job.state = 'running';
    job.message = null;
    job.runStartedAt = Date.now();
    job.runDoneAtStart = job.done.size;
    job.runPagesAtStart = this.#pagesDone(job);
    job.running = this.#run(job, abort.signal).finally(() => {
      job.running = null;
      job.abort = null;
      job.current.clear();
    });
  }

  async #run(job: Job, signal: AbortSignal): Promise<void> {
    const emitDone = () => this.deps.emit({ type: 'job.done', payload: this.info(job) });
    try {
      await appendLine(this.#journal(job), { t: 'state', state: 'running', message: null, at: now() });
      await this.#cleanTemp(job);
      this.#progress(job, true);
      const todo = job.header.files.map((_, i) => i).filter((i) => !job.done.has(i));
      const n = Math.max(1, Math.min(this.opts.concurrency ?? defaultConcurrency(), todo.length || 1));
      const cancelled = new Promise<void>((resolve) =>
        signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      const lanes = Array.from({ length: n }, async () => {
        for (let i = todo.shift(); i !== undefined && !signal.aborted; i = todo.shift()) {
          await this.#one(job, i, signal);
        }
      });
      // Cancel answers at once: lanes still busy with a page finish in the background and their results are dropped.
      await Promise.race([Promise.all(lanes), cancelled]);
      if (signal.aborted) {
        job.state = 'cancelled';
        job.message = `cancelled with ${job.done.size} of ${job.header.files.length} document(s) done`;
        await appendLine(this.#journal(job), {
          t: 'state',
          state: 'cancelled',
          message: job.message,
          at: now(),
        });
        emitDone();
        return;
      }
      await this.#writeOutputs(job);
      job.state = 'done';
      job.message = null;
      await appendLine(this.#journal(job), { t: 'state', state: 'done', message: null, at: now() });
      this.#progress(job, true);
      emitDone();
    } catch (e) {
      job.abort?.abort();
      if (isDiskFull(e)) {
        job.state = 'paused';
        job.message = `disk full: ${(e as Error).message}. Free some space, then resume the job.`;
      } else {
        job.state = 'failed';
        job.message = (e as Error).message;
      }
      await appendLine(this.#journal(job), {
        t: 'state',
        state: job.state,
        message: job.message,
        at: now(),
      }).catch(
        () => undefined, // the disk may still be full; on restart the job reads as interrupted and resumable
      );
      this.#progress(job, true);
      emitDone();
    }
  }

  /** One document: result (stored or computed), result file, journal line, events. Disk errors propagate. */
  async #one(job: Job, i: number, signal: AbortSignal): Promise<void> {
    const file = job.header.files[i] as string;
    const deadline = this.opts.docDeadlineMs ?? DEFAULT_DEADLINE;
    job.current.add(file);
    this.#progress(job, true);
    try {
      const key = await resultKey(file, job.header.optionsKey, deadline(0));
      const resultPath = join(this.#resultsDir(job), `${key}.json`);
      let result = await readFile(resultPath, 'utf8')
        .then((t) => JSON.parse(t) as StoredResult)
        .catch(() => null);
      if (!result) {
        job.inflight.set(i, { pages: 0, read: 0 });
        result = await extractDocument(
          this.deps,
          file,
          job.header.kinds,
          signal,
          (p) => {
            job.inflight.set(i, p);
            this.#progress(job);
          },
          deadline,
        );
        withNameSlot(result, file);
        if (signal.aborted) return;
        await writeAtomic(resultPath, JSON.stringify(result), `${resultPath}.${process.pid}.partial`);
      }
      if (signal.aborted) return;
      const line = fileLineOf(i, file, key, result);
      await appendLine(this.#journal(job), line);
      job.done.set(i, line);
      this.deps.emit({ type: 'job.file', payload: { jobId: job.header.jobId, file: toJobFile(line) } });
    } finally {
      job.inflight.delete(i);
      job.current.delete(file);
      this.#progress(job, true);
    }
  }

  /**
   * Temporary files a killed process or a full disk left behind (results and outputs are written to a temporary
   * name, then renamed): removed before the job runs again.
   */
  async #cleanTemp(job: Job): Promise<void> {
    // Only regular files: this code writes nothing else, and a link or device there is not ours to remove.
    const drop = async (dir: string, test: (n: string) => boolean) => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      await Promise.all(
        entries
          .filter((e) => e.isFile() && test(e.name))
          .map((e) => rm(join(dir, e.name), { force: true }).catch(() => undefined)),
      );
    };
    await drop(this.#resultsDir(job), (n) => n.endsWith('.partial'));
    const ours = new Set(
      [
        'summary.json',
        ...job.header.kinds.flatMap((k) => job.header.formats.map((f) => `${k}.${EXTENSION[f]}`)),
      ].map((n) => `.${n}.partial`),
    );
    await drop(job.header.outDir, (n) => ours.has(n));
  }

  async #writeOutputs(job: Job): Promise<void> {
    const { header } = job;
    const lines = header.files.map((_, i) => job.done.get(i)).filter((l): l is FileLine => !!l);
    const outputs = await writeResultSet({
      outDir: header.outDir,
      kinds: header.kinds,
      formats: header.formats,
      lines,
      skipped: header.skipped,
      result: async (l) =>
        JSON.parse(await readFile(join(this.#resultsDir(job), `${l.key}.json`), 'utf8')) as StoredResult,
    });
    if (header.shard)
      outputs.push(
        await writeShardManifest(
          header,
          lines,
          async (l) =>
            JSON.parse(await readFile(join(this.#resultsDir(job), `${l.key}.json`), 'utf8')) as unknown,
        ),
      );
    job.outputs = outputs;
    await appendLine(this.#journal(job), { t: 'outputs', outputs });
  }

  #progress(job: Job, force = false): void {
    const t = Date.now();
    if (!force && t - job.lastProgress < 250) return;
    job.lastProgress = t;
    this.deps.emit({ type: 'job.progress', payload: this.progress(job) });
  }

  #pagesDone(job: Job): number {
    let n = 0;
    for (const l of job.done.values()) n += l.pages;
    for (const p of job.inflight.values()) n += p.read;
    return n;
  }

  progress(job: Job): JobProgress {
    const docsDone = job.done.size;
    const docsTotal = job.header.files.length;
    const pagesDone = this.#pagesDone(job);
    // Page counts are known once a document is opened; the rest is estimated from the pages per document so far.
    let known = 0;
    let opened = 0;
    for (const l of job.done.values()) known += l.pages;
    for (const p of job.inflight.values())
      if (p.pages > 0) {
        known += p.pages;
        opened++;
      }
    const counted = docsDone + opened;
    const perDoc = counted ? known / counted : 1;
    const pagesTotal = Math.max(pagesDone, known + Math.round(perDoc * Math.max(0, docsTotal - counted)));
    const elapsed = (Date.now() - job.runStartedAt) / 1000;
    const running = job.state === 'running' && elapsed > 0;
    const rate = running ? (docsDone - job.runDoneAtStart) / elapsed : 0;
    // NOTE: the ETA runs on pages, not documents: one 2,000-page file after a hundred 1-page ones is 2,000 pages away.
    const pageRate = running ? (pagesDone - job.runPagesAtStart) / elapsed : 0;
    const pagesLeft = pagesTotal - pagesDone;
    return {
      jobId: job.header.jobId,
      state: job.state,
      docsDone,
      docsTotal,
      pagesDone,
      pagesTotal,
      rate,
      etaSeconds: docsDone === docsTotal ? 0 : pageRate > 0 ? pagesLeft / pageRate : null,
      currentFile: [...job.current][0] ?? null,
      message: job.message,
    };
  }

  info(job: Job): JobInfo {
    const h = job.header;
    return {
      jobId: h.jobId,
      createdAt: h.createdAt,
      inputs: h.inputs,
      kinds: h.kinds,
      formats: h.formats,
      outDir: h.outDir,
      progress: this.progress(job),
      files: h.files.map((file, i): JobFile => {
        const l = job.done.get(i);
        if (l) return toJobFile(l);
        return {
          file,
          status: job.current.has(file) ? 'running' : 'pending',
          pages: 0,
          dates: 0,
          tables: 0,
          error: null,
        };
      }),
      outputs: job.outputs,
    };
  }

  /** Stops running jobs (they read as interrupted next time and can be resumed). */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    const running = [...this.#jobs.values()].flatMap((j) => (j.running ? [{ j, p: j.running }] : []));
    for (const { j } of running) j.abort?.abort();
    await Promise.all(running.map(({ p }) => p));
  }
}

function now(): string {
  return new Date().toISOString();
}

/**
 * Extracts one document with a deadline: the result a job stores for it, never throwing for the document's own
 * faults (they end in its status). Shared by local jobs and queue workers (src/services/queue).
 */
export async function extractDocument(
  deps: ExtractDeps,
  file: string,
  kinds: ExtractKind[],
  signal: AbortSignal,
  onPages: (p: { pages: number; read: number }) => void,
  deadlineOf: (pages: number) => number = DEFAULT_DEADLINE,
): Promise<StoredResult> {
  const name = basename(file);
  const fail = (e: unknown, pages = 0): StoredResult => ({
    status: statusOf(e),
    pages,
    error: e instanceof Error ? e.message : String(e),
    dates: [],
    tables: [],
  });
  let handle;
  try {
    handle = await deps.engine.open(file);
  } catch (e) {
    return fail(e);
  }
  const info = handle.info;
  const cap = deps.settings.get().maxPagesPerDocument;
  if (info.pageCount > cap) {
    await handle.close().catch(() => undefined);
    return fail(
      new AppError(
        'too_large',
        `"${name}": ${info.pageCount} pages, over the limit of ${cap} pages per document (Settings)`,
      ),
    );
  }
  onPages({ pages: info.pageCount, read: 0 });
  const doc: OpenDocument = {
    id: `job:${info.sha256}`,
    handle,
    info: { id: `job:${info.sha256}`, ...info },
  };
  const deadline = deadlineOf(info.pageCount);
  let timer: NodeJS.Timeout | undefined;
  const local = new AbortController();
  const onAbort = () => local.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const work = (async (): Promise<StoredResult> => {
      const pages = info.pages.map((p) => p.page);
      const { texts, failed } = await textsOf(doc, pages, deps.text, local.signal, (read) =>
        onPages({ pages: info.pageCount, read }),
      );
      const dates = kinds.includes('dates') ? datesOf(texts, deps.settings.get()) : [];
      // The operator-list walk for rulings or charts also checks the embedded images of text-layer pages; a job
      // with neither walks them for that alone.
      const t = kinds.includes('tables')
        ? await tablesOf(doc, texts)
        : { tables: [], warnings: kinds.includes('charts') ? [] : await imageLossesOf(doc, texts) };
      const c = kinds.includes('charts') ? await chartsOf(doc, texts) : { charts: [], warnings: [] };
      const problems = [
        ...info.warnings,
        ...failed.map((f) => `page ${f.page}: ${f.message}`),
        ...t.warnings,
        ...c.warnings,
      ];
      // A document none of whose pages could be read is not "partial": it ends in its pages' failure (too_large
      // for a bomb that outgrew its worker, timeout, corrupt), with the reasons.
      const first = failed[0];
      if (first && failed.length === pages.length)
        return {
          status: statusOf(first.error),
          pages: info.pageCount,
          error: problems.join('; '),
          dates: [],
          tables: [],
        };
      const partial = info.status === 'partial' || failed.length > 0;
      return {
        status: partial ? 'partial' : 'ok',
        pages: info.pageCount,
        error: problems.length ? problems.join('; ') : null,
        dates,
        tables: t.tables,
        charts: c.charts,
      };
    })();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        local.abort();
        reject(
          new AppError(
            'timeout',
            `"${name}": extraction took over ${Math.round(deadline / 1000)} s (${info.pageCount} page(s))`,
          ),
        );
      }, deadline);
    });
    work.catch(() => undefined);
    return await Promise.race([work, timeout]);
  } catch (e) {
    return fail(e, info.pageCount);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    deps.text.forget(doc);
    await handle.close().catch(() => undefined);
  }
}
