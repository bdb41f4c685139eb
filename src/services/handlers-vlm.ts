// The VLM room: finds the installed vision-language model in the model store, keeps one loaded on the provider the
// settings ask for, and answers ground.start, models.status and the VLM branch of the ask flow (AskManager's hook).
import { randomBytes } from 'node:crypto';
import { viewRasterRect } from '../anyres/coords.js';
import { planPage, type Tiling } from '../anyres/plan.js';
import { groundingPrompt, loadVlm, type VlmImage, type VlmModel } from '../inference/vlm/index.js';
import type { Answer, InstalledModel, Plan, PlanTile, ProviderStatus } from '../shared/domain.js';
import { ENGINE_FAMILY_IDS, FAMILIES } from '../shared/families.js';
import { AppError, toErrorInfo } from '../shared/errors.js';
import type { LabelledBox } from '../shared/geometry.js';
import type { VlmAnswerer, VlmAnswerRequest, VlmRun } from './ask.js';
import type { OpenDocument } from './document-store.js';
import { mapModelOutput, mapTileOutput, mergeViewBoxes, type ViewBoxes } from './grounding.js';
import type { BackendContext } from './handlers.js';
import { modelStoreFor } from './handlers-models.js';
import type { ModelStore } from './models/index.js';
import type { Emit, RoomSlice } from './room.js';

export type VlmChannel = 'ground.start' | 'models.status';

export const NO_MODEL_MESSAGE =
  'No vision-language model is installed: add one in the Models panel (pull Qwen2-VL-2B-Instruct or import a folder), ' +
  'or ask with the reader engine.';

const VLM_FAMILIES = new Set<string>(ENGINE_FAMILY_IDS);
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
        `${m.id} is a ${FAMILIES[m.family].name} model; the VLM engine runs ${ENGINE_FAMILY_IDS.map((f) => FAMILIES[f].name).join(', ')}`,
      );
    }
    const { provider, threads } = this.ctx.settings.get();
    const key = this.keyOf(m);
    if (this.loaded?.key === key) return this.loaded.model;
    const previous = this.loaded;
    // Every recorded file is checked (regular file, size, sha256 — hashed only when changed since its last passing
    // check) before onnxruntime sees it: a truncated or tampered file fails here, named.
    const model = (this.store.record(m.id) ? this.store.checkInstalled(m.id) : Promise.resolve()).then(() =>
      loadVlm(m.path, {
        provider,
        threads: threads > 0 ? threads : undefined,
        dtype: m.dtype,
      }),
    );
    this.loaded = { key, model };
    // A failed load is not kept: the next request tries again (the user may have fixed the install).
    model.catch(() => {
      if (this.loaded?.model === model) this.loaded = null;
    });
    if (previous) await previous.model.then((p) => p.dispose()).catch(() => undefined);
    return model;
  }

  /**
   * ProviderStatus of the model the app would use. Loading a model takes seconds and gigabytes, so it happens on
   * the first question or when `load` asks for it (the Models panel's "Load now"), never just to show status.
   */
  async status(load = false): Promise<ProviderStatus> {
    const preference = this.ctx.settings.get().provider;
    const installed = await this.find().catch(() => null);
    const none = { preference, active: null, attempts: [], loadedModel: null };
    if (!installed) {
      return {
        ...none,
        summary: 'No model installed: the reader engine answers until a vision-language model is installed.',
        installedModel: null,
      };
    }
    const current = this.loaded?.key === this.keyOf(installed) ? this.loaded.model : null;
    if (!current && !load) {
      return {
        ...none,
        summary: `${installed.id} is installed and loads with the first question (provider: ${preference}).`,
        installedModel: installed.id,
      };
    }
    try {
      return { ...(await (current ?? this.model())).status(), installedModel: installed.id };
    } catch (e) {
      const error = e instanceof AppError ? e : new AppError('internal', String(e));
      return {
        ...none,
        summary: `${installed.id} could not be loaded: ${error.message}`,
        installedModel: installed.id,
      };
    }
  }

  /** What a loaded model is kept under: reloaded when the model, its dtype, the provider or threads change. */
  private keyOf(m: InstalledModel): string {
    const { provider, threads } = this.ctx.settings.get();
    return `${m.id}|${m.dtype}|${provider}|${threads}`;
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

  /**
   * Renders `page` at its plan's DPI within `maxTokens` image tokens (per image) and the model's own pixel
   * limits. With tiling, the plan may cut the page into tiles; the image is the whole raster either way.
   */
  private async pageImage(
    doc: OpenDocument,
    page: number,
    model: VlmModel,
    tokens: number,
    tiling: Tiling = 'off',
  ): Promise<PageImage> {
    const info = doc.info.pages[page - 1];
    if (!info) throw new AppError('invalid_input', `${doc.info.name} has no page ${page}`);
    const images = FAMILIES[model.family].images;
    const factor = images.kind === 'smart-resize' ? images.factor : 28;
    const maxPixels = Math.max(model.pixels.min, Math.min(tokens * factor * factor, model.pixels.max));
    const dpi = doc.info.kind === 'image' ? 72 : this.ctx.settings.get().renderDpi;
    const plan = planPage(
      { page, width: info.width, height: info.height },
      { family: model.family, maxPixels, minPixels: Math.min(model.pixels.min, maxPixels), dpi, tiling },
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
    input: { page: number; objects: string[]; modelId?: string; maxTokens?: number; tiling?: Tiling },
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
          const img = await this.pageImage(
            doc,
            input.page,
            model,
            this.ctx.settings.get().imageTokenBudget,
            input.tiling ?? 'off',
          );
          // One run per view: the whole page, then (tiled) each tile cut from the same raster at full budget.
          const views = img.plan.tiles;
          const tiled = views.length > 1;
          const found: ViewBoxes[] = [];
          const raws: string[] = [];
          const texts: string[] = [];
          const tokenIds: number[] = [];
          let vision = 0;
          let prefill = 0;
          let ttft: number | null = null;
          let decodeMs = 0;
          let decodeTokens = 0;
          let last: { model: string; provider: Answer['provider'] } = { model: '', provider: null };
          for (const [i, view] of views.entries()) {
            if (signal.aborted) throw new AppError('cancelled', 'cancelled');
            const head = tiled
              ? viewHeading(view, i, views.length, doc.info.kind === 'image' ? 'px' : 'pt')
              : '';
            if (head) emit({ type: 'ask.token', payload: { askId, text: head } });
            const cut = view.kind === 'tile' ? cropView(img.image, view, img.plan) : null;
            const started = performance.now();
            const r = await model.generate({
              images: [cut?.image ?? img.image],
              question: prompt,
              maxTokens: input.maxTokens ?? 256,
              signal,
              onToken: (text) => emit({ type: 'ask.token', payload: { askId, text } }),
            });
            const seen = cut ? { ...view, region: cut.region } : view;
            found.push({ view, boxes: mapTileOutput(r.raw, img.plan, seen, r.resized[0]).boxes });
            raws.push(head + r.raw);
            texts.push(head + r.text);
            tokenIds.push(...r.tokenIds);
            vision += r.timings.vision_ms ?? 0;
            prefill += r.timings.prefill_ms ?? 0;
            if (i === 0 && r.timings.ttft_ms !== null) ttft = started - t0 + r.timings.ttft_ms;
            if (r.timings.decode_tokens_per_s) {
              decodeTokens += r.tokenIds.length;
              decodeMs += (r.tokenIds.length / r.timings.decode_tokens_per_s) * 1000;
            }
            last = { model: r.model, provider: r.provider };
          }
          const answer: Answer = {
            text: texts.join(''),
            boxes: tiled ? mergeViewBoxes(found, img.plan.pageSize) : (found[0]?.boxes ?? []),
            // Boxes are the model's own reading of the image; there is no page text to check them against.
            verified: null,
            trust: null,
            trust_reason: null,
            field: null,
            conflict: null,
            candidates: [],
            engine: 'vlm',
            model: last.model,
            provider: last.provider,
            timings: {
              vision_ms: vision,
              prefill_ms: prefill,
              ttft_ms: ttft,
              decode_tokens_per_s: decodeMs > 0 ? (decodeTokens * 1000) / decodeMs : null,
              total_ms: performance.now() - t0,
            },
            token_ids: tokenIds,
            raw: raws.join(''),
          };
          emit({ type: 'ask.done', payload: { askId, answer } });
        } catch (e) {
          emit({ type: 'ask.error', payload: { askId, error: toErrorInfo(e) } });
        }
      }),
    }));
  }

  /** Unloads `modelId` if it is the loaded model (runs on it are cancelled first). */
  async unload(modelId: string): Promise<void> {
    const m = this.store.get(modelId);
    const loaded = this.loaded;
    if (!m || !loaded || !loaded.key.startsWith(`${m.id}|`)) return;
    for (const r of this.runs.values()) r.abort();
    this.loaded = null;
    await loaded.model.then((x) => x.dispose()).catch(() => undefined);
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
      'models.status': ({ load }) => service.status(load ?? false),
    },
    dispose: () => service.dispose(),
  };
}

