// The worker pool with real pdf.js workers: a page past its deadline is stopped (its worker terminated) and the
// next request still works; workers are replaced after N pages; concurrent requests spread over the pool.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { AppError } from '../shared/errors.js';
import type { DocFacts, DocRef, RenderOutput } from './loaded-doc.js';
import { createDocumentEngine } from './engine.js';
import { WorkerPool } from './pool.js';
import { makePdf, pdfWithContent, tempDir, type TempDir } from './test-pdfs.js';
import type { TextPage } from '../shared/domain.js';

let tmp: TempDir;
before(() => {
  tmp = tempDir();
});
after(() => tmp.remove());

test('a page past its deadline ends in timeout, its worker is replaced, and the document stays usable', async () => {
  // 20 000 page-sized triangles: seconds of rasterising at 300 DPI, while its text layer takes milliseconds.
  const slow = pdfWithContent(Buffer.from('0 0 m 612 792 l 0 792 l h f\n'.repeat(20_000)), 1);
  const engine = createDocumentEngine({ poolSize: 1, pageTimeoutMs: 1000 });
  try {
    const h = await engine.open(tmp.file('slow.pdf', slow));
    const t0 = Date.now();
    await assert.rejects(h.render(1, { dpi: 300 }), (e: AppError) => {
      assert.equal(e.code, 'timeout');
      assert.match(e.message, /"slow\.pdf": page 1 took longer than/);
      return true;
    });
    assert.ok(Date.now() - t0 < 3000, `stopped promptly (${Date.now() - t0} ms)`);
    const text = await h.text(1);
    assert.equal(text.page, 1);
    const { bytes } = await makePdf([{ texts: [{ text: 'after', x: 10, y: 10 }] }]);
    const ok = await engine.open(tmp.file('after.pdf', bytes));
    assert.deepEqual(
      (await ok.text(1)).words.map((w) => w.text),
      ['after'],
    );
  } finally {
    await engine.destroy();
  }
});

test('workers are recycled after N pages and results stay right', async () => {
  const { bytes } = await makePdf(
    Array.from({ length: 6 }, (_, i) => ({
      size: [200, 100] as [number, number],
      texts: [{ text: `page${i + 1}`, x: 10, y: 50 }],
    })),
  );
  const shared = new SharedArrayBuffer(bytes.length);
  new Uint8Array(shared).set(bytes);
  const doc: DocRef = {
    id: randomUUID(),
    name: 'six.pdf',
    kind: 'pdf',
    data: shared,
    maxImagePixels: 2 ** 28,
  };
  const pool = new WorkerPool({ size: 1, recycleAfterPages: 3 });
  try {
    const facts = (await pool.run({ op: 'open', doc }, 10_000, 'open')) as DocFacts;
    assert.equal(facts.pageCount, 6);
    const texts = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(
        (page) => pool.run({ op: 'text', doc, page }, 10_000, 'text') as Promise<TextPage>,
      ),
    );
    assert.deepEqual(
      texts.map((t) => t.words[0]?.text),
      ['page1', 'page2', 'page3', 'page4', 'page5', 'page6'],
    );
    const r = (await pool.run(
      { op: 'render', doc, page: 3, dpi: 144, format: 'png' },
      10_000,
      'r',
    )) as RenderOutput;
    assert.deepEqual([r.width, r.height], [400, 200]);
    assert.equal(pool.stats.recycled, 2, 'seven pages, a new worker every three');
    assert.equal(pool.stats.spawned, 3);
    assert.equal(pool.stats.live, 1);
    assert.equal(pool.stats.killed, 0);
  } finally {
    await pool.destroy();
  }
  await assert.rejects(pool.run({ op: 'open', doc }, 1000, 'x'), (e: AppError) => e.code === 'cancelled');
});
