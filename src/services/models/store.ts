// The model store behind the models.* channels: lists known and installed models, pulls from the hub into a work
// folder that survives pauses and restarts and is renamed into place only when every file checks out, imports and
// validates local folders, verifies installed files against their record, and removes models.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import type { InstalledModel, KnownModel, PullProgress } from '../../shared/domain.js';
import { AppError, isAppError, toErrorInfo, type ErrorInfo } from '../../shared/errors.js';
import type { ModelSizes } from '../../shared/model-sizes.js';
import { downloadFile } from './download.js';
import { createSizeLookup, wantedFiles } from './download-sizes.js';
import { HubClient, type TreeEntry } from './hub-client.js';
import { checkFolder, checkSessions, IMPORT_DTYPE_ORDER } from './layout.js';
import { RateMeter } from './pull-eta.js';
import { fetchTensorSlice } from './tensor-slice.js';
import { checkInstalledFiles, installRegular, kindOf } from './safe-files.js';
import {
  filePath,
  findModel,
  loadManifest,
  pickDtype,
  toKnownModel,
  type Manifest,
  type ManifestModel,
} from './manifest.js';
import {
  ModelRecord,
  RECORD_FILE,
  recordBytes,
  scanRecords,
  toInstalled,
  type RecordFile,
} from './record.js';

export interface ModelStoreOptions {
  dataDir: string;
  manifestPath?: string;
  /** Extra model lists merged after the manifest (test-only tiny models; see manifest.ts ExtraManifest). */
  extraManifests?: string[];
  /** Hub base URL; default HF_ENDPOINT, else https://huggingface.co. */
  endpoint?: string;
  /** Sent only to the hub's host; default HF_TOKEN. */
  token?: string;
  onProgress?: (p: PullProgress) => void;
  /** Minimum time between two `downloading` events of one pull (state changes are always sent). Default 250. */
  progressIntervalMs?: number;
  /** A download that receives nothing for this long is retried with Range. Default 30 000. */
  stallMs?: number;
  /** Attempts in a row without progress before a file fails. Default 5. */
  retries?: number;
  retryDelayMs?: number;
  /** Free bytes where models are stored; default `fs.statfs`. */
  freeBytes?: (dir: string) => Promise<number>;
  /** Kept free beyond the download itself. Default 256 MiB. */
  diskMarginBytes?: number;
}

/** The end of a pull run: its last progress and, when it failed, the error with its code. */
export type PullOutcome = PullProgress & { error: ErrorInfo | null };

export interface ImportOptions {
  dtype?: string;
  id?: string;
  source?: 'imported' | 'generated';
  /** Open each graph with onnxruntime to check its I/O names (default true). */
  checkSessions?: boolean;
}

export interface ModelStore {
  /** Where installed models live: `<dataDir>/models`. */
  readonly modelsDir: string;
  list(): Promise<{ known: KnownModel[]; installed: InstalledModel[] }>;
  /**
   * Download sizes per dtype of the known models (or of one): the manifest's pins, else the hub's tree listing,
   * cached in `<dataDir>/models/.download-sizes.json` (download-sizes.ts). Never throws for a hub problem: it says so.
   */
  sizes(modelId?: string, options?: { refresh?: boolean }): Promise<ModelSizes[]>;
  /** The manifest entry of a known model (family, coordinate format, recommended dtypes…). */
  known(modelId: string): Promise<ManifestModel>;
  /**
   * Starts (or joins) a pull. Pulling a model whose pull is paused, failed or left on disk by an earlier run of the app
   * continues from the bytes already downloaded; pulling an installed model ends at once in `done`.
   */
  pull(modelId: string, dtype?: string): Promise<{ pullId: string }>;
  /** Listens to every pull's progress; returns the unsubscribe. */
  subscribe(listener: (p: PullProgress) => void): () => void;
  pause(pullId: string): PullProgress;
  cancel(pullId: string): PullProgress;
  resume(pullId: string): PullProgress;
  progress(pullId: string): PullProgress;
  /** Resolves when the pull's current run ends (done, failed, paused or cancelled). */
  wait(pullId: string): Promise<PullOutcome>;
  /** Pulls left unfinished on disk (by an earlier run of the app); `pull` with the same model and dtype resumes. */
  unfinished(): Promise<{ modelId: string; dtype: string; bytesDone: number; bytesTotal: number }[]>;
  import(path: string, options?: ImportOptions): Promise<InstalledModel>;
  verify(modelId: string): Promise<{ ok: boolean; problems: string[] }>;
  /**
   * The load-time check of an installed model: regular files of the recorded sizes and sha256 (hashing only files
   * changed since their last passing check). Throws `corrupt` naming the file; returns how many files were hashed.
   */
  checkInstalled(modelId: string): Promise<{ hashed: number }>;
  /** Removes an installed model or, when none is installed under that id, its unfinished (not running) downloads. */
  remove(modelId: string): Promise<{ removed: boolean }>;
  get(modelId: string): InstalledModel | null;
  /** The install record (files, sizes, sha256, session paths) of an installed model. */
  record(modelId: string): ModelRecord | null;
  close(): Promise<void>;
}

