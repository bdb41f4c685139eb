// Reviews end to end (issue 14 part 3): in headless mode, Ask answers of the sample invoice are accepted, corrected
// (the text edited, the box moved and resized by dragging it on the page, once more in a view turned 90°) and
// rejected; the stored corrections are in page space (the drag ÷ the page's CSS scale, turned back through the view's
// rotation); after a reload, opening the same bytes brings the reviews back.
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { iou } from '../src/shared/geometry.js';
import type { Review } from '../src/shared/reviews.js';
import type { Target } from './harness.js';
import { artifacts, launchChromium, samplesDir, sampleTruth, withScreenshotOnFailure } from './harness.js';

async function askAndWait(page: Page, question: string) {
  const before = await page.locator('[data-testid="answer"]').count();
  await page.getByRole('textbox', { name: 'Question' }).fill(question);
  await page.getByRole('textbox', { name: 'Question' }).press('Enter');
  await page.locator('[data-testid="answer"][data-status="done"]').nth(before).waitFor({ timeout: 30_000 });
  return page.locator('[data-testid="answer"]').nth(before);
}

async function storedReviews(dataDir: string): Promise<Review[]> {
  const dir = join(dataDir, 'reviews');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  assert.equal(files.length, 1, `one review file for the one document, got ${files.join(', ')}`);
  const f = JSON.parse(await readFile(join(dir, files[0] ?? ''), 'utf8')) as { reviews: Review[] };
  return f.reviews;
}

async function drag(page: Page, x: number, y: number, dx: number, dy: number): Promise<void> {
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx / 2, y + dy / 2, { steps: 4 });
  await page.mouse.move(x + dx, y + dy, { steps: 4 });
  await page.mouse.up();
}

