// Measures batch extraction (dates + tables) through the real backend and job runner (extract.start, the call
// `doclens extract` makes): pages/s on 200 digital pages and on 20 scanned pages, a 1000-page job in a process of
// its own (pages/s and the peak RSS of its whole process tree), and peers measured in the same run on the same files:
//   digital: `pdftotext -layout` (poppler) — text extraction only, no date parsing or table structure, so it is a
//            lower bound of the work, not the same work;
//   scanned: `pdftoppm -r 200` + `tesseract` (OCR text only, no dates or tables).
// Both sides run 2 documents at a time.
//
// The 1000-page job is generated here (pdf-lib, seeded): every page has its own dates in several formats and a ruled
// table of its own size and content, in files of 1 to 40 pages; a second job puts the same number of pages in one
// PDF (the whole document's text is held at once). Each job runs in a child process started for it, so its peak
// RSS is its own, not the bench's: the child's tree (the process, its worker threads, any child process) is
// sampled from /proc every 100 ms, and the child also reports the kernel's high-water mark (VmHWM) of its process.
//
// Usage: npm run bench:extract [-- --digital N --scanned N --job N --single N]   (--single 0 skips the one-PDF job)
// The same sizes can come from BENCH_DIGITAL, BENCH_SCANNED, BENCH_JOB, BENCH_SINGLE (e.g. BENCH_JOB=100 for a quick
// run); flags win.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PDFDocument, StandardFonts, rgb, type PDFFont } from 'pdf-lib';
import { createBackend } from '../src/services/backend.js';
import type { JobInfo } from '../src/shared/domain.js';
import { mulberry32 } from '../src/shared/prng.js';
import { PageDraw, hex } from './samples/pdf-page.js';
import { drawTable } from './samples/pdf-table.js';
import { MONTHS } from '../src/extract/dates/labelled-set.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const SAMPLES = path.join(ROOT, 'assets/samples');
const PAGES_PER_DOC = 10;
const GOAL_PAGES_PER_S = 20;
const GOAL_RSS_BYTES = 1.5 * 1024 ** 3;
const MiB = 1024 ** 2;

/** `--name N`, else BENCH_NAME, else the fallback; `min` 0 lets a size be switched off. */
function arg(name: string, fallback: number, min = 1): number {
  const i = process.argv.indexOf(`--${name}`);
  const env = process.env[`BENCH_${name.toUpperCase()}`];
  const v = i >= 0 ? Number(process.argv[i + 1]) : env !== undefined && env !== '' ? Number(env) : fallback;
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
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

// ---- generated statements: dates and a ruled table on every page, all different ------------------------------

const ITEMS = [
  'Consulting, hours',
  'Hosting (monthly)',
  'Licence renewal',
  'Travel expenses',
  'Office supplies',
  'Design review',
  'Support plan',
  'Data migration',
  'Training session',
  'Hardware lease',
  'Freight and handling',
  'Translation, pages',
];
const PEOPLE = ['Ana Ruiz', 'J. Okafor', 'Mei Lin', 'T. Svensson', 'R. Patel', 'L. Moreau', 'K. Nowak'];

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
  serif: PDFFont;
}