const WORK_DIR = '.partial';
const PLAN_FILE = '.doclens-pull.json';
/** Beside an installed model's record: the identity of each file at its last passing hash check (safe-files.ts). */
const CHECK_CACHE_FILE = '.doclens-checked.json';
/** Download sizes read from the hub's tree listings (download-sizes.ts). */
const SIZES_FILE = '.download-sizes.json';

const PlanFile = z.object({
  path: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().nullable(),
  gitOid: z.string().nullable(),
  /** sha256 computed when the file finished and passed its check; null while unfinished. */
  done: z.string().nullable(),
});
type PlanFile = z.infer<typeof PlanFile>;

/** A tensor read with Range out of a hub file (manifest `extraTensors`), written into the install as `as`. */
const PlanSlice = z.object({
  as: z.string(),
  file: z.string(),
  names: z.array(z.string()).min(1),
  shape: z.array(z.number().int().nonnegative()).nullable(),
  /** The source file as the hub lists it: checks the range answers, and is what a fallback downloads. */
  source: z.object({
    bytes: z.number().int().nonnegative(),
    sha256: z.string().nullable(),
    gitOid: z.string().nullable(),
  }),
  /** Size and sha256 of the derived file once written; null until then. */
  bytes: z.number().int().nonnegative().nullable(),
  done: z.string().nullable(),
  tensor: z.string().nullable(),
  range: z.object({ start: z.number().int(), end: z.number().int() }).nullable(),
  /** The hub ignored Range: the source file was added to `files` and is downloaded whole instead. */
  fallback: z.boolean(),
});
type PlanSlice = z.infer<typeof PlanSlice>;

/** What a pull fetches, written into its work folder so a restarted app resumes the same files of the same commit. */
const Plan = z.object({
  version: z.literal(1),
  installId: z.string(),
  manifestId: z.string(),
  dtype: z.string(),
  repo: z.string(),
  revision: z.string(),
  sessions: ModelRecord.shape.sessions,
  files: z.array(PlanFile),
  slices: z.array(PlanSlice).default([]),
});
type Plan = z.infer<typeof Plan>;

interface Job {
  pullId: string;
  installId: string;
  model: ManifestModel;
  dtype: string;
  progress: PullProgress;
  error: ErrorInfo | null;
  controller: AbortController | null;
  /** A pause or cancel asked for before the run got its controller. */
  stopReason: StopReason | null;
  /** The current (or last) run; runs are chained so a resume waits for the paused run to unwind. */
  running: Promise<void>;
  lastEmit: number;
}

const ACTIVE = new Set<PullProgress['state']>(['queued', 'downloading', 'verifying', 'installing']);

type StopReason = 'pause' | 'cancel';

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}

async function defaultFreeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9.]+/g, '-')
      .replace(/^[-.]+|-+$/g, '')
      .slice(0, 60) || 'model'
  );
}

