// Domain shapes shared by the backend, the transports and the UI. Declared as zod schemas so the contract
// (contract.ts) parses what crosses a boundary with the same definitions the code is typed with.
import { z } from 'zod';
import { LabelledBox, PageBox, Rect } from './geometry.js';
import { FAMILY_IDS } from './families.js';
import { ChartAnswer } from './charts.js';

export const DocId = z.string().min(1).max(64);

// ---- documents -------------------------------------------------------------------------------------------

export const PageInfo = z.object({
  /** 1-based page number. */
  page: z.number().int().min(1),
  /** Size in page space (points, as displayed: after /Rotate, CropBox and UserUnit). Pixels for images. */
  width: z.number().positive(),
  height: z.number().positive(),
  /** /Rotate of the page in degrees (0, 90, 180, 270); 0 for images. */
  rotation: z.number().int(),
  userUnit: z.number().positive(),
});
export type PageInfo = z.infer<typeof PageInfo>;

export const DocumentKind = z.enum(['pdf', 'image']);
export type DocumentKind = z.infer<typeof DocumentKind>;

export const DocumentInfo = z.object({
  id: DocId,
  name: z.string(),
  kind: DocumentKind,
  mime: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string(),
  pageCount: z.number().int().nonnegative(),
  pages: z.array(PageInfo),
  title: z.string().nullable(),
  encrypted: z.boolean(),
  /** `partial`: the document opened but some pages could not be read (see warnings). */
  status: z.enum(['ok', 'partial']),
  warnings: z.array(z.string()),
});
export type DocumentInfo = z.infer<typeof DocumentInfo>;

export const Word = z.object({
  text: z.string(),
  box: Rect,
  /** Index of the line this word belongs to in TextPage.lines. */
  line: z.number().int().nonnegative(),
  /** OCR confidence 0..1; 1 for the text layer. */
  confidence: z.number().min(0).max(1),
});
export type Word = z.infer<typeof Word>;

export const Line = z.object({
  text: z.string(),
  box: Rect,
  /** Words [wordStart, wordEnd) of TextPage.words. */
  wordStart: z.number().int().nonnegative(),
  wordEnd: z.number().int().nonnegative(),
});
export type Line = z.infer<typeof Line>;

export const TextSource = z.enum(['text-layer', 'ocr', 'none']);
export type TextSource = z.infer<typeof TextSource>;

export const TextPage = z.object({
  page: z.number().int().min(1),
  width: z.number().positive(),
  height: z.number().positive(),
  source: TextSource,
  words: z.array(Word),
  lines: z.array(Line),
});
export type TextPage = z.infer<typeof TextPage>;

export const RenderedPage = z.object({
  page: z.number().int().min(1),
  /** PNG bytes. */
  png: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes'),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Pixels per point actually used (lower than dpi/72 when the canvas cap applied). */
  scale: z.number().positive(),
  dpi: z.number().positive(),
  /** True when the requested DPI would exceed the canvas cap and the scale was lowered. */
  capped: z.boolean(),
  /** What of the page could not be drawn (`page N: an image could not be decoded (…)`); absent or empty when all was. */
  warnings: z.array(z.string()).optional(),
});
export type RenderedPage = z.infer<typeof RenderedPage>;

// ---- AnyRes plan -----------------------------------------------------------------------------------------

/** The ids of src/shared/families.ts (one row per family). */
export const ModelFamily = z.enum(FAMILY_IDS);
export type ModelFamily = z.infer<typeof ModelFamily>;

export const Size = z.object({ width: z.number().int().positive(), height: z.number().int().positive() });
export type Size = z.infer<typeof Size>;

/** Maps a rectangle of model-input pixels to page space: page = offset + pixel * scale (per axis). */
export const TileTransform = z.object({
  offsetX: z.number(),
  offsetY: z.number(),
  scaleX: z.number().positive(),
  scaleY: z.number().positive(),
});
export type TileTransform = z.infer<typeof TileTransform>;

export const PlanTile = z.object({
  kind: z.enum(['single', 'tile', 'global']),
  /** Region of the page this tile covers, in page space. */
  region: Rect,
  /** Size of the image fed to the model for this tile (after smart_resize or to the grid cell). */
  input: Size,
  transform: TileTransform,
  imageTokens: z.number().int().nonnegative(),
});
export type PlanTile = z.infer<typeof PlanTile>;

