// Find in image end to end: a tiny generated Qwen2-VL model is installed in the data folder, and the request
// runs through the real engine in the backend: tokens stream, the run completes, and the panel shows the raw
// output and any boxes it holds. (Where boxes land is proven by the ask e2e and the engine's own tests; the
// tiny model's weights are random, so its words are not meaningful.)
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureTinyModel } from '../models/tiny/make-tiny-model.js';
import { createModelStore } from '../src/services/models/index.js';
import type { Target } from './harness.js';
import { artifacts, launch, samplesDir, targets, withScreenshotOnFailure } from './harness.js';

async function installTinyModel(dataDir: string): Promise<void> {
  const tiny = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
  const store = createModelStore({ dataDir });
  await store.import(tiny, { id: 'tiny-qwen2-vl', source: 'generated', dtype: 'fp32' });
  await store.close();
}

for (const name of targets()) {
  for (const scheme of ['light', 'dark'] as const) {
    describe(`Find in image (${name}, ${scheme})`, () => {
      let t: Target;
      before(async () => {
        t = await launch(name, { colorScheme: scheme, prepare: installTinyModel });
      });
      after(async () => {
        await t?.close();
      });

      test('objects are looked for by the installed model: output streams, completes and is shown', async () => {
        await withScreenshotOnFailure(t, `find-${scheme}`, async () => {
          const { page } = t;
          await page.getByRole('tab', { name: /invoice\.pdf/ }).waitFor({ timeout: 30_000 });
          await page
            .locator('[data-testid="file-input"]')
            .first()
            .setInputFiles({
              name: 'scene.png',
              mimeType: 'image/png',
              buffer: await readFile(join(samplesDir, 'scene.png')),
            });
          await page.getByRole('tab', { name: /scene\.png/, selected: true }).waitFor({ timeout: 30_000 });
          await page.getByRole('tab', { name: 'Find' }).click();
          // A model is installed, so the panel does not send the user to the Models panel.
          await page.getByRole('textbox', { name: 'Objects to find' }).fill('red car, person');
          await page.getByRole('button', { name: 'Find', exact: true }).click();
          const result = page.getByTestId('find-result');
          await result.waitFor({ timeout: 10_000 });
          // Streaming: the raw output grows while the run is still going, or the run is already over.
          await page
            .locator(
              '[data-testid="find-result"][data-status="done"], [data-testid="raw-output"]:not(:empty)',
            )
            .first()
            .waitFor({ timeout: 60_000 });
          await page.locator('[data-testid="find-result"][data-status="done"]').waitFor({ timeout: 120_000 });
          const raw = (await page.getByTestId('raw-output').textContent()) ?? '';
          assert.ok(raw.length > 0, 'no raw output shown');
          const text = (await result.textContent()) ?? '';
          assert.match(text, /hits? for red car, person/);
          assert.match(text, /tiny-qwen2-vl/);
          assert.match(text, /CPU/);
          const hits = await page.getByRole('list', { name: 'Hits' }).locator('li').count();
          const drawn = await page.locator('[data-testid="page-1"] [data-testid="highlight"]').count();
          assert.equal(drawn, hits, 'every hit in the list is drawn on the page');
          assert.equal(
            await page.getByRole('note').filter({ hasText: 'needs a vision-language model' }).count(),
            0,
          );
          await mkdir(artifacts, { recursive: true });
          await page.screenshot({ path: join(artifacts, `${t.name}-find-${scheme}.png`) });
        });
      });
    });
  }
}
