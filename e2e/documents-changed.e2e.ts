// A document found `partial` after it was opened (issue 12: the backend learnt it when Extract walked its pages,
// the UI never did): the tab shows the partial marker with what was lost, and one toast says so. Failed before the
// `documents.changed` event existed. Saved light and dark.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { imagePdf } from '../src/documents/test-pdfs.js';
import type { Target } from './harness.js';
import { artifacts, launch, withScreenshotOnFailure } from './harness.js';

for (const scheme of ['light', 'dark'] as const) {
  describe(`Documents found partial after opening (chromium, ${scheme})`, () => {
    let t: Target;
    before(async () => {
      t = await launch('chromium', { colorScheme: scheme });
      await t.page.getByRole('tab', { name: /invoice\.pdf/ }).waitFor({ timeout: 30_000 });
    });
    after(async () => {
      await t?.close();
    });

    test('Extract finds a lost image: the tab is marked partial and one toast names the page', async () => {
      await withScreenshotOnFailure(t, `documents-changed-${scheme}`, async () => {
        const { page } = t;
        const buffer = Buffer.from(
          await imagePdf(['good-jpeg', 'cut-jpeg'], { text: 'Invoice date: 2024-03-15' }),
        );
        await page
          .locator('[data-testid="file-input"]')
          .first()
          .setInputFiles({ name: 'cut-image.pdf', mimeType: 'application/pdf', buffer });
        const tab = page.getByRole('tab', { name: /cut-image\.pdf/, selected: true });
        await tab.waitFor({ timeout: 30_000 });
        // Opening reads no image, so nothing is known lost yet.
        assert.equal(await tab.getByTestId('tab-partial').count(), 0);

        await page.getByRole('tab', { name: 'Extract' }).click();
        const panel = page.getByRole('region', { name: 'Extract', exact: true });
        await panel.getByRole('tab', { name: 'This document' }).click();
        await panel.getByTestId('tables-count').waitFor({ timeout: 60_000 });

        const mark = tab.getByTestId('tab-partial');
        await mark.waitFor({ timeout: 15_000 });
        const lost = 'page 2: an image is incomplete (JPEG data is cut short)';
        assert.equal(await mark.getAttribute('title'), `Partly read:\n${lost}`);
        const toasts = page.getByTestId('toast').filter({ hasText: 'cut-image.pdf' });
        await toasts.first().waitFor({ timeout: 5_000 });
        assert.equal(await toasts.count(), 1);
        assert.match((await toasts.first().textContent()) ?? '', /page 2: an image is incomplete/);
        // The other tab is untouched.
        assert.equal(
          await page
            .getByRole('tab', { name: /invoice\.pdf/ })
            .getByTestId('tab-partial')
            .count(),
          0,
        );
        await mkdir(artifacts, { recursive: true });
        await page.screenshot({ path: join(artifacts, `chromium-documents-changed-${scheme}.png`) });

        // Reading the same pages again finds the same loss: no second toast.
        await panel.getByRole('button', { name: 'Extract tables again' }).click();
        await panel.getByTestId('tables-progress').waitFor({ state: 'detached', timeout: 60_000 });
        await panel.getByTestId('tables-count').waitFor({ timeout: 60_000 });
        assert.ok((await toasts.count()) <= 1, 'a second toast for the same loss');
        assert.equal(await tab.getByTestId('tab-partial').count(), 1);
      });
    });
  });
}
