// The VLM room: finds the installed vision-language model in the model store, keeps one loaded on the provider the
// settings ask for, and answers ground.start, models.status and the VLM branch of the ask flow (AskManager's hook).
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { planPage } from '../anyres/plan.js';
import { groundingPrompt, loadVlm, type VlmImage, type VlmModel } from '../inference/vlm/index.js';
import type { Answer, InstalledModel, Plan, ProviderStatus } from '../shared/domain.js';
import { AppError, toErrorInfo } from '../shared/errors.js';
import type { LabelledBox } from '../shared/geometry.js';
import type { VlmAnswerer, VlmAnswerRequest, VlmRun } from './ask.js';
import type { OpenDocument } from './document-store.js';
import { mapModelOutput } from './grounding.js';
import type { BackendContext } from './handlers.js';
import { modelStoreFor } from './handlers-models.js';
import type { ModelStore } from './models/index.js';
import type { Emit, RoomSlice } from './room.js';

export type VlmChannel = 'ground.start' | 'models.status';

export const NO_MODEL_MESSAGE =
  'No vision-language model is installed: add one in the Models panel (pull Qwen2-VL-2B-Instruct or import a folder), ' +
  'or ask with the reader engine.';

const VLM_FAMILIES = new Set(['qwen2-vl', 'qwen2.5-vl']);
/** Pages one VLM question reads at most (each an image in one prompt); the image budget is shared among them. */
export const MAX_VLM_PAGES = 4;
/** Smallest per-page budget when several pages share the prompt. */
const MIN_PAGE_TOKENS = 256;

export interface VlmServiceOptions {
  /** The model store; default: the backend's one (`modelStoreFor(ctx)`, shared with the models room, which closes it). */
  store?: ModelStore;
}

interface PageImage {
  image: VlmImage;
  plan: Plan;
  page: number;
}

/**
 * One loaded model at a time (the one asked for, else the first installed Qwen-VL model), reloaded when the
 * model, provider or thread settings change. Runs are registered by askId so ask.cancel reaches them.
 */
export class VlmService implements VlmAnswerer {
  private readonly store: ModelStore;
  private loaded: { key: string; model: Promise<VlmModel> } | null = null;
  private readonly runs = new Map<string, AbortController>();

  constructor(
    private readonly ctx: BackendContext,
    opts: VlmServiceOptions = {},
  ) {
    this.store = opts.store ?? modelStoreFor(ctx);
  }

  /** The installed model `modelId` names (an install id or a manifest id), else the first Qwen-VL one; null when none. */
  async find(modelId?: string): Promise<InstalledModel | null> {
    const { installed } = await this.store.list();
    if (modelId !== undefined) {
      const m = this.store.get(modelId);
      if (!m) {
        throw new AppError(
          'not_found',
          `model ${modelId} is not installed (installed: ${installed.map((i) => i.id).join(', ') || 'none'})`,
        );
      }
      return m;
    }
    return installed.find((m) => VLM_FAMILIES.has(m.family)) ?? null;
  }

  async installed(modelId?: string): Promise<boolean> {
    return (await this.find(modelId)) !== null;
  }

  /** Loads (or returns the loaded) model; no_model when none is installed. */
  async model(modelId?: string): Promise<VlmModel> {
    const m = await this.find(modelId);
    if (!m) throw new AppError('no_model', NO_MODEL_MESSAGE);
    if (!VLM_FAMILIES.has(m.family)) {
      throw new AppError(
        'no_model',
        `${m.id} is a ${m.family} model; the VLM engine runs Qwen2-VL and Qwen2.5-VL`,
      );
    }
    const { provider, threads } = this.ctx.settings.get();
    const key = `${m.id}|${m.dtype}|${provider}|${threads}`;
    if (this.loaded?.key === key) return this.loaded.model;
    const previous = this.loaded;
    this.checkFiles(m);
    const model = loadVlm(m.path, {
      provider,
      threads: threads > 0 ? threads : undefined,
      dtype: m.dtype,
    });
    this.loaded = { key, model };
    // A failed load is not kept: the next request tries again (the user may have fixed the install).
    model.catch(() => {
      if (this.loaded?.model === model) this.loaded = null;
    });
    if (previous) await previous.model.then((p) => p.dispose()).catch(() => undefined);
    return model;
  }

