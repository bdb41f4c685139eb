// smart_resize against values computed with Python 3 (HF Qwen2VLImageProcessor / qwen-vl-utils code, run with
// CPython's round-half-to-even), including the spec vectors of docs/qwen2-vl-onnx.md §2.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  padToFactor,
  qwenImageTokens,
  QWEN_DEFAULT_MAX_PIXELS,
  roundHalfToEven,
  smartResize,
} from './smart-resize.js';

// [height, width, min_pixels, max_pixels, h', w'] — output of the Python function, not of this code.
const PYTHON_VECTORS: ReadonlyArray<readonly [number, number, number, number, number, number]> = [
  // docs §2.1 (max_pixels 1,003,520): all verified in Python; sizes are height × width.
  [350, 350, 3136, 1003520, 336, 336],
  [1080, 1920, 3136, 1003520, 728, 1316],
  [1920, 1080, 3136, 1003520, 1316, 728],
  [3024, 4032, 3136, 1003520, 840, 1148],
  [4032, 3024, 3136, 1003520, 1148, 840],
  [480, 640, 3136, 1003520, 476, 644],
  [224, 224, 3136, 1003520, 224, 224],
  // docs: with the repo max (16384·28·28) a 3024×4032 photo is kept as is.
  [3024, 4032, 3136, 12845056, 3024, 4032],
  // h/28 or w/28 exactly x.5: ties go to the even multiple.
  [42, 42, 3136, 1003520, 56, 56],
  [70, 98, 3136, 1003520, 56, 112],
  [126, 182, 3136, 1003520, 112, 168],
  [574, 574, 3136, 12845056, 560, 560],
  [42, 70, 3136, 12845056, 56, 56],
  [98, 126, 3136, 12845056, 112, 112],
  [294, 322, 3136, 12845056, 280, 336],
  [322, 350, 3136, 12845056, 336, 336],
  [574, 602, 3136, 12845056, 560, 616],
  [938, 966, 3136, 12845056, 952, 952],
  // Letter page at 150 dpi and the grounding-friendly min_pixels of §6.3.
  [1650, 1275, 3136, 1003520, 1120, 868],
  [350, 350, 802816, 12845056, 896, 896],
  [1100, 850, 802816, 1003520, 1092, 840],
  [60, 40, 200704, 1003520, 560, 392],
  [100, 20000, 3136, 1003520, 56, 14140],
  [28, 5600, 3136, 1003520, 28, 5600],
  // seeded random sizes and budgets (random.seed(7))
  [2680, 1263, 200704, 12845056, 2688, 1260],
  [423, 621, 802816, 1003520, 756, 1092],
  [3023, 4802, 3136, 12845056, 2828, 4508],
  [1786, 335, 3136, 2007040, 1792, 336],
  [3453, 600, 3136, 1003520, 2380, 392],
  [4542, 3505, 3136, 12845056, 4060, 3136],
  [1042, 1856, 802816, 12845056, 1036, 1848],
  [4803, 534, 802816, 12845056, 4816, 532],
  [3277, 434, 3136, 1003520, 2744, 364],
  [4588, 1118, 200704, 2007040, 2856, 672],
  [1209, 4457, 3136, 12845056, 1204, 4452],
  [2555, 4617, 802816, 1003520, 728, 1344],
  [872, 4792, 802816, 12845056, 868, 4788],
  [1567, 3078, 3136, 12845056, 1568, 3080],
  [542, 4651, 3136, 12845056, 532, 4648],
  [1715, 4094, 802816, 12845056, 1708, 4088],
  [3530, 2601, 200704, 12845056, 3528, 2604],
  [3740, 2990, 200704, 1003520, 1120, 868],
  [1500, 2027, 3136, 12845056, 1512, 2016],
  [2487, 4330, 200704, 2007040, 1064, 1848],
  [3704, 2386, 802816, 1003520, 1232, 784],
  [995, 4221, 200704, 1003520, 476, 2044],
  [2830, 1273, 200704, 2007040, 2100, 924],
  [349, 663, 802816, 12845056, 672, 1260],
];

void test('smartResize matches Python smart_resize on the spec vectors and seeded random sizes', () => {
  for (const [h, w, minPixels, maxPixels, eh, ew] of PYTHON_VECTORS) {
    const got = smartResize(h, w, { minPixels, maxPixels });
    assert.deepEqual(got, { height: eh, width: ew }, `${h}×${w} (min ${minPixels}, max ${maxPixels})`);
    assert.equal(got.height % 28, 0);
    assert.equal(got.width % 28, 0);
  }
});

void test('image-token counts of the spec vectors', () => {
  const tokens = (h: number, w: number) =>
    qwenImageTokens(smartResize(h, w, { maxPixels: QWEN_DEFAULT_MAX_PIXELS }));
  assert.equal(tokens(350, 350), 144); // transformers.js' Math.round gives 364×364 = 169
  assert.equal(tokens(1080, 1920), 1222);
  assert.equal(tokens(3024, 4032), 1230);
  assert.equal(tokens(480, 640), 391);
  assert.equal(tokens(224, 224), 64);
  assert.equal(qwenImageTokens(smartResize(4032, 3024, { maxPixels: 16384 * 28 * 28 })), 15552);
});

void test('defaults are min 56·56 and max 28·28·1280', () => {
  assert.deepEqual(smartResize(1080, 1920), { height: 728, width: 1316 });
  assert.deepEqual(smartResize(30, 30), { height: 56, width: 56 }); // 28×28 = 784 < 3136 → ceil branch
});

void test('roundHalfToEven is Python round', () => {
  const cases: Array<[number, number]> = [
    [0.5, 0],
    [1.5, 2],
    [2.5, 2],
    [3.5, 4],
    [12.5, 12],
    [2.4999999, 2],
    [2.5000001, 3],
    [-0.5, 0],
    [-1.5, -2],
    [7, 7],
  ];
  for (const [x, e] of cases) assert.equal(roundHalfToEven(x), e, String(x));
});

void test('aspect ratio above 200 is a clear invalid_input error; exactly 200 is accepted', () => {
  assert.throws(() => smartResize(28, 5601), {
    name: 'AppError',
    code: 'invalid_input',
    message: /aspect ratio/,
  });
  assert.throws(() => smartResize(10, 3000), { name: 'AppError', code: 'invalid_input' });
  assert.deepEqual(smartResize(28, 5600), { height: 28, width: 5600 });
  assert.throws(() => smartResize(0, 10), { code: 'invalid_input' });
  assert.throws(() => smartResize(100, Number.NaN), { code: 'invalid_input' });
  assert.throws(() => smartResize(100, 100, { minPixels: 2000, maxPixels: 1000 }), { code: 'invalid_input' });
});

void test('images under 28 px are padded up to 28 before resizing', () => {
  assert.deepEqual(padToFactor(10, 40), { height: 28, width: 40 });
  assert.deepEqual(padToFactor(500, 3), { height: 500, width: 28 });
  // = Python smart_resize(28, 40) → (56, 84) and smart_resize(28, 28) → (56, 56).
  assert.deepEqual(smartResize(10, 40), { height: 56, width: 84 });
  assert.deepEqual(smartResize(1, 1), { height: 56, width: 56 });
  // = Python smart_resize(28, 1000) → (28, 1008)
  assert.deepEqual(smartResize(20, 1000), { height: 28, width: 1008 });
});
