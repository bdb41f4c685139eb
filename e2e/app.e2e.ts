// The foundation's end-to-end checks, run against every target this machine has (see harness.ts).
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Target } from './harness.js';
import { artifacts, launch, sampleTruth, samplesDir, targets, withScreenshotOnFailure } from './harness.js';

for (const name of targets()) {
  describe(`DocLens UI (${name})`, () => {
    let t: Target;
    before(async () => {
      t = await launch(name);
    });
    after(async () => {
      await t?.close();
    });

    test('first start opens the sample invoice: canvas painted, text layer holds its words', async () => {
      await withScreenshotOnFailure(t, 'invoice', async () => {
        const { page } = t;
        const truth = sampleTruth('invoice.pdf');
        await page.getByRole('tab', { name: /invoice\.pdf/ }).waitFor({ timeout: 30_000 });
        const canvas = page.locator('[data-testid="page-1"] canvas[data-state="painted"]');
        await canvas.waitFor({ timeout: 30_000 });
        const ink = await canvas.evaluate((c: HTMLCanvasElement) => {
          const ctx = c.getContext('2d');
          if (!ctx) return -1;
          const { data } = ctx.getImageData(0, 0, c.width, c.height);
          let dark = 0;
          for (let i = 0; i < data.length; i += 4)
            if ((data[i] ?? 255) < 200 || (data[i + 1] ?? 255) < 200 || (data[i + 2] ?? 255) < 200) dark++;
          return dark / (data.length / 4);
        });
        assert.ok(ink > 0.01 && ink < 0.6, `share of inked pixels on page 1 was ${ink}`);
        const text =
          (await page.locator('[data-testid="page-1"] [data-testid="text-layer"]').textContent()) ?? '';
        for (const f of truth.fields) assert.ok(text.includes(f.text), `text layer lacks "${f.text}"`);
        for (const d of truth.dates) assert.ok(text.includes(d.text), `text layer lacks date "${d.text}"`);
        // The rendered page has the page's aspect ratio at the shown zoom.
        const box = await page.locator('[data-testid="page-1"]').boundingBox();
        const p1 = truth.pages[0];
        assert.ok(box && p1);
        assert.ok(
          Math.abs(box.width / box.height - p1.width / p1.height) < 0.01,
          `page box ${box.width}×${box.height}`,
        );
        await mkdir(artifacts, { recursive: true });
        await page.screenshot({ path: join(artifacts, `${t.name}-invoice-light.png`) });
      });
    });

    test('a zero-byte PDF gives a clear error and the app keeps working', async () => {
      await withScreenshotOnFailure(t, 'empty-file', async () => {
        const { page } = t;
        await page
          .locator('[data-testid="file-input"]')
          .setInputFiles({ name: 'empty.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(0) });
        const alert = page.getByRole('alert').filter({ hasText: 'empty.pdf' });
        await alert.waitFor({ timeout: 15_000 });
        assert.match((await alert.textContent()) ?? '', /empty/i);
        await page.locator('[data-testid="file-input"]').setInputFiles({
          name: 'random.pdf',
          mimeType: 'application/pdf',
          buffer: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 251)),
        });
        await page.getByRole('alert').filter({ hasText: 'random.pdf' }).waitFor({ timeout: 15_000 });
        // Still working: another real document opens in a new tab and paints.
        const report = await readFile(join(samplesDir, 'report.pdf'));
        await page
          .locator('[data-testid="file-input"]')
          .setInputFiles({ name: 'report.pdf', mimeType: 'application/pdf', buffer: report });
        await page.getByRole('tab', { name: /report\.pdf/, selected: true }).waitFor({ timeout: 30_000 });
        await page
          .locator('[data-testid="page-1"] canvas[data-state="painted"]')
          .waitFor({ timeout: 30_000 });
        assert.equal(await page.getByRole('tab', { name: /invoice\.pdf/ }).count(), 1);
        await page.screenshot({ path: join(artifacts, `${t.name}-errors.png`) });
      });
    });
  });
}
