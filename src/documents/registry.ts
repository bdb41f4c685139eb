// Holds the documents a thread has loaded and runs requests against them. A pool worker and the in-thread
// backend both use it, so every request is self-contained (it carries the bytes) and any thread can serve it.
import type { TextPage } from '../shared/domain.js';
import { docError } from './doc-errors.js';
import { loadImage } from './image-doc.js';
import type { DocFacts, DocRef, LoadedDoc, RenderFormat, RenderOutput } from './loaded-doc.js';
import { loadPdf } from './pdf-doc.js';
import type { Segment, VectorPath } from './rulings.js';

export type DocRequest =
  | { op: 'open'; doc: DocRef }
  | { op: 'text'; doc: DocRef; page: number }
  | { op: 'render'; doc: DocRef; page: number; dpi: number; format: RenderFormat }
  | { op: 'rulings'; doc: DocRef; pages: number[]; paths?: boolean }
  | { op: 'close'; docId: string };

/** Ruling lines of each page asked, and what of those pages could not be read (`page N: …`). */
export interface RulingsResult {
  pages: Segment[][];
  warnings: string[];
  /** Asked with `paths`: each page's painted paths (charts). */
  paths?: VectorPath[][];
}

export type DocResult = DocFacts | TextPage | RenderOutput | RulingsResult | null;

function bytesOf(ref: DocRef): Uint8Array {
  return ref.data instanceof Uint8Array ? ref.data : new Uint8Array(ref.data);
}

async function load(ref: DocRef): Promise<LoadedDoc> {
  if (ref.kind === 'pdf') return loadPdf(bytesOf(ref), ref.name, ref.password);
  if (!ref.imageFormat) throw docError('unsupported_format', ref.name, 'unknown image format');
  return loadImage(bytesOf(ref), ref.imageFormat, ref.name, ref.maxImagePixels);
}

export class DocRegistry {
  /** Loaded documents, most recently used last. */
  readonly #docs = new Map<string, Promise<LoadedDoc>>();
  constructor(private readonly maxOpen = 4) {}

  async #get(ref: DocRef): Promise<LoadedDoc> {
    let p = this.#docs.get(ref.id);
    if (p) {
      this.#docs.delete(ref.id);
    } else {
      p = load(ref);
      p.catch(() => this.#docs.delete(ref.id));
    }
    this.#docs.set(ref.id, p);
    while (this.#docs.size > this.maxOpen) {
      const oldest = this.#docs.keys().next().value;
      if (oldest === undefined) break;
      await this.close(oldest);
    }
    return p;
  }

  async run(req: DocRequest): Promise<DocResult> {
    switch (req.op) {
      case 'open':
        return (await this.#get(req.doc)).facts;
      case 'text':
        return (await this.#get(req.doc)).text(req.page);
      case 'render':
        return (await this.#get(req.doc)).render(req.page, req.dpi, req.format);
      case 'rulings': {
        const doc = await this.#get(req.doc);
        const out: RulingsResult = { pages: [], warnings: [], ...(req.paths ? { paths: [] } : {}) };
        for (const p of req.pages) {
          const r = await doc.rulings(p, req.paths);
          out.pages.push(r.segments);
          out.paths?.push(r.paths ?? []);
          out.warnings.push(...r.warnings.map((w) => `page ${p}: ${w}`));
        }
        return out;
      }
      case 'close':
        await this.close(req.docId);
        return null;
    }
  }

  async close(id: string): Promise<void> {
    const p = this.#docs.get(id);
    this.#docs.delete(id);
    if (!p) return;
    try {
      await (await p).close();
    } catch {
      // A document that failed to load has nothing to release.
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#docs.keys()].map((id) => this.close(id)));
  }
}
