// Charts end to end in headless Chromium: the sample report's bar chart asked about ("Which quarter had the highest
// value?") answers Q3 FY25 (4,380) with a re-plot whose highlighted bar is that quarter and a data table of the
// five exact values; the Extract panel lists the chart (and no table on its page). Screenshots at three window
// sizes are saved under e2e/artifacts.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Target } from './harness.js';
import { artifacts, launch, samplesDir, withScreenshotOnFailure } from './harness.js';

const QUARTERS = [
  ['Q3 FY24', '3,210'],
  ['Q4 FY24', '3,395'],
  ['Q1 FY25', '3,620'],
  ['Q2 FY25', '3,880'],
  ['Q3 FY25', '4,380'],
] as const;

describe('Charts (chromium)', () => {
  let t: Target;
  before(async () => {
    t = await launch('chromium');
    await mkdir(artifacts, { recursive: true });
  });
  after(async () => {
    await t?.close();
  });

  test('the report chart: the answer, its re-plot with the bar highlighted, the data table, the Extract section', async () => {
    await withScreenshotOnFailure(t, 'charts', async () => {
      const { page } = t;
      await page.locator('[data-testid="page-1"] canvas[data-state="painted"]').waitFor({ timeout: 30_000 });
      const report = await readFile(join(samplesDir, 'report.pdf'));
      await page
        .locator('[data-testid="file-input"]')
        .setInputFiles({ name: 'report.pdf', mimeType: 'application/pdf', buffer: report });
      await page.getByRole('tab', { name: /report\.pdf/, selected: true }).waitFor({ timeout: 30_000 });
      await page.locator('[data-testid="page-1"] canvas[data-state="painted"]').waitFor({ timeout: 30_000 });

      await page.getByRole('tab', { name: 'Ask' }).click();
      await page.locator('label.seg', { hasText: 'Document' }).click();
      await page.getByRole('textbox', { name: 'Question' }).fill('Which quarter had the highest value?');
      await page.getByRole('textbox', { name: 'Question' }).press('Enter');
      const answer = page.locator('[data-testid="answer"][data-status="done"]').last();
      await answer.waitFor({ timeout: 60_000 });
      assert.equal((await answer.getByTestId('answer-text').textContent())?.trim(), 'Q3 FY25 (4,380)');
      assert.equal(await answer.getByTestId('trust-badge').getAttribute('data-trust'), 'verified');
      const view = answer.getByTestId('chart-view');
      await view.waitFor();
      assert.equal(await view.getAttribute('data-kind'), 'bar');
      const marks = view.getByTestId('chart-mark');
      assert.equal(await marks.count(), 5);
      const lit = view.locator('[data-testid="chart-mark"][data-highlight="true"]');
      assert.equal(await lit.count(), 1);
      assert.equal(await lit.getAttribute('data-index'), '4');
      // The highlighted bar is the tallest of the re-plot.
      const heights = await marks.evaluateAll((els) => els.map((e) => Number(e.getAttribute('height'))));
      assert.equal(Math.max(...heights), heights[4]);
      const rows = await view.getByTestId('chart-table').locator('tr').allTextContents();
      assert.equal(rows.length, 6);
      QUARTERS.forEach(([q, v], i) => assert.equal(rows[i + 1], `${q}${v}`));
      const hlCell = view.locator('[data-testid="chart-table"] td[data-highlight="true"]');
      assert.equal((await hlCell.textContent())?.trim(), '4,380');
      // The answer's box chip points at the bar on page 2.
      assert.equal(await answer.getByRole('button', { name: /^p\.2 · Q3 FY25: 4,380/ }).count(), 1);

      for (const [w, h] of [
        [1440, 900],
        [1024, 768],
        [800, 600],
      ] as const) {
        await page.setViewportSize({ width: w, height: h });
        await view.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(artifacts, `charts-ask-${w}x${h}.png`) });
      }
      await page.setViewportSize({ width: 1440, height: 900 });

      await page.getByRole('tab', { name: 'Extract' }).click();
      const panel = page.getByRole('region', { name: 'Extract', exact: true });
      await panel.getByTestId('charts-count').waitFor({ timeout: 60_000 });
      assert.equal((await panel.getByTestId('charts-count').textContent())?.trim(), '1');
      const item = panel.getByTestId('chart-item');
      assert.equal(await item.getByTestId('chart-mark').count(), 5);
      const cells = await item.getByTestId('chart-table').locator('td').allTextContents();
      assert.deepEqual(cells, QUARTERS.flat());
      // The report's one real table (page 1) is still found; the chart is not a table.
      await panel.getByTestId('tables-count').waitFor({ timeout: 60_000 });
      assert.equal((await panel.getByTestId('tables-count').textContent())?.trim(), '1');
      await item.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(artifacts, 'charts-extract-1440x900.png') });
    });
  });
});
