// Models screen against the real model store: a tiny generated model is pulled from the fake Hugging Face hub on
// loopback (scripts/fake-hub.ts, HF_ENDPOINT): the progress bar moves, the model becomes installed, verify
// passes, remove (after a confirm) takes it away and the empty state comes back. Screenshots in light and dark.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import type { ServeHandle } from './harness.js';
import { artifacts, chromiumPath, root, startServe, withScreenshotOnFailure } from './harness.js';

interface HubReady {
  endpoint: string;
  models: string[];
  env: Record<string, string>;
}

/** Starts scripts/fake-hub.ts with downloads slowed so that progress is seen; resolves with its ready line. */
async function startHub(): Promise<{ child: ChildProcess; ready: HubReady }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'scripts', 'fake-hub.ts'), '--family', 'qwen2-vl', '--slow-ms', '60'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const ready = await new Promise<HubReady>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`fake hub did not start in 120 s:\n${out}\n${err}`)),
      120_000,
    );
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && out.includes('\n')) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as HubReady);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fake hub exited with ${code}:\n${out}\n${err}`));
    });
  });
  return { child, ready };
}

describe('Models panel (chromium, fake hub)', () => {
  let page: Page;
  let context: BrowserContext;
  let serve: ServeHandle;
  let hub: ChildProcess;
  let modelId: string;
  let dataDir: string;
  let profile: string;

  before(async () => {
    const started = await startHub();
    hub = started.child;
    const id = started.ready.models[0];
    assert.ok(id, 'the fake hub serves no model');
    modelId = id;
    dataDir = await mkdtemp(join(tmpdir(), 'doclens-e2e-models-'));
    profile = await mkdtemp(join(tmpdir(), 'doclens-e2e-profile-'));
    serve = await startServe(dataDir, ['--allow-paths'], started.ready.env);
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
    await mkdir(artifacts, { recursive: true });
  });
  after(async () => {
    await context?.close();
    await serve?.stop();
    if (hub && hub.exitCode === null) {
      const exited = new Promise((r) => hub.once('exit', r));
      hub.kill('SIGTERM');
      await exited;
    }
    await rm(profile, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  });

  const onFailure = (label: string, body: () => Promise<void>) =>
    withScreenshotOnFailure({ name: 'chromium', page }, label, body);

  test('pull a tiny model: progress moves, pause holds it, resume finishes it, verify passes, remove empties the list', async () => {
    await onFailure('models', async () => {
      await page.getByRole('tab', { name: /invoice\.pdf/ }).waitFor({ timeout: 30_000 });
      await page.getByRole('tab', { name: 'Models' }).click();
      const panel = page.getByRole('region', { name: 'Models', exact: true });
      // Before any model: the empty state says the reader engine answers.
      await panel.getByTestId('models-empty').waitFor({ timeout: 30_000 });
      assert.match((await panel.getByTestId('models-empty').textContent()) ?? '', /reader engine/);
      // …once: the provider card does not repeat it (issue 12, item 18).
      assert.equal(await panel.getByTestId('provider-summary').count(), 0);
      await page.screenshot({ path: join(artifacts, 'chromium-models-empty-light.png') });

      const card = panel.locator(`[data-testid="known-model"][data-model="${modelId}"]`);
      await card.waitFor();
      await card.getByRole('button', { name: 'Pull' }).click();

      // Sample the bar while the pull runs: it shows at least two different values below 100 %. Part-way
      // through, Pause stops it (the bar holds still) and Resume (a pull again) carries on from there.
      const bar = card.getByRole('progressbar');
      const pull = card.getByTestId('pull');
      const values = new Set<number>();
      let paused = false;
      // An installed model is named by the known id and its dtype (tiny-qwen2-vl-fp32).
      const installed = panel.locator(`[data-testid="installed-model"][data-model^="${modelId}"]`);
      const deadline = Date.now() + 180_000;
      while (Date.now() < deadline && (await installed.count()) === 0) {
        const v = await bar.getAttribute('aria-valuenow', { timeout: 200 }).catch(() => null);
        if (v !== null) values.add(Number(v));
        if (!paused && v !== null && Number(v) > 0 && Number(v) < 60) {
          paused = true;
          await page.screenshot({ path: join(artifacts, 'chromium-models-pulling-light.png') });
          await card.getByRole('button', { name: 'Pause' }).click();
          await card.locator('[data-testid="pull"][data-state="paused"]').waitFor({ timeout: 15_000 });
          const held = await bar.getAttribute('aria-valuenow');
          assert.ok(Number(held) < 100, `paused at ${held}`);
          await page.waitForTimeout(600);
          assert.equal(await bar.getAttribute('aria-valuenow'), held, 'the bar moved while paused');
          assert.equal(await pull.getAttribute('data-state'), 'paused');
          await page.screenshot({ path: join(artifacts, 'chromium-models-paused-light.png') });
          await card.getByRole('button', { name: 'Resume' }).click();
        }
        await page.waitForTimeout(50);
      }
      assert.ok(paused, `the pull was never seen part-way: ${JSON.stringify([...values])}`);
      await installed.waitFor({ timeout: 5_000 });
      const partial = [...values].filter((v) => v < 100);
      assert.ok(partial.length >= 2, `progress seen: ${JSON.stringify([...values])}`);
      assert.match((await installed.textContent()) ?? '', /qwen2-vl · \S+ · [\d.]+ (KB|MB) · pulled/);
      assert.equal(await panel.getByTestId('models-empty').count(), 0);
      assert.equal(await card.getByText('Installed').count(), 1);

      await installed.getByRole('button', { name: 'Verify' }).click();
      await installed
        .getByTestId('verify-result')
        .filter({ hasText: 'All files present' })
        .waitFor({ timeout: 60_000 });
      await page.screenshot({ path: join(artifacts, 'chromium-models-light.png') });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: join(artifacts, 'chromium-models-dark.png') });
      await page.emulateMedia({ colorScheme: 'light' });

      // Installed but not loaded until asked: Load now loads it and the card says where it runs.
      const provider = panel.getByRole('region', { name: 'Provider in use' });
      assert.equal(await provider.getByTestId('provider-active').textContent(), 'No model loaded');
      assert.match(
        (await provider.getByTestId('provider-summary').textContent()) ?? '',
        /loads with the first question/,
      );
      await provider.getByRole('button', { name: 'Load now' }).click();
      await provider.getByTestId('provider-active').filter({ hasText: 'CPU' }).waitFor({ timeout: 60_000 });
      await provider.getByText(/^Loaded: tiny-qwen2-vl/).waitFor();
      assert.equal(await provider.getByRole('button', { name: 'Load now' }).count(), 0);

      await installed.getByRole('button', { name: 'Remove…' }).click();
      const confirm = installed.getByRole('alertdialog');
      await confirm.getByRole('button', { name: 'Remove' }).click();
      await installed.waitFor({ state: 'detached', timeout: 30_000 });
      await panel.getByTestId('models-empty').waitFor();
    });
  });
});
