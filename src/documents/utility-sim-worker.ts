// Test helper (run as a worker by pdfjs-setup.test.ts): a thread that looks like Electron's utilityProcess, where
// pdf.js does not detect Node. It reports what pdf.js does there bare and with our setup, for the test to assert.
import { parentPort, workerData } from 'node:worker_threads';
import { loadPdf } from './pdf-doc.js';
import { loadPdfJs, pdfJsSeesNode } from './pdfjs-setup.js';

export interface UtilitySimReport {
  processType: string | undefined;
  seesNode: boolean;
  /** GlobalWorkerOptions.workerSrc as pdf.js left it at load: '' on its browser path. */
  workerSrcAtLoad: string;
  bareError: string | null;
  words: string[];
  width: number;
  height: number;
  pngBytes: number;
  darkPixels: number;
}

async function main(): Promise<UtilitySimReport> {
  const bytes = workerData as Uint8Array;
  const raw = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const workerSrcAtLoad = raw.GlobalWorkerOptions.workerSrc;
  // Bare pdf.js on its browser path: no DOM canvas factory, no fetch for fonts, so rendering cannot work.
  let bareError: string | null = null;
  try {
    const doc = await raw.getDocument({ data: bytes.slice(), verbosity: 0 }).promise;
    const page = await doc.getPage(1);
    await page.render({ canvas: null, viewport: page.getViewport({ scale: 1 }) }).promise;
  } catch (e) {
    bareError = e instanceof Error ? e.message : String(e);
  }
  await loadPdfJs();
  const doc = await loadPdf(bytes, 'utility.pdf', undefined);
  const text = await doc.text(1);
  const out = await doc.render(1, 72, 'raw');
  let darkPixels = 0;
  for (let i = 0; i < out.data.length; i += out.channels) if ((out.data[i] ?? 255) < 128) darkPixels++;
  const png = await doc.render(1, 72, 'png');
  await doc.close();
  return {
    processType: (process as { type?: string }).type,
    seesNode: pdfJsSeesNode(),
    workerSrcAtLoad,
    bareError,
    words: text.words.map((w) => w.text),
    width: out.width,
    height: out.height,
    pngBytes: png.data.length,
    darkPixels,
  };
}

main().then(
  (r) => parentPort?.postMessage({ ok: true, report: r }),
  (e: unknown) =>
    parentPort?.postMessage({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
);