  /** Size check of every recorded file before onnxruntime sees them (a truncated download fails here, named). */
  private checkFiles(m: InstalledModel): void {
    const record = this.store.record(m.id);
    if (!record) return;
    for (const f of record.files) {
      const path = join(m.path, ...f.path.split('/'));
      let size: number;
      try {
        size = statSync(path).size;
      } catch {
        throw new AppError(
          'corrupt',
          `${m.id}: ${f.path} is missing from ${m.path}; run Verify or reinstall the model`,
        );
      }
      if (size !== f.bytes) {
        throw new AppError(
          'corrupt',
          `${m.id}: ${f.path} is ${size} bytes, the install recorded ${f.bytes} (${size < f.bytes ? 'truncated' : 'changed'}); run Verify or reinstall the model`,
        );
      }
    }
  }

  /** ProviderStatus of the model the app would use (loading it if it is installed and not loaded yet). */
  async status(): Promise<ProviderStatus> {
    const preference = this.ctx.settings.get().provider;
    const installed = await this.find().catch(() => null);
    if (!installed) {
      return {
        preference,
        active: null,
        attempts: [],
        summary: 'No model installed: the reader engine answers until a vision-language model is installed.',
        loadedModel: null,
      };
    }
    try {
      return (await this.model()).status();
    } catch (e) {
      const error = e instanceof AppError ? e : new AppError('internal', String(e));
      return {
        preference,
        active: null,
        attempts: [],
        summary: `${installed.id} could not be loaded: ${error.message}`,
        loadedModel: null,
      };
    }
  }

  cancel(askId: string): boolean {
    const run = this.runs.get(askId);
    if (!run) return false;
    run.abort();
    return true;
  }

  /** Registers a background run under a new askId; `run` gets the signal ask.cancel aborts. */
  track(run: (askId: string, signal: AbortSignal) => Promise<void>): string {
    const askId = `a_${randomBytes(8).toString('base64url')}`;
    const abort = new AbortController();
    this.runs.set(askId, abort);
    void run(askId, abort.signal).finally(() => this.runs.delete(askId));
    return askId;
  }

  /** Renders `page` at its plan's DPI within `maxTokens` image tokens and the model's own pixel limits. */
  private async pageImage(
    doc: OpenDocument,
    page: number,
    model: VlmModel,
    tokens: number,
  ): Promise<PageImage> {
    const info = doc.info.pages[page - 1];
    if (!info) throw new AppError('invalid_input', `${doc.info.name} has no page ${page}`);
    const maxPixels = Math.max(model.pixels.min, Math.min(tokens * 28 * 28, model.pixels.max));
    const dpi = doc.info.kind === 'image' ? 72 : this.ctx.settings.get().renderDpi;
    const plan = planPage(
      { page, width: info.width, height: info.height },
      { family: model.family, maxPixels, minPixels: Math.min(model.pixels.min, maxPixels), dpi },
    );
    const raw = await doc.handle.renderRaw(page, { dpi: plan.render.dpi });
    return {
      page,
      plan,
      image: {
        data: raw.data,
        width: raw.width,
        height: raw.height,
        channels: raw.channels,
        minPixels: plan.minPixels,
        maxPixels: plan.maxPixels,
        cacheKey: `${doc.info.sha256}:${page}:${plan.render.dpi}`,
      },
    };
  }

