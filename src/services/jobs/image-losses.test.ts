// A batch over PDFs whose embedded images pdf.js cannot draw (cut JPEG, garbage FlateDecode, over maxImageSize)
// through the real backend: those files end `partial` naming the page and what was lost, the others `ok`, and the
// batch goes on past them.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { imagePdf } from '../../documents/test-pdfs.js';
import type { AppEvent } from '../../shared/contract.js';
import type { JobInfo } from '../../shared/domain.js';
import { testBackend } from '../testing.js';

const events: AppEvent[] = [];
const tb = testBackend('doclens-image-loss-jobs-', (backend) => backend.onEvent((e) => events.push(e)));

function waitDone(jobId: string): Promise<JobInfo> {
  return new Promise((resolve) => {
    const early = events.find((e) => e.type === 'job.done' && e.payload.jobId === jobId);
    if (early) return resolve(early.payload as JobInfo);
    const off = tb.backend.onEvent((e) => {
      if (e.type === 'job.done' && e.payload.jobId === jobId) {
        off();
        resolve(e.payload);
      }
    });
  });
}

test(
  'files with images pdf.js could not draw end partial with the page and the reason',
  { timeout: 180_000 },
  async () => {
    const dir = join(tb.dir, 'images');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'a-good.pdf'), await imagePdf(['good-jpeg']));
    await writeFile(join(dir, 'b-cut.pdf'), await imagePdf(['good-jpeg', 'cut-jpeg']));
    await writeFile(join(dir, 'c-flate.pdf'), await imagePdf(['garbage-flate']));
    await writeFile(join(dir, 'd-huge.pdf'), await imagePdf(['good-jpeg', 'good-jpeg', 'huge']));
    await writeFile(join(dir, 'e-good.pdf'), await imagePdf(['good-jpeg', 'good-jpeg']));
    const out = join(tb.dir, 'out-images');
    const started = await tb.call<JobInfo>('extract.start', {
      inputs: [dir],
      kinds: ['dates', 'tables'],
      formats: ['json'],
      outDir: out,
    });
    const done = await waitDone(started.jobId);
    assert.equal(done.progress.state, 'done', done.progress.message ?? '');
    const got = Object.fromEntries(
      done.files.map((f): [string, [string, string | null]] => [
        f.file.split('/').pop() ?? '',
        [f.status, f.error],
      ]),
    );
    assert.deepEqual(got, {
      'a-good.pdf': ['ok', null],
      'b-cut.pdf': ['partial', 'page 2: an image is incomplete (JPEG data is cut short)'],
      'c-flate.pdf': [
        'partial',
        'page 1: a stream could not be decompressed (Unknown compression method in flate stream: 0, 138), so the image or content it held is missing',
      ],
      'd-huge.pdf': ['partial', 'page 3: an image over 67,108,864 pixels was left out'],
      'e-good.pdf': ['ok', null],
    });
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as unknown;
    assert.ok(
      JSON.stringify(summary).includes('page 2: an image is incomplete'),
      'the summary carries the reason',
    );
  },
);

test(
  'a dates-only job reports text-layer pages that lost an image as partial (no render, no tables)',
  { timeout: 180_000 },
  async () => {
    const dir = join(tb.dir, 'text-images');
    await mkdir(dir, { recursive: true });
    const text = 'Invoice date: 2024-03-15';
    await writeFile(join(dir, 'a-good.pdf'), await imagePdf(['good-jpeg'], { text }));
    await writeFile(join(dir, 'b-cut.pdf'), await imagePdf(['good-jpeg', 'cut-jpeg'], { text }));
    await writeFile(join(dir, 'c-huge.pdf'), await imagePdf(['huge'], { text }));
    const out = join(tb.dir, 'out-text-images');
    const started = await tb.call<JobInfo>('extract.start', {
      inputs: [dir],
      kinds: ['dates'],
      formats: ['json'],
      outDir: out,
    });
    const done = await waitDone(started.jobId);
    assert.equal(done.progress.state, 'done', done.progress.message ?? '');
    const got = Object.fromEntries(
      done.files.map((f): [string, [string, string | null, number]] => [
        f.file.split('/').pop() ?? '',
        [f.status, f.error, f.dates],
      ]),
    );
    // The dates still come from the text layer of every page: the loss is reported, nothing else changes.
    assert.deepEqual(got, {
      'a-good.pdf': ['ok', null, 1],
      'b-cut.pdf': ['partial', 'page 2: an image is incomplete (JPEG data is cut short)', 2],
      'c-huge.pdf': ['partial', 'page 1: an image over 67,108,864 pixels was left out', 1],
    });
  },
);
