// The Evaluate view in headless Chromium against `doclens serve` with the tiny generated Qwen2-VL installed: the POPE
// sample set runs with a progress bar and its report shows the figures recomputed here from the predictions the
// run recorded (official POPE rules, src/eval/metrics.ts), per category, beside the model card's figure; a GQA
// folder typed in runs too and reports its broken entries. Screenshots at three window sizes.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { ensureTinyModel } from '../models/tiny/make-tiny-model.js';
import { gqaExactMatch, popeScores } from '../src/eval/metrics.js';
import { makeSampleSet } from '../src/services/eval/sample-sets.js';
import { repoFromFolder } from '../src/services/models/fake-hub.js';
import { createModelStore } from '../src/services/models/index.js';
import { TINY_SHA, tinyModelEntry } from '../src/services/models/test-fixtures.js';
import type { ServeHandle } from './harness.js';
import { artifacts, chromiumPath, startServe, withScreenshotOnFailure } from './harness.js';

const MODEL = 'tiny-qwen2-vl';
/** The figure the test manifest says the model card publishes for POPE (F1, in %). */
const CARD = { metric: 'f1', value: 85.9, split: 'random (test)', source: 'test manifest, not a real card' };

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

interface Pred {
  id: string;
  text: string;
}

async function predictions(outDir: string): Promise<Map<string, Pred>> {
  const text = await readFile(join(outDir, 'predictions.jsonl'), 'utf8');
  const map = new Map<string, Pred>();
  for (const line of text.split('\n').filter(Boolean)) {
    const p = JSON.parse(line) as Pred;
    map.set(p.id, p);
  }
  return map;
}