  /** Answers a question over up to MAX_VLM_PAGES pages of `doc` (the ask flow's VLM branch). */
  async answer(req: VlmAnswerRequest): Promise<VlmRun> {
    const model = await this.model(req.modelId);
    const pages = req.pages.slice(0, MAX_VLM_PAGES);
    const budget = this.ctx.settings.get().imageTokenBudget;
    const perPage = Math.max(MIN_PAGE_TOKENS, Math.floor(budget / pages.length));
    const images: PageImage[] = [];
    for (const p of pages) {
      if (req.signal.aborted) throw new AppError('cancelled', 'cancelled');
      images.push(await this.pageImage(req.doc, p, model, perPage));
    }
    const r = await model.generate({
      images: images.map((i) => i.image),
      question: req.question,
      maxTokens: req.maxTokens,
      signal: req.signal,
      onToken: req.onToken,
    });
    // Boxes the model drew itself map only when one page went in (the output does not say which image).
    const only = images.length === 1 ? images[0] : undefined;
    const boxes: LabelledBox[] = only ? mapModelOutput(r.raw, only.plan, r.resized[0]).boxes : [];
    return {
      text: r.text,
      raw: r.raw,
      boxes,
      model: r.model,
      provider: r.provider,
      tokenIds: r.tokenIds,
      timings: r.timings,
      pagesRead: pages,
    };
  }

  /** ground.start: boxes for `objects` on one page, in the family's grounding phrasing, streamed like an answer. */
  ground(
    doc: OpenDocument,
    input: { page: number; objects: string[]; modelId?: string; maxTokens?: number },
    emit: Emit,
  ): Promise<{ askId: string }> {
    const pageCount = doc.info.pageCount;
    if (input.page > pageCount) {
      throw new AppError(
        'invalid_input',
        `${doc.info.name} has ${pageCount} page(s); page ${input.page} does not exist`,
      );
    }
    const check = this.find(input.modelId).then((m) => {
      if (!m) throw new AppError('no_model', NO_MODEL_MESSAGE);
    });
    return check.then(() => ({
      askId: this.track(async (askId, signal) => {
        const t0 = performance.now();
        try {
          const model = await this.model(input.modelId);
          const prompt = groundingPrompt(model.family, input.objects);
          const img = await this.pageImage(doc, input.page, model, this.ctx.settings.get().imageTokenBudget);
          const r = await model.generate({
            images: [img.image],
            question: prompt,
            maxTokens: input.maxTokens ?? 256,
            signal,
            onToken: (text) => emit({ type: 'ask.token', payload: { askId, text } }),
          });
          const mapped = mapModelOutput(r.raw, img.plan, r.resized[0]);
          const answer: Answer = {
            text: r.text,
            boxes: mapped.boxes,
            // Boxes are the model's own reading of the image; there is no page text to check them against.
            verified: null,
            engine: 'vlm',
            model: r.model,
            provider: r.provider,
            timings: { ...r.timings, total_ms: performance.now() - t0 },
            token_ids: r.tokenIds,
            raw: r.raw,
          };
          emit({ type: 'ask.done', payload: { askId, answer } });
        } catch (e) {
          emit({ type: 'ask.error', payload: { askId, error: toErrorInfo(e) } });
        }
      }),
    }));
  }

  async dispose(): Promise<void> {
    for (const r of this.runs.values()) r.abort();
    const loaded = this.loaded;
    this.loaded = null;
    if (loaded) await loaded.model.then((m) => m.dispose()).catch(() => undefined);
  }
}

export function vlmRoom(
  ctx: BackendContext,
  emit: Emit,
  opts: VlmServiceOptions = {},
): RoomSlice<VlmChannel> & { service: VlmService } {
  const service = new VlmService(ctx, opts);
  return {
    service,
    handlers: {
      'ground.start': (input) => service.ground(ctx.docs.checkPage(input.docId, input.page), input, emit),
      'models.status': () => service.status(),
    },
    dispose: () => service.dispose(),
  };
}
