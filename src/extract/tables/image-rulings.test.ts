// Ruling lines found in page rasters: synthetic pages with known rules (turned, noisy, a broken rule, a dark
// header fill with light rules on it, text strokes that must not count), and the real scanned sample invoice
// (rendered through the documents engine at the OCR's resolution and read by the real OCR), whose line-item
// table must come out as the same ruled table as the digital invoice's.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PageLoader } from '../../../scripts/bench-tables.js';
import { createDocumentEngine } from '../../documents/index.js';
import { createOcrEngine, OCR_DPI } from '../../inference/ocr/index.js';
import { appRoot } from '../../services/paths.js';
import type { TextPage } from '../../shared/domain.js';
import { iou, type Rect } from '../../shared/geometry.js';
import { mulberry32 } from '../../shared/prng.js';
import { imageRulings, type Raster } from './image-rulings.js';
import { detectTables, tableToGrid } from './index.js';
import type { Segment } from './types.js';

const PAGE_W = 612;
const PAGE_H = 792;
const SCALE = 200 / 72;

interface Shape {
  rect: Rect;
  level: number;
}

/**
 * A Letter page at 200 DPI: paper, then each shape (an upright rectangle in points, drawn with 2×2
 * supersampling) turned `skewDeg` clockwise about the page centre, then Gaussian noise and dark specks.
 */
function drawPage(shapes: readonly Shape[], skewDeg: number, seed: number, channels = 1): Raster {
  const w = Math.round(PAGE_W * SCALE);
  const h = Math.round(PAGE_H * SCALE);
  const grey = new Float32Array(w * h).fill(232);
  const a = (skewDeg * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const cx = w / 2;
  const cy = h / 2;
  for (const { rect, level } of shapes) {
    const corners = [
      [rect.x0, rect.y0],
      [rect.x1, rect.y0],
      [rect.x0, rect.y1],
      [rect.x1, rect.y1],
    ].map(([x, y]) => {
      const dx = (x ?? 0) * SCALE - cx;
      const dy = (y ?? 0) * SCALE - cy;
      return [cx + dx * cos - dy * sin, cy + dx * sin + dy * cos] as const;
    });
    const px0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[0]))) - 1);
    const px1 = Math.min(w - 1, Math.ceil(Math.max(...corners.map((c) => c[0]))) + 1);
    const py0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[1]))) - 1);
    const py1 = Math.min(h - 1, Math.ceil(Math.max(...corners.map((c) => c[1]))) + 1);
    for (let y = py0; y <= py1; y++) {
      for (let x = px0; x <= px1; x++) {
        let hits = 0;
        for (const [ox, oy] of [
          [0.25, 0.25],
          [0.75, 0.25],
          [0.25, 0.75],
          [0.75, 0.75],
        ] as const) {
          // Back to the upright page.
          const dx = x + ox - cx;
          const dy = y + oy - cy;
          const u = (cx + dx * cos + dy * sin) / SCALE;
          const v = (cy - dx * sin + dy * cos) / SCALE;
          if (u >= rect.x0 && u < rect.x1 && v >= rect.y0 && v < rect.y1) hits++;
        }
        const i = y * w + x;
        grey[i] = (grey[i] ?? 0) + ((level - (grey[i] ?? 0)) * hits) / 4;
      }
    }
  }
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() || 1e-9)) * Math.cos(2 * Math.PI * rand());
  for (let i = 0; i < grey.length; i++) grey[i] = (grey[i] ?? 0) + 5 * gauss();
  for (let s = 0; s < 300; s++) {
    const x = Math.floor(rand() * (w - 2));
    const y = Math.floor(rand() * (h - 2));
    for (const [dx, dy] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ] as const)
      grey[(y + dy) * w + x + dx] = 60;
  }
  const data = new Uint8Array(w * h * channels);
  for (let i = 0; i < grey.length; i++) {
    const v = Math.max(0, Math.min(255, Math.round(grey[i] ?? 0)));
    for (let c = 0; c < channels; c++) data[i * channels + c] = channels === 4 && c === 3 ? 255 : v;
  }
  return { data, width: w, height: h, channels };
}

interface Rule {
  orientation: 'h' | 'v';
  pos: number;
  from: number;
  to: number;
}

