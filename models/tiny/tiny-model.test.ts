// Proves the generated graphs honour the onnx-community I/O contract under onnxruntime-node and really compute:
// every patch row and the grid reach the features, the KV cache is exact, M-RoPE reads all three position rows,
// and generation is byte-for-byte deterministic.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { ensureTinyModel, writeTinyModel } from './make-tiny-model.js';
import { mropeSlotRow, patchRow } from './qwen-vl-graphs.js';
import { TINY_FAMILIES, tinySpec, type TinyFamily } from './tiny-spec.js';

const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };

interface Sessions {
  vision: ort.InferenceSession;
  embed: ort.InferenceSession;
  decoder: ort.InferenceSession;
}

async function openSessions(family: TinyFamily): Promise<Sessions> {
  const dir = await ensureTinyModel({ family, size: 'tiny' });
  const open = (name: string): Promise<ort.InferenceSession> =>
    ort.InferenceSession.create(join(dir, 'onnx', `${name}.onnx`), SESSION_OPTIONS);
  return {
    vision: await open('vision_encoder'),
    embed: await open('embed_tokens'),
    decoder: await open('decoder_model_merged'),
  };
}

function meta(
  session: ort.InferenceSession,
  io: 'input' | 'output',
): Record<string, { type: string; shape: unknown }> {
  const list = io === 'input' ? session.inputMetadata : session.outputMetadata;
  const out: Record<string, { type: string; shape: unknown }> = {};
  for (const m of list) {
    assert.ok(m.isTensor, `${m.name} is a tensor`);
    out[m.name] = { type: m.type, shape: m.shape };
  }
  return out;
}

function floats(t: ort.Tensor | undefined): Float32Array {
  assert.ok(t && t.data instanceof Float32Array);
  return t.data;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return m;
}

function int64(values: number[], dims: number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values.map((v) => BigInt(v))), dims);
}

/** Deterministic pseudo-pixels for `n` patch rows. */
function pixels(n: number, row: number, phase = 0): Float32Array {
  return Float32Array.from({ length: n * row }, (_, i) => Math.sin(i * 0.013 + phase) * 1.5);
}

async function embed(s: Sessions, ids: number[]): Promise<Float32Array> {
  const out = await s.embed.run({ input_ids: int64(ids, [1, ids.length]) });
  return floats(out.inputs_embeds);
}

interface DecoderRun {
  logits: Float32Array;
  present: Record<string, ort.Tensor>;
}

/** One decoder call for batch 1: `embeds` [S·hidden], `positions` 3 rows of S, `past` from a previous call. */
async function decode(
  s: Sessions,
  family: TinyFamily,
  embeds: Float32Array,
  positions: number[][],
  past?: Record<string, ort.Tensor>,
): Promise<DecoderRun> {
  const spec = tinySpec(family, 'tiny');
  const seq = embeds.length / spec.hiddenSize;
  const pastLen = past ? (past['present.0.key']?.dims[2] ?? 0) : 0;
  const feeds: Record<string, ort.Tensor> = {
    inputs_embeds: new ort.Tensor('float32', embeds, [1, seq, spec.hiddenSize]),
    attention_mask: int64(new Array<number>(pastLen + seq).fill(1), [1, pastLen + seq]),
    position_ids: int64(positions.flat(), [3, 1, seq]),
  };
  for (let i = 0; i < spec.numLayers; i++) {
    for (const kind of ['key', 'value']) {
      feeds[`past_key_values.${i}.${kind}`] =
        past?.[`present.${i}.${kind}`] ??
        new ort.Tensor('float32', new Float32Array(0), [1, spec.numKvHeads, 0, spec.headDim]);
    }
  }
  const out = await s.decoder.run(feeds);
  const present: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(out)) if (name.startsWith('present.')) present[name] = t;
  return { logits: floats(out.logits), present };
}

function lastRow(logits: Float32Array, vocab: number): Float32Array {
  return logits.slice(logits.length - vocab);
}

const TEXT_IDS = [
  151644, 872, 198, 151652, 9707, 11, 1879, 0, 2585, 3555, 13, 151645, 198, 151644, 77091, 198,
];
const linear = (n: number, start = 0): number[][] =>
  [0, 1, 2].map(() => Array.from({ length: n }, (_, i) => start + i));

