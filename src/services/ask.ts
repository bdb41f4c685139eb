// The ask flow: runs a question against the scope's pages in the background and streams the answer as
// events (ask.token … ask.done | ask.error). Without a vision-language model the reader engine answers what
// it can from the page's words and says what needs a model.
import { randomBytes } from 'node:crypto';
import { answerWithReader } from '../extract/reader/reader.js';
import type { AppEvent, ParsedInput } from '../shared/contract.js';
import type { Answer, AskScope, DateHit, Table } from '../shared/domain.js';
import { AppError, toErrorInfo } from '../shared/errors.js';
import type { OpenDocument } from './document-store.js';
import type { PageText } from './page-text.js';

export interface AskDeps {
  text: PageText;
  dates(doc: OpenDocument, pages: number[]): Promise<DateHit[]>;
  /** null while table detection is not available. */
  tables(doc: OpenDocument, pages: number[]): Promise<Table[] | null>;
  emit(event: AppEvent): void;
}

export function scopePages(doc: OpenDocument, scope: AskScope): number[] {
  const n = doc.info.pageCount;
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  if (scope.kind === 'page') {
    if (scope.page > n)
      throw new AppError(
        'invalid_input',
        `${doc.info.name} has ${n} page(s); page ${scope.page} does not exist`,
      );
    return [scope.page];
  }
  if (scope.kind === 'pages') {
    if (scope.from > scope.to || scope.to > n)
      throw new AppError(
        'invalid_input',
        `pages ${scope.from}–${scope.to} are not in ${doc.info.name} (${n} pages)`,
      );
    return range(scope.from, scope.to);
  }
  return range(1, n);
}

export class AskManager {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly deps: AskDeps) {}

  start(doc: OpenDocument, input: ParsedInput<'ask.start'>): { askId: string } {
    const pages = scopePages(doc, input.scope);
    if (input.engine === 'vlm')
      throw new AppError(
        'no_model',
        'No vision-language model is installed: add one in the Models panel, or ask with the reader engine.',
      );
    const askId = `a_${randomBytes(8).toString('base64url')}`;
    const abort = new AbortController();
    this.running.set(askId, abort);
    void this.run(askId, doc, pages, input.question, abort.signal).finally(() => this.running.delete(askId));
    return { askId };
  }

  cancel(askId: string): boolean {
    const a = this.running.get(askId);
    if (!a) return false;
    a.abort();
    return true;
  }

  private async run(
    askId: string,
    doc: OpenDocument,
    pages: number[],
    question: string,
    signal: AbortSignal,
  ): Promise<void> {
    const t0 = performance.now();
    try {
      const texts = await Promise.all(pages.map((p) => this.deps.text.get(doc, p)));
      if (signal.aborted) throw new AppError('cancelled', 'cancelled');
      const [dates, tables] = await Promise.all([this.deps.dates(doc, pages), this.deps.tables(doc, pages)]);
      if (signal.aborted) throw new AppError('cancelled', 'cancelled');
      const r = answerWithReader(question, { pages: texts, dates, tables, metadataTitle: doc.info.title });
      // Stream word by word so the UI shows the same progression as a model's answer.
      for (const piece of r.text.match(/\S+\s*/g) ?? []) {
        if (signal.aborted) throw new AppError('cancelled', 'cancelled');
        this.deps.emit({ type: 'ask.token', payload: { askId, text: piece } });
      }
      const answer: Answer = {
        text: r.text,
        boxes: r.boxes,
        verified: r.verified,
        engine: 'reader',
        model: null,
        provider: null,
        timings: {
          vision_ms: null,
          prefill_ms: null,
          ttft_ms: null,
          decode_tokens_per_s: null,
          total_ms: performance.now() - t0,
        },
        token_ids: null,
        raw: null,
      };
      this.deps.emit({ type: 'ask.done', payload: { askId, answer } });
    } catch (e) {
      this.deps.emit({ type: 'ask.error', payload: { askId, error: toErrorInfo(e) } });
    }
  }

  cancelAll(): void {
    for (const a of this.running.values()) a.abort();
  }
}