/**
 * A ruled 4-column table with a dark header row crossed by light rules, one body rule broken by a 4 pt gap,
 * text-like strokes in every cell (stems, bars, a row of digit tops), a bold title and a paragraph whose lines
 * start with the same letter stem (stacked stems 5 pt apart): the rules are the truth.
 */
function gridPage(): { shapes: Shape[]; rules: Rule[] } {
  const xs = [60, 250, 330, 430, 550];
  const ys = [300, 326, 350, 374, 398, 422, 446];
  const shapes: Shape[] = [];
  const rules: Rule[] = [];
  const rule = 0.7;
  const RULE_LEVEL = 180;
  const INK = 40;
  // Header fill first, rules over it (light on the fill, as on the sample invoice), then text.
  shapes.push({ rect: { x0: xs[0] ?? 0, y0: ys[0] ?? 0, x1: xs[4] ?? 0, y1: ys[1] ?? 0 }, level: 60 });
  const left = xs[0] ?? 0;
  const right = xs[4] ?? 0;
  const top = ys[0] ?? 0;
  const bottom = ys[ys.length - 1] ?? 0;
  ys.forEach((y, r) => {
    const h = (x0: number, x1: number) =>
      shapes.push({ rect: { x0, y0: y - rule / 2, x1, y1: y + rule / 2 }, level: RULE_LEVEL });
    if (r === 3) {
      // Broken: a 4 pt gap in the middle of the second column.
      h(left - rule / 2, 286);
      h(290, right + rule / 2);
    } else h(left - rule / 2, right + rule / 2);
    rules.push({ orientation: 'h', pos: y, from: left, to: right });
  });
  for (const x of xs) {
    shapes.push({
      rect: { x0: x - rule / 2, y0: top - rule / 2, x1: x + rule / 2, y1: bottom + rule / 2 },
      level: 200,
    });
    rules.push({ orientation: 'v', pos: x, from: top, to: bottom });
  }
  // Body rules are darker than the light ones on the header: redraw the vertical rules' body parts.
  for (const x of xs)
    shapes.push({
      rect: { x0: x - rule / 2, y0: (ys[1] ?? 0) + rule / 2, x1: x + rule / 2, y1: bottom + rule / 2 },
      level: RULE_LEVEL,
    });
  // A word: stems 7 pt tall, 0.9 pt wide, 2.6 pt apart, a crossbar on every other letter; digits add a top bar.
  const word = (x: number, baseline: number, letters: number, level = INK, digits = false) => {
    for (let i = 0; i < letters; i++) {
      const sx = x + i * 2.6;
      shapes.push({ rect: { x0: sx, y0: baseline - 7, x1: sx + 0.9, y1: baseline }, level });
      if (i % 2) shapes.push({ rect: { x0: sx - 1.7, y0: baseline - 3.8, x1: sx, y1: baseline - 3 }, level });
      if (digits)
        shapes.push({ rect: { x0: sx - 1.5, y0: baseline - 7, x1: sx + 0.9, y1: baseline - 6.2 }, level });
    }
  };
  for (let r = 0; r + 1 < ys.length; r++) {
    const baseline = ((ys[r] ?? 0) + (ys[r + 1] ?? 0)) / 2 + 3.5;
    for (let c = 0; c + 1 < xs.length; c++) {
      const x0 = (xs[c] ?? 0) + 6;
      // White text on the header, dark elsewhere; numbers (with digit tops) in the last columns.
      word(x0, baseline, c === 0 ? 24 : 8, r === 0 ? 230 : INK, r > 0 && c >= 2);
    }
  }
  // A bold title: stems 20 pt tall and 3.5 pt thick.
  for (let i = 0; i < 7; i++)
    shapes.push({ rect: { x0: 60 + i * 14, y0: 80, x1: 63.5 + i * 14, y1: 100 }, level: INK });
  // A paragraph below the table: six lines 12 pt apart, each starting with a stem at x = 60 (7 pt of stem,
  // 5 pt of leading), then words.
  for (let l = 0; l < 6; l++) {
    const baseline = 500 + l * 12;
    word(60, baseline, 9);
    word(88, baseline, 12);
    word(125, baseline, 7);
  }
  return { shapes, rules };
}

