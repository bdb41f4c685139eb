// A PDF opened with pdf.js in the current thread: page facts (size as displayed, /Rotate, /UserUnit), the text
// layer in page space, and rasters through @napi-rs/canvas. Runs inside a pool worker, or in-thread for tests.
import * as napiCanvas from '@napi-rs/canvas';
import { pdfPageSize, type PdfPageGeometry } from '../anyres/coords.js';
import type { PageInfo, TextPage } from '../shared/domain.js';
import { capScale, rasterSize } from './canvas-cap.js';
import { defaultDetail, docError } from './doc-errors.js';
import type { DocFacts, LoadedDoc, RenderFormat, RenderOutput } from './loaded-doc.js';
import { captureWarnings, documentParams, loadPdfJs, pageLosses } from './pdfjs-setup.js';
import { extractGraphics, extractRulings, type Segment, type VectorPath } from './rulings.js';
import { buildTextPage, type MeasureChars, type TextItemLike } from './text-layer.js';

type PdfJs = Awaited<ReturnType<typeof loadPdfJs>>;
type PdfDocumentProxy = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;
type PdfPageProxy = Awaited<ReturnType<PdfDocumentProxy['getPage']>>;

/** pdf.js PasswordResponses. */
const NEED_PASSWORD = 1;
const INCORRECT_PASSWORD = 2;

