// `doclens plan / ask / ground --model DIR` on the generated Qwen3-VL models, with and without DeepStack, and the
// licences `models list` shows: real processes, real ONNX sessions, a temp DOCLENS_DATA_DIR.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { ensureTinyModel } from '../../models/tiny/make-tiny-model.js';
import { loadVlm } from '../inference/vlm/index.js';
import { appRoot } from '../services/paths.js';
import type { Plan } from '../shared/domain.js';
import type { LabelledBox } from '../shared/geometry.js';
import { runCli, type CliResult } from './testing.js';

const scene = join(appRoot(), 'assets', 'samples', 'scene.png');
let dir = '';
let plain = '';
let deep = '';

const doclens = (args: string[]): Promise<CliResult> => runCli(args, { dataDir: join(dir, 'data') });

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doclens-cli-families-'));
  plain = await ensureTinyModel({ family: 'qwen3-vl', size: 'tiny' });
  deep = await ensureTinyModel({ family: 'qwen3-vl', size: 'tiny', deepstack: true });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('plan --model DIR: the Qwen3-VL family, 32-px inputs within the model budget', async () => {
  const r = await doclens(['plan', scene, '--model', plain, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as Plan;
  assert.equal(plan.family, 'qwen3-vl');
  const tile = plan.tiles[0]!;
  assert.equal(tile.input.width % 32, 0);
  assert.equal(tile.input.height % 32, 0);
  // The tiny model's preprocessor allows at most 256² px: 1024×768 → smart_resize(32) → 288×192 (9·6 = 54 tokens).
  assert.deepEqual(tile.input, { width: 288, height: 192 });
  assert.equal(plan.imageTokens, 54);
});

for (const variant of ['plain', 'deepstack'] as const) {
  test(`ask --raw and ground --model DIR on Qwen3-VL ${variant === 'plain' ? 'without' : 'with'} DeepStack`, async () => {
    const modelDir = variant === 'plain' ? plain : deep;
    const question = 'What is in this picture?';
    const r = await doclens([
      'ask',
      scene,
      question,
      '--raw',
      '--model',
      modelDir,
      '--max-tokens',
      '12',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      engine: string;
      token_ids: number[];
      input: { width: number; height: number };
    };
    assert.equal(out.engine, 'vlm');
    // The reduced-quality note goes to stderr for the export without DeepStack only.
    if (variant === 'plain') assert.match(r.stderr, /runs with reduced quality \(no DeepStack\)/);
    else assert.doesNotMatch(r.stderr, /DeepStack/);

    const { data, info } = await sharp(scene)
      .rotate()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const model = await loadVlm(modelDir, { provider: 'cpu' });
    try {
      assert.equal(model.deepstackLevels, variant === 'plain' ? 0 : 2);
      const ref = await model.generate({
        raw: true,
        images: [
          {
            data: new Uint8Array(data),
            width: info.width,
            height: info.height,
            channels: info.channels as 3 | 4,
          },
        ],
        question,
        maxTokens: 12,
      });
      assert.deepEqual(out.token_ids, ref.tokenIds);
      assert.deepEqual(out.input, ref.resized[0]);
    } finally {
      await model.dispose();
    }

    const g = await doclens([
      'ground',
      scene,
      'red car',
      '--model',
      modelDir,
      '--max-tokens',
      '16',
      '--json',
    ]);
    assert.equal(g.code, 0, g.stderr);
    const found = JSON.parse(g.stdout) as {
      boxes: LabelledBox[];
      raw: string;
      token_ids: number[];
      objects: string[];
    };
    assert.deepEqual(found.objects, ['red car']);
    assert.equal(typeof found.raw, 'string');
    assert.ok(found.token_ids.length > 0);
    for (const b of found.boxes)
      assert.ok(b.x0 >= 0 && b.y0 >= 0 && b.x1 <= 1024 && b.y1 <= 768, JSON.stringify(b));
  });
}

test('models list names each licence, flags the non-commercial one and the recommended model', async () => {
  const r = await doclens(['models', 'list']);
  assert.equal(r.code, 0, r.stderr);
  const line = (id: string) => r.stdout.split('\n').find((l) => l.trim().startsWith(id)) ?? '';
  assert.match(line('qwen3-vl-2b-instruct'), /Apache 2\.0 .*\(recommended\)/);
  assert.match(line('qwen3-vl-2b-instruct'), /\(reduced quality \(no DeepStack\)\)/);
  assert.match(line('qwen2.5-vl-3b-instruct'), /Qwen Research License, NON-COMMERCIAL/);
  assert.doesNotMatch(line('qwen2-vl-2b-instruct'), /NON-COMMERCIAL/);
  // The download size the manifest pins (q4 of Qwen3-VL); sizes it does not pin are not made up.
  assert.match(line('qwen3-vl-2b-instruct'), / {2}download q4 1520\.9 MB( {2}|$)/);
  assert.doesNotMatch(line('qwen2-vl-2b-instruct'), /download/);
});
