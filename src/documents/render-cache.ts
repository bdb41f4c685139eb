// Rendered pages on disk, keyed by the file's content hash + page + DPI, so reopening a document (or the same
// bytes under another name) does not rasterise again. Bounded by a byte cap with least-recently-used eviction.
import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RenderedPage } from '../shared/domain.js';

export interface CacheKey {
  sha256: string;
  page: number;
  dpi: number;
}

interface Entry {
  size: number;
  lastUsed: number;
}

const SUFFIX = '.page';

/** File layout: uint32 LE header length, JSON header (sizes, scale, capped), then the PNG bytes. */
export class RenderCache {
  #index: Map<string, Entry> | null = null;
  #loading: Promise<Map<string, Entry>> | null = null;
  #total = 0;
  #clock = 0;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  static fileName(key: CacheKey): string {
    if (!/^[0-9a-f]{64}$/.test(key.sha256)) throw new Error('cache key needs a sha256 hex digest');
    return `${key.sha256}-p${key.page}-d${String(key.dpi).replace(/[^0-9.]/g, '_')}${SUFFIX}`;
  }

  /** Bytes currently held (as the index knows them). */
  async size(): Promise<number> {
    await this.#load();
    return this.#total;
  }

  async #load(): Promise<Map<string, Entry>> {
    if (this.#index) return this.#index;
    this.#loading ??= (async () => {
      await mkdir(this.dir, { recursive: true });
      const index = new Map<string, Entry>();
      for (const f of await readdir(this.dir)) {
        if (!f.endsWith(SUFFIX)) continue;
        try {
          const st = await stat(path.join(this.dir, f));
          index.set(f, { size: st.size, lastUsed: st.mtimeMs });
          this.#total += st.size;
        } catch {
          // Removed meanwhile.
        }
      }
      this.#clock = Math.max(Date.now(), ...[...index.values()].map((e) => e.lastUsed));
      this.#index = index;
      return index;
    })();
    return this.#loading;
  }

  #tick(): number {
    this.#clock = Math.max(this.#clock + 1, Date.now());
    return this.#clock;
  }

  async get(key: CacheKey): Promise<RenderedPage | null> {
    const index = await this.#load();
    const f = RenderCache.fileName(key);
    const entry = index.get(f);
    if (!entry) return null;
    const file = path.join(this.dir, f);
    try {
      const buf = await readFile(file);
      const headerLen = buf.readUInt32LE(0);
      const header = JSON.parse(buf.subarray(4, 4 + headerLen).toString('utf8')) as Omit<RenderedPage, 'png'>;
      const png = new Uint8Array(buf.subarray(4 + headerLen));
      if (png.length < 8 || png[0] !== 0x89) throw new Error('bad entry');
      entry.lastUsed = this.#tick();
      const t = new Date(entry.lastUsed);
      await utimes(file, t, t).catch(() => undefined);
      return { ...header, png };
    } catch {
      index.delete(f);
      this.#total -= entry.size;
      await unlink(file).catch(() => undefined);
      return null;
    }
  }

  async put(key: CacheKey, page: RenderedPage): Promise<void> {
    const index = await this.#load();
    const f = RenderCache.fileName(key);
    const { png, ...header } = page;
    const json = Buffer.from(JSON.stringify(header), 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(json.length, 0);
    const body = Buffer.concat([len, json, png]);
    if (body.length > this.maxBytes) return;
    const file = path.join(this.dir, f);
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await writeFile(tmp, body);
      await rename(tmp, file);
    } catch {
      await unlink(tmp).catch(() => undefined);
      return; // A cache that cannot write (disk full, read-only) is just a miss next time.
    }
    const old = index.get(f);
    if (old) this.#total -= old.size;
    index.set(f, { size: body.length, lastUsed: this.#tick() });
    this.#total += body.length;
    await this.#evict(index);
  }

  async #evict(index: Map<string, Entry>): Promise<void> {
    if (this.#total <= this.maxBytes) return;
    const byAge = [...index.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [f, e] of byAge) {
      if (this.#total <= this.maxBytes) break;
      index.delete(f);
      this.#total -= e.size;
      await unlink(path.join(this.dir, f)).catch(() => undefined);
    }
  }
}
