// What the rest of the backend needs from the documents room. services/ codes against this interface;
// the implementation (pdf.js + @napi-rs/canvas, sharp, worker pool, render cache) lives beside it.
import type { DocumentKind, PageInfo, RenderedPage, TextPage } from '../shared/domain.js';
import type { Segment, VectorPath } from './rulings.js';

/** Facts about an opened file (DocumentInfo minus the id services assigns). */
export interface OpenedInfo {
  name: string;
  kind: DocumentKind;
  mime: string;
  bytes: number;
  sha256: string;
  pageCount: number;
  pages: PageInfo[];
  title: string | null;
  encrypted: boolean;
  /**
   * `partial` when pages could not be read at open, or, found later, when a render or ruling-line read of a page
   * lost part of it (an image pdf.js could not decode): the handle updates these two fields in place then.
   */
  status: 'ok' | 'partial';
  warnings: string[];
}

export interface OpenOptions {
  /** Never logged or stored. */
  password?: string;
  /** Display name (defaults to the file's base name). */
  name?: string;
}

export interface RenderOptions {
  dpi: number;
}

/** A handle to an opened document; `close` releases it. */
export interface DocumentHandle {
  readonly info: OpenedInfo;
  readonly path: string;
  render(page: number, opts: RenderOptions): Promise<RenderedPage>;
  /** Raw RGB(A) pixels of a page at a DPI, for OCR and the VLM (no PNG round trip). */
  renderRaw(page: number, opts: RenderOptions): Promise<RawImage>;
  /** The text layer of a page (source 'text-layer', or 'none' with no words when the page has none). */
  text(page: number): Promise<TextPage>;
  /**
   * Horizontal and vertical ruling lines of pages in page space, one list per page in the order asked, for table
   * detection (none for images). Read in one request by the worker that holds the document; the deadline is the
   * page deadline plus 2 s a page. Rejects with the first page's failure (corrupt, timeout, too_large).
   */
  rulings(pages: readonly number[]): Promise<Segment[][]>;
  /**
   * Called after `info.status` or `info.warnings` changed once the document was open: a render or an operator-list
   * walk found that a page lost part of itself (the document became `partial`).
   */
  onInfoChange: (() => void) | null;
  /** `rulings` plus each page's painted paths with their colours (chart reading), in one request. */
  graphics(pages: readonly number[]): Promise<{ segments: Segment[][]; paths: VectorPath[][] }>;
  close(): Promise<void>;
}

export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
  /** Pixels per point used. */
  scale: number;
  /** What of the page could not be drawn (`page N: an image could not be decoded (…)`); absent or empty when all was. */
  warnings?: string[];
}

export interface DocumentEngine {
  /**
   * Opens a PDF or image file. Throws AppError with code empty_file | unsupported_format | needs_password |
   * wrong_password | corrupt | too_large | timeout | not_found | io_error, each with a message naming the file.
   */
  open(path: string, opts?: OpenOptions): Promise<DocumentHandle>;
  destroy(): Promise<void>;
}
