// Download sizes in the Models panel (issue 12, item 18), headless `doclens serve` in Chromium: a model whose list
// gives no sizes shows what its pull will fetch per dtype, read from the fake hub's tree listing (scripts/fake-hub.ts
// --sizes-from-hub); a model the hub does not have keeps the manifest's size and says why the rest is unknown; a pull
// shows "of <total>" and the time left. Screenshots at three window sizes in light and dark, nothing overflowing.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { ensureTinyModel } from '../models/tiny/make-tiny-model.js';
import { dtypeBytes } from '../src/services/models/download-sizes.js';
import { loadManifest } from '../src/services/models/manifest.js';
import { tinyModelEntry } from '../src/services/models/test-fixtures.js';
import type { ServeHandle } from './harness.js';
import { artifacts, chromiumPath, root, startServe, withScreenshotOnFailure } from './harness.js';

const SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
  { width: 800, height: 600 },
] as const;

interface HubReady {
  models: string[];
  env: Record<string, string>;
}

/** scripts/fake-hub.ts in its own process group (stopped with everything it started), sizes left to its listing. */
async function startHub(): Promise<{ child: ChildProcess; ready: HubReady }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'scripts', 'fake-hub.ts'),
      '--family',
      'qwen2-vl',
      '--slow-ms',
      '80',
      '--sizes-from-hub',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
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

async function stopGroup(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const t = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, 5000);
  await exited;
  clearTimeout(t);
}

/** The panel's formatBytes for sizes between 1 MB and 100 MB (the tiny model's). */
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/** What a pull of each dtype of the tiny model fetches, from the generated files (not from the app). */
async function expectedTinySizes(): Promise<{ fp32: number; fp16: number }> {
  const dir = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
  const files = new Map<string, Uint8Array>();
  const sizes = new Map<string, number>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path);
      else {
        sizes.set(path, statSync(join(dir, path)).size);
        files.set(path, new Uint8Array(0));
      }
    }
  };
  walk('');
  const { layout } = await loadManifest();
  const entry = tinyModelEntry('qwen2-vl', { sha: '0'.repeat(40), files });
  const fp32 = dtypeBytes(layout, entry, 'fp32', sizes);
  const fp16 = dtypeBytes(layout, entry, 'fp16', sizes);
  assert.ok(fp32 && fp16, 'the tiny model lacks a file its pull needs');
  return { fp32, fp16 };
}

