// Hostile and broken input: every file of the pdf.js corpus (shared fixtures) and generated bombs end in exactly
// one clear status within a deadline, with no crash and bounded memory; a 1000-page PDF streams with flat memory.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { isAppError } from '../shared/errors.js';
import type { DocumentEngine } from './api.js';
import { createDocumentEngine } from './engine.js';
import { CORPUS, pdfWithContent, tempDir, type TempDir } from './test-pdfs.js';

type Status = 'ok' | 'partial' | 'needs_password' | 'corrupt' | 'too_large' | 'timeout';
const TERMINAL: readonly string[] = ['ok', 'partial', 'needs_password', 'corrupt', 'too_large', 'timeout'];

interface ManifestEntry {
  file: string;
  what: string;
  observed: string;
  password?: string;
}

const PAGE_TIMEOUT_MS = 5000;
/** Open (3 × page timeout) plus text and render of up to 3 pages, with slack for a loaded machine. */
const FILE_DEADLINE_MS = PAGE_TIMEOUT_MS * 3 + PAGE_TIMEOUT_MS * 6 + 5000;
const MAX_RSS = 1.5 * 1024 ** 3;

let tmp: TempDir;
let engine: DocumentEngine;
let peakRss = 0;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};

before(() => {
  tmp = tempDir();
  engine = createDocumentEngine({ poolSize: 2, pageTimeoutMs: PAGE_TIMEOUT_MS, recycleAfterPages: 100 });
});
after(async () => {
  await engine.destroy();
  tmp.remove();
});

/** Opens a file and reads up to `pages` pages (text and a 72 DPI render); returns the one status it ends in. */
async function classify(
  file: string,
  password?: string,
  pages = 3,
  eng: DocumentEngine = engine,
): Promise<{ status: Status; detail: string }> {
  let h;
  try {
    h = await eng.open(file, password === undefined ? {} : { password });
  } catch (e) {
    assert.ok(isAppError(e), `not an AppError: ${String(e)}`);
    assert.ok(e.message.includes(path.basename(file)), `message names the file: ${e.message}`);
    assert.ok(TERMINAL.includes(e.code), `unexpected code ${e.code}: ${e.message}`);
    return { status: e.code as Status, detail: e.message };
  }
  let status: Status = h.info.status;
  let detail = h.info.warnings.join('; ');
  try {
    for (let p = 1; p <= Math.min(pages, h.info.pageCount); p++) {
      for (const op of [() => h.text(p), () => h.render(p, { dpi: 72 })]) {
        try {
          await op();
        } catch (e) {
          assert.ok(isAppError(e), `not an AppError: ${String(e)}`);
          if (e.code === 'timeout') status = 'timeout';
          else if (e.code === 'too_large' && status !== 'timeout') status = 'too_large';
          else if (status === 'ok') status = 'partial';
          detail = e.message;
        }
        sampleRss();
      }
    }
  } finally {
    await h.close();
  }
  return { status, detail };
}

describe('pdf.js corpus', () => {
  const manifest = JSON.parse(readFileSync(path.join(CORPUS, 'manifest.json'), 'utf8')) as {
    files: ManifestEntry[];
  };
  const table: string[] = [];
  after(() => {
    console.log(`\ncorpus results (peak RSS ${(peakRss / 1024 ** 2).toFixed(0)} MiB):\n${table.join('\n')}`);
  });

  for (const entry of manifest.files) {
    test(entry.file, { timeout: FILE_DEADLINE_MS * 2 + 10_000 }, async () => {
      const file = path.join(CORPUS, entry.file);
      const t0 = Date.now();
      const first = await classify(file);
      const ms = Date.now() - t0;
      assert.ok(TERMINAL.includes(first.status));
      assert.ok(ms < FILE_DEADLINE_MS, `${entry.file} took ${ms} ms`);
      let row = `${entry.file.padEnd(36)} ${first.status.padEnd(15)} ${String(ms).padStart(6)} ms  (observed ${entry.observed})`;
      if (entry.password !== undefined) {
        assert.equal(first.status, 'needs_password', 'a user password is asked for');
        const second = await classify(file, entry.password);
        assert.ok(
          ['ok', 'partial'].includes(second.status),
          `with its password: ${second.status} ${second.detail}`,
        );
        row += `  with password: ${second.status}`;
      }
      table.push(row);
      sampleRss();
      assert.ok(process.memoryUsage().rss < MAX_RSS, `RSS ${process.memoryUsage().rss}`);
    });
  }
});