for (const family of TINY_FAMILIES) {
  describe(`tiny ${family}`, () => {
    const spec = tinySpec(family, 'tiny');
    const PATCH_ROW = patchRow(spec);
    const sessionsPromise = openSessions(family);

    test('graphs load in onnxruntime-node with the onnx-community I/O contract', async () => {
      const s = await sessionsPromise;
      const grid = family === 'qwen2-vl' ? 'grid_thw' : 'image_grid_thw';
      assert.deepEqual(s.vision.inputNames, ['pixel_values', grid]);
      assert.deepEqual(s.vision.outputNames, ['image_features']);
      assert.deepEqual(meta(s.vision, 'input'), {
        pixel_values: { type: 'float32', shape: ['num_patches', family === 'qwen3-vl' ? 1536 : 1176] },
        [grid]: { type: 'int64', shape: ['num_images', 3] },
      });
      assert.deepEqual(meta(s.vision, 'output'), {
        image_features: { type: 'float32', shape: ['num_image_tokens', spec.hiddenSize] },
      });

      assert.deepEqual(s.embed.inputNames, ['input_ids']);
      assert.deepEqual(s.embed.outputNames, ['inputs_embeds']);
      assert.deepEqual(meta(s.embed, 'input'), {
        input_ids: { type: 'int64', shape: ['batch_size', 'sequence_length'] },
      });
      assert.deepEqual(meta(s.embed, 'output'), {
        inputs_embeds: { type: 'float32', shape: ['batch_size', 'sequence_length', spec.hiddenSize] },
      });

      const pastNames = Array.from({ length: spec.numLayers }, (_, i) => [
        `past_key_values.${i}.key`,
        `past_key_values.${i}.value`,
      ]).flat();
      assert.deepEqual(s.decoder.inputNames, [
        'inputs_embeds',
        'attention_mask',
        'position_ids',
        ...pastNames,
      ]);
      assert.deepEqual(s.decoder.outputNames, [
        'logits',
        ...pastNames.map((n) => n.replace('past_key_values', 'present')),
      ]);
      const kvIn = {
        type: 'float32',
        shape: ['batch_size', spec.numKvHeads, 'past_sequence_length', spec.headDim],
      };
      const kvOut = {
        type: 'float32',
        shape: ['batch_size', spec.numKvHeads, 'total_sequence_length', spec.headDim],
      };
      assert.deepEqual(meta(s.decoder, 'input'), {
        inputs_embeds: { type: 'float32', shape: ['batch_size', 'sequence_length', spec.hiddenSize] },
        attention_mask: { type: 'int64', shape: ['batch_size', 'total_sequence_length'] },
        position_ids: { type: 'int64', shape: [3, 'batch_size', 'sequence_length'] },
        ...Object.fromEntries(pastNames.map((n) => [n, kvIn])),
      });
      assert.deepEqual(meta(s.decoder, 'output'), {
        logits: { type: 'float32', shape: ['batch_size', 'sequence_length', spec.vocabSize] },
        ...Object.fromEntries(pastNames.map((n) => [n.replace('past_key_values', 'present'), kvOut])),
      });
      assert.ok(spec.numKvHeads < spec.numHeads, 'tiny model exercises GQA');
    });

    test('vision encoder consumes every patch row (1176 wide; Qwen3-VL 1536), the grid, and merges 2×2', async () => {
      const s = await sessionsPromise;
      const gridName = s.vision.inputNames[1] ?? '';
      const run = async (px: Float32Array, gh: number, gw: number): Promise<ort.Tensor> => {
        const out = await s.vision.run({
          pixel_values: new ort.Tensor('float32', px, [gh * gw, PATCH_ROW]),
          [gridName]: int64([1, gh, gw], [1, 3]),
        });
        assert.ok(out.image_features);
        return out.image_features;
      };
      const base = pixels(64, PATCH_ROW);
      const ref = await run(base, 8, 8);
      assert.deepEqual(ref.dims, [16, spec.hiddenSize]);
      // Perturbing the last value of any single row changes the features: no row or column is ignored.
      for (const row of [0, 1, 2, 3, 37, 63]) {
        const px = base.slice();
        const at = row * PATCH_ROW + PATCH_ROW - 1;
        px[at] = (px[at] ?? 0) + 1;
        assert.ok(
          maxAbsDiff(floats(await run(px, 8, 8)), floats(ref)) > 1e-4,
          `row ${row} reaches the features`,
        );
      }
      // Same rows under another grid: the 2-D rotary positions come from grid_thw.
      const other = await run(base, 4, 16);
      assert.deepEqual(other.dims, [16, spec.hiddenSize]);
      assert.ok(maxAbsDiff(floats(other), floats(ref)) > 1e-4, 'grid changes the features');
      // Dynamic patch count (12×10 grid → 30 tokens).
      assert.deepEqual((await run(pixels(120, PATCH_ROW, 1), 12, 10)).dims, [30, spec.hiddenSize]);
    });

    test('KV cache is real: prefix + cached continuation equals the full sequence', async () => {
      const s = await sessionsPromise;
      const embeds = await embed(s, TEXT_IDS);
      const n = TEXT_IDS.length;
      const H = spec.hiddenSize;
      const full = await decode(s, family, embeds, linear(n));
      assert.equal(full.logits.length, n * spec.vocabSize);
      assert.deepEqual(full.present['present.0.key']?.dims, [1, spec.numKvHeads, n, spec.headDim]);

      const split = 10;
      const prefix = await decode(s, family, embeds.slice(0, split * H), linear(split));
      assert.deepEqual(prefix.present['present.1.value']?.dims, [1, spec.numKvHeads, split, spec.headDim]);
      const rest = await decode(s, family, embeds.slice(split * H), linear(n - split, split), prefix.present);
      assert.deepEqual(rest.present['present.0.key']?.dims, [1, spec.numKvHeads, n, spec.headDim]);
      const diff = maxAbsDiff(lastRow(rest.logits, spec.vocabSize), lastRow(full.logits, spec.vocabSize));
      assert.ok(diff < 1e-4, `cached continuation matches (max diff ${diff})`);

      // One token at a time from the prefix, as generation does.
      let past = prefix.present;
      let step: DecoderRun = prefix;
      for (let i = split; i < n; i++) {
        step = await decode(s, family, embeds.slice(i * H, (i + 1) * H), linear(1, i), past);
        past = step.present;
      }
      const stepDiff = maxAbsDiff(step.logits, lastRow(full.logits, spec.vocabSize));
      assert.ok(stepDiff < 1e-4, `token-by-token decode matches (max diff ${stepDiff})`);

      // The cache is actually read: a corrupted past changes the continuation.
      const key = prefix.present['present.0.key'];
      assert.ok(key);
      const corrupted = {
        ...prefix.present,
        'present.0.key': new ort.Tensor(
          'float32',
          floats(key).map((v) => v * -1),
          key.dims,
        ),
      };
      const wrong = await decode(s, family, embeds.slice(split * H), linear(n - split, split), corrupted);
      assert.ok(maxAbsDiff(wrong.logits, rest.logits) > 1e-3, 'past_key_values influence the logits');
    });

    test('attention_mask hides left padding in a batch of two', async () => {
      const s = await sessionsPromise;
      const H = spec.hiddenSize;
      const V = spec.vocabSize;
      const long = TEXT_IDS.slice(0, 10);
      const short = TEXT_IDS.slice(2, 10);
      const aloneLong = lastRow(
        (await decode(s, family, await embed(s, long), linear(long.length))).logits,
        V,
      );
      const aloneShort = lastRow(
        (await decode(s, family, await embed(s, short), linear(short.length))).logits,
        V,
      );
      // Row 0: two junk tokens masked out, then `short` (positions from 0, pads at 1 like HF); row 1: `long`.
      const seq = long.length;
      const row0 = await embed(s, [5000, 6000, ...short]);
      const row1 = await embed(s, long);
      const batch = new Float32Array(2 * seq * H);
      batch.set(row0);
      batch.set(row1, seq * H);
      const shortPos = [1, 1, ...short.map((_, i) => i)];
      const longPos = long.map((_, i) => i);
      const feeds: Record<string, ort.Tensor> = {
        inputs_embeds: new ort.Tensor('float32', batch, [2, seq, H]),
        attention_mask: int64([0, 0, ...short.map(() => 1), ...long.map(() => 1)], [2, seq]),
        position_ids: int64(
          [0, 1, 2].flatMap(() => [...shortPos, ...longPos]),
          [3, 2, seq],
        ),
      };
      for (let i = 0; i < spec.numLayers; i++) {
        for (const kind of ['key', 'value']) {
          const empty = new Float32Array(0);
          feeds[`past_key_values.${i}.${kind}`] = new ort.Tensor('float32', empty, [
            2,
            spec.numKvHeads,
            0,
            spec.headDim,
          ]);
        }
      }
      const out = await s.decoder.run(feeds);
      const logits = floats(out.logits);
      assert.deepEqual(out.logits?.dims, [2, seq, V]);
      assert.deepEqual(out['present.0.key']?.dims, [2, spec.numKvHeads, seq, spec.headDim]);
      const d0 = maxAbsDiff(logits.slice((seq - 1) * V, seq * V), aloneShort);
      const d1 = maxAbsDiff(logits.slice((2 * seq - 1) * V), aloneLong);
      assert.ok(d0 < 1e-4, `masked padding is invisible (max diff ${d0})`);
      assert.ok(d1 < 1e-4, `batch rows are independent (max diff ${d1})`);
    });

    test('M-RoPE is real: the h and w position rows change the logits, a common shift does not', async () => {
      const s = await sessionsPromise;
      const embeds = await embed(s, TEXT_IDS);
      const n = TEXT_IDS.length;
      const base = linear(n);
      const ref = lastRow((await decode(s, family, embeds, base)).logits, spec.vocabSize);
      const t = base[0] ?? [];
      const grid = Array.from({ length: n }, (_, i) => (i >= 4 && i < 12 ? 4 + Math.floor((i - 4) / 4) : i));
      const cols = Array.from({ length: n }, (_, i) => (i >= 4 && i < 12 ? 4 + ((i - 4) % 4) : i));
      for (const [label, rows] of [
        ['h row', [t, grid, t]],
        ['w row', [t, t, cols]],
        ['h and w rows', [t, grid, cols]],
      ] as const) {
        const out = lastRow(
          (
            await decode(
              s,
              family,
              embeds,
              rows.map((r) => [...r]),
            )
          ).logits,
          spec.vocabSize,
        );
        assert.ok(maxAbsDiff(out, ref) > 1e-3, `${label} changes the logits`);
      }
      // Changing only the t row also matters (the temporal section).
      const tShift = lastRow((await decode(s, family, embeds, [grid, t, t])).logits, spec.vocabSize);
      assert.ok(maxAbsDiff(tShift, ref) > 1e-3, 't row changes the logits');
      // RoPE is relative: shifting all three rows by the same offset leaves the logits unchanged.
      const shifted = lastRow((await decode(s, family, embeds, linear(n, 7))).logits, spec.vocabSize);
      assert.ok(maxAbsDiff(shifted, ref) < 1e-3, 'a common offset is invisible');
    });
  });
}

