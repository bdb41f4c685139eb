// The Models panel as a new user offline meets it (issue 12, item 18): a pull with no network says "no
// connection to the model hub" (the raw io_error / ENOTFOUND behind a Details toggle), each model says what
// its download weighs or where the size comes from, a long import error stays inside the panel, and the
// no-model note is said once. Screenshots at three window sizes, light and dark.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import type { ServeHandle } from './harness.js';
import { artifacts, chromiumPath, startServe, withScreenshotOnFailure } from './harness.js';

const SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
  { width: 800, height: 600 },
] as const;

for (const scheme of ['light', 'dark'] as const) {
  describe(`Models panel offline (chromium, ${scheme})`, () => {
    let page: Page;
    let context: BrowserContext;
    let serve: ServeHandle;
    let dataDir: string;
    let profile: string;
    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'doclens-e2e-offline-'));
      profile = await mkdtemp(join(tmpdir(), 'doclens-e2e-profile-'));
      // A hub host that cannot resolve (.invalid is reserved): what a machine without a network sees.
      serve = await startServe(dataDir, ['--allow-paths'], {
        HF_ENDPOINT: 'https://hub.doclens-offline.invalid',
      });
      context = await chromium.launchPersistentContext(profile, {
        executablePath: chromiumPath(),
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
        viewport: SIZES[0],
        colorScheme: scheme,
        deviceScaleFactor: 1,
      });
      page = context.pages()[0] ?? (await context.newPage());
      await page.goto(serve.url);
    });
    after(async () => {
      await context?.close();
      await serve?.stop();
      await rm(profile, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    });

    test('offline pull, sizes, a long import error, one no-model note', async () => {
      await withScreenshotOnFailure({ name: 'chromium', page }, `models-offline-${scheme}`, async () => {
        await page.getByRole('tab', { name: /invoice\.pdf/ }).waitFor({ timeout: 30_000 });
        await page.getByRole('tab', { name: 'Models' }).click();
        const panel = page.getByRole('region', { name: 'Models', exact: true });
        await panel.getByTestId('models-empty').waitFor({ timeout: 30_000 });
        // The no-model situation is said once.
        assert.equal(await panel.getByText(/reader engine/).count(), 1, 'the no-model note is repeated');

        // Every known model says what its download weighs (the manifest's pins), or that the size is unknown for want
        // of the hub, in words: the raw error is only in the tooltip.
        const cards = panel.getByTestId('known-model');
        assert.ok((await cards.count()) > 0);
        const sizeLines = panel.getByTestId('model-sizes');
        // models.sizes has answered once no line says it is still checking with the hub.
        await page.waitForFunction(
          () =>
            [...document.querySelectorAll('[data-testid="model-sizes"]')].every(
              (el) => !/checking/i.test(el.textContent ?? ''),
            ),
          undefined,
          { timeout: 30_000 },
        );
        for (const sizes of await sizeLines.allInnerTexts()) {
          assert.match(sizes, /^[\w.]+: [\d.]+ (KB|MB|GB) to download|no connection to the model hub$/);
          assert.doesNotMatch(sizes, /ENOTFOUND|EAI_AGAIN|io_error|getaddrinfo/);
        }
        const sizesOf = (id: string) =>
          panel.locator(`[data-testid="known-model"][data-model="${id}"]`).getByTestId('model-sizes');
        assert.equal(
          await sizesOf('qwen2-vl-2b-instruct').innerText(),
          'Size unknown — no connection to the model hub',
        );
        assert.equal(
          await sizesOf('qwen3-vl-2b-instruct').innerText(),
          'q4: 1.4 GB to download · q4f16: size unknown — no connection to the model hub',
        );
        assert.match(
          (await sizesOf('qwen2-vl-2b-instruct').getAttribute('title')) ?? '',
          /no connection to the model hub \(https:\/\/hub\.doclens-offline\.invalid\)/,
        );

        // The recommended model comes first with its licence; a non-commercial licence is flagged (docs/families.md).
        const first = cards.first();
        assert.equal(await first.getAttribute('data-model'), 'qwen3-vl-2b-instruct');
        assert.match(await first.innerText(), /Recommended/);
        assert.equal(await first.getByTestId('model-license').innerText(), 'Apache 2.0');
        const q25 = panel.locator('[data-testid="known-model"][data-model="qwen2.5-vl-3b-instruct"]');
        assert.match(
          await q25.getByTestId('model-license').innerText(),
          /Qwen Research License\s*Non-commercial/,
        );

        // Pull with no network.
        await cards.first().getByRole('button', { name: 'Pull' }).click();
        const pullError = panel.getByTestId('pull-error');
        const toast = page.getByRole('alert').filter({ hasText: /Could not download/ });
        await pullError.or(toast).first().waitFor({ timeout: 60_000 });
        const shown = (await pullError.count()) > 0 ? pullError : toast;
        const visible = await shown.evaluate((el) => (el as HTMLElement).innerText);
        assert.match(visible, /No connection to the model hub/);
        assert.doesNotMatch(visible, /io_error|ENOTFOUND/, 'the raw error shows by default');
        if ((await pullError.count()) > 0) {
          await pullError.getByText('Details').click();
          assert.match(
            await pullError.evaluate((el) => (el as HTMLElement).innerText),
            /ENOTFOUND|EAI_AGAIN|fetch failed/,
          );
          await pullError.getByText('Details').click();
        }

        // An import error with a long path wraps inside the panel.
        const longPath = `/no/such/${'deeply-nested-folder-name-'.repeat(12)}model`;
        await panel.getByRole('textbox', { name: 'Model folder' }).fill(longPath);
        await panel.getByRole('button', { name: 'Import' }).click();
        const importError = panel.getByTestId('import-error');
        await importError.waitFor({ timeout: 30_000 });
        for (const size of SIZES) {
          await page.setViewportSize(size);
          await page.waitForTimeout(200);
          const fit = await importError.evaluate((el) => {
            const panelEl = el.closest('.panel');
            const r = el.getBoundingClientRect();
            const p = panelEl?.getBoundingClientRect();
            return { over: el.scrollWidth - el.clientWidth, right: r.right, panelRight: p?.right ?? 0 };
          });
          assert.ok(fit.over <= 1, `${size.width}px: the import error overflows by ${fit.over}px`);
          assert.ok(
            fit.right <= fit.panelRight + 1,
            `${size.width}px: the import error sticks out of the panel`,
          );
          await mkdir(artifacts, { recursive: true });
          await page.screenshot({
            path: join(artifacts, `chromium-models-offline-${scheme}-${size.width}x${size.height}.png`),
          });
        }
        await page.setViewportSize(SIZES[0]);
      });
    });
  });
}
