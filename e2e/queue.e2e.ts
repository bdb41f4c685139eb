// The Batch view shows a queue-mode job (issue #16): a job added to a real redis-server, finished by a worker,
// read in the browser through the queue.status channel — progress, the dead-lettered broken file, the folder.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { startRedis, type RedisServer } from '../src/services/queue/testing.js';
import type { ServeHandle } from './harness.js';
import { chromiumPath, root, samplesDir, startServe, withScreenshotOnFailure } from './harness.js';

const run = promisify(execFile);
const BIN = join(root, 'bin', 'doclens.mjs');

describe('Batch view: a queue job (chromium, --allow-paths)', () => {
  let page: Page;
  let context: BrowserContext;
  let serve: ServeHandle;
  let redis: RedisServer;
  let worker: ChildProcess;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'doclens-e2e-queue-'));
    redis = await startRedis();
    await writeFile(join(dir, 'broken.pdf'), '%PDF-1.7\nnot really\n');
    const env = { ...process.env, DOCLENS_DATA_DIR: join(dir, 'cli') };
    await run(
      process.execPath,
      [
        BIN,
        'queue',
        'add',
        join(samplesDir, 'invoice.pdf'),
        join(samplesDir, 'report.pdf'),
        join(dir, 'broken.pdf'),
        '--redis',
        redis.url,
        '--job',
        'e2e-job',
        '--kind',
        'dates',
        '--format',
        'csv',
        '--out',
        join(dir, 'out'),
      ],
      { env },
    );
    // The worker in its own process group, killed with it at the end.
    worker = spawn(process.execPath, [BIN, 'worker', '--redis', redis.url], {
      env: { ...env, DOCLENS_DATA_DIR: join(dir, 'worker') },
      detached: true,
      stdio: 'ignore',
    });
    serve = await startServe(join(dir, 'data'), ['--allow-paths']);
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: chromiumPath(),
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
      viewport: { width: 1440, height: 900 },
      deviceScaleFactor: 1,
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(serve.url);
  });
  after(async () => {
    await context?.close();
    await serve?.stop();
    if (worker?.pid && worker.exitCode === null) {
      const gone = new Promise((r) => worker.once('exit', r));
      process.kill(-worker.pid, 'SIGKILL');
      await gone;
    }
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('progress, dead letter and output folder of a finished queue job', async () => {
    await withScreenshotOnFailure({ name: 'chromium', page }, 'queue-job', async () => {
      await page.getByRole('tab', { name: /invoice\.pdf/ }).waitFor({ timeout: 30_000 });
      await page.getByRole('tab', { name: 'Extract', exact: true }).click();
      const panel = page.getByRole('region', { name: 'Extract', exact: true });
      await panel.getByRole('tab', { name: 'Batch' }).click();
      const section = panel.getByRole('region', { name: 'Queue job' });
      await section.getByRole('textbox', { name: 'Redis URL' }).fill(redis.url);
      await section.getByRole('textbox', { name: 'Queue job name' }).fill('e2e-job');
      await section.getByRole('button', { name: 'Show' }).click();
      await section.locator('[data-testid="queue-job"][data-state="done"]').waitFor({ timeout: 120_000 });
      const bar = section.getByRole('progressbar', { name: 'Queue job progress' });
      assert.equal(await bar.getAttribute('aria-valuenow'), '100');
      assert.match((await section.getByTestId('queue-job').textContent()) ?? '', /3 \/ 3 files · 3 pages/);
      const dead = section.getByRole('list', { name: 'Dead letters' }).locator('li');
      assert.equal(await dead.count(), 1);
      assert.equal(await dead.first().getAttribute('data-status'), 'corrupt');
      assert.match((await dead.first().textContent()) ?? '', /broken\.pdf/);
      assert.match(
        (await section.textContent()) ?? '',
        new RegExp(join(dir, 'out').replace(/[/\\.]/g, '\\$&')),
      );

      // An unknown job says so.
      await section.getByRole('textbox', { name: 'Queue job name' }).fill('no-such-job');
      await section.getByRole('button', { name: 'Show' }).click();
      await section
        .getByRole('alert')
        .filter({ hasText: 'no queue job "no-such-job"' })
        .waitFor({ timeout: 10_000 });
    });
  });
});
