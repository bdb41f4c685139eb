// The shape both document kinds (PDF via pdf.js, images via sharp) present once loaded, in whichever thread
// runs them, so the engine, the worker and tests drive them the same way.
import type { PageInfo, TextPage } from '../shared/domain.js';
import type { Segment, VectorPath } from './rulings.js';
import type { ImageFormat } from './sniff.js';

/** What parsing learns about a document (OpenedInfo minus what the engine knows from the bytes). */
export interface DocFacts {
  pageCount: number;
  pages: PageInfo[];
  title: string | null;
  encrypted: boolean;
  status: 'ok' | 'partial';
  warnings: string[];
}

export type RenderFormat = 'png' | 'raw';

export interface RenderOutput {
  format: RenderFormat;
  /** PNG bytes, or raw pixels row by row with `channels` bytes a pixel. */
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
  scale: number;
  capped: boolean;
  /** What of the page could not be drawn ("an image could not be decoded (…)"); empty when all of it was. */
  warnings: string[];
}

export interface LoadedDoc {
  readonly facts: DocFacts;
  text(page: number): Promise<TextPage>;
  render(page: number, dpi: number, format: RenderFormat): Promise<RenderOutput>;
  /**
   * Ruling lines of a page in page space (PDF vector strokes and bars); images have none. With `withPaths`, also
   * every painted path with its colours (chart reading), from the same operator list.
   */
  rulings(
    page: number,
    withPaths?: boolean,
  ): Promise<{ segments: Segment[]; warnings: string[]; paths?: VectorPath[] }>;
  close(): Promise<void>;
}

/** Everything a thread needs to (re)load a document: the bytes travel, never the path's current content. */
export interface DocRef {
  id: string;
  name: string;
  kind: 'pdf' | 'image';
  imageFormat?: ImageFormat;
  data: Uint8Array | SharedArrayBuffer;
  /** Kept in memory only for the life of the handle; never logged or written. */
  password?: string;
  maxImagePixels: number;
}
