// The engine against real pdf.js, sharp and files drawn with pdf-lib: page geometry (/Rotate, CropBox, UserUnit),
// word boxes where pdf-lib put the glyphs, rasters whose pixels land where page space says, and typed errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import path from 'node:path';
import { mkdirSync, readFileSync } from 'node:fs';
import sharp from 'sharp';
import type { AppError } from '../shared/errors.js';
import type { DocumentEngine } from './api.js';
import { capScale, rasterSize } from './canvas-cap.js';
import { createDocumentEngine } from './engine.js';
import { pdfRulings } from './rulings.js';
import { CORPUS, makePdf, pdfWithImage, pngClaiming, tempDir, type TempDir } from './test-pdfs.js';
import { deflateSync } from 'node:zlib';

const SAMPLES = path.join(import.meta.dirname, '../../assets/samples');

let tmp: TempDir;
let engine: DocumentEngine;

before(() => {
  tmp = tempDir();
  engine = createDocumentEngine({ poolSize: 0 });
});
after(async () => {
  await engine.destroy();
  tmp.remove();
});

async function rejects(p: Promise<unknown>, code: string, nameInMessage: string): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    const err = e as AppError;
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    assert.ok(err.message.includes(nameInMessage), `message names the file: ${err.message}`);
    return err;
  }
  assert.fail(`expected ${code}`);
}

