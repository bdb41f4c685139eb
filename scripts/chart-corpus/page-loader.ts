// Loads what chart reading needs from PDF pages as the app reads them: the text through the documents engine (in
// this thread) and the painted paths and rulings from the same engine's graphics request. Shared by bench:charts
// and the chart tests.
import { createDocumentEngine, type DocumentEngine } from '../../src/documents/index.js';
import type { Segment, VectorPath } from '../../src/documents/rulings.js';
import type { TextPage } from '../../src/shared/domain.js';

export interface ChartPage {
  text: TextPage;
  paths: VectorPath[];
  rulings: Segment[];
}

export class ChartPageLoader {
  #engine: DocumentEngine = createDocumentEngine({ poolSize: 0 });

  /** Every page of a PDF (or the pages asked). */
  async load(file: string, pages?: number[]): Promise<ChartPage[]> {
    const h = await this.#engine.open(file);
    try {
      const wanted = pages ?? Array.from({ length: h.info.pageCount }, (_, i) => i + 1);
      const g = await h.graphics(wanted);
      const out: ChartPage[] = [];
      for (const [i, p] of wanted.entries()) {
        out.push({ text: await h.text(p), paths: g.paths[i] ?? [], rulings: g.segments[i] ?? [] });
      }
      return out;
    } finally {
      await h.close();
    }
  }

  async destroy(): Promise<void> {
    await this.#engine.destroy();
  }
}
