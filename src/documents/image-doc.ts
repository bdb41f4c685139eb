// An image file as a document whose page space is its pixel grid (EXIF orientation applied), decoded by sharp with a
// pixel limit and `failOn: 'warning'` so a truncated or malformed image fails instead of half-drawing. A multi-page
// TIFF (a fax, a scanner's batch) has one page per directory; an animated GIF or WebP is its first frame.
import sharp, { type Metadata, type Sharp } from 'sharp';
import type { TextPage } from '../shared/domain.js';
import { capScale, rasterSize } from './canvas-cap.js';
import { docError } from './doc-errors.js';
import type { DocFacts, LoadedDoc, RenderFormat, RenderOutput } from './loaded-doc.js';
import type { Segment } from './rulings.js';
import type { ImageFormat } from './sniff.js';

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isPixelLimit(e: unknown): boolean {
  return /pixel limit|exceeds pixel|too large|dimensions/i.test(errorMessage(e));
}

export async function loadImage(
  data: Uint8Array,
  format: ImageFormat,
  name: string,
  maxPixels: number,
): Promise<LoadedDoc> {
  const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const openPage = (page: number) =>
    sharp(input, { limitInputPixels: maxPixels, failOn: 'warning', pages: 1, page });
  const open = () => openPage(0);
  let meta: Metadata;
  try {
    meta = await open().metadata();
  } catch (e) {
    if (isPixelLimit(e)) throw docError('too_large', name, `the image is too large (${errorMessage(e)})`);
    throw docError(
      'corrupt',
      name,
      `the ${format.toUpperCase()} image could not be read (${errorMessage(e)})`,
    );
  }
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (!(w > 0 && h > 0)) throw docError('corrupt', name, 'the image has no size');
  if (w * h > maxPixels) {
    throw docError('too_large', name, `the image is ${w}×${h} pixels, over the limit of ${maxPixels} pixels`);
  }
  // Decode once now (small output) so a truncated or malformed file fails at open, not at first render.
  try {
    await open().rotate().resize({ width: 16, height: 16, fit: 'inside' }).raw().toBuffer();
  } catch (e) {
    if (isPixelLimit(e)) throw docError('too_large', name, `the image is too large (${errorMessage(e)})`);
    throw docError('corrupt', name, `the ${format.toUpperCase()} image is damaged (${errorMessage(e)})`);
  }
  const upright = (m: Metadata, mw: number, mh: number) =>
    (m.orientation ?? 1) >= 5 ? { width: mh, height: mw } : { width: mw, height: mh };
  const sizes = [upright(meta, w, h)];
  const warnings: string[] = [];
  let status: DocFacts['status'] = 'ok';
  const frames = meta.pages ?? 1;
  if (format === 'gif' && frames > 1)
    warnings.push(`animated GIF: only the first of ${frames} frames is used`);
  if (format === 'tiff' && frames > 1) {
    // Every page's own size (header reads only; pixels are decoded when a page is rendered).
    for (let p = 1; p < frames; p++) {
      try {
        const m = await openPage(p).metadata();
        const pw = m.width ?? 0;
        const ph = m.height ?? 0;
        if (!(pw > 0 && ph > 0)) throw new Error('no size');
        if (pw * ph > maxPixels) throw new Error(`${pw}×${ph} pixels, over the limit of ${maxPixels}`);
        sizes.push(upright(m, pw, ph));
      } catch (e) {
        // The pages before this one are kept; the document says which were not read and why.
        status = 'partial';
        warnings.push(
          `pages ${p + 1}-${frames} of the TIFF could not be read (page ${p + 1}: ${errorMessage(e)})`,
        );
        break;
      }
    }
  }
  const facts: DocFacts = {
    pageCount: sizes.length,
    pages: sizes.map((sz, i) => ({ page: i + 1, ...sz, rotation: 0, userUnit: 1 })),
    title: null,
    encrypted: false,
    status,
    warnings,
  };
  return new ImageDoc(openPage, name, facts, sizes);
}

class ImageDoc implements LoadedDoc {
  constructor(
    private readonly open: (page: number) => Sharp,
    private readonly name: string,
    readonly facts: DocFacts,
    private readonly sizes: { width: number; height: number }[],
  ) {}

  #check(page: number): { width: number; height: number } {
    const size = this.sizes[page - 1];
    if (!Number.isInteger(page) || !size)
      throw docError(
        'invalid_input',
        this.name,
        `page ${page} does not exist (the image has ${this.sizes.length} page${this.sizes.length > 1 ? 's' : ''})`,
      );
    return size;
  }

  text(page: number): Promise<TextPage> {
    const size = this.#check(page);
    return Promise.resolve({
      page,
      width: size.width,
      height: size.height,
      source: 'none',
      words: [],
      lines: [],
    });
  }

  /** An image has no vector drawing, so no ruling lines (tables of an image come from OCR word alignment). */
  rulings(page: number): Promise<{ segments: Segment[]; warnings: string[] }> {
    this.#check(page);
    return Promise.resolve({ segments: [], warnings: [] });
  }

  // NOTE: an image's page space is its pixel grid, so it is rendered at its own pixels (scale 1) whatever the DPI:
  // upsampling a photo to "150 DPI" would only cost memory. The cap still applies (scale < 1, capped true).
  async render(page: number, _dpi: number, format: RenderFormat): Promise<RenderOutput> {
    const { width, height } = this.#check(page);
    const { scale, capped } = capScale(width, height, 1);
    const size = rasterSize(width, height, scale);
    try {
      let img = this.open(page - 1).rotate();
      if (capped) img = img.resize(size.width, size.height, { fit: 'fill' });
      if (format === 'png') {
        const png = await img.png({ compressionLevel: 6 }).toBuffer();
        return { format, data: new Uint8Array(png), ...size, channels: 4, scale, capped, warnings: [] };
      }
      const { data, info } = await img
        .flatten({ background: '#ffffff' })
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) throw new Error(`unexpected ${info.channels} channels`);
      return {
        format,
        data: new Uint8Array(data),
        width: info.width,
        height: info.height,
        channels: 3,
        scale,
        capped,
        warnings: [],
      };
    } catch (e) {
      throw docError('corrupt', this.name, `the image could not be decoded (${errorMessage(e)})`);
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
