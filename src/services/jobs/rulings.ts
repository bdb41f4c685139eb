// Ruling lines of PDF pages for table detection. They are read through the document's handle, so by the documents
// engine's pool worker that already holds the parsed document (and the fonts its text pass translated): the file
// is not loaded and parsed a second time in a thread of its own. Isolation is the pool's: the request runs under a
// deadline (the page deadline plus 2 s a page), and a worker stuck on a hostile page is terminated and replaced.
import type { DocumentHandle } from '../../documents/api.js';
import type { Segment } from '../../documents/rulings.js';
import { AppError } from '../../shared/errors.js';

export class RulingsReader {
  #disposed = false;

  /**
   * Segments of each requested page, in order. Rejects with the engine's AppError (timeout, corrupt, too_large),
   * or `cancelled` once the reader is shut down.
   */
  read(handle: Pick<DocumentHandle, 'rulings'>, pages: readonly number[]): Promise<Segment[][]> {
    if (this.#disposed)
      return Promise.reject(new AppError('cancelled', 'the rulings reader has been shut down'));
    if (pages.length === 0) return Promise.resolve([]);
    return handle.rulings(pages);
  }

  dispose(): Promise<void> {
    this.#disposed = true;
    return Promise.resolve();
  }
}