/** Draws one statement page: a heading, a paragraph with dates, a ruled table, a footer. */
function drawStatement(doc: PDFDocument, fonts: Fonts, rand: () => number, pageNo: number, of: number): void {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const date = () => {
    const y = int(2019, 2026);
    const m = int(1, 12);
    const d = int(1, 28);
    const mm = String(m).padStart(2, '0');
    const dd = String(d).padStart(2, '0');
    const month = MONTHS[m - 1] as string;
    return pick([
      `${y}-${mm}-${dd}`,
      `${month} ${d}, ${y}`,
      `${d} ${month.slice(0, 3)} ${y}`,
      `${mm}/${dd}/${y}`,
      `${d}. ${month} ${y}`,
    ]);
  };
  const money = (v: number) =>
    `$${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

  const page = doc.addPage([612, 792]);
  const pd = new PageDraw(page, pageNo);
  const ink = hex('#1d2430');
  const ref = `ST-${int(1000, 9999)}-${int(10, 99)}`;
  pd.text(`Statement ${ref}`, 54, 70, { font: fonts.bold, size: 18, color: ink });
  pd.text(`Issued ${date()} for ${pick(PEOPLE)}`, 54, 92, { font: fonts.regular, size: 10, color: ink });
  const para =
    `This statement covers the period from ${date()} to ${date()}. Payment is due by ${date()}; ` +
    `items received after ${date()} appear on the next statement. Contact ${pick(PEOPLE)} with questions ` +
    `about reference ${ref}.`;
  pd.paragraph(para, 54, 120, 504, 14, { font: fonts.serif, size: 10.5, color: ink });

  const cols = int(3, 6);
  const rows = int(5, 14);
  const header = ['Date', 'Description', 'Qty', 'Amount', 'Owner', 'Ref'].slice(0, cols);
  const body = Array.from({ length: rows }, () =>
    [
      date(),
      pick(ITEMS),
      String(int(1, 40)),
      money(int(5, 250_000) / 100),
      pick(PEOPLE),
      `R${int(100, 999)}`,
    ].slice(0, cols),
  );
  const widths = [96, 150, 44, 90, 84, 40].slice(0, cols);
  drawTable(pd, {
    x: 54,
    y: 200,
    colWidths: widths,
    rowHeight: int(18, 24),
    rows: [header, ...body],
    headerRows: 1,
    aligns: ['left', 'left', 'right', 'right', 'left', 'left'].slice(0, cols) as ('left' | 'right')[],
    headerStyle: { font: fonts.bold, size: 9.5, color: ink },
    bodyStyle: { font: fonts.regular, size: 9.5, color: ink },
    headerFill: hex('#e8f1f2'),
    zebraFill: rand() < 0.5 ? hex('#f3f6f8') : null,
    lineColor: hex('#c9d1d9'),
    outerColor: hex('#5b6573'),
    padding: 5,
    caption: null,
  });
  pd.text(`Page ${pageNo} of ${of} · printed ${date()}`, 54, 760, {
    font: fonts.regular,
    size: 8,
    color: rgb(0.36, 0.4, 0.45),
  });
}

/** Statement PDFs of `sizes[i]` pages each, seeded so every run draws the same files. */
async function makeStatements(dir: string, sizes: number[], seed: number, prefix: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const rand = mulberry32(seed);
  const files: string[] = [];
  for (const [d, n] of sizes.entries()) {
    const doc = await PDFDocument.create();
    const fonts = {
      regular: await doc.embedFont(StandardFonts.Helvetica),
      bold: await doc.embedFont(StandardFonts.HelveticaBold),
      serif: await doc.embedFont(StandardFonts.TimesRoman),
    };
    for (let p = 1; p <= n; p++) drawStatement(doc, fonts, rand, p, n);
    doc.setTitle(`${prefix} ${d}`);
    const file = path.join(dir, `${prefix}-${String(d).padStart(4, '0')}.pdf`);
    await writeFile(file, await doc.save());
    files.push(file);
  }
  return files;
}

/** File sizes between 1 and 40 pages (seeded) adding up to `pages`. */
function mixedSizes(pages: number, seed: number): number[] {
  const rand = mulberry32(seed);
  const choices = [1, 2, 3, 5, 8, 10, 12, 20, 25, 40];
  const sizes: number[] = [];
  for (let left = pages; left > 0;) {
    const n = Math.min(left, choices[Math.floor(rand() * choices.length)] as number);
    sizes.push(n);
    left -= n;
  }
  return sizes;
}

// ---- measuring -------------------------------------------------------------------------------------------------

interface Measure {
  seconds: number;
  pages: number;
  peakRss: number;
  info: JobInfo;
}

/** Starts a job over `inputs` with dates + tables, CSV + JSON, as `doclens extract` does, and waits for it. */
async function runJob(inputs: string[], dataDir: string): Promise<Measure> {
  const backend = await createBackend({ dataDir });
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  try {
    const done = new Promise<JobInfo>((resolve) =>
      backend.onEvent((e) => e.type === 'job.done' && resolve(e.payload)),
    );
    const t0 = performance.now();
    const r = await backend.call('extract.start', {
      inputs,
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

/** RSS in bytes of a process and all its descendants (threads share their process's RSS), from /proc. */
async function treeRss(pid: number): Promise<number> {
  let total = 0;
  const seen = new Set<number>();
  const visit = async (p: number): Promise<void> => {
    if (seen.has(p)) return;
    seen.add(p);
    try {
      const status = await readFile(`/proc/${p}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
      if (kb) total += Number(kb) * 1024;
      const kids: number[] = [];
      for (const t of await readdir(`/proc/${p}/task`)) {
        const list = await readFile(`/proc/${p}/task/${t}/children`, 'utf8').catch(() => '');
        for (const c of list.split(/\s+/)) if (c) kids.push(Number(c));
      }
      await Promise.all(kids.map(visit));
    } catch {
      // the process ended between listing and reading
    }
  };
  await visit(pid);
  return total;
}

interface ChildReport {
  seconds: number;
  pages: number;
  docs: number;
  dates: number;
  tables: number;
  byStatus: Record<string, number>;
  /** The child process's own peak RSS (VmHWM), bytes. */
  hwm: number;
}

