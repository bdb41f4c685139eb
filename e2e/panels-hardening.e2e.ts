// The panel bugs a new user hit (issue 12, items 16, 17 and 19): an invisible Stop label and long work with no
// progress or cancel, Find "0 hits" with no model, toasts that piled up, disabled buttons that looked enabled
// in dark mode, chart suggestions for photographs, no favicon, browser-taken shortcuts in the palette. Each
// test failed before its fix; the panels changed are saved at three window sizes, light and dark.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PDFDocument } from 'pdf-lib';
import type { Locator, Page } from 'playwright-core';
import type { Target } from './harness.js';
import { artifacts, launch, samplesDir, withScreenshotOnFailure } from './harness.js';

const SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
  { width: 800, height: 600 },
] as const;

async function shootSizes(page: Page, label: string): Promise<void> {
  await mkdir(artifacts, { recursive: true });
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.waitForTimeout(200);
    await page.screenshot({ path: join(artifacts, `chromium-${label}-${size.width}x${size.height}.png`) });
  }
  await page.setViewportSize(SIZES[0]);
}

/** WCAG contrast ratio of an element's text colour against its own background colour. */
async function contrast(el: Locator): Promise<number> {
  const [fg, bg] = await el.evaluate((node) => {
    const st = getComputedStyle(node);
    return [st.color, st.backgroundColor];
  });
  const lum = (css: string) => {
    const [r, g, b] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const x = Number(v) / 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
  };
  const a = lum(fg);
  const b = lum(bg);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

/** `n` copies of the scanned invoice's page: a PDF whose every page needs OCR (a second or more each). */
async function scannedPdf(n: number): Promise<Buffer> {
  const src = await PDFDocument.load(await readFile(join(samplesDir, 'invoice-scanned.pdf')));
  const out = await PDFDocument.create();
  for (let i = 0; i < n; i++) {
    const [p] = await out.copyPages(src, [0]);
    if (p) out.addPage(p);
  }
  return Buffer.from(await out.save());
}

for (const scheme of ['light', 'dark'] as const) {
  describe(`Panels hardening (chromium, ${scheme})`, () => {
    let t: Target;
    before(async () => {
      t = await launch('chromium', { colorScheme: scheme });
      await t.page.getByRole('tab', { name: /invoice\.pdf/ }).waitFor({ timeout: 30_000 });
    });
    after(async () => {
      await t?.close();
    });

    test('a question on a scan shows reading progress, and Stop is legible and stops it', async () => {
      await withScreenshotOnFailure(t, `ask-progress-${scheme}`, async () => {
        const { page } = t;
        await page
          .locator('[data-testid="file-input"]')
          .first()
          .setInputFiles({ name: 'scans-4.pdf', mimeType: 'application/pdf', buffer: await scannedPdf(4) });
        await page.getByRole('tab', { name: /scans-4\.pdf/, selected: true }).waitFor({ timeout: 30_000 });
        await page.getByRole('radio', { name: 'Document' }).check({ force: true });
        await page.getByRole('textbox', { name: 'Question' }).fill('What is the invoice date?');
        await page.getByRole('textbox', { name: 'Question' }).press('Enter');
        const progress = page.getByTestId('ask-progress');
        await progress.waitFor({ timeout: 10_000 });
        assert.match((await progress.textContent()) ?? '', /Reading/);
        const stop = page.getByRole('button', { name: 'Stop', exact: true });
        await stop.waitFor({ timeout: 10_000 });
        const ratio = await contrast(stop);
        assert.ok(ratio >= 4.5, `the Stop label's contrast is ${ratio.toFixed(2)}:1`);
        await page.waitForFunction(
          () =>
            Number(document.querySelector('[data-testid="ask-progress"]')?.getAttribute('data-total')) === 4,
          undefined,
          { timeout: 30_000 },
        );
        await shootSizes(page, `ask-progress-${scheme}`);
        await stop.click();
        await page.locator('[data-testid="answer"][data-status="cancelled"]').waitFor({ timeout: 5_000 });
        assert.equal(await progress.count(), 0);
      });
    });

    test('extract on a long scan shows pages read and can be stopped', async () => {
      await withScreenshotOnFailure(t, `extract-progress-${scheme}`, async () => {
        const { page } = t;
        await page
          .locator('[data-testid="file-input"]')
          .first()
          .setInputFiles({ name: 'scans-8.pdf', mimeType: 'application/pdf', buffer: await scannedPdf(8) });
        await page.getByRole('tab', { name: /scans-8\.pdf/, selected: true }).waitFor({ timeout: 30_000 });
        await page.getByRole('tab', { name: 'Extract', exact: true }).click();
        const progress = page.getByTestId('dates-progress');
        await progress.waitFor({ timeout: 10_000 });
        // The backend's first report names the page count at once (each page then takes seconds of OCR).
        await page.waitForFunction(
          () =>
            Number(document.querySelector('[data-testid="dates-progress"]')?.getAttribute('data-total')) ===
            8,
          undefined,
          { timeout: 60_000 },
        );
        assert.match((await progress.textContent()) ?? '', /\d of 8 pages/);
        await shootSizes(page, `extract-progress-${scheme}`);
        assert.ok(
          Number(await progress.getAttribute('data-done')) < 8,
          'all pages were read before the stop',
        );
        await progress.getByRole('button', { name: 'Stop' }).click();
        await page.getByRole('region', { name: 'Dates' }).getByText('Stopped.').waitFor({ timeout: 5_000 });
        await page.getByTestId('tables-progress').getByRole('button', { name: 'Stop' }).click();
        await page.getByRole('region', { name: 'Tables' }).getByText('Stopped.').waitFor({ timeout: 5_000 });
        await page.getByRole('tab', { name: 'Ask', exact: true }).click();
      });
    });

    test('Find without a model says one is needed and its button is off, with the reason', async () => {
      await withScreenshotOnFailure(t, `find-no-model-${scheme}`, async () => {
        const { page } = t;
        await page
          .getByRole('tablist', { name: 'Open documents' })
          .getByRole('tab', { name: /invoice\.pdf/ })
          .click();
        await page.getByRole('tab', { name: 'Find', exact: true }).click();
        await page.getByTestId('find-needs-model').waitFor({ timeout: 10_000 });
        await page.getByRole('textbox', { name: 'Objects to find' }).fill('logo, table');
        const find = page.getByRole('button', { name: 'Find', exact: true });
        assert.equal(await find.isDisabled(), true, 'Find is enabled with no model installed');
        assert.match((await find.getAttribute('title')) ?? '', /needs a vision-language model/);
        await page.getByRole('textbox', { name: 'Objects to find' }).press('Enter');
        await page.waitForTimeout(300);
        assert.equal(await page.getByTestId('find-result').count(), 0, 'a find ran with no model');
        assert.match((await page.getByTestId('find-needs-model').textContent()) ?? '', /none is installed/);
        // Disabled primary buttons do not look like enabled ones (dark mode made them look the same).
        const bg = await find.evaluate((el) => getComputedStyle(el).backgroundColor);
        const accent = await page.evaluate(() =>
          getComputedStyle(document.documentElement).getPropertyValue('--accent').trim(),
        );
        const probe = await page.evaluate((c) => {
          const d = document.createElement('div');
          d.style.color = c;
          document.body.append(d);
          const v = getComputedStyle(d).color;
          d.remove();
          return v;
        }, accent);
        assert.notEqual(bg, probe, 'the disabled Find button keeps the accent fill');
        await shootSizes(page, `find-no-model-${scheme}`);
        await page.getByRole('tab', { name: 'Ask', exact: true }).click();
      });
    });

    test('toasts: at most three, duplicates merged, errors expire and can be closed', async () => {
      await withScreenshotOnFailure(t, `toasts-${scheme}`, async () => {
        const { page } = t;
        // One upload at a time, each waited for: the uploads' answers may otherwise arrive out of order under load,
        // and "the oldest goes" is about the order the toasts were raised.
        for (let i = 0; i < 5; i++) {
          await page
            .locator('[data-testid="file-input"]')
            .first()
            .setInputFiles({ name: `empty-${i}.pdf`, mimeType: 'application/pdf', buffer: Buffer.alloc(0) });
          await page
            .getByRole('alert')
            .filter({ hasText: `empty-${i}.pdf` })
            .waitFor({ timeout: 15_000 });
        }
        assert.ok((await page.getByTestId('toast').count()) <= 3, 'more than three toasts');
        assert.equal(await page.getByRole('alert').filter({ hasText: 'empty-0.pdf' }).count(), 0);
        await page
          .getByRole('alert')
          .filter({ hasText: 'empty-4.pdf' })
          .getByRole('button', { name: 'Dismiss' })
          .click();
        assert.equal(await page.getByRole('alert').filter({ hasText: 'empty-4.pdf' }).count(), 0);
        // Errors expire on their own too (10 s).
        await page.getByTestId('toast').first().waitFor({ state: 'detached', timeout: 15_000 });
        await page.waitForFunction(
          () => document.querySelectorAll('[data-testid="toast"]').length === 0,
          undefined,
          {
            timeout: 15_000,
          },
        );
      });
    });

    test('a photograph gets picture questions, not chart ones; a page keeps the reading ones', async () => {
      await withScreenshotOnFailure(t, `suggestions-${scheme}`, async () => {
        const { page } = t;
        await page
          .locator('[data-testid="file-input"]')
          .first()
          .setInputFiles({
            name: 'scene.png',
            mimeType: 'image/png',
            buffer: await readFile(join(samplesDir, 'scene.png')),
          });
        await page.getByRole('tab', { name: /scene\.png/, selected: true }).waitFor({ timeout: 30_000 });
        await page.getByRole('tab', { name: 'Ask', exact: true }).click();
        const chips = page.getByRole('region', { name: 'Ask' }).locator('.chips .chip');
        await page.getByRole('button', { name: 'Describe this picture.' }).waitFor({ timeout: 10_000 });
        const texts = await chips.allTextContents();
        assert.ok(!texts.some((x) => /chart|table/i.test(x)), `a photo is offered ${texts.join(' | ')}`);
        // A PDF page keeps the document questions.
        await page
          .getByRole('tablist', { name: 'Open documents' })
          .getByRole('tab', { name: /invoice\.pdf/ })
          .click();
        await page
          .getByRole('button', { name: 'What is the title of this document?' })
          .waitFor({ timeout: 10_000 });
        assert.equal(await page.getByRole('button', { name: 'Describe this picture.' }).count(), 0);
      });
    });

    test('favicon, and the palette shows shortcuts the browser leaves to the page', async () => {
      await withScreenshotOnFailure(t, `palette-${scheme}`, async () => {
        const { page } = t;
        const icon = await page.evaluate(async () => {
          const link = document.querySelector<HTMLLinkElement>('link[rel~="icon"]');
          if (!link) return null;
          const img = new Image();
          img.src = link.href;
          await img.decode();
          return { w: img.naturalWidth, h: img.naturalHeight };
        });
        assert.ok(icon && icon.w > 0 && icon.h > 0, 'no favicon that loads');
        await page.keyboard.press('Control+K');
        const list = page.getByRole('listbox', { name: 'Commands' });
        await list.waitFor();
        const all = (await list.getByRole('option').allTextContents()).join('\n');
        for (const taken of ['Ctrl+W', 'Ctrl+O', 'Ctrl+1', 'Ctrl+2'])
          assert.ok(!all.includes(taken), `the palette offers ${taken}, which the browser takes`);
        assert.match(all, /Close document\s*Alt\+W/);
        assert.match(all, /Open…\s*Alt\+O/);
        await page.keyboard.press('Escape');
        // The advertised key works: Alt+W closes the active document tab.
        const before = await page.getByRole('tablist', { name: 'Open documents' }).getByRole('tab').count();
        await page.getByTestId('viewer').click({ position: { x: 5, y: 5 } });
        await page.keyboard.press('Alt+W');
        await page.waitForFunction(
          (n) => document.querySelectorAll('[aria-label="Open documents"] [role="tab"]').length === n - 1,
          before,
        );
      });
    });
  });
}
