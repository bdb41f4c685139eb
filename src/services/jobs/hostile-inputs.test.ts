// Batch jobs over hostile inputs through the real backend: FIFOs named as inputs (refused at once, not hashed
// forever), files of the same content under different names (each row names its own file), the page cap (status
// too_large with the count), blank pages (no OCR pass), an ETA that counts pages, and temp files cleaned on resume.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makePdf } from '../../documents/test-pdfs.js';
import type { AppEvent } from '../../shared/contract.js';
import type { JobInfo } from '../../shared/domain.js';
import { appRoot } from '../paths.js';
import { testBackend } from '../testing.js';

const SAMPLES = join(appRoot(), 'assets/samples');
const events: AppEvent[] = [];
const tb = testBackend('doclens-hostile-jobs-', (backend) => backend.onEvent((e) => events.push(e)));

/** The job's job.done event, whether it came before this call or comes later. */
function waitDone(jobId: string): Promise<JobInfo> {
  return new Promise((resolve) => {
    const seen = events.length;
    const off = tb.backend.onEvent((e) => {
      if (e.type === 'job.done' && e.payload.jobId === jobId) {
        off();
        resolve(e.payload);
      }
    });
    const early = events.slice(0, seen).find((e) => e.type === 'job.done' && e.payload.jobId === jobId);
    if (early) {
      off();
      resolve(early.payload as JobInfo);
    }
  });
}

async function run(inputs: string[], outDir: string): Promise<JobInfo> {
  const started = await tb.call<JobInfo>('extract.start', {
    inputs,
    kinds: ['dates'],
    formats: ['json'],
    outDir,
  });
  return waitDone(started.jobId);
}

const byName = (info: JobInfo, name: string) => info.files.find((f) => f.file.endsWith(`/${name}`));

test(
  'FIFOs named as inputs are refused at once as io_error; same bytes under two names, each named',
  { timeout: 120_000 },
  async () => {
    const dir = join(tb.dir, 'fifos');
    await mkdir(dir, { recursive: true });
    // Four FIFOs with no writer: enough to fill libuv's default pool of four threads if any were opened blocking.
    const fifos = [1, 2, 3, 4].map((i) => join(dir, `pipe-${i}.pdf`));
    for (const f of fifos) execFileSync('mkfifo', [f]);
    await writeFile(join(dir, 'zero.pdf'), '');
    await writeFile(join(dir, 'zero.png'), '');
    await copyFile(join(SAMPLES, 'invoice.pdf'), join(dir, 'invoice.pdf'));
    const t0 = Date.now();
    const done = await run(
      [...fifos, join(dir, 'zero.pdf'), join(dir, 'zero.png'), join(dir, 'invoice.pdf')],
      join(tb.dir, 'out-fifos'),
    );
    assert.ok(Date.now() - t0 < 60_000, `took ${Date.now() - t0} ms`);
    assert.equal(done.progress.state, 'done', done.progress.message ?? '');
    for (let i = 1; i <= 4; i++) {
      const row = byName(done, `pipe-${i}.pdf`);
      assert.equal(row?.status, 'io_error');
      assert.equal(row?.error, `"pipe-${i}.pdf": is a FIFO (named pipe), not a regular file`);
    }
    assert.equal(byName(done, 'zero.pdf')?.error, '"zero.pdf": the file is empty (0 bytes)');
    assert.equal(byName(done, 'zero.png')?.error, '"zero.png": the file is empty (0 bytes)');
    assert.equal(byName(done, 'invoice.pdf')?.status, 'ok');
    // The thread pool is free: ordinary file work still answers.
    assert.ok((await readFile(join(dir, 'invoice.pdf'))).length > 0);
  },
);

