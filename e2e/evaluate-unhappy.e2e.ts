// The Evaluate view's unhappy paths as a new user meets them (issue 12, new-user pass), headless Chromium against
// `doclens serve --allow-paths` with the tiny generated Qwen2-VL: a folder that does not exist is refused at once
// and named (it used to load the model first); a folder whose every line is broken says nothing could be scored and
// lists the lines (it used to show 0.00% figures); Stop always stops, even pressed while the run is being set up, and
// says how far it got and that running again goes on (it used to say only "Stopped." as an error, or do nothing).
// Each failed before its fix. Screenshots at three window sizes, light and dark.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { ensureTinyModel } from '../models/tiny/make-tiny-model.js';
import { createModelStore } from '../src/services/models/index.js';
import type { ServeHandle } from './harness.js';
import { artifacts, chromiumPath, startServe, withScreenshotOnFailure } from './harness.js';

const SIZES = [
  [1440, 900],
  [1024, 700],
  [800, 600],
] as const;

for (const scheme of ['light', 'dark'] as const) {
  describe(`Evaluate view, unhappy paths (chromium, ${scheme})`, () => {
    let work = '';
    let serve: ServeHandle;
    let context: BrowserContext;
    let page: Page;
    let view: Locator;

    before(async () => {
      work = await mkdtemp(join(tmpdir(), 'doclens-e2e-eval-unhappy-'));
      const dataDir = join(work, 'data');
      await mkdir(dataDir);
      const store = createModelStore({ dataDir });
      await store.import(await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' }), {
        id: 'tiny-qwen2-vl',
        source: 'generated',
        dtype: 'fp32',
      });
      await store.close();
      serve = await startServe(dataDir, ['--allow-paths']);
      context = await chromium.launchPersistentContext(join(work, 'profile'), {
        executablePath: chromiumPath(),
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
        viewport: { width: 1440, height: 900 },
        colorScheme: scheme,
        deviceScaleFactor: 1,
      });
      page = context.pages()[0] ?? (await context.newPage());
      await page.goto(serve.url);
      await page.getByRole('tab', { name: /invoice\.pdf/ }).waitFor({ timeout: 30_000 });
      await page.getByRole('tab', { name: 'Models' }).click();
      view = page.getByRole('region', { name: 'Evaluate' });
      await page.locator('[data-testid="installed-model"]').first().waitFor({ timeout: 30_000 });
    });

    after(async () => {
      await context?.close();
      await serve?.stop();
      if (work) await rm(work, { recursive: true, force: true });
    });

    const onFailure = (label: string, body: () => Promise<void>) =>
      withScreenshotOnFailure({ name: 'chromium', page }, `${label}-${scheme}`, body);

    async function shoot(label: string, target: Locator): Promise<void> {
      await mkdir(artifacts, { recursive: true });
      for (const [width, height] of SIZES) {
        await page.setViewportSize({ width, height });
        await target.scrollIntoViewIfNeeded();
        await page.screenshot({
          path: join(artifacts, `chromium-${label}-${scheme}-${width}x${height}.png`),
        });
      }
      await page.setViewportSize({ width: 1440, height: 900 });
    }

    test('a folder that does not exist is refused at once, named, with no model loaded', async () => {
      await onFailure('evaluate-missing', async () => {
        // The form's controls look alike: the benchmark list is drawn like the folder field beside it.
        const look = (l: Locator) =>
          l.evaluate((el) => {
            const st = getComputedStyle(el);
            return [st.borderRadius, st.borderTopColor, st.backgroundColor];
          });
        assert.deepEqual(
          await look(view.getByTestId('evaluate-kind')),
          await look(view.getByTestId('evaluate-dir')),
        );
        const missing = join(work, 'no-such-benchmark');
        await view.getByTestId('evaluate-kind').selectOption('pope');
        await view.getByTestId('evaluate-dir').fill(missing);
        await view.getByTestId('evaluate-run').click();
        const error = view.getByTestId('evaluate-error');
        await error.waitFor({ timeout: 5_000 });
        assert.equal(await error.textContent(), `the benchmark folder ${missing} does not exist`);
        assert.equal(await view.getByTestId('evaluate-progress').count(), 0);
        await shoot('evaluate-missing', error);
      });
    });

    test('an item count that is not a whole number is said, and nothing runs until it is fixed', async () => {
      await onFailure('evaluate-limit', async () => {
        await view.getByTestId('evaluate-dir').fill(join(work, 'anything'));
        for (const bad of ['abc', '0', '2.5']) {
          await view.getByTestId('evaluate-limit').fill(bad);
          await view.getByTestId('evaluate-limit-error').waitFor({ timeout: 2_000 });
          assert.equal(await view.getByTestId('evaluate-run').isEnabled(), false, bad);
          assert.equal(await view.getByTestId('evaluate-sample').isEnabled(), false, bad);
        }
        await shoot('evaluate-limit', view.getByTestId('evaluate-limit-error'));
        await view.getByTestId('evaluate-limit').fill('3');
        assert.equal(await view.getByTestId('evaluate-limit-error').count(), 0);
        assert.equal(await view.getByTestId('evaluate-run').isEnabled(), true);
        await view.getByTestId('evaluate-limit').fill('');
      });
    });

    test('a folder of broken lines says nothing could be scored and lists them, with no 0% figures', async () => {
      await onFailure('evaluate-broken', async () => {
        const dir = join(work, 'broken-refcoco');
        await mkdir(dir, { recursive: true });
        await writeFile(
          join(dir, 'refcoco.jsonl'),
          '{"id": 1,\nnot json at all\n{"id":"x","image":"missing.png","expression":"the cat","bbox":[1,2,3,4]}\n',
        );
        await view.getByTestId('evaluate-kind').selectOption('refcoco');
        await view.getByTestId('evaluate-dir').fill(dir);
        await view.getByTestId('evaluate-run').click();
        const report = view.getByTestId('evaluate-report');
        await report.waitFor({ timeout: 60_000 });
        await report.getByTestId('evaluate-nothing-scored').waitFor();
        assert.equal(await report.locator('[data-testid^="evaluate-figure-"]').count(), 0);
        assert.doesNotMatch((await report.textContent()) ?? '', /0\.00%/);
        const problems = report.getByTestId('evaluate-problems');
        assert.equal(await problems.getAttribute('open'), '', 'the broken lines are shown, not folded away');
        const lines = await problems.locator('li').allTextContents();
        assert.equal(lines.length, 3, lines.join('\n'));
        assert.ok(
          lines.every((l) => l.includes('refcoco.jsonl')),
          lines.join('\n'),
        );
        await shoot('evaluate-broken', report);
      });
    });

    test('Stop pressed at once, or while items run, stops the run and says how to go on', async () => {
      await onFailure('evaluate-stop', async () => {
        await view.getByTestId('evaluate-kind').selectOption('pope');
        // At once: the run is still being set up (the sample set written), so it has no id yet.
        await view.getByTestId('evaluate-sample').click();
        await view.getByRole('button', { name: 'Stop' }).click();
        const stopped = view.getByTestId('evaluate-stopped');
        await stopped.waitFor({ timeout: 60_000 });
        assert.equal(await view.getByTestId('evaluate-report').count(), 0, 'the run went on to its report');
        assert.equal(await view.getByTestId('evaluate-error').count(), 0, 'a stop is not an error');
        assert.match((await stopped.textContent()) ?? '', /Stopped after \d+ of \d+ items\. Run it again/);

        // While items run.
        await view.getByTestId('evaluate-sample').click();
        await view.locator('[data-testid="evaluate-progress"][data-total="4"]').waitFor({ timeout: 60_000 });
        await view.getByRole('button', { name: 'Stop' }).click();
        await stopped.waitFor({ timeout: 60_000 });
        assert.match((await stopped.textContent()) ?? '', /Stopped after \d of 4 items/);
        assert.equal(await view.getByTestId('evaluate-sample').isEnabled(), true);
        await shoot('evaluate-stopped', stopped);
      });
    });
  });
}