export const Plan = z.object({
  family: ModelFamily,
  page: z.number().int().min(1),
  pageSize: z.object({ width: z.number().positive(), height: z.number().positive() }),
  /** The raster the tiles are cut from. */
  render: z.object({
    dpi: z.number().positive(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
  }),
  mode: z.enum(['single', 'anyres']),
  grid: z.object({ cols: z.number().int().positive(), rows: z.number().int().positive() }).nullable(),
  tiles: z.array(PlanTile),
  imageTokens: z.number().int().nonnegative(),
  maxPixels: z.number().int().positive(),
  minPixels: z.number().int().positive(),
});
export type Plan = z.infer<typeof Plan>;

// ---- answers ---------------------------------------------------------------------------------------------

export const Timings = z.object({
  vision_ms: z.number().nullable(),
  prefill_ms: z.number().nullable(),
  ttft_ms: z.number().nullable(),
  decode_tokens_per_s: z.number().nullable(),
  total_ms: z.number(),
});
export type Timings = z.infer<typeof Timings>;

export const Engine = z.enum(['vlm', 'reader']);
export type Engine = z.infer<typeof Engine>;

/**
 * How far an answer can be trusted (issue 10):
 * - `verified`: bound to the question by evidence on the page — the value paired with the asked field's label,
 *   or the value the field's type and position single out; for VLM answers the model's value equals that bound
 *   value (and its box, when it drew one, overlaps the evidence);
 * - `found`: the words are on the page but nothing ties them to the question;
 * - `unverified`: not on the page;
 * - `conflict`: the page states a different value for the asked field (both are shown: `conflict`).
 */
export const Trust = z.enum(['verified', 'found', 'unverified', 'conflict']);
export type Trust = z.infer<typeof Trust>;

/** The fields the reader binds from labels and layout (invoices, receipts, statements, forms). */
export const FieldKind = z.enum([
  'total',
  'subtotal',
  'tax',
  'date',
  'due_date',
  'vendor',
  'address',
  'recipient',
  'invoice_number',
  'currency',
  'line_item',
]);
export type FieldKind = z.infer<typeof FieldKind>;

export const FieldValueType = z.enum(['money', 'date', 'name', 'address', 'id', 'text']);
export type FieldValueType = z.infer<typeof FieldValueType>;

/** One value bound to a field on the page, with the evidence that binds it. */
export const BoundField = z.object({
  field: FieldKind,
  /** The value as printed on the page (no label, no time glued to a date). */
  value: z.string(),
  /** Typed value: ISO 8601 date, decimal amount ("11977.20"), ISO 4217 code; null for text fields. */
  normalized: z.string().nullable(),
  type: FieldValueType,
  /** Where the value is, in page space. */
  box: LabelledBox,
  /** The label that names the field on the page ("Total due"), null when position alone binds it. */
  label: z.string().nullable(),
  labelBox: LabelledBox.nullable(),
  /** How label and value were paired: 'right', 'below', 'column', 'table-row', 'position', … */
  how: z.string(),
  /** 0..1: how sure the binder is; only bindings it stands behind are `verified`. */
  score: z.number(),
});
export type BoundField = z.infer<typeof BoundField>;

export const Answer = z.object({
  text: z.string(),
  boxes: z.array(LabelledBox),
  /** true exactly when `trust` is 'verified'; false for found / unverified / conflict; null: not checked. */
  verified: z.boolean().nullable(),
  /** The level of trust (null: nothing to check, e.g. "no dates found"). */
  trust: Trust.nullable().default(null),
  /** Why this level, in a sentence a user reads on hover and in `--json`. */
  trust_reason: z.string().nullable().default(null),
  /** The field the question asked for and the value bound to it, when the reader could bind one. */
  field: BoundField.nullable().default(null),
  /** With trust 'conflict': what the page states for the asked field. */
  conflict: BoundField.nullable().default(null),
  /** When nothing could be bound: the closest candidates, best first. */
  candidates: z.array(BoundField).default([]),
  engine: Engine,
  model: z.string().nullable(),
  provider: z.string().nullable(),
  timings: Timings,
  token_ids: z.array(z.number().int()).nullable(),
  /** Raw model output with special tokens kept (VLM), for the "raw output" view. */
  raw: z.string().nullable(),
  /** A chart answer: the chart read and the indices of its values that answer (the renderer re-plots it). */
  chart: ChartAnswer.nullable().optional(),
});
export type Answer = z.infer<typeof Answer>;

export const AskScope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('page'), page: z.number().int().min(1) }),
  z.object({ kind: z.literal('pages'), from: z.number().int().min(1), to: z.number().int().min(1) }),
  z.object({ kind: z.literal('document') }),
]);
export type AskScope = z.infer<typeof AskScope>;

