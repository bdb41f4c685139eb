// planPage: every plan parses as the shared Plan schema, and sizes, grids, transforms and token counts equal
// values computed by hand or with the Python references (smart_resize, select_best_resolution).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Plan } from '../shared/domain.js';
import { tileInputToPage } from './coords.js';
import { planPage } from './plan.js';

const LETTER = { page: 1, width: 612, height: 792 };
const close = (a: number, b: number, msg?: string) =>
  assert.ok(Math.abs(a - b) < 1e-9, `${msg ?? ''} ${a} ≠ ${b}`);

void test('qwen2-vl default: one smart_resized image of the 150 dpi raster', () => {
  const plan = Plan.parse(planPage(LETTER, { family: 'qwen2-vl' }));
  assert.deepEqual(plan.render, { dpi: 150, width: 1275, height: 1650 });
  assert.equal(plan.mode, 'single');
  assert.equal(plan.grid, null);
  assert.equal(plan.tiles.length, 1);
  const t = plan.tiles[0]!;
  assert.equal(t.kind, 'single');
  // Python smart_resize(1650, 1275, max_pixels=1003520) = (1120, 868) → 40·31 tokens.
  assert.deepEqual(t.input, { width: 868, height: 1120 });
  assert.equal(t.imageTokens, 1240);
  assert.equal(plan.imageTokens, 1240);
  assert.deepEqual(t.region, { x0: 0, y0: 0, x1: 612, y1: 792 });
  assert.deepEqual(t.transform, { offsetX: 0, offsetY: 0, scaleX: 612 / 868, scaleY: 792 / 1120 });
  assert.equal(plan.maxPixels, 1003520);
  assert.equal(plan.minPixels, 3136);
  // tiling 'auto' is also required before a qwen page is tiled; 'off' keeps it single even when large.
  assert.equal(planPage(LETTER, { family: 'qwen2.5-vl', dpi: 600, tiling: 'off' }).mode, 'single');
});

void test('qwen2.5-vl with tiling auto: 2×2 grid of smart_resized tiles plus a global view', () => {
  const plan = Plan.parse(planPage(LETTER, { family: 'qwen2.5-vl', tiling: 'auto' }));
  // 1275·1650 = 2.1 MP > 1,003,520 → tile. T = floor(sqrt(1003520)/28)·28 = 980; Python
  // select_best_resolution((1275, 1650), 980-grids with ≤ 4 tiles) = (1960, 1960).
  assert.equal(plan.mode, 'anyres');
  assert.deepEqual(plan.grid, { cols: 2, rows: 2 });
  assert.equal(plan.tiles.length, 5);
  assert.equal(plan.tiles[0]!.kind, 'global');
  assert.deepEqual(plan.tiles[0]!.input, { width: 868, height: 1120 });
  const tiles = plan.tiles.slice(1);
  assert.deepEqual(
    tiles.map((t) => t.region),
    [
      { x0: 0, y0: 0, x1: 306, y1: 396 },
      { x0: 306, y0: 0, x1: 612, y1: 396 },
      { x0: 0, y0: 396, x1: 306, y1: 792 },
      { x0: 306, y0: 396, x1: 612, y1: 792 },
    ],
  );
  for (const t of tiles) {
    assert.equal(t.kind, 'tile');
    // each tile is 637.5 → 638 × 825 raster px; Python smart_resize(825, 638) = (812, 644) → 29·23 tokens
    assert.deepEqual(t.input, { width: 644, height: 812 });
    assert.equal(t.imageTokens, 667);
    // the tile's input corners land on its region corners
    const a = tileInputToPage({ x: 0, y: 0 }, t.transform);
    const b = tileInputToPage({ x: t.input.width, y: t.input.height }, t.transform);
    close(a.x, t.region.x0);
    close(a.y, t.region.y0);
    close(b.x, t.region.x1);
    close(b.y, t.region.y1);
  }
  assert.equal(plan.imageTokens, 1240 + 4 * 667);
  // A page that fits stays single under auto.
  const small = planPage(
    { page: 2, width: 400, height: 300 },
    { family: 'qwen2.5-vl', tiling: 'auto', dpi: 72 },
  );
  assert.equal(small.mode, 'single');
  assert.deepEqual(small.render, { dpi: 72, width: 400, height: 300 });
});