describe('Evaluate view (chromium, tiny Qwen2-VL)', () => {
  let work = '';
  let dataDir = '';
  let profile = '';
  let serve: ServeHandle;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'doclens-e2e-eval-'));
    dataDir = join(work, 'data');
    profile = join(work, 'profile');
    await mkdir(dataDir);
    const tiny = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
    const store = createModelStore({ dataDir });
    await store.import(tiny, { id: MODEL, source: 'generated', dtype: 'fp32' });
    await store.close();
    // A test-only model list whose entry carries a published POPE figure, as models/manifest.json does for real cards.
    const entry = {
      ...tinyModelEntry('qwen2-vl', repoFromFolder(tiny, TINY_SHA)),
      published: { pope: CARD },
    };
    const extra = join(work, 'extra-models.json');
    await writeFile(extra, JSON.stringify({ version: 1, models: [entry] }));
    serve = await startServe(dataDir, ['--allow-paths'], { DOCLENS_EXTRA_MODELS: extra });
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath(),
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
      viewport: { width: 1440, height: 900 },
      colorScheme: 'light',
      deviceScaleFactor: 1,
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(serve.url);
  });

  after(async () => {
    await context?.close();
    await serve?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const onFailure = (label: string, body: () => Promise<void>) =>
    withScreenshotOnFailure({ name: 'chromium', page }, label, body);

  test('the POPE sample set: progress, then the figures of the recorded predictions, per split, beside the card', async () => {
    await onFailure('evaluate-pope', async () => {
      await page.getByRole('tab', { name: /invoice\.pdf/ }).waitFor({ timeout: 30_000 });
      await page.getByRole('tab', { name: 'Models' }).click();
      const view = page.getByRole('region', { name: 'Evaluate' });
      await view.waitFor();
      await page
        .locator(`[data-testid="installed-model"][data-model="${MODEL}"]`)
        .waitFor({ timeout: 30_000 });
      await view.getByTestId('evaluate-kind').selectOption('pope');
      await view.getByTestId('evaluate-sample').click();
      // The bar shows the run's total: the sample set's 4 good items (a bad line and a missing image are skipped).
      const progress = view.locator('[data-testid="evaluate-progress"][data-total="4"]');
      const report = view.getByTestId('evaluate-report');
      await Promise.race([progress.waitFor({ timeout: 120_000 }), report.waitFor({ timeout: 120_000 })]);
      await report.waitFor({ timeout: 180_000 });

      // What the run recorded, scored here by the official POPE rules.
      const evals = join(dataDir, 'evals');
      const [outName] = (await readdir(evals)).filter((n) => n.startsWith(`pope-${MODEL}-`));
      assert.ok(outName, 'no output folder for the POPE run');
      const preds = await predictions(join(evals, outName));
      const set = await makeSampleSet('pope', join(work, 'pope-truth'));
      assert.equal(preds.size, set.truth.size);
      const items = [...set.truth].map(([id, ref]) => {
        assert.equal(ref.kind, 'pope');
        const p = preds.get(id);
        assert.ok(p, `no prediction for ${id}`);
        return { id, prediction: p.text, label: (ref as { label: 'yes' | 'no' }).label };
      });
      const all = popeScores(items);
      for (const [key, value] of Object.entries({
        accuracy: all.accuracy,
        precision: all.precision,
        recall: all.recall,
        f1: all.f1,
        yesRatio: all.yesRatio,
      })) {
        const fig = view.getByTestId(`evaluate-figure-${key}`);
        assert.equal(Number(await fig.getAttribute('data-value')), value, key);
        assert.match((await fig.textContent()) ?? '', new RegExp(pct(value).replace('.', '\\.')));
      }
      // One row per split, with its own accuracy.
      const rows = view.getByTestId('evaluate-category');
      const splits = ['random', 'adversarial'];
      assert.deepEqual(
        (await rows.allTextContents()).map((t) => t.replace(/\d.*$/, '')),
        splits.filter((s) => items.some((i) => i.id.startsWith(`${s}:`))).sort(),
      );
      for (const s of splits) {
        const sub = popeScores(items.filter((i) => i.id.startsWith(`${s}:`)));
        const row = rows.filter({ hasText: s });
        const cells = await row.locator('td').allTextContents();
        assert.equal(cells[1], String(items.filter((i) => i.id.startsWith(`${s}:`)).length));
        assert.equal(cells[2], pct(sub.accuracy), `${s} accuracy`);
      }
      // The chart draws F1 per split; the card's figure sits beside this run's F1 on the card's scale.
      const bars = view.getByTestId('evaluate-chart').locator('rect');
      assert.equal(await bars.count(), 2);
      const published = view.getByTestId('evaluate-published');
      assert.match((await published.textContent()) ?? '', /85\.90/);
      assert.equal(
        await view.getByTestId('evaluate-published-ours').textContent(),
        (all.f1 * 100).toFixed(2),
      );
      assert.match((await view.getByTestId('evaluate-problems').textContent()) ?? '', /2 broken or failed/);

      await mkdir(artifacts, { recursive: true });
      for (const [w, h] of [
        [1440, 900],
        [1024, 700],
        [800, 600],
      ] as const) {
        await page.setViewportSize({ width: w, height: h });
        await report.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(artifacts, `chromium-evaluate-pope-${w}x${h}.png`) });
      }
      await page.setViewportSize({ width: 1440, height: 900 });
    });
  });

  test('a GQA folder typed in runs with progress; exact match of the recorded answers; broken entries listed', async () => {
    await onFailure('evaluate-gqa', async () => {
      const set = await makeSampleSet('gqa', join(work, 'gqa'));
      const view = page.getByRole('region', { name: 'Evaluate' });
      await view.getByTestId('evaluate-kind').selectOption('gqa');
      await view.getByTestId('evaluate-dir').fill(set.dir);
      await view.getByTestId('evaluate-run').click();
      // The bar counts the folder's good items while the run goes (about a second per item with the tiny model).
      const progress = view.locator(`[data-testid="evaluate-progress"][data-total="${set.truth.size}"]`);
      await progress.waitFor({ timeout: 60_000 });
      await page.screenshot({ path: join(artifacts, 'chromium-evaluate-running.png') });
      const report = view.locator('[data-testid="evaluate-report"][aria-label^="GQA"]');
      await report.waitFor({ timeout: 180_000 });
      const evals = join(dataDir, 'evals');
      const [outName] = (await readdir(evals)).filter((n) => n.startsWith(`gqa-${MODEL}-`));
      assert.ok(outName);
      const preds = await predictions(join(evals, outName));
      let right = 0;
      for (const [id, ref] of set.truth) {
        const p = preds.get(id);
        assert.ok(p, `no prediction for ${id}`);
        if (gqaExactMatch(p.text, (ref as { answer: string }).answer)) right++;
      }
      const fig = report.locator('[data-testid^="evaluate-figure-"]').first();
      assert.equal(Number(await fig.getAttribute('data-value')), right / set.truth.size);
      assert.match(
        (await report.getByTestId('evaluate-problems').textContent()) ?? '',
        new RegExp(`^${set.broken.length} broken`),
      );
    });
  });
});
