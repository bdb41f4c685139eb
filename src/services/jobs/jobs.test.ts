// Batch jobs through the real backend: sample documents and broken / password-protected files of the pdf.js
// corpus, statuses, row counts of every output, events, cancel, disk full (a real ENOSPC from /dev/full), resume.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import ExcelJS from 'exceljs';
import { parseTableTitle } from '../../extract/export/index.js';
import { parseCsv } from '../../extract/tables/index.js';
import type { AppEvent } from '../../shared/contract.js';
import type { JobInfo } from '../../shared/domain.js';
import { appRoot } from '../paths.js';
import { testBackend } from '../testing.js';

const SAMPLES = join(appRoot(), 'assets/samples');
const CORPUS = join(appRoot(), '../shared/fixtures/pdfjs-corpus');
const events: AppEvent[] = [];
const tb = testBackend('doclens-jobs-', (backend) => backend.onEvent((e) => events.push(e)));

function waitDone(jobId: string): Promise<JobInfo> {
  return new Promise((resolve) => {
    const off = tb.backend.onEvent((e) => {
      if (e.type === 'job.done' && e.payload.jobId === jobId) {
        off();
        resolve(e.payload);
      }
    });
  });
}

/** Copies of a sample PDF made distinct (a trailing comment changes the hash, not the content). */
async function distinctCopies(src: string, folder: string, n: number): Promise<void> {
  await mkdir(folder, { recursive: true });
  const bytes = await readFile(src);
  for (let i = 0; i < n; i++) {
    await writeFile(
      join(folder, `doc-${String(i).padStart(3, '0')}.pdf`),
      Buffer.concat([bytes, Buffer.from(`\n% copy ${i}\n`)]),
    );
  }
}

