// `npm run bench:render`: pages per second rendering the same PDF pages at 150 DPI to PNG files with DocLens's
// document engine (pdf.js + @napi-rs/canvas in its worker pool) and with poppler's pdftoppm on the same number
// of cores, in one run: throughput of each, their ratio, ms per page, and peak memory.
//
// The pages: the sample documents, ten heavy real documents of the table suite, and every pdfjs-corpus file the
// manifest lists as opening `ok` that both renderers turn into the same number of pages in a check pass first
// (hostile files one of them refuses are robustness cases, not throughput). Each renderer then renders the
// whole set BENCH_ROUNDS times (default 2); the check pass doubles as a warm-up of the OS file cache for both.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDocumentEngine } from '../src/documents/index.js';

const DPI = 150;
const ROOT = path.resolve(import.meta.dirname, '..');
const FIXTURES = path.resolve(ROOT, '../shared/fixtures');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const PDFTOPPM = process.env.PDFTOPPM ?? '/usr/bin/pdftoppm';
/** A file either renderer needs longer than this for in the check pass is left out. */
const CHECK_TIMEOUT_MS = 30_000;
const cores = os.availableParallelism();

const SAMPLES = ['invoice.pdf', 'invoice-scanned.pdf', 'report.pdf'].map((f) =>
  path.join(ROOT, 'assets/samples', f),
);
const TABLE_SUITE = [
  'us-020.pdf',
  'schools.pdf',
  'Publication_of_award_of_Bids_for_Transport_Sector__August_2016.pdf',
  'us-017.pdf',
  'us-030.pdf',
  'eu-017.pdf',
  'us-007.pdf',
  'm27.pdf',
  'eu-002.pdf',
  'spreadsheet_no_bounding_frame.pdf',
].map((f) => path.join(FIXTURES, 'table-suite', f));

function corpusOk(): string[] {
  const dir = path.join(FIXTURES, 'pdfjs-corpus');
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
    files: { file: string; observed: string }[];
  };
  return manifest.files.filter((f) => f.observed === 'ok').map((f) => path.join(dir, f.file));
}

function mib(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}

/** Runs pdftoppm on one file; resolves with its exit code and peak RSS (VmHWM, polled every 5 ms). */
function pdftoppm(
  file: string,
  prefix: string,
  timeoutMs?: number,
): Promise<{ code: number | null; peakKb: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PDFTOPPM, ['-r', String(DPI), '-png', file, prefix], { stdio: 'ignore' });
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m?.[1]) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // exited between polls
      }
    }, 5);
    const timer = timeoutMs ? setTimeout(() => child.kill('SIGKILL'), timeoutMs) : null;
    child.on('error', (e) => {
      clearInterval(poll);
      reject(new Error(`${PDFTOPPM}: ${e.message} (Debian: apt-get install poppler-utils, or set PDFTOPPM)`));
    });
    child.on('exit', (code) => {
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      resolve({ code, peakKb });
    });
  });
}

function pngsIn(dir: string): number {
  return readdirSync(dir).filter((f) => f.endsWith('.png')).length;
}

interface Job {
  file: string;
  pages: number;
}

/** The check pass: files both renderers render completely, with the same page count. */
async function checkFiles(files: string[], scratch: string): Promise<{ jobs: Job[]; left: string[] }> {
  const engine = createDocumentEngine({ poolSize: cores, pageTimeoutMs: CHECK_TIMEOUT_MS });
  const jobs: Job[] = [];
  const left: string[] = [];
  try {
    for (const [i, file] of files.entries()) {
      const name = path.basename(file);
      const out = path.join(scratch, `check-${i}`);
      mkdirSync(out);
      const p = await pdftoppm(file, path.join(out, 'p'), CHECK_TIMEOUT_MS);
      const popplerPages = pngsIn(out);
      rmSync(out, { recursive: true, force: true });
      if (p.code !== 0 || popplerPages === 0) {
        left.push(`${name} (pdftoppm exit ${p.code})`);
        continue;
      }
      try {
        const h = await engine.open(file);
        try {
          if (h.info.pageCount !== popplerPages) {
            left.push(`${name} (DocLens ${h.info.pageCount} pages, pdftoppm ${popplerPages})`);
            continue;
          }
          await Promise.all(h.info.pages.map(({ page }) => h.render(page, { dpi: DPI })));
          jobs.push({ file, pages: popplerPages });
        } finally {
          await h.close();
        }
      } catch (e) {
        left.push(`${name} (DocLens: ${(e as Error).message.split('\n')[0]})`);
      }
    }
  } finally {
    await engine.destroy();
  }
  return { jobs, left };
}

interface Result {
  pages: number;
  seconds: number;
  peakRss: number;
}

/** pdftoppm: one process per file, `cores` at a time. Peak RSS is the largest single process. */
async function runPdftoppm(jobs: Job[], out: string): Promise<Result> {
  const queue = Array.from({ length: ROUNDS }, (_, r) =>
    jobs.map((j, i) => ({ ...j, prefix: path.join(out, `p${r}-${i}`) })),
  ).flat();
  let peakKb = 0;
  let next = 0;
  const t0 = performance.now();
  const lane = async () => {
    for (let job = queue[next++]; job; job = queue[next++]) {
      const r = await pdftoppm(job.file, job.prefix);
      if (r.code !== 0) throw new Error(`pdftoppm exited ${r.code} on ${job.file}`);
      peakKb = Math.max(peakKb, r.peakKb);
    }
  };
  await Promise.all(Array.from({ length: cores }, lane));
  const seconds = (performance.now() - t0) / 1000;
  return { pages: pngsIn(out), seconds, peakRss: peakKb * 1024 };
}