interface JobMeasure extends ChildReport {
  /** Peak of the sampled process-tree RSS, bytes. */
  treePeak: number;
  samples: number;
}

/** Runs one job in a fresh process (this script with --child) and samples its process tree's RSS. */
async function jobInChild(inputDir: string, dataDir: string): Promise<JobMeasure> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--child', inputDir, dataDir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('the job process did not start');
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  let treePeak = 0;
  let samples = 0;
  let sampling = false;
  const sampler = setInterval(() => {
    if (sampling) return;
    sampling = true;
    void treeRss(pid)
      .then((b) => {
        treePeak = Math.max(treePeak, b);
        samples++;
      })
      .finally(() => (sampling = false));
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  const line = out.split('\n').find((l) => l.startsWith('{"report"'));
  if (code !== 0 || !line) throw new Error(`the job process ended with code ${code}: ${out.slice(-2000)}`);
  const report = (JSON.parse(line) as { report: ChildReport }).report;
  return { ...report, treePeak: Math.max(treePeak, report.hwm), samples };
}

/** The child side: one job over `inputDir`, then one JSON line on stdout. */
async function child(inputDir: string, dataDir: string): Promise<void> {
  const m = await runJob([inputDir], dataDir);
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const hwmKb = Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0);
  const byStatus: Record<string, number> = {};
  for (const f of m.info.files) byStatus[f.status] = (byStatus[f.status] ?? 0) + 1;
  const report: ChildReport = {
    seconds: m.seconds,
    pages: m.pages,
    docs: m.info.files.length,
    dates: m.info.files.reduce((a, f) => a + f.dates, 0),
    tables: m.info.files.reduce((a, f) => a + f.tables, 0),
    byStatus,
    hwm: Math.max(hwmKb * 1024, process.resourceUsage().maxRSS * 1024),
  };
  process.stdout.write(`${JSON.stringify({ report })}\n`);
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

const pdftotext = (files: string[]) =>
  timed(files, 2, async (f) => {
    await run('pdftotext', ['-layout', f, '-'], { maxBuffer: 256 * 1024 * 1024 });
  });

async function main(): Promise<void> {
  const digitalPages = arg('digital', 200);
  const scannedPages = arg('scanned', 20);
  const jobPages = arg('job', 1000, 0);
  const singlePages = arg('single', jobPages, 0);
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
      `machine: ${os.availableParallelism()} cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB; node ${process.versions.node}; load average ${(os.loadavg()[0] ?? 0).toFixed(2)} at start`,
    );
    console.log(
      `inputs: ${digitalPages} digital pages in ${digital.length} PDFs (invoice + report pages), ${scannedPages} scanned pages in ${scanned.length} PDF(s) (invoice-scanned)`,
    );

    const d = await runJob(digital, path.join(tmp, 'data-digital'));
    const s = await runJob(scanned, path.join(tmp, 'data-scanned'));
    const count = (m: Measure) =>
      `${m.info.files.reduce((a, f) => a + f.dates, 0)} dates, ${m.info.files.reduce((a, f) => a + f.tables, 0)} tables`;

    // Generated after the in-process runs, so pdf-lib's memory is not in their RSS; measured in children.
    const jobDir = path.join(tmp, 'job');
    const jobFiles = jobPages ? await makeStatements(jobDir, mixedSizes(jobPages, 1000), 7, 'statement') : [];
    const singleDir = path.join(tmp, 'single');
    const singleFiles = singlePages ? await makeStatements(singleDir, [singlePages], 11, 'single') : [];
    if (jobPages)
      console.log(
        `        ${jobPages}-page job: ${jobFiles.length} generated statement PDFs of 1–40 pages (dates and a ruled table on every page, all different), in a process of its own`,
      );
    if (singlePages)
      console.log(
        `        one-PDF job: ${singlePages} generated statement pages in one PDF, in a process of its own`,
      );
    console.log('');
    const j = jobPages ? await jobInChild(jobDir, path.join(tmp, 'data-job')) : null;
    const one = singlePages ? await jobInChild(singleDir, path.join(tmp, 'data-single')) : null;

    const digitalPeer = await pdftotext(digital);
    const jobPeer = jobPages ? await pdftotext(jobFiles) : null;
    const singlePeer = singlePages ? await pdftotext(singleFiles) : null;
    let tesseract: number | null = null;
    try {
      tesseract = await timed(scanned, 2, async (f) => {
        const prefix = `${f}.ppm`;
        await run('pdftoppm', ['-r', '200', '-gray', '-png', f, prefix]);
        const dir = path.dirname(f);
        for (const png of (await readdir(dir)).filter(
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

    const mib = (b: number) => `${(b / MiB).toFixed(0)} MiB`;
    const row = (name: string, pages: number, sec: number, extra = '') =>
      console.log(
        `${name.padEnd(50)}${String(pages).padStart(6)} pages ${sec.toFixed(2).padStart(8)} s ${(pages / sec).toFixed(1).padStart(8)} pages/s  ${extra}`,
      );
    const jobRow = (name: string, m: JobMeasure) =>
      row(
        name,
        m.pages,
        m.seconds,
        `${m.docs} docs, ${m.dates} dates, ${m.tables} tables; peak RSS ${mib(m.treePeak)} (process tree, ${m.samples} samples; VmHWM ${mib(m.hwm)})`,
      );
    row('DocLens dates+tables, digital', d.pages, d.seconds, `${count(d)}; peak RSS ${mib(d.peakRss)}`);
    row('pdftotext -layout (text only), digital', digitalPages, digitalPeer);
    if (j) jobRow(`DocLens dates+tables, ${jobPages}-page job`, j);
    if (j && jobPeer !== null) row(`pdftotext -layout (text only), ${jobPages}-page job`, jobPages, jobPeer);
    if (one) jobRow(`DocLens dates+tables, ${singlePages} pages in one PDF`, one);
    if (one && singlePeer !== null) row(`pdftotext -layout (text only), one PDF`, singlePages, singlePeer);
    row('DocLens dates+tables, scanned (OCR)', s.pages, s.seconds, `${count(s)}; peak RSS ${mib(s.peakRss)}`);
    if (tesseract !== null) row('pdftoppm 200 dpi + tesseract (text only), scanned', scannedPages, tesseract);

    const ratio = (name: string, pages: number, sec: number, peerPages: number, peerSec: number) =>
      console.log(
        `ratio ${name}: DocLens ${(pages / sec).toFixed(1)} / pdftotext ${(peerPages / peerSec).toFixed(1)} pages/s = ${(pages / sec / (peerPages / peerSec)).toFixed(2)}×`,
      );
    console.log('');
    ratio('digital', d.pages, d.seconds, digitalPages, digitalPeer);
    if (j && jobPeer !== null) ratio(`${jobPages}-page job`, j.pages, j.seconds, jobPages, jobPeer);
    if (one && singlePeer !== null) ratio('one PDF', one.pages, one.seconds, singlePages, singlePeer);
    if (tesseract !== null)
      console.log(
        `ratio scanned: DocLens ${(s.pages / s.seconds).toFixed(2)} / tesseract ${(scannedPages / tesseract).toFixed(2)} pages/s = ${(s.pages / s.seconds / (scannedPages / tesseract)).toFixed(2)}×`,
      );

    if ((j && j.pages !== jobPages) || (one && one.pages !== singlePages))
      console.log('WARNING: a job read fewer pages than it was given (see the rows above)');
    const verdict = (ok: boolean) => (ok ? 'goal met' : 'goal NOT met');
    const cores = os.availableParallelism();
    console.log(`\ngoals (issue 5), on this machine (${cores} cores):`);
    const speed = (name: string, pages: number, sec: number) =>
      console.log(
        `  ≥ ${GOAL_PAGES_PER_S} digital pages/s, ${name}: ${(pages / sec).toFixed(1)} pages/s — ${verdict(pages / sec >= GOAL_PAGES_PER_S)}`,
      );
    speed(`${digitalPages} digital pages`, d.pages, d.seconds);
    if (j) speed(`${jobPages}-page job`, j.pages, j.seconds);
    if (one) speed(`${singlePages} pages in one PDF`, one.pages, one.seconds);
    const memory = (name: string, m: JobMeasure) =>
      console.log(
        `  peak RSS < 1.5 GB (${mib(GOAL_RSS_BYTES)}), ${name}: ${mib(m.treePeak)} — ${verdict(m.treePeak < GOAL_RSS_BYTES)}`,
      );
    if (j) memory(`${jobPages}-page job`, j);
    if (one) memory(`${singlePages} pages in one PDF`, one);
    if (!j && !one) console.log('  peak RSS on a 1000-page job: not measured (--job 0 --single 0)');
    else if (jobPages < 1000 || (one && singlePages < 1000))
      console.log('  (a job smaller than 1000 pages was asked for: the RSS goal is about 1000 pages)');
    if (cores !== 2) console.log(`  (the speed goal is stated for 2 cores; this machine has ${cores})`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  const [inputDir, dataDir] = process.argv.slice(childAt + 1);
  if (!inputDir || !dataDir) throw new Error('--child needs INPUT_DIR DATA_DIR');
  await child(inputDir, dataDir);
} else {
  await main();
}
