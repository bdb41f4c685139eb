// How much a model's download weighs before it is pulled (issue 12, item 18): the manifest's `bytes` where it pins
// them, else the hub's tree listing summed over exactly the files a pull of each dtype fetches (the list store.ts
// plans a pull with), cached in the data folder so the Models panel can say it again offline.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/errors.js';
import type { ModelSizes } from '../../shared/model-sizes.js';
import { causeMessage, HubError, type HubClient, type TreeEntry } from './hub-client.js';
import { externalDataOf } from './layout.js';
import { filePath, filePins, SESSIONS, type Manifest, type ManifestModel } from './manifest.js';
import { sliceBound } from './tensor-slice.js';

type Layout = Manifest['layout'];

export interface WantedFile {
  path: string;
  pins: { bytes: number | null; sha256: string | null };
  /** A pull fails when the hub does not list it (the optional layout files are fetched only when present). */
  required: boolean;
}

/**
 * The files a pull of `dtype` fetches, given the paths the hub lists (`present`, to find each graph's external data
 * files): the layout's files, the model's extra files and the three session graphs with their `_data` files.
 */
export function wantedFiles(
  layout: Layout,
  model: ManifestModel,
  dtype: string,
  present: Iterable<string>,
): WantedFile[] {
  const entry = model.dtypes[dtype];
  if (!entry) throw new AppError('invalid_input', `${model.id} has no dtype ${dtype}`);
  const paths = [...present];
  return [
    ...layout.requiredFiles.map((path) => ({ path, pins: filePins(path), required: true })),
    ...layout.optionalFiles.map((path) => ({ path, pins: filePins(path), required: false })),
    ...(model.extraFiles ?? []).map((file) => ({
      path: filePath(file),
      pins: filePins(file),
      required: true,
    })),
    ...SESSIONS.flatMap((s) => {
      const file = entry.files[s];
      const path = filePath(file);
      const data = externalDataOf(path, paths).map((d) => ({ path: d, pins: filePins(d), required: true }));
      return [{ path, pins: filePins(file), required: true }, ...data];
    }),
  ];
}

/** Bytes a tree entry downloads: an LFS file's `size` is its pointer's, `lfs.size` the content's. */
export function entryBytes(e: Pick<TreeEntry, 'size' | 'lfs'>): number {
  return e.lfs?.size ?? e.size;
}

/**
 * Total bytes of a `dtype` pull over the listed sizes; null when a required file is not listed (cannot be pulled).
 * A tensor read out of a checkpoint (`extraTensors`) counts as its derived file: the size an earlier pull wrote
 * (`slices`, by install path), else the most it can weigh (tensor-slice.ts `sliceBound`), never the checkpoint's.
 */
export function dtypeBytes(
  layout: Layout,
  model: ManifestModel,
  dtype: string,
  sizes: ReadonlyMap<string, number>,
  slices: ReadonlyMap<string, number> = new Map(),
): number | null {
  let total = 0;
  const wanted = wantedFiles(layout, model, dtype, sizes.keys());
  for (const t of model.extraTensors ?? []) {
    if (wanted.some((w) => w.path === t.as) && sizes.has(t.as)) continue; // the repo publishes it: counted below
    if (!sizes.has(t.file)) return null;
    total += slices.get(t.as) ?? sliceBound(t);
  }
  for (const w of wanted) {
    const n = sizes.get(w.path);
    if (n === undefined) {
      if (w.required) return null;
      continue;
    }
    total += n;
  }
  return total;
}

/** The dtypes' bytes the manifest pins (a null `bytes` is not pinned). */
export function manifestBytes(model: ManifestModel): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [dtype, entry] of Object.entries(model.dtypes))
    if (entry.bytes !== null) out[dtype] = entry.bytes;
  return out;
}

const CacheEntry = z.object({
  /** The commit the listing was read at. */
  sha: z.string(),
  checkedAt: z.string(),
  /** Download bytes of the files any dtype of the model fetches (the rest of the listing is not kept). */
  files: z.record(z.string(), z.number().int().nonnegative()),
  /** Sizes of derived one-tensor files (`extraTensors`) a pull wrote at this commit, by install path. */
  slices: z.record(z.string(), z.number().int().nonnegative()).optional(),
});
type CacheEntry = z.infer<typeof CacheEntry>;
const CacheFile = z.object({ version: z.literal(1), repos: z.record(z.string(), CacheEntry) });
type CacheFile = z.infer<typeof CacheFile>;

