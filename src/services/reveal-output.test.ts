// extract.revealOutput through the real backend: the folder of a finished job is answered (main opens it in the
// desktop app, see src/main/reveal.ts); a deleted folder and an unknown job are clear errors.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JobInfo } from '../shared/domain.js';
import { appRoot } from './paths.js';
import { testBackend } from './testing.js';

const tb = testBackend('doclens-reveal-');

test('revealOutput answers the output folder of a job; a deleted folder and an unknown job are errors', async () => {
  const out = join(tb.dir, 'out');
  const finished = new Promise<JobInfo>((resolve) => {
    const off = tb.backend.onEvent((e) => {
      if (e.type === 'job.done') {
        off();
        resolve(e.payload);
      }
    });
  });
  const started = await tb.backend.call('extract.start', {
    inputs: [join(appRoot(), 'assets/samples/invoice.pdf')],
    kinds: ['dates'],
    formats: ['csv'],
    outDir: out,
  });
  assert.ok(started.ok, started.ok ? '' : started.error.message);
  const { jobId } = started.value as JobInfo;
  assert.equal((await finished).progress.state, 'done');

  assert.deepEqual(await tb.backend.call('extract.revealOutput', { jobId }), {
    ok: true,
    value: { path: out, opened: false },
  });

  await rm(out, { recursive: true });
  const gone = await tb.backend.call('extract.revealOutput', { jobId });
  assert.ok(!gone.ok);
  assert.equal(gone.error.code, 'not_found');
  assert.ok(gone.error.message.includes(out), gone.error.message);

  const unknown = await tb.backend.call('extract.revealOutput', { jobId: 'no-such-job' });
  assert.ok(!unknown.ok);
  assert.match(unknown.error.message, /no-such-job/);
});
