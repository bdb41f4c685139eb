// Multi-page TIFFs are read page by page (a fax or a scanner batch is not "1 page"): every page counted, each
// rendered from its own directory, and a file cut short says which pages were lost instead of reporting ok.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import type { DocumentEngine } from './api.js';
import { createDocumentEngine } from './engine.js';
import { tempDir, type TempDir } from './test-pdfs.js';

let tmp: TempDir;
let engine: DocumentEngine;
before(() => {
  tmp = tempDir('doclens-tiff-');
  engine = createDocumentEngine({ poolSize: 1 });
});
after(async () => {
  await engine.destroy();
  tmp.remove();
});

/** A TIFF of `n` 64×48 pages, page k filled with grey level 10·k. */
async function multiPageTiff(n: number): Promise<Buffer> {
  const pages = await Promise.all(
    Array.from({ length: n }, (_, k) =>
      sharp({
        create: {
          width: 64,
          height: 48,
          channels: 3,
          background: { r: 10 * (k + 1), g: 10 * (k + 1), b: 10 * (k + 1) },
        },
      })
        .png()
        .toBuffer(),
    ),
  );
  return sharp(pages, { join: { animated: true } })
    .tiff({ compression: 'none' })
    .toBuffer();
}

test('every page of a 20-page TIFF is a page, rendered from its own directory', async () => {
  const h = await engine.open(tmp.file('fax.tiff', await multiPageTiff(20)));
  try {
    assert.equal(h.info.pageCount, 20);
    assert.equal(h.info.status, 'ok');
    assert.deepEqual(
      h.info.pages.map((p) => [p.width, p.height]),
      Array.from({ length: 20 }, () => [64, 48]),
    );
    for (const page of [1, 7, 20]) {
      const raw = await h.renderRaw(page, { dpi: 72 });
      assert.deepEqual([raw.width, raw.height], [64, 48]);
      assert.equal(raw.data[(24 * 64 + 32) * raw.channels], 10 * page, `page ${page}'s grey`);
    }
    await assert.rejects(h.renderRaw(21, { dpi: 72 }), /page 21 does not exist \(the document has 20\)/);
  } finally {
    await h.close();
  }
});

test('a TIFF cut short is partial, naming the pages lost, or fails those pages; never ok with pages missing', async () => {
  const whole = await multiPageTiff(10);
  const cut = whole.subarray(0, Math.floor(whole.length * 0.55));
  let h;
  try {
    h = await engine.open(tmp.file('cut.tiff', cut));
  } catch (e) {
    assert.match((e as Error).message, /"cut\.tiff"/);
    return;
  }
  try {
    if (h.info.pageCount < 10) {
      assert.equal(h.info.status, 'partial');
      assert.match(
        h.info.warnings.join('; '),
        new RegExp(`pages ${h.info.pageCount + 1}-10 of the TIFF could not be read`),
      );
    } else {
      // All directories listed: the pages whose pixels are gone fail when rendered, naming the file.
      await assert.rejects(h.renderRaw(10, { dpi: 72 }), /"cut\.tiff": the image could not be decoded/);
    }
  } finally {
    await h.close();
  }
});
