// A page's words, whatever the page is: the pdf.js text layer when it has one, the OCR engine for scanned
// pages and images. Cached per document and page, since dates, tables, verification and the reader engine
// all read the same text. OCR results also go to an on-disk cache (ocr-cache.ts) shared by every process using
// the same data folder, so asking again about a scan — in the app or the CLI — does not OCR it again.
import type { OpenDocument } from './document-store.js';
import { OCR_DPI, createOcrEngine, ocrFingerprint } from '../inference/ocr/index.js';
import { OcrCache } from './ocr-cache.js';
import { isBlank } from './blank-page.js';
import type { OcrEngine } from '../inference/ocr/index.js';
import type { TextPage } from '../shared/domain.js';
import { imageRulings, type ImageRulings } from '../extract/tables/image-rulings.js';

export type TextSourceRequest = 'auto' | 'text-layer' | 'ocr';

/**
 * Ruling lines of OCR'd pages for table detection (services/jobs/extract-doc.ts), found in the same raster the
 * OCR read. Only table detection wants them, and finding them takes about half a second a page on the backend's
 * thread, so they are found on first request (the page rendered again at the OCR resolution) rather than with
 * every OCR (asks, dates, `doclens text`). Keyed by the TextPage the cache hands out, so they live as long as it.
 */
const ocrRulingsOf = new WeakMap<TextPage, () => Promise<ImageRulings>>();

/** Rulings (upright, with the page's skew) of a page this PageText OCR'd; undefined for text-layer pages. */
export function ocrRulings(page: TextPage): Promise<ImageRulings> | undefined {
  return ocrRulingsOf.get(page)?.();
}

/** A text layer with fewer words than this on a page is treated as missing (e.g. a scan with a stray stamp). */
const MIN_TEXT_LAYER_WORDS = 3;
const CACHE_PAGES = 256;

export interface PageTextOptions {
  /** Intra-op threads for the OCR sessions (settings), read when the engine is first created. */
  threads?: () => number;
  /** Folder of the on-disk OCR cache; none: OCR results are kept in memory only. */
  ocrCacheDir?: string;
}

export class PageText {
  private ocr: Promise<OcrEngine> | null = null;
  private readonly cache = new Map<string, Promise<TextPage>>();
  private readonly disk: OcrCache | null;
  private fingerprint: string | null = null;
  /** Pages OCR'd by this instance and pages served from the disk cache (tests and diagnostics). */
  readonly stats = { ocrRuns: 0, diskHits: 0 };
  private readonly threads?: () => number;

  constructor(opts: PageTextOptions = {}) {
    this.threads = opts.threads;
    this.disk = opts.ocrCacheDir ? new OcrCache(opts.ocrCacheDir) : null;
  }

  private ocrEngine(): Promise<OcrEngine> {
    if (!this.ocr) {
      const threads = this.threads?.() || undefined;
      this.ocr = createOcrEngine({ threads });
      this.ocr.catch(() => (this.ocr = null));
    }
    return this.ocr;
  }

  get(doc: OpenDocument, page: number, source: TextSourceRequest = 'auto'): Promise<TextPage> {
    const key = `${doc.info.sha256}:${page}:${source}`;
    let p = this.cache.get(key);
    if (p) {
      // LRU: move to the end.
      this.cache.delete(key);
      this.cache.set(key, p);
      return p;
    }
    p = this.load(doc, page, source);
    this.cache.set(key, p);
    p.catch(() => this.cache.delete(key));
    while (this.cache.size > CACHE_PAGES) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    return p;
  }

  private async load(doc: OpenDocument, page: number, source: TextSourceRequest): Promise<TextPage> {
    if (source !== 'ocr' && doc.info.kind === 'pdf') {
      const layer = await doc.handle.text(page);
      if (source === 'text-layer' || layer.words.length >= MIN_TEXT_LAYER_WORDS) return layer;
    }
    return this.recognise(doc, page);
  }

  private async recognise(doc: OpenDocument, page: number): Promise<TextPage> {
    const info = doc.info.pages[page - 1];
    // Images are OCR'd at their own resolution (page space = pixels); PDF pages at the OCR engine's DPI.
    const dpi = doc.info.kind === 'image' ? 72 : OCR_DPI;
    this.fingerprint ??= ocrFingerprint();
    const key = { fileHash: doc.info.sha256, page, dpi, engine: this.fingerprint };
    let text = await this.disk?.get(key);
    if (text) {
      this.stats.diskHits++;
    } else {
      const raw = await doc.handle.renderRaw(page, { dpi });
      // A blank raster has nothing to read: no OCR pass (its detection costs seconds a page for no words).
      const result = isBlank(raw)
        ? { words: [], lines: [], width: raw.width / raw.scale, height: raw.height / raw.scale }
        : await (await this.ocrEngine()).recognize(raw, { scale: raw.scale });
      this.stats.ocrRuns++;
      text = {
        page,
        width: info?.width ?? result.width,
        height: info?.height ?? result.height,
        source: 'ocr',
        words: result.words,
        lines: result.lines,
      };
      // A full disk or read-only data folder costs the next ask another OCR, nothing more. NOTE: a page that lost
      // part of itself in the render (an image pdf.js could not decode) is not kept, so each reading reports it.
      if (!raw.warnings?.length) await this.disk?.put(key, text).catch(() => undefined);
    }
    if (text.words.length) {
      let found: Promise<ImageRulings> | undefined;
      ocrRulingsOf.set(text, () => {
        found ??= doc.handle.renderRaw(page, { dpi }).then(
          (again) => imageRulings(again, { scale: again.scale }),
          (e: unknown) => {
            found = undefined; // a failed render (e.g. past its deadline) is tried again next time
            throw e;
          },
        );
        return found;
      });
    }
    return text;
  }

  forget(doc: OpenDocument): void {
    for (const key of [...this.cache.keys()])
      if (key.startsWith(`${doc.info.sha256}:`)) this.cache.delete(key);
  }

  async dispose(): Promise<void> {
    const ocr = this.ocr;
    this.ocr = null;
    this.cache.clear();
    if (ocr) await (await ocr.catch(() => null))?.dispose();
  }
}
