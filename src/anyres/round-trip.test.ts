// Seeded property tests of the whole coordinate chain: PDF user space → page → tile → model input → model
// output text (integers, as a model writes them) → parser → page → user space, for random pages, rotations,
// CropBoxes, UserUnits, DPIs, families, tilings and tiles.
//
// The bound proved and checked: the only lossy step is the model's integer output, off by ≤ 0.5 unit. Every
// other step is affine per axis, and clamping (to the output range, then to the page) never moves a coordinate
// that was inside further from its true value. So per axis |error| ≤ 0.5 · f, where f is page units per output
// unit: f = scale (Qwen2.5-VL pixels) or scale · input / 1000 (0–1000 formats) = tile page extent / 1000.
// For a single image of a letter page that is ≤ 792/2000 = 0.40 pt (0–1000) and 0.5 · 792/1120 = 0.35 pt
// (Qwen2.5-VL at 1280 tokens); it exceeds 1 pt only for Qwen2.5-VL inputs under ~0.5 px per pt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Plan, type ModelFamily, type PlanTile } from '../shared/domain.js';
import {
  outputSpaceFor,
  pageRectToModelOutput,
  pageRectToPdf,
  pageToRaster,
  pageToTileInput,
  pdfPageSize,
  pdfRectToPage,
  rasterSizeAt,
  rasterToPage,
  tileInputToPage,
  toPageBoxes,
  type PdfPageGeometry,
} from './coords.js';
import { decodeOutput } from '../inference/families/index.js';
import { planPage, type Tiling } from './plan.js';
import { mulberry32 } from '../shared/prng.js';

const FAMILIES: ModelFamily[] = ['qwen2-vl', 'qwen2.5-vl', 'qwen3-vl', 'qwen-vl', 'llava-next'];
const TILINGS: Tiling[] = ['off', 'on', 'auto'];
const DPIS = [72, 96, 144, 150, 200, 300];
const ROTATIONS = [0, 90, 180, 270];

/** What a model of this family would write for a box (integers already). */
function render(
  family: ModelFamily,
  r: { x0: number; y0: number; x1: number; y1: number },
  variant: number,
): string {
  const corners = `(${r.x0},${r.y0}),(${r.x1},${r.y1})`;
  switch (family) {
    case 'qwen-vl':
      return `<ref>thing</ref><box>${corners}</box>`;
    case 'qwen2.5-vl':
    case 'qwen3-vl':
      return `\`\`\`json\n[\n  {"bbox_2d": [${r.x0}, ${r.y0}, ${r.x1}, ${r.y1}], "label": "thing"}\n]\n\`\`\``;
    default:
      return variant % 2 === 0
        ? `<|object_ref_start|>thing<|object_ref_end|><|box_start|>${corners}<|box_end|><|im_end|>`
        : `Found: thing${corners}.`; // decoded with special tokens skipped
  }
}

function boundFor(tile: PlanTile, family: ModelFamily): { x: number; y: number } {
  const f =
    outputSpaceFor(family) === 'input-pixels'
      ? { x: tile.transform.scaleX, y: tile.transform.scaleY }
      : {
          x: (tile.transform.scaleX * tile.input.width) / 1000,
          y: (tile.transform.scaleY * tile.input.height) / 1000,
        };
  return { x: 0.5 * f.x + 1e-9, y: 0.5 * f.y + 1e-9 };
}