/** The segment matching a rule: same orientation, position and both ends within `tol` points. */
function matchRule(segs: readonly Segment[], r: Rule, tol: number): Segment | undefined {
  return segs.find((s) => {
    if (s.orientation !== r.orientation) return false;
    const [pos, from, to] = s.orientation === 'h' ? [s.y0, s.x0, s.x1] : [s.x0, s.y0, s.y1];
    return Math.abs(pos - r.pos) <= tol && Math.abs(from - r.from) <= tol && Math.abs(to - r.to) <= tol;
  });
}

function describe(s: Segment): string {
  return `${s.orientation} (${s.x0.toFixed(1)}, ${s.y0.toFixed(1)})–(${s.x1.toFixed(1)}, ${s.y1.toFixed(1)})`;
}

for (const [skewDeg, channels] of [
  [1, 1],
  [-0.6, 3],
  [0, 4],
] as const) {
  test(`synthetic ruled page turned ${skewDeg}° (${channels} channel${channels > 1 ? 's' : ''}): every rule within 1.5 pt, no text strokes`, () => {
    const { shapes, rules } = gridPage();
    const raster = drawPage(shapes, skewDeg, 7 + channels, channels);
    const t0 = performance.now();
    const found = imageRulings(raster, { scale: SCALE });
    const ms = performance.now() - t0;
    assert.ok(Math.abs(found.skewDeg - skewDeg) <= 0.05, `skew ${found.skewDeg}`);
    assert.deepEqual(found.centre, { x: PAGE_W / 2, y: PAGE_H / 2 });
    for (const r of rules) {
      assert.ok(
        matchRule(found.segments, r, 1.5),
        `rule ${JSON.stringify(r)} not found; got ${found.segments.map(describe).join(', ')}`,
      );
    }
    // Nothing else: the title's stems, the stacked stems of the paragraph, digit tops and the white header
    // text are not rules (one segment per rule: the broken rule comes back whole).
    assert.equal(
      found.segments.length,
      rules.length,
      `extra segments: ${found.segments
        .filter((s) => !rules.some((r) => matchRule([s], r, 1.5)))
        .map(describe)
        .join(', ')}`,
    );
    console.log(
      `# skew ${skewDeg}°: found ${found.skewDeg.toFixed(2)}°, ${found.segments.length} segments, ${ms.toFixed(0)} ms`,
    );
  });
}

test('synthetic: the rulings make a 6 × 4 lattice table in the upright frame, boxes back on the turned page', () => {
  const { shapes } = gridPage();
  const skewDeg = 1;
  const found = imageRulings(drawPage(shapes, skewDeg, 3), { scale: SCALE });
  // One word in the middle of every cell, placed where it is on the turned page (OCR boxes are page space).
  const xs = [60, 250, 330, 430, 550];
  const ys = [300, 326, 350, 374, 398, 422, 446];
  const a = (skewDeg * Math.PI) / 180;
  const turn = (x: number, y: number) => {
    const dx = x - PAGE_W / 2;
    const dy = y - PAGE_H / 2;
    return {
      x: PAGE_W / 2 + dx * Math.cos(a) - dy * Math.sin(a),
      y: PAGE_H / 2 + dx * Math.sin(a) + dy * Math.cos(a),
    };
  };
  const words: TextPage['words'] = [];
  for (let r = 0; r + 1 < ys.length; r++)
    for (let c = 0; c + 1 < xs.length; c++) {
      const m = turn(((xs[c] ?? 0) + (xs[c + 1] ?? 0)) / 2, ((ys[r] ?? 0) + (ys[r + 1] ?? 0)) / 2);
      words.push({
        text: `r${r}c${c}`,
        box: { x0: m.x - 10, y0: m.y - 4, x1: m.x + 10, y1: m.y + 4 },
        line: r * 4 + c,
        confidence: 1,
      });
    }
  const page: TextPage = { page: 1, width: PAGE_W, height: PAGE_H, source: 'ocr', words, lines: [] };
  const tables = detectTables(page, found.segments, { skew: { deg: found.skewDeg, centre: found.centre } });
  assert.equal(tables.length, 1);
  const t = tables[0];
  assert.ok(t);
  assert.equal(t.method, 'lattice');
  assert.equal(t.rows, 6);
  assert.equal(t.cols, 4);
  assert.deepEqual(
    tableToGrid(t),
    Array.from({ length: 6 }, (_, r) => Array.from({ length: 4 }, (_, c) => `r${r}c${c}`)),
  );
  // The table box is the turned table's bounds on the page.
  const corners = [turn(60, 300), turn(550, 300), turn(60, 446), turn(550, 446)];
  const truth = {
    x0: Math.min(...corners.map((p) => p.x)),
    y0: Math.min(...corners.map((p) => p.y)),
    x1: Math.max(...corners.map((p) => p.x)),
    y1: Math.max(...corners.map((p) => p.y)),
  };
  assert.ok(iou(t.box, truth) > 0.97, `box ${JSON.stringify(t.box)} vs ${JSON.stringify(truth)}`);
});

