// Loads what table detection reads from a PDF page: the text (through the documents engine, in this thread, as
// the app sees it) and the ruling segments (pdf.js operator list). Shared by bench:tables and the corpus tests.
import { readFile } from 'node:fs/promises';
import { createDocumentEngine } from '../../src/documents/index.js';
import type { DocumentEngine } from '../../src/documents/index.js';
import { documentParams, loadPdfJs } from '../../src/documents/pdfjs-setup.js';
import { extractRulings, type Segment } from '../../src/documents/rulings.js';
import type { TextPage } from '../../src/shared/domain.js';

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
