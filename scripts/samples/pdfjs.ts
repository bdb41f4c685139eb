// Loads pdf.js (Node legacy build) with the data paths of the installed package, for rasterising the
// invoice into its scanned copy and for checking the samples in tests. No network, no worker file lookups.
import { createRequire } from 'node:module';
import path from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

const require = createRequire(import.meta.url);
const pdfjsDir = path.dirname(require.resolve('pdfjs-dist/package.json'));

export async function openPdf(bytes: Uint8Array) {
  const task = getDocument({
    // pdf.js detaches the buffer it is given; hand it a copy.
    data: new Uint8Array(bytes),
    standardFontDataUrl: path.join(pdfjsDir, 'standard_fonts') + path.sep,
    cMapUrl: path.join(pdfjsDir, 'cmaps') + path.sep,
    cMapPacked: true,
    verbosity: 0,
  });
  const doc = await task.promise;
  return { doc, close: () => task.destroy() };
}
