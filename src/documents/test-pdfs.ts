// Builds the PDFs and images the documents tests need, in the test run (nothing binary is committed), with
// pdf-lib and sharp, so each test knows exactly where it drew what.
import { deflateSync } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  PDFDocument,
  PDFName,
  PDFNumber,
  StandardFonts,
  concatTransformationMatrix,
  degrees,
  drawObject,
  popGraphicsState,
  pushGraphicsState,
  rgb,
  type PDFFont,
  type PDFPage,
} from 'pdf-lib';
import sharp from 'sharp';

export const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures');
export const CORPUS = path.join(FIXTURES, 'pdfjs-corpus');

export interface TempDir {
  dir: string;
  file(name: string, data: Uint8Array | string): string;
  remove(): void;
}

export function tempDir(prefix = 'doclens-docs-'): TempDir {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    file(name, data) {
      const p = path.join(dir, name);
      writeFileSync(p, data);
      return p;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PageSpec {
  size?: [number, number];
  rotate?: number;
  cropBox?: [number, number, number, number];
  userUnit?: number;
  /** Text runs: baseline start in PDF user space, 12 pt Helvetica unless `size` says otherwise. */
  texts?: { text: string; x: number; y: number; size?: number }[];
  /** Filled red rectangles in user space [x, y, w, h]. */
  redRects?: [number, number, number, number][];
}

/** A PDF with the given pages; also returns the font so tests can measure what was drawn. */
export async function makePdf(
  pages: PageSpec[],
  title?: string,
): Promise<{ bytes: Uint8Array; font: PDFFont }> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  if (title) doc.setTitle(title);
  for (const spec of pages) {
    const page: PDFPage = doc.addPage(spec.size ?? [600, 400]);
    for (const t of spec.texts ?? []) page.drawText(t.text, { x: t.x, y: t.y, size: t.size ?? 12, font });
    for (const [x, y, width, height] of spec.redRects ?? [])
      page.drawRectangle({ x, y, width, height, color: rgb(1, 0, 0) });
    if (spec.rotate) page.setRotation(degrees(spec.rotate));
    if (spec.cropBox) {
      const [x0, y0, x1, y1] = spec.cropBox;
      page.setCropBox(x0, y0, x1 - x0, y1 - y0);
    }
    if (spec.userUnit) page.node.set(PDFName.of('UserUnit'), PDFNumber.of(spec.userUnit));
  }
  return { bytes: await doc.save(), font };
}

/** A PDF whose single page paints one raw image XObject with the given dictionary and (compressed) data. */
export function pdfWithImage(width: number, height: number, flateData: Uint8Array): Uint8Array {
  const content = Buffer.from(`q ${612} 0 0 ${792} 0 0 cm /Im0 Do Q`);
  return rawPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>',
    { dict: '', data: content },
    {
      dict: `/Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode`,
      data: flateData,
    },
  ]);
}

/**
 * A PDF whose page content stream is `content`, behind `flateLayers` /FlateDecode filters; `alreadyDeflated`
 * of them were applied by the caller (a bomb is cheaper to build at deflate level 1).
 */
export function pdfWithContent(content: Uint8Array, flateLayers = 0, alreadyDeflated = 0): Uint8Array {
  let data = content;
  for (let i = alreadyDeflated; i < flateLayers; i++) data = deflateSync(data, { level: 9 });
  const filter = flateLayers ? `/Filter [${' /FlateDecode'.repeat(flateLayers)} ]` : '';
  return rawPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>',
    { dict: filter, data },
  ]);
}

