// Grounding end to end (issue 4, Proof 2): PDF pages with filled rectangles at known places — upright, /Rotate 90,
// 180, 270 and CropBox offsets — get model output written in all three Qwen formats for single-image and tiled plans;
// the real parser and plan mapping (mapModelOutput, as ground.start calls it; toPageBoxes per tile) must land every
// box within 1 pt of its shape in page space. The expected page-space places are checked against the rendered page's
// pixels, and `doclens overlay` is run on such pages for each format.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { degrees, PDFDocument, rgb } from 'pdf-lib';
import sharp from 'sharp';
import { toPageBoxes } from '../anyres/coords.js';
import { decodeOutput } from '../inference/families/index.js';
import { planPage } from '../anyres/plan.js';
import type { ModelFamily, Plan, PlanTile } from '../shared/domain.js';
import type { LabelledBox, Rect } from '../shared/geometry.js';
import { createBackend, type Backend } from './backend.js';
import { mapModelOutput } from './grounding.js';
import { appRoot } from './paths.js';

// ---- the test document --------------------------------------------------------------------------------------

interface Shape {
  label: string;
  color: [number, number, number];
  /** PDF user space (origin bottom-left of the MediaBox, y up). */
  x: number;
  y: number;
  w: number;
  h: number;
}

const SHAPES: Shape[] = [
  { label: 'red block', color: [255, 0, 0], x: 100, y: 500, w: 120, h: 80 },
  { label: 'green block', color: [0, 160, 0], x: 330, y: 150, w: 150, h: 110 },
  { label: 'blue block', color: [0, 0, 255], x: 70, y: 300, w: 60, h: 60 },
  // Spans the middle of the page, so tiled plans cut it between tiles.
  { label: 'black bar', color: [0, 0, 0], x: 240, y: 330, w: 110, h: 140 },
];

interface PageSpec {
  rotate: 0 | 90 | 180 | 270;
  /** CropBox [x, y, w, h] in user space; default the whole 612×792 MediaBox. */
  crop?: [number, number, number, number];
}

const PAGES: PageSpec[] = [
  { rotate: 0 },
  { rotate: 90 },
  { rotate: 180 },
  { rotate: 270 },
  { rotate: 0, crop: [50, 80, 500, 600] },
  { rotate: 90, crop: [50, 80, 500, 600] },
  { rotate: 270, crop: [40, 120, 530, 640] },
];

/** Display size of a page: the CropBox, sides swapped for 90/270. */
function displaySize(p: PageSpec): { width: number; height: number } {
  const [, , w, h] = p.crop ?? [0, 0, 612, 792];
  return p.rotate % 180 === 0 ? { width: w, height: h } : { width: h, height: w };
}

/**
 * A user-space rectangle in page space (top-left origin of the page as displayed): relative to the CropBox, y flipped,
 * then turned clockwise by /Rotate. Derived by hand, and checked against the rendered pixels below.
 */
