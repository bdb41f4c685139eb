// The documents room's entry point (api.ts DocumentEngine): checks and sniffs a file, hashes it, and hands the
// bytes to a backend (worker pool or this thread) that parses and rasterises; renders go through a disk cache.
import { createHash, randomUUID } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RenderedPage, TextPage } from '../shared/domain.js';
import { AppError } from '../shared/errors.js';
import type {
  DocumentEngine,
  DocumentHandle,
  OpenedInfo,
  OpenOptions,
  RawImage,
  RenderOptions,
} from './api.js';
import { InThreadBackend, type Backend } from './backend.js';
import { defaultDetail, docError } from './doc-errors.js';
import type { DocFacts, DocRef, RenderFormat, RenderOutput } from './loaded-doc.js';
import type { RulingsResult } from './registry.js';
import { WorkerPool } from './pool.js';
import { RenderCache } from './render-cache.js';
import type { Segment, VectorPath } from './rulings.js';
import { extensionFormat, sniff } from './sniff.js';

export interface DocumentEngineOptions {
  /** Folder for the render cache; no disk cache when absent. */
  cacheDir?: string;
  /** Worker threads; defaults to the number of cores. 0 runs everything in the calling thread. */
  poolSize?: number;
  /** Deadline for one page (text or render); opening gets three times this. Default 20 s. */
  pageTimeoutMs?: number;
  /** A worker is replaced after this many pages (pdf.js keeps memory it does not give back). Default 1000. */
  recycleAfterPages?: number;
  /** Files above this size are refused with too_large. Default 1 GiB. */
  maxFileBytes?: number;
  /** Images (and the pixel limit sharp enforces) above this are refused with too_large. Default 2^28 pixels. */
  maxImagePixels?: number;
  /** Render-cache size cap in bytes. Default 512 MiB. */
  cacheMaxBytes?: number;
  /** Process memory (RSS) above which the longest-running page is stopped with too_large (pool only). */
  maxMemoryBytes?: number;
  /** Heap plus external memory one pool worker may hold beyond its documents' bytes (pool.ts defaultWorkerBytes). */
  maxWorkerBytes?: number;
}

export const DEFAULTS = {
  pageTimeoutMs: 20_000,
  // NOTE: 1000, not 200: a fresh worker costs its start-up (about 0.3 s of CPU bundled, 1 s from source) and a
  // cold JIT, which at 200 was a quarter of a text+tables job's CPU (bench:extract). Measured on 4,800 digital pages
  // through two workers, RSS levels off (about 800 MiB with no recycling at all vs 755 MiB recycling every 200).
  recycleAfterPages: 1000,
  maxFileBytes: 1024 ** 3,
  maxImagePixels: 2 ** 28,
  cacheMaxBytes: 512 * 1024 ** 2,
  maxDpi: 1200,
};

/** Added to the page deadline for each page of a rulings request. */
const RULINGS_MS_PER_PAGE = 2_000;

export function defaultPoolSize(): number {
  return Math.max(1, Math.min(os.availableParallelism(), 8));
}

export function createDocumentEngine(opts: DocumentEngineOptions = {}): DocumentEngine {
  const pageTimeoutMs = opts.pageTimeoutMs ?? DEFAULTS.pageTimeoutMs;
  const poolSize = opts.poolSize ?? defaultPoolSize();
  const backend: Backend =
    poolSize === 0
      ? new InThreadBackend()
      : new WorkerPool({
          size: poolSize,
          recycleAfterPages: opts.recycleAfterPages ?? DEFAULTS.recycleAfterPages,
          ...(opts.maxMemoryBytes ? { maxRssBytes: opts.maxMemoryBytes } : {}),
          ...(opts.maxWorkerBytes ? { maxWorkerBytes: opts.maxWorkerBytes } : {}),
        });
  const cache = opts.cacheDir
    ? new RenderCache(opts.cacheDir, opts.cacheMaxBytes ?? DEFAULTS.cacheMaxBytes)
    : null;
  const handles = new Set<Handle>();
  const limits = {
    pageTimeoutMs,
    maxFileBytes: opts.maxFileBytes ?? DEFAULTS.maxFileBytes,
    maxImagePixels: opts.maxImagePixels ?? DEFAULTS.maxImagePixels,
  };
  let destroyed = false;

  return {
    async open(filePath: string, openOpts: OpenOptions = {}): Promise<DocumentHandle> {
      if (destroyed) throw new AppError('internal', 'the document engine has been shut down');
      const handle = await openHandle(filePath, openOpts, backend, cache, limits);
      handles.add(handle);
      handle.onClose = () => handles.delete(handle);
      return handle;
    },
    async destroy(): Promise<void> {
      destroyed = true;
      await Promise.all([...handles].map((h) => h.close()));
      await backend.destroy();
    },
  };
}