void test('PDF user box → page → model output text → parser → page → user box, within the proved bound', () => {
  const rand = mulberry32(20261125);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  let cases = 0;
  const seen = new Set<string>();
  let worstRatio = 0; // error / bound, must stay ≤ 1
  let worstLetterPt = 0; // worst error in pt on letter/A4-sized pages with the default budgets
  for (let i = 0; i < 600; i++) {
    const userUnit = rand() < 0.8 ? 1 : pick([0.5, 2, 2.5]);
    const vx0 = Math.round((rand() - 0.3) * 400);
    const vy0 = Math.round((rand() - 0.3) * 400);
    const w = 100 + rand() * 1500;
    const h = Math.min(Math.max(w * (0.25 + rand() * 4), 50), 2400);
    const g: PdfPageGeometry = { view: [vx0, vy0, vx0 + w, vy0 + h], rotate: pick(ROTATIONS), userUnit };
    const pageSize = pdfPageSize(g);
    const family = pick(FAMILIES);
    const tiling = pick(TILINGS);
    const typical = Math.max(pageSize.width, pageSize.height) <= 842;
    const opts = {
      family,
      tiling,
      dpi: pick(DPIS),
      overlap: rand() < 0.5 ? 0 : Math.round(rand() * 40) / 100,
      ...(rand() < 0.3 ? { maxTiles: 1 + Math.floor(rand() * 6) } : {}),
      ...(rand() < 0.3 && !typical ? { maxPixels: pick([401408, 1003520, 2007040]) } : {}),
    };
    const plan = Plan.parse(
      planPage({ page: 1 + (i % 9), width: pageSize.width, height: pageSize.height }, opts),
    );
    const tile = pick(plan.tiles);
    const reg = tile.region;
    if (reg.x1 - reg.x0 < 2 || reg.y1 - reg.y0 < 2) continue;
    // A box inside the tile's region (what the model saw), at least 1 pt wide.
    const ax = reg.x0 + rand() * (reg.x1 - reg.x0 - 1);
    const ay = reg.y0 + rand() * (reg.y1 - reg.y0 - 1);
    const truePage = {
      x0: ax,
      y0: ay,
      x1: ax + 1 + rand() * (reg.x1 - ax - 1),
      y1: ay + 1 + rand() * (reg.y1 - ay - 1),
    };
    const user = pageRectToPdf(truePage, g);
    const page = pdfRectToPage(user, g);
    for (const k of ['x0', 'y0', 'x1', 'y1'] as const) assert.ok(Math.abs(page[k] - truePage[k]) < 1e-9);

    const frame = { space: outputSpaceFor(family), input: tile.input, transform: tile.transform };
    const out = pageRectToModelOutput(page, frame);
    for (const v of Object.values(out)) assert.ok(Number.isInteger(v), 'model output is integers');
    const parsed = decodeOutput(family, render(family, out, i));
    assert.equal(parsed.boxes.length, 1, render(family, out, i));
    const [back] = toPageBoxes(parsed.boxes, tile, plan.page, pageSize, family);
    assert.ok(back, `box lost: case ${i}`);
    assert.equal(back.label, 'thing');
    assert.equal(back.page, plan.page);
    assert.ok(back.x0 <= back.x1 && back.y0 <= back.y1);
    assert.ok(
      back.x0 >= 0 && back.y0 >= 0 && back.x1 <= pageSize.width && back.y1 <= pageSize.height,
      'clamped',
    );

    const bound = boundFor(tile, family);
    for (const [k, b] of [
      ['x0', bound.x],
      ['x1', bound.x],
      ['y0', bound.y],
      ['y1', bound.y],
    ] as const) {
      const err = Math.abs(back[k] - page[k]);
      assert.ok(err <= b, `case ${i} ${family} ${tiling} ${tile.kind} ${k}: error ${err} > bound ${b}`);
      worstRatio = Math.max(worstRatio, err / b);
      if (typical && opts.maxPixels === undefined && userUnit === 1)
        worstLetterPt = Math.max(worstLetterPt, err);
    }
    // …and back in user space the error is the page error / userUnit, per (possibly swapped) axis.
    const userBack = pageRectToPdf(back, g);
    const maxBound = Math.max(bound.x, bound.y) / userUnit;
    for (const k of ['x0', 'y0', 'x1', 'y1'] as const)
      assert.ok(Math.abs(userBack[k] - user[k]) <= maxBound + 1e-9);
    seen.add(`${family}/${tile.kind}/${g.rotate}`);
    cases++;
  }
  assert.ok(cases > 500, `only ${cases} cases ran`);
  // every family × rotation with an AnyRes tile and a global view was exercised
  for (const f of FAMILIES) {
    for (const r of ROTATIONS)
      for (const k of ['tile', 'global']) assert.ok(seen.has(`${f}/${k}/${r}`), `${f}/${k}/${r}`);
  }
  assert.ok(worstRatio > 0.5, 'the bound is tight enough to matter');
  assert.ok(worstLetterPt <= 1, `≤ 1 pt on typical pages, got ${worstLetterPt}`);
});

void test('page ⇄ raster and page ⇄ tile input are inverse', () => {
  const rand = mulberry32(7);
  for (let i = 0; i < 200; i++) {
    const pageSize = { width: 50 + rand() * 1500, height: 50 + rand() * 1500 };
    const raster = rasterSizeAt(pageSize, 36 + rand() * 560);
    const p = { x: rand() * pageSize.width, y: rand() * pageSize.height };
    const q = rasterToPage(pageToRaster(p, pageSize, raster), pageSize, raster);
    assert.ok(Math.abs(q.x - p.x) < 1e-9 && Math.abs(q.y - p.y) < 1e-9);
    const t = {
      offsetX: rand() * 100 - 50,
      offsetY: rand() * 100 - 50,
      scaleX: 0.1 + rand() * 3,
      scaleY: 0.1 + rand() * 3,
    };
    const r = tileInputToPage(pageToTileInput(p, t), t);
    assert.ok(Math.abs(r.x - p.x) < 1e-9 && Math.abs(r.y - p.y) < 1e-9);
  }
  // 150 dpi on letter: 612·150/72 = 1275, 792·150/72 = 1650
  assert.deepEqual(rasterSizeAt({ width: 612, height: 792 }, 150), { width: 1275, height: 1650 });
  assert.deepEqual(
    pageToRaster({ x: 612, y: 396 }, { width: 612, height: 792 }, { width: 1275, height: 1650 }),
    {
      x: 1275,
      y: 825,
    },
  );
});
