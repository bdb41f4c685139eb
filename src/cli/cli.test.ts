// The CLI as a user runs it: a real process, real files, exit codes and one-line errors.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { appRoot } from '../services/paths.js';
import { iou } from '../shared/geometry.js';
import { runCli, type CliResult } from './testing.js';

const root = appRoot();
const invoice = join(root, 'assets', 'samples', 'invoice.pdf');
const scene = join(root, 'assets', 'samples', 'scene.png');
let dir: string;

function doclens(...args: string[]): Promise<CliResult> {
  return runCli(args, { dataDir: join(dir, 'data') });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doclens-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('info --json prints the page count and sizes', async () => {
  const r = await doclens('info', invoice, '--json');
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout) as {
    pageCount: number;
    pages: Array<{ width: number; height: number }>;
    kind: string;
    title: string;
  };
  assert.equal(info.kind, 'pdf');
  assert.equal(info.pageCount, 1);
  assert.deepEqual(
    info.pages.map((p) => [p.width, p.height]),
    [[612, 792]],
  );
  const img = JSON.parse((await doclens('info', scene, '--json')).stdout) as {
    kind: string;
    pages: Array<{ width: number; height: number }>;
  };
  assert.equal(img.kind, 'image');
  assert.deepEqual(
    img.pages.map((p) => [p.width, p.height]),
    [[1024, 768]],
  );
});

