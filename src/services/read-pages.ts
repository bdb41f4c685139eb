// Reading many pages' text (OCR for scans) is the slow first step of extract and ask: this reads them a bounded
// number at a time so that each finished page can be reported (progress events) and a stop takes effect between
// pages instead of after the whole document.
import { availableParallelism } from 'node:os';
import type { TextPage } from '../shared/domain.js';
import { AppError } from '../shared/errors.js';
import type { OpenDocument } from './document-store.js';
import type { PageText } from './page-text.js';

export interface PageProgress {
  done: number;
  total: number;
  /** The page just read; null for the report before any page is read. */
  page: number | null;
  source: TextPage['source'] | null;
}

/**
 * Pages read at once: two per core (the document worker pool has up to 8 workers) keeps them and the OCR busy;
 * a stop does not wait for these, it answers at once.
 */
const IN_FLIGHT = Math.max(4, Math.min(16, availableParallelism() * 2));

/**
 * The text of `pages` in their order. `onProgress` hears 0 of N first and then each page as it finishes; an
 * aborted `signal` ends the call with `cancelled` at once; pages in flight finish and stay cached. A
 * page that cannot be read fails the call with an error naming the document and the page.
 */
export async function readPages(
  text: PageText,
  doc: OpenDocument,
  pages: readonly number[],
  opts: { signal?: AbortSignal; onProgress?: (p: PageProgress) => void } = {},
): Promise<TextPage[]> {
  const { signal, onProgress } = opts;
  const out: TextPage[] = new Array<TextPage>(pages.length);
  let next = 0;
  let done = 0;
  onProgress?.({ done: 0, total: pages.length, page: null, source: null });
  const worker = async () => {
    while (next < pages.length) {
      if (signal?.aborted) throw new AppError('cancelled', 'cancelled');
      const i = next++;
      const page = pages[i] ?? 1;
      let t: TextPage;
      try {
        t = await text.get(doc, page);
      } catch (e) {
        if (e instanceof AppError) throw e;
        throw new Error(`${doc.info.name}, page ${page}: ${(e as Error).message}`, { cause: e });
      }
      out[i] = t;
      done++;
      // After a stop the caller has had its answer: pages still finishing are not reported.
      if (!signal?.aborted) onProgress?.({ done, total: pages.length, page, source: t.source });
    }
  };
  const all = Promise.all(Array.from({ length: Math.min(IN_FLIGHT, pages.length) }, worker));
  if (signal) {
    // A stop answers at once, even in the middle of one long OCR (which finishes and stays cached).
    let onAbort = () => undefined as void;
    const stopped = new Promise<never>((_, reject) => {
      onAbort = () => reject(new AppError('cancelled', 'cancelled'));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    all.catch(() => undefined);
    try {
      await Promise.race([all, stopped]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  } else await all;
  return out;
}

/** Long single-document extract calls by runId, so extract.stop can end one. */
export class Runs {
  private readonly running = new Map<string, AbortController>();

  start(runId: string | undefined): AbortSignal | undefined {
    if (!runId) return undefined;
    this.running.get(runId)?.abort();
    const abort = new AbortController();
    this.running.set(runId, abort);
    return abort.signal;
  }

  end(runId: string | undefined, signal: AbortSignal | undefined): void {
    if (runId && signal && this.running.get(runId)?.signal === signal) this.running.delete(runId);
  }

  stop(runId: string): boolean {
    const abort = this.running.get(runId);
    if (!abort) return false;
    abort.abort();
    this.running.delete(runId);
    return true;
  }
}
