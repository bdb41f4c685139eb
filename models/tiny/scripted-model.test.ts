// The scripted tiny Qwen2-VL writes its chosen grounded answer, token for token, for any image and prompt: run by
// DocLens's own VLM engine and by transformers.js (the independent reference), and read back by the family's decoder.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeOutput } from '../../src/inference/families/index.js';
import { loadVlm, type VlmModel } from '../../src/inference/vlm/engine.js';
import { loadReference, testCard, type Reference } from '../../src/inference/vlm/testing.js';
import { ensureScriptedModel, SCRIPTED_GROUNDED_ANSWER, scriptedChain } from './scripted-model.js';
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