void test('qwen tiles with overlap share the requested fraction and cover the page', () => {
  const plan = Plan.parse(planPage(LETTER, { family: 'qwen2-vl', tiling: 'on', overlap: 0.1, dpi: 200 }));
  assert.equal(plan.mode, 'anyres');
  const tiles = plan.tiles.filter((t) => t.kind === 'tile');
  assert.equal(tiles.length, plan.grid!.cols * plan.grid!.rows);
  const cols = plan.grid!.cols;
  const first = tiles[0]!.region;
  const second = tiles[1]!.region;
  const spanW = 612 / (cols - (cols - 1) * 0.1);
  close(first.x1 - first.x0, spanW);
  close(first.x1 - second.x0, 0.1 * spanW, 'overlap');
  assert.equal(tiles.at(-1)!.region.x1, 612);
  assert.equal(tiles.at(-1)!.region.y1, 792);
  for (const t of tiles) assert.ok(t.input.width * t.input.height <= plan.maxPixels);
});

void test('llava-next: LLaVA-NeXT pinpoints, resize-and-pad, 2×2 tiles + global, 576 tokens each', () => {
  const plan = Plan.parse(planPage(LETTER, { family: 'llava-next' }));
  // Python: select_best_resolution((1275, 1650), pinpoints) = (672, 672); resized 520×672, pasted at (76, 0).
  assert.equal(plan.mode, 'anyres');
  assert.deepEqual(plan.grid, { cols: 2, rows: 2 });
  assert.equal(plan.tiles.length, 5);
  assert.equal(plan.imageTokens, 5 * 576);
  const [global, t00, t10, t01, t11] = plan.tiles;
  assert.deepEqual(global!.transform, { offsetX: 0, offsetY: 0, scaleX: 612 / 336, scaleY: 792 / 336 });
  assert.deepEqual(global!.input, { width: 336, height: 336 });
  const sx = 612 / 520;
  const sy = 792 / 672;
  assert.deepEqual(t00!.transform, { offsetX: -76 * sx, offsetY: 0, scaleX: sx, scaleY: sy });
  assert.deepEqual(t10!.transform, { offsetX: (336 - 76) * sx, offsetY: 0, scaleX: sx, scaleY: sy });
  assert.deepEqual(t01!.transform, { offsetX: -76 * sx, offsetY: 336 * sy, scaleX: sx, scaleY: sy });
  // regions: the image part of each tile (x 76..336 of the canvas → 0..306 pt; 336..596 → 306..612 pt)
  close(t00!.region.x0, 0);
  close(t00!.region.x1, 306);
  close(t10!.region.x0, 306);
  close(t10!.region.x1, 612);
  close(t11!.region.y0, 396);
  close(t11!.region.y1, 792);
  // a tile pixel in the left padding maps left of the page (clamped later by the box conversion)
  assert.ok(tileInputToPage({ x: 0, y: 0 }, t00!.transform).x < 0);
  assert.equal(planPage(LETTER, { family: 'llava-next', tiling: 'off' }).tiles.length, 1);
});

void test('llava-next with maxTiles uses generated 336 grids', () => {
  const plan = Plan.parse(planPage(LETTER, { family: 'llava-next', maxTiles: 6 }));
  // Python: select_best_resolution((1275, 1650), 336-grids ≤ 6 tiles) = (672, 1008)
  assert.deepEqual(plan.grid, { cols: 2, rows: 3 });
  assert.equal(plan.tiles.length, 7);
  assert.equal(plan.imageTokens, 7 * 576);
});

void test('qwen-vl: fixed 448×448, 256 tokens', () => {
  const plan = Plan.parse(planPage({ page: 3, width: 800, height: 600 }, { family: 'qwen-vl', dpi: 72 }));
  assert.equal(plan.mode, 'single');
  assert.deepEqual(plan.tiles[0]!.input, { width: 448, height: 448 });
  assert.deepEqual(plan.tiles[0]!.transform, {
    offsetX: 0,
    offsetY: 0,
    scaleX: 800 / 448,
    scaleY: 600 / 448,
  });
  assert.equal(plan.imageTokens, 256);
  assert.equal(plan.page, 3);
});