describe('generated hostile files', () => {
  test('a flate bomb (two /FlateDecode layers over 256 MiB of zeros) ends in one status, memory bounded', async () => {
    const inner = deflateSync(Buffer.alloc(256 * 1024 ** 2), { level: 1 });
    const bomb = pdfWithContent(inner, 2, 1);
    const file = tmp.file('bomb.pdf', bomb);
    assert.ok(bomb.length < 2 * 1024 ** 2, `small on disk (${bomb.length} bytes)`);
    // A memory budget 160 MiB above what the process holds now: the 256 MiB of zeros cannot fit in it.
    // NOTE: a page deadline well past the file's own: on a loaded machine the inflate can take longer than
    // PAGE_TIMEOUT_MS to reach the budget, and this test is about the memory limit, not the deadline.
    const guarded = createDocumentEngine({
      poolSize: 1,
      pageTimeoutMs: FILE_DEADLINE_MS,
      maxMemoryBytes: process.memoryUsage.rss() + 160 * 1024 ** 2,
    });
    const t0 = Date.now();
    let r;
    try {
      r = await classify(file, undefined, 1, guarded);
    } finally {
      await guarded.destroy();
    }
    assert.equal(r.status, 'too_large', r.detail);
    assert.match(r.detail, /"bomb\.pdf": page 1 needed more memory than allowed/);
    assert.ok(Date.now() - t0 < FILE_DEADLINE_MS * 3);
    sampleRss();
    assert.ok(peakRss < MAX_RSS, `peak RSS ${peakRss}`);
    console.log(`flate bomb → ${r.status} in ${Date.now() - t0} ms ${r.detail}`);
  });

  test('a flate bomb outgrowing a worker memory budget stops that worker only; the next file is read', async () => {
    const inner = deflateSync(Buffer.alloc(256 * 1024 ** 2), { level: 1 });
    const file = tmp.file('worker-bomb.pdf', pdfWithContent(inner, 2, 1));
    const fine = tmp.file(
      'fine.pdf',
      await (async () => {
        const doc = await PDFDocument.create();
        const font = await doc.embedFont(StandardFonts.Helvetica);
        doc.addPage([300, 200]).drawText('Still here', { x: 20, y: 100, size: 14, font });
        return doc.save();
      })(),
    );
    // A 64 MiB budget per worker; the process-wide RSS limit stays at its default (far above this).
    const budgeted = createDocumentEngine({
      poolSize: 1,
      pageTimeoutMs: 60_000,
      maxWorkerBytes: 64 * 1024 ** 2,
    });
    try {
      const r = await classify(file, undefined, 1, budgeted);
      assert.equal(r.status, 'too_large', r.detail);
      assert.match(r.detail, /"worker-bomb\.pdf": page 1 needed more memory than allowed \(64 MiB\)/);
      const h = await budgeted.open(fine);
      assert.equal((await h.text(1)).words.map((w) => w.text).join(' '), 'Still here');
      await h.close();
    } finally {
      await budgeted.destroy();
    }
    sampleRss();
  });

  test('a 1000-page PDF streams page by page with flat memory', async () => {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    for (let i = 1; i <= 1000; i++)
      doc.addPage([300, 200]).drawText(`Page ${i} of many`, { x: 20, y: 100, size: 14, font });
    const file = tmp.file('thousand.pdf', await doc.save());
    const h = await engine.open(file);
    assert.equal(h.info.pageCount, 1000);
    assert.ok(h.info.pages.every((p) => p.width === 300 && p.height === 200));
    const rss: number[] = [];
    for (let p = 1; p <= 1000; p++) {
      if (p % 2 === 1) {
        const t = await h.text(p);
        assert.equal(t.words[1]?.text, String(p));
      }
      if (p % 25 === 0) {
        const r = await h.render(p, { dpi: 36 });
        assert.deepEqual([r.width, r.height], [150, 100]);
      }
      if (p % 100 === 0) rss.push(process.memoryUsage().rss);
    }
    await h.close();
    const early = Math.max(...rss.slice(1, 3));
    const late = Math.max(...rss.slice(-2));
    assert.ok(
      late - early < 150 * 1024 ** 2,
      `RSS grew ${(late - early) / 1024 ** 2} MiB from page 300 to 1000`,
    );
    sampleRss();
  });
});
