// Generates the sample documents in assets/samples/ (opened on first run, used by the demo and the tests)
// and their ground truth samples.json. Deterministic: re-running writes byte-identical files.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SampleDocument, SamplesManifest } from './samples/ground-truth.js';
import { makeInvoice } from './samples/invoice.js';
import { makeReport } from './samples/report.js';
import { makeScan } from './samples/scan.js';
import { makeScene } from './samples/scene.js';

export const SAMPLES_DIR = fileURLToPath(new URL('../assets/samples/', import.meta.url));

export async function makeSamples(outDir: string = SAMPLES_DIR): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const documents: SampleDocument[] = [];
  const put = async (file: string, bytes: Uint8Array) => {
    await writeFile(path.join(outDir, file), bytes);
    written.push(file);
  };

  const invoice = await makeInvoice();
  await put(invoice.truth.file, invoice.bytes);
  documents.push(invoice.truth);

  const scan = await makeScan(invoice.bytes, invoice.truth);
  await put(scan.truth.file, scan.bytes);
  documents.push(scan.truth);

  const report = await makeReport();
  await put(report.truth.file, report.bytes);
  documents.push(report.truth);

  const scene = await makeScene();
  await put(scene.truth.file, scene.bytes);
  documents.push(scene.truth);

  const manifest: SamplesManifest = {
    version: 1,
    generator: 'scripts/make-samples.ts (npm run make:samples)',
    coordinates:
      'Page space: PDF points (1/72 in), origin top-left of the page as displayed, x right, y down; pixels for images.',
    textBoxes:
      'Text boxes span the drawn advance width horizontally and baseline-0.718*size .. baseline+0.207*size ' +
      'vertically (Helvetica ascent/descent, as pdf.js reports them).',
    documents,
  };
  await put('samples.json', new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = await makeSamples();
  console.log(`wrote ${files.join(', ')} to ${SAMPLES_DIR}`);
}
