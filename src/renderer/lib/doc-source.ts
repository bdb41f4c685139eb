// Where the viewer gets pixels: pdf.js pages for PDFs, an object URL of the original bytes for images.
import type { PDFDocumentProxy } from 'pdfjs-dist';
import type { DocumentInfo } from '../../shared/domain.js';
import { api } from './api.js';
import { loadPdf } from './pdf.js';

const imageUrls = new Map<string, Promise<string>>();
/**
 * The password each encrypted document was opened with: the viewer's own pdf.js load needs it too (the
 * backend's copy never leaves the backend). Kept in memory for the open tab only, never stored.
 */
const passwords = new Map<string, string>();

export function rememberPassword(docId: string, password: string | undefined): void {
  if (password) passwords.set(docId, password);
}

export function forgetPassword(docId: string): void {
  passwords.delete(docId);
}

export function pdfFor(info: DocumentInfo): Promise<PDFDocumentProxy> {
  return loadPdf(
    info.id,
    async () => (await api.call('documents.content', { docId: info.id })).bytes,
    passwords.get(info.id),
  );
}

export function imageUrlFor(info: DocumentInfo): Promise<string> {
  let p = imageUrls.get(info.id);
  if (!p) {
    p = api.call('documents.content', { docId: info.id }).then(({ bytes, mime }) => {
      return URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime }));
    });
    imageUrls.set(info.id, p);
  }
  return p;
}