describe('Models panel download sizes (chromium, fake hub)', () => {
  let page: Page;
  let context: BrowserContext;
  let serve: ServeHandle;
  let hub: ChildProcess | undefined;
  let modelId: string;
  let dataDir: string;
  let profile: string;

  before(async () => {
    const started = await startHub();
    hub = started.child;
    const id = started.ready.models[0];
    assert.ok(id, 'the fake hub serves no model');
    modelId = id;
    dataDir = await mkdtemp(join(tmpdir(), 'doclens-e2e-sizes-'));
    profile = await mkdtemp(join(tmpdir(), 'doclens-e2e-profile-'));
    serve = await startServe(dataDir, [], started.ready.env);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath(),
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
      viewport: SIZES[0],
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
    await stopGroup(hub);
    await rm(profile, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  });

  test('sizes read from the hub listing, a missing repo explained, a pull with its total and time left', async () => {
    await withScreenshotOnFailure({ name: 'chromium', page }, 'models-sizes', async () => {
      const expected = await expectedTinySizes();
      await page.getByRole('tab', { name: /invoice\.pdf/ }).waitFor({ timeout: 30_000 });
      await page.getByRole('tab', { name: 'Models' }).click();
      const panel = page.getByRole('region', { name: 'Models', exact: true });
      const card = panel.locator(`[data-testid="known-model"][data-model="${modelId}"]`);
      const sizes = card.getByTestId('model-sizes');
      // The tiny model's list has no sizes: these come from the hub's tree listing, summed per dtype.
      const want = `fp32: ${mb(expected.fp32)} · fp16: ${mb(expected.fp16)} to download`;
      await sizes.filter({ hasText: want }).waitFor({ timeout: 30_000 });
      assert.equal(await sizes.innerText(), want);
      const options = await card.getByRole('combobox').locator('option').allInnerTexts();
      assert.deepEqual(options.slice(1), [`fp32 — ${mb(expected.fp32)}`, `fp16 — ${mb(expected.fp16)}`]);

      // The recommended model's repo is not on this hub: its pinned q4 size stays, the rest is said to be unknown
      // in words (the hub's answer is in the tooltip, not in the text).
      const qwen3 = panel.locator('[data-testid="known-model"][data-model="qwen3-vl-2b-instruct"]');
      const qwen3Sizes = qwen3.getByTestId('model-sizes');
      await qwen3Sizes.filter({ hasNotText: /checking/i }).waitFor({ timeout: 30_000 });
      assert.equal(
        await qwen3Sizes.innerText(),
        'q4: 1.4 GB to download · q4f16: size unknown — the model hub did not list the files',
      );
      assert.match((await qwen3Sizes.getAttribute('title')) ?? '', /not found on the hub \(404/);
      // A model with nothing pinned and nothing listed says so alone.
      const qwen2 = panel.locator('[data-testid="known-model"][data-model="qwen2-vl-2b-instruct"]');
      assert.equal(
        await qwen2.getByTestId('model-sizes').innerText(),
        'Size unknown — the model hub did not list the files',
      );

      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const size of SIZES) {
          await page.setViewportSize(size);
          await page.waitForTimeout(200);
          for (const el of await panel.getByTestId('model-sizes').all()) {
            const fit = await el.evaluate((node) => {
              const r = node.getBoundingClientRect();
              const c = node.closest('.card')?.getBoundingClientRect();
              return { over: node.scrollWidth - node.clientWidth, right: r.right, cardRight: c?.right ?? 0 };
            });
            assert.ok(fit.over <= 1, `${scheme} ${size.width}px: a size line overflows by ${fit.over}px`);
            assert.ok(fit.right <= fit.cardRight + 1, `${scheme} ${size.width}px: a size line sticks out`);
          }
          // Every card's head fits: a long quality badge wraps under the name rather than crushing it.
          for (const head of await panel.locator('[data-testid="known-model"] .card-head').all()) {
            const fit = await head.evaluate((node) => {
              const card = node.closest('.card')?.getBoundingClientRect();
              const name = node.querySelector('strong')?.getBoundingClientRect();
              const rights = [...node.children].map((c) => c.getBoundingClientRect().right);
              return { cardRight: card?.right ?? 0, nameWidth: name?.width ?? 0, right: Math.max(...rights) };
            });
            assert.ok(fit.right <= fit.cardRight + 1, `${scheme} ${size.width}px: a card head sticks out`);
            assert.ok(
              fit.nameWidth >= 80,
              `${scheme} ${size.width}px: a model name is ${fit.nameWidth}px wide`,
            );
          }
          await card.scrollIntoViewIfNeeded();
          await page.screenshot({
            path: join(artifacts, `chromium-models-sizes-${scheme}-${size.width}x${size.height}.png`),
          });
        }
      }
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize(SIZES[0]);

      // A pull (fp32, the recommended dtype) counts against the announced total and says how long it has left.
      await card.getByRole('button', { name: 'Pull' }).click();
      const bytes = card.getByTestId('pull-bytes');
      await bytes.filter({ hasText: ` of ${mb(expected.fp32)}` }).waitFor({ timeout: 30_000 });
      const eta = card.getByTestId('pull-eta');
      await eta.waitFor({ timeout: 60_000 });
      assert.match(await eta.innerText(), /^\s*· about \d+\u00a0(s|min) left$/);
      await page.screenshot({ path: join(artifacts, 'chromium-models-sizes-pulling-light.png') });
      const installed = panel.locator(`[data-testid="installed-model"][data-model^="${modelId}"]`);
      await installed.waitFor({ timeout: 180_000 });
      assert.match(
        await installed.innerText(),
        new RegExp(`fp32 · ${mb(expected.fp32).replace('.', '\\.')} · pulled`),
      );
    });
  });
});
