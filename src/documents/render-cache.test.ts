// The disk render cache: entries survive a new instance, the byte cap holds, the least recently used go first,
// and the engine serves a second render of the same bytes from it.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { RenderedPage } from '../shared/domain.js';
import { createDocumentEngine } from './engine.js';
import { RenderCache } from './render-cache.js';
import { makePdf, tempDir, type TempDir } from './test-pdfs.js';

let tmp: TempDir;
before(() => {
  tmp = tempDir();
});
after(() => tmp.remove());

const sha = (c: string) => c.repeat(64);
function page(n: number, size: number): RenderedPage {
  const png = new Uint8Array(size).fill(n);
  png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return { page: n, png, width: 10 * n, height: 20, scale: 1.5, dpi: 108, capped: false };
}

test('round trip and persistence across instances', async () => {
  const dir = `${tmp.dir}/c1`;
  const a = new RenderCache(dir, 1_000_000);
  assert.equal(await a.get({ sha256: sha('a'), page: 1, dpi: 108 }), null);
  await a.put({ sha256: sha('a'), page: 1, dpi: 108 }, page(1, 1000));
  const b = new RenderCache(dir, 1_000_000);
  const hit = await b.get({ sha256: sha('a'), page: 1, dpi: 108 });
  assert.ok(hit);
  assert.deepEqual({ ...hit, png: [...hit.png] }, { ...page(1, 1000), png: [...page(1, 1000).png] });
  assert.equal(await b.get({ sha256: sha('a'), page: 1, dpi: 150 }), null, 'DPI is part of the key');
  assert.equal(await b.get({ sha256: sha('b'), page: 1, dpi: 108 }), null, 'content hash is part of the key');
});

test('size cap with least-recently-used eviction', async () => {
  const dir = `${tmp.dir}/c2`;
  const cache = new RenderCache(dir, 3500); // room for three ~1 KB entries
  const key = (n: number) => ({ sha256: sha('c'), page: n, dpi: 72 });
  for (const n of [1, 2, 3]) await cache.put(key(n), page(n, 1000));
  assert.ok(await cache.get(key(1)), 'touch page 1: page 2 is now the oldest');
  await cache.put(key(4), page(4, 1000));
  assert.equal(await cache.get(key(2)), null, 'least recently used evicted');
  for (const n of [1, 3, 4]) assert.ok(await cache.get(key(n)), `page ${n} kept`);
  assert.ok((await cache.size()) <= 3500);
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.page')).length, 3);
  await cache.put(key(5), page(5, 10_000));
  assert.equal(await cache.get(key(5)), null, 'an entry larger than the whole cap is not stored');
});

test('the engine renders once and serves the same bytes, under any name, from the cache', async () => {
  const cacheDir = `${tmp.dir}/c3`;
  const { bytes } = await makePdf([{ texts: [{ text: 'cached', x: 10, y: 200 }] }]);
  const engine = createDocumentEngine({ poolSize: 0, cacheDir });
  try {
    const h = await engine.open(tmp.file('one.pdf', bytes));
    const first = await h.render(1, { dpi: 100 });
    assert.equal(readdirSync(cacheDir).length, 1);
    const again = await engine.open(tmp.file('copy-of-one.pdf', bytes));
    const second = await again.render(1, { dpi: 100 });
    assert.deepEqual(
      [second.width, second.height, second.scale, second.dpi],
      [first.width, first.height, first.scale, 100],
    );
    assert.deepEqual(Buffer.from(second.png), Buffer.from(first.png));
    assert.equal(readdirSync(cacheDir).length, 1, 'no second entry');
    await again.render(1, { dpi: 50 });
    assert.equal(readdirSync(cacheDir).length, 2);
  } finally {
    await engine.destroy();
  }
});