/** Replaces `target` with `source` by rename (the old folder is moved aside first and deleted after). */
async function swapInto(source: string, target: string): Promise<void> {
  const trash = `${dirname(target)}/.trash-${basename(target)}-${randomUUID()}`;
  let moved = false;
  try {
    await rename(target, trash);
    moved = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await rename(source, target);
  if (moved) await rm(trash, { recursive: true, force: true });
}

function fsError(e: unknown, what: string): AppError {
  if (isAppError(e)) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return new AppError('disk_full', `${what}: the disk is full`);
  return new AppError('io_error', `${what}: ${(e as Error).message}`);
}

export function createModelStore(opts: ModelStoreOptions): ModelStore {
  const modelsDir = join(resolve(opts.dataDir), 'models');
  const workDir = join(modelsDir, WORK_DIR);
  const hub = new HubClient({
    endpoint: opts.endpoint ?? (process.env.HF_ENDPOINT || undefined),
    token: opts.token ?? (process.env.HF_TOKEN || undefined),
  });
  const progressInterval = opts.progressIntervalMs ?? 250;
  const freeBytes = opts.freeBytes ?? defaultFreeBytes;
  const margin = opts.diskMarginBytes ?? 256 * 1024 * 1024;
  let records = scanRecords(modelsDir);
  const jobs = new Map<string, Job>();
  const listeners = new Set<(p: PullProgress) => void>();
  if (opts.onProgress) listeners.add(opts.onProgress);
  const sizeLookup = createSizeLookup({ file: join(modelsDir, SIZES_FILE), hub });
  let manifestPromise: Promise<Manifest> | null = null;
  let closed = false;

  const manifest = () => {
    manifestPromise ??= loadManifest(opts.manifestPath, opts.extraManifests).catch((e: unknown) => {
      manifestPromise = null;
      throw e;
    });
    return manifestPromise;
  };

  const emit = (job: Job, force = true) => {
    const now = Date.now();
    if (!force && now - job.lastEmit < progressInterval) return;
    job.lastEmit = now;
    for (const l of listeners) {
      try {
        l({ ...job.progress });
      } catch {
        // a listener's failure must not break the pull
      }
    }
  };

  const setState = (
    job: Job,
    state: PullProgress['state'],
    message: string | null = null,
    file?: string | null,
  ) => {
    // A state change restarts the time-left estimate (a paused pull's last ETA means nothing after the resume).
    job.progress = {
      ...job.progress,
      state,
      message,
      file: file === undefined ? job.progress.file : file,
      etaSeconds: null,
    };
    emit(job);
  };

  const getJob = (pullId: string): Job => {
    const job = jobs.get(pullId);
    if (!job) throw new AppError('not_found', `no pull ${pullId}`);
    return job;
  };

  const resolveRecord = (modelId: string): ModelRecord | null => {
    const exact = records.get(modelId);
    if (exact) return exact;
    const variants = [...records.values()].filter((r) => r.manifestId === modelId);
    variants.sort((a, b) => rank(a.dtype) - rank(b.dtype));
    return variants[0] ?? null;
  };
  const rank = (dtype: string) => {
    const i = IMPORT_DTYPE_ORDER.indexOf(dtype);
    return i < 0 ? IMPORT_DTYPE_ORDER.length : i;
  };

  // ---- pull -------------------------------------------------------------------------------------------------

  function buildPlan(
    m: Manifest,
    model: ManifestModel,
    dtype: string,
    revision: string,
    tree: TreeEntry[],
  ): Plan {
    const byPath = new Map(tree.map((e) => [e.path, e]));
    const entry = model.dtypes[dtype];
    if (!entry) throw new AppError('invalid_input', `${model.id} has no dtype ${dtype}`);
    const sessions = {
      vision_encoder: filePath(entry.files.vision_encoder),
      embed_tokens: filePath(entry.files.embed_tokens),
      decoder_model_merged: filePath(entry.files.decoder_model_merged),
    };
    // The same list the download size is summed over (download-sizes.ts), so the size shown is what a pull fetches.
    const wanted = wantedFiles(m.layout, model, dtype, byPath.keys());
    const missing = wanted.filter((w) => w.required && !byPath.has(w.path)).map((w) => w.path);
    if (missing.length)
      throw new AppError(
        'not_found',
        `${model.repo}@${revision.slice(0, 12)} has no ${missing.join(', ')} (dtype ${dtype})`,
      );
    const files: PlanFile[] = [];
    for (const w of wanted) {
      const e = byPath.get(w.path);
      if (!e) continue;
      const bytes = e.lfs?.size ?? e.size;
      const sha256 = e.lfs?.oid ?? w.pins.sha256;
      if (w.pins.bytes !== null && w.pins.bytes !== bytes)
        throw new AppError(
          'corrupt',
          `${w.path}: the hub lists ${bytes} bytes, the manifest pins ${w.pins.bytes}`,
        );
      if (w.pins.sha256 && sha256 !== w.pins.sha256)
        throw new AppError(
          'corrupt',
          `${w.path}: the hub lists sha256 ${sha256 ?? '?'}, the manifest pins ${w.pins.sha256}`,
        );
      files.push({ path: w.path, bytes, sha256, gitOid: e.lfs ? null : e.oid, done: null });
    }
    const slices: PlanSlice[] = [];
    for (const t of model.extraTensors ?? []) {
      // A repo that publishes the one-tensor file itself: it is pulled as a file like any other.
      if (files.some((f) => f.path === t.as)) continue;
      const e = byPath.get(t.file);
      if (!e)
        throw new AppError(
          'not_found',
          `${model.repo}@${revision.slice(0, 12)} has no ${t.file} (where ${t.names.join(' / ')} is read from)`,
        );
      slices.push({
        as: t.as,
        file: t.file,
        names: t.names,
        shape: t.shape ?? null,
        source: { bytes: e.lfs?.size ?? e.size, sha256: e.lfs?.oid ?? null, gitOid: e.lfs ? null : e.oid },
        bytes: null,
        done: null,
        tensor: null,
        range: null,
        fallback: false,
      });
    }
    return {
      version: 1,
      installId: `${model.id}-${dtype}`,
      manifestId: model.id,
      dtype,
      repo: model.repo,
      revision,
      sessions,
      files,
      slices,
    };
  }

  async function readPlan(dir: string): Promise<Plan | null> {
    try {
      const parsed = Plan.safeParse(JSON.parse(await readFile(join(dir, PLAN_FILE), 'utf8')));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  async function savePlan(dir: string, plan: Plan): Promise<void> {
    const tmp = join(dir, `${PLAN_FILE}.tmp`);
    await writeFile(tmp, JSON.stringify(plan, null, 2));
    await rename(tmp, join(dir, PLAN_FILE));
  }

  async function run(job: Job): Promise<void> {
    const controller = new AbortController();
    job.controller = controller;
    if (job.stopReason) controller.abort(job.stopReason);
    const signal = controller.signal;
    const dir = join(workDir, job.installId);
    job.error = null;
    const check = () => {
      if (signal.aborted) throw signal.reason;
    };
    try {
      check();
      const m = await manifest();
      setState(job, 'queued', 'Reading the file list from the hub', null);
      let plan = await readPlan(dir);
      const pinned = job.model.revision;
      if (
        plan &&
        (plan.repo !== job.model.repo || plan.dtype !== job.dtype || (pinned && plan.revision !== pinned))
      )
        plan = null;
      if (!plan) {
        const revision = await hub.resolveRevision(job.model.repo, pinned ?? 'main', signal);
        const tree = await hub.listTree(job.model.repo, revision, signal);
        plan = buildPlan(m, job.model, job.dtype, revision, tree);
        // The listing also tells every dtype's size: the Models panel knows it from now on, offline too.
        await sizeLookup.remember(m.layout, job.model, revision, tree).catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir, { recursive: true });
        await savePlan(dir, plan);
      }
      const note = await runSlices(job, dir, plan, signal);
      const sliced = plan.slices.filter((x) => !x.fallback);
      const total =
        plan.files.reduce((s, f) => s + f.bytes, 0) + sliced.reduce((s, x) => s + (x.bytes ?? 0), 0);
      // Files already finished count as done; partial ones are counted by the download as it resumes.
      let done = sliced.reduce((s, x) => s + (x.bytes ?? 0), 0);
      let onDisk = 0;
      for (const f of plan.files) {
        const size = await sizeOf(join(dir, f.done ? f.path : `${f.path}.part`));
        if (f.done && size !== f.bytes) f.done = null;
        if (f.done) done += f.bytes;
        else onDisk += size ?? 0;
      }
      job.progress = { ...job.progress, bytesTotal: total, bytesDone: done };

      const need = total - done - onDisk;
      await mkdir(modelsDir, { recursive: true });
      const free = await freeBytes(modelsDir);
      if (free < need + margin)
        throw new AppError(
          'disk_full',
          `not enough disk space for ${job.model.id} (${job.dtype}): ${mib(need)} MiB to download, ${mib(free)} MiB free in ${modelsDir}`,
        );

      setState(job, 'downloading', note);
      const meter = new RateMeter();
      for (const f of plan.files) {
        if (f.done) continue;
        if (signal.aborted) throw signal.reason;
        const final = join(dir, ...f.path.split('/'));
        await mkdir(dirname(final), { recursive: true });
        job.progress = { ...job.progress, file: f.path };
        emit(job);
        const result = await downloadFile({
          hub,
          url: hub.resolveUrl(plan.repo, plan.revision, f.path),
          dest: `${final}.part`,
          expected: { bytes: f.bytes, sha256: f.sha256, gitOid: f.gitOid },
          signal,
          stallMs: opts.stallMs ?? 30_000,
          retries: opts.retries ?? 5,
          retryDelayMs: opts.retryDelayMs ?? 1000,
          onBytes: (n) => {
            if (n > 0) meter.add(n);
            const bytesDone = job.progress.bytesDone + n;
            const etaSeconds = meter.etaSeconds(job.progress.bytesTotal - bytesDone);
            job.progress = { ...job.progress, bytesDone, etaSeconds, message: note };
            emit(job, false);
          },
          onResumed: (n) => {
            job.progress = { ...job.progress, bytesDone: job.progress.bytesDone + n, etaSeconds: null };
            emit(job, false);
          },
          onRetry: ({ attempt, of, delayMs, reason }) => {
            job.progress = {
              ...job.progress,
              message: `${f.path}: ${reason}; retrying in ${Math.ceil(delayMs / 1000)} s (attempt ${attempt} of ${of}), resuming from the bytes on disk`,
            };
            emit(job);
          },
        }).catch((e: unknown) => {
          if (signal.aborted) throw signal.reason;
          throw fsError(e, f.path);
        });
        await rename(`${final}.part`, final);
        f.done = result.sha256;
        await savePlan(dir, plan);
      }

      setState(job, 'verifying', null, null);
      const files: RecordFile[] = [];
      for (const f of plan.files) {
        const size = await sizeOf(join(dir, f.path));
        if (size !== f.bytes || !f.done)
          throw new AppError('corrupt', `${f.path} changed on disk during the pull`);
        files.push({ path: f.path, bytes: f.bytes, sha256: f.done });
      }
      for (const x of sliced) {
        const size = await sizeOf(join(dir, x.as));
        if (size === null || size !== x.bytes || !x.done || !x.tensor || !x.range)
          throw new AppError('corrupt', `${x.as} changed on disk during the pull`);
        // No hub hash exists for a derived file: its own sha256 is recorded, with where its bytes came from.
        files.push({
          path: x.as,
          bytes: size,
          sha256: x.done,
          derivedFrom: { file: x.file, revision: plan.revision, tensor: x.tensor, range: x.range },
        });
      }

      check();
      setState(job, 'installing', null);
      const record: ModelRecord = {
        version: 1,
        id: job.installId,
        manifestId: job.model.id,
        family: job.model.family,
        dtype: job.dtype,
        source: 'pulled',
        repo: plan.repo,
        revision: plan.revision,
        license: job.model.license,
        installedAt: new Date().toISOString(),
        sessions: plan.sessions,
        files,
      };
      await writeFile(join(dir, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
      await rm(join(dir, PLAN_FILE), { force: true });
      await swapInto(dir, join(modelsDir, job.installId));
      records.set(record.id, record);
      job.progress = { ...job.progress, bytesDone: total };
      setState(job, 'done', note);
    } catch (e) {
      const reason: unknown = signal.aborted ? signal.reason : null;
      if (reason === 'cancel') {
        await rm(dir, { recursive: true, force: true }).catch(() => undefined);
        job.progress = { ...job.progress, bytesDone: 0 };
        setState(job, 'cancelled', 'Cancelled; the partial download was deleted', null);
      } else if (reason === 'pause') {
        setState(job, 'paused', 'Paused; resume continues where it stopped');
      } else {
        job.error = toErrorInfo(isAppError(e) ? e : fsError(e, job.model.id));
        setState(job, 'failed', `${job.error.code}: ${job.error.message}`);
      }
    } finally {
      job.controller = null;
    }
  }

  /**
   * Reads each `extraTensors` slice of the plan with Range and writes its one-tensor file into the work folder. A hub
   * that ignores Range gets the slice's whole source file added to the plan instead; returns the note saying so.
   */
  async function runSlices(job: Job, dir: string, plan: Plan, signal: AbortSignal): Promise<string | null> {
    const notes: string[] = [];
    for (const x of plan.slices) {
      if (x.fallback) {
        notes.push(fallbackNote(x));
        continue;
      }
      if (x.done && (await sizeOf(join(dir, x.as))) === x.bytes) continue;
      if (signal.aborted) throw signal.reason;
      setState(job, 'downloading', `Reading ${x.names[0] ?? x.as} out of ${x.file} with HTTP Range`, x.as);
      const got = await fetchTensorSlice({
        hub,
        url: hub.resolveUrl(plan.repo, plan.revision, x.file),
        spec: { file: x.file, names: x.names, as: x.as, ...(x.shape ? { shape: x.shape } : {}) },
        revision: plan.revision,
        sourceBytes: x.source.bytes,
        signal,
        stallMs: opts.stallMs ?? 30_000,
        retries: opts.retries ?? 5,
        retryDelayMs: opts.retryDelayMs ?? 1000,
        onRetry: ({ attempt, of, delayMs, reason }) => {
          job.progress = {
            ...job.progress,
            message: `${x.file}: ${reason}; retrying in ${Math.ceil(delayMs / 1000)} s (attempt ${attempt} of ${of})`,
          };
          emit(job);
        },
      }).catch((e: unknown) => {
        if (signal.aborted) throw signal.reason;
        throw fsError(e, x.file);
      });
      if (got.kind === 'no-range') {
        x.fallback = true;
        if (!plan.files.some((f) => f.path === x.file))
          plan.files.push({ path: x.file, ...x.source, done: null });
        await savePlan(dir, plan);
        notes.push(fallbackNote(x));
        continue;
      }
      const final = join(dir, ...x.as.split('/'));
      await mkdir(dirname(final), { recursive: true });
      await writeFile(`${final}.part`, got.bytes);
      await rename(`${final}.part`, final);
      Object.assign(x, {
        bytes: got.bytes.length,
        done: got.sha256,
        tensor: got.tensor,
        range: got.range,
      } satisfies Partial<PlanSlice>);
      await savePlan(dir, plan);
      // From now on the download size counts this file as what it is, not as its upper bound.
      await sizeLookup.rememberSlice(job.model, plan.revision, x.as, got.bytes.length).catch(() => undefined);
    }
    return notes.length ? notes.join('; ') : null;
  }

  function start(job: Job): void {
    job.stopReason = null;
    job.running = job.running.then(() => run(job));
  }

  function stop(job: Job, reason: StopReason): void {
    job.stopReason = reason;
    job.controller?.abort(reason);
  }

  // ---- import / verify ---------------------------------------------------------------------------------------

  async function importFolder(path: string, io: ImportOptions = {}): Promise<InstalledModel> {
    const src = resolve(path);
    const m = await manifest();
    const check = await checkFolder(src, m.layout, io.dtype);
    if (io.checkSessions !== false) await checkSessions(src, check);
    let id = io.id ?? `imported-${slug(basename(src))}`;
    if (!io.id) for (let n = 2; records.has(id); n++) id = `imported-${slug(basename(src))}-${n}`;
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(id))
      throw new AppError('invalid_input', `"${id}" is not a usable model id`);

    const tmp = join(workDir, `import-${randomUUID()}`);
    try {
      const sizes = await Promise.all(check.files.map(async (f) => (await lstat(join(src, f))).size));
      const total = sizes.reduce((a, b) => a + b, 0);
      let spaceChecked = false;
      const files: RecordFile[] = [];
      for (const f of check.files) {
        const from = join(src, ...f.split('/'));
        const to = join(tmp, ...f.split('/'));
        await mkdir(dirname(to), { recursive: true });
        // Regular files only (checked on the opened descriptor): a symlink or FIFO swapped in is refused by name.
        const got = await installRegular(from, to, f, async () => {
          if (spaceChecked) return;
          const free = await freeBytes(workDir);
          if (free < total + margin)
            throw new AppError(
              'disk_full',
              `not enough disk space to copy ${src} (${mib(total)} MiB, ${mib(free)} MiB free)`,
            );
          spaceChecked = true;
        });
        files.push({ path: f, bytes: got.bytes, sha256: got.sha256 });
      }
      const record: ModelRecord = {
        version: 1,
        id,
        manifestId: null,
        family: check.family,
        dtype: check.dtype,
        source: io.source ?? 'imported',
        repo: null,
        revision: null,
        license: null,
        installedAt: new Date().toISOString(),
        sessions: check.sessions,
        files,
      };
      await writeFile(join(tmp, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
      await swapInto(tmp, join(modelsDir, id));
      records.set(id, record);
      return toInstalled(record, join(modelsDir, id));
    } catch (e) {
      await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
      throw fsError(e, `importing ${src}`);
    }
  }

  async function verify(modelId: string): Promise<{ ok: boolean; problems: string[] }> {
    const record = resolveRecord(modelId);
    if (!record) throw new AppError('not_found', `model ${modelId} is not installed`);
    const dir = join(modelsDir, record.id);
    const problems: string[] = [];
    for (const f of record.files) {
      const path = join(dir, ...f.path.split('/'));
      const link = await lstat(path).catch(() => null);
      const size = link?.isFile() ? link.size : null;
      if (link && !link.isFile()) problems.push(`${f.path}: ${kindOf(link)}, not a regular file`);
      else if (size === null) problems.push(`${f.path}: missing`);
      else if (size !== f.bytes)
        problems.push(
          `${f.path}: ${size} bytes, expected ${f.bytes} (${size < f.bytes ? 'truncated' : 'grown'})`,
        );
      else {
        const sha = await sha256File(path);
        if (sha !== f.sha256) problems.push(`${f.path}: sha256 ${sha}, expected ${f.sha256} (corrupt)`);
      }
    }
    return { ok: problems.length === 0, problems };
  }

  /**
   * Deletes the partial downloads of `modelId` (a manifest id or `<id>-<dtype>`) that no pull is running: how the UI
   * discards a download an earlier run of the app left unfinished. True when one was deleted.
   */
  async function removeUnfinished(modelId: string): Promise<boolean> {
    let names: string[];
    try {
      names = await readdir(workDir);
    } catch {
      return false;
    }
    let removed = false;
    for (const name of names) {
      const plan = await readPlan(join(workDir, name));
      if (!plan || (plan.manifestId !== modelId && plan.installId !== modelId)) continue;
      const busy = [...jobs.values()].some(
        (j) => j.installId === plan.installId && ACTIVE.has(j.progress.state),
      );
      if (busy)
        throw new AppError('invalid_input', `${plan.installId} is being downloaded; cancel the pull instead`);
      await rm(join(workDir, name), { recursive: true, force: true });
      for (const j of jobs.values())
        if (j.installId === plan.installId && j.progress.state !== 'done') {
          j.progress = { ...j.progress, bytesDone: 0 };
          setState(j, 'cancelled', 'The partial download was deleted', null);
        }
      removed = true;
    }
    return removed;
  }

  // ---- the store ---------------------------------------------------------------------------------------------

  return {
    modelsDir,
    async known(modelId) {
      return findModel(await manifest(), modelId);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async list() {
      const m = await manifest();
      records = scanRecords(modelsDir);
      const pulled = new Set([...records.values()].map((r) => r.manifestId));
      // Sizes the hub told earlier (cached) complete the manifest's; models.sizes asks the hub for the rest.
      const known = await Promise.all(
        m.models.map(async (model) => ({
          ...toKnownModel(model, pulled.has(model.id)),
          bytesByDtype: await sizeLookup.known(m.layout, model),
        })),
      );
      return {
        known,
        installed: [...records.values()].map((r) => toInstalled(r, join(modelsDir, r.id))),
      };
    },

    async sizes(modelId, options = {}) {
      const m = await manifest();
      const models = modelId === undefined ? m.models : [findModel(m, modelId)];
      return Promise.all(models.map((model) => sizeLookup.lookup(m.layout, model, options)));
    },

    async pull(modelId, dtype) {
      if (closed) throw new AppError('io_error', 'the model store is closed');
      const m = await manifest();
      const model = findModel(m, modelId);
      const chosen = pickDtype(model, dtype);
      // The size known before the hub is asked (manifest or cache), so progress has a total from the start.
      const knownTotal =
        (await sizeLookup.known(m.layout, model).catch((): Record<string, number> => ({})))[chosen] ?? 0;
      const installId = `${model.id}-${chosen}`;
      // The newest pull of the same files: join it, restart it (paused / pausing / failed), or wait for it to unwind.
      const same = [...jobs.values()].filter((j) => j.installId === installId);
      const previous = same[same.length - 1];
      if (previous && previous.stopReason !== 'cancel') {
        const state = previous.progress.state;
        if (ACTIVE.has(state) && previous.stopReason === null) return { pullId: previous.pullId };
        if (ACTIVE.has(state) || state === 'paused' || state === 'failed') {
          // A pause still unwinding is fine: the new run is chained after it and continues from its bytes.
          setState(previous, 'queued', null);
          start(previous);
          return { pullId: previous.pullId };
        }
      }
      const job: Job = {
        pullId: randomUUID(),
        installId,
        model,
        dtype: chosen,
        progress: {
          pullId: '',
          modelId: model.id,
          state: 'queued',
          bytesDone: 0,
          bytesTotal: knownTotal,
          file: null,
          message: null,
        },
        error: null,
        controller: null,
        stopReason: null,
        running: Promise.resolve(),
        lastEmit: 0,
      };
      job.progress.pullId = job.pullId;
      jobs.set(job.pullId, job);
      // A cancelled pull of the same files may still be deleting its work folder: start after it.
      if (previous) job.running = previous.running.catch(() => undefined);
      const installed = scanRecords(modelsDir).get(installId);
      if (installed) {
        records.set(installId, installed);
        const bytes = recordBytes(installed);
        job.progress = { ...job.progress, state: 'done', bytesDone: bytes, bytesTotal: bytes };
        job.progress.message = `${model.id} (${chosen}) is already installed; remove it first to download it again`;
        emit(job);
        return { pullId: job.pullId };
      }
      emit(job);
      start(job);
      return { pullId: job.pullId };
    },

    pause(pullId) {
      const job = getJob(pullId);
      if (ACTIVE.has(job.progress.state)) {
        stop(job, 'pause');
        return { ...job.progress, state: 'paused' };
      }
      return { ...job.progress };
    },

    cancel(pullId) {
      const job = getJob(pullId);
      const state = job.progress.state;
      if (state === 'done' || state === 'cancelled') return { ...job.progress };
      const unwinding = job.controller?.signal.aborted ?? false;
      stop(job, 'cancel');
      if (!ACTIVE.has(state) || unwinding) {
        // Paused, failed, or a pause still unwinding: delete the work folder once whatever runs has stopped.
        const dir = join(workDir, job.installId);
        job.running = job.running.then(async () => {
          if (job.progress.state === 'cancelled') return;
          await rm(dir, { recursive: true, force: true }).catch(() => undefined);
          job.progress = { ...job.progress, bytesDone: 0 };
          setState(job, 'cancelled', 'Cancelled; the partial download was deleted', null);
        });
      }
      return { ...job.progress, state: 'cancelled' };
    },

    resume(pullId) {
      const job = getJob(pullId);
      if (closed) throw new AppError('io_error', 'the model store is closed');
      if (job.progress.state === 'paused' || job.progress.state === 'failed') {
        setState(job, 'queued', null);
        start(job);
      }
      return { ...job.progress };
    },

    progress(pullId) {
      return { ...getJob(pullId).progress };
    },

    async wait(pullId) {
      const job = getJob(pullId);
      let seen: Promise<void> | null = null;
      while (seen !== job.running) {
        seen = job.running;
        await seen;
      }
      return { ...job.progress, error: job.error };
    },

    async unfinished() {
      const out: { modelId: string; dtype: string; bytesDone: number; bytesTotal: number }[] = [];
      let names: string[] = [];
      try {
        names = await readdir(workDir);
      } catch {
        return out;
      }
      for (const name of names.sort()) {
        const plan = await readPlan(join(workDir, name));
        if (!plan) continue;
        let bytesDone = 0;
        for (const f of plan.files)
          bytesDone += f.done ? f.bytes : ((await sizeOf(join(workDir, name, `${f.path}.part`))) ?? 0);
        const sliced = plan.slices.filter((x) => !x.fallback).reduce((s, x) => s + (x.bytes ?? 0), 0);
        out.push({
          modelId: plan.manifestId,
          dtype: plan.dtype,
          bytesDone: bytesDone + sliced,
          bytesTotal: plan.files.reduce((s, f) => s + f.bytes, 0) + sliced,
        });
      }
      return out;
    },

    import: importFolder,
    verify,
    async checkInstalled(modelId) {
      const record = resolveRecord(modelId);
      if (!record) throw new AppError('not_found', `model ${modelId} is not installed`);
      const dir = join(modelsDir, record.id);
      return checkInstalledFiles(dir, record.id, record.files, join(dir, CHECK_CACHE_FILE));
    },

    async remove(modelId) {
      const record = resolveRecord(modelId);
      if (!record) return { removed: await removeUnfinished(modelId) };
      const dir = join(modelsDir, record.id);
      const trash = join(modelsDir, `.trash-${record.id}-${randomUUID()}`);
      try {
        await rename(dir, trash);
      } catch (e) {
        throw fsError(e, `removing ${record.id}`);
      }
      records.delete(record.id);
      await rm(trash, { recursive: true, force: true });
      return { removed: true };
    },

    get(modelId) {
      const record = resolveRecord(modelId);
      return record ? toInstalled(record, join(modelsDir, record.id)) : null;
    },

    record(modelId) {
      return resolveRecord(modelId);
    },

    async close() {
      closed = true;
      for (const job of jobs.values()) if (ACTIVE.has(job.progress.state)) stop(job, 'pause');
      await Promise.all([...jobs.values()].map((j) => j.running));
    },
  };
}

function fallbackNote(x: PlanSlice): string {
  return `the hub ignored the Range request for ${x.file}, so the whole file (${mib(x.source.bytes)} MiB) is downloaded for ${x.names[0] ?? x.as}`;
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
