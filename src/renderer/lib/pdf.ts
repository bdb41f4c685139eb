// pdf.js in the renderer, with its own worker: loads a document's bytes once per open document and hands
// out pages for the viewer and thumbnails.
import { GlobalWorkerOptions, getDocument } from 'pdfjs-dist';
import type { PDFDocumentProxy } from 'pdfjs-dist';

GlobalWorkerOptions.workerSrc = './pdfjs/pdf.worker.min.mjs';

const loaded = new Map<string, Promise<PDFDocumentProxy>>();

export function loadPdf(
  docId: string,
  bytes: () => Promise<Uint8Array>,
  password?: string,
): Promise<PDFDocumentProxy> {
  let p = loaded.get(docId);
  if (!p) {
    p = bytes().then(
      (data) =>
        getDocument({
          data,
          password,
          cMapUrl: './pdfjs/cmaps/',
          cMapPacked: true,
          standardFontDataUrl: './pdfjs/standard_fonts/',
          wasmUrl: './pdfjs/wasm/',
          enableXfa: false,
        }).promise,
    );
    loaded.set(docId, p);
    p.catch(() => loaded.delete(docId));
  }
  return p;
}

export async function unloadPdf(docId: string): Promise<void> {
  const p = loaded.get(docId);
  loaded.delete(docId);
  if (p) await (await p).loadingTask.destroy().catch(() => undefined);
}

/** CSS pixels per page-space unit at zoom 1: PDFs show 1 pt as 96/72 CSS px (actual size), images 1:1. */
export function cssPerUnit(kind: 'pdf' | 'image'): number {
  return kind === 'pdf' ? 96 / 72 : 1;
}
