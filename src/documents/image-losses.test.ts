// Pages whose embedded images pdf.js could not draw are reported, not silently white: real pdf.js in a real pool
// worker renders PDFs with a damaged JPEG, a garbage FlateDecode stream and an oversized image beside a good one.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DocumentEngine } from './api.js';
import { createDocumentEngine } from './engine.js';
import { pageLosses } from './pdfjs-setup.js';
import { imagePdf, tempDir, type TempDir } from './test-pdfs.js';

let engine: DocumentEngine;
let tmp: TempDir;
before(() => {
  tmp = tempDir('doclens-image-losses-');
  engine = createDocumentEngine({ poolSize: 1, cacheDir: tmp.dir + '/cache' });
});
after(async () => {
  await engine.destroy();
  tmp.remove();
});

test('renders report each lost image on its page and make the document partial; the good page stays clean', async () => {
  const file = tmp.file(
    'mixed.pdf',
    await imagePdf(['good-jpeg', 'cut-jpeg', 'garbage-flate', 'huge', 'no-frame-jpeg']),
  );
  const h = await engine.open(file);
  assert.equal(h.info.status, 'ok', 'nothing is known lost before a page is drawn');
  const good = await h.render(1, { dpi: 72 });
  assert.equal(good.warnings, undefined);
  // The good page shows its red image at its centre (PDF y 50 is row 150 at 72 DPI).
  const raw1 = await h.renderRaw(1, { dpi: 72 });
  const at = (150 * raw1.width + 60) * raw1.channels;
  assert.ok((raw1.data[at] ?? 0) > 150 && (raw1.data[at + 1] ?? 255) < 100, 'image drawn');
  assert.deepEqual(raw1.warnings, []);
  assert.equal(h.info.status, 'ok');

  const cut = await h.renderRaw(2, { dpi: 72 });
  assert.deepEqual(cut.warnings, ['page 2: an image is incomplete (JPEG data is cut short)']);
  assert.equal(h.info.status, 'partial');
  const flate = await h.render(3, { dpi: 72 });
  assert.equal(flate.warnings?.length, 1);
  assert.match(flate.warnings?.[0] ?? '', /^page 3: a stream could not be decompressed \(.*flate.*\)/);
  const huge = await h.render(4, { dpi: 72 });
  assert.deepEqual(huge.warnings, ['page 4: an image over 67,108,864 pixels was left out']);
  const noFrame = await h.render(5, { dpi: 72 });
  assert.ok(
    noFrame.warnings?.includes('page 5: an image could not be decoded (no frame data found)'),
    String(noFrame.warnings),
  );
  // A damaged page is not cached: rendering it again reports it again.
  assert.deepEqual((await h.render(4, { dpi: 72 })).warnings, huge.warnings);
  for (const p of [2, 3, 4, 5])
    assert.ok(
      h.info.warnings.some((w) => w.startsWith(`page ${p}: `)),
      `page ${p}`,
    );
  assert.ok(!h.info.warnings.some((w) => w.startsWith('page 1')));
  assert.equal(new Set(h.info.warnings).size, h.info.warnings.length, 'each reason once');
  await h.close();
});

test('reading ruling lines decodes the images too and reports the lost ones', async () => {
  const file = tmp.file('rulings.pdf', await imagePdf(['good-jpeg', 'garbage-flate']));
  const h = await engine.open(file);
  const segs = await h.rulings([1]);
  assert.equal(segs.length, 1);
  assert.equal(h.info.status, 'ok');
  await h.rulings([1, 2]);
  assert.equal(h.info.status, 'partial');
  assert.ok(h.info.warnings.some((w) => w.startsWith('page 2: a stream could not be decompressed')));
  await h.close();
});

test('an image shared by several pages is reported on every page that draws it, whatever pdf.js cached', async () => {
  for (const [c, reason] of [
    ['garbage-flate', /^a stream could not be decompressed/],
    ['cut-jpeg', /^an image is incomplete \(JPEG data is cut short\)$/],
    ['no-frame-jpeg', /^an image could not be decoded/],
  ] as const) {
    const file = tmp.file(`shared-${c}.pdf`, await imagePdf(['good-jpeg', c, c, c, c], { shared: true }));
    const h = await engine.open(file);
    for (const p of [1, 2, 3, 4, 5, 3]) {
      const w = (await h.renderRaw(p, { dpi: 72 })).warnings ?? [];
      if (p === 1) assert.deepEqual(w, [], c);
      else
        assert.ok(
          w.length > 0 && w.every((x) => x.startsWith(`page ${p}: `)),
          `${c} page ${p}: ${String(w)}`,
        );
      if (p > 1)
        assert.ok(
          w.some((x) => reason.test(x.slice(`page ${p}: `.length))),
          `${c} page ${p}: ${String(w)}`,
        );
    }
    await h.close();
  }
});

test('pageLosses keeps only warnings that mean something was not drawn', () => {
  assert.deepEqual(
    pageLosses([
      'TT: undefined function: 21',
      'Unable to decode image "img_p0_1": "JpegError: JpegImage.parse - no frame data found.".',
      'Unable to decode image "img_p0_2": "JpegError: JpegImage.parse - no frame data found.".',
      "Dependent image isn't ready yet",
      'Image exceeded maximum allowed size and was removed.',
    ]),
    ['an image could not be decoded (no frame data found)', 'an image over 67,108,864 pixels was left out'],
  );
});
