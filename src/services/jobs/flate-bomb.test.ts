// Flate bombs in a batch through the real backend with its default memory budget: ~1 MB files whose page content
// inflates to 1.5 GiB. Each bomb ends as its own too_large row (its worker is stopped, not the process), the other
// documents are read, and the process's peak RSS stays bounded.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createDeflate, deflateSync } from 'node:zlib';
import { defaultWorkerBytes } from '../../documents/pool.js';
import { pdfWithContent } from '../../documents/test-pdfs.js';
import type { JobInfo } from '../../shared/domain.js';
import { appRoot } from '../paths.js';
import { testBackend } from '../testing.js';

const SAMPLES = join(appRoot(), 'assets/samples');
const tb = testBackend('doclens-bomb-jobs-');

/** `bytes` zeros deflated at level 1, streamed (the zeros are never all in memory). */
async function deflatedZeros(bytes: number): Promise<Buffer> {
  const z = createDeflate({ level: 1 });
  const out: Buffer[] = [];
  z.on('data', (c: Buffer) => out.push(c));
  const chunk = Buffer.alloc(64 * 1024 ** 2);
  for (let left = bytes; left > 0; left -= chunk.length)
    if (!z.write(left >= chunk.length ? chunk : chunk.subarray(0, left))) await once(z, 'drain');
  z.end();
  await once(z, 'end');
  return Buffer.concat(out);
}

test(
  'flate bombs in a batch: each is too_large, the rest are read, peak RSS bounded',
  { timeout: 600_000 },
  async () => {
    const dir = join(tb.dir, 'bombs');
    await mkdir(dir, { recursive: true });
    const inner = await deflatedZeros(1.5 * 1024 ** 3);
    const bomb = pdfWithContent(deflateSync(inner, { level: 9 }), 2, 2);
    assert.ok(bomb.length < 1024 ** 2, `small on disk (${bomb.length} bytes)`);
    for (const n of [1, 2, 3])
      await writeFile(join(dir, `bomb-${n}.pdf`), Buffer.concat([bomb, Buffer.from(`% ${n}\n`)]));
    await copyFile(join(SAMPLES, 'invoice.pdf'), join(dir, 'invoice.pdf'));
    await copyFile(join(SAMPLES, 'report.pdf'), join(dir, 'report.pdf'));

    let peak = process.memoryUsage.rss();
    const base = peak;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
    let done: JobInfo;
    try {
      const started = await tb.call<JobInfo>('extract.start', {
        inputs: [dir],
        kinds: ['dates'],
        formats: ['json'],
        outDir: join(tb.dir, 'out'),
      });
      for (;;) {
        done = await tb.call<JobInfo>('extract.job', { jobId: started.jobId });
        if (done.progress.state !== 'running' && done.progress.state !== 'queued') break;
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      clearInterval(sampler);
    }
    const mib = (n: number) => Math.round(n / 1024 ** 2);
    console.log(
      `3 flate bombs (1.5 GiB each) + 2 documents: peak RSS ${mib(peak)} MiB (${mib(base)} MiB before)`,
    );
    assert.equal(done.progress.state, 'done', done.progress.message ?? '');
    const status: Record<string, [string, string | null]> = Object.fromEntries(
      done.files.map((f): [string, [string, string | null]] => [
        f.file.split('/').pop() ?? '',
        [f.status, f.error],
      ]),
    );
    for (const n of [1, 2, 3]) {
      const [s, error] = status[`bomb-${n}.pdf`] ?? [];
      // Stopped by its worker's memory budget, or by the page deadline first on a slow (or loaded) machine.
      assert.ok(s === 'too_large' || s === 'timeout', `bomb-${n}.pdf: ${s} ${String(error)}`);
      assert.match(
        String(error),
        new RegExp(`"bomb-${n}\\.pdf": page 1 (needed more memory than allowed|took longer than)`),
      );
    }
    assert.equal(status['invoice.pdf']?.[0], 'ok');
    assert.equal(status['report.pdf']?.[0], 'ok');
    // Two workers (this machine's pool) at their default budget, each at most about twice it (a doubling buffer
    // overshoots by its size before the next reading; pool.ts), plus slack: bounded by the budget, not by the bomb.
    const bound = 2 * 2 * defaultWorkerBytes(2) + 256 * 1024 ** 2;
    assert.ok(
      peak - base < bound,
      `peak RSS ${mib(peak)} MiB, ${mib(peak - base)} MiB over the start (bound ${mib(bound)} MiB)`,
    );
  },
);
