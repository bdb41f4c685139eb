// `npm run bench:vlm`: DocLens's VLM engine vs transformers.js (the reference, same ONNX files, same threads) on
// the ~100M-parameter generated model of each family (Qwen2-VL, Qwen3-VL; `--family` picks one), same image and
// prompt, greedy: vision-encoder ms, prefill ms, time to first token, decode tokens/s, and DocLens's
// follow-up-question TTFT on the same page (image + prefix caches). Two images per family by default: a small one
// (Qwen2-VL 448×336 = 192 image tokens; Qwen3-VL 448×320 = 140) and a Letter-shaped page near the default budget
// of 1280 image tokens (868×1120 and 992×1280, 1240 tokens each). Sides are multiples of the family's 28 / 32 px,
// so neither engine resizes and their greedy ids must agree; --sizes WxH,... picks others (sizes the model must
// resize differ by design: DocLens resizes with antialiasing, as Qwen's Python does).
// LLaVA-OneVision (`--family llava-onevision`): transformers.js has no AnyRes (docs/llava-onevision.md), so the
// engines are compared on a text-only prompt (greedy ids must agree); the image runs are DocLens's AnyRes path
// (base + tiles) next to transformers.js on one squashed 384 px tile with <image> expanded by the caller — different
// work by design, printed with each side's prompt length, not as a ratio.
import { availableParallelism } from 'node:os';
import { basename, dirname } from 'node:path';
import { parseArgs } from 'node:util';
import {
  AutoProcessor,
  AutoTokenizer,
  LlavaOnevisionForConditionalGeneration,
  Qwen2VLForConditionalGeneration,
  Qwen3VLForConditionalGeneration,
  RawImage,
  Tensor,
  env,
} from '@huggingface/transformers';
import { ensureTinyModel } from '../models/tiny/make-tiny-model.js';
import { loadVlm } from '../src/inference/vlm/index.js';
import { testCard } from '../src/inference/vlm/testing.js';

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '64' },
    runs: { type: 'string', default: '3' },
    threads: { type: 'string' },
    size: { type: 'string', default: 'bench' },
    sizes: { type: 'string' },
    family: { type: 'string', default: 'all' },
  },
});
const BENCH_FAMILIES = ['qwen2-vl', 'qwen3-vl', 'llava-onevision'] as const;
type BenchFamily = (typeof BENCH_FAMILIES)[number];
type QwenFamily = Exclude<BenchFamily, 'llava-onevision'>;
const DEFAULT_SIZES: Record<BenchFamily, string> = {
  'qwen2-vl': '448x336,868x1120',
  'qwen3-vl': '448x320,992x1280',
  // A small image (2×1 pinpoint canvas) and a Letter-shaped page near the anyres_max_9 cap.
  'llava-onevision': '448x336,868x1120',
};
const FAMILY_LIST: BenchFamily[] =
  values.family === 'all'
    ? [...BENCH_FAMILIES]
    : (BENCH_FAMILIES as readonly string[]).includes(values.family ?? '')
      ? [values.family as BenchFamily]
      : (() => {
          throw new Error(`--family takes ${BENCH_FAMILIES.join(', ')} or all; got ${values.family}`);
        })();
const FACTOR: Record<QwenFamily, number> = { 'qwen2-vl': 28, 'qwen3-vl': 32 };
const NEW_TOKENS = Number(values.tokens);
const RUNS = Number(values.runs);
const THREADS = values.threads ? Number(values.threads) : availableParallelism();
const SIZE = values.size === 'tiny' ? 'tiny' : 'bench';
const sizesOf = (family: BenchFamily) =>
  (values.sizes ?? DEFAULT_SIZES[family]).split(',').map((wh) => {
    const [w, h] = wh.split('x').map(Number);
    if (!w || !h) throw new Error(`--sizes takes WxH,WxH...; got ${wh}`);
    return { w, h };
  });
const QUESTION = 'Describe this image in detail.';
const FOLLOW_UP = 'What colours does it use?';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
const fmt = (x: number | null, digits = 1): string =>
  x === null || !Number.isFinite(x) ? '—' : x.toFixed(digits);

interface Row {
  vision: number | null;
  prefill: number | null;
  ttft: number;
  decode: number;
  tokens: number[];
}

