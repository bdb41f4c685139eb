// Measures batch extraction (dates + tables) through the real backend and job runner: pages/s on 200 digital pages
// and on 20 scanned pages, peak RSS, and peers measured in the same run on the same files:
//   digital: `pdftotext -layout` (poppler) — text extraction only, no date parsing or table structure, so it is a
//            lower bound of the work, not the same work;
//   scanned: `pdftoppm -r 200` + `tesseract` (OCR text only, no dates or tables).
// Both sides run 2 documents at a time. Usage: npm run bench:extract [-- --digital N --scanned N]
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PDFDocument } from 'pdf-lib';
import { createBackend } from '../src/services/backend.js';
import type { JobInfo } from '../src/shared/domain.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const SAMPLES = path.join(ROOT, 'assets/samples');
const PAGES_PER_DOC = 10;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
  return v;
}

/** Documents of PAGES_PER_DOC pages made by copying the sample pages (pdf-lib), `pages` pages in all. */
async function makeDocs(dir: string, sources: string[], pages: number, prefix: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const srcs = await Promise.all(
    sources.map(async (f) => PDFDocument.load(await readFile(path.join(SAMPLES, f)))),
  );
  const files: string[] = [];
  let made = 0;
  for (let d = 0; made < pages; d++) {
    const doc = await PDFDocument.create();
    const n = Math.min(PAGES_PER_DOC, pages - made);
    for (let k = 0; k < n; k++) {
      const src = srcs[(made + k) % srcs.length] as PDFDocument;
      const idx = (made + k) % src.getPageCount();
      const [page] = await doc.copyPages(src, [idx]);
      if (page) doc.addPage(page);
    }
    doc.setTitle(`${prefix} ${d}`);
    const file = path.join(dir, `${prefix}-${String(d).padStart(3, '0')}.pdf`);
    await writeFile(file, await doc.save());
    files.push(file);
    made += n;
  }
  return files;
}

interface Measure {
  seconds: number;
  pages: number;
  peakRss: number;
  info: JobInfo;
}

async function doclensJob(files: string[], dataDir: string): Promise<Measure> {
  const backend = await createBackend({ dataDir });
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  try {
    const done = new Promise<JobInfo>((resolve) =>
      backend.onEvent((e) => e.type === 'job.done' && resolve(e.payload)),
    );
    const t0 = performance.now();
    const r = await backend.call('extract.start', {
      inputs: files,
      kinds: ['dates', 'tables'],
      formats: ['csv', 'json'],
      outDir: path.join(dataDir, 'out'),
    });
    if (!r.ok) throw new Error(r.error.message);
    const info = await done;
    const seconds = (performance.now() - t0) / 1000;
    if (info.progress.state !== 'done')
      throw new Error(`job ended ${info.progress.state}: ${info.progress.message}`);
    return { seconds, pages: info.progress.pagesDone, peakRss: peak, info };
  } finally {
    clearInterval(sampler);
    await backend.dispose();
  }
}

/** Runs `fn` over the files, `parallel` at a time; returns seconds. */
async function timed(files: string[], parallel: number, fn: (f: string) => Promise<void>): Promise<number> {
  const queue = [...files];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let f = queue.shift(); f; f = queue.shift()) await fn(f);
    }),
  );
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const digitalPages = arg('digital', 200);
  const scannedPages = arg('scanned', 20);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'doclens-bench-extract-'));
  try {
    const digital = await makeDocs(
      path.join(tmp, 'digital'),
      ['invoice.pdf', 'report.pdf'],
      digitalPages,
      'digital',
    );
    const scanned = await makeDocs(
      path.join(tmp, 'scanned'),
      ['invoice-scanned.pdf'],
      scannedPages,
      'scanned',
    );
    console.log(
      `machine: ${os.availableParallelism()} cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB; node ${process.versions.node}`,
    );
    console.log(
      `inputs: ${digitalPages} digital pages in ${digital.length} PDFs (invoice + report pages), ${scannedPages} scanned pages in ${scanned.length} PDF(s) (invoice-scanned)\n`,
    );

    const d = await doclensJob(digital, path.join(tmp, 'data-digital'));
    const s = await doclensJob(scanned, path.join(tmp, 'data-scanned'));
    const count = (m: Measure) =>
      `${m.info.files.reduce((a, f) => a + f.dates, 0)} dates, ${m.info.files.reduce((a, f) => a + f.tables, 0)} tables`;

    const pdftotext = await timed(digital, 2, async (f) => {
      await run('pdftotext', ['-layout', f, '-'], { maxBuffer: 64 * 1024 * 1024 });
    });
    let tesseract: number | null = null;
    try {
      tesseract = await timed(scanned, 2, async (f) => {
        const prefix = `${f}.ppm`;
        await run('pdftoppm', ['-r', '200', '-gray', '-png', f, prefix]);
        const dir = path.dirname(f);
        const pngs = (await import('node:fs/promises')).readdir(dir);
        for (const png of (await pngs).filter(
          (n) => n.startsWith(path.basename(prefix)) && n.endsWith('.png'),
        )) {
          await run('tesseract', [path.join(dir, png), '-', '--psm', '3'], {
            maxBuffer: 64 * 1024 * 1024,
            env: { ...process.env, OMP_THREAD_LIMIT: '1' },
          });
        }
      });
    } catch (e) {
      console.log(`tesseract peer not run: ${(e as Error).message.split('\n')[0]}`);
    }

    const row = (name: string, pages: number, sec: number, extra = '') =>
      console.log(
        `${name.padEnd(44)}${String(pages).padStart(6)} pages ${sec.toFixed(2).padStart(8)} s ${(pages / sec).toFixed(1).padStart(8)} pages/s  ${extra}`,
      );
    row(
      'DocLens dates+tables, digital',
      d.pages,
      d.seconds,
      `${count(d)}; peak RSS ${(d.peakRss / 1024 ** 2).toFixed(0)} MiB`,
    );
    row('pdftotext -layout (text only), digital', digitalPages, pdftotext);
    row(
      'DocLens dates+tables, scanned (OCR)',
      s.pages,
      s.seconds,
      `${count(s)}; peak RSS ${(s.peakRss / 1024 ** 2).toFixed(0)} MiB`,
    );
    if (tesseract !== null) row('pdftoppm 200 dpi + tesseract (text only), scanned', scannedPages, tesseract);
    console.log(
      `\nratio digital: DocLens ${(d.pages / d.seconds).toFixed(1)} / pdftotext ${(digitalPages / pdftotext).toFixed(1)} pages/s = ${(d.pages / d.seconds / (digitalPages / pdftotext)).toFixed(2)}×`,
    );
    if (tesseract !== null)
      console.log(
        `ratio scanned: DocLens ${(s.pages / s.seconds).toFixed(2)} / tesseract ${(scannedPages / tesseract).toFixed(2)} pages/s = ${(s.pages / s.seconds / (scannedPages / tesseract)).toFixed(2)}×`,
      );
    console.log('goal (issue 5): ≥ 20 digital pages/s on 2 cores; peak RSS < 1.5 GB');
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
