// The ask flow: runs a question against the scope's pages in the background and streams the answer as
// events (ask.token … ask.done | ask.error). The reader engine answers what it can from the page's words; the
// VLM (when one is installed) answers the rest, and each VLM answer is checked against the page's words.
import { randomBytes } from 'node:crypto';
import { answerFromEstimate, CHART_TO_TABLE_PROMPT } from '../extract/charts/estimated.js';
import { isChartQuestion } from '../extract/charts/index.js';
import { answerWithReader } from '../extract/reader/reader.js';
import { bindField, isVerified } from '../extract/fields/index.js';
import { verifyAnswer } from '../extract/verify/verify.js';
import type { Chart } from '../shared/charts.js';
import type { AppEvent, ParsedInput } from '../shared/contract.js';
import type { Answer, AskScope, DateHit, Provider, Table, TextPage, Timings } from '../shared/domain.js';
import { AppError, toErrorInfo } from '../shared/errors.js';
import type { LabelledBox } from '../shared/geometry.js';
import type { OpenDocument } from './document-store.js';
import type { PageText } from './page-text.js';
import { judgeVlmAnswer } from './vlm-trust.js';
import { readPages } from './read-pages.js';

export interface VlmAnswerRequest {
  doc: OpenDocument;
  pages: number[];
  question: string;
  modelId?: string;
  maxTokens?: number;
  signal: AbortSignal;
  onToken: (text: string) => void;
}

/** One VLM answer before verification. */
export interface VlmRun {
  text: string;
  raw: string;
  /** Boxes the model drew itself, already in page space. */
  boxes: LabelledBox[];
  model: string;
  provider: Provider;
  tokenIds: number[];
  timings: Omit<Timings, 'total_ms'> & { total_ms?: number };
  /** The pages that went into the prompt (a long scope is cut to the first few). */
  pagesRead: number[];
}

/** An answer's timings from a VLM run: the run's own figures, and the whole ask's time since `t0`. */
function vlmTimings(run: VlmRun, t0: number): Timings {
  const { vision_ms, prefill_ms, ttft_ms, decode_tokens_per_s } = run.timings;
  return { vision_ms, prefill_ms, ttft_ms, decode_tokens_per_s, total_ms: performance.now() - t0 };
}

/** What the ask flow needs from the VLM room (src/services/handlers-vlm.ts implements it). */
export interface VlmAnswerer {
  installed(modelId?: string): Promise<boolean>;
  answer(req: VlmAnswerRequest): Promise<VlmRun>;
  /** Cancels a VLM-only run (ground.start) this manager did not start. */
  cancel(askId: string): boolean;
}

export interface AskDeps {
  text: PageText;
  dates(doc: OpenDocument, pages: number[]): Promise<DateHit[]>;
  /** null while table detection is not available. */
  tables(doc: OpenDocument, pages: number[]): Promise<Table[] | null>;
  /** Charts read from the pages' vector drawings; absent where chart reading is not wired. */
  charts?(doc: OpenDocument, pages: number[]): Promise<Chart[]>;
  emit(event: AppEvent): void;
  /** The VLM; absent in builds or tests without one. */
  vlm?: VlmAnswerer;
}

const NO_VLM =
  'No vision-language model is installed: add one in the Models panel, or ask with the reader engine.';

/**
 * How far a VLM answer can be trusted, from the words of the pages the model read. A field question whose value
 * the binder stands behind (fields/) makes the answer verified when the model states that value (and its box, if
 * it drew one, overlaps it), a conflict showing both values and both boxes when it states another; otherwise the
 * answer is found (its words are on the page, boxes snapped to them) or unverified, with the binder's candidates.
 */