/** DocLens: one engine with a pool of `cores` workers; every page of every file is asked for at once. */
async function runDocLens(jobs: Job[], out: string): Promise<Result> {
  const engine = createDocumentEngine({ poolSize: cores });
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  try {
    // Start the workers first: in the app they are up long before a document arrives.
    const warm = await engine.open(SAMPLES[0]!);
    await Promise.all(Array.from({ length: cores }, () => warm.text(1)));
    await warm.close();
    let pages = 0;
    const t0 = performance.now();
    for (let r = 0; r < ROUNDS; r++) {
      await Promise.all(
        jobs.map(async (job, i) => {
          const h = await engine.open(job.file);
          try {
            await Promise.all(
              h.info.pages.map(async ({ page }) => {
                const png = await h.render(page, { dpi: DPI });
                writeFileSync(path.join(out, `d${r}-${i}-${page}.png`), png.png);
                pages++;
              }),
            );
          } finally {
            await h.close();
          }
        }),
      );
    }
    const seconds = (performance.now() - t0) / 1000;
    return { pages, seconds, peakRss: peak };
  } finally {
    clearInterval(sampler);
    await engine.destroy();
  }
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'doclens-bench-render-'));
try {
  const candidates = [...SAMPLES, ...TABLE_SUITE, ...corpusOk()];
  const { jobs, left } = await checkFiles(candidates, dir);
  const perRound = jobs.reduce((s, j) => s + j.pages, 0);
  console.log(
    `bench:render — ${jobs.length} PDFs (${perRound} pages: ${SAMPLES.length} samples, ${TABLE_SUITE.length} table-suite, ` +
      `${jobs.length - SAMPLES.length - TABLE_SUITE.length} pdfjs-corpus) × ${ROUNDS} rounds at ${DPI} DPI to PNG files, ${cores} cores`,
  );
  if (left.length > 0) console.log(`left out after the check pass: ${left.join('; ')}`);
  const pps = (x: Result) => x.pages / x.seconds;
  const msPerPage = (x: Result) => ((x.seconds * 1000) / x.pages) * cores;
  const line = (name: string, x: Result, how: string, rss: string) =>
    console.log(
      `  ${name}: ${x.pages} pages in ${x.seconds.toFixed(2)} s = ${pps(x).toFixed(2)} pages/s, ` +
        `${msPerPage(x).toFixed(0)} ms/page per core (${how}), peak RSS ${rss}`,
    );
  // Real documents and the hostile corpus are timed apart (their pages cost very different amounts), then summed.
  const corpusDir = path.join(FIXTURES, 'pdfjs-corpus');
  const groups = [
    { name: 'documents (samples + table suite)', jobs: jobs.filter((j) => !j.file.startsWith(corpusDir)) },
    { name: 'pdfjs-corpus', jobs: jobs.filter((j) => j.file.startsWith(corpusDir)) },
  ];
  const total = { p: { pages: 0, seconds: 0, peakRss: 0 }, d: { pages: 0, seconds: 0, peakRss: 0 } };
  for (const [g, group] of groups.entries()) {
    const popplerOut = path.join(dir, `poppler-${g}`);
    const docOut = path.join(dir, `doclens-${g}`);
    mkdirSync(popplerOut);
    mkdirSync(docOut);
    const p = await runPdftoppm(group.jobs, popplerOut);
    const d = await runDocLens(group.jobs, docOut);
    if (p.pages !== d.pages) throw new Error(`page counts differ: pdftoppm ${p.pages}, DocLens ${d.pages}`);
    rmSync(popplerOut, { recursive: true, force: true });
    rmSync(docOut, { recursive: true, force: true });
    console.log(`${group.name}: ${group.jobs.length} PDFs`);
    line('pdftoppm', p, `${cores} processes at a time`, `${mib(p.peakRss)} (largest single process)`);
    line('DocLens ', d, `pool of ${cores} workers`, `${mib(d.peakRss)} (whole process, all workers)`);
    console.log(`  ratio DocLens / pdftoppm throughput = ${(pps(d) / pps(p)).toFixed(2)}×`);
    for (const [k, r] of [
      ['p', p],
      ['d', d],
    ] as const) {
      total[k].pages += r.pages;
      total[k].seconds += r.seconds;
      total[k].peakRss = Math.max(total[k].peakRss, r.peakRss);
    }
  }
  console.log('all pages:');
  line(
    'pdftoppm',
    total.p,
    `${cores} processes at a time`,
    `${mib(total.p.peakRss)} (largest single process)`,
  );
  line(
    'DocLens ',
    total.d,
    `pool of ${cores} workers`,
    `${mib(total.d.peakRss)} (whole process, all workers)`,
  );
  console.log(
    `ratio DocLens / pdftoppm throughput = ${(pps(total.d) / pps(total.p)).toFixed(2)}× (goal ≥ 1.0×)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
