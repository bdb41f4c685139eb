// The one typed contract (DESIGN.md "One contract"): every request and event of the product, declared once
// as zod schemas. The renderer's Api and the backend's Handlers are derived from it; every transport parses
// input with these schemas and answers with the same envelope.
import { z } from 'zod';
import { Chart } from './charts.js';
import {
  Answer,
  AskScope,
  DateHit,
  DocId,
  DocumentInfo,
  ExportFormat,
  ExtractKind,
  InstalledModel,
  JobFile,
  JobInfo,
  JobProgress,
  KnownModel,
  ModelFamily,
  Plan,
  ProviderStatus,
  PullProgress,
  RenderedPage,
  Settings,
  Table,
  TextPage,
  TextSource,
} from './domain.js';
import { chatChannels, chatEvents } from './chat.js';
import { evalChannels, evalEvents } from './evaluate.js';
import { ErrorInfo } from './errors.js';
import { reviewChannels } from './reviews.js';
import { modelSizeChannels } from './model-sizes.js';
import { QueueJobStatus, QueueStatusInput } from './queue.js';

const Empty = z.object({}).strict();
const Page = z.number().int().min(1).max(100_000);
const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes (Uint8Array)');
const FilePath = z.string().min(1).max(4096);
/** A caller-chosen id for one long single-document call: its progress events carry it and extract.stop names it. */
const RunId = z.string().min(1).max(64);

export interface ChannelDef {
  input: z.ZodType;
  output: z.ZodType;
  /** Takes file-system paths from the caller: refused over HTTP unless the server allows paths. */
  paths?: boolean;
}

