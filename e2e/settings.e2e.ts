// Settings screen: the theme applies at once and is kept by the backend, numeric settings round-trip through
// settings.set / settings.get, the data folder shown is the backend's. Screenshots in light and dark.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Target } from './harness.js';
import { artifacts, launch, withScreenshotOnFailure } from './harness.js';

async function background(t: Target): Promise<string> {
  return t.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
}

describe('Settings panel (chromium)', () => {
  let t: Target;
  before(async () => {
    t = await launch('chromium');
  });
  after(async () => {
    await t?.close();
  });

  test('theme light → dark → light applies at once and survives a reload; DPI round-trips', async () => {
    await withScreenshotOnFailure(t, 'settings', async () => {
      const { page } = t;
      await mkdir(artifacts, { recursive: true });
      await page.getByRole('tab', { name: /invoice\.pdf/ }).waitFor({ timeout: 30_000 });
      await page.locator('[data-testid="page-1"] canvas[data-state="painted"]').waitFor({ timeout: 30_000 });
      await page.getByRole('tab', { name: 'Settings' }).click();
      const panel = page.getByRole('region', { name: 'Settings' });
      await panel.waitFor();
      // The data folder is the backend's (DOCLENS_DATA_DIR of this run).
      await page.getByTestId('data-dir').filter({ hasText: t.dataDir }).waitFor({ timeout: 10_000 });

      await panel.getByRole('radio', { name: 'Light' }).click();
      await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
      assert.equal(await background(t), 'rgb(244, 245, 247)');
      await page.screenshot({ path: join(artifacts, 'chromium-settings-light.png') });

      await panel.getByRole('radio', { name: 'Dark' }).click();
      await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
      assert.equal(await background(t), 'rgb(21, 24, 29)');
      assert.equal(await panel.getByRole('radio', { name: 'Dark' }).getAttribute('aria-checked'), 'true');

      const dpi = panel.getByLabel('Render DPI');
      await dpi.fill('200');
      const saved = page.waitForResponse((r) => r.url().includes('/rpc/settings.set'));
      await dpi.press('Enter');
      assert.equal((await saved).status(), 200);
      // Out of range: refused in the panel with the range, nothing sent.
      const threads = panel.getByLabel('Threads');
      await threads.fill('999');
      await threads.press('Enter');
      await panel.getByText('Enter a whole number from 0 to 256.').waitFor();
      await page.screenshot({ path: join(artifacts, 'chromium-settings-dark.png') });

      // The backend kept both: after a reload the page comes back dark with DPI 200.
      await page.reload();
      await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark', null, {
        timeout: 15_000,
      });
      assert.equal(await background(t), 'rgb(21, 24, 29)');
      await page.getByRole('tab', { name: 'Settings' }).click();
      const again = page.getByRole('region', { name: 'Settings' });
      await page.waitForFunction(
        () => (document.getElementById('setting-renderDpi') as HTMLInputElement | null)?.value === '200',
        null,
        { timeout: 10_000 },
      );
      assert.equal(await again.getByLabel('Threads').inputValue(), '0');

      await again.getByRole('radio', { name: 'Light' }).click();
      await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
      assert.equal(await background(t), 'rgb(244, 245, 247)');
    });
  });
});