export function vlmTrust(
  question: string,
  run: Pick<VlmRun, 'text' | 'boxes'>,
  texts: readonly TextPage[],
  dates: readonly DateHit[],
): Pick<Answer, 'boxes' | 'trust' | 'trust_reason' | 'field' | 'conflict' | 'candidates'> {
  // A page without words (no text layer, nothing OCR could read) gives nothing to check against.
  if (!texts.some((t) => t.words.length > 0))
    return { boxes: run.boxes, trust: null, trust_reason: null, field: null, conflict: null, candidates: [] };
  const bound = bindField(question, { pages: texts, dates });
  const b = bound?.binding;
  if (b && isVerified(b)) {
    const j = judgeVlmAnswer(run.text, run.boxes, b);
    if (j.trust === 'conflict') {
      // Both values, both places: where the model looked (its boxes, else its words on the page) and the bound value.
      const said = run.boxes.length > 0 ? run.boxes : verifyAnswer(run.text, texts, dates).boxes;
      return {
        boxes: [
          ...said.map((x) => ({ ...x, label: `model: ${run.text.trim().slice(0, 60)}` })),
          { ...b.box, label: `page: ${b.value}` },
        ],
        trust: 'conflict',
        trust_reason: j.reason,
        field: null,
        conflict: b,
        candidates: bound.candidates,
      };
    }
    return {
      boxes: j.trust === 'verified' ? [{ ...b.box, label: b.label ?? b.value }] : run.boxes,
      trust: j.trust,
      trust_reason: j.reason,
      field: b,
      conflict: null,
      candidates: bound.candidates,
    };
  }
  const candidates = bound ? [...(b ? [b] : []), ...bound.candidates] : [];
  const v = verifyAnswer(run.text, texts, dates);
  return {
    boxes: v.verified ? v.boxes : run.boxes,
    trust: v.verified ? 'found' : 'unverified',
    trust_reason: v.verified
      ? `The words are on the page ("${v.matched ?? run.text}")${bound ? `, but the page does not single out its ${bound.field.replace(/_/g, ' ')}` : ''}; nothing ties them to the question.`
      : 'The answer is not on the pages the model read.',
    field: null,
    conflict: null,
    candidates,
  };
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

  async start(doc: OpenDocument, input: ParsedInput<'ask.start'>): Promise<{ askId: string }> {
    const pages = scopePages(doc, input.scope);
    const engine = input.engine ?? 'auto';
    // 'vlm' needs a model now, so the call itself says so; 'auto' looks for one when the reader cannot answer.
    if (engine === 'vlm' && !(await this.deps.vlm?.installed(input.modelId))) {
      throw new AppError('no_model', NO_VLM);
    }
    const askId = `a_${randomBytes(8).toString('base64url')}`;
    const abort = new AbortController();
    this.running.set(askId, abort);
    void this.run(askId, doc, pages, input, engine, abort.signal).finally(() => this.running.delete(askId));
    return { askId };
  }

  cancel(askId: string): boolean {
    const a = this.running.get(askId);
    if (!a) return this.deps.vlm?.cancel(askId) ?? false;
    a.abort();
    return true;
  }

  private async run(
    askId: string,
    doc: OpenDocument,
    pages: number[],
    input: ParsedInput<'ask.start'>,
    engine: 'auto' | 'vlm' | 'reader',
    signal: AbortSignal,
  ): Promise<void> {
    const t0 = performance.now();
    const question = input.question;
    try {
      const texts = await readPages(this.deps.text, doc, pages, {
        signal,
        onProgress: (p) => this.deps.emit({ type: 'ask.progress', payload: { askId, ...p } }),
      });
      if (signal.aborted) throw new AppError('cancelled', 'cancelled');
      const [dates, tables, charts] = await Promise.all([
        this.deps.dates(doc, pages),
        this.deps.tables(doc, pages),
        this.deps.charts?.(doc, pages),
      ]);
      if (signal.aborted) throw new AppError('cancelled', 'cancelled');
      const vlm = this.deps.vlm;
      let useVlm = engine === 'vlm';
      let r: ReturnType<typeof answerWithReader> | null = null;
      if (!useVlm) {
        r = answerWithReader(question, {
          pages: texts,
          dates,
          tables,
          charts,
          metadataTitle: doc.info.title,
        });
        // The reader says when a question is beyond it; the VLM takes those when one is installed.
        useVlm =
          engine === 'auto' &&
          r.intent === 'unsupported' &&
          vlm !== undefined &&
          (await vlm.installed(input.modelId));
      }
      if (useVlm && vlm) {
        // A chart question the drawing cannot answer (no vector chart: a scan, an image, an embedded bitmap), or one
        // put to the VLM itself: the model writes the chart's data as a table, read back as an estimated Chart.
        const answer =
          isChartQuestion(question) && (engine === 'vlm' || !charts?.length)
            ? await this.chartWithVlm(vlm, askId, doc, pages, input, texts, dates, charts ?? [], signal, t0)
            : await this.answerWithVlm(vlm, askId, doc, pages, input, texts, dates, signal, t0);
        this.deps.emit({ type: 'ask.done', payload: { askId, answer } });
        return;
      }
      if (!r) throw new AppError('no_model', NO_VLM);
      // Stream word by word so the UI shows the same progression as a model's answer.
      for (const piece of r.text.match(/\S+\s*/g) ?? []) {
        if (signal.aborted) throw new AppError('cancelled', 'cancelled');
        this.deps.emit({ type: 'ask.token', payload: { askId, text: piece } });
      }
      const answer: Answer = {
        text: r.text,
        boxes: r.boxes,
        verified: r.verified,
        trust: r.trust,
        trust_reason: r.trustReason,
        field: r.field,
        conflict: null,
        candidates: r.candidates,
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
        chart: r.chart ?? null,
      };
      this.deps.emit({ type: 'ask.done', payload: { askId, answer } });
    } catch (e) {
      this.deps.emit({ type: 'ask.error', payload: { askId, error: toErrorInfo(e) } });
    }
  }

  /**
   * A chart question through the VLM: the chart-to-table prompt on one page (the one with a vector chart, if any,
   * so the estimate can be compared with its exact data; else the first page asked about), the model's table read
   * back as an estimated Chart (src/extract/charts/estimated.ts) that answers the question; never verified. When the
   * table reads but the question is not one it answers (a title, a description), the model answers it freely too.
   */
  private async chartWithVlm(
    vlm: VlmAnswerer,
    askId: string,
    doc: OpenDocument,
    pages: number[],
    input: ParsedInput<'ask.start'>,
    texts: TextPage[],
    dates: DateHit[],
    charts: Chart[],
    signal: AbortSignal,
    t0: number,
  ): Promise<Answer> {
    const page = charts[0]?.page ?? pages[0] ?? 1;
    const run = await vlm.answer({
      doc,
      pages: [page],
      question: CHART_TO_TABLE_PROMPT,
      modelId: input.modelId,
      maxTokens: input.maxTokens,
      signal,
      onToken: (text) => this.deps.emit({ type: 'ask.token', payload: { askId, text } }),
    });
    const est = answerFromEstimate(input.question, run.text, page, charts);
    if (est.chart && !est.answered) {
      // The table read, but the question asks something else about the chart (its title, what it shows): the model
      // answers the question itself, checked as usual, with the estimated table beside it.
      const free = await this.answerWithVlm(vlm, askId, doc, [page], input, texts, dates, signal, t0);
      return { ...free, chart: est.chart };
    }
    return {
      text: est.text,
      boxes: est.boxes,
      verified: false,
      trust: est.trust,
      trust_reason: est.trustReason,
      field: null,
      conflict: null,
      candidates: [],
      engine: 'vlm',
      model: run.model,
      provider: run.provider,
      timings: vlmTimings(run, t0),
      token_ids: run.tokenIds,
      raw: run.raw,
      chart: est.chart,
    };
  }

  /** The VLM's answer, checked against the pages it read (vlmTrust). */
  private async answerWithVlm(
    vlm: VlmAnswerer,
    askId: string,
    doc: OpenDocument,
    pages: number[],
    input: ParsedInput<'ask.start'>,
    texts: TextPage[],
    dates: DateHit[],
    signal: AbortSignal,
    t0: number,
  ): Promise<Answer> {
    const run = await vlm.answer({
      doc,
      pages,
      question: input.question,
      modelId: input.modelId,
      maxTokens: input.maxTokens,
      signal,
      onToken: (text) => this.deps.emit({ type: 'ask.token', payload: { askId, text } }),
    });
    const read = new Set(run.pagesRead);
    const readTexts = texts.filter((t) => read.has(t.page));
    const t = vlmTrust(
      input.question,
      run,
      readTexts,
      dates.filter((d) => read.has(d.box.page)),
    );
    return {
      text: run.text,
      ...t,
      verified: t.trust === null ? null : t.trust === 'verified',
      engine: 'vlm',
      model: run.model,
      provider: run.provider,
      timings: vlmTimings(run, t0),
      token_ids: run.tokenIds,
      raw: run.raw,
    };
  }

  cancelAll(): void {
    for (const a of this.running.values()) a.abort();
  }
}
