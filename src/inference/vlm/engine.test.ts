import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureTinyModel } from '../../../models/tiny/make-tiny-model.js';
import { isAppError } from '../../shared/errors.js';
import { IncrementalDetokenizer } from './detokenizer.js';
import { loadVlm, type VlmModel } from './engine.js';
import { readModelFolder } from './model-folder.js';
import { resizeForModel } from '../families/qwen2-vl/preprocess.js';
import { createPromptCodec } from './prompt.js';
import { loadReference, testCard, type Reference } from './testing.js';

const QUESTION = 'Describe this image.';
const image = (w: number, h: number, variant = 0) => ({
  data: testCard(w, h, variant),
  width: w,
  height: h,
  channels: 3 as const,
});

describe('engine on tiny qwen2-vl', () => {
  let dir = '';
  let vlm: VlmModel;
  let ref: Reference;

  before(async () => {
    dir = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
    vlm = await loadVlm(dir, { provider: 'cpu', threads: 1, dtype: 'fp32' });
    ref = await loadReference(dir, 'qwen2-vl');
  });
  after(async () => {
    await vlm.dispose();
    await ref.dispose();
  });

  test('greedy ids equal transformers.js generate for 32 tokens on several image sizes; prefill logits to 1e-3', async () => {
    // Sizes already on the 28-px grid: no resize, so both implementations see identical pixels (transformers.js
    // resizes with sharp affine, we with an antialiased cubic like Pillow; off-grid sizes differ in pixels, not in
    // the model run — see the next test).
    for (const [w, h, variant] of [
      [112, 84, 0],
      [224, 168, 1],
      [56, 196, 2],
      [224, 224, 3],
    ] as const) {
      const img = image(w, h, variant);
      const theirs = await ref.generate(img, QUESTION, 32);
      const mine = await vlm.generate({ images: [img], question: QUESTION, raw: true, maxTokens: 32 });
      assert.equal(mine.promptTokens, theirs.promptIds.length, `${w}×${h} prompt length`);
      assert.deepEqual(mine.tokenIds, theirs.tokens, `${w}×${h} greedy ids`);
      assert.equal(mine.tokenIds.length, 32);
      assert.equal(mine.stop, 'max_tokens');
      assert.deepEqual(mine.resized, [{ width: w, height: h }]);
      const logits = await vlm.prefillLogits({ images: [img], question: QUESTION, raw: true });
      assert.equal(logits.length, theirs.firstLogits.length);
      let maxErr = 0;
      for (let i = 0; i < logits.length; i++)
        maxErr = Math.max(maxErr, Math.abs(logits[i]! - theirs.firstLogits[i]!));
      assert.ok(maxErr < 1e-3, `${w}×${h} prefill logits max error ${maxErr}`);
    }
  });

  test('an off-grid image: our resize output fed to transformers.js gives the same ids', async () => {
    // 100×80 → smart_resize 112×84. Resize ourselves, hand transformers.js the resized raster (no further resize).
    const src = image(100, 80, 4);
    const mine = await vlm.generate({ images: [src], question: QUESTION, raw: true, maxTokens: 24 });
    assert.deepEqual(mine.resized, [{ width: 112, height: 84 }]);
    const pre = readModelFolder(dir).preprocessor;
    const resized = await resizeForModel(
      src,
      { minPixels: pre.minPixels, maxPixels: pre.maxPixels, alpha: 'drop' },
      28,
    );
    const theirs = await ref.generate({ data: resized.rgb, width: 112, height: 84 }, QUESTION, 24);
    assert.deepEqual(mine.tokenIds, theirs.tokens);
  });

  test('streams deltas that add up to the answer with no broken UTF-8; timings and provider reported', async () => {
    const deltas: string[] = [];
    const r = await vlm.generate({
      images: [image(112, 84, 5)],
      question: 'What is this?',
      maxTokens: 40,
      onToken: (d) => deltas.push(d),
    });
    assert.equal(r.tokenIds.length, 40);
    assert.ok(deltas.length > 1, 'more than one delta');
    assert.equal(deltas.join(''), r.text);
    // A delta never ends inside a character (the last flush may carry what the model really emitted).
    for (const d of deltas.slice(0, -1)) assert.ok(!d.endsWith('\uFFFD'), JSON.stringify(d));
    assert.equal(r.provider, 'cpu');
    assert.equal(r.model, 'tiny-qwen2-vl-tiny');
    assert.ok(r.timings.vision_ms !== null && r.timings.vision_ms >= 0);
    assert.ok(r.timings.prefill_ms! > 0 && r.timings.ttft_ms! >= r.timings.prefill_ms!);
    assert.ok(r.timings.decode_tokens_per_s! > 0);
  });

  test('incremental detokenisation holds back split multi-byte characters (real tokenizer)', () => {
    const codec = createPromptCodec(readModelFolder(dir));
    const text = 'Größe 10 € — 東京タワー 🦙🚀 ok';
    const ids = codec.encode(text);
    const pieces = ids.map((id) => codec.decode([id], false));
    assert.ok(
      pieces.some((p) => p.includes('\uFFFD')),
      'the sample really splits a character across tokens',
    );
    const detok = new IncrementalDetokenizer((part) => codec.decode(part, false));
    const out: string[] = [];
    for (const id of ids) {
      const d = detok.push(id);
      assert.ok(!d.includes('\uFFFD'), `delta ${JSON.stringify(d)}`);
      if (d) out.push(d);
    }
    out.push(detok.flush(codec.decode(ids, false)));
    assert.equal(out.join(''), text);
  });

  test('cancel via AbortSignal stops within one decode step', async () => {
    const controller = new AbortController();
    let emitted = 0;
    let atAbort = -1;
    const run = vlm.generate({
      images: [image(112, 84, 6)],
      question: QUESTION,
      maxTokens: 5000,
      signal: controller.signal,
      onToken: () => {
        emitted++;
        if (emitted === 5) {
          // Abort from outside the token callback, as the UI's cancel would.
          setImmediate(() => {
            atAbort = emitted;
            controller.abort();
          });
        }
      },
    });
    await assert.rejects(run, (e: unknown) => isAppError(e) && e.code === 'cancelled');
    assert.ok(atAbort >= 5);
    assert.ok(emitted - atAbort <= 1, `${emitted - atAbort} token(s) after the abort`);
    // Already aborted: nothing runs.
    await assert.rejects(
      vlm.generate({ question: 'x', signal: AbortSignal.abort() }),
      (e: unknown) => isAppError(e) && e.code === 'cancelled',
    );
  });

  test('second question on the same page: vision encoder skipped, prefix KV reused, same ids as a cold model', async () => {
    const page = { ...image(224, 168, 7), cacheKey: 'doc1:1:plan-a' };
    vlm.clearCaches();
    const first = await vlm.generate({ images: [page], question: 'What is the total?', maxTokens: 16 });
    assert.equal(first.cache.visionRuns, 1);
    assert.equal(first.cache.prefixTokens, 0);
    assert.ok(first.timings.vision_ms! > 0);

    const second = await vlm.generate({ images: [page], question: 'Who signed it?', maxTokens: 16 });
    assert.equal(second.cache.visionRuns, 0, 'no vision encoder run');
    assert.equal(second.timings.vision_ms, 0);
    // The shared prefix: system turn, user header, the image block (120 = 48 image tokens + text around it).
    assert.ok(second.cache.prefixTokens >= 15 + 48 + 1, `reused ${second.cache.prefixTokens}`);
    assert.equal(second.cache.prefixTokens + second.cache.prefillTokens, second.promptTokens);

    // The same question again: everything but the last prompt token comes from the cache, same answer.
    const again = await vlm.generate({ images: [page], question: 'Who signed it?', maxTokens: 16 });
    assert.equal(again.cache.prefillTokens, 1);
    assert.deepEqual(again.tokenIds, second.tokenIds);

    // A cold model gives the same ids as the cached path.
    const cold = await loadVlm(dir, { provider: 'cpu', threads: 1, dtype: 'fp32' });
    try {
      const fresh = await cold.generate({ images: [page], question: 'Who signed it?', maxTokens: 16 });
      assert.equal(fresh.cache.visionRuns, 1);
      assert.deepEqual(second.tokenIds, fresh.tokenIds);
    } finally {
      await cold.dispose();
    }

    // The feature cache alone (different prompt prefix, same image): encoder skipped via the feature cache.
    const sys = await vlm.generate({
      images: [page],
      messages: [
        { role: 'system', content: 'You read invoices.' },
        { role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Total?' }] },
      ],
      maxTokens: 4,
    });
    assert.equal(sys.cache.visionRuns, 0);
    assert.equal(sys.cache.featureHits, 1);
    // A different page key is a different image.
    const other = await vlm.generate({
      images: [{ ...page, cacheKey: 'doc1:2:plan-a' }],
      question: 'Total?',
      maxTokens: 4,
    });
    assert.equal(other.cache.visionRuns, 1);
  });

  test('text-only and two-image prompts generate; the context limit is a clear too_large error', async () => {
    const text = await vlm.generate({ question: 'Hello there', maxTokens: 8 });
    assert.equal(text.tokenIds.length, 8);
    assert.deepEqual(text.resized, []);
    const two = await vlm.generate({
      images: [image(112, 84, 1), image(56, 56, 2)],
      question: 'Compare them.',
      maxTokens: 8,
    });
    assert.deepEqual(two.resized, [
      { width: 112, height: 84 },
      { width: 56, height: 56 },
    ]);
    assert.equal(two.cache.visionRuns, 2);
    await assert.rejects(
      vlm.generate({ question: 'word '.repeat(33_000) }),
      (e: unknown) => isAppError(e) && e.code === 'too_large' && /context is 32768/.test(e.message),
    );
    await assert.rejects(
      vlm.generate({ images: [image(112, 84)], messages: [{ role: 'user', content: 'no image slot' }] }),
      (e: unknown) =>
        isAppError(e) &&
        e.code === 'invalid_input' &&
        /1 image\(s\) given but the messages have 0/.test(e.message),
    );
  });

  test('status reports the provider, the attempts and the loaded model', () => {
    const s = vlm.status();
    assert.equal(s.active, 'cpu');
    assert.equal(s.preference, 'cpu');
    assert.deepEqual(s.attempts, [{ provider: 'cpu', ok: true, reason: null }]);
    assert.equal(s.loadedModel, 'tiny-qwen2-vl-tiny');
    assert.equal(s.summary, 'Running on CPU');
  });
});

describe('engine on tiny qwen2.5-vl', () => {
  test('fp32 and _fp16 graphs load (I/O types read from the sessions) and generate', async () => {
    const dir = await ensureTinyModel({ family: 'qwen2.5-vl', size: 'tiny' });
    const ref = await loadReference(dir, 'qwen2.5-vl');
    const img = image(112, 84, 0);
    const theirs = await ref.generate(img, QUESTION, 16);
    await ref.dispose();
    for (const dtype of ['fp32', 'fp16']) {
      const vlm = await loadVlm(dir, { provider: 'cpu', threads: 1, dtype });
      try {
        assert.equal(vlm.family, 'qwen2.5-vl');
        assert.equal(vlm.dtypes.decoder_model_merged, dtype);
        const r = await vlm.generate({ images: [img], question: QUESTION, raw: true, maxTokens: 16 });
        assert.equal(r.tokenIds.length, 16);
        if (dtype === 'fp32') assert.deepEqual(r.tokenIds, theirs.tokens, 'fp32 ids equal transformers.js');
      } finally {
        await vlm.dispose();
      }
    }
  });
});

describe('bad model folders', () => {
  test('missing folder, missing graph, not a Qwen-VL config: clear no_model errors', async () => {
    await assert.rejects(
      loadVlm('/nonexistent/model'),
      (e: unknown) =>
        isAppError(e) && e.code === 'no_model' && /not found: \/nonexistent\/model/.test(e.message),
    );
    const dir = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
    await assert.rejects(
      loadVlm(dir, { dtype: 'q4' }),
      (e: unknown) =>
        isAppError(e) && e.code === 'no_model' && /onnx\/vision_encoder_q4\.onnx is missing/.test(e.message),
    );
  });

  test('a truncated graph is a corrupt error naming the file', async () => {
    const src = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
    const dir = mkdtempSync(join(tmpdir(), 'doclens-vlm-'));
    try {
      cpSync(src, dir, { recursive: true });
      truncateSync(join(dir, 'onnx', 'decoder_model_merged.onnx'), 1000);
      await assert.rejects(
        loadVlm(dir, { provider: 'cpu', threads: 1, dtype: 'fp32' }),
        (e: unknown) =>
          isAppError(e) &&
          e.code === 'corrupt' &&
          /decoder_model_merged\.onnx could not be loaded/.test(e.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
