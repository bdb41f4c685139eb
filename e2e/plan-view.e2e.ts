// The plan view end to end in headless Chromium: the sample open, "How the model sees this page" from the Ask
// panel, and for Qwen2-VL, Qwen3-VL and LLaVA-OneVision the shown token count equals what `plan.get` returns over
// the same HTTP API; LLaVA-OneVision shows its AnyRes tiles. Screenshots at 1440×900 and 800×600 in e2e/artifacts.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Plan } from '../src/shared/domain.js';
import type { Envelope } from '../src/shared/errors.js';
import { FAMILIES, type FamilyId } from '../src/shared/families.js';
import { WIRE_MIME, decodeWire, encodeWire } from '../src/shared/wire.js';
import type { Target } from './harness.js';
import { artifacts, launch, withScreenshotOnFailure } from './harness.js';

/** One RPC call from inside the page, with the page's own token (the same POST the renderer makes). */
async function rpc<T>(page: Page, channel: string, input: unknown): Promise<T> {
  const body = Array.from(encodeWire(input));
  const bytes = await page.evaluate(
    async ({ channel, body, mime }) => {
      const token = window.sessionStorage.getItem('doclens.token') ?? '';
      const res = await fetch(`/rpc/${channel}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': mime },
        body: new Uint8Array(body),
      });
      return Array.from(new Uint8Array(await res.arrayBuffer()));
    },
    { channel, body, mime: WIRE_MIME },
  );
  const env = decodeWire(new Uint8Array(bytes)) as Envelope<T>;
  if (!env.ok) throw new Error(`${channel}: ${env.error.message}`);
  return env.value;
}

describe('Plan view (chromium)', () => {
  let t: Target;
  before(async () => {
    t = await launch('chromium');
    await mkdir(artifacts, { recursive: true });
  });
  after(async () => {
    await t?.close();
  });

  test('shows plan.get’s token count for qwen2-vl, qwen3-vl and llava-onevision, and LLaVA-OV’s tiles', async () => {
    await withScreenshotOnFailure(t, 'plan-view', async () => {
      const { page } = t;
      await page.locator('[data-testid="page-1"] canvas[data-state="painted"]').waitFor({ timeout: 30_000 });
      const docs = await rpc<{ id: string; name: string }[]>(page, 'documents.list', {});
      const doc = docs[0];
      assert.ok(doc, 'a sample document is open');

      await page.getByRole('tab', { name: 'Ask' }).click();
      await page.getByRole('button', { name: 'How the model sees this page' }).click();
      const dialog = page.getByRole('dialog', { name: 'How the model sees this page' });
      await dialog.waitFor();

      const seen = new Map<FamilyId, number>();
      for (const family of ['qwen2-vl', 'qwen3-vl', 'llava-onevision'] as const) {
        const plan: Plan = await rpc<Plan>(page, 'plan.get', { docId: doc.id, page: 1, family });
        await dialog.getByRole('combobox', { name: 'Model family' }).selectOption(family);
        const tokens = dialog.getByTestId('plan-tokens');
        await page.waitForFunction(
          (want) => document.querySelector('[data-testid="plan-tokens"]')?.textContent === want,
          String(plan.imageTokens),
          { timeout: 15_000 },
        );
        assert.equal(await tokens.textContent(), String(plan.imageTokens), `${family} token count`);
        assert.equal(await dialog.getByTestId('plan-formula').textContent(), FAMILIES[family].tokenFormula);
        const drawn = dialog.getByTestId('plan-tile');
        const tiles = plan.tiles.filter((x) => x.kind !== 'global');
        assert.equal(await drawn.count(), tiles.length, `${family} tiles drawn`);
        seen.set(family, plan.imageTokens);
        if (family === 'llava-onevision') {
          assert.equal(plan.mode, 'anyres');
          assert.ok(plan.grid, 'LLaVA-OV plans a grid');
          const grid = plan.grid;
          assert.ok(tiles.length > 1, `LLaVA-OV has tiles (${tiles.length})`);
          assert.equal(tiles.length, grid.cols * grid.rows);
          const text = await dialog.getByTestId('plan-grid').textContent();
          assert.match(
            text ?? '',
            new RegExp(`^${grid.cols}×${grid.rows} grid, ${tiles.length} tile\\(s\\)`),
          );
          assert.match(text ?? '', /global view/);
          // The global view's tokens and the tiles' shares listed add up to the total.
          const base = await dialog.getByTestId('plan-global').textContent();
          assert.equal(base, `global view: ${plan.tiles.find((x) => x.kind === 'global')?.imageTokens}`);
          const shares = await dialog
            .getByRole('list', { name: 'Token share per tile' })
            .locator('li')
            .allTextContents();
          const sum = shares.map((s) => Number(/(\d+)$/.exec(s)?.[1])).reduce((a, b) => a + b, 0);
          assert.equal(sum + Number(/(\d+)$/.exec(base ?? '')?.[1]), plan.imageTokens);
        } else {
          assert.equal(plan.mode, 'single');
          assert.equal(tiles.length, 1);
          const input = plan.tiles[0]?.input;
          assert.equal(
            await dialog.getByTestId('plan-input').textContent(),
            `${input?.width}×${input?.height} px`,
          );
        }
        await dialog.locator('svg[data-thumb="ready"]').waitFor({ timeout: 15_000 });
        for (const [w, h] of [
          [1440, 900],
          [800, 600],
        ] as const) {
          await page.setViewportSize({ width: w, height: h });
          await page.screenshot({ path: join(artifacts, `plan-view-${family}-${w}x${h}.png`) });
        }
        await page.setViewportSize({ width: 1440, height: 900 });
      }
      // The view follows the family: LLaVA-OV's AnyRes costs far more than either Qwen's resize (which differ in
      // their input sizes, checked above, and for a Letter page land on the same 1240 tokens).
      assert.ok((seen.get('llava-onevision') ?? 0) > (seen.get('qwen3-vl') ?? 0), [...seen].join(' '));

      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
    });
  });
});