export interface SizeLookupOptions {
  /** The cache file, e.g. `<dataDir>/models/.download-sizes.json`. */
  file: string;
  hub: HubClient;
  /** A listing of an unpinned revision (`main`) older than this is read again when the hub answers. Default 24 h. */
  ttlMs?: number;
  /** A lookup that gets no answer in this long counts as no connection. Default 15 000. */
  timeoutMs?: number;
  now?: () => number;
}

export interface SizeLookup {
  /** Sizes known without asking the hub: the cache's, with the manifest's where the cache has none. */
  known(layout: Layout, model: ManifestModel): Promise<Record<string, number>>;
  /** Every dtype's size, asking the hub (revision, then tree) when the manifest and a fresh cache do not say. */
  lookup(
    layout: Layout,
    model: ManifestModel,
    options?: { refresh?: boolean; signal?: AbortSignal },
  ): Promise<ModelSizes>;
  /** Records a listing read for a pull (store.ts), so the sizes are known afterwards without another request. */
  remember(layout: Layout, model: ManifestModel, sha: string, tree: TreeEntry[]): Promise<void>;
  /** Records the real size of a derived file a pull wrote (read at commit `sha`), replacing its upper bound. */
  rememberSlice(model: ManifestModel, sha: string, path: string, bytes: number): Promise<void>;
}

const keyOf = (model: ManifestModel) => `${model.repo}@${model.revision ?? 'main'}`;

/** A failure to reach the hub at all (DNS, refused, reset, timed out) rather than an answer from it. */
function isNoConnection(e: unknown): boolean {
  if (e instanceof HubError) return e.status === null && e.retryable;
  return e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
}

