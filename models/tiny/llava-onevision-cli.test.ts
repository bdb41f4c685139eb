// `doclens plan / ask / ground` with LLaVA-OneVision as a user runs them: a real process from source, the tiny
// generated model (real ONNX sessions), the sample invoice and scene.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { ovLayout } from '../../src/anyres/anyres-grid.js';
import { runCli } from '../../src/cli/testing.js';
import { loadVlm } from '../../src/inference/vlm/index.js';
import { appRoot } from '../../src/services/paths.js';
import type { Plan } from '../../src/shared/domain.js';
import type { LabelledBox } from '../../src/shared/geometry.js';
import { ensureTinyModel } from './make-tiny-model.js';

const root = appRoot();
const scene = join(root, 'assets', 'samples', 'scene.png');
const invoice = join(root, 'assets', 'samples', 'invoice.pdf');
let dir = '';
let tiny = '';

const doclens = (args: string[]) => runCli(args, { dataDir: join(dir, 'data') });

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doclens-cli-ov-'));
  tiny = await ensureTinyModel({ family: 'llava-onevision', size: 'tiny' });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('plan --family llava-onevision: the real AnyRes tiles and token count of the page raster', async () => {
  const r = await doclens(['plan', invoice, '--page', '1', '--family', 'llava-onevision', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as Plan;
  const layout = ovLayout(plan.render);
  assert.equal(plan.family, 'llava-onevision');
  assert.equal(plan.imageTokens, layout.imageTokens);
  assert.deepEqual(plan.grid, { cols: layout.cols, rows: layout.rows });
  assert.equal(plan.tiles.length, layout.visionTiles);
  assert.deepEqual(plan.tiles[0], {
    ...plan.tiles[0],
    kind: 'global',
    input: { width: 384, height: 384 },
    imageTokens: 729,
  });
  const text = await doclens(['plan', invoice, '--page', '1', '--family', 'llava-onevision']);
  assert.match(
    text.stdout,
    new RegExp(
      `AnyRes grid ${layout.cols} × ${layout.rows} \\+ global view, ${layout.imageTokens} image tokens`,
    ),
  );
});

test('ask --raw --model DIR: the same ids as the engine in process; ask on a PDF page runs planned', async () => {
  const q = 'What is in this picture?';
  const r = await doclens(['ask', scene, q, '--raw', '--model', tiny, '--max-tokens', '12', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { engine: string; token_ids: number[] };
  assert.equal(out.engine, 'vlm');
  const { data, info } = await sharp(scene).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const vlm = await loadVlm(tiny, { provider: 'cpu', threads: 1 });
  try {
    const mine = await vlm.generate({
      images: [
        {
          data: new Uint8Array(data),
          width: info.width,
          height: info.height,
          channels: info.channels === 4 ? 4 : 3,
        },
      ],
      question: q,
      raw: true,
      maxTokens: 12,
    });
    assert.deepEqual(out.token_ids, mine.tokenIds);
  } finally {
    await vlm.dispose();
  }
  const pdf = await doclens([
    'ask',
    invoice,
    'What is the total?',
    '--model',
    tiny,
    '--max-tokens',
    '6',
    '--json',
  ]);
  assert.equal(pdf.code, 0, pdf.stderr);
  assert.equal((JSON.parse(pdf.stdout) as { token_ids: number[] }).token_ids.length, 6);
});

test('ground --model DIR: boxes (if any) on the page, marked low confidence', async () => {
  const r = await doclens(['ground', scene, 'red circle', '--model', tiny, '--max-tokens', '16', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    confidence: string;
    boxes: LabelledBox[];
    pageSize: { width: number; height: number };
  };
  assert.equal(out.confidence, 'low');
  for (const b of out.boxes)
    assert.ok(b.x0 >= 0 && b.x1 <= out.pageSize.width && b.y1 <= out.pageSize.height);
  const text = await doclens(['ground', scene, 'red circle', '--model', tiny, '--max-tokens', '4']);
  assert.match(text.stdout, /low confidence: this family has no official box format/);
});
