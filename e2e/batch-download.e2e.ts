// Headless batch outputs reach the browser's machine (issue 12, item 19): a finished job lists its output
// files as download links served by the server's /jobs route, and what downloads is the file on the server.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import type { ServeHandle } from './harness.js';
import { artifacts, chromiumPath, samplesDir, startServe, withScreenshotOnFailure } from './harness.js';

describe('Batch outputs download (chromium, --allow-paths)', () => {
  let page: Page;
  let context: BrowserContext;
  let serve: ServeHandle;
  let dataDir: string;
  let profile: string;
  let outDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'doclens-e2e-dl-'));
    profile = await mkdtemp(join(tmpdir(), 'doclens-e2e-profile-'));
    outDir = await mkdtemp(join(tmpdir(), 'doclens-e2e-dl-out-'));
    serve = await startServe(dataDir, ['--allow-paths']);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath(),
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
      viewport: { width: 1440, height: 900 },
      deviceScaleFactor: 1,
      acceptDownloads: true,
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(serve.url);
  });
  after(async () => {
    await context?.close();
    await serve?.stop();
    await rm(profile, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
    await rm(outDir, { recursive: true, force: true });
  });

  test("a finished job's output files download in the browser with the server's bytes", async () => {
    await withScreenshotOnFailure({ name: 'chromium', page }, 'batch-download', async () => {
      await page.getByRole('tab', { name: /invoice\.pdf/ }).waitFor({ timeout: 30_000 });
      await page.getByRole('tab', { name: 'Extract', exact: true }).click();
      const panel = page.getByRole('region', { name: 'Extract', exact: true });
      await panel.getByRole('tab', { name: 'Batch' }).click();
      await panel.getByLabel('Files and folders to extract from').fill(join(samplesDir, 'invoice.pdf'));
      await panel.getByRole('textbox', { name: 'Output folder' }).fill(outDir);
      await panel.getByRole('button', { name: 'Start' }).click();
      const job = panel.getByTestId('job');
      await page
        .locator('[data-testid="job"][data-state="done"]')
        .waitFor({ timeout: 120_000 })
        .catch(async () => {
          throw new Error(`job ended as ${await job.getAttribute('data-state')}`);
        });
      for (const name of ['dates.csv', 'tables.json', 'summary.json']) {
        const link = job.getByRole('link', { name: `Download ${name}` });
        await link.waitFor({ timeout: 10_000 });
        const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
        assert.equal(download.suggestedFilename(), name);
        const path = await download.path();
        assert.deepEqual(await readFile(path), await readFile(join(outDir, name)), `${name} differs`);
      }
      await mkdir(artifacts, { recursive: true });
      await job.getByRole('list', { name: 'Output files' }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(artifacts, 'chromium-batch-download-light.png') });
    });
  });
});