interface Limits {
  pageTimeoutMs: number;
  maxFileBytes: number;
  maxImagePixels: number;
}

/**
 * Reads a regular file whole. The descriptor is opened non-blocking and checked with fstat before any read, so a FIFO,
 * socket or device named as a document is refused at once instead of blocking a libuv thread forever.
 */
async function readChecked(filePath: string, name: string, maxFileBytes: number): Promise<Buffer> {
  let fh: FileHandle;
  try {
    fh = await open(filePath, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw fsError(e, name);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw docError('io_error', name, 'is a folder, not a file');
    if (!st.isFile()) throw docError('io_error', name, `is ${specialKind(st)}, not a regular file`);
    if (st.size === 0) throw docError('empty_file', name, defaultDetail('empty_file'));
    if (st.size > maxFileBytes) {
      throw docError(
        'too_large',
        name,
        `the file is ${fmtBytes(st.size)}, over the limit of ${fmtBytes(maxFileBytes)}`,
      );
    }
    const bytes = await fh.readFile();
    if (bytes.length === 0) throw docError('empty_file', name, defaultDetail('empty_file'));
    return bytes;
  } catch (e) {
    throw fsError(e, name);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

function specialKind(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'a special file';
}

function fsError(e: unknown, name: string): AppError {
  if (e instanceof AppError) return e;
  const code = (e as { code?: unknown }).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return docError('not_found', name, defaultDetail('not_found'));
  if (code === 'EACCES' || code === 'EPERM') return docError('io_error', name, 'permission denied');
  if (code === 'EISDIR') return docError('io_error', name, 'is a folder, not a file');
  if (code === 'ENXIO') return docError('io_error', name, 'is a socket, not a regular file');
  return docError(
    'io_error',
    name,
    `the file could not be read (${typeof code === 'string' ? code : 'unknown error'})`,
  );
}

function seconds(ms: number): string {
  return `${ms < 10_000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000)} s`;
}

function fmtBytes(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

async function openHandle(
  filePath: string,
  openOpts: OpenOptions,
  backend: Backend,
  cache: RenderCache | null,
  limits: Limits,
): Promise<Handle> {
  const name = openOpts.name ?? path.basename(filePath);
  const bytes = await readChecked(filePath, name, limits.maxFileBytes);
  const sniffed = sniff(bytes.subarray(0, 1024));
  if (sniffed.kind === 'unsupported') {
    throw docError('unsupported_format', name, `cannot be opened: it is ${sniffed.what}`);
  }
  const warnings: string[] = [];
  const claimed = extensionFormat(name);
  const actual = sniffed.kind === 'pdf' ? 'pdf' : sniffed.format;
  if (claimed && claimed !== actual && !(claimed === 'jpeg' && actual === 'jpeg')) {
    const what = actual === 'pdf' ? 'a PDF' : `a ${actual.toUpperCase()} image`;
    warnings.push(`"${name}" is ${what} despite its .${name.split('.').pop() ?? ''} name; opened as ${what}`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  // One shared copy of the bytes: every worker reads it without a copy per request.
  const shared = new SharedArrayBuffer(bytes.length);
  new Uint8Array(shared).set(bytes);
  const ref: DocRef = {
    id: randomUUID(),
    name,
    kind: sniffed.kind,
    data: shared,
    maxImagePixels: limits.maxImagePixels,
  };
  if (sniffed.kind === 'image') ref.imageFormat = sniffed.format;
  if (openOpts.password !== undefined) ref.password = openOpts.password;
  const facts = (await backend.run(
    { op: 'open', doc: ref },
    limits.pageTimeoutMs * 3,
    `"${name}": opening took longer than ${seconds(limits.pageTimeoutMs * 3)}; the file may be damaged`,
  )) as DocFacts;
  const info: OpenedInfo = {
    name,
    kind: sniffed.kind,
    mime: sniffed.mime,
    bytes: bytes.length,
    sha256,
    pageCount: facts.pageCount,
    pages: facts.pages,
    title: facts.title,
    encrypted: facts.encrypted,
    status: facts.status,
    warnings: [...warnings, ...facts.warnings],
  };
  // NOTE: pages of a password-protected document are never written to the disk cache (they would leak its content).
  const cacheable = cache !== null && !info.encrypted && openOpts.password === undefined;
  return new Handle(filePath, info, ref, backend, cacheable ? cache : null, limits.pageTimeoutMs);
}

class Handle implements DocumentHandle {
  onClose: (() => void) | null = null;
  onInfoChange: (() => void) | null = null;
  #ref: DocRef | null;
  constructor(
    readonly path: string,
    readonly info: OpenedInfo,
    ref: DocRef,
    private readonly backend: Backend,
    private readonly cache: RenderCache | null,
    private readonly pageTimeoutMs: number,
  ) {
    this.#ref = ref;
  }

  #doc(page: number): DocRef {
    if (!this.#ref) throw docError('invalid_input', this.info.name, 'the document has been closed');
    if (!Number.isInteger(page) || page < 1 || page > this.info.pageCount) {
      throw docError(
        'invalid_input',
        this.info.name,
        `page ${page} does not exist (the document has ${this.info.pageCount})`,
      );
    }
    return this.#ref;
  }

  /** A page lost part of itself when read: the document becomes `partial` with the reasons (each once). */
  #lost(page: number, reasons: readonly string[]): string[] {
    const out = reasons.map((r) => (r.startsWith('page ') ? r : `page ${page}: ${r}`));
    if (!out.length) return out;
    let changed = this.info.status !== 'partial';
    this.info.status = 'partial';
    for (const w of out) {
      if (this.info.warnings.includes(w)) continue;
      this.info.warnings.push(w);
      changed = true;
    }
    if (changed) this.onInfoChange?.();
    return out;
  }

  #timeoutMessage(page: number): string {
    return `"${this.info.name}": page ${page} took longer than ${seconds(this.pageTimeoutMs)} and was stopped`;
  }

  async #render(page: number, dpi: number, format: RenderFormat): Promise<RenderOutput> {
    const doc = this.#doc(page);
    if (!(Number.isFinite(dpi) && dpi > 0 && dpi <= DEFAULTS.maxDpi)) {
      throw docError(
        'invalid_input',
        this.info.name,
        `DPI must be between 1 and ${DEFAULTS.maxDpi}, got ${dpi}`,
      );
    }
    const req = { op: 'render' as const, doc, page, dpi, format };
    const out = (await this.backend.run(req, this.pageTimeoutMs, this.#timeoutMessage(page))) as RenderOutput;
    return { ...out, warnings: this.#lost(page, out.warnings) };
  }

  async render(page: number, opts: RenderOptions): Promise<RenderedPage> {
    const key = { sha256: this.info.sha256, page, dpi: opts.dpi };
    const hit = this.cache ? await this.cache.get(key) : null;
    if (hit) return hit;
    const out = await this.#render(page, opts.dpi, 'png');
    const rendered: RenderedPage = {
      page,
      png: out.data,
      width: out.width,
      height: out.height,
      scale: out.scale,
      dpi: opts.dpi,
      capped: out.capped,
    };
    if (out.warnings.length) rendered.warnings = out.warnings;
    // NOTE: a page that lost part of itself is not cached, so each render reports the loss again.
    else if (this.cache) await this.cache.put(key, rendered);
    return rendered;
  }

  async renderRaw(page: number, opts: RenderOptions): Promise<RawImage> {
    const out = await this.#render(page, opts.dpi, 'raw');
    return {
      data: out.data,
      width: out.width,
      height: out.height,
      channels: out.channels,
      scale: out.scale,
      warnings: out.warnings,
    };
  }

  async text(page: number): Promise<TextPage> {
    const doc = this.#doc(page);
    return (await this.backend.run(
      { op: 'text', doc, page },
      this.pageTimeoutMs,
      this.#timeoutMessage(page),
    )) as TextPage;
  }

  async rulings(pages: readonly number[]): Promise<Segment[][]> {
    return (await this.#rulings(pages, false)).segments;
  }

  async graphics(pages: readonly number[]): Promise<{ segments: Segment[][]; paths: VectorPath[][] }> {
    return this.#rulings(pages, true);
  }

  async #rulings(
    pages: readonly number[],
    paths: boolean,
  ): Promise<{ segments: Segment[][]; paths: VectorPath[][] }> {
    const [first] = pages;
    if (first === undefined) return { segments: [], paths: [] };
    for (const p of pages) this.#doc(p);
    const doc = this.#doc(first);
    // NOTE: one request for all the pages (a round trip per page costs more than the walk of an ordinary page);
    // the operator list walk is a few milliseconds a page, so 2 s a page is already generous.
    const deadlineMs = this.pageTimeoutMs + RULINGS_MS_PER_PAGE * pages.length;
    const out = (await this.backend.run(
      { op: 'rulings', doc, pages: [...pages], ...(paths ? { paths } : {}) },
      deadlineMs,
      `"${this.info.name}": reading the ruling lines of ${pages.length} page(s) took longer than ${seconds(deadlineMs)} and was stopped`,
    )) as RulingsResult;
    this.#lost(first, out.warnings);
    return { segments: out.pages, paths: out.paths ?? pages.map(() => []) };
  }

  async close(): Promise<void> {
    const ref = this.#ref;
    if (!ref) return;
    this.#ref = null;
    this.onClose?.();
    await this.backend.closeDoc(ref.id);
  }
}
