// The "scanned" invoice: invoice.pdf rasterised, tinted, rotated, speckled and blurred, then wrapped as a
// single JPEG in an image-only PDF, so OCR and the reader engine have a page with no text layer to read.
import { createCanvas } from '@napi-rs/canvas';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import type { Box, SampleDocument, SampleTransform } from './ground-truth.js';
import { roundBox } from './ground-truth.js';
import { setFixedMetadata } from './pdf-page.js';
import { openPdf } from './pdfjs.js';
import { gaussian, mulberry32 } from './prng.js';

export const SCAN_FILE = 'invoice-scanned.pdf';
export const SCAN_DPI = 200;
/** Clockwise as displayed (y down), about the page centre. */
export const SCAN_ROTATION_DEG = 1.5;
const SEED = 0x5ca11ed;

/** Maps a page-space point of the source page to the scanned page (same size, rotated about the centre). */
export function rotatePoint(x: number, y: number, t: SampleTransform): { x: number; y: number } {
  const a = (t.rotationDeg * Math.PI) / 180;
  const dx = x - t.center.x;
  const dy = y - t.center.y;
  return {
    x: t.center.x + dx * Math.cos(a) - dy * Math.sin(a),
    y: t.center.y + dx * Math.sin(a) + dy * Math.cos(a),
  };
}

/** Axis-aligned bounds of a rotated box. */
export function rotateBox(b: Box, t: SampleTransform): Box {
  const pts = [
    rotatePoint(b.x0, b.y0, t),
    rotatePoint(b.x1, b.y0, t),
    rotatePoint(b.x0, b.y1, t),
    rotatePoint(b.x1, b.y1, t),
  ];
  return roundBox({
    x0: Math.min(...pts.map((p) => p.x)),
    y0: Math.min(...pts.map((p) => p.y)),
    x1: Math.max(...pts.map((p) => p.x)),
    y1: Math.max(...pts.map((p) => p.y)),
  });
}

export async function makeScan(
  invoicePdf: Uint8Array,
  invoiceTruth: SampleDocument,
): Promise<{ bytes: Uint8Array; jpeg: Uint8Array; truth: SampleDocument }> {
  const page0 = invoiceTruth.pages[0];
  if (!page0) throw new Error('invoice has no page');
  const { width: W, height: H } = page0;
  const scale = SCAN_DPI / 72;

  // 1. Render the page.
  const pdf = await openPdf(invoicePdf);
  const page = await pdf.doc.getPage(1);
  const viewport = page.getViewport({ scale });
  const pw = Math.round(viewport.width);
  const ph = Math.round(viewport.height);
  const src = createCanvas(pw, ph);
  const sctx = src.getContext('2d');
  sctx.fillStyle = '#ffffff';
  sctx.fillRect(0, 0, pw, ph);
  // pdf.js types want a DOM canvas; @napi-rs/canvas implements the part it uses.
  await page.render({ canvas: src as never, canvasContext: sctx as never, viewport }).promise;
  await pdf.close();

  // 2. Rotate about the centre onto a scanner-bed background.
  const out = createCanvas(pw, ph);
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#c9c6bd';
  ctx.fillRect(0, 0, pw, ph);
  ctx.translate(pw / 2, ph / 2);
  ctx.rotate((SCAN_ROTATION_DEG * Math.PI) / 180);
  ctx.drawImage(src, -pw / 2, -ph / 2);
  ctx.setTransform(1, 0, 0, 1, 0, 0);

  // 3. Greyscale with a warm paper tint, a slow illumination gradient, sensor noise and dust speckles.
  const img = ctx.getImageData(0, 0, pw, ph);
  const rgba = img.data;
  const rand = mulberry32(SEED);
  const noise = gaussian(rand);
  const rgb = Buffer.alloc(pw * ph * 3);
  const tint = [1.0, 0.975, 0.92];
  for (let y = 0; y < ph; y++) {
    const shade = 0.93 + 0.05 * (y / ph); // slightly darker at the top, where the lid lifts
    for (let x = 0; x < pw; x++) {
      const i = y * pw + x;
      const r = rgba[i * 4] ?? 255;
      const g = rgba[i * 4 + 1] ?? 255;
      const b = rgba[i * 4 + 2] ?? 255;
      let l = 0.299 * r + 0.587 * g + 0.114 * b;
      l = 18 + l * 0.88 * shade + noise() * 5;
      for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.max(0, Math.min(255, Math.round(l * (tint[c] ?? 1))));
    }
  }
  const speckles = Math.round((pw * ph) / 14000);
  for (let s = 0; s < speckles; s++) {
    const cx = Math.floor(rand() * pw);
    const cy = Math.floor(rand() * ph);
    const r = rand() < 0.85 ? 1 : 2;
    const v = Math.floor(40 + rand() * 80);
    for (let y = cy - r; y <= cy + r; y++) {
      for (let x = cx - r; x <= cx + r; x++) {
        if (x < 0 || y < 0 || x >= pw || y >= ph || (x - cx) ** 2 + (y - cy) ** 2 > r * r) continue;
        const i = (y * pw + x) * 3;
        rgb[i] = v;
        rgb[i + 1] = v;
        rgb[i + 2] = Math.round(v * 0.95);
      }
    }
  }

  // 4. Slight blur, JPEG.
  const jpeg = await sharp(rgb, { raw: { width: pw, height: ph, channels: 3 } })
    .blur(0.7)
    .jpeg({ quality: 72, chromaSubsampling: '4:2:0' })
    .toBuffer();

  // 5. Image-only PDF of the same page size.
  const doc = await PDFDocument.create();
  setFixedMetadata(doc, 'Scanned invoice INV-2025-0314');
  const image = await doc.embedJpg(jpeg);
  const p = doc.addPage([W, H]);
  p.drawImage(image, { x: 0, y: 0, width: W, height: H });
  const bytes = await doc.save();

  const transform: SampleTransform = {
    rotationDeg: SCAN_ROTATION_DEG,
    center: { x: W / 2, y: H / 2 },
    source: invoiceTruth.file,
    note:
      `${invoiceTruth.file} rendered at ${SCAN_DPI} DPI, rotated ${SCAN_ROTATION_DEG} degrees clockwise about the ` +
      'page centre (same page size, no scaling), noise + speckle + blur, JPEG. Boxes are the axis-aligned bounds ' +
      'of the rotated source boxes.',
  };
  const rot = (b: Box) => rotateBox(b, transform);
  return {
    bytes,
    jpeg,
    truth: {
      file: SCAN_FILE,
      kind: 'pdf',
      description: `Image-only scan of ${invoiceTruth.file}: one ${pw}x${ph} JPEG, rotated ${SCAN_ROTATION_DEG} degrees, no text layer.`,
      pages: invoiceTruth.pages,
      hasTextLayer: false,
      dates: invoiceTruth.dates.map((d) => ({ ...d, box: rot(d.box) })),
      distractors: invoiceTruth.distractors,
      fields: invoiceTruth.fields.map((f) => ({ ...f, box: rot(f.box) })),
      tables: invoiceTruth.tables.map((t) => ({
        ...t,
        box: rot(t.box),
        cells: t.cells.map((c) => ({ ...c, box: rot(c.box), textBox: rot(c.textBox) })),
      })),
      charts: [],
      objects: [],
      transform,
    },
  };
}
