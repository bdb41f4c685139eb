// Checks that the committed samples are exactly what the generator makes, and that samples.json tells the
// truth about them: text positions against pdf.js, the scan's rotation against its pixels, scene colours.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { PDFFont } from 'pdf-lib';
import sharp from 'sharp';
import { SAMPLES_DIR, makeSamples } from './make-samples.js';
import type { Box, SampleDocument, SamplesManifest } from './samples/ground-truth.js';
import { SamplesManifest as ManifestSchema } from './samples/ground-truth.js';
import { ASCENT, DESCENT, textWidth } from './samples/pdf-page.js';
import { openPdf } from './samples/pdfjs.js';
import { rotateBox } from './samples/scan.js';

const TOL = 1.5;
let outDir = '';
let manifest: SamplesManifest;
let helvetica: PDFFont;

function doc(file: string): SampleDocument {
  const d = manifest.documents.find((x) => x.file === file);
  assert.ok(d, `${file} in samples.json`);
  return d;
}

interface Item {
  str: string;
  x: number;
  baseline: number;
  size: number;
  width: number;
}

/** Text items of every page, in page space (y down). */
async function textItems(bytes: Uint8Array): Promise<Map<number, Item[]>> {
  const pdf = await openPdf(bytes);
  const pages = new Map<number, Item[]>();
  for (let p = 1; p <= pdf.doc.numPages; p++) {
    const page = await pdf.doc.getPage(p);
    const [, , , pageH] = page.view;
    const tc = await page.getTextContent();
    const items: Item[] = [];
    for (const it of tc.items) {
      if (!('str' in it) || !it.str) continue;
      const t = it.transform as number[];
      items.push({
        str: it.str,
        x: t[4] ?? 0,
        baseline: (pageH ?? 0) - (t[5] ?? 0),
        size: t[3] ?? 0,
        width: it.width,
      });
    }
    pages.set(p, items);
  }
  await pdf.close();
  return pages;
}

/** The box pdf.js implies for `text` inside an item (Helvetica and Helvetica-Oblique share widths). */
function boxOf(item: Item, text: string, at: number): Box {
  const full = textWidth(item.str, helvetica, 10);
  const k = full > 0 ? item.width / full : 0;
  const x0 = item.x + textWidth(item.str.slice(0, at), helvetica, 10) * k;
  const x1 = x0 + textWidth(text, helvetica, 10) * k;
  return { x0, y0: item.baseline - ASCENT * item.size, x1, y1: item.baseline + DESCENT * item.size };
}

function near(a: Box, b: Box): number {
  return Math.max(Math.abs(a.x0 - b.x0), Math.abs(a.y0 - b.y0), Math.abs(a.x1 - b.x1), Math.abs(a.y1 - b.y1));
}

/** Asserts `text` is extracted by pdf.js on the page within TOL pt of `box`. */
function assertFound(items: Item[] | undefined, text: string, box: Box, what: string): void {
  let best = Infinity;
  for (const item of items ?? []) {
    for (let at = item.str.indexOf(text); at >= 0; at = item.str.indexOf(text, at + 1)) {
      best = Math.min(best, near(boxOf(item, text, at), box));
    }
  }
  assert.ok(
    best <= TOL,
    `${what} "${text}": nearest pdf.js match is ${best.toFixed(2)} pt away (tolerance ${TOL})`,
  );
}

before(async () => {
  outDir = await mkdtemp(path.join(tmpdir(), 'doclens-samples-'));
  await makeSamples(outDir);
  manifest = ManifestSchema.parse(JSON.parse(await readFile(path.join(SAMPLES_DIR, 'samples.json'), 'utf8')));
  helvetica = await (await PDFDocument.create()).embedFont(StandardFonts.Helvetica);
});