test('a blank or noise-only page has no rulings and no skew', () => {
  const found = imageRulings(drawPage([], 0, 11), { scale: SCALE });
  assert.deepEqual(found.segments, []);
  assert.equal(found.skewDeg, 0);
  assert.deepEqual(
    imageRulings({ data: new Uint8Array(0), width: 0, height: 0, channels: 3 }, { scale: 1 }).segments,
    [],
  );
});

// ---- the scanned sample invoice ---------------------------------------------------------------------------

const SAMPLES = join(appRoot(), 'assets/samples');
const loader = new PageLoader();
after(() => loader.destroy());

interface TruthTable {
  box: Rect;
  rows: number;
  cols: number;
  headerRows: number;
  cells: { row: number; col: number; text: string; box: Rect }[];
}

async function truthTable(file: string): Promise<TruthTable> {
  const manifest = JSON.parse(await readFile(join(SAMPLES, 'samples.json'), 'utf8')) as {
    documents: { file: string; tables: TruthTable[]; transform?: { rotationDeg: number } }[];
  };
  const t = manifest.documents.find((d) => d.file === file)?.tables[0];
  assert.ok(t, `${file} has a table in samples.json`);
  return t;
}

/** Levenshtein distance over the longer length: 0 same, 1 nothing in common. */
function textDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0] ?? 0;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j] ?? 0;
      d[j] = Math.min((d[j] ?? 0) + 1, (d[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return (d[b.length] ?? 0) / Math.max(a.length, b.length, 1);
}

test("invoice-scanned.pdf: the OCR raster gives the digital invoice's table rules (upright, within 1.5 pt) and a ruled 7 × 4 table", async () => {
  const docs = createDocumentEngine({ poolSize: 0 });
  const ocr = await createOcrEngine({ threads: 2 });
  try {
    const h = await docs.open(join(SAMPLES, 'invoice-scanned.pdf'));
    const raw = await h.renderRaw(1, { dpi: OCR_DPI });
    await h.close();
    const t0 = performance.now();
    const found = imageRulings(raw, { scale: raw.scale });
    const ms = performance.now() - t0;
    // samples.json: the scan is invoice.pdf turned 1.5° clockwise about the page centre.
    assert.ok(Math.abs(found.skewDeg - 1.5) <= 0.05, `skew ${found.skewDeg}`);

    // The digital invoice's rules around its line-item table (pdf.js operator list), each found upright.
    const digitalTable = await truthTable('invoice.pdf');
    const digital = await loader.load(join(SAMPLES, 'invoice.pdf'), 1);
    const inTable = digital.rulings.filter(
      (s) =>
        s.x0 >= digitalTable.box.x0 - 1 &&
        s.x1 <= digitalTable.box.x1 + 1 &&
        s.y0 >= digitalTable.box.y0 - 1 &&
        s.y1 <= digitalTable.box.y1 + 1,
    );
    assert.ok(inTable.length >= 10);
    for (const s of inTable) {
      const r: Rule =
        s.orientation === 'h'
          ? { orientation: 'h', pos: s.y0, from: s.x0, to: s.x1 }
          : { orientation: 'v', pos: s.x0, from: s.y0, to: s.y1 };
      // A digital rule may be one cell's edge; the scan's rule runs on, so only its position and coverage count.
      const hit = found.segments.find((f) => {
        if (f.orientation !== r.orientation) return false;
        const [pos, from, to] = f.orientation === 'h' ? [f.y0, f.x0, f.x1] : [f.x0, f.y0, f.y1];
        return Math.abs(pos - r.pos) <= 1.5 && from <= r.from + 1.5 && to >= r.to - 1.5;
      });
      assert.ok(
        hit,
        `digital rule ${describe(s)} not in the scan's ${found.segments.map(describe).join(', ')}`,
      );
    }

    // The OCR words of the same raster, and the table from both.
    const res = await ocr.recognize(raw, { scale: raw.scale });
    const page: TextPage = {
      page: 1,
      width: 612,
      height: 792,
      source: 'ocr',
      words: res.words,
      lines: res.lines,
    };
    const tables = detectTables(page, found.segments, { skew: { deg: found.skewDeg, centre: found.centre } });
    const scanTruth = await truthTable('invoice-scanned.pdf');
    const t = tables.find((x) => iou(x.box, scanTruth.box) > 0.5);
    assert.ok(
      t,
      `no table over ${JSON.stringify(scanTruth.box)}; got ${JSON.stringify(tables.map((x) => x.box))}`,
    );
    assert.equal(t.method, 'lattice');
    assert.equal(t.rows, scanTruth.rows);
    assert.equal(t.cols, scanTruth.cols);
    assert.equal(t.headerRows, scanTruth.headerRows);
    assert.ok(iou(t.box, scanTruth.box) > 0.95, `table box ${JSON.stringify(t.box)}`);
    // Auto mode on the scan finds this table only (the header blocks, totals and bank details are layout).
    assert.equal(
      tables.length,
      1,
      `tables: ${JSON.stringify(tables.map((x) => [x.method, x.rows, x.cols]))}`,
    );

    // Cells: as the digital invoice's table reads them, OCR errors aside; boxes on the turned page.
    const digitalGrid = tableToGrid(
      detectTables(digital.text, digital.rulings).find((x) => iou(x.box, digitalTable.box) > 0.9) ??
        assert.fail('digital table'),
    );
    const grid = tableToGrid(t);
    let exact = 0;
    for (const c of scanTruth.cells) {
      const got = grid[c.row]?.[c.col] ?? '';
      const want = digitalGrid[c.row]?.[c.col] ?? '';
      assert.equal(want, c.text, 'the digital table reads the truth');
      if (got === want) exact++;
      assert.ok(textDistance(got, want) <= 0.2, `cell ${c.row},${c.col}: "${got}" vs "${want}"`);
      const cell = t.cells.find((x) => x.row === c.row && x.col === c.col);
      assert.ok(
        cell && iou(cell.box, c.box) > 0.85,
        `cell ${c.row},${c.col} box ${JSON.stringify(cell?.box)} vs ${JSON.stringify(c.box)}`,
      );
    }
    assert.ok(exact >= scanTruth.cells.length - 2, `${exact}/${scanTruth.cells.length} cells read exactly`);
    // Words alone: turned back upright, the line items' rows line up again (fewer, fuller rows than as scanned).
    const items = (ts: ReturnType<typeof detectTables>) =>
      ts.find((x) => x.cols === 4 && x.cells.some((c) => c.text === 'Qty'))?.rows ?? 0;
    const flatRows = items(detectTables(page, [], { mode: 'stream' }));
    const uprightRows = items(
      detectTables(page, [], { mode: 'stream', skew: { deg: found.skewDeg, centre: found.centre } }),
    );
    assert.ok(
      uprightRows > 0 && uprightRows < flatRows,
      `stream rows upright ${uprightRows}, as scanned ${flatRows}`,
    );
    console.log(
      `# stream only: ${flatRows} rows as scanned, ${uprightRows} upright; ` +
        `invoice-scanned: skew ${found.skewDeg.toFixed(2)}°, ${found.segments.length} segments in ${ms.toFixed(0)} ms; ` +
        `table ${t.rows}×${t.cols}, ${exact}/${scanTruth.cells.length} cells as on the digital invoice`,
    );
  } finally {
    await ocr.dispose();
    await docs.destroy();
  }
});