/** Serialises objects 1..n into a PDF with a correct xref table. */
export function rawPdf(objects: (string | { dict: string; data: Uint8Array })[]): Uint8Array {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xE2\xE3\xCF\xD3\n', 'latin1')];
  let offset = parts[0]?.length ?? 0;
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(offset);
    const body =
      typeof o === 'string'
        ? Buffer.from(`${i + 1} 0 obj\n${o}\nendobj\n`, 'latin1')
        : Buffer.concat([
            Buffer.from(`${i + 1} 0 obj\n<< ${o.dict} /Length ${o.data.length} >>\nstream\n`, 'latin1'),
            Buffer.from(o.data),
            Buffer.from('\nendstream\nendobj\n', 'latin1'),
          ]);
    parts.push(body);
    offset += body.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n'];
  for (const off of offsets) xref.push(`${String(off).padStart(10, '0')} 00000 n \n`);
  xref.push(`trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`);
  parts.push(Buffer.from(xref.join(''), 'latin1'));
  return new Uint8Array(Buffer.concat(parts));
}

/** A PNG header that claims `width`×`height` (the pixel data is a stub: sharp reads the size first). */
export function pngClaiming(width: number, height: number): Uint8Array {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = (crcTable[(c ^ x) & 0xff] ?? 0) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(0, 9); // greyscale
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(Buffer.alloc(width + 1))),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

/** Kinds of embedded image `imagePdf` can draw, one a page. */
export type ImageCase = 'good-jpeg' | 'cut-jpeg' | 'no-frame-jpeg' | 'garbage-flate' | 'huge';

/**
 * A PDF with one 64×48 image XObject a page, drawn at [10, 10, 100×80] on a 200 pt page: a good JPEG, a JPEG cut
 * off inside its scan data, one cut before its frame header, a FlateDecode stream of garbage, or one whose
 * dictionary claims 20000×20000 pixels (over pdf.js's maxImageSize). `shared`: pages of the same case draw one
 * XObject (pdf.js then decodes it once for the document). `text`: a line drawn at the top of each page as well, so
 * the page has a text layer (read without rendering) beside its image.
 */
export async function imagePdf(
  cases: readonly ImageCase[],
  opts: { shared?: boolean; text?: string } = {},
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = opts.text ? await doc.embedFont(StandardFonts.Helvetica) : null;
  const jpg = new Uint8Array(
    await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 30, b: 30 } } })
      .jpeg()
      .toBuffer(),
  );
  const sos = jpg.findIndex((b, i) => b === 0xff && jpg[i + 1] === 0xda);
  const rgb = { Width: 64, Height: 48, ColorSpace: 'DeviceRGB', BitsPerComponent: 8 };
  const streams: Record<ImageCase, [Uint8Array, Record<string, unknown>]> = {
    'good-jpeg': [jpg, { ...rgb, Filter: 'DCTDecode' }],
    'cut-jpeg': [jpg.slice(0, sos + 14), { ...rgb, Filter: 'DCTDecode' }],
    'no-frame-jpeg': [jpg.slice(0, 30), { ...rgb, Filter: 'DCTDecode' }],
    'garbage-flate': [new Uint8Array(500).map((_, i) => (i * 7919) % 251), { ...rgb, Filter: 'FlateDecode' }],
    huge: [
      new Uint8Array(10),
      { Width: 20000, Height: 20000, ColorSpace: 'DeviceGray', BitsPerComponent: 8 },
    ],
  };
  const refs = new Map<ImageCase, ReturnType<typeof doc.context.register>>();
  for (const c of cases) {
    const [data, dict] = streams[c];
    let ref = opts.shared ? refs.get(c) : undefined;
    ref ??= doc.context.register(doc.context.stream(data, { Type: 'XObject', Subtype: 'Image', ...dict }));
    refs.set(c, ref);
    const page = doc.addPage([200, 200]);
    const name = page.node.newXObject('Im', ref);
    page.pushOperators(
      pushGraphicsState(),
      concatTransformationMatrix(100, 0, 0, 80, 10, 10),
      drawObject(name),
      popGraphicsState(),
    );
    if (font && opts.text) page.drawText(opts.text, { x: 10, y: 170, size: 10, font });
  }
  return doc.save();
}
