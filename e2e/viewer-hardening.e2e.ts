// The viewer bugs a new user hit (issue 12, items 12–15): an encrypted PDF that never drew after the right
// password, a text layer that did not line up with the glyphs and a Ctrl+A that selected the whole window,
// tab switches that showed page 1 while everything else meant another page, and tabs that became unreadable.
// Each test failed before its fix; the screens changed are saved at three window sizes, light and dark.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Target } from './harness.js';
import { artifacts, launch, root, sampleTruth, samplesDir, withScreenshotOnFailure } from './harness.js';

const corpus = join(root, '..', 'shared', 'fixtures', 'pdfjs-corpus');
export const SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
  { width: 800, height: 600 },
] as const;

async function upload(page: Page, file: string, name = file.split('/').pop() ?? file): Promise<void> {
  const mimeType = name.endsWith('.png') ? 'image/png' : 'application/pdf';
  await page
    .locator('[data-testid="file-input"]')
    .first()
    .setInputFiles({ name, mimeType, buffer: await readFile(file) });
}

/** Saves the window at each size (then goes back to the first). */
async function shootSizes(page: Page, label: string): Promise<void> {
  await mkdir(artifacts, { recursive: true });
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.waitForTimeout(250);
    await page.screenshot({ path: join(artifacts, `chromium-${label}-${size.width}x${size.height}.png`) });
  }
  await page.setViewportSize(SIZES[0]);
}