/** The line a tiled run puts before each view's output, e.g. "[tile 2 of 4: 306–612 × 0–396 pt]". */
function viewHeading(view: PlanTile, index: number, count: number, unit: string): string {
  const r = view.region;
  const n = (v: number) => String(Math.round(v));
  const where = `${n(r.x0)}–${n(r.x1)} × ${n(r.y0)}–${n(r.y1)} ${unit}`;
  const name = view.kind === 'tile' ? `tile ${index} of ${count - 1}` : 'whole page';
  return `${index > 0 ? '\n' : ''}[${name}: ${where}]\n`;
}

/**
 * The part of the page raster a tile covers, as its own image (rows copied out; the caches key it by region),
 * and the page region those whole pixels cover (src/anyres/coords.ts works both out).
 * NOTE: hand-written because sharp would round-trip the raster through an encoder for a plain row copy.
 */
function cropView(
  image: VlmImage,
  view: PlanTile,
  plan: Plan,
): { image: VlmImage; region: PlanTile['region'] } {
  const { px, region } = viewRasterRect(view, plan.pageSize, image);
  const c = image.channels;
  const w = px.x1 - px.x0;
  const h = px.y1 - px.y0;
  const data = new Uint8Array(w * h * c);
  for (let y = px.y0; y < px.y1; y++) {
    const from = (y * image.width + px.x0) * c;
    data.set(image.data.subarray(from, from + w * c), (y - px.y0) * w * c);
  }
  const cropped: VlmImage = { ...image, data, width: w, height: h };
  if (image.cacheKey) cropped.cacheKey = `${image.cacheKey}:${px.x0},${px.y0},${px.x1},${px.y1}`;
  else delete cropped.cacheKey;
  return { image: cropped, region };
}