function near(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} not within ${tol} of ${expected}`);
}

/** RGB of the pixel at page-space point (x, y) in a rendered PNG. */
async function pixelAt(
  png: Uint8Array,
  scale: number,
  x: number,
  y: number,
): Promise<[number, number, number]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const px = Math.floor(x * scale);
  const py = Math.floor(y * scale);
  const i = (py * info.width + px) * info.channels;
  return [data[i] ?? -1, data[i + 1] ?? -1, data[i + 2] ?? -1];
}

const isRed = (p: [number, number, number]) => p[0] > 200 && p[1] < 60 && p[2] < 60;

describe('PDF geometry and text', () => {
  test('upright page: size, title, word boxes within 1 pt of where pdf-lib drew them', async () => {
    const { bytes, font } = await makePdf(
      [
        {
          size: [600, 400],
          texts: [
            { text: 'Hello World again', x: 50, y: 300 },
            { text: 'Second line', x: 50, y: 280 },
          ],
        },
      ],
      'Quarterly Report',
    );
    const h = await engine.open(tmp.file('upright.pdf', bytes));
    assert.equal(h.info.kind, 'pdf');
    assert.equal(h.info.mime, 'application/pdf');
    assert.equal(h.info.title, 'Quarterly Report');
    assert.equal(h.info.pageCount, 1);
    assert.deepEqual(h.info.pages[0], { page: 1, width: 600, height: 400, rotation: 0, userUnit: 1 });
    assert.match(h.info.sha256, /^[0-9a-f]{64}$/);
    assert.equal(h.info.bytes, bytes.length);
    const t = await h.text(1);
    assert.equal(t.source, 'text-layer');
    assert.deepEqual(
      t.words.map((w) => w.text),
      ['Hello', 'World', 'again', 'Second', 'line'],
    );
    assert.deepEqual(
      t.lines.map((l) => [l.text, l.wordStart, l.wordEnd]),
      [
        ['Hello World again', 0, 3],
        ['Second line', 3, 5],
      ],
    );
    const world = t.words[1];
    assert.ok(world);
    near(world.box.x0, 50 + font.widthOfTextAtSize('Hello ', 12), 1, 'World x0');
    near(world.box.x1, 50 + font.widthOfTextAtSize('Hello World', 12), 1, 'World x1');
    // Baseline at page y = 400 - 300 = 100: the box spans it, about one font size tall.
    assert.ok(world.box.y0 < 100 - 12 * 0.6 && world.box.y0 > 100 - 12 * 1.05, `top ${world.box.y0}`);
    assert.ok(world.box.y1 > 100 && world.box.y1 < 100 + 12 * 0.35, `bottom ${world.box.y1}`);
    assert.equal(world.line, 0);
    assert.equal(world.confidence, 1);
    await h.close();
  });

  test('/Rotate 90 swaps width and height and turns user space into displayed page space', async () => {
    const { bytes, font } = await makePdf([
      {
        size: [600, 400],
        rotate: 90,
        texts: [{ text: 'Hello', x: 50, y: 300 }],
        redRects: [[100, 100, 50, 20]],
      },
    ]);
    const h = await engine.open(tmp.file('rot90.pdf', bytes));
    assert.deepEqual(h.info.pages[0], { page: 1, width: 400, height: 600, rotation: 90, userUnit: 1 });
    const t = await h.text(1);
    const w = t.words[0];
    assert.ok(w);
    // Rotated clockwise: user (x, y) is displayed at (y, x); the text runs down the page, glyphs standing right.
    near(w.box.y0, 50, 1, 'Hello y0');
    near(w.box.y1, 50 + font.widthOfTextAtSize('Hello', 12), 1, 'Hello y1');
    assert.ok(w.box.x0 < 300 && w.box.x0 > 300 - 12 * 0.35, `x0 ${w.box.x0}`);
    assert.ok(w.box.x1 > 300 + 12 * 0.6 && w.box.x1 < 300 + 12 * 1.05, `x1 ${w.box.x1}`);
    const r = await h.render(1, { dpi: 72 });
    assert.equal(r.width, 400);
    assert.equal(r.height, 600);
    // The red rectangle user [100..150]×[100..120] is displayed at x 100..120, y 100..150.
    assert.ok(isRed(await pixelAt(r.png, r.scale, 110, 125)));
    assert.ok(!isRed(await pixelAt(r.png, r.scale, 125, 110)));
    await h.close();
  });

  test('CropBox offset: page space starts at the CropBox corner', async () => {
    const { bytes } = await makePdf([
      {
        size: [600, 800],
        cropBox: [100, 100, 400, 500],
        texts: [
          { text: 'Inside', x: 150, y: 450 },
          { text: 'Outside', x: 450, y: 700 },
        ],
        redRects: [[200, 200, 40, 40]],
      },
    ]);
    const h = await engine.open(tmp.file('crop.pdf', bytes));
    assert.deepEqual(h.info.pages[0], { page: 1, width: 300, height: 400, rotation: 0, userUnit: 1 });
    const t = await h.text(1);
    assert.deepEqual(
      t.words.map((w) => w.text),
      ['Inside'],
      'a word outside the CropBox is not on the displayed page',
    );
    near(t.words[0]?.box.x0 ?? NaN, 50, 1, 'x0');
    const r = await h.render(1, { dpi: 144 });
    assert.equal(r.width, 600);
    assert.equal(r.height, 800);
    near(r.scale, 2, 1e-9, 'scale');
    // user (220, 220) → page (120, 500 - 220 = 280)
    assert.ok(isRed(await pixelAt(r.png, r.scale, 120, 280)));
    assert.ok(!isRed(await pixelAt(r.png, r.scale, 120, 200)));
    await h.close();
  });

  test('UserUnit 2 doubles page space', async () => {
    const { bytes, font } = await makePdf([
      { size: [300, 200], userUnit: 2, texts: [{ text: 'Big', x: 10, y: 100 }] },
    ]);
    const h = await engine.open(tmp.file('uu.pdf', bytes));
    assert.deepEqual(h.info.pages[0], { page: 1, width: 600, height: 400, rotation: 0, userUnit: 2 });
    const t = await h.text(1);
    near(t.words[0]?.box.x0 ?? NaN, 20, 1, 'x0');
    near(t.words[0]?.box.x1 ?? NaN, 20 + 2 * font.widthOfTextAtSize('Big', 12), 1, 'x1');
    const r = await h.render(1, { dpi: 72 });
    assert.equal(r.width, 600);
    assert.equal(r.height, 400);
    await h.close();
  });

  test('multi-page document with mixed rotations; raw pixels match the PNG size', async () => {
    const { bytes } = await makePdf([
      { size: [200, 100] },
      { size: [200, 100], rotate: 270 },
      { size: [200, 100], rotate: 180 },
    ]);
    const h = await engine.open(tmp.file('mixed.pdf', bytes));
    assert.deepEqual(
      h.info.pages.map((p) => [p.width, p.height, p.rotation]),
      [
        [200, 100, 0],
        [100, 200, 270],
        [200, 100, 180],
      ],
    );
    const raw = await h.renderRaw(2, { dpi: 144 });
    assert.equal(raw.width, 200);
    assert.equal(raw.height, 400);
    assert.equal(raw.data.length, raw.width * raw.height * raw.channels);
    const blank = await h.text(1);
    assert.equal(blank.source, 'none');
    assert.equal(blank.words.length, 0);
    await rejects(h.text(4), 'invalid_input', 'mixed.pdf');
    await h.close();
    await rejects(h.text(1), 'invalid_input', 'mixed.pdf');
  });

  test('the canvas cap lowers the scale of a huge page and says so', async () => {
    // Area cap, as arithmetic: a 14400 pt square at 300 DPI would be 60000² pixels.
    const area = capScale(14400, 14400, 300 / 72);
    const px = rasterSize(14400, 14400, area.scale);
    assert.equal(area.capped, true);
    assert.ok(
      px.width * px.height <= 2 ** 25 && px.width * px.height > 0.999 * 2 ** 25,
      `${px.width}×${px.height}`,
    );
    assert.deepEqual(capScale(612, 792, 2), { scale: 2, capped: false });
    // Side cap, rendered: a 14400×36 pt strip at 300 DPI.
    const { bytes } = await makePdf([{ size: [14400, 36] }]);
    const h = await engine.open(tmp.file('strip.pdf', bytes));
    const strip = await h.render(1, { dpi: 300 });
    assert.equal(strip.capped, true, 'RenderedPage.capped records the lowered scale');
    assert.equal(strip.width, 32767, 'a side is capped at 32767');
    near(strip.scale, 32767 / 14400, 1e-3, 'strip scale');
    const small = await h.render(1, { dpi: 72 });
    assert.deepEqual([small.width, small.height, small.capped], [14400, 36, false]);
    await h.close();
  });
});

describe('errors name the file and carry a code', () => {
  test('missing, folder, empty, random bytes, HTML named .pdf', async () => {
    await rejects(engine.open(path.join(tmp.dir, 'nope.pdf')), 'not_found', 'nope.pdf');
    mkdirSync(path.join(tmp.dir, 'folder.pdf'));
    await rejects(engine.open(path.join(tmp.dir, 'folder.pdf')), 'io_error', 'folder.pdf');
    await rejects(engine.open(tmp.file('empty.pdf', new Uint8Array(0))), 'empty_file', 'empty.pdf');
    const random = new Uint8Array(4096).map((_, i) => (i * 2654435761) % 251);
    await rejects(engine.open(tmp.file('random.pdf', random)), 'unsupported_format', 'random.pdf');
    const html = '<!DOCTYPE html><html><body>Sign in to download</body></html>';
    const e = await rejects(
      engine.open(tmp.file('statement.pdf', html)),
      'unsupported_format',
      'statement.pdf',
    );
    assert.match(e.message, /HTML/);
  });

  test('truncated PDF: one clear outcome, never a crash', async () => {
    const { bytes } = await makePdf([{ texts: [{ text: 'cut', x: 10, y: 10 }] }, {}]);
    for (const keep of [0.3, 0.6, 0.9]) {
      const name = `truncated-${keep}.pdf`;
      try {
        const h = await engine.open(tmp.file(name, bytes.subarray(0, Math.floor(bytes.length * keep))));
        assert.ok(['ok', 'partial'].includes(h.info.status));
        await h.close();
      } catch (e) {
        assert.equal((e as AppError).code, 'corrupt');
        assert.ok((e as AppError).message.includes(name));
      }
    }
  });

  test('a PDF with garbage before the header still opens; a file over the size limit is too_large', async () => {
    const { bytes } = await makePdf([{}]);
    const h = await engine.open(tmp.file('junk-first.pdf', Buffer.concat([Buffer.from('junk\n'), bytes])));
    assert.equal(h.info.pageCount, 1);
    await h.close();
    const small = createDocumentEngine({ poolSize: 0, maxFileBytes: 100 });
    await rejects(small.open(tmp.file('big.pdf', bytes)), 'too_large', 'big.pdf');
    await small.destroy();
  });

  test('passwords: needs_password, wrong_password, the right one opens; never echoed', async () => {
    const file = path.join(CORPUS, 'pr6531_2.pdf');
    await rejects(engine.open(file), 'needs_password', 'pr6531_2.pdf');
    const wrong = await rejects(
      engine.open(file, { password: 'hunter2-secret' }),
      'wrong_password',
      'pr6531_2.pdf',
    );
    assert.ok(!wrong.message.includes('hunter2-secret'));
    const h = await engine.open(file, { password: 'asdfasdf' });
    assert.equal(h.info.encrypted, true);
    assert.ok(h.info.pageCount >= 1);
    const r = await h.render(1, { dpi: 36 });
    assert.ok(r.png.length > 100);
    await h.close();
    const unicode = await engine.open(path.join(CORPUS, 'issue21579.pdf'), { password: 'pässwört' });
    assert.equal(unicode.info.encrypted, true);
    await unicode.close();
  });

  test('owner-password-only PDF opens without asking', async () => {
    const h = await engine.open(path.join(CORPUS, 'empty_protected.pdf'));
    assert.equal(h.info.encrypted, true);
    assert.equal(h.info.status, 'ok');
    await h.close();
  });
});

describe('ruling lines', () => {
  test('rulings(pages) from the pool and in-thread equal a fresh pdfRulings on the bytes; images have none', async () => {
    const file = path.join(SAMPLES, 'report.pdf');
    const pages = [2, 1];
    const reference = await pdfRulings(new Uint8Array(readFileSync(file)), undefined, pages);
    assert.ok(
      reference.every((segs) => segs.length > 0),
      'the sample report has ruled tables',
    );
    const pool = createDocumentEngine({ poolSize: 1 });
    try {
      for (const e of [engine, pool]) {
        const h = await e.open(file);
        await h.text(2); // as tables read them: after the text, on the worker that holds the document
        assert.deepEqual(await h.rulings(pages), reference);
        assert.deepEqual(await h.rulings([]), []);
        await rejects(h.rulings([1, 99]), 'invalid_input', 'report.pdf');
        await h.close();
      }
    } finally {
      await pool.destroy();
    }
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    const img = await engine.open(tmp.file('blank.png', png));
    assert.deepEqual(await img.rulings([1]), [[]]);
    await img.close();
  });
});

describe('images', () => {
  test('PNG, JPEG, WebP, TIFF, GIF: one page in pixel space; EXIF orientation applied', async () => {
    const base = sharp({
      create: { width: 120, height: 80, channels: 3, background: { r: 255, g: 0, b: 0 } },
    });
    const cases: [string, Buffer, string][] = [
      ['a.png', await base.clone().png().toBuffer(), 'image/png'],
      ['a.webp', await base.clone().webp().toBuffer(), 'image/webp'],
      ['a.tiff', await base.clone().tiff().toBuffer(), 'image/tiff'],
      ['a.gif', await base.clone().gif().toBuffer(), 'image/gif'],
      ['a.jpg', await base.clone().jpeg().toBuffer(), 'image/jpeg'],
    ];
    for (const [name, data, mime] of cases) {
      const h = await engine.open(tmp.file(name, data));
      assert.equal(h.info.kind, 'image', name);
      assert.equal(h.info.mime, mime, name);
      assert.deepEqual(h.info.pages, [{ page: 1, width: 120, height: 80, rotation: 0, userUnit: 1 }], name);
      const r = await h.render(1, { dpi: 150 });
      assert.deepEqual([r.width, r.height, r.scale, r.capped], [120, 80, 1, false], name);
      assert.ok(isRed(await pixelAt(r.png, 1, 60, 40)), name);
      const raw = await h.renderRaw(1, { dpi: 150 });
      assert.equal(raw.data.length, 120 * 80 * raw.channels);
      assert.equal((await h.text(1)).source, 'none');
      await h.close();
    }
    // EXIF orientation 6 (rotate 90° clockwise to display): the page is 80 wide, 120 tall.
    const rotated = await base.clone().jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const h = await engine.open(tmp.file('exif6.jpg', rotated));
    assert.deepEqual([h.info.pages[0]?.width, h.info.pages[0]?.height], [80, 120]);
    const r = await h.render(1, { dpi: 72 });
    assert.deepEqual([r.width, r.height], [80, 120]);
    await h.close();
  });

  test('a PNG named .pdf opens as an image and says so', async () => {
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#00f' } })
      .png()
      .toBuffer();
    const h = await engine.open(tmp.file('invoice.pdf', png));
    assert.equal(h.info.kind, 'image');
    assert.equal(h.info.mime, 'image/png');
    assert.ok(h.info.warnings.some((w) => w.includes('invoice.pdf') && /PNG/.test(w)));
    await h.close();
  });

  test('a 20000×20000 PNG is too_large; a truncated JPEG is corrupt', async () => {
    await rejects(engine.open(tmp.file('poster.png', pngClaiming(20000, 20000))), 'too_large', 'poster.png');
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#888' } })
      .jpeg()
      .toBuffer();
    await rejects(engine.open(tmp.file('cut.jpg', jpeg.subarray(0, jpeg.length / 2))), 'corrupt', 'cut.jpg');
  });

  test('a PDF holding a 20000×20000 image renders without decoding it', async () => {
    const pdf = pdfWithImage(20000, 20000, deflateSync(Buffer.alloc(20001 * 4)));
    const h = await engine.open(tmp.file('giant-image.pdf', pdf));
    const t0 = Date.now();
    const r = await h.render(1, { dpi: 72 });
    assert.deepEqual([r.width, r.height], [612, 792]);
    assert.ok(Date.now() - t0 < 5000, 'skipped, not decoded');
    await h.close();
  });
});