function errorName(e: unknown): string {
  return typeof e === 'object' && e !== null && typeof (e as { name?: unknown }).name === 'string'
    ? (e as { name: string }).name
    : '';
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Opens PDF bytes. Throws AppError needs_password | wrong_password | corrupt naming `name`. */
export async function loadPdf(
  data: Uint8Array,
  name: string,
  password: string | undefined,
): Promise<LoadedDoc> {
  const pdfjs = await loadPdfJs();
  // pdf.js transfers (detaches) the buffer it is given, so it gets its own copy.
  const task = pdfjs.getDocument(documentParams(data.slice(), password));
  let doc: PdfDocumentProxy;
  try {
    doc = await task.promise;
  } catch (e) {
    await task.destroy().catch(() => undefined);
    if (errorName(e) === 'PasswordException') {
      const code = (e as { code?: unknown }).code;
      if (code === INCORRECT_PASSWORD || (code === NEED_PASSWORD && password)) {
        throw docError('wrong_password', name, defaultDetail('wrong_password'));
      }
      throw docError('needs_password', name, defaultDetail('needs_password'));
    }
    if (errorName(e) === 'InvalidPDFException') {
      throw docError('corrupt', name, `not a readable PDF (${errorMessage(e)})`);
    }
    throw docError('corrupt', name, `the PDF could not be parsed (${errorMessage(e)})`);
  }
  try {
    return await PdfDoc.create(doc, name, () => task.destroy());
  } catch (e) {
    await task.destroy().catch(() => undefined);
    throw e;
  }
}

class PdfDoc implements LoadedDoc {
  readonly #doc: PdfDocumentProxy;
  readonly #name: string;
  readonly #geometry: (PdfPageGeometry | null)[];
  readonly #destroy: () => Promise<void>;
  readonly facts: DocFacts;

  private constructor(
    doc: PdfDocumentProxy,
    name: string,
    geometry: (PdfPageGeometry | null)[],
    facts: DocFacts,
    destroy: () => Promise<void>,
  ) {
    this.#doc = doc;
    this.#destroy = destroy;
    this.#name = name;
    this.#geometry = geometry;
    this.facts = facts;
  }

  static async create(doc: PdfDocumentProxy, name: string, destroy: () => Promise<void>): Promise<PdfDoc> {
    const warnings: string[] = [];
    const pageCount = doc.numPages;
    if (!(pageCount > 0)) throw docError('corrupt', name, 'the PDF has no pages');
    const geometry: (PdfPageGeometry | null)[] = [];
    const pages: PageInfo[] = [];
    const failed: number[] = [];
    for (let n = 1; n <= pageCount; n++) {
      try {
        const page = await doc.getPage(n);
        const g: PdfPageGeometry = {
          view: toView(page.view),
          rotate: page.rotate,
          userUnit: page.userUnit || 1,
        };
        const size = pdfPageSize(g);
        if (!(size.width > 0 && size.height > 0 && Number.isFinite(size.width * size.height))) {
          throw new Error(`invalid page box [${page.view.join(', ')}]`);
        }
        geometry.push(g);
        pages.push({
          page: n,
          width: size.width,
          height: size.height,
          rotation: normRotation(g.rotate),
          userUnit: g.userUnit,
        });
        page.cleanup();
      } catch (e) {
        geometry.push(null);
        failed.push(n);
        warnings.push(`page ${n} could not be read: ${errorMessage(e)}`);
        pages.push({ page: n, width: 612, height: 792, rotation: 0, userUnit: 1 });
      }
    }
    if (failed.length === pageCount)
      throw docError('corrupt', name, `none of its ${pageCount} pages could be read`);
    let title: string | null = null;
    let encrypted = false;
    try {
      const meta = await doc.getMetadata();
      const info = (meta.info ?? {}) as Record<string, unknown>;
      encrypted = typeof info.EncryptFilterName === 'string' && info.EncryptFilterName.length > 0;
      const t = typeof info.Title === 'string' ? info.Title : (meta.metadata?.get('dc:title') as unknown);
      title = typeof t === 'string' && t.trim() ? t.trim() : null;
    } catch (e) {
      warnings.push(`metadata could not be read: ${errorMessage(e)}`);
    }
    const status = failed.length > 0 ? 'partial' : 'ok';
    return new PdfDoc(doc, name, geometry, { pageCount, pages, title, encrypted, status, warnings }, destroy);
  }

  async #page(n: number): Promise<{ page: PdfPageProxy; g: PdfPageGeometry }> {
    if (!Number.isInteger(n) || n < 1 || n > this.facts.pageCount) {
      throw docError(
        'invalid_input',
        this.#name,
        `page ${n} does not exist (the document has ${this.facts.pageCount})`,
      );
    }
    const g = this.#geometry[n - 1];
    if (!g) throw docError('corrupt', this.#name, `page ${n} is damaged and could not be read`);
    try {
      return { page: await this.#doc.getPage(n), g };
    } catch (e) {
      throw docError('corrupt', this.#name, `page ${n} could not be read (${errorMessage(e)})`);
    }
  }

  /**
   * Drops the parser's decoded-image cache after a page lost an image. NOTE: pdf.js keeps an image used on
   * several pages decoded once for the document, and later pages paint that copy without a warning; emptied, the
   * next page decodes it again and warns again (one that failed outright warns as a null image when painted).
   */
  async #forgetImages(): Promise<void> {
    await this.#doc.cleanup().catch(() => undefined);
  }

  async text(n: number): Promise<TextPage> {
    const { page, g } = await this.#page(n);
    try {
      const content = await page.getTextContent();
      const items = content.items.filter(
        (i): i is TextItemLike & (typeof content.items)[number] => 'str' in i,
      );
      const info = this.facts.pages[n - 1];
      const size = { width: info?.width ?? 1, height: info?.height ?? 1 };
      return buildTextPage(n, size, g, items, content.styles, measureChars);
    } catch (e) {
      throw docError('corrupt', this.#name, `the text of page ${n} could not be read (${errorMessage(e)})`);
    } finally {
      page.cleanup();
    }
  }

  /**
   * Ruling lines from the page's operator list. Asked after the document's text on the worker that read it, it
   * reuses what the text pass left in this document (parsed page tree, translated fonts) instead of parsing the
   * file again elsewhere.
   */
  async rulings(
    n: number,
    withPaths = false,
  ): Promise<{ segments: Segment[]; warnings: string[]; paths?: VectorPath[] }> {
    const { page, g } = await this.#page(n);
    try {
      // The operator list decodes the page's images, so a lost one shows here as in a render.
      const { value, warnings: seen } = await captureWarnings(() =>
        withPaths ? extractGraphics(page, g) : extractRulings(page, g).then((segments) => ({ segments })),
      );
      const warnings = pageLosses(seen);
      if (warnings.length) await this.#forgetImages();
      return { ...value, warnings };
    } catch (e) {
      throw docError(
        'corrupt',
        this.#name,
        `the ruling lines of page ${n} could not be read (${errorMessage(e)})`,
      );
    } finally {
      page.cleanup();
    }
  }

  async render(n: number, dpi: number, format: RenderFormat): Promise<RenderOutput> {
    const { page } = await this.#page(n);
    try {
      // scale 1 is points × UserUnit, rotated as displayed: exactly page space.
      const base = page.getViewport({ scale: 1 });
      const { scale, capped } = capScale(base.width, base.height, dpi / 72);
      const viewport = page.getViewport({ scale });
      const { width, height } = rasterSize(base.width, base.height, scale);
      const canvas = napiCanvas.createCanvas(width, height);
      const ctx = canvas.getContext('2d', { alpha: false });
      const params = { canvasContext: ctx, canvas, viewport, background: '#ffffff' };
      // pdf.js draws nothing for an image it cannot decode and only warns: those warnings are the page's losses.
      const { warnings: seen } = await captureWarnings(() => page.render(params).promise);
      const warnings = pageLosses(seen);
      if (warnings.length) await this.#forgetImages();
      if (format === 'raw') {
        const img = ctx.getImageData(0, 0, width, height);
        const data = new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength);
        return { format, data, width, height, channels: 4, scale, capped, warnings };
      }
      const png = await canvas.encode('png');
      return {
        format,
        data: new Uint8Array(png.buffer, png.byteOffset, png.byteLength),
        width,
        height,
        channels: 4,
        scale,
        capped,
        warnings,
      };
    } catch (e) {
      throw docError('corrupt', this.#name, `page ${n} could not be rendered (${errorMessage(e)})`);
    } finally {
      page.cleanup();
    }
  }

  async close(): Promise<void> {
    await this.#destroy();
  }
}

function toView(v: readonly number[]): [number, number, number, number] {
  const [a = 0, b = 0, c = 612, d = 792] = v;
  return [a, b, c, d];
}

function normRotation(r: number): number {
  const m = ((r % 360) + 360) % 360;
  return m;
}

// ---- glyph proportions for splitting runs into words ---------------------------------------------------------

let measureCtx: napiCanvas.SKRSContext2D | null = null;
const widthCache = new Map<string, number>();

function genericFamily(family: string): string {
  const f = family.toLowerCase();
  if (f.includes('mono') || f.includes('courier')) return 'monospace';
  if (f.includes('serif') && !f.includes('sans')) return 'serif';
  if (f.includes('times')) return 'serif';
  return 'sans-serif';
}

/** Advances of each character measured in a metric-similar system font (only proportions matter). */
const measureChars: MeasureChars = (s, family) => {
  measureCtx ??= napiCanvas.createCanvas(1, 1).getContext('2d');
  const fam = genericFamily(family);
  measureCtx.font = `100px ${fam}`;
  return Array.from(s, (ch) => {
    const key = fam + '\u0000' + ch;
    let w = widthCache.get(key);
    if (w === undefined) {
      w = measureCtx?.measureText(ch).width ?? 0;
      if (!(w > 0)) w = /\s/.test(ch) ? 28 : 50;
      if (widthCache.size < 50_000) widthCache.set(key, w);
    }
    return w;
  });
};