function toDisplay(s: Shape, p: PageSpec): Rect {
  const [cx, cy, cw, ch] = p.crop ?? [0, 0, 612, 792];
  const corners = [
    [s.x, s.y],
    [s.x + s.w, s.y + s.h],
  ].map(([ux, uy]) => {
    const X = ux! - cx;
    const Y = ch - (uy! - cy);
    if (p.rotate === 0) return [X, Y];
    if (p.rotate === 90) return [ch - Y, X];
    if (p.rotate === 180) return [cw - X, ch - Y];
    return [Y, cw - X];
  });
  const xs = corners.map((c) => c[0]!);
  const ys = corners.map((c) => c[1]!);
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

async function makePdf(path: string): Promise<void> {
  const pdf = await PDFDocument.create();
  for (const p of PAGES) {
    const page = pdf.addPage([612, 792]);
    for (const s of SHAPES) {
      const [r, g, b] = s.color;
      page.drawRectangle({ x: s.x, y: s.y, width: s.w, height: s.h, color: rgb(r / 255, g / 255, b / 255) });
    }
    if (p.crop) page.setCropBox(...p.crop);
    page.setRotation(degrees(p.rotate));
  }
  await writeFile(path, await pdf.save());
}

// ---- writing model output the way each format does --------------------------------------------------------

type Format = 'qwen-vl' | 'qwen2-vl' | 'qwen2.5-vl';

/** A page-space rectangle → the tile's model input pixels → the family's output units (integers, as models write). */
function toOutput(r: Rect, tile: PlanTile, family: ModelFamily): [number, number, number, number] {
  const t = tile.transform;
  const ix0 = (r.x0 - t.offsetX) / t.scaleX;
  const iy0 = (r.y0 - t.offsetY) / t.scaleY;
  const ix1 = (r.x1 - t.offsetX) / t.scaleX;
  const iy1 = (r.y1 - t.offsetY) / t.scaleY;
  if (family === 'qwen2.5-vl')
    return [ix0, iy0, ix1, iy1].map(Math.round) as [number, number, number, number];
  const nx = (v: number) => Math.round((v / tile.input.width) * 1000);
  const ny = (v: number) => Math.round((v / tile.input.height) * 1000);
  return [nx(ix0), ny(iy0), nx(ix1), ny(iy1)];
}

function writeOutput(
  format: Format,
  boxes: Array<{ label: string; b: [number, number, number, number] }>,
): string {
  if (format === 'qwen2-vl') {
    return `${boxes
      .map(
        ({ label, b }) =>
          `<|object_ref_start|>${label}<|object_ref_end|><|box_start|>(${b[0]},${b[1]}),(${b[2]},${b[3]})<|box_end|>`,
      )
      .join('')}<|im_end|>`;
  }
  if (format === 'qwen-vl') {
    return boxes
      .map(({ label, b }) => `<ref>${label}</ref><box>(${b[0]},${b[1]}),(${b[2]},${b[3]})</box>`)
      .join('');
  }
  const json = boxes.map(({ label, b }) => ({ bbox_2d: b, label }));
  return `\`\`\`json\n${JSON.stringify(json, null, 2)}\n\`\`\``;
}

/** The family whose output space a format comes with (Qwen-VL and Qwen2-VL: 0–1000; Qwen2.5-VL: input pixels). */
const FAMILY_OF: Record<Format, ModelFamily> = {
  'qwen-vl': 'qwen-vl',
  'qwen2-vl': 'qwen2-vl',
  'qwen2.5-vl': 'qwen2.5-vl',
};
const FORMATS: Format[] = ['qwen-vl', 'qwen2-vl', 'qwen2.5-vl'];

function intersect(a: Rect, b: Rect): Rect | null {
  const r = {
    x0: Math.max(a.x0, b.x0),
    y0: Math.max(a.y0, b.y0),
    x1: Math.min(a.x1, b.x1),
    y1: Math.min(a.y1, b.y1),
  };
  return r.x1 - r.x0 >= 4 && r.y1 - r.y0 >= 4 ? r : null;
}

/** Asserts every box within 1 pt of its shape; returns the largest deviation seen (pt). */
function within1pt(
  got: LabelledBox[],
  want: Array<{ label: string; r: Rect }>,
  page: number,
  what: string,
): number {
  assert.equal(got.length, want.length, `${what}: ${JSON.stringify(got)}`);
  const worst = { d: 0 };
  got.forEach((b, i) => {
    const w = want[i]!;
    assert.equal(b.page, page, what);
    assert.equal(b.label, w.label, what);
    for (const k of ['x0', 'y0', 'x1', 'y1'] as const) {
      const d = Math.abs(b[k] - w.r[k]);
      worst.d = Math.max(worst.d, d);
      assert.ok(
        d <= 1,
        `${what}, ${w.label} ${k}: got ${b[k].toFixed(3)}, shape at ${w.r[k].toFixed(3)} (${d.toFixed(3)} pt off)`,
      );
    }
  });
  return worst.d;
}

// ---- setup ----------------------------------------------------------------------------------------------------

let dir: string;
let pdfPath: string;
let backend: Backend;
let docId: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doclens-grounding-proof-'));
  pdfPath = join(dir, 'shapes.pdf');
  await makePdf(pdfPath);
  backend = await createBackend({ dataDir: join(dir, 'data') });
  const r = await backend.call('documents.open', { path: pdfPath });
  assert.ok(r.ok, JSON.stringify(r));
  const info = r.value as { id: string; pages: Array<{ width: number; height: number; rotation: number }> };
  docId = info.id;
  // The document engine agrees on every page's displayed size.
  PAGES.forEach((p, i) => {
    const want = displaySize(p);
    assert.ok(
      Math.abs(info.pages[i]!.width - want.width) < 1e-6,
      `page ${i + 1} width ${info.pages[i]!.width}`,
    );
    assert.ok(
      Math.abs(info.pages[i]!.height - want.height) < 1e-6,
      `page ${i + 1} height ${info.pages[i]!.height}`,
    );
  });
});
after(async () => {
  await backend?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const pageSpecs = PAGES.map((p, i) => ({ ...p, page: i + 1, size: displaySize(p) }));
const expected = (p: PageSpec) => SHAPES.map((s) => ({ label: s.label, r: toDisplay(s, p), color: s.color }));

// ---- the shapes really are where the expectation says: the rendered pixels --------------------------------

test('the rendered pages have each shape where toDisplay puts it (colour inside, white just outside)', async () => {
  for (const p of pageSpecs) {
    const r = await backend.call('documents.pageImage', { docId, page: p.page, dpi: 144 });
    assert.ok(r.ok, JSON.stringify(r));
    const img = r.value as { png: Uint8Array; scale: number; width: number; height: number };
    const { data, info } = await sharp(img.png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => {
      const i = (Math.floor(y * img.scale) * info.width + Math.floor(x * img.scale)) * info.channels;
      return [data[i]!, data[i + 1]!, data[i + 2]!];
    };
    const near = (a: number[], b: number[], tol = 24) => a.every((v, k) => Math.abs(v - b[k]!) <= tol);
    for (const s of expected(p)) {
      const { x0, y0, x1, y1 } = s.r;
      const inside = [
        [(x0 + x1) / 2, (y0 + y1) / 2],
        [x0 + 1.5, y0 + 1.5],
        [x1 - 1.5, y0 + 1.5],
        [x0 + 1.5, y1 - 1.5],
        [x1 - 1.5, y1 - 1.5],
      ];
      for (const [x, y] of inside)
        assert.ok(
          near(px(x!, y!), s.color),
          `page ${p.page} ${s.label} at (${x}, ${y}): ${px(x!, y!).join(',')}`,
        );
      const outside = [
        [x0 - 2, (y0 + y1) / 2],
        [x1 + 2, (y0 + y1) / 2],
        [(x0 + x1) / 2, y0 - 2],
        [(x0 + x1) / 2, y1 + 2],
      ];
      for (const [x, y] of outside)
        assert.ok(
          near(px(x!, y!), [255, 255, 255]),
          `page ${p.page} outside ${s.label} at (${x}, ${y}): ${px(x!, y!).join(',')}`,
        );
    }
  }
});

// ---- single image: what ground.start does -------------------------------------------------------------------

test('single-image plans: all three formats on upright, rotated and cropped pages land within 1 pt', async (t) => {
  let checked = 0;
  let worst = 0;
  for (const p of pageSpecs) {
    for (const format of FORMATS) {
      const family = FAMILY_OF[format];
      // As the VLM room plans a PDF page: the settings' DPI and the image-token budget.
      const r = await backend.call('plan.get', { docId, page: p.page, family });
      assert.ok(r.ok, JSON.stringify(r));
      const plan = r.value as Plan;
      assert.equal(plan.mode, 'single');
      const view = plan.tiles[0]!;
      const want = expected(p);
      const raw = writeOutput(
        format,
        want.map((w) => ({ label: w.label, b: toOutput(w.r, view, family) })),
      );
      // ground.start passes the size the engine really resized to; the plan's own input is the same here.
      const mapped = mapModelOutput(raw, plan, view.input);
      assert.equal(mapped.format, format);
      worst = Math.max(
        worst,
        within1pt(
          mapped.boxes,
          want,
          p.page,
          `page ${p.page} (rotate ${p.rotate}${p.crop ? ', cropped' : ''}) ${format}`,
        ),
      );
      worst = Math.max(
        worst,
        within1pt(mapModelOutput(raw, plan).boxes, want, p.page, `page ${p.page} ${format} (plan input)`),
      );
      checked++;
    }
  }
  assert.equal(checked, PAGES.length * FORMATS.length);
  t.diagnostic(`largest deviation ${worst.toFixed(3)} pt`);
});

// ---- tiled plans -----------------------------------------------------------------------------------------------

const TILED: Array<{ format: Format; family: ModelFamily; opts: Parameters<typeof planPage>[1] }> = [
  // LLaVA-NeXT's own tiles (pinpoint grid, 336-px crops with padding) read 0–1000 per tile.
  { format: 'qwen-vl', family: 'llava-next', opts: { family: 'llava-next', dpi: 150 } },
  { format: 'qwen2-vl', family: 'llava-next', opts: { family: 'llava-next', dpi: 150 } },
  // Qwen-VL with its AnyRes grid of 448 squares.
  { format: 'qwen-vl', family: 'qwen-vl', opts: { family: 'qwen-vl', dpi: 150, tiling: 'on' } },
  // Qwen2 families: equal tiles of the raster, each smart_resized; Qwen2.5-VL reads pixels of each tile's input.
  {
    format: 'qwen2-vl',
    family: 'qwen2-vl',
    opts: { family: 'qwen2-vl', dpi: 150, tiling: 'on', maxPixels: 448 * 448 },
  },
  {
    format: 'qwen2.5-vl',
    family: 'qwen2.5-vl',
    opts: { family: 'qwen2.5-vl', dpi: 150, tiling: 'on', maxPixels: 448 * 448, overlap: 0.1 },
  },
];

test('tiled plans (llava-next, qwen-vl, qwen2-vl, qwen2.5-vl grids): every tile’s boxes land within 1 pt', (t) => {
  let tileBoxes = 0;
  let worst = 0;
  for (const p of pageSpecs) {
    for (const t of TILED) {
      const plan = planPage({ page: p.page, ...p.size }, t.opts);
      assert.equal(plan.mode, 'anyres', `${t.family} page ${p.page} should tile`);
      const tiles = plan.tiles.filter((x) => x.kind === 'tile');
      assert.ok(tiles.length >= 2);
      for (const tile of tiles) {
        // Each shape's part inside the tile's image region is what the model sees of it there.
        const want = expected(p)
          .map((w) => ({ label: w.label, r: intersect(w.r, tile.region) }))
          .filter((w): w is { label: string; r: Rect } => w.r !== null);
        if (want.length === 0) continue;
        const raw = writeOutput(
          t.format,
          want.map((w) => ({ label: w.label, b: toOutput(w.r, tile, t.family) })),
        );
        const parsed = decodeOutput(plan.family, raw);
        assert.equal(parsed.format, t.format);
        const boxes = toPageBoxes(parsed.boxes, tile, p.page, plan.pageSize, plan.family);
        worst = Math.max(
          worst,
          within1pt(
            boxes,
            want,
            p.page,
            `page ${p.page} ${t.family} tile ${JSON.stringify(tile.region)} ${t.format}`,
          ),
        );
        tileBoxes += boxes.length;
      }
      // The global view of the same plan maps whole shapes (the path ground.start takes for a tiled plan).
      const global = plan.tiles.find((x) => x.kind === 'global')!;
      const want = expected(p);
      const raw = writeOutput(
        t.format,
        want.map((w) => ({ label: w.label, b: toOutput(w.r, global, t.family) })),
      );
      worst = Math.max(
        worst,
        within1pt(
          mapModelOutput(raw, plan).boxes,
          want,
          p.page,
          `page ${p.page} ${t.family} global ${t.format}`,
        ),
      );
    }
  }
  // Every shape is seen in at least one tile on every page and plan; the bar is cut between tiles.
  assert.ok(tileBoxes >= PAGES.length * TILED.length * SHAPES.length, `only ${tileBoxes} tile boxes`);
  t.diagnostic(`${tileBoxes} tile boxes, largest deviation ${worst.toFixed(3)} pt`);
});

// ---- doclens overlay ---------------------------------------------------------------------------------------------

const run = promisify(execFile);

test('doclens overlay on rotated and cropped pages puts each format’s boxes within 1 pt', async (t) => {
  const root = appRoot();
  let worst = 0;
  for (const p of [pageSpecs[1]!, pageSpecs[6]!]) {
    for (const format of FORMATS) {
      const family = FAMILY_OF[format];
      // The plan overlay uses: the page at the default settings' DPI (150) and the family's default budget.
      const plan = planPage({ page: p.page, ...p.size }, { family, dpi: 150 });
      const view = plan.tiles[0]!;
      const want = expected(p);
      const raw = writeOutput(
        format,
        want.map((w) => ({ label: w.label, b: toOutput(w.r, view, family) })),
      );
      const out = join(dir, `overlay-${p.page}-${format}.png`);
      const r = await run(
        process.execPath,
        [
          '--import',
          'tsx',
          join(root, 'src/cli/run-from-source.ts'),
          'overlay',
          pdfPath,
          '--page',
          String(p.page),
          '--family',
          family,
          '--output-text',
          raw,
          '--out',
          out,
          '--json',
        ],
        { cwd: root, env: { ...process.env, DOCLENS_DATA_DIR: join(dir, 'cli-data') }, maxBuffer: 16 << 20 },
      );
      const o = JSON.parse(r.stdout) as {
        format: string;
        boxes: LabelledBox[];
        input: { width: number; height: number };
      };
      assert.equal(o.format, format);
      assert.deepEqual(o.input, view.input);
      worst = Math.max(worst, within1pt(o.boxes, want, p.page, `overlay page ${p.page} ${format}`));
      assert.ok((await stat(out)).size > 1000);
    }
  }
  t.diagnostic(`largest deviation ${worst.toFixed(3)} pt`);
});
