// The on-disk OCR cache: a second PageText (as a second process would have) over the same data folder reads the
// scanned invoice's words from disk without running OCR; corrupt entries are misses; the folder stays bounded.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createDocumentEngine, type DocumentEngine } from '../documents/index.js';
import type { TextPage } from '../shared/domain.js';
import { DocumentStore } from './document-store.js';
import { OcrCache, type OcrCacheKey } from './ocr-cache.js';
import { PageText } from './page-text.js';
import { appRoot } from './paths.js';

let dir = '';
let engine: DocumentEngine;
let docs: DocumentStore;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doclens-ocr-cache-'));
  engine = createDocumentEngine({ cacheDir: join(dir, 'render') });
  docs = new DocumentStore(engine, join(dir, 'uploads'));
});
after(async () => {
  await docs.closeAll();
  await engine.destroy();
  await rm(dir, { recursive: true, force: true });
});

test('a second PageText over the same cache folder reads the scanned page from disk, no OCR', async () => {
  const doc = await docs.open(join(appRoot(), 'assets/samples/invoice-scanned.pdf'));
  const cacheDir = join(dir, 'ocr');
  const first = new PageText({ ocrCacheDir: cacheDir });
  const second = new PageText({ ocrCacheDir: cacheDir });
  try {
    let t = performance.now();
    const a = await first.get(doc, 1);
    const ocrMs = performance.now() - t;
    assert.equal(a.source, 'ocr');
    assert.ok(a.words.length > 50, `${a.words.length} words`);
    assert.deepEqual(first.stats, { ocrRuns: 1, diskHits: 0 });
    assert.equal((await readdir(cacheDir)).filter((f) => f.endsWith('.json')).length, 1);

    t = performance.now();
    const b = await second.get(doc, 1);
    const cachedMs = performance.now() - t;
    assert.deepEqual(second.stats, { ocrRuns: 0, diskHits: 1 });
    assert.deepEqual(b, a);
    console.log(
      `scanned invoice page 1: OCR ${ocrMs.toFixed(0)} ms, from the disk cache ${cachedMs.toFixed(0)} ms`,
    );
    // Text-layer pages never touch the OCR cache.
    const digital = await docs.open(join(appRoot(), 'assets/samples/invoice.pdf'));
    assert.equal((await second.get(digital, 1)).source, 'text-layer');
    assert.deepEqual(second.stats, { ocrRuns: 0, diskHits: 1 });
  } finally {
    await first.dispose();
    await second.dispose();
  }
});

function page(n: number, words: number): TextPage {
  const box = { x0: 1, y0: 2, x1: 30, y1: 12 };
  return {
    page: n,
    width: 612,
    height: 792,
    source: 'ocr',
    words: Array.from({ length: words }, (_, i) => ({ text: `w${i}`, box, line: 0, confidence: 0.9 })),
    lines: [{ text: 'line', box, wordStart: 0, wordEnd: words }],
  };
}

const key = (page: number, over: Partial<OcrCacheKey> = {}): OcrCacheKey => ({
  fileHash: 'ab'.repeat(32),
  page,
  dpi: 200,
  engine: 'e1',
  ...over,
});

test('entries are keyed by file, page, DPI and engine; a corrupt entry is a miss and is removed', async () => {
  const cache = new OcrCache(join(dir, 'keys'));
  await cache.put(key(1), page(1, 3));
  assert.deepEqual(await cache.get(key(1)), page(1, 3));
  assert.equal(await cache.get(key(2)), null);
  assert.equal(await cache.get(key(1, { dpi: 300 })), null);
  assert.equal(await cache.get(key(1, { engine: 'e2' })), null);
  assert.equal(await cache.get(key(1, { fileHash: 'cd'.repeat(32) })), null);

  const files = await readdir(cache.dir);
  assert.equal(files.length, 1);
  for (const body of ['{"page":1,"wor', '{"page":1}', 'null', '']) {
    await writeFile(join(cache.dir, files[0]!), body);
    assert.equal(await cache.get(key(1)), null, body);
    assert.deepEqual(await readdir(cache.dir), [], 'the corrupt entry is removed');
    await cache.put(key(1), page(1, 3));
  }
});

test('the folder stays under its bound, least recently used out first', async () => {
  const one = JSON.stringify(page(1, 40)).length;
  const cache = new OcrCache(join(dir, 'bound'), one * 3.5);
  for (let p = 1; p <= 3; p++) await cache.put(key(p), page(p, 40));
  // Age the three entries, then use page 1 again: pages 2 and 3 are now the least recently used.
  for (const f of await readdir(cache.dir))
    await utimes(join(cache.dir, f), new Date(2000, 0, 1), new Date(2000, 0, 1));
  assert.ok(await cache.get(key(1)));
  for (let p = 4; p <= 5; p++) await cache.put(key(p), page(p, 40));
  const left = await readdir(cache.dir);
  let bytes = 0;
  for (const f of left) bytes += (await stat(join(cache.dir, f))).size;
  assert.ok(bytes <= one * 3.5, `${bytes} bytes left, bound ${one * 3.5}`);
  assert.ok(await cache.get(key(1)), 'the recently used entry stays');
  assert.equal(await cache.get(key(2)), null, 'the least recently used entries went');
  assert.equal(await cache.get(key(3)), null, 'the least recently used entries went');
  assert.ok(await cache.get(key(4)));
  assert.ok(await cache.get(key(5)), 'the newest entry stays');
});
