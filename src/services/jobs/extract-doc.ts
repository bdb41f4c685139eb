// Dates and tables of an open document, shared by the extract.* handlers and batch jobs: page text from the text
// layer or OCR (PageText), ruling lines through the document's handle (the documents engine's pool worker that
// already holds the parsed document, under the page deadline), and the detectors of src/extract.
import { extractDocumentDates } from '../../extract/dates/index.js';
import { detectTables, joinContinuedTables } from '../../extract/tables/index.js';
import { detectCharts } from '../../extract/charts/index.js';
import type { Chart } from '../../shared/charts.js';
import type { ImageRulings } from '../../extract/tables/image-rulings.js';
import type { DateHit, Settings, Table, TextPage } from '../../shared/domain.js';
import type { OpenDocument } from '../document-store.js';
import { ocrRulings, type PageText } from '../page-text.js';

export function datesOf(texts: readonly TextPage[], settings: Settings): DateHit[] {
  const pref = settings.dateLocale;
  return extractDocumentDates(texts, { locale: pref === 'auto' ? undefined : pref });
}

/**
 * Tables of the given pages (texts in the same order). Text-layer pages of a PDF use its ruling lines (lattice)
 * and text alignment (stream); OCR pages use the OCR words' alignment and are marked `ocr`. When ruling lines
 * cannot be read (a page past its deadline, a damaged content stream) the pages fall back to alignment only and
 * the reason is returned in `warnings`. Tables continued over pages are joined (joinContinuedTables).
 */
export async function tablesOf(
  doc: OpenDocument,
  texts: readonly TextPage[],
): Promise<{ tables: Table[]; warnings: string[] }> {
  const warnings: string[] = [];
  const layerPages = textLayerPages(doc, texts);
  let rulings = new Map<number, Parameters<typeof detectTables>[1]>();
  // Charts are not tables: their regions are kept out of table detection.
  const chartBoxes = new Map<number, Chart['box'][]>();
  if (layerPages.length) {
    try {
      const g = await doc.handle.graphics(layerPages.map((t) => t.page));
      rulings = new Map(layerPages.map((t, i) => [t.page, g.segments[i] ?? []]));
      layerPages.forEach((t, i) =>
        chartBoxes.set(
          t.page,
          detectCharts(t, g.paths[i] ?? []).map((c) => c.box),
        ),
      );
    } catch (e) {
      warnings.push(`ruling lines not read, tables found from text alignment only: ${(e as Error).message}`);
    }
  }
  const tables: Table[] = [];
  for (const t of texts) {
    if (!t.words.length) continue;
    if (t.source === 'ocr') {
      // Ruling lines found in the OCR raster (PageText), upright with the scan's skew; none when not OCR'd here.
      let r: ImageRulings | undefined;
      try {
        r = await ocrRulings(t);
      } catch (e) {
        warnings.push(
          `page ${t.page}: ruling lines not read, tables found from text alignment only: ${(e as Error).message}`,
        );
      }
      const found = r
        ? detectTables(t, r.segments, { skew: { deg: r.skewDeg, centre: r.centre } })
        : detectTables(t, []);
      tables.push(...found.map((x) => ({ ...x, method: 'ocr' as const })));
    } else {
      tables.push(...detectTables(t, rulings.get(t.page) ?? [], { exclude: chartBoxes.get(t.page) ?? [] }));
    }
  }
  // A table continued over pages is one table, its cells keeping their pages.
  return { tables: joinContinuedTables(tables, texts), warnings };
}

/** Pages read from a PDF's text layer (never rendered): the pages whose operator list is walked for rulings. */
function textLayerPages(doc: OpenDocument, texts: readonly TextPage[]): TextPage[] {
  return doc.info.kind === 'pdf' ? texts.filter((t) => t.source === 'text-layer' && t.words.length) : [];
}

/**
 * Checks the embedded images of pages read from the text layer, which are never rendered: the same operator-list
 * walk `tablesOf` reads rulings from decodes them, and an image pdf.js cannot draw (cut JPEG, undecodable stream,
 * over maxImageSize) makes the document `partial` with the page and the reason (DocumentHandle.info). Jobs without
 * tables call this so a dates-only job reports such pages too. Returns the reason when the walk itself failed.
 */
export async function imageLossesOf(doc: OpenDocument, texts: readonly TextPage[]): Promise<string[]> {
  const pages = textLayerPages(doc, texts).map((t) => t.page);
  if (!pages.length) return [];
  try {
    await doc.handle.rulings(pages);
    return [];
  } catch (e) {
    return [`embedded images not checked: ${(e as Error).message}`];
  }
}

/**
 * Charts of the given pages (texts in the same order), read exactly from the vector drawings of text-layer PDF
 * pages (src/extract/charts). Scans and images have no drawing to read: charts there need a model.
 */
export async function chartsOf(
  doc: OpenDocument,
  texts: readonly TextPage[],
): Promise<{ charts: Chart[]; warnings: string[] }> {
  const layerPages =
    doc.info.kind === 'pdf' ? texts.filter((t) => t.source === 'text-layer' && t.words.length) : [];
  if (!layerPages.length) return { charts: [], warnings: [] };
  try {
    const g = await doc.handle.graphics(layerPages.map((t) => t.page));
    return { charts: layerPages.flatMap((t, i) => detectCharts(t, g.paths[i] ?? [])), warnings: [] };
  } catch (e) {
    return { charts: [], warnings: [`vector drawings not read, no charts found: ${(e as Error).message}`] };
  }
}

/** Page texts in page order; pages whose text fails are reported in `failed` instead of failing the whole call. */
export async function textsOf(
  doc: OpenDocument,
  pages: readonly number[],
  text: PageText,
  signal?: AbortSignal,
  onPage?: (read: number) => void,
): Promise<{ texts: TextPage[]; failed: { page: number; message: string; error: unknown }[] }> {
  const texts: TextPage[] = [];
  const failed: { page: number; message: string; error: unknown }[] = [];
  for (const p of pages) {
    signal?.throwIfAborted();
    try {
      texts.push(await text.get(doc, p));
    } catch (e) {
      failed.push({ page: p, message: (e as Error).message, error: e });
    }
    onPage?.(texts.length + failed.length);
  }
  return { texts, failed };
}
