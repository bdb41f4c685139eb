// The scripted tiny Qwen2-VL and Qwen2.5-VL write their chosen grounded answers, token for token, for any image and
// prompt: run by DocLens's own VLM engine and by transformers.js (the independent reference), read back by the
// family's decoder.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeOutput } from '../../src/inference/families/index.js';
import { loadVlm, type VlmModel } from '../../src/inference/vlm/engine.js';
import { loadReference, testCard, type Reference } from '../../src/inference/vlm/testing.js';
import {
  ensureScriptedModel,
  SCRIPTED_GROUNDED_ANSWER,
  SCRIPTED_JSON_ANSWER,
  scriptedChain,
} from './scripted-model.js';
import { QWEN_TOKENS } from './tiny-spec.js';

const ANSWER = SCRIPTED_GROUNDED_ANSWER;
/** The answer with special tokens skipped, as Qwen2-VL's grounding answers read in plain text. */
const PLAIN = 'total(12,34),(567 ,890)';
const OPTIONS = { family: 'qwen2-vl', answer: ANSWER } as const;
const image = (w: number, h: number, variant: number) => ({
  data: testCard(w, h, variant),
  width: w,
  height: h,
  channels: 3 as const,
});

describe('scripted tiny Qwen2-VL', () => {
  let dir = '';
  let vlm: VlmModel;
  let ref: Reference;
  let chain: number[] = [];

  before(async () => {
    dir = await ensureScriptedModel(OPTIONS);
    chain = scriptedChain(OPTIONS);
    vlm = await loadVlm(dir, { provider: 'cpu', threads: 1, dtype: 'fp32' });
    ref = await loadReference(dir, 'qwen2-vl');
  });
  after(async () => {
    await vlm?.dispose();
    await ref?.dispose();
  });

  test('the chain: "\\n" of the generation prompt, the answer token by token (real Qwen2 ids), <|im_end|>', () => {
    assert.deepEqual(chain, [
      198,
      151646,
      5035,
      151647,
      151648,
      7,
      16,
      17,
      11,
      18,
      19,
      23547,
      20,
      21,
      22,
      1154,
      23,
      24,
      15,
      8,
      151649,
      QWEN_TOKENS.imEnd,
    ]);
  });

  test("DocLens's engine writes exactly the answer for any image and prompt, then stops on <|im_end|>", async () => {
    const cases = [
      { images: [image(112, 84, 0)], question: 'Describe this image.' },
      { images: [image(300, 200, 1)], question: 'Where is the total? Answer with a box.' },
      { images: [image(56, 196, 2), image(224, 224, 3)], question: 'Compare the two pictures.' },
      { images: [], question: 'Hello' },
    ];
    for (const c of cases) {
      for (const raw of [false, true]) {
        const r = await vlm.generate({ ...c, raw, maxTokens: 64 });
        const what = `${c.images.length} image(s), "${c.question}", raw ${raw}`;
        assert.equal(r.raw, ANSWER, what);
        assert.equal(r.text, PLAIN, what);
        assert.equal(r.stop, 'eos', what);
        assert.deepEqual(r.tokenIds, chain.slice(1, -1), what);
      }
    }
  });

  test('the scripted token wins by a wide margin at the first step (prefill logits)', async () => {
    const logits = await vlm.prefillLogits({ images: [image(224, 168, 4)], question: 'What is this?' });
    const want = chain[1]!;
    let best = -Infinity;
    for (let i = 0; i < logits.length; i++) if (i !== want) best = Math.max(best, logits[i]!);
    assert.ok(logits[want]! - best > 100, `margin ${logits[want]! - best}`);
  });

  test('transformers.js generates the same ids (and <|im_end|>) from the same folder', async () => {
    for (const [w, h, v, q] of [
      [112, 84, 5, 'Describe this image.'],
      [224, 224, 6, 'Detect the bounding box of the total.'],
    ] as const) {
      const theirs = await ref.generate({ data: testCard(w, h, v), width: w, height: h }, q, 64);
      assert.deepEqual(theirs.tokens, chain.slice(1), `${w}×${h}`);
      assert.equal(
        ref.processor.batch_decode([theirs.tokens], { skip_special_tokens: false })[0],
        `${ANSWER}<|im_end|>`,
      );
      const mine = await vlm.generate({ images: [image(w, h, v)], question: q, raw: true, maxTokens: 64 });
      assert.deepEqual([...mine.tokenIds, QWEN_TOKENS.imEnd], theirs.tokens);
    }
  });

  test("the family's decoder reads the answer as one labelled box in 0–1000 units", () => {
    const out = decodeOutput('qwen2-vl', ANSWER);
    assert.deepEqual(out.boxes, [{ label: 'total', kind: 'box', x0: 12, y0: 34, x1: 567, y1: 890 }]);
    // Special tokens skipped (the OpenAI API's default content) still reads the same box.
    assert.deepEqual(decodeOutput('qwen2-vl', PLAIN).boxes, out.boxes);
  });

  test('an answer that repeats a token is refused, naming the token', () => {
    assert.throws(
      () => scriptedChain({ family: 'qwen2-vl', answer: '<|box_start|>(10,20),(30,40)<|box_end|>' }),
      /scripted answer "<\|box_start\|>\(10,20\),\(30,40\)<\|box_end\|>": token 15 \("0"\) occurs twice/,
    );
  });
});