async function main(family: QwenFamily, W: number, H: number): Promise<void> {
  const dir = await ensureTinyModel({ family, size: SIZE });
  const data = testCard(W, H, 1);
  console.log(
    `bench:vlm — model ${basename(dir)}, image ${W}×${H}, ${NEW_TOKENS} new tokens, greedy, ${THREADS} thread(s), median of ${RUNS * 2} (after one warm-up, each engine first in half of them)`,
  );

  // Both engines are loaded side by side and run alternately, so load from other processes hits both alike.
  const vlm = await loadVlm(dir, { provider: 'cpu', threads: THREADS, dtype: 'fp32' });
  const image = { data, width: W, height: H, channels: 3 as const, cacheKey: 'bench-page' };
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${dirname(dir)}/`;
  const id = basename(dir);
  const Model = family === 'qwen3-vl' ? Qwen3VLForConditionalGeneration : Qwen2VLForConditionalGeneration;
  const model = await Model.from_pretrained(id, {
    local_files_only: true,
    dtype: 'fp32',
    session_options: { intraOpNumThreads: THREADS, interOpNumThreads: 1 },
  });
  const processor = await AutoProcessor.from_pretrained(id, { local_files_only: true });
  const prompt = processor.apply_chat_template(
    [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: QUESTION }] }],
    { add_generation_prompt: true },
  );

  const ours: Row[] = [];
  const theirs: Row[] = [];
  const followUps: number[] = [];
  let promptTokens = 0;
  const runOurs = async () => {
    // DocLens: a cold question (caches cleared), then a follow-up on the same page.
    vlm.clearCaches();
    const cold = await vlm.generate({
      images: [image],
      question: QUESTION,
      raw: true,
      maxTokens: NEW_TOKENS,
    });
    const follow = await vlm.generate({ images: [image], question: FOLLOW_UP, raw: true, maxTokens: 8 });
    if (follow.cache.visionRuns !== 0) throw new Error('the follow-up question ran the vision encoder again');
    promptTokens = cold.promptTokens;
    return { cold, follow };
  };
  const runTheirs = async () => {
    // transformers.js: processor + generate; TTFT = until the first logits reach the logits processors.
    const t0 = performance.now();
    const inputs = (await processor(prompt, new RawImage(new Uint8ClampedArray(data), W, H, 3))) as Record<
      string,
      Tensor
    >;
    return tjsGenerate(model, inputs, t0);
  };
  // The engines take turns going first (measured: whichever runs second on this machine decodes a few % slower).
  for (let i = 0; i <= RUNS * 2; i++) {
    let oursRun: Awaited<ReturnType<typeof runOurs>>;
    let theirsRun: Awaited<ReturnType<typeof runTheirs>>;
    if (i % 2 === 0) {
      oursRun = await runOurs();
      theirsRun = await runTheirs();
    } else {
      theirsRun = await runTheirs();
      oursRun = await runOurs();
    }
    const { cold, follow } = oursRun;
    if (i === 0) continue; // warm-up
    ours.push({
      vision: cold.timings.vision_ms,
      prefill: cold.timings.prefill_ms,
      ttft: cold.timings.ttft_ms ?? NaN,
      decode: cold.timings.decode_tokens_per_s ?? NaN,
      tokens: cold.tokenIds,
    });
    followUps.push(follow.timings.ttft_ms ?? NaN);
    theirs.push({ vision: null, prefill: null, ...theirsRun });
  }
  await vlm.dispose();
  await model.dispose();

  // ---- report ------------------------------------------------------------------------------------------------
  const same = ours.every((r, i) => r.tokens.join() === theirs[i]?.tokens.join());
  const o = {
    vision: median(ours.map((r) => r.vision ?? NaN)),
    prefill: median(ours.map((r) => r.prefill ?? NaN)),
    ttft: median(ours.map((r) => r.ttft)),
    decode: median(ours.map((r) => r.decode)),
    follow: median(followUps),
  };
  const t = { ttft: median(theirs.map((r) => r.ttft)), decode: median(theirs.map((r) => r.decode)) };
  const f = FACTOR[family];
  console.log(`prompt: ${promptTokens} tokens (${(W / f) * (H / f)} image tokens)`);
  console.log('');
  console.log('                          DocLens   transformers.js');
  console.log(`vision encoder ms        ${fmt(o.vision).padStart(8)}   ${'(in TTFT)'.padStart(15)}`);
  console.log(`prefill ms               ${fmt(o.prefill).padStart(8)}   ${'(in TTFT)'.padStart(15)}`);
  console.log(`time to first token ms   ${fmt(o.ttft).padStart(8)}   ${fmt(t.ttft).padStart(15)}`);
  console.log(`decode tokens/s          ${fmt(o.decode).padStart(8)}   ${fmt(t.decode).padStart(15)}`);
  console.log(`follow-up TTFT ms        ${fmt(o.follow).padStart(8)}   ${'—'.padStart(15)}`);
  console.log('');
  console.log(`decode ratio (DocLens / transformers.js): ${fmt(o.decode / t.decode, 2)}×  (goal ≥ 1.0)`);
  console.log(`TTFT ratio (DocLens / transformers.js):   ${fmt(o.ttft / t.ttft, 2)}×`);
  console.log(`follow-up / cold TTFT (DocLens):          ${fmt(o.follow / o.ttft, 2)}×  (goal ≤ 0.2)`);
  console.log(`greedy ids identical in every run: ${same ? 'yes' : 'NO'}`);
  if (!same) process.exitCode = 1;
}

/** transformers.js greedy generate on ready inputs: TTFT (until the first logits) and decode tokens/s. */
async function tjsGenerate(
  model: { generate: (o: Record<string, unknown>) => Promise<unknown> },
  inputs: Record<string, Tensor>,
  t0: number,
): Promise<{ ttft: number; decode: number; tokens: number[] }> {
  let tFirst = 0;
  const onLogits = (_ids: unknown, logits: Tensor): Tensor => {
    if (tFirst === 0) tFirst = performance.now();
    return logits;
  };
  const out = await model.generate({
    ...inputs,
    max_new_tokens: NEW_TOKENS,
    do_sample: false,
    repetition_penalty: 1.0,
    logits_processor: [onLogits] as never,
  });
  const tEnd = performance.now();
  const ids = inputs.input_ids;
  if (!(out instanceof Tensor) || !ids) throw new Error('transformers.js returned no ids');
  const tokens = Array.from(out.data as BigInt64Array, Number).slice(ids.dims[1]);
  // The first token comes out of the prefill; the other N−1 are decode steps.
  return { ttft: tFirst - t0, decode: ((tokens.length - 1) * 1000) / (tEnd - tFirst), tokens };
}

/** LLaVA-OneVision: text-only parity run (both engines) and the image runs (see the header for why not a ratio). */
async function mainOneVision(sizes: { w: number; h: number }[]): Promise<void> {
  const dir = await ensureTinyModel({ family: 'llava-onevision', size: SIZE });
  console.log(
    `bench:vlm — model ${basename(dir)}, ${NEW_TOKENS} new tokens, greedy, ${THREADS} thread(s), median of ${RUNS * 2} (after one warm-up, engines alternating)`,
  );
  const vlm = await loadVlm(dir, { provider: 'cpu', threads: THREADS, dtype: 'fp32' });
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${dirname(dir)}/`;
  const id = basename(dir);
  const model = await LlavaOnevisionForConditionalGeneration.from_pretrained(id, {
    local_files_only: true,
    dtype: 'fp32',
    session_options: { intraOpNumThreads: THREADS, interOpNumThreads: 1 },
  });
  const processor = await AutoProcessor.from_pretrained(id, { local_files_only: true });
  const tokenizer = await AutoTokenizer.from_pretrained(id, { local_files_only: true });
  const encode = (prompt: string): Record<string, Tensor> => {
    const input_ids = (tokenizer(prompt) as { input_ids: Tensor }).input_ids;
    const mask = new Tensor('int64', new BigInt64Array(input_ids.dims[1]).fill(1n), input_ids.dims);
    return { input_ids, attention_mask: mask };
  };
  const alternate = async <A, B>(ours: () => Promise<A>, theirs: () => Promise<B>): Promise<[A, B][]> => {
    const rows: [A, B][] = [];
    for (let i = 0; i <= RUNS * 2; i++) {
      const row: [A, B] =
        i % 2 === 0 ? [await ours(), await theirs()] : await theirs().then(async (b) => [await ours(), b]);
      if (i > 0) rows.push(row); // i = 0: warm-up
    }
    return rows;
  };

  // 1. Text only: the same prompt through both engines; the greedy ids must agree.
  const textPrompt = `<|im_start|>user\n${QUESTION}<|im_end|>\n<|im_start|>assistant\n`;
  const text = await alternate(
    async () => {
      vlm.clearCaches();
      return vlm.generate({ question: QUESTION, raw: true, maxTokens: NEW_TOKENS });
    },
    async () => {
      const t0 = performance.now();
      return tjsGenerate(model, encode(textPrompt), t0);
    },
  );
  const textSame = text.every(([o, t]) => o.tokenIds.join() === t.tokens.join());
  console.log('');
  console.log(`text only (no image), prompt ${text[0]?.[0].promptTokens ?? '?'} tokens`);
  console.log('                          DocLens   transformers.js');
  const oT = median(text.map(([o]) => o.timings.ttft_ms ?? NaN));
  const tT = median(text.map(([, t]) => t.ttft));
  const oD = median(text.map(([o]) => o.timings.decode_tokens_per_s ?? NaN));
  const tD = median(text.map(([, t]) => t.decode));
  console.log(`time to first token ms   ${fmt(oT).padStart(8)}   ${fmt(tT).padStart(15)}`);
  console.log(`decode tokens/s          ${fmt(oD).padStart(8)}   ${fmt(tD).padStart(15)}`);
  console.log(`decode ratio (DocLens / transformers.js): ${fmt(oD / tD, 2)}×  (goal ≥ 1.0)`);
  console.log(`TTFT ratio (DocLens / transformers.js):   ${fmt(oT / tT, 2)}×`);
  console.log(`greedy ids identical in every run: ${textSame ? 'yes' : 'NO'}`);
  if (!textSame) process.exitCode = 1;

  // 2. Images: DocLens's AnyRes (base + tiles) vs transformers.js on one squashed tile.
  for (const { w: W, h: H } of sizes) {
    const data = testCard(W, H, 1);
    const image = { data, width: W, height: H, channels: 3 as const, cacheKey: `bench-page-${W}x${H}` };
    const followUps: number[] = [];
    let tilePrompt = 0;
    const rows = await alternate(
      async () => {
        vlm.clearCaches();
        const cold = await vlm.generate({
          images: [image],
          question: QUESTION,
          raw: true,
          maxTokens: NEW_TOKENS,
        });
        const follow = await vlm.generate({ images: [image], question: FOLLOW_UP, raw: true, maxTokens: 8 });
        if (follow.cache.visionRuns !== 0)
          throw new Error('the follow-up question ran the vision encoder again');
        followUps.push(follow.timings.ttft_ms ?? NaN);
        return cold;
      },
      async () => {
        const t0 = performance.now();
        const { pixel_values } = (await processor(new RawImage(new Uint8ClampedArray(data), W, H, 3))) as {
          pixel_values: Tensor;
        };
        // One tile's features: ⌊side / patch⌋² (transformers.js does not expand <image> itself).
        const [, , side] = pixel_values.dims;
        const features = Math.floor((side ?? 0) / 14) ** 2;
        const prompt = `<|im_start|>user\n${'<image>'.repeat(features)}\n${QUESTION}<|im_end|>\n<|im_start|>assistant\n`;
        const inputs: Record<string, Tensor> = { ...encode(prompt), pixel_values };
        tilePrompt = inputs.input_ids?.dims[1] ?? 0;
        return tjsGenerate(model, inputs, t0);
      },
    );
    followUps.shift(); // the warm-up's
    const o = {
      vision: median(rows.map(([c]) => c.timings.vision_ms ?? NaN)),
      prefill: median(rows.map(([c]) => c.timings.prefill_ms ?? NaN)),
      ttft: median(rows.map(([c]) => c.timings.ttft_ms ?? NaN)),
      decode: median(rows.map(([c]) => c.timings.decode_tokens_per_s ?? NaN)),
      follow: median(followUps),
    };
    const t = { ttft: median(rows.map(([, r]) => r.ttft)), decode: median(rows.map(([, r]) => r.decode)) };
    console.log('');
    console.log(
      `image ${W}×${H}: DocLens AnyRes prompt ${rows[0]?.[0].promptTokens ?? '?'} tokens; transformers.js one squashed tile, prompt ${tilePrompt} tokens`,
    );
    console.log('                          DocLens   transformers.js');
    console.log(`vision encoder ms        ${fmt(o.vision).padStart(8)}   ${'(in TTFT)'.padStart(15)}`);
    console.log(`prefill ms               ${fmt(o.prefill).padStart(8)}   ${'(in TTFT)'.padStart(15)}`);
    console.log(`time to first token ms   ${fmt(o.ttft).padStart(8)}   ${fmt(t.ttft).padStart(15)}`);
    console.log(`decode tokens/s          ${fmt(o.decode).padStart(8)}   ${fmt(t.decode).padStart(15)}`);
    console.log(`follow-up TTFT ms        ${fmt(o.follow).padStart(8)}   ${'—'.padStart(15)}`);
    console.log(`follow-up / cold TTFT (DocLens):          ${fmt(o.follow / o.ttft, 2)}×  (goal ≤ 0.2)`);
  }
  await vlm.dispose();
  await model.dispose();
}

try {
  let first = true;
  for (const family of FAMILY_LIST) {
    if (family === 'llava-onevision') {
      if (!first) console.log('');
      first = false;
      await mainOneVision(sizesOf(family));
      continue;
    }
    for (const { w, h } of sizesOf(family)) {
      if (!first) console.log('');
      first = false;
      await main(family, w, h);
    }
  }
} catch (e: unknown) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
}