export function createSizeLookup(opts: SizeLookupOptions): SizeLookup {
  const ttl = opts.ttlMs ?? 24 * 60 * 60 * 1000;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const now = opts.now ?? Date.now;
  const inFlight = new Map<string, Promise<CacheEntry>>();
  let writes: Promise<void> = Promise.resolve();

  /** The cache as on disk; a missing, unreadable or foreign file reads as empty (it is rebuilt by the next write). */
  async function readCache(): Promise<CacheFile> {
    try {
      const parsed = CacheFile.safeParse(JSON.parse(await readFile(opts.file, 'utf8')));
      if (parsed.success) return parsed.data;
    } catch {
      // no cache yet, or not JSON
    }
    return { version: 1, repos: {} };
  }

  /**
   * Read-modify-write, one at a time, replaced by rename so a reader never sees half a file. The slice sizes known
   * for the same commit are kept (a listing does not tell them).
   */
  function writeEntry(
    key: string,
    entry: CacheEntry | ((old: CacheEntry | undefined) => CacheEntry | null),
  ): Promise<void> {
    writes = writes
      .catch(() => undefined)
      .then(async () => {
        const cache = await readCache();
        const old = cache.repos[key];
        const next =
          typeof entry === 'function'
            ? entry(old)
            : old?.slices && old.sha === entry.sha
              ? { ...entry, slices: { ...old.slices, ...entry.slices } }
              : entry;
        if (!next) return;
        cache.repos[key] = next;
        await mkdir(dirname(opts.file), { recursive: true });
        const tmp = `${opts.file}.${process.pid}.tmp`;
        await writeFile(tmp, `${JSON.stringify(cache, null, 2)}\n`);
        await rename(tmp, opts.file);
      });
    return writes;
  }

  function entryFrom(layout: Layout, model: ManifestModel, sha: string, tree: TreeEntry[]): CacheEntry {
    const listed = new Map(tree.filter((e) => e.type === 'file').map((e) => [e.path, entryBytes(e)]));
    const files: Record<string, number> = {};
    for (const dtype of Object.keys(model.dtypes))
      for (const w of wantedFiles(layout, model, dtype, listed.keys())) {
        const n = listed.get(w.path);
        if (n !== undefined) files[w.path] = n;
      }
    // A sliced checkpoint is kept too: its presence decides whether the dtype can be pulled (its size is not counted).
    for (const t of model.extraTensors ?? []) {
      const n = listed.get(t.file);
      if (n !== undefined) files[t.file] = n;
    }
    return { sha, checkedAt: new Date(now()).toISOString(), files };
  }

  function sizesOf(layout: Layout, model: ManifestModel, entry: CacheEntry): Record<string, number> {
    const listed = new Map(Object.entries(entry.files));
    const slices = new Map(Object.entries(entry.slices ?? {}));
    const out: Record<string, number> = {};
    for (const dtype of Object.keys(model.dtypes)) {
      const n = dtypeBytes(layout, model, dtype, listed, slices);
      if (n !== null) out[dtype] = n;
    }
    return out;
  }

  const fresh = (model: ManifestModel, entry: CacheEntry) =>
    model.revision !== null
      ? entry.sha === model.revision
      : now() - Date.parse(entry.checkedAt) < ttl && Date.parse(entry.checkedAt) <= now();

  function fetchListing(layout: Layout, model: ManifestModel, signal?: AbortSignal): Promise<CacheEntry> {
    const key = keyOf(model);
    let running = inFlight.get(key);
    if (!running) {
      const timeout = AbortSignal.timeout(timeoutMs);
      const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
      running = (async () => {
        const sha = await opts.hub.resolveRevision(model.repo, model.revision ?? 'main', both);
        const tree = await opts.hub.listTree(model.repo, sha, both);
        const entry = entryFrom(layout, model, sha, tree);
        // Sizes of derived files a pull wrote at this commit stay true (a listing cannot tell them).
        const old = (await readCache()).repos[key];
        if (old?.slices && old.sha === sha) entry.slices = old.slices;
        await writeEntry(key, entry).catch(() => undefined); // a read-only data folder still gets its answer
        return entry;
      })().finally(() => inFlight.delete(key));
      inFlight.set(key, running);
    }
    return running;
  }

  return {
    async known(layout, model) {
      const entry = (await readCache()).repos[keyOf(model)];
      return { ...manifestBytes(model), ...(entry ? sizesOf(layout, model, entry) : {}) };
    },

    async lookup(layout, model, options = {}) {
      const pinned = manifestBytes(model);
      const dtypes = Object.keys(model.dtypes);
      const base = { modelId: model.id, message: null };
      if (dtypes.every((d) => d in pinned))
        return { ...base, bytesByDtype: pinned, state: 'known', source: 'manifest', checkedAt: null };
      const cached = (await readCache()).repos[keyOf(model)];
      const withNotes = (entry: CacheEntry, source: 'hub' | 'cache'): ModelSizes => {
        const sizes = { ...pinned, ...sizesOf(layout, model, entry) };
        const absent = dtypes.filter((d) => !(d in sizes));
        return {
          ...base,
          bytesByDtype: sizes,
          state: 'known',
          source,
          checkedAt: entry.checkedAt,
          message: absent.length ? `not published at ${entry.sha.slice(0, 12)}: ${absent.join(', ')}` : null,
        };
      };
      if (cached && !options.refresh && fresh(model, cached)) return withNotes(cached, 'cache');
      try {
        return withNotes(await fetchListing(layout, model, options.signal), 'hub');
      } catch (e) {
        if (options.signal?.aborted) throw options.signal.reason;
        const offline = isNoConnection(e);
        const why = offline
          ? `no connection to the model hub (${opts.hub.endpoint}): ${e instanceof Error && e.name === 'TimeoutError' ? `no answer in ${Math.round(timeoutMs / 1000)} s` : causeMessage(e)}`
          : causeMessage(e);
        // A listing read earlier still tells the size (of the revision it was read at).
        const known = cached && (model.revision === null || cached.sha === model.revision);
        return {
          ...base,
          bytesByDtype: known ? { ...pinned, ...sizesOf(layout, model, cached) } : pinned,
          state: offline ? 'offline' : 'error',
          message: why,
          source: known ? 'cache' : 'manifest',
          checkedAt: known ? cached.checkedAt : null,
        };
      }
    },

    async remember(layout, model, sha, tree) {
      await writeEntry(keyOf(model), entryFrom(layout, model, sha, tree));
    },

    async rememberSlice(model, sha, path, bytes) {
      await writeEntry(keyOf(model), (old) =>
        old && old.sha === sha ? { ...old, slices: { ...old.slices, [path]: bytes } } : null,
      );
    },
  };
}
