// Extract screen: the sample invoice's dates listed and drawn where they are on the page, an export downloaded
// with real content, and a batch job over assets/samples through the real backend: the progress bar reaches
// 100 %, every sample gets a status, the output files exist on disk. Screenshots in light and dark.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import type { ServeHandle } from './harness.js';
import {
  artifacts,
  chromiumPath,
  root,
  sampleTruth,
  samplesDir,
  startServe,
  withScreenshotOnFailure,
} from './harness.js';

describe('Extract panel (chromium, --allow-paths)', () => {
  let page: Page;
  let context: BrowserContext;
  let serve: ServeHandle;
  let dataDir: string;
  let profile: string;
  let outDir: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'doclens-e2e-extract-'));
    profile = await mkdtemp(join(tmpdir(), 'doclens-e2e-profile-'));
    outDir = join(await mkdtemp(join(tmpdir(), 'doclens-e2e-out-')), 'batch out');
    serve = await startServe(dataDir, ['--allow-paths']);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath(),
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
      viewport: { width: 1440, height: 900 },
      colorScheme: 'light',
      deviceScaleFactor: 1,
      acceptDownloads: true,
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(serve.url);
    await mkdir(artifacts, { recursive: true });
  });
  after(async () => {
    await context?.close();
    await serve?.stop();
    await rm(profile, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
    await rm(join(outDir, '..'), { recursive: true, force: true });
  });

  const onFailure = (label: string, body: () => Promise<void>) =>
    withScreenshotOnFailure({ name: 'chromium', page }, label, body);

  test('dates of the invoice: listed, drawn on their box when clicked, exported as CSV', async () => {
    await onFailure('extract', async () => {
      const truth = sampleTruth('invoice.pdf');
      await page.getByRole('tab', { name: /invoice\.pdf/ }).waitFor({ timeout: 30_000 });
      await page.locator('[data-testid="page-1"] canvas[data-state="painted"]').waitFor({ timeout: 30_000 });
      await page.getByRole('tab', { name: 'Extract' }).click();
      const panel = page.getByRole('region', { name: 'Extract', exact: true });
      const items = panel.getByTestId('date-item');
      await panel.getByTestId('dates-count').waitFor({ timeout: 60_000 });
      const texts = await items.allTextContents();
      for (const d of truth.dates)
        assert.ok(
          texts.some((t) => t.includes(d.iso) && t.includes(d.text)),
          `no row with ${d.iso} / "${d.text}" in ${JSON.stringify(texts)}`,
        );
      await panel.getByTestId('tables-count').waitFor({ timeout: 60_000 });
      assert.ok((await panel.getByTestId('table-preview').count()) >= 1, 'no table preview');

      // Click the first truth date: the box drawn on page 1 covers its page-space box at the current zoom.
      const first = truth.dates[0];
      assert.ok(first);
      await items.filter({ hasText: first.text }).first().click();
      const focus = page.locator('[data-testid="page-1"] [data-testid="highlight"]');
      await focus.waitFor();
      const pageBox = await page.locator('[data-testid="page-1"]').boundingBox();
      const box = await focus.boundingBox();
      const p1 = truth.pages[0];
      assert.ok(pageBox && box && p1);
      const scale = pageBox.width / p1.width;
      const want = {
        x0: pageBox.x + first.box.x0 * scale,
        y0: pageBox.y + first.box.y0 * scale,
        x1: pageBox.x + first.box.x1 * scale,
        y1: pageBox.y + first.box.y1 * scale,
      };
      // The drawn frame is the box grown by 2 px each side; allow 4 more for text-box differences.
      const tol = 6 + 3 * scale;
      assert.ok(Math.abs(box.x - want.x0) <= tol, `left ${box.x} vs ${want.x0}`);
      assert.ok(Math.abs(box.y - want.y0) <= tol, `top ${box.y} vs ${want.y0}`);
      assert.ok(Math.abs(box.x + box.width - want.x1) <= tol, `right ${box.x + box.width} vs ${want.x1}`);
      assert.ok(Math.abs(box.y + box.height - want.y1) <= tol, `bottom ${box.y + box.height} vs ${want.y1}`);
      await page.screenshot({ path: join(artifacts, 'chromium-extract-light.png') });

      // Export dates as CSV: a real download whose rows hold the ISO dates.
      const download = page.waitForEvent('download');
      await panel.getByRole('button', { name: 'Export dates as CSV' }).click();
      const file = await download;
      assert.match(file.suggestedFilename(), /\.csv$/);
      const csv = await readFile((await file.path()) ?? '', 'utf8');
      for (const d of truth.dates) assert.ok(csv.includes(d.iso), `CSV lacks ${d.iso}:\n${csv}`);

      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: join(artifacts, 'chromium-extract-dark.png') });
      await page.emulateMedia({ colorScheme: 'light' });
    });
  });

  test('batch over assets/samples: progress reaches 100 %, each file has a status, outputs exist', async () => {
    await onFailure('batch', async () => {
      const panel = page.getByRole('region', { name: 'Extract', exact: true });
      await panel.getByRole('tab', { name: 'Batch' }).click();
      await panel.getByLabel('Files and folders to extract from').fill(samplesDir);
      await panel.getByRole('checkbox', { name: 'XLSX' }).check();
      await panel.getByRole('textbox', { name: 'Output folder' }).fill(outDir);
      await panel.getByRole('button', { name: 'Start' }).click();

      const job = panel.getByTestId('job');
      await job.waitFor({ timeout: 15_000 });
      const bar = job.getByRole('progressbar', { name: 'Batch progress' });
      // Progress is seen moving (or the job is already finished on a fast machine) before it completes.
      const seen = new Set<string>();
      const deadline = Date.now() + 240_000;
      while (Date.now() < deadline) {
        seen.add((await bar.getAttribute('aria-valuenow')) ?? '');
        if ((await job.getAttribute('data-state')) === 'done') break;
        await page.waitForTimeout(150);
      }
      assert.equal(
        await job.getAttribute('data-state'),
        'done',
        `job ended as ${await job.getAttribute('data-state')}`,
      );
      assert.equal(await bar.getAttribute('aria-valuenow'), '100');
      assert.equal(await job.getByTestId('job-percent').textContent(), '100 %');

      const docs = (await readdir(samplesDir)).filter((f) => /\.(pdf|png)$/.test(f)).sort();
      const rows = job.getByTestId('job-files').locator('li');
      assert.equal(await rows.count(), docs.length);
      for (const name of docs) {
        const row = rows.filter({ hasText: name });
        assert.equal(await row.count(), 1, `no row for ${name}`);
        assert.equal(await row.getAttribute('data-status'), 'ok', `${name} status`);
        assert.match((await row.textContent()) ?? '', /Done\d+ pages? · \d+ dates? · \d+ tables?/);
      }
      assert.equal(await job.getByTestId('job-outdir').textContent(), outDir);
      // Only the desktop app opens the folder in the file manager (src/main/reveal.ts); a browser offers Copy.
      assert.equal(await job.getByRole('button', { name: 'Open the output folder' }).count(), 0);
      assert.equal(await job.getByRole('button', { name: 'Copy the output folder path' }).count(), 1);

      // The output files exist on disk and hold the samples' dates.
      for (const f of ['dates.csv', 'dates.json', 'dates.xlsx', 'tables.csv', 'tables.json', 'tables.xlsx']) {
        const s = await stat(join(outDir, f));
        assert.ok(s.size > 0, `${f} is empty`);
        await job.getByRole('list', { name: 'Output files' }).getByText(f, { exact: true }).waitFor();
      }
      const datesCsv = await readFile(join(outDir, 'dates.csv'), 'utf8');
      for (const d of sampleTruth('invoice.pdf').dates)
        assert.ok(datesCsv.includes(d.iso), `dates.csv lacks ${d.iso}`);
      assert.ok(seen.size >= 1);

      await job.getByTestId('job-files').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(artifacts, 'chromium-batch-light.png') });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: join(artifacts, 'chromium-batch-dark.png') });
      await page.emulateMedia({ colorScheme: 'light' });
    });
  });

  test('cancel stops a batch part-way; resume finishes it with one row per file', async () => {
    await onFailure('batch-resume', async () => {
      // Ten different scanned invoices (the sample with a distinct trailing comment each): OCR makes each take a
      // while, so there is time to cancel after the first.
      const inDir = await mkdtemp(join(tmpdir(), 'doclens-e2e-scans-'));
      const scan = await readFile(join(samplesDir, 'invoice-scanned.pdf'));
      const names = Array.from({ length: 10 }, (_, i) => `scan-${String(i).padStart(2, '0')}.pdf`);
      for (const [i, n] of names.entries())
        await writeFile(join(inDir, n), Buffer.concat([scan, Buffer.from(`\n% copy ${i}\n`)]));
      try {
        const panel = page.getByRole('region', { name: 'Extract', exact: true });
        await panel.getByLabel('Files and folders to extract from').fill(inDir);
        await panel.getByRole('textbox', { name: 'Output folder' }).fill(join(inDir, 'out'));
        await panel.getByRole('button', { name: 'Start' }).click();
        const job = panel.getByTestId('job');
        // The new job replaces the finished one in the card.
        await panel
          .locator('[data-testid="job"][data-state="running"], [data-testid="job"][data-state="queued"]')
          .waitFor();
        await job
          .getByTestId('job-files')
          .locator('li[data-status="ok"]')
          .first()
          .waitFor({ timeout: 120_000 });
        await job.getByRole('button', { name: 'Cancel' }).click();
        await panel.locator('[data-testid="job"][data-state="cancelled"]').waitFor({ timeout: 5_000 });
        const bar = job.getByRole('progressbar', { name: 'Batch progress' });
        const at = Number(await bar.getAttribute('aria-valuenow'));
        assert.ok(at > 0 && at < 100, `cancelled at ${at} %`);
        await page.screenshot({ path: join(artifacts, 'chromium-batch-cancelled-light.png') });

        await job.getByRole('button', { name: 'Resume' }).click();
        await panel.locator('[data-testid="job"][data-state="done"]').waitFor({ timeout: 300_000 });
        assert.equal(await bar.getAttribute('aria-valuenow'), '100');
        const rows = job.getByTestId('job-files').locator('li');
        assert.equal(await rows.count(), names.length);
        assert.equal(
          await job.getByTestId('job-files').locator('li[data-status="ok"]').count(),
          names.length,
        );
        const csv = await readFile(join(inDir, 'out', 'dates.csv'), 'utf8');
        for (const n of names) assert.ok(csv.includes(n), `dates.csv has no rows for ${n}`);
        // Earlier jobs are listed; both jobs of this run are there.
        assert.ok(
          (await panel.getByRole('region', { name: 'Earlier jobs' }).getByRole('button').count()) >= 2,
        );
      } finally {
        await rm(inDir, { recursive: true, force: true });
      }
    });
  });

  test('a wide table preview scrolls sideways instead of cutting columns', async () => {
    await onFailure('extract-wide', async () => {
      // A six-column table from the generated corpus (LibreOffice, double borders, multi-line cells).
      const pdf = join(root, 'fixtures/tables-generated/libreoffice/l006-double-multiline-cells.pdf');
      await page.locator('[data-testid="file-input"]').first().setInputFiles(pdf);
      await page.getByRole('tab', { name: /l006-double/, selected: true }).waitFor({ timeout: 30_000 });
      await page.getByRole('tab', { name: 'Extract' }).click();
      const panel = page.getByRole('region', { name: 'Extract', exact: true });
      await panel.getByRole('tab', { name: 'This document' }).click();
      await panel.getByTestId('tables-count').waitFor({ timeout: 60_000 });
      const preview = panel.getByTestId('table-preview').first();
      const scroller = panel.locator('.xt-scroll').first();
      const m = await scroller.evaluate((el) => ({ sw: el.scrollWidth, cw: el.clientWidth }));
      assert.ok(m.sw > m.cw + 20, `the table is wider than the panel: ${JSON.stringify(m)}`);
      // Every cell shows its whole text (wrapped, not cut), and the last column is reached by scrolling.
      const cut = await preview.evaluate((t) =>
        [...t.querySelectorAll('th, td')]
          .filter((c) => c.scrollWidth > c.clientWidth + 1 || c.scrollHeight > c.clientHeight + 1)
          .map((c) => c.textContent),
      );
      assert.deepEqual(cut, []);
      assert.equal(await scroller.getAttribute('tabindex'), '0');
      const heads = preview.locator('tr').first().locator('th');
      await page.screenshot({ path: join(artifacts, 'chromium-extract-wide-light.png') });
      await scroller.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
      const box = await scroller.boundingBox();
      const last = await heads.last().boundingBox();
      assert.ok(box && last);
      assert.ok(last.x + last.width <= box.x + box.width + 1, `last column at ${last.x + last.width}`);
      assert.ok(last.x >= box.x - 1, `last column starts at ${last.x}, scroller at ${box.x}`);
      await page.screenshot({ path: join(artifacts, 'chromium-extract-wide-scrolled-light.png') });
    });
  });
});