describe('scripted tiny Qwen2.5-VL (JSON bbox_2d, the pair machine)', () => {
  const JSON_OPTIONS = { family: 'qwen2.5-vl', answer: SCRIPTED_JSON_ANSWER } as const;
  let dir = '';
  let vlm: VlmModel;
  let ref: Reference;
  let chain: number[] = [];

  before(async () => {
    dir = await ensureScriptedModel(JSON_OPTIONS);
    chain = scriptedChain(JSON_OPTIONS);
    vlm = await loadVlm(dir, { provider: 'cpu', threads: 1, dtype: 'fp32' });
    ref = await loadReference(dir, 'qwen2.5-vl');
  });
  after(async () => {
    await vlm?.dispose();
    await ref?.dispose();
  });

  test('the answer repeats tokens (so a bigram machine could not write it)', () => {
    const answer = chain.slice(1, -1);
    assert.equal(answer.length, 29);
    assert.equal(new Set(answer).size, 21);
  });

  test("DocLens's engine writes exactly the JSON answer for any image and prompt, long prompts included", async () => {
    const cases = [
      { images: [image(112, 84, 0)], question: 'Describe this image.' },
      { images: [image(300, 200, 1)], question: 'Outline the total in JSON: "bbox_2d", [1, 2], ", "' },
      { images: [image(56, 196, 2), image(224, 224, 3)], question: 'Compare the two pictures.' },
      // ≈ 2,400 prompt tokens: the previous-token head keeps its aim far from the start.
      { images: [image(224, 168, 4)], question: 'Where is the total on this receipt? '.repeat(300) },
      { images: [], question: 'Hello' },
    ];
    for (const c of cases) {
      for (const raw of [false, true]) {
        const r = await vlm.generate({ ...c, raw, maxTokens: 64 });
        const what = `${c.images.length} image(s), "${c.question.slice(0, 40)}", raw ${raw}, ${r.promptTokens} prompt tokens`;
        assert.equal(r.raw, SCRIPTED_JSON_ANSWER, what);
        assert.equal(r.text, SCRIPTED_JSON_ANSWER, what);
        assert.equal(r.stop, 'eos', what);
        assert.deepEqual(r.tokenIds, chain.slice(1, -1), what);
      }
    }
  });

  test('transformers.js generates the same ids (and <|im_end|>) from the same folder', async () => {
    for (const [w, h, v, q] of [
      [112, 84, 5, 'Describe this image.'],
      [224, 224, 6, 'Locate the total, report bbox coordinates in JSON format.'],
    ] as const) {
      const theirs = await ref.generate({ data: testCard(w, h, v), width: w, height: h }, q, 64);
      assert.deepEqual(theirs.tokens, chain.slice(1), `${w}×${h}`);
      assert.equal(
        ref.processor.batch_decode([theirs.tokens], { skip_special_tokens: false })[0],
        `${SCRIPTED_JSON_ANSWER}<|im_end|>`,
      );
    }
  });

  test("the family's decoder reads one labelled box in input pixels", () => {
    assert.deepEqual(decodeOutput('qwen2.5-vl', SCRIPTED_JSON_ANSWER).boxes, [
      { label: 'total', kind: 'box', x0: 12, y0: 34, x1: 256, y1: 158 },
    ]);
  });

  test('an answer with a repeated (previous, current) pair is refused, naming it', () => {
    assert.throws(
      () => scriptedChain({ family: 'qwen2.5-vl', answer: '[{"bbox_2d": [10, 20, 30, 40]}]' }),
      /: the pair "0" "," occurs twice; the pair machine needs each \(previous, current\) pair once/,
    );
  });
});
