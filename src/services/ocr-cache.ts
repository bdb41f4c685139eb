// OCR results on disk, so a second question about the same scan — in the app or in another `doclens` process —
// reads the page's words instead of running OCR again (seconds a page on a laptop CPU). Entries are keyed by the
// file's content hash, the page, the render DPI and the OCR engine's fingerprint (model files and post-processing
// version); the folder is bounded by size, least recently used first out; an unreadable entry is a miss.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TextPage } from '../shared/domain.js';

export interface OcrCacheKey {
  /** sha256 of the file's bytes. */
  fileHash: string;
  page: number;
  dpi: number;
  /** The OCR engine's fingerprint (ocrFingerprint()): a new model or post-processing is a new key. */
  engine: string;
}

/** Default bound: 64 MiB of JSON (a dense OCR'd page is 50–150 KiB, so several hundred pages). */
export const OCR_CACHE_MAX_BYTES = 64 << 20;
const FORMAT = 1;

export class OcrCache {
  /** Bytes written since the folder was last measured; eviction runs when the bound may have been passed. */
  private sinceSweep = Infinity;

  constructor(
    readonly dir: string,
    private readonly maxBytes = OCR_CACHE_MAX_BYTES,
  ) {}

  private file(key: OcrCacheKey): string {
    const id = createHash('sha256')
      .update(JSON.stringify([FORMAT, key.fileHash, key.page, key.dpi, key.engine]))
      .digest('hex');
    return join(this.dir, `${id}.json`);
  }

  /** The cached page, or null when there is none or it cannot be read (a corrupt entry is removed). */
  async get(key: OcrCacheKey): Promise<TextPage | null> {
    const file = this.file(key);
    let raw: string;
    try {
      raw = await readFile(file, 'utf8');
    } catch {
      return null;
    }
    try {
      const parsed = TextPage.safeParse(JSON.parse(raw));
      if (!parsed.success || parsed.data.page !== key.page || parsed.data.source !== 'ocr') throw new Error();
      // Recently used: eviction goes by modification time.
      const now = new Date();
      await utimes(file, now, now).catch(() => undefined);
      return parsed.data;
    } catch {
      await rm(file, { force: true }).catch(() => undefined);
      return null;
    }
  }

  /** Stores a page (atomically: a reader never sees half an entry), then keeps the folder under its bound. */
  async put(key: OcrCacheKey, page: TextPage): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = this.file(key);
    const body = JSON.stringify(page);
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, body);
    await rename(tmp, file).catch(async (e: unknown) => {
      await rm(tmp, { force: true });
      throw e;
    });
    this.sinceSweep += body.length;
    if (this.sinceSweep > this.maxBytes / 8) await this.evict();
  }

  /** Removes least recently used entries until the folder is within its bound. */
  async evict(): Promise<void> {
    this.sinceSweep = 0;
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    const entries = (
      await Promise.all(
        names.map(async (name) => {
          const path = join(this.dir, name);
          const s = await stat(path).catch(() => null);
          return s?.isFile() ? { path, size: s.size, used: s.mtimeMs, tmp: name.endsWith('.tmp') } : null;
        }),
      )
    ).filter((e) => e !== null);
    let total = entries.reduce((s, e) => s + e.size, 0);
    // Oldest first; temporary files left by a crashed writer go when they are older than a minute.
    entries.sort((a, b) => a.used - b.used);
    for (const e of entries) {
      const staleTmp = e.tmp && Date.now() - e.used > 60_000;
      if (total <= this.maxBytes && !staleTmp) continue;
      if (e.tmp && !staleTmp) continue;
      await rm(e.path, { force: true }).catch(() => undefined);
      total -= e.size;
    }
  }
}