test('render writes a PNG of the page at the asked DPI', async () => {
  const out = join(dir, 'p1.png');
  const r = await doclens('render', invoice, '--page', '1', '--dpi', '100', '--out', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  const meta = JSON.parse(r.stdout) as { width: number; height: number };
  assert.deepEqual([meta.width, meta.height], [850, 1100]);
  const png = await readFile(out);
  assert.equal(png.readUInt32BE(16), 850);
  assert.equal(png.readUInt32BE(20), 1100);
});

test('text --json gives words with page-space boxes', async () => {
  const r = await doclens('text', invoice, '--page', '1', '--json');
  assert.equal(r.code, 0, r.stderr);
  const text = JSON.parse(r.stdout) as {
    source: string;
    words: Array<{ text: string; box: { x0: number; y0: number; x1: number; y1: number } }>;
  };
  assert.equal(text.source, 'text-layer');
  const truth = JSON.parse(await readFile(join(root, 'assets', 'samples', 'samples.json'), 'utf8')) as {
    documents: Array<{
      file: string;
      fields: Array<{ name: string; text: string; box: { x0: number; y0: number; x1: number; y1: number } }>;
    }>;
  };
  const field = truth.documents
    .find((d) => d.file === 'invoice.pdf')
    ?.fields.find((f) => f.text === 'INV-2025-0314');
  assert.ok(field, 'samples.json names the invoice number');
  const word = text.words.find((w) => w.text === 'INV-2025-0314');
  assert.ok(word);
  // Horizontal extent to within 1 pt; vertically the font's ascent/descent conventions differ slightly, so
  // the boxes must overlap almost entirely rather than match edge for edge.
  for (const k of ['x0', 'x1'] as const)
    assert.ok(Math.abs(word.box[k] - field.box[k]) <= 1, `${k}: ${word.box[k]} vs ${field.box[k]}`);
  assert.ok(
    iou(word.box, field.box) > 0.7,
    `IoU ${iou(word.box, field.box)}: ${JSON.stringify(word.box)} vs ${JSON.stringify(field.box)}`,
  );
});

test('bad input: a non-zero exit and one clear line naming the file', async () => {
  const empty = join(dir, 'empty.pdf');
  await writeFile(empty, '');
  const a = await doclens('info', empty);
  assert.equal(a.code, 1);
  assert.equal(a.stderr.trim().split('\n').length, 1);
  assert.match(a.stderr, /empty\.pdf.*empty.*\[empty_file\]/);
  const html = join(dir, 'page.pdf');
  await writeFile(html, '<!doctype html><html><body>hi</body></html>');
  const b = await doclens('info', html);
  assert.equal(b.code, 1);
  assert.match(b.stderr, /page\.pdf.*\[unsupported_format\]/);
  const missing = await doclens('info', join(dir, 'nope.pdf'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.pdf/);
  const page = await doclens('text', invoice, '--page', '7');
  assert.equal(page.code, 1);
  assert.match(page.stderr, /page 7/);
  const usage = await doclens('frobnicate');
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /unknown command "frobnicate"/);
});

test('plan and overlay: Qwen-VL output in all three formats lands within 1 pt of the chart bars', async () => {
  const report = join(root, 'assets', 'samples', 'report.pdf');
  const truth = JSON.parse(await readFile(join(root, 'assets', 'samples', 'samples.json'), 'utf8')) as {
    documents: Array<{
      file: string;
      charts: Array<{
        page: number;
        bars: Array<{ label: string; box: { x0: number; y0: number; x1: number; y1: number } }>;
      }>;
    }>;
  };
  type Bar = { label: string; box: { x0: number; y0: number; x1: number; y1: number } };
  const chart = truth.documents.find((d) => d.file === 'report.pdf')?.charts[0];
  assert.ok(chart && chart.bars.length >= 4);
  const bars: Bar[] = chart.bars;
  const W = 612;
  const H = 792;
  const planOut = await doclens(
    'plan',
    report,
    '--page',
    String(chart.page),
    '--family',
    'qwen2.5-vl',
    '--json',
  );
  assert.equal(planOut.code, 0, planOut.stderr);
  const plan = JSON.parse(planOut.stdout) as {
    tiles: Array<{ input: { width: number; height: number } }>;
    imageTokens: number;
  };
  const input = plan.tiles[0]?.input;
  assert.ok(input);
  // Written here from the formats' definitions (not with the code under test): 0–1000 of the image for
  // Qwen-VL and Qwen2-VL, absolute pixels of the resized input for Qwen2.5-VL.
  const n = (v: number, side: number) => Math.round((v / side) * 1000);
  const px = (v: number, side: number, inSide: number) => Math.round((v / side) * inSide);
  const outputs: Record<string, string> = {
    'qwen-vl': chart.bars
      .map(
        (b) =>
          `<ref>${b.label}</ref><box>(${n(b.box.x0, W)},${n(b.box.y0, H)}),(${n(b.box.x1, W)},${n(b.box.y1, H)})</box>`,
      )
      .join(' '),
    'qwen2-vl': chart.bars
      .map(
        (b) =>
          `<|object_ref_start|>${b.label}<|object_ref_end|><|box_start|>(${n(b.box.x0, W)},${n(b.box.y0, H)}),(${n(b.box.x1, W)},${n(b.box.y1, H)})<|box_end|>`,
      )
      .join('\n'),
    'qwen2.5-vl':
      '```json\n' +
      JSON.stringify(
        chart.bars.map((b) => ({
          bbox_2d: [
            px(b.box.x0, W, input.width),
            px(b.box.y0, H, input.height),
            px(b.box.x1, W, input.width),
            px(b.box.y1, H, input.height),
          ],
          label: b.label,
        })),
      ) +
      '\n```\nThese are the bars.',
  };
  for (const [family, raw] of Object.entries(outputs)) {
    const out = join(dir, `overlay-${family}.png`);
    const r = await doclens(
      'overlay',
      report,
      '--page',
      String(chart.page),
      '--family',
      family,
      '--output-text',
      raw,
      '--out',
      out,
      '--json',
    );
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as {
      format: string;
      boxes: Array<{ label: string; page: number; x0: number; y0: number; x1: number; y1: number }>;
    };
    assert.equal(result.format, family);
    assert.equal(result.boxes.length, chart.bars.length);
    for (const bar of bars) {
      const got = result.boxes.find((b) => b.label === bar.label);
      assert.ok(got, `${family}: no box for ${bar.label}`);
      assert.equal(got.page, chart.page);
      for (const k of ['x0', 'y0', 'x1', 'y1'] as const) {
        assert.ok(
          Math.abs(got[k] - bar.box[k]) <= 1,
          `${family} ${bar.label} ${k}: ${got[k].toFixed(2)} vs ${bar.box[k]}`,
        );
      }
    }
    const png = await readFile(out);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  }
});
