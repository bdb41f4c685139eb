// The backend's implementation of the contract: one function per channel, orchestrating the rooms.
// Channels whose room has not landed yet answer `not_implemented` naming the work that brings them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DocumentEngine } from '../documents/api.js';
import type { AppEvent, Handlers } from '../shared/contract.js';
import { AskManager } from './ask.js';
import type { SampleName } from '../shared/contract.js';
import { AppError } from '../shared/errors.js';
import { planPage } from '../anyres/plan.js';
import type { DocumentStore, OpenDocument } from './document-store.js';
import type { PageText } from './page-text.js';
import { detectLocale, extractDates } from '../extract/dates/index.js';
import type { DateHit } from '../shared/domain.js';
import { appRoot, samplesDir } from './paths.js';
import type { SettingsStore } from './settings-store.js';
import { extractRoom } from './handlers-extract.js';
import { queueHandlers } from './queue/handlers.js';
import { modelsRoom } from './handlers-models.js';
import { reviewsRoom } from './reviews/index.js';
import { vlmRoom } from './handlers-vlm.js';
import { chatRoom } from './handlers-chat.js';
import { evalRoom } from './handlers-eval.js';
import { readPages } from './read-pages.js';
import type { PageProgress } from './read-pages.js';

export interface BackendContext {
  dataDir: string;
  engine: DocumentEngine;
  docs: DocumentStore;
  settings: SettingsStore;
  text: PageText;
}

const SAMPLE_FILES: Record<SampleName, string> = {
  invoice: 'invoice.pdf',
  report: 'report.pdf',
  'invoice-scanned': 'invoice-scanned.pdf',
  scene: 'scene.png',
};

let cachedVersion: string | null = null;
function appVersion(): string {
  if (cachedVersion) return cachedVersion;
  try {
    const pkg = JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version?: string };
    cachedVersion = pkg.version ?? '0.0.0';
  } catch {
    cachedVersion = '0.0.0';
  }
  return cachedVersion;
}

/** Every date on the given pages, with the day/month order decided once for the whole document. */
async function documentDates(
  doc: OpenDocument,
  pages: number[],
  ctx: BackendContext,
  read: Parameters<typeof readPages>[3] = {},
): Promise<DateHit[]> {
  const texts = await readPages(ctx.text, doc, pages, read);
  const pref = ctx.settings.get().dateLocale;
  const locale = pref === 'auto' ? detectLocale(texts) : pref;
  return texts.flatMap((t) => extractDates(t, { locale }));
}

/** The handlers plus what the backend must release when it stops (each room's sessions, jobs, downloads). */
export function createHandlers(
  ctx: BackendContext,
  emit: (event: AppEvent) => void,
): Handlers & { dispose(): Promise<void> } {
  const { docs } = ctx;
  const extract = extractRoom(ctx, emit);
  const models = modelsRoom(ctx, emit);
  const vlm = vlmRoom(ctx, emit);
  const chat = chatRoom(ctx, emit, vlm.service);
  const evals = evalRoom(ctx, emit, vlm.service);
  const reviews = reviewsRoom(ctx);
  const asks = new AskManager({
    text: ctx.text,
    dates: (doc, pages) => documentDates(doc, pages, ctx),
    tables: (doc, pages) => extract.tables(doc, pages),
    charts: (doc, pages) => extract.charts(doc, pages),
    emit,
    vlm: vlm.service,
  });
  return {
    'app.info': () =>
      Promise.resolve({
        name: 'DocLens' as const,
        version: appVersion(),
        dataDir: ctx.dataDir,
        platform: `${process.platform}-${process.arch}`,
        node: process.versions.node,
        backendPid: process.pid,
        pathsAllowed: true,
      }),

    'documents.open': async ({ path, password }) => (await docs.open(path, { password })).info,
    'documents.upload': async ({ name, bytes, password }) => (await docs.upload(name, bytes, password)).info,
    'documents.openSample': async ({ name }) =>
      (await docs.open(join(samplesDir(), SAMPLE_FILES[name]))).info,
    'documents.list': () => Promise.resolve(docs.list()),
    'documents.info': ({ docId }) => Promise.resolve(docs.get(docId).info),
    'documents.close': async ({ docId }) => ({ closed: await docs.close(docId) }),
    'documents.content': ({ docId }) => docs.content(docId),
    'documents.pageImage': async ({ docId, page, dpi }) => {
      const doc = docs.checkPage(docId, page);
      return doc.handle.render(page, { dpi: dpi ?? ctx.settings.get().renderDpi });
    },
    'documents.text': ({ docId, page, source }) =>
      ctx.text.get(docs.checkPage(docId, page), page, source ?? 'auto'),

    'plan.get': ({ docId, page, family, maxPixels, minPixels }) => {
      const doc = docs.checkPage(docId, page);
      const p = doc.info.pages[page - 1];
      if (!p) throw new AppError('invalid_input', `${doc.info.name} has no page ${page}`);
      // Images: page space is the pixel grid, so the raster at 72 "dpi" is the image itself.
      const dpi = doc.info.kind === 'image' ? 72 : ctx.settings.get().renderDpi;
      return Promise.resolve(
        planPage({ page, width: p.width, height: p.height }, { family, maxPixels, minPixels, dpi }),
      );
    },

    'ask.start': (input) => Promise.resolve(asks.start(docs.get(input.docId), input)),
    'ask.cancel': ({ askId }) => Promise.resolve({ cancelled: asks.cancel(askId) }),

    'extract.dates': async ({ docId, pages, runId }) => {
      const doc = docs.get(docId);
      const wanted = pages ?? doc.info.pages.map((p) => p.page);
      for (const p of wanted) docs.checkPage(docId, p);
      const signal = extract.runs.start(runId);
      try {
        const onProgress = runId
          ? (p: PageProgress) => emit({ type: 'extract.progress', payload: { runId, ...p } })
          : undefined;
        return { dates: await documentDates(doc, wanted, ctx, { signal, onProgress }) };
      } finally {
        extract.runs.end(runId, signal);
      }
    },
    ...extract.handlers,
    ...queueHandlers(),
    ...models.handlers,
    ...vlm.handlers,
    ...chat.handlers,
    ...evals.handlers,
    ...reviews.handlers,
    // A model being removed is unloaded first: its sessions hold the files open (Windows cannot delete them then)
    // and the memory would stay taken by a model that is gone.
    'models.remove': async (input, hctx) => {
      await vlm.service.unload(input.modelId);
      return models.handlers['models.remove'](input, hctx);
    },

    'settings.get': () => Promise.resolve(ctx.settings.get()),
    'settings.set': (patch) => ctx.settings.set(patch),
    async dispose() {
      await Promise.all([extract.dispose(), models.dispose(), vlm.dispose(), evals.dispose()]);
    },
  };
}
