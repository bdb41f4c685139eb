import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Tensor } from '@huggingface/transformers';
import { ensureTinyModel } from '../../../../models/tiny/make-tiny-model.js';
import { getRopeIndex } from './rope-index.js';
import { loadReference } from '../../vlm/testing.js';

const PAD = 151655;
const VS = 151652;
const VE = 151653;
const TEXT = 1000;

/** `pre` text tokens ending in <|vision_start|>, then per image: pads, <|vision_end|>, `between` text, <|vision_start|>… */
function sequence(pre: number, images: number[], between: number, post: number): number[] {
  const ids: number[] = Array.from({ length: pre - 1 }, () => TEXT);
  ids.push(VS);
  images.forEach((n, k) => {
    for (let i = 0; i < n; i++) ids.push(PAD);
    ids.push(VE);
    if (k < images.length - 1) {
      for (let i = 0; i < between; i++) ids.push(TEXT);
      ids.push(VS);
    }
  });
  for (let i = 0; i < post - 1; i++) ids.push(TEXT);
  return ids;
}

const row = (p: { positions: [Int32Array, Int32Array, Int32Array] }, i: number) => [
  p.positions[0][i],
  p.positions[1][i],
  p.positions[2][i],
];

void test('single image (spec §4 vector): 89 tokens, image at 15..78, delta −56', () => {
  // system + user prefix = 15 tokens (…<|vision_start|> at 14), 64 pads, <|vision_end|> + 9 tokens of text.
  const ids = sequence(15, [64], 0, 10);
  assert.equal(ids.length, 89);
  const r = getRopeIndex(ids, [{ t: 1, h: 16, w: 16 }], PAD);
  assert.deepEqual(row(r, 14), [14, 14, 14]);
  assert.deepEqual(row(r, 15), [15, 15, 15]);
  assert.deepEqual(row(r, 15 + 9), [15, 16, 16]); // image row 1, col 1
  assert.deepEqual(row(r, 15 + 8 * 3 + 5), [15, 18, 20]);
  assert.deepEqual(row(r, 78), [15, 22, 22]);
  assert.deepEqual(row(r, 79), [23, 23, 23]);
  assert.deepEqual(row(r, 88), [32, 32, 32]);
  assert.equal(r.delta, -56);
  // The first generated token (past_len 89) sits at 89 + delta = 33.
  assert.equal(89 + r.delta, 33);
});

void test('two images (spec §4 vector): 16×16 then 20×24 grids, second block at 28, final 45, delta −164', () => {
  const ids = sequence(15, [64, 120], 3, 6);
  assert.equal(ids.length, 210);
  const r = getRopeIndex(
    ids,
    [
      { t: 1, h: 16, w: 16 },
      { t: 1, h: 20, w: 24 },
    ],
    PAD,
  );
  const second = 15 + 64 + 1 + 3 + 1;
  assert.deepEqual(row(r, second - 1), [27, 27, 27]); // its <|vision_start|>
  assert.deepEqual(row(r, second), [28, 28, 28]);
  assert.deepEqual(row(r, second + 11), [28, 28, 39]); // end of the first image row (12 columns)
  assert.deepEqual(row(r, second + 119), [28, 37, 39]);
  assert.deepEqual(row(r, 209), [45, 45, 45]);
  assert.equal(r.delta, -164);
});

void test('two images with no text between them (Python index(…, st) semantics)', () => {
  const ids = [1, 2, VS, ...Array<number>(7).fill(PAD), VE, 3];
  const r = getRopeIndex(
    ids,
    [
      { t: 1, h: 2, w: 2 },
      { t: 1, h: 4, w: 6 },
    ],
    PAD,
  );
  // Image 1 (1 token) at index 3, position 3; image 2 (2×3 tokens) starts right after it at position 4.
  assert.deepEqual(row(r, 3), [3, 3, 3]);
  assert.deepEqual(row(r, 4), [4, 4, 4]);
  assert.deepEqual(row(r, 6), [4, 4, 6]);
  assert.deepEqual(row(r, 9), [4, 5, 6]);
  assert.deepEqual(row(r, 10), [7, 7, 7]);
  assert.equal(r.delta, 8 + 1 - 12);
});

void test('text only: positions 0..L−1 on all rows and delta 0 (transformers.js gives 2·L)', () => {
  const ids = Array.from({ length: 17 }, (_, i) => 100 + i);
  const r = getRopeIndex(ids, [], PAD);
  for (let i = 0; i < 17; i++) assert.deepEqual(row(r, i), [i, i, i]);
  assert.equal(r.delta, 0);
});

void test('malformed prompts are clear errors', () => {
  assert.throws(
    () => getRopeIndex([1, 2, 3], [{ t: 1, h: 4, w: 4 }], PAD),
    /image 1 of 1 has no <\|image_pad\|>/,
  );
  assert.throws(() => getRopeIndex([1, PAD, PAD], [{ t: 1, h: 4, w: 4 }], PAD), /needs 4 pad tokens/);
  assert.throws(
    () => getRopeIndex([1, PAD], [{ t: 1, h: 3, w: 4 }], PAD),
    /not a multiple of the merge size/,
  );
});

void test('equals transformers.js get_rope_index for one and two images', async () => {
  const dir = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
  const ref = await loadReference(dir, 'qwen2-vl');
  const model = ref.model as unknown as {
    get_rope_index(ids: Tensor, grid: Tensor, video: null, mask: Tensor): [Tensor, Tensor];
  };
  const cases: Array<{ ids: number[]; grids: Array<{ t: number; h: number; w: number }> }> = [
    { ids: sequence(15, [64], 0, 10), grids: [{ t: 1, h: 16, w: 16 }] },
    {
      ids: sequence(15, [64, 120], 3, 6),
      grids: [
        { t: 1, h: 16, w: 16 },
        { t: 1, h: 20, w: 24 },
      ],
    },
    {
      ids: sequence(4, [12, 6], 2, 3),
      grids: [
        { t: 1, h: 6, w: 8 },
        { t: 1, h: 4, w: 6 },
      ],
    },
  ];
  for (const { ids, grids } of cases) {
    const n = ids.length;
    const idsT = new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, n]);
    const grid = new Tensor('int64', BigInt64Array.from(grids.flatMap((g) => [g.t, g.h, g.w]).map(BigInt)), [
      grids.length,
      3,
    ]);
    const mask = new Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
    const [pos, delta] = model.get_rope_index(idsT, grid, null, mask);
    const theirs = Array.from(pos.data as BigInt64Array, Number);
    const mine = getRopeIndex(ids, grids, PAD);
    assert.deepEqual(
      [...mine.positions[0], ...mine.positions[1], ...mine.positions[2]],
      theirs,
      `${grids.length} image(s)`,
    );
    assert.deepEqual(Array.from(delta.data as BigInt64Array, Number), [mine.delta]);
  }
  await ref.dispose();
});