export const AppInfo = z.object({
  name: z.literal('DocLens'),
  version: z.string(),
  dataDir: z.string(),
  platform: z.string(),
  node: z.string(),
  backendPid: z.number().int(),
  /** Whether channels that take file-system paths are open to this client. */
  pathsAllowed: z.boolean(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const SampleName = z.enum(['invoice', 'report', 'invoice-scanned', 'scene']);
export type SampleName = z.infer<typeof SampleName>;

const FileBytes = z.object({ name: z.string(), mime: z.string(), bytes: Bytes });

export const channels = {
  'app.info': { input: Empty, output: AppInfo },

  'documents.open': {
    input: z.object({ path: FilePath, password: z.string().max(1024).optional() }).strict(),
    output: DocumentInfo,
    paths: true,
  },
  'documents.upload': {
    input: z
      .object({ name: z.string().min(1).max(512), bytes: Bytes, password: z.string().max(1024).optional() })
      .strict(),
    output: DocumentInfo,
  },
  'documents.openSample': { input: z.object({ name: SampleName }).strict(), output: DocumentInfo },
  'documents.list': { input: Empty, output: z.array(DocumentInfo) },
  'documents.info': { input: z.object({ docId: DocId }).strict(), output: DocumentInfo },
  'documents.close': {
    input: z.object({ docId: DocId }).strict(),
    output: z.object({ closed: z.boolean() }),
  },
  'documents.content': { input: z.object({ docId: DocId }).strict(), output: FileBytes },
  'documents.pageImage': {
    input: z.object({ docId: DocId, page: Page, dpi: z.number().min(9).max(1200).optional() }).strict(),
    output: RenderedPage,
  },
  'documents.text': {
    input: z
      .object({ docId: DocId, page: Page, source: z.enum(['auto', 'text-layer', 'ocr']).optional() })
      .strict(),
    output: TextPage,
  },

  'plan.get': {
    input: z
      .object({
        docId: DocId,
        page: Page,
        family: ModelFamily,
        maxPixels: z.number().int().positive().optional(),
        minPixels: z.number().int().positive().optional(),
      })
      .strict(),
    output: Plan,
  },

  'ask.start': {
    input: z
      .object({
        docId: DocId,
        question: z.string().min(1).max(8000),
        scope: AskScope,
        engine: z.enum(['auto', 'vlm', 'reader']).optional(),
        modelId: z.string().optional(),
        maxTokens: z.number().int().min(1).max(8192).optional(),
      })
      .strict(),
    output: z.object({ askId: z.string() }),
  },
  'ask.cancel': {
    input: z.object({ askId: z.string() }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
  'ground.start': {
    input: z
      .object({
        docId: DocId,
        page: Page,
        objects: z.array(z.string().min(1).max(200)).min(1).max(32),
        modelId: z.string().optional(),
        maxTokens: z.number().int().min(1).max(8192).optional(),
        /**
         * 'auto' / 'on': when the page is larger than one image's budget, also look at tiles cut from it (one run
         * per tile plus the whole page, boxes merged) — finds small objects, costs a run per tile. Default 'off'.
         */
        tiling: z.enum(['off', 'auto', 'on']).optional(),
      })
      .strict(),
    output: z.object({ askId: z.string() }),
  },

  /** With `runId`: an `extract.progress` event per page read, and `extract.stop` ends it (error `cancelled`). */
  'extract.dates': {
    input: z.object({ docId: DocId, pages: z.array(Page).optional(), runId: RunId.optional() }).strict(),
    output: z.object({ dates: z.array(DateHit) }),
  },
  'extract.tables': {
    input: z.object({ docId: DocId, pages: z.array(Page).optional(), runId: RunId.optional() }).strict(),
    output: z.object({ tables: z.array(Table) }),
  },
  /** Charts read exactly from the pages' vector drawings (src/shared/charts.ts), with every value's box. */
  'extract.charts': {
    input: z.object({ docId: DocId, pages: z.array(Page).optional(), runId: RunId.optional() }).strict(),
    output: z.object({ charts: z.array(Chart) }),
  },
  /** Stops a running extract.dates / extract.tables call started with this runId; false when none runs. */
  'extract.stop': {
    input: z.object({ runId: RunId }).strict(),
    output: z.object({ stopped: z.boolean() }),
  },
  'extract.export': {
    input: z.object({ docId: DocId, kind: ExtractKind, format: ExportFormat }).strict(),
    output: FileBytes,
  },
  'extract.start': {
    input: z
      .object({
        inputs: z.array(FilePath).min(1).max(10_000),
        kinds: z.array(ExtractKind).min(1),
        formats: z.array(ExportFormat).min(1),
        outDir: FilePath.optional(),
        /** Only shard `index` of `count` (documents chosen by a hash of their path under the inputs' folder). */
        shard: z
          .object({ index: z.number().int().nonnegative(), count: z.number().int().min(1).max(1_000_000) })
          .strict()
          .optional(),
      })
      .strict(),
    output: JobInfo,
    paths: true,
  },
  'extract.cancel': { input: z.object({ jobId: z.string() }).strict(), output: JobInfo },
  'extract.resume': { input: z.object({ jobId: z.string() }).strict(), output: JobInfo },
  'extract.jobs': { input: Empty, output: z.array(JobInfo) },
  'extract.job': { input: z.object({ jobId: z.string() }).strict(), output: JobInfo },
  /**
   * The output folder of a job, checked to exist. The desktop app's main process then opens it in the file
   * manager (`opened: true`); headless, the backend alone answers and the UI offers the path to copy.
   */
  'extract.revealOutput': {
    input: z.object({ jobId: z.string() }).strict(),
    output: z.object({ path: z.string(), opened: z.boolean() }),
  },

  'models.list': {
    input: Empty,
    output: z.object({ known: z.array(KnownModel), installed: z.array(InstalledModel) }),
  },
  'models.pull': {
    input: z.object({ modelId: z.string(), dtype: z.string().optional() }).strict(),
    output: z.object({ pullId: z.string() }),
  },
  'models.pausePull': { input: z.object({ pullId: z.string() }).strict(), output: PullProgress },
  'models.cancelPull': { input: z.object({ pullId: z.string() }).strict(), output: PullProgress },
  'models.import': { input: z.object({ path: FilePath }).strict(), output: InstalledModel, paths: true },
  'models.verify': {
    input: z.object({ modelId: z.string() }).strict(),
    output: z.object({ ok: z.boolean(), problems: z.array(z.string()) }),
  },
  'models.remove': {
    input: z.object({ modelId: z.string() }).strict(),
    output: z.object({ removed: z.boolean() }),
  },
  /**
   * The provider in use and why. A model is loaded only by the first question, or here with `load: true`
   * (which then reports the provider it really got); without it the call is cheap and loads nothing.
   */
  'models.status': {
    input: z.object({ load: z.boolean().optional() }).strict(),
    output: ProviderStatus,
  },

  'settings.get': { input: Empty, output: Settings },
  'settings.set': { input: Settings.partial().strict(), output: Settings },

  // The OpenAI-compatible API's chat turns (src/shared/chat.ts).
  ...chatChannels,
  // The Evaluate view's benchmark runs (src/shared/evaluate.ts).
  ...evalChannels,
  ...reviewChannels,
  // Download sizes of the known models (src/shared/model-sizes.ts).
  ...modelSizeChannels,
  /**
   * Progress of a queue-mode job (`doclens queue add`) read from its Redis. The backend connects to the URL it is
   * given, a server-side resource like a path: refused to HTTP clients unless `serve --allow-paths`.
   */
  'queue.status': { input: QueueStatusInput, output: QueueJobStatus, paths: true },
} as const satisfies Record<string, ChannelDef>;

export type Channel = keyof typeof channels;
export const CHANNELS = Object.keys(channels) as Channel[];

export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(channels, name);
}

export type Input<C extends Channel> = z.input<(typeof channels)[C]['input']>;
export type ParsedInput<C extends Channel> = z.output<(typeof channels)[C]['input']>;
export type Output<C extends Channel> = z.output<(typeof channels)[C]['output']>;

// ---- events ----------------------------------------------------------------------------------------------

export const events = {
  'job.progress': JobProgress,
  'job.file': z.object({ jobId: z.string(), file: JobFile }),
  'job.done': JobInfo,
  'ask.token': z.object({ askId: z.string(), text: z.string() }),
  'ask.done': z.object({ askId: z.string(), answer: Answer }),
  'ask.error': z.object({ askId: z.string(), error: ErrorInfo }),
  /** Reading the asked pages (OCR for scans) before answering: `done` of `total` pages, the last one read. */
  'ask.progress': z.object({
    askId: z.string(),
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    page: z.number().int().nullable(),
    source: TextSource.nullable(),
  }),
  /** Pages read so far by an extract.dates / extract.tables call that named this runId. */
  'extract.progress': z.object({
    runId: z.string(),
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    page: z.number().int().nullable(),
    source: TextSource.nullable(),
  }),
  /** An open document's status or warnings changed after it was opened (a page found to have lost part of itself). */
  'documents.changed': DocumentInfo,
  'models.progress': PullProgress,
  'backend.status': z.object({ state: z.enum(['ready', 'restarted', 'down']), message: z.string() }),
  /** A menu or OS action for the renderer to carry out (Electron: File → Open, a file opened from the OS). */
  'app.command': z.object({
    name: z.enum(['open-path', 'close-document', 'open-dialog', 'run']),
    path: z.string().nullable(),
    /** `run`: the id of a command in src/shared/commands.ts (a menu click). */
    id: z.string().optional(),
  }),
  ...chatEvents,
  ...evalEvents,
} as const;

export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;
export type AppEvent = { [E in EventName]: { type: E; payload: EventPayload<E> } }[EventName];
export const AppEventSchema = z.object({
  type: z.enum(Object.keys(events) as [EventName, ...EventName[]]),
  payload: z.unknown(),
});

// ---- the two derived sides -------------------------------------------------------------------------------

/** What the renderer (and the CLI) holds: one call function and one event subscription. */
export interface Api {
  call<C extends Channel>(channel: C, input: Input<C>): Promise<Output<C>>;
  /** Subscribes to backend events; returns the unsubscribe function. */
  on(listener: (event: AppEvent) => void): () => void;
}

/** Per-call facts a handler may need: how to emit events, and whether the caller may pass paths. */
export interface CallContext {
  emit(event: AppEvent): void;
}

/** What the backend implements: one function per channel, given already-parsed input. */
export type Handlers = { [C in Channel]: (input: ParsedInput<C>, ctx: CallContext) => Promise<Output<C>> };
