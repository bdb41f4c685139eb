// The words of a file's pages through the app's own path (a real backend: pdf.js text layer, else the bundled
// OCR), cached on disk under .cache/fields-text so the field bench and binder work re-run in seconds. The key
// is the file's content, the OCR resolution and the OCR code itself, so a change to either reads again.
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createBackend, type Backend } from '../../src/services/backend.js';
import { OCR_DPI } from '../../src/inference/ocr/index.js';
import type { DocumentInfo, TextPage } from '../../src/shared/domain.js';

const CACHE_DIR = resolve('.cache/fields-text');

async function ocrCodeHash(): Promise<string> {
  const dir = resolve('src/inference/ocr');
  const h = createHash('sha256');
  h.update(`dpi=${OCR_DPI}`);
  for (const f of (await readdir(dir)).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts')).sort()) {
    h.update(f);
    h.update(await readFile(join(dir, f)));
  }
  return h.digest('hex').slice(0, 16);
}

export interface TextSource {
  /** Every page's words of `file`, from the cache when the file and the OCR are unchanged. */
  pages(file: string): Promise<TextPage[]>;
  /** How many files were read through the backend (not the cache) so far. */
  readonly misses: number;
  close(): Promise<void>;
}

export async function openTextSource(opts: { cache?: boolean } = {}): Promise<TextSource> {
  const useCache = opts.cache ?? true;
  const ocrKey = await ocrCodeHash();
  let backend: Backend | null = null;
  let dir = '';
  let misses = 0;
  async function call<T>(channel: string, input: unknown): Promise<T> {
    if (!backend) {
      dir = await mkdtemp(join(tmpdir(), 'doclens-fields-'));
      backend = await createBackend({ dataDir: join(dir, 'data') });
    }
    const r = await backend.call(channel, input);
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.value as T;
  }
  await mkdir(CACHE_DIR, { recursive: true });
  return {
    get misses() {
      return misses;
    },
    async pages(file: string): Promise<TextPage[]> {
      const bytes = await readFile(file);
      const key = createHash('sha256').update(bytes).digest('hex').slice(0, 24) + '-' + ocrKey;
      const path = join(CACHE_DIR, `${key}.json`);
      if (useCache) {
        try {
          return JSON.parse(await readFile(path, 'utf8')) as TextPage[];
        } catch {
          // not cached yet
        }
      }
      misses++;
      const info = await call<DocumentInfo>('documents.open', { path: resolve(file) });
      const pages: TextPage[] = [];
      for (let p = 1; p <= info.pages.length; p++)
        pages.push(await call<TextPage>('documents.text', { docId: info.id, page: p }));
      await call('documents.close', { docId: info.id });
      if (useCache) await writeFile(path, JSON.stringify(pages));
      return pages;
    },
    async close() {
      if (backend) await backend.dispose();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