// ---- extraction ------------------------------------------------------------------------------------------

export const DateHit = z.object({
  /** ISO 8601: YYYY-MM-DD, YYYY-MM or YYYY depending on precision. */
  iso: z.string(),
  precision: z.enum(['day', 'month', 'year']),
  text: z.string(),
  box: PageBox,
  source: TextSource,
});
export type DateHit = z.infer<typeof DateHit>;

export const TableCell = z.object({
  text: z.string(),
  box: Rect,
  row: z.number().int().nonnegative(),
  col: z.number().int().nonnegative(),
  rowSpan: z.number().int().positive(),
  colSpan: z.number().int().positive(),
  /** The page the cell is printed on, set on every cell of a table continued over pages (see Table.parts). */
  page: z.number().int().min(1).optional(),
});
export type TableCell = z.infer<typeof TableCell>;

/** One page's piece of a table continued over pages: its box there and the rows printed there. */
export const TablePart = z.object({
  page: z.number().int().min(1),
  box: Rect,
  /** The first row of the joined table printed on this page, and how many rows are (repeated headers dropped). */
  firstRow: z.number().int().nonnegative(),
  rows: z.number().int().nonnegative(),
});
export type TablePart = z.infer<typeof TablePart>;

export const Table = z.object({
  page: z.number().int().min(1),
  box: Rect,
  method: z.enum(['lattice', 'stream', 'ocr']),
  rows: z.number().int().nonnegative(),
  cols: z.number().int().nonnegative(),
  headerRows: z.number().int().nonnegative(),
  cells: z.array(TableCell),
  /**
   * A table continued over pages, joined into one: a part per page, in order (the first is `page` and `box`);
   * each cell then carries its `page`. Absent for a table on one page.
   */
  parts: z.array(TablePart).optional(),
});
export type Table = z.infer<typeof Table>;

export const ExportFormat = z.enum(['csv', 'xlsx', 'json', 'md']);
export type ExportFormat = z.infer<typeof ExportFormat>;

export const FileStatus = z.enum([
  'pending',
  'running',
  'ok',
  'partial',
  'needs_password',
  'unsupported',
  'too_large',
  'corrupt',
  'timeout',
  'crashed',
  /** The file could not be read (permission, vanished, not a regular file, a failing disk): not the document's fault. */
  'io_error',
]);
export type FileStatus = z.infer<typeof FileStatus>;

export const JobState = z.enum(['queued', 'running', 'paused', 'cancelled', 'done', 'failed']);
export type JobState = z.infer<typeof JobState>;

export const JobProgress = z.object({
  jobId: z.string(),
  state: JobState,
  docsDone: z.number().int().nonnegative(),
  docsTotal: z.number().int().nonnegative(),
  pagesDone: z.number().int().nonnegative(),
  pagesTotal: z.number().int().nonnegative(),
  /** Documents per second over the job so far. */
  rate: z.number().nonnegative(),
  /** Seconds left, from pages per second over this run and the pages left (page counts of unopened documents estimated). */
  etaSeconds: z.number().nonnegative().nullable(),
  currentFile: z.string().nullable(),
  message: z.string().nullable(),
});
export type JobProgress = z.infer<typeof JobProgress>;

export const JobFile = z.object({
  file: z.string(),
  status: FileStatus,
  pages: z.number().int().nonnegative(),
  dates: z.number().int().nonnegative(),
  tables: z.number().int().nonnegative(),
  error: z.string().nullable(),
});
export type JobFile = z.infer<typeof JobFile>;