after(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

void describe('make-samples', () => {
  void test('regenerating gives byte-identical files to the committed assets', async () => {
    const made = (await readdir(outDir)).sort();
    assert.deepEqual(made, ['invoice-scanned.pdf', 'invoice.pdf', 'report.pdf', 'samples.json', 'scene.png']);
    for (const file of made) {
      const [a, b] = await Promise.all([
        readFile(path.join(outDir, file)),
        readFile(path.join(SAMPLES_DIR, file)),
      ]);
      assert.ok(
        a.equals(b),
        `${file} differs from assets/samples/${file}: run npm run make:samples and commit`,
      );
    }
  });

  void test('samples.json lists every file, each under 600 KB, with sane boxes', async () => {
    assert.equal(manifest.documents.length, 4);
    for (const d of manifest.documents) {
      const { size } = await stat(path.join(SAMPLES_DIR, d.file));
      assert.ok(size < 600 * 1024, `${d.file} is ${size} bytes`);
      const boxes: { page: number; box: Box }[] = [
        ...d.dates,
        ...d.fields,
        ...d.tables.flatMap((t) => [t, ...t.cells.map((c) => ({ page: t.page, box: c.box }))]),
        ...d.charts.flatMap((c) => [
          { page: c.page, box: c.plotBox },
          ...c.bars.map((b) => ({ page: c.page, box: b.box })),
        ]),
        ...d.objects.map((o) => ({ page: 1, box: o.box })),
      ];
      for (const { page, box } of boxes) {
        const size = d.pages.find((p) => p.page === page);
        assert.ok(size, `${d.file} page ${page}`);
        assert.ok(
          box.x0 >= 0 && box.y0 >= 0 && box.x1 <= size.width && box.y1 <= size.height,
          `${d.file} box on page`,
        );
        assert.ok(box.x0 < box.x1 && box.y0 < box.y1, `${d.file} box ordered`);
      }
      for (const t of d.tables) assert.equal(t.cells.length, t.rows * t.cols);
    }
    const iso = /^\d{4}(-\d{2}(-\d{2})?)?$/;
    for (const d of manifest.documents) for (const date of d.dates) assert.match(date.iso, iso);
  });

  for (const file of ['invoice.pdf', 'report.pdf']) {
    void test(`${file}: every date, field and table cell is in the pdf.js text layer at its box`, async () => {
      const d = doc(file);
      const bytes = await readFile(path.join(SAMPLES_DIR, file));
      const pdfDoc = await PDFDocument.load(bytes);
      assert.deepEqual(
        pdfDoc.getPages().map((p, i) => ({ page: i + 1, width: p.getWidth(), height: p.getHeight() })),
        d.pages,
      );
      const pages = await textItems(bytes);
      assert.ok(d.dates.length >= 4, 'several dates');
      for (const date of d.dates) assertFound(pages.get(date.page), date.text, date.box, 'date');
      const all = [...pages.values()]
        .flat()
        .map((i) => i.str)
        .join('\n');
      for (const s of d.distractors) assert.ok(all.includes(s), `distractor "${s}" is on a page`);
      for (const f of d.fields) assertFound(pages.get(f.page), f.text, f.box, f.name);
      assert.equal(d.tables.length, 1);
      for (const t of d.tables) {
        assert.equal(t.headerRows, 1);
        for (const c of t.cells) {
          assertFound(pages.get(t.page), c.text, c.textBox, `cell ${c.row},${c.col}`);
          const inside = c.textBox.x0 >= c.box.x0 && c.textBox.x1 <= c.box.x1;
          assert.ok(
            inside && c.textBox.y0 >= c.box.y0 && c.textBox.y1 <= c.box.y1,
            `cell ${c.row},${c.col} text in cell`,
          );
        }
      }
    });
  }

  void test('invoice.pdf: key fields and dates in three formats', () => {
    const d = doc('invoice.pdf');
    const field = (name: string) => d.fields.find((f) => f.name === name)?.text;
    assert.equal(field('invoiceNumber'), 'INV-2025-0314');
    assert.equal(field('total'), '$11,977.20');
    assert.equal(field('title'), 'INVOICE');
    const dates = Object.fromEntries(d.dates.map((x) => [x.text, x.iso]));
    assert.equal(dates['March 14, 2025'], '2025-03-14');
    assert.equal(dates['2025-04-13'], '2025-04-13');
    assert.equal(dates['28/03/2025'], '2025-03-28');
    assert.equal(dates['1 May 2025'], '2025-05-01');
    const table = d.tables[0];
    assert.ok(table);
    assert.equal(table.cols, 4);
    assert.deepEqual(
      table.cells.filter((c) => c.row === 0).map((c) => c.text),
      ['Description', 'Qty', 'Unit price', 'Amount'],
    );
  });

  void test('report.pdf: two pages; bar values and labels sit on their bars', async () => {
    const d = doc('report.pdf');
    assert.equal(d.pages.length, 2);
    const chart = d.charts[0];
    assert.ok(chart);
    assert.equal(chart.page, 2);
    assert.ok(chart.bars.length >= 4 && chart.bars.length <= 6);
    const items = (await textItems(await readFile(path.join(SAMPLES_DIR, 'report.pdf')))).get(2) ?? [];
    const plotH = chart.plotBox.y1 - chart.plotBox.y0;
    for (const bar of chart.bars) {
      const cx = (bar.box.x0 + bar.box.x1) / 2;
      const heightValue = ((bar.box.y1 - bar.box.y0) / plotH) * (chart.yAxis.max - chart.yAxis.min);
      assert.ok(Math.abs(heightValue - bar.value) < 1, `bar ${bar.label} height matches ${bar.value}`);
      const value = items.find((i) => i.str === bar.value.toLocaleString('en-US') && i.baseline < bar.box.y0);
      assert.ok(value && Math.abs(value.x + value.width / 2 - cx) < 1, `value over bar ${bar.label}`);
      const label = items.find((i) => i.str === bar.label);
      assert.ok(label && Math.abs(label.x + label.width / 2 - cx) < 1 && label.baseline > bar.box.y1);
    }
  });

  void test('invoice-scanned.pdf: one image, no text, boxes are the rotated invoice boxes', async () => {
    const d = doc('invoice-scanned.pdf');
    const src = doc('invoice.pdf');
    assert.equal(d.hasTextLayer, false);
    assert.ok(d.transform && Math.abs(d.transform.rotationDeg) > 0.5);
    const t = d.transform;
    assert.deepEqual(d.pages, src.pages);
    assert.deepEqual(
      d.dates.map((x) => x.box),
      src.dates.map((x) => rotateBox(x.box, t)),
    );
    assert.deepEqual(
      d.fields.map((x) => x.box),
      src.fields.map((x) => rotateBox(x.box, t)),
    );

    const bytes = await readFile(path.join(SAMPLES_DIR, d.file));
    const pdf = await openPdf(bytes);
    assert.equal(pdf.doc.numPages, 1);
    const page = await pdf.doc.getPage(1);
    const tc = await page.getTextContent();
    assert.equal(tc.items.filter((i) => 'str' in i && i.str.trim()).length, 0, 'no text layer');
    const ops = await page.getOperatorList();
    assert.equal(ops.fnArray.filter((f) => f === OPS.paintImageXObject).length, 1, 'one image');
    await pdf.close();

    // The pixels agree with the rotation: points just inside the dark table header's corners are dark,
    // points just above them are paper. A rotation the wrong way moves the corners ~13 pt.
    const jpeg = await extractJpeg(bytes);
    const { data, info } = await sharp(jpeg).greyscale().raw().toBuffer({ resolveWithObject: true });
    const s = info.width / (d.pages[0]?.width ?? 1);
    const lum = (x: number, y: number) => {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++)
          sum += data[(Math.round(y * s) + dy) * info.width + Math.round(x * s) + dx] ?? 0;
      return sum / 9;
    };
    const table = src.tables[0];
    assert.ok(table);
    const header = table.cells.filter((c) => c.row === 0);
    const h = {
      x0: header[0]?.box.x0 ?? 0,
      y0: table.box.y0,
      x1: header.at(-1)?.box.x1 ?? 0,
      y1: header[0]?.box.y1 ?? 0,
    };
    const rot = (x: number, y: number) => {
      const b = rotateBox({ x0: x, y0: y, x1: x, y1: y }, t);
      return [b.x0, b.y0] as const;
    };
    for (const [x, y] of [
      [h.x0 + 4, h.y0 + 4],
      [h.x1 - 4, h.y0 + 4],
      [h.x0 + 4, h.y1 - 4],
      [h.x1 - 4, h.y1 - 4],
    ] as const) {
      assert.ok(lum(...rot(x, y)) < 110, `header corner (${x}, ${y}) is dark in the scan`);
      assert.ok(lum(...rot(x, h.y0 - 5)) > 160, `above header (${x}) is paper in the scan`);
    }
  });

  void test('scene.png: size and the colour at each object centre', async () => {
    const d = doc('scene.png');
    const { data, info } = await sharp(path.join(SAMPLES_DIR, d.file))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [d.pages[0]?.width, d.pages[0]?.height]);
    assert.ok(d.objects.length >= 4);
    for (const o of d.objects) {
      const x = Math.round((o.box.x0 + o.box.x1) / 2);
      const y = Math.round((o.box.y0 + o.box.y1) / 2);
      const i = (y * info.width + x) * 3;
      const want = [1, 3, 5].map((k) => parseInt(o.color.slice(k, k + 2), 16));
      const got = [data[i], data[i + 1], data[i + 2]];
      want.forEach((w, k) =>
        assert.ok(Math.abs((got[k] ?? -999) - w) <= 24, `${o.label} centre ${got.join(',')} vs ${o.color}`),
      );
    }
  });
});

/** The single DCT image stream of an image-only PDF. */
async function extractJpeg(bytes: Uint8Array): Promise<Buffer> {
  const pdfDoc = await PDFDocument.load(bytes);
  for (const [, obj] of pdfDoc.context.enumerateIndirectObjects()) {
    if ('contents' in obj && obj.contents instanceof Uint8Array) {
      const c = obj.contents;
      if (c[0] === 0xff && c[1] === 0xd8) return Buffer.from(c);
    }
  }
  throw new Error('no JPEG in the PDF');
}