test('the page cap refuses a long document with its page count; blank pages skip OCR; the ETA counts pages', async () => {
  await tb.call('settings.set', { maxPagesPerDocument: 60 });
  try {
    const dir = join(tb.dir, 'pages');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'long.pdf'), (await makePdf(Array.from({ length: 61 }, () => ({})))).bytes);
    await writeFile(join(dir, 'blank.pdf'), (await makePdf(Array.from({ length: 40 }, () => ({})))).bytes);
    await copyFile(join(SAMPLES, 'invoice.pdf'), join(dir, 'a-invoice.pdf'));
    const t0 = Date.now();
    const done = await run(
      [join(dir, 'a-invoice.pdf'), join(dir, 'blank.pdf'), join(dir, 'long.pdf')],
      join(tb.dir, 'out-pages'),
    );
    const ms = Date.now() - t0;
    console.log(`invoice + 40 blank pages + a refused 61-page file: ${ms} ms`);
    assert.equal(byName(done, 'long.pdf')?.status, 'too_large');
    assert.equal(
      byName(done, 'long.pdf')?.error,
      '"long.pdf": 61 pages, over the limit of 60 pages per document (Settings)',
    );
    const blank = byName(done, 'blank.pdf');
    assert.equal(blank?.status, 'ok', blank?.error ?? '');
    assert.equal(blank?.pages, 40);
    // 40 OCR passes take over a minute on two cores; 40 ink tests take a few seconds.
    assert.ok(ms < 40_000, `40 blank pages took ${ms} ms`);
    // While the 40-page document was read, progress counted its pages.
    const progress = events
      .filter((e): e is Extract<AppEvent, { type: 'job.progress' }> => e.type === 'job.progress')
      .map((e) => e.payload)
      .filter((p) => p.jobId === done.jobId);
    // Inside blank.pdf: past the invoice's one page and short of blank.pdf's 40, before the last document ends. The
    // refused long.pdf may end before or after blank.pdf's pages are read (two documents run at once), so docsDone
    // is 1 or 2 there.
    const mid = progress.find(
      (p) => p.docsDone >= 1 && p.docsDone < 3 && p.pagesDone > 1 + 5 && p.pagesDone < 1 + 40,
    );
    assert.ok(
      mid,
      `a progress event inside blank.pdf: ${JSON.stringify(progress.map((p) => [p.docsDone, p.pagesDone, p.pagesTotal]))}`,
    );
    assert.ok(mid.pagesTotal >= 41, `pagesTotal ${mid.pagesTotal} counts the open document's 40 pages`);
    if (mid.etaSeconds !== null) {
      const perPage = (Date.now() - t0) / 1000 / Math.max(1, done.progress.pagesDone);
      assert.ok(mid.etaSeconds > 0 && mid.etaSeconds < 10 * perPage * 60, `eta ${mid.etaSeconds}`);
    }
  } finally {
    await tb.call('settings.set', { maxPagesPerDocument: 2000 });
  }
});

test('temp files a killed run left behind are removed when the job runs again', async () => {
  const dir = join(tb.dir, 'temp');
  await mkdir(dir, { recursive: true });
  await copyFile(join(SAMPLES, 'invoice.pdf'), join(dir, 'invoice.pdf'));
  // Long enough that the cancel below lands while the job runs.
  await writeFile(join(dir, 'blank.pdf'), (await makePdf(Array.from({ length: 30 }, () => ({})))).bytes);
  const out = join(tb.dir, 'out-temp');
  const started = await tb.call<JobInfo>('extract.start', {
    inputs: [join(dir, 'blank.pdf'), join(dir, 'invoice.pdf')],
    kinds: ['dates'],
    formats: ['json'],
    outDir: out,
  });
  await tb.call('extract.cancel', { jobId: started.jobId });
  assert.equal((await waitDone(started.jobId)).progress.state, 'cancelled');
  events.length = 0;
  // What a process killed mid-write leaves: a result and an output under their temporary names.
  const results = join(tb.dir, 'data', 'jobs', started.jobId, 'results');
  await mkdir(results, { recursive: true });
  await mkdir(out, { recursive: true });
  await writeFile(join(results, 'abc-123.json.4242.partial'), '{"half');
  await writeFile(join(out, '.dates.json.partial'), '[{"half');
  await writeFile(join(out, 'mine.txt.partial'), 'not the job’s: kept');
  const again = waitDone(started.jobId);
  await tb.call<JobInfo>('extract.resume', { jobId: started.jobId });
  const done = await again;
  assert.equal(done.progress.state, 'done');
  assert.deepEqual(
    (await readdir(results)).filter((n) => n.endsWith('.partial')),
    [],
  );
  assert.equal(existsSync(join(out, '.dates.json.partial')), false);
  assert.equal(existsSync(join(out, 'mine.txt.partial')), true);
  assert.ok(existsSync(join(out, 'dates.json')));
});