test('a job over the samples and broken files: one status per file, outputs with matching row counts', async () => {
  const extra = join(tb.dir, 'extra');
  await mkdir(join(extra, 'nested'), { recursive: true });
  await writeFile(join(extra, 'empty.pdf'), '');
  await writeFile(join(extra, 'nested', 'notes.pdf'), 'this is plain text, not a PDF\n');
  await writeFile(join(extra, 'readme.txt'), 'skipped: not a document type');
  await symlink(join(SAMPLES, 'invoice.pdf'), join(extra, 'link.pdf'));
  const corpus = [
    'bug1020226.pdf',
    'REDHAT-1531897-0.pdf',
    'issue6010_1.pdf',
    'pr6531_2.pdf',
    'Pages-tree-refs.pdf',
    'helloworld-bad.pdf',
  ];
  const out = join(tb.dir, 'out-main');
  const started = await tb.call<JobInfo>('extract.start', {
    inputs: [SAMPLES, extra, ...corpus.map((f) => join(CORPUS, f))],
    kinds: ['dates', 'tables'],
    formats: ['csv', 'xlsx', 'json', 'md'],
    outDir: out,
  });
  assert.equal(started.files.length, 4 + 2 + corpus.length);
  const done = await waitDone(started.jobId);
  assert.equal(done.progress.state, 'done', done.progress.message ?? '');
  const status: Record<string, string> = Object.fromEntries(
    done.files.map((f): [string, string] => [f.file.split('/').pop() ?? f.file, f.status]),
  );
  assert.deepEqual(status, {
    'invoice.pdf': 'ok',
    'report.pdf': 'ok',
    'invoice-scanned.pdf': 'ok',
    'scene.png': 'ok',
    'empty.pdf': 'corrupt',
    'notes.pdf': 'unsupported',
    'bug1020226.pdf': 'corrupt',
    'REDHAT-1531897-0.pdf': 'corrupt',
    'issue6010_1.pdf': 'needs_password',
    'pr6531_2.pdf': 'needs_password',
    'Pages-tree-refs.pdf': 'partial',
    'helloworld-bad.pdf': 'ok',
  });
  for (const f of done.files)
    if (f.status !== 'ok') assert.ok(f.error && f.error.length > 10, `${f.file} says why`);
  assert.equal(done.progress.docsDone, done.files.length);
  assert.equal(done.progress.pagesDone, done.progress.pagesTotal);

  // Events: one job.file per document, progress never goes backwards, one job.done.
  const mine = events.filter((e) => (e.payload as { jobId?: string }).jobId === started.jobId);
  assert.equal(mine.filter((e) => e.type === 'job.file').length, done.files.length);
  const progress = mine.filter((e) => e.type === 'job.progress').map((e) => e.payload);
  assert.ok(progress.length >= done.files.length);
  for (let i = 1; i < progress.length; i++)
    assert.ok((progress[i]?.docsDone ?? 0) >= (progress[i - 1]?.docsDone ?? 0));
  assert.ok(progress.some((p) => p.currentFile !== null));

  // Outputs: one file per kind per format plus summary.json.
  assert.deepEqual((await readdir(out)).sort(), [
    'dates.csv',
    'dates.json',
    'dates.md',
    'dates.xlsx',
    'summary.json',
    'tables.csv',
    'tables.json',
    'tables.md',
    'tables.xlsx',
  ]);
  const totalDates = done.files.reduce((s, f) => s + f.dates, 0);
  const dates = parseCsv(await readFile(join(out, 'dates.csv'), 'utf8'));
  assert.equal(dates.length - 1, totalDates);
  const truth = JSON.parse(await readFile(join(SAMPLES, 'samples.json'), 'utf8')) as {
    documents: { file: string; dates: { iso: string }[] }[];
  };
  const invoiceIsos = dates
    .filter((r) => r[0] === join(SAMPLES, 'invoice.pdf'))
    .map((r) => r[2])
    .sort();
  assert.deepEqual(
    invoiceIsos,
    truth.documents
      .find((d) => d.file === 'invoice.pdf')
      ?.dates.map((d) => d.iso)
      .sort(),
  );
  for (const r of dates.slice(1))
    assert.ok(Number(r[1]) >= 1 && Number(r[8]) > Number(r[6]), `page and box on ${r.join(',')}`);

  const tablesJson = JSON.parse(await readFile(join(out, 'tables.json'), 'utf8')) as {
    files: { file: string; tables: { cells: unknown[] }[] }[];
  };
  const cellCount = tablesJson.files.reduce(
    (s, f) => s + f.tables.reduce((t, x) => t + x.cells.length, 0),
    0,
  );
  assert.equal(
    tablesJson.files.reduce((s, f) => s + f.tables.length, 0),
    done.files.reduce((s, f) => s + f.tables, 0),
  );
  assert.ok(cellCount > 0);
  const tableCount = done.files.reduce((s, f) => s + f.tables, 0);
  const tablesCsvRows = parseCsv(await readFile(join(out, 'tables.csv'), 'utf8'));
  const titles = tablesCsvRows.map(parseTableTitle).filter((t) => t !== null);
  assert.equal(titles.length, tableCount);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(join(out, 'tables.xlsx'));
  assert.equal(wb.getWorksheet('Index')?.rowCount, tableCount + 1);
  const dwb = new ExcelJS.Workbook();
  await dwb.xlsx.readFile(join(out, 'dates.xlsx'));
  assert.equal(dwb.getWorksheet('Dates')?.rowCount, totalDates + 1);
  // The invoice's tables are grids under their title records.
  const at = tablesCsvRows.findIndex((r) => parseTableTitle(r)?.file === join(SAMPLES, 'invoice.pdf'));
  assert.ok(at >= 0);
  assert.ok(tablesCsvRows.slice(at).some((r) => r[0] === 'Brand identity workshop (2 days)'));

  const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as {
    totals: { files: number; dates: number; byStatus: Record<string, number> };
    skipped: { path: string; reason: string }[];
  };
  assert.equal(summary.totals.files, 12);
  assert.equal(summary.totals.dates, totalDates);
  assert.deepEqual(summary.totals.byStatus, {
    ok: 5,
    corrupt: 3,
    unsupported: 1,
    needs_password: 2,
    partial: 1,
  });
  assert.deepEqual(summary.skipped.map((s) => s.path.split('/').pop()).sort(), [
    'link.pdf',
    'readme.txt',
    'samples.json',
  ]);

  // The journal: one line per document, and the job is listed.
  const jobs = await tb.call<JobInfo[]>('extract.jobs', {});
  assert.ok(jobs.some((j) => j.jobId === started.jobId));
  const journal = (await readFile(join(tb.dir, 'data/jobs', `${started.jobId}.jsonl`), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { t: string });
  assert.equal(journal.filter((l) => l.t === 'file').length, 12);
});

test('cancel answers within a second; resume finishes with each document once', async () => {
  const folder = join(tb.dir, 'many');
  await distinctCopies(join(SAMPLES, 'report.pdf'), folder, 16);
  const started = await tb.call<JobInfo>('extract.start', {
    inputs: [folder],
    kinds: ['tables'],
    formats: ['csv'],
    outDir: join(tb.dir, 'out-cancel'),
  });
  await new Promise<void>((resolve) => {
    const off = tb.backend.onEvent((e) => {
      if (e.type === 'job.file' && (e.payload as { jobId: string }).jobId === started.jobId) {
        off();
        resolve();
      }
    });
  });
  const t0 = performance.now();
  const cancelled = await tb.call<JobInfo>('extract.cancel', { jobId: started.jobId });
  const ms = performance.now() - t0;
  assert.ok(ms < 1000, `cancel took ${ms} ms`);
  assert.equal(cancelled.progress.state, 'cancelled');
  assert.ok(cancelled.progress.docsDone < 16, `${cancelled.progress.docsDone} done before cancel`);
  const resumed = waitDone(started.jobId);
  await tb.call<JobInfo>('extract.resume', { jobId: started.jobId });
  const done = await resumed;
  assert.equal(done.progress.state, 'done');
  assert.ok(done.files.every((f) => f.status === 'ok'));
  const lines = (await readFile(join(tb.dir, 'data/jobs', `${started.jobId}.jsonl`), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { t: string; i?: number });
  const indices = lines.filter((l) => l.t === 'file').map((l) => l.i);
  assert.equal(indices.length, 16);
  assert.equal(new Set(indices).size, 16);
  const rows = parseCsv(await readFile(join(tb.dir, 'out-cancel/tables.csv'), 'utf8'));
  assert.equal(new Set(rows.map((r) => parseTableTitle(r)?.file).filter(Boolean)).size, 16);
});

test(
  'disk full pauses the job with a message; resume after space is freed completes it',
  { skip: !existsSync('/dev/full') && 'no /dev/full' },
  async () => {
    const out = join(tb.dir, 'out-full');
    await mkdir(out, { recursive: true });
    // The exporter writes dates.csv through ".dates.csv.partial": pointing that at /dev/full gives a real ENOSPC.
    await symlink('/dev/full', join(out, '.dates.csv.partial'));
    const input = join(tb.dir, 'one');
    await mkdir(input);
    await copyFile(join(SAMPLES, 'invoice.pdf'), join(input, 'invoice.pdf'));
    const started = await tb.call<JobInfo>('extract.start', {
      inputs: [input],
      kinds: ['dates'],
      formats: ['csv'],
      outDir: out,
    });
    const paused = await waitDone(started.jobId);
    assert.equal(paused.progress.state, 'paused');
    assert.match(paused.progress.message ?? '', /disk full/i);
    assert.equal(paused.files[0]?.status, 'ok'); // the document itself was done and is kept
    await unlink(join(out, '.dates.csv.partial'));
    const resumed = waitDone(started.jobId);
    await tb.call<JobInfo>('extract.resume', { jobId: started.jobId });
    const done = await resumed;
    assert.equal(done.progress.state, 'done');
    const rows = parseCsv(await readFile(join(out, 'dates.csv'), 'utf8'));
    assert.equal(rows.length - 1, done.files[0]?.dates);
  },
);

test('bad input: an input that does not exist is refused naming it; an unknown job is not_found', async () => {
  const r = await tb.backend.call('extract.start', {
    inputs: [join(tb.dir, 'nope.pdf')],
    kinds: ['dates'],
    formats: ['csv'],
  });
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.error.code === 'not_found' && r.error.message.includes('nope.pdf'));
  const j = await tb.backend.call('extract.job', { jobId: 'j_missing' });
  assert.ok(!j.ok && j.error.code === 'not_found');
});

test('extract.tables and extract.export on an open document', async () => {
  const doc = await tb.call<{ id: string }>('documents.open', { path: join(SAMPLES, 'invoice.pdf') });
  const { tables } = await tb.call<{
    tables: { method: string; rows: number; cols: number; headerRows: number; page: number }[];
  }>('extract.tables', { docId: doc.id });
  const items = tables.find((t) => t.rows === 7 && t.cols === 4);
  assert.ok(items);
  assert.equal(items.method, 'lattice');
  assert.equal(items.headerRows, 1);
  const csv = await tb.call<{ name: string; mime: string; bytes: Uint8Array }>('extract.export', {
    docId: doc.id,
    kind: 'tables',
    format: 'csv',
  });
  assert.equal(csv.name, 'invoice-tables.csv');
  const rows = parseCsv(new TextDecoder().decode(csv.bytes));
  assert.ok(rows.some((r) => r[0] === 'Brand identity workshop (2 days)' && r[3] === '$2,900.00'));
  const xlsx = await tb.call<{ name: string; bytes: Uint8Array }>('extract.export', {
    docId: doc.id,
    kind: 'dates',
    format: 'xlsx',
  });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
  assert.equal(wb.getWorksheet('Dates')?.rowCount, 6);
  const scanned = await tb.call<{ id: string }>('documents.open', {
    path: join(SAMPLES, 'invoice-scanned.pdf'),
  });
  const ocr = await tb.call<{ tables: { method: string }[] }>('extract.tables', { docId: scanned.id });
  assert.ok(ocr.tables.length > 0 && ocr.tables.every((t) => t.method === 'ocr'));
  const bad = await tb.backend.call('extract.tables', { docId: doc.id, pages: [9] });
  assert.ok(!bad.ok && bad.error.code === 'invalid_input' && bad.error.message.includes('invoice.pdf'));
});