describe('Reviews (chromium)', () => {
  let t: Target;
  before(async () => {
    t = await launchChromium();
  });
  after(async () => {
    await t?.close();
  });

  test('accept, correct by dragging a box, reject; all kept in page space and back after a reload', async () => {
    await withScreenshotOnFailure(t, 'reviews', async () => {
      const { page } = t;
      const truth = sampleTruth('invoice.pdf');
      const p1 = truth.pages[0];
      assert.ok(p1);
      await page.locator('[data-testid="page-1"] canvas[data-state="painted"]').waitFor({ timeout: 30_000 });

      // Accept.
      const date = await askAndWait(page, 'What is the invoice date?');
      await date.getByRole('button', { name: 'Accept' }).click();
      await date.locator('[data-testid="review-verdict"][data-verdict="accepted"]').waitFor();

      // Correct: the due date's box is moved 40,30 px and its bottom-right corner dragged 20,10 px more.
      const due = await askAndWait(page, 'What is the due date?');
      const dueText = (await due.getByTestId('answer-text').textContent()) ?? '';
      assert.ok(dueText.length > 0);
      await due.getByRole('button', { name: 'Correct' }).click();
      const box = page.locator('[data-testid="page-1"] [data-testid="edit-box"]');
      await box.waitFor();
      assert.equal(await box.count(), 1, 'the answer has one box to correct');
      await box.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(artifacts, 'chromium-reviews-correcting-1440.png') });
      const pageBox = await page.locator('[data-testid="page-1"]').boundingBox();
      const b0 = await box.boundingBox();
      assert.ok(pageBox && b0);
      const s = pageBox.width / p1.width;
      await drag(page, b0.x + b0.width / 2, b0.y + b0.height / 2, 40, 30);
      const b1 = await box.boundingBox();
      assert.ok(b1);
      assert.ok(
        Math.abs(b1.x - b0.x - 40) < 1.5 && Math.abs(b1.y - b0.y - 30) < 1.5,
        'the box follows the drag',
      );
      const grip = await box.getByTestId('edit-grip-se').boundingBox();
      assert.ok(grip);
      await drag(page, grip.x + grip.width / 2, grip.y + grip.height / 2, 20, 10);
      await due.getByRole('textbox', { name: 'Corrected answer' }).fill('Due April 13, 2025');
      await due.getByRole('button', { name: 'Save correction' }).click();
      await due.locator('[data-testid="review-verdict"][data-verdict="corrected"]').waitFor();
      assert.equal(await page.getByTestId('edit-box').count(), 0, 'the editor closes when saved');

      // Reject.
      const total = await askAndWait(page, 'What is the total?');
      await total.getByRole('button', { name: 'Reject' }).click();
      await total.locator('[data-testid="review-verdict"][data-verdict="rejected"]').waitFor();

      // Correct in a view turned 90° clockwise: a drag to the screen's right moves the box up the page (−y).
      await page.getByRole('button', { name: 'Rotate clockwise' }).click();
      await page.locator('[data-testid="page-1"][data-rotation="90"]').waitFor();
      const sub = await askAndWait(page, 'What is the subtotal?');
      await sub.getByRole('button', { name: 'Correct' }).click();
      const turnedBox = page.locator('[data-testid="page-1"] [data-testid="edit-box"]');
      await turnedBox.waitFor();
      await turnedBox.scrollIntoViewIfNeeded();
      const turnedPage = await page.locator('[data-testid="page-1"]').boundingBox();
      const tb0 = await turnedBox.boundingBox();
      assert.ok(turnedPage && tb0);
      // Turned, the page box's height is the page's width.
      const sTurned = turnedPage.height / p1.width;
      await drag(page, tb0.x + tb0.width / 2, tb0.y + tb0.height / 2, 40, 0);
      await sub.getByRole('button', { name: 'Save correction' }).click();
      await sub.locator('[data-testid="review-verdict"][data-verdict="corrected"]').waitFor();
      await page.screenshot({ path: join(artifacts, 'chromium-reviews-rotated.png') });
      await page.getByRole('button', { name: 'Rotate counter-clockwise' }).click();

      const stored = await storedReviews(t.dataDir);
      assert.deepEqual(
        stored.map((r) => [r.question, r.verdict]),
        [
          ['What is the invoice date?', 'accepted'],
          ['What is the due date?', 'corrected'],
          ['What is the total?', 'rejected'],
          ['What is the subtotal?', 'corrected'],
        ],
      );
      const invoiceDate = truth.dates.find((d) => d.iso === '2025-03-14');
      assert.ok(invoiceDate);
      const acceptedBox = stored[0]?.answer.boxes[0];
      assert.ok(acceptedBox, 'the accepted answer keeps its box');
      // The reader's box of the date (pdf.js's glyph extents, a point or two off the drawn truth): it is the date's.
      assert.ok(iou(acceptedBox, invoiceDate.box) > 0.7, `accepted box ${JSON.stringify(acceptedBox)}`);
      const corrected = stored[1];
      const original = corrected?.answer.boxes[0];
      const moved = corrected?.corrected?.boxes[0];
      assert.ok(corrected && original && moved);
      assert.equal(corrected.corrected?.text, 'Due April 13, 2025');
      assert.equal(corrected.answer.text, dueText);
      // Page space: the drag in CSS pixels ÷ the page's CSS pixels per point (a pixel of mouse rounding allowed).
      const tol = 1.5 / s;
      const want = {
        x0: original.x0 + 40 / s,
        y0: original.y0 + 30 / s,
        x1: original.x1 + 60 / s,
        y1: original.y1 + 40 / s,
      };
      for (const k of ['x0', 'y0', 'x1', 'y1'] as const)
        assert.ok(
          Math.abs(moved[k] - want[k]) < tol,
          `corrected ${k}: stored ${moved[k].toFixed(2)}, dragged to ${want[k].toFixed(2)} (±${tol.toFixed(2)} pt)`,
        );
      assert.equal(moved.page, 1);

      const subReview = stored[3];
      const subFrom = subReview?.answer.boxes[0];
      const subTo = subReview?.corrected?.boxes[0];
      assert.ok(subFrom && subTo);
      const tolT = 1.5 / sTurned;
      for (const [k, want] of [
        ['x0', subFrom.x0],
        ['x1', subFrom.x1],
        ['y0', subFrom.y0 - 40 / sTurned],
        ['y1', subFrom.y1 - 40 / sTurned],
      ] as const)
        assert.ok(
          Math.abs(subTo[k] - want) < tolT,
          `rotated correction ${k}: stored ${subTo[k].toFixed(2)}, dragged to ${want.toFixed(2)}`,
        );

      await mkdir(artifacts, { recursive: true });
      for (const [w, h] of [
        [1440, 900],
        [1024, 720],
        [760, 900],
      ] as const) {
        await page.setViewportSize({ width: w, height: h });
        await page.getByTestId('review-list').locator('summary').scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(artifacts, `chromium-reviews-${w}x${h}.png`) });
      }
      await page.setViewportSize({ width: 1440, height: 900 });

      // Reload: the history is gone, the reviews are not — the same bytes opened again bring them back.
      await page.reload();
      await page
        .locator('[data-testid="file-input"]')
        .first()
        .setInputFiles({
          name: 'invoice-again.pdf',
          mimeType: 'application/pdf',
          buffer: await readFile(join(samplesDir, 'invoice.pdf')),
        });
      await page
        .getByRole('tab', { name: /invoice-again\.pdf/, selected: true })
        .waitFor({ timeout: 30_000 });
      const list = page.getByTestId('review-list');
      await list.waitFor({ timeout: 10_000 });
      await list.locator('summary').click();
      const items = list.getByTestId('review-item');
      assert.deepEqual(await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-verdict'))), [
        'accepted',
        'corrected',
        'rejected',
        'corrected',
      ]);
      assert.match(
        (await items.nth(1).textContent()) ?? '',
        /What is the due date\?.*Due April 13, 2025.*1 box/,
      );
      // "Show" draws the saved correction (not the engine's box) where it was dragged to.
      await list.getByRole('button', { name: 'Show the boxes of “What is the due date?”' }).click();
      const hl = page.locator('[data-testid="page-1"] [data-testid="highlight"]');
      await hl.first().waitFor();
      assert.equal(await hl.count(), 1);
      const pageNow = await page.locator('[data-testid="page-1"]').boundingBox();
      const hlBox = await hl.first().boundingBox();
      assert.ok(pageNow && hlBox);
      const sNow = pageNow.width / p1.width;
      // Highlights draw 2 px outside their box on each side.
      assert.ok(Math.abs(hlBox.x + 2 - (pageNow.x + moved.x0 * sNow)) < 1.5, 'highlight x');
      assert.ok(Math.abs(hlBox.y + 2 - (pageNow.y + moved.y0 * sNow)) < 1.5, 'highlight y');
      assert.ok(Math.abs(hlBox.width - 4 - (moved.x1 - moved.x0) * sNow) < 1.5, 'highlight width');
      await page.screenshot({ path: join(artifacts, 'chromium-reviews-reloaded.png') });
    });
  });
});