export const ExtractKind = z.enum(['dates', 'tables', 'charts']);
export type ExtractKind = z.infer<typeof ExtractKind>;

export const JobInfo = z.object({
  jobId: z.string(),
  createdAt: z.string(),
  inputs: z.array(z.string()),
  kinds: z.array(ExtractKind),
  formats: z.array(ExportFormat),
  outDir: z.string(),
  progress: JobProgress,
  files: z.array(JobFile),
  outputs: z.array(z.string()),
});
export type JobInfo = z.infer<typeof JobInfo>;

// ---- models ----------------------------------------------------------------------------------------------

export const Provider = z.enum(['cuda', 'dml', 'cpu']);
export type Provider = z.infer<typeof Provider>;

export const KnownModel = z.object({
  id: z.string(),
  name: z.string(),
  family: ModelFamily,
  repo: z.string(),
  revision: z.string(),
  dtypes: z.array(z.string()),
  bytesByDtype: z.record(z.string(), z.number().int().nonnegative()),
  license: z.string(),
  /** How its answers write boxes (the manifest's `coordinates.space`, checked against the family table). */
  coordinates: z.enum(['norm1000', 'input-pixels', 'unit']).optional(),
  /** The model new installs are pointed to. */
  recommended: z.boolean().optional(),
  /** A quality caveat of this export, e.g. "reduced quality (no DeepStack)". */
  quality: z.string().optional(),
  installed: z.boolean(),
});
export type KnownModel = z.infer<typeof KnownModel>;

export const InstalledModel = z.object({
  id: z.string(),
  family: ModelFamily,
  dtype: z.string(),
  path: z.string(),
  bytes: z.number().int().nonnegative(),
  source: z.enum(['pulled', 'imported', 'generated']),
});
export type InstalledModel = z.infer<typeof InstalledModel>;

export const ProviderAttempt = z.object({
  provider: Provider,
  ok: z.boolean(),
  reason: z.string().nullable(),
});
export type ProviderAttempt = z.infer<typeof ProviderAttempt>;

export const ProviderStatus = z.object({
  preference: z.enum(['auto', 'cuda', 'dml', 'cpu']),
  active: Provider.nullable(),
  attempts: z.array(ProviderAttempt),
  /** Human sentence, e.g. "Running on CPU: CUDA libraries not found (libcudnn.so.9)". */
  summary: z.string(),
  loadedModel: z.string().nullable(),
  /** The installed model questions go to (loaded or not); null when none is installed. */
  installedModel: z.string().nullable(),
});
export type ProviderStatus = z.infer<typeof ProviderStatus>;

export const PullProgress = z.object({
  pullId: z.string(),
  modelId: z.string(),
  state: z.enum([
    'queued',
    'downloading',
    'verifying',
    'installing',
    'done',
    'paused',
    'cancelled',
    'failed',
  ]),
  bytesDone: z.number().nonnegative(),
  bytesTotal: z.number().nonnegative(),
  file: z.string().nullable(),
  message: z.string().nullable(),
  /** Seconds left at the rate of the last few seconds while downloading; null or absent while unknown. */
  etaSeconds: z.number().nonnegative().nullable().optional(),
});
export type PullProgress = z.infer<typeof PullProgress>;

// ---- settings --------------------------------------------------------------------------------------------

export const Settings = z.object({
  provider: z.enum(['auto', 'cuda', 'dml', 'cpu']),
  /** 0 = size to the machine. */
  threads: z.number().int().min(0).max(256),
  imageTokenBudget: z.number().int().min(64).max(16384),
  renderDpi: z.number().int().min(36).max(600),
  theme: z.enum(['light', 'dark', 'system']),
  dateLocale: z.enum(['auto', 'month-first', 'day-first']),
  /** Batch jobs refuse documents with more pages than this (status too_large, naming the count). */
  maxPagesPerDocument: z.number().int().min(1).max(1_000_000),
});
export type Settings = z.infer<typeof Settings>;

export const DEFAULT_SETTINGS: Settings = {
  provider: 'auto',
  threads: 0,
  imageTokenBudget: 1280,
  renderDpi: 150,
  theme: 'system',
  dateLocale: 'auto',
  maxPagesPerDocument: 2000,
};

export { LabelledBox, PageBox, Rect };