test('Qwen3-VL slots are interleaved like apply_interleaved_mrope: THWTHWTT at [4,2,2], THW…THW TTTT at [24,20,20]', () => {
  const tiny = tinySpec('qwen3-vl', 'tiny');
  const letters = (spec: typeof tiny, n: number) =>
    Array.from({ length: n }, (_, j) => 'THW'[mropeSlotRow(spec, j)]).join('');
  assert.equal(letters(tiny, 8), 'THWTHWTT');
  const real = { ...tiny, mropeSection: [24, 20, 20] as [number, number, number] };
  assert.equal(letters(real, 64), 'THW'.repeat(20) + 'TTTT');
  // Qwen2-VL's chunked layout for contrast: [2,3,3] → TTHHHWWW.
  assert.equal(letters(tinySpec('qwen2-vl', 'tiny'), 8), 'TTHHHWWW');
});

test('fp16 variants: same names, float16 float I/O (pixel_values stays float32), logits close to fp32', async () => {
  const family: TinyFamily = 'qwen2-vl';
  const spec = tinySpec(family, 'tiny');
  const dir = await ensureTinyModel({ family, size: 'tiny' });
  const open = (name: string): Promise<ort.InferenceSession> =>
    ort.InferenceSession.create(join(dir, 'onnx', `${name}.onnx`), SESSION_OPTIONS);
  const [vision, embedding, decoder, decoder32] = await Promise.all([
    open('vision_encoder_fp16'),
    open('embed_tokens_fp16'),
    open('decoder_model_merged_fp16'),
    open('decoder_model_merged'),
  ]);
  const types = (session: ort.InferenceSession, io: 'input' | 'output'): Record<string, string> =>
    Object.fromEntries(Object.entries(meta(session, io)).map(([k, v]) => [k, v.type]));
  assert.deepEqual(types(vision, 'input'), { pixel_values: 'float32', grid_thw: 'int64' });
  assert.deepEqual(types(vision, 'output'), { image_features: 'float16' });
  assert.deepEqual(types(embedding, 'output'), { inputs_embeds: 'float16' });
  const decoderIn = types(decoder, 'input');
  assert.deepEqual(decoder.inputNames, decoder32.inputNames);
  assert.deepEqual(decoder.outputNames, decoder32.outputNames);
  assert.equal(decoderIn.inputs_embeds, 'float16');
  assert.equal(decoderIn.attention_mask, 'int64');
  assert.equal(decoderIn.position_ids, 'int64');
  assert.equal(decoderIn['past_key_values.0.key'], 'float16');
  assert.ok(Object.values(types(decoder, 'output')).every((t) => t === 'float16'));

  // Same prompt through both precisions: float16 bit patterns travel as Uint16Array.
  const ids = TEXT_IDS;
  const e16 = (await embedding.run({ input_ids: int64(ids, [1, ids.length]) })).inputs_embeds;
  assert.ok(e16 && e16.type === 'float16');
  const feeds = (embeds: ort.Tensor, type: 'float32' | 'float16'): Record<string, ort.Tensor> => {
    const f: Record<string, ort.Tensor> = {
      inputs_embeds: embeds,
      attention_mask: int64(new Array<number>(ids.length).fill(1), [1, ids.length]),
      position_ids: int64(linear(ids.length).flat(), [3, 1, ids.length]),
    };
    for (let i = 0; i < spec.numLayers; i++) {
      for (const kind of ['key', 'value']) {
        const empty = type === 'float16' ? new Uint16Array(0) : new Float32Array(0);
        f[`past_key_values.${i}.${kind}`] = new ort.Tensor(type, empty, [
          1,
          spec.numKvHeads,
          0,
          spec.headDim,
        ]);
      }
    }
    return f;
  };
  const out16 = await decoder.run(feeds(e16, 'float16'));
  assert.ok(out16.logits && out16.logits.data instanceof Uint16Array);
  const s32 = await openSessions(family);
  const out32 = await decode(s32, family, await embed(s32, ids), linear(ids.length));
  const last16 = out16.logits.data.slice(out16.logits.data.length - spec.vocabSize);
  const half = (bits: number): number => {
    const exp = (bits >> 10) & 0x1f;
    const frac = bits & 0x3ff;
    const mag = exp === 0 ? frac * 2 ** -24 : (1 + frac / 1024) * 2 ** (exp - 15);
    return bits & 0x8000 ? -mag : mag;
  };
  const last32 = lastRow(out32.logits, spec.vocabSize);
  let maxErr = 0;
  let scale = 0;
  for (let i = 0; i < spec.vocabSize; i++) {
    maxErr = Math.max(maxErr, Math.abs(half(last16[i] ?? 0) - (last32[i] ?? 0)));
    scale = Math.max(scale, Math.abs(last32[i] ?? 0));
  }
  assert.ok(maxErr < 0.05 * scale, `fp16 logits track fp32 (max err ${maxErr}, scale ${scale})`);
});

function hashTree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) Object.assign(out, hashTree(path, `${prefix}${name}/`));
    else out[`${prefix}${name}`] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

test('generation is deterministic: two tiny Qwen2.5-VL generations hash identically', () => {
  const root = mkdtempSync(join(tmpdir(), 'doclens-tiny-'));
  try {
    const started = Date.now();
    writeTinyModel(join(root, 'a'), { family: 'qwen2.5-vl', size: 'tiny' });
    const elapsed = Date.now() - started;
    writeTinyModel(join(root, 'b'), { family: 'qwen2.5-vl', size: 'tiny' });
    const a = hashTree(join(root, 'a'));
    assert.deepEqual(hashTree(join(root, 'b')), a);
    assert.ok(Object.keys(a).includes('onnx/decoder_model_merged.onnx'));
    assert.ok(elapsed < 15_000, `tiny generation took ${elapsed} ms`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