for (const scheme of ['light', 'dark'] as const) {
  describe(`Viewer hardening (chromium, ${scheme})`, () => {
    let t: Target;
    before(async () => {
      t = await launch('chromium', { colorScheme: scheme });
      await t.page.getByRole('tab', { name: /invoice\.pdf/ }).waitFor({ timeout: 30_000 });
    });
    after(async () => {
      await t?.close();
    });

    test('an encrypted PDF draws after the right password (the viewer gets it too)', async () => {
      await withScreenshotOnFailure(t, `encrypted-${scheme}`, async () => {
        const { page } = t;
        // From the shared pdf.js corpus: user password ELXRTQWS (manifest.json).
        await upload(page, join(corpus, 'issue3371.pdf'));
        const dialog = page.getByRole('dialog');
        await dialog.waitFor({ timeout: 15_000 });
        await dialog.getByLabel('Password').fill('ELXRTQWS');
        await dialog.getByRole('button', { name: 'Open' }).click();
        await page.getByRole('tab', { name: /issue3371\.pdf/, selected: true }).waitFor({ timeout: 30_000 });
        const canvas = page.locator('[data-testid="viewer"] [data-testid="page-1"] canvas');
        await page
          .locator('[data-testid="viewer"] [data-testid="page-1"] canvas[data-state="painted"]')
          .or(page.locator('[data-testid="viewer"] .page-error'))
          .first()
          .waitFor({ timeout: 30_000 });
        assert.equal(
          await page.locator('[data-testid="viewer"] .page-error').count(),
          0,
          'a page error shows',
        );
        assert.equal(await canvas.getAttribute('data-state'), 'painted');
        await page.getByRole('button', { name: 'Close issue3371.pdf' }).click();
      });
    });

    test('the text layer lies on the glyphs, and Ctrl+A selects the page text only', async () => {
      await withScreenshotOnFailure(t, `text-layer-${scheme}`, async () => {
        const { page } = t;
        const truth = sampleTruth('invoice.pdf');
        const p1 = truth.pages[0];
        assert.ok(p1);
        await page.getByRole('tab', { name: /invoice\.pdf/ }).click();
        await page
          .locator('[data-testid="page-1"] canvas[data-state="painted"]')
          .waitFor({ timeout: 30_000 });
        const pageBox = await page.locator('[data-testid="page-1"]').boundingBox();
        assert.ok(pageBox);
        const s = pageBox.width / p1.width;
        for (const f of truth.fields) {
          // The rectangle the text layer gives this field's characters, found by a Range over its text node.
          const r = await page.evaluate((text) => {
            const layer = document.querySelector('[data-testid="page-1"] [data-testid="text-layer"]');
            if (!layer) return null;
            const walker = document.createTreeWalker(layer, NodeFilter.SHOW_TEXT);
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
              const at = (n.textContent ?? '').indexOf(text);
              if (at < 0) continue;
              const range = document.createRange();
              range.setStart(n, at);
              range.setEnd(n, at + text.length);
              const b = range.getBoundingClientRect();
              return { x: b.x, y: b.y, width: b.width, height: b.height };
            }
            return null;
          }, f.text);
          assert.ok(r, `no text-layer node holds "${f.text}"`);
          const want = {
            x: pageBox.x + f.box.x0 * s,
            y: pageBox.y + f.box.y0 * s,
            width: (f.box.x1 - f.box.x0) * s,
            height: (f.box.y1 - f.box.y0) * s,
          };
          const tol = Math.max(4, want.height * 0.5);
          assert.ok(Math.abs(r.x - want.x) < tol, `"${f.text}" starts at x ${r.x}, the glyphs at ${want.x}`);
          assert.ok(
            Math.abs(r.width - want.width) < Math.max(6, want.width * 0.08),
            `"${f.text}" is ${r.width} px wide in the text layer, ${want.width} px on the page`,
          );
          const mid = r.y + r.height / 2;
          assert.ok(
            mid > want.y - tol / 2 && mid < want.y + want.height + tol / 2,
            `"${f.text}" sits at y ${r.y}…${r.y + r.height}, the glyphs at ${want.y}…${want.y + want.height}`,
          );
        }
        // Select all from the page (not a field): the page's words, none of the window's buttons.
        await page.locator('[data-testid="viewer"]').click({ position: { x: 5, y: 5 } });
        await page.keyboard.press('Control+a');
        const selected = await page.evaluate(() => window.getSelection()?.toString() ?? '');
        for (const f of truth.fields) assert.ok(selected.includes(f.text), `selection lacks "${f.text}"`);
        for (const chrome of ['Fit width', 'DocLens', 'Suggested'])
          assert.ok(!selected.includes(chrome), `selection holds the app's "${chrome}"`);
        await page.evaluate(() => window.getSelection()?.removeAllRanges());
      });
    });

    test('switching tabs keeps each tab on its page: viewer, indicator, thumbnails and Ask agree', async () => {
      await withScreenshotOnFailure(t, `tab-pages-${scheme}`, async () => {
        const { page } = t;
        await upload(page, join(samplesDir, 'report.pdf'));
        await page.getByRole('tab', { name: /report\.pdf/, selected: true }).waitFor({ timeout: 30_000 });
        await page
          .locator('[data-testid="page-1"] canvas[data-state="painted"]')
          .waitFor({ timeout: 30_000 });
        await page.locator('[data-testid="viewer"]').click({ position: { x: 5, y: 5 } });
        await page.keyboard.press('n');
        const indicator = page.getByTestId('page-indicator');
        await page.waitForFunction(() =>
          document.querySelector('[data-testid="page-indicator"]')?.textContent?.startsWith('2 /'),
        );
        await page.waitForTimeout(700); // the smooth scroll settles
        await page.getByRole('tab', { name: /invoice\.pdf/ }).click();
        await page.getByRole('tab', { name: /invoice\.pdf/, selected: true }).waitFor();
        await page.getByRole('tab', { name: /report\.pdf/ }).click();
        await page.getByRole('tab', { name: /report\.pdf/, selected: true }).waitFor();
        await page.waitForTimeout(400);
        assert.match((await indicator.textContent()) ?? '', /^2 \/ 2/);
        // The page the user sees is page 2: it fills the top of the viewer.
        const viewer = await page.getByTestId('viewer').boundingBox();
        const p2 = await page.locator('[data-testid="viewer"] [data-testid="page-2"]').boundingBox();
        assert.ok(viewer && p2);
        assert.ok(
          p2.y <= viewer.y + viewer.height / 3 && p2.y + p2.height > viewer.y + viewer.height / 2,
          `page 2 is at ${p2.y}…${p2.y + p2.height}, the viewer ${viewer.y}…${viewer.y + viewer.height}`,
        );
        assert.equal(await page.locator('[data-thumb="2"]').getAttribute('aria-current'), 'page');
        // Ask (the side panel shown by default) scopes "this page" to page 2.
        await page.getByRole('radio', { name: 'Page 2' }).waitFor({ timeout: 5_000 });
      });
    });

    test('many tabs stay readable at every window size: minimum width, ellipsis, tooltip, overflow menu', async () => {
      await withScreenshotOnFailure(t, `tabs-${scheme}`, async () => {
        const { page } = t;
        const names = [
          'quarterly-operations-report-final.pdf',
          'harbor-lane-invoice-march.pdf',
          'second-copy-of-the-invoice.pdf',
          'scene-photo.png',
        ];
        const tabs = page.getByRole('tablist', { name: 'Open documents' }).getByRole('tab');
        const already = await tabs.count();
        for (const n of names) {
          await upload(page, join(samplesDir, n.endsWith('.png') ? 'scene.png' : 'invoice.pdf'), n);
          await page
            .getByRole('tab', { name: new RegExp(n.replace('.', '\\.')) })
            .waitFor({ timeout: 30_000 });
        }
        const count = already + names.length;
        assert.equal(await tabs.count(), count);
        for (const size of SIZES) {
          await page.setViewportSize(size);
          await page.waitForTimeout(200);
          const layout = await page.evaluate(() => {
            const bar = document.querySelector('.topbar');
            return {
              barOverflow: bar ? bar.scrollWidth - bar.clientWidth : -1,
              pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
              tabs: [...document.querySelectorAll('.tab:not(.opening)')].map((el) => {
                const label = el.querySelector<HTMLElement>('.tab-label');
                const name = el.querySelector<HTMLElement>('.tab-name');
                return {
                  width: el.getBoundingClientRect().width,
                  labelWidth: label?.getBoundingClientRect().width ?? 0,
                  labelNeeds: label?.scrollWidth ?? 0,
                  ellipsis: label ? getComputedStyle(label).textOverflow : '',
                  title: name?.title ?? '',
                  text: label?.textContent ?? '',
                };
              }),
            };
          });
          assert.ok(
            layout.barOverflow <= 1,
            `${size.width}px: the top bar overflows by ${layout.barOverflow}px`,
          );
          assert.ok(layout.pageOverflow <= 0, `${size.width}px: the window scrolls sideways`);
          for (const tab of layout.tabs) {
            assert.ok(tab.width >= 120, `${size.width}px: tab "${tab.text}" is ${tab.width}px wide`);
            assert.ok(
              tab.labelWidth >= Math.min(60, tab.labelNeeds - 1),
              `${size.width}px: "${tab.text}" shows ${tab.labelWidth}px of name`,
            );
            assert.equal(tab.ellipsis, 'ellipsis');
            assert.equal(tab.title, tab.text, 'the tooltip holds the whole name');
          }
          // When the tabs do not all fit (always at 800 px) the strip scrolls and a menu lists them all.
          const menuButton = page.getByTestId('tab-menu-button');
          const overflowing = await page
            .locator('.tabs')
            .evaluate((el) => el.scrollWidth > el.clientWidth + 1);
          if (size.width === 800) assert.ok(overflowing, `${count} tabs fit in 800 px at a readable width?`);
          if (!overflowing) {
            assert.equal(await menuButton.count(), 0, 'a menu button while every tab is shown');
            continue;
          }
          await menuButton.waitFor({ timeout: 5_000 });
          await menuButton.click();
          const items = page.getByRole('menuitemradio');
          assert.equal(await items.count(), count);
          await items.filter({ hasText: 'invoice.pdf' }).first().click();
          await page
            .getByRole('tab', { name: /^PDFinvoice\.pdf$|invoice\.pdf/, selected: true })
            .first()
            .waitFor();
          const active = await page.locator('.tab.active').boundingBox();
          const strip = await page.locator('.tabs').boundingBox();
          assert.ok(active && strip);
          assert.ok(
            active.x >= strip.x - 1 && active.x + active.width <= strip.x + strip.width + 1,
            `${size.width}px: the chosen tab is scrolled out of the strip`,
          );
        }
        await page.setViewportSize(SIZES[0]);
        await page.getByRole('tab', { name: /quarterly-operations/ }).click();
        await shootSizes(page, `tabs-${scheme}`);
        for (const n of names) await page.getByRole('button', { name: `Close ${n}` }).click();
      });
    });
  });
}