void test('tiny and extreme pages', () => {
  // A 20×500 px image is padded to 28 px high; Python smart_resize(28, 500) = (28, 504); the input spans the pad.
  const tiny = Plan.parse(planPage({ page: 1, width: 500, height: 20 }, { family: 'qwen2-vl', dpi: 72 }));
  const t = tiny.tiles[0]!;
  assert.deepEqual(t.input, { width: 504, height: 28 });
  close(t.transform.scaleY, 28 / 28); // 28 padded raster rows (= 28 pt) over 28 input rows
  close(t.transform.scaleX, 500 / 504);
  assert.throws(() => planPage({ page: 1, width: 10, height: 3000 }, { family: 'qwen2-vl', dpi: 72 }), {
    name: 'AppError',
    code: 'invalid_input',
    message: /aspect ratio/,
  });
  assert.throws(() => planPage(LETTER, { family: 'qwen2-vl', overlap: 0.5 }), { code: 'invalid_input' });
  assert.throws(() => planPage(LETTER, { family: 'qwen2-vl', maxTiles: 0 }), { code: 'invalid_input' });
  assert.throws(() => planPage(LETTER, { family: 'qwen2-vl', dpi: 0 }), { code: 'invalid_input' });
  assert.throws(() => planPage({ page: 0, width: 1, height: 1 }, { family: 'qwen2-vl' }), {
    code: 'invalid_input',
  });
  assert.throws(() => planPage(LETTER, { family: 'qwen2-vl', minPixels: 2e6 }), { code: 'invalid_input' });
});

void test('min/max pixels reach smart_resize (grounding budget of docs §6.3)', () => {
  const plan = planPage(
    { page: 1, width: 350, height: 350 },
    { family: 'qwen2.5-vl', dpi: 72, minPixels: 1024 * 28 * 28, maxPixels: 16384 * 28 * 28 },
  );
  // Python smart_resize(350, 350, min 802816, max 12845056) = (896, 896) → 1024 tokens
  assert.deepEqual(plan.tiles[0]!.input, { width: 896, height: 896 });
  assert.equal(plan.imageTokens, 1024);
});

void test('llava-onevision: the A4-like letter raster through its AnyRes pinpoints, tokens after unpadding', () => {
  const plan = Plan.parse(planPage(LETTER, { family: 'llava-onevision' }));
  // 1275×1650 raster. select_best_resolution over the 36 pinpoints: 1920×1536 (h×w) → scale
  // min(1536/1275, 1920/1650) = 1.1636 → 1483×1920 ≥ 1275·1650, least waste among those keeping every pixel.
  assert.equal(plan.mode, 'anyres');
  assert.deepEqual(plan.grid, { cols: 4, rows: 5 });
  assert.equal(plan.tiles.length, 21);
  assert.equal(plan.tiles[0]!.kind, 'global');
  assert.deepEqual(plan.tiles[0]!.input, { width: 384, height: 384 });
  assert.equal(plan.tiles[0]!.imageTokens, 729);
  // grid 135×108; W/H 0.7727 ≤ 0.8 → new_w = int(round(1275·135/1650, 7)) = int(104.318) = 104, pad 2 → 104
  // columns; ratio √(135·104/6561) = 1.4628 → int(135 // 1.4628) = 92, int(104 // 1.4628) = 71.
  // 729 + 92·71 + 92 = 7353.
  assert.equal(plan.imageTokens, 7353);
  // resized 1484×1920 (ceil(1275·1.1636) = 1484), pasted 26 px from the left: the first tile starts left of
  // the page and its region is clipped to it.
  const first = plan.tiles[1]!;
  assert.equal(first.region.x0, 0);
  close(tileInputToPage({ x: 26, y: 0 }, first.transform).x, 0);
  close(tileInputToPage({ x: 26 + 1484 - 1152, y: 1920 - 1536 }, plan.tiles[20]!.transform).x, 612);
});
