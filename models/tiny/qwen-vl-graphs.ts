// The three onnx-community Qwen2-VL / Qwen2.5-VL / Qwen3-VL graphs (vision_encoder, embed_tokens,
// decoder_model_merged) with the real I/O names, dtypes and symbolic dims, built from real ops (patch embed, 2-D
// rotary ViT block, 2×2 merger; RMSNorm, M-RoPE — chunked or Qwen3's interleaved —, GQA attention over
// concat(past, new), SwiGLU, lm_head) on seeded weights; Qwen3-VL optionally with DeepStack I/O.
import { DataType, GraphBuilder } from './onnx-graph.js';
import { SeededWeights } from './seeded-weights.js';
import { QWEN_TOKENS, type TinySpec } from './tiny-spec.js';

/** channels · temporal_patch_size · patch_size²: 1176 at patch 14, 1536 at patch 16. */
export function patchRow(spec: TinySpec): number {
  return 3 * 2 * spec.vision.patchSize * spec.vision.patchSize;
}
export const PATCH_ROW = 3 * 2 * 14 * 14;

/** DeepStack I/O names of the generated Qwen3-VL `--deepstack` variant (the layout models/export writes too). */
export const DEEPSTACK_OUTPUT = (k: number): string => `deepstack_features.${k}`;
export const DEEPSTACK_INPUT = (k: number): string => `deepstack_embeds.${k}`;
const OPSET = 14;

// Init gains, tuned so greedy decoding of random weights stays varied: sharp position-dependent attention (q/k),
// small token embeddings and strong attention/MLP writes, so the next token is not a fixed point of the current one.
const QK_GAIN = 3;
const EMBED_GAIN = 0.3;
const RESIDUAL_GAIN = 2;

/** Symbolic dim names; `batch_size` must match what transformers.js resolves for the empty cache. */
export const DIMS = {
  batch: 'batch_size',
  seq: 'sequence_length',
  past: 'past_sequence_length',
  total: 'total_sequence_length',
  patches: 'num_patches',
  images: 'num_images',
  imageTokens: 'num_image_tokens',
} as const;

export interface BuiltGraph {
  bytes: Uint8Array;
  parameterCount: number;
}

/** Receives each finished graph as `onnx/<file>`; graphs are built one at a time to bound memory (bench). */
export type GraphSink = (file: string, bytes: Uint8Array) => void;

/** What the text graphs (embed_tokens, decoder_model_merged) read of a spec; other families reuse them. */
export type TextSpec = Pick<
  TinySpec,
  | 'seed'
  | 'vocabSize'
  | 'hiddenSize'
  | 'embedRank'
  | 'tableFp16'
  | 'numLayers'
  | 'numHeads'
  | 'numKvHeads'
  | 'headDim'
  | 'intermediateSize'
  | 'mropeSection'
  | 'ropeTheta'
  | 'rmsNormEps'
  | 'deepstack'
> & {
  /** LLaVA-OneVision reuses the Qwen2 text graphs (its decoder is Qwen2's, with 1-D positions). */
  family: TinySpec['family'] | 'llava-onevision';
  vision: Pick<TinySpec['vision'], 'deepstackTaps'>;
};

/** The shared token table [vocab, rank]; rows of special / unused ids are shrunk so greedy never picks them. */
export function tokenTable(spec: TextSpec, w: SeededWeights): Float32Array {
  const r = spec.embedRank;
  const table = w.uniform('token_table', spec.vocabSize * r, 1);
  // NOTE: real checkpoints learn tiny logits for control tokens and padding rows; random weights would emit
  // <|im_end|> or undecodable padding ids at random. Shrinking those rows keeps generations running to
  // max_new_tokens with decodable text (their input embeddings stay usable: every layer RMS-normalizes).
  for (let id = QWEN_TOKENS.endOfText; id < spec.vocabSize; id++) {
    for (let j = 0; j < r; j++) table[id * r + j] = (table[id * r + j] ?? 0) * 0.05;
  }
  return table;
}

function tableInit(
  g: GraphBuilder,
  spec: TextSpec,
  name: string,
  dims: number[],
  data: Float32Array,
): string {
  return spec.tableFp16 ? g.weightFp16(name, dims, data) : g.weight(name, dims, data);
}

function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j] ?? 0;
  return out;
}

function rmsNorm(g: GraphBuilder, x: string, weight: string, eps: number): string {
  const ms = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: [-1], keepdims: 1 });
  const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [ms, g.float(eps)])])]);
  return g.op('Mul', [g.op('Mul', [x, inv]), weight]);
}

function layerNorm(g: GraphBuilder, x: string, weight: string, bias: string, eps: number): string {
  const mean = g.op('ReduceMean', [x], { axes: [-1], keepdims: 1 });
  const centered = g.op('Sub', [x, mean]);
  const variance = g.op('ReduceMean', [g.op('Mul', [centered, centered])], { axes: [-1], keepdims: 1 });
  const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, g.float(eps)])])]);
  return g.op('Add', [g.op('Mul', [g.op('Mul', [centered, inv]), weight]), bias]);
}

function linear(g: GraphBuilder, x: string, weight: string, bias?: string): string {
  const y = g.op('MatMul', [x, weight]);
  return bias ? g.op('Add', [y, bias]) : y;
}

/** x·cos + rotate_half(x)·sin along `axis` (size `dim`), as HF `apply_rotary_pos_emb`. */
function applyRope(g: GraphBuilder, x: string, cos: string, sin: string, axis: number, dim: number): string {
  const half = dim / 2;
  const x1 = g.op('Slice', [x, g.ints([0]), g.ints([half]), g.ints([axis])]);
  const x2 = g.op('Slice', [x, g.ints([half]), g.ints([dim]), g.ints([axis])]);
  const rotated = g.op('Concat', [g.op('Neg', [x2]), x1], { axis });
  return g.op('Add', [g.op('Mul', [x, cos]), g.op('Mul', [rotated, sin])]);
}

/** Exact GELU: 0.5·x·(1 + erf(x/√2)). */
function gelu(g: GraphBuilder, x: string): string {
  return g.op('Mul', [
    g.op('Mul', [x, g.float(0.5)]),
    g.op('Add', [g.op('Erf', [g.op('Mul', [x, g.float(Math.SQRT1_2)])]), g.float(1)]),
  ]);
}

/** gelu_pytorch_tanh: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
function geluTanh(g: GraphBuilder, x: string): string {
  const cube = g.op('Mul', [g.op('Mul', [x, x]), x]);
  const inner = g.op('Mul', [
    g.op('Add', [x, g.op('Mul', [cube, g.float(0.044715)])]),
    g.float(Math.sqrt(2 / Math.PI)),
  ]);
  return g.op('Mul', [g.op('Mul', [x, g.float(0.5)]), g.op('Add', [g.op('Tanh', [inner]), g.float(1)])]);
}

function invFreq(dim: number, theta: number): number[] {
  return Array.from({ length: dim / 2 }, (_, i) => 1 / Math.pow(theta, (2 * i) / dim));
}

/** vision_encoder: pixel_values [N, 1176] + grid → image_features [N/4, hidden]. */
export function buildVisionEncoder(spec: TinySpec, fp16 = false): BuiltGraph {
  const w = new SeededWeights(spec.seed);
  const v = spec.vision;
  const E = v.embedDim;
  const hd = E / v.numHeads;
  const isQwen25 = spec.family === 'qwen2.5-vl';
  const isQwen3 = spec.family === 'qwen3-vl';
  const gridName = isQwen25 || isQwen3 ? 'image_grid_thw' : 'grid_thw';
  const ROW = patchRow(spec);
  const g = new GraphBuilder('vision_encoder', fp16);
  // NOTE: pixel_values stays float32 in the fp16 variant: transformers.js feeds the processor's float32 rows
  // to whatever vision_encoder dtype is selected, without casting.
  const pixels = g.input('pixel_values', DataType.FLOAT, [DIMS.patches, ROW]);
  const grid = g.input(gridName, DataType.INT64, [DIMS.images, 3]);

  // Patch embedding: the Conv3d(kernel = stride = [2,p,p]) of the real model is a linear map of each row (Qwen3-VL's
  // has a bias). NOTE: Qwen3-VL's learned, bilinearly interpolated position embedding is left out; the rotary
  // positions below carry the layout.
  let x = g.op('MatMul', [
    pixels,
    g.weight('visual.patch_embed', [ROW, E], w.linear('visual.patch_embed', ROW, E)),
  ]);
  if (isQwen3)
    x = g.op('Add', [x, g.weight('visual.patch_embed.bias', [E], w.bias('visual.patch_embed.bias', E))]);

  // 2-D rotary positions from the grid. Rows come in 2×2 merge-block raster order (spec §2.3), so for row r of an
  // image with grid (t, h, w): block = (r mod h·w) / 4, hpos = 2·(block / (w/2)) + (r mod 4)/2, wpos likewise.
  // NOTE: one grid row drives the positions (the real export also takes one image per call); rows beyond h·w
  // (t > 1 or same-size images) repeat the pattern. Attention is full over all rows, not windowed per frame/image.
  const nPatches = g.op('Squeeze', [
    g.op('Slice', [g.op('Shape', [pixels]), g.ints([0]), g.ints([1])]),
    g.ints([0]),
  ]);
  const rowIdx = g.op('Range', [g.int(0), nPatches, g.int(1)]);
  const firstGrid = g.op('Gather', [grid, g.int(0)], { axis: 0 });
  const gh = g.op('Gather', [firstGrid, g.int(1)], { axis: 0 });
  const gw = g.op('Gather', [firstGrid, g.int(2)], { axis: 0 });
  const inImage = g.op('Mod', [rowIdx, g.op('Mul', [gh, gw])]);
  const block = g.op('Div', [inImage, g.int(4)]);
  const inBlock = g.op('Mod', [inImage, g.int(4)]);
  const blocksPerRow = g.op('Div', [gw, g.int(2)]);
  const hpos = g.op('Add', [
    g.op('Mul', [g.op('Div', [block, blocksPerRow]), g.int(2)]),
    g.op('Div', [inBlock, g.int(2)]),
  ]);
  const wpos = g.op('Add', [
    g.op('Mul', [g.op('Mod', [block, blocksPerRow]), g.int(2)]),
    g.op('Mod', [inBlock, g.int(2)]),
  ]);
  // VisionRotaryEmbedding(head_dim / 2): head_dim/4 frequencies per axis, emb = cat(h·f, w·f) twice.
  const visionFreq = g.constant(DataType.FLOAT, [1, hd / 4], invFreq(hd / 2, 10000));
  const posFreq = (pos: string): string =>
    g.op('Mul', [g.op('Unsqueeze', [g.op('Cast', [pos], { to: DataType.FLOAT }), g.ints([1])]), visionFreq]);
  const rpe = g.op('Concat', [posFreq(hpos), posFreq(wpos)], { axis: 1 });
  const emb = g.op('Concat', [rpe, rpe], { axis: 1 });
  const vcos = g.op('Unsqueeze', [g.op('Cos', [emb]), g.ints([1])]); // [N, 1, hd]
  const vsin = g.op('Unsqueeze', [g.op('Sin', [emb]), g.ints([1])]);

  const norm = (input: string, name: string): string =>
    isQwen25
      ? rmsNorm(g, input, g.weight(`${name}.weight`, [E], w.norm(`${name}.weight`, E)), 1e-6)
      : layerNorm(
          g,
          input,
          g.weight(`${name}.weight`, [E], w.norm(`${name}.weight`, E)),
          g.weight(`${name}.bias`, [E], w.bias(`${name}.bias`, E)),
          1e-6,
        );
  const lin = (input: string, name: string, inDim: number, outDim: number, gain = 1): string =>
    linear(
      g,
      input,
      g.weight(`${name}.weight`, [inDim, outDim], w.linear(`${name}.weight`, inDim, outDim, gain)),
      g.weight(`${name}.bias`, [outDim], w.bias(`${name}.bias`, outDim)),
    );

  // NOTE: Qwen2.5-VL's windowed attention (window_index reordering, fullatt_block_indexes) is not modelled:
  // every block attends over all rows, and config.json lists every block as full-attention accordingly.
  for (let i = 0; i < v.depth; i++) {
    const p = `visual.blocks.${i}`;
    const h = norm(x, `${p}.norm1`);
    const heads = (name: string): string =>
      g.op('Reshape', [
        lin(h, `${p}.attn.${name}`, E, E, name === 'v' ? 1 : 1.5),
        g.ints([-1, v.numHeads, hd]),
      ]);
    const q = applyRope(g, heads('q'), vcos, vsin, 2, hd);
    const k = applyRope(g, heads('k'), vcos, vsin, 2, hd);
    const vv = heads('v');
    const scores = g.op('Mul', [
      g.op('MatMul', [
        g.op('Transpose', [q], { perm: [1, 0, 2] }),
        g.op('Transpose', [k], { perm: [1, 2, 0] }),
      ]),
      g.float(1 / Math.sqrt(hd)),
    ]);
    const attn = g.op('MatMul', [
      g.op('Softmax', [scores], { axis: -1 }),
      g.op('Transpose', [vv], { perm: [1, 0, 2] }),
    ]);
    const merged = g.op('Reshape', [g.op('Transpose', [attn], { perm: [1, 0, 2] }), g.ints([-1, E])]);
    x = g.op('Add', [x, lin(merged, `${p}.attn.proj`, E, E)]);
    const h2 = norm(x, `${p}.norm2`);
    let mlp: string;
    if (isQwen3) {
      // Qwen3-VL vision MLP: linear_fc2(gelu_pytorch_tanh(linear_fc1(x))).
      const fc1 = lin(h2, `${p}.mlp.linear_fc1`, E, v.mlpDim);
      mlp = lin(geluTanh(g, fc1), `${p}.mlp.linear_fc2`, v.mlpDim, E);
    } else if (isQwen25) {
      // Qwen2.5-VL vision MLP: down(silu(gate(x)) · up(x)).
      const gate = lin(h2, `${p}.mlp.gate_proj`, E, v.mlpDim);
      const up = lin(h2, `${p}.mlp.up_proj`, E, v.mlpDim);
      const act = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), up]);
      mlp = lin(act, `${p}.mlp.down_proj`, v.mlpDim, E);
    } else {
      // Qwen2-VL vision MLP: fc2(quick_gelu(fc1(x))), quick_gelu(z) = z · sigmoid(1.702 z).
      const fc1 = lin(h2, `${p}.mlp.fc1`, E, v.mlpDim);
      const act = g.op('Mul', [fc1, g.op('Sigmoid', [g.op('Mul', [fc1, g.float(1.702)])])]);
      mlp = lin(act, `${p}.mlp.fc2`, v.mlpDim, E);
    }
    x = g.op('Add', [x, mlp]);
    const level = spec.deepstack ? (v.deepstackTaps ?? []).indexOf(i) : -1;
    if (level >= 0) {
      // DeepStack merger (use_postshuffle_norm): the 2×2 shuffle first, LayerNorm over 4E, then 4E → 4E → hidden.
      const q = `visual.deepstack_merger_list.${level}`;
      const shuffled = g.op('Reshape', [x, g.ints([-1, 4 * E])]);
      const normed = layerNorm(
        g,
        shuffled,
        g.weight(`${q}.norm.weight`, [4 * E], w.norm(`${q}.norm.weight`, 4 * E)),
        g.weight(`${q}.norm.bias`, [4 * E], w.bias(`${q}.norm.bias`, 4 * E)),
        1e-6,
      );
      const fc1 = lin(normed, `${q}.linear_fc1`, 4 * E, 4 * E);
      const out = lin(gelu(g, fc1), `${q}.linear_fc2`, 4 * E, spec.hiddenSize);
      g.floatOutput(out, DEEPSTACK_OUTPUT(level), [DIMS.imageTokens, spec.hiddenSize]);
    }
  }

  // PatchMerger: ln_q, then 4 consecutive rows (one 2×2 block) → one token: MLP(4E → 4E → hidden) with GELU.
  const lnq = norm(x, 'visual.merger.ln_q');
  const grouped = g.op('Reshape', [lnq, g.ints([-1, 4 * E])]);
  const m1 = lin(grouped, 'visual.merger.mlp.0', 4 * E, 4 * E);
  const features = lin(gelu(g, m1), 'visual.merger.mlp.2', 4 * E, spec.hiddenSize);
  g.floatOutput(features, 'image_features', [DIMS.imageTokens, spec.hiddenSize]);
  return { bytes: g.encode(OPSET), parameterCount: g.parameterCount };
}

/**
 * embed_tokens: input_ids [B, S] → inputs_embeds [B, S, hidden] (Gather on the tied table, then P).
 * NOTE: the real export gathers from a [vocab, hidden] table tied to lm_head; here the tied table is [vocab, r]
 * with projections P (embed) and Q (lm_head), so the 151,936-row table stays a few MB in `tiny` (r = 8) while
 * `bench` (r = hidden) keeps real-size Gather and lm_head MatMul costs.
 */
export function buildEmbedTokens(
  spec: TextSpec,
  table: Float32Array,
  fp16 = false,
  w: SeededWeights = new SeededWeights(spec.seed),
): BuiltGraph {
  const r = spec.embedRank;
  const g = new GraphBuilder('embed_tokens', fp16);
  const ids = g.input('input_ids', DataType.INT64, [DIMS.batch, DIMS.seq]);
  const tbl = tableInit(g, spec, 'embed_tokens.table', [spec.vocabSize, r], table);
  const rows = g.op('Gather', [tbl, ids], { axis: 0 });
  const proj = g.weight(
    'embed_tokens.proj',
    [r, spec.hiddenSize],
    w.linear('embed_tokens.proj', r, spec.hiddenSize, EMBED_GAIN),
  );
  g.floatOutput(g.op('MatMul', [rows, proj]), 'inputs_embeds', [DIMS.batch, DIMS.seq, spec.hiddenSize]);
  return { bytes: g.encode(OPSET), parameterCount: g.parameterCount };
}

/**
 * Which position row (0 t, 1 h, 2 w) frequency slot j of the rotary half takes. Qwen2/2.5-VL: contiguous chunks
 * [t×s0 | h×s1 | w×s2]; Qwen3-VL (`apply_interleaved_mrope`): h where j % 3 = 1 and j < 3·s1, w where j % 3 = 2 and
 * j < 3·s2, t elsewhere (THWTHW…TT).
 */
export function mropeSlotRow(spec: TextSpec, j: number): number {
  const [s0, s1, s2] = spec.mropeSection;
  if (spec.family === 'qwen3-vl') {
    if (j % 3 === 1 && j < 3 * s1) return 1;
    if (j % 3 === 2 && j < 3 * s2) return 2;
    return 0;
  }
  return j < s0 ? 0 : j < s0 + s1 ? 1 : 2;
}

/** Per-frequency row selector for M-RoPE: mask[r][j] = invFreq[j] when frequency j takes its angle from row r. */
export function mropeFrequencyRows(spec: TextSpec): number[][] {
  const freqs = invFreq(spec.headDim, spec.ropeTheta);
  return [0, 1, 2].map((row) => freqs.map((f, j) => (mropeSlotRow(spec, j) === row ? f : 0)));
}

/**
 * decoder_model_merged: inputs_embeds, attention_mask [B, past+S], position_ids [3, B, S], past_key_values.* →
 * logits [B, S, vocab], present.* [B, kv, past+S, head_dim]. `positionRows` 1: position_ids [B, S] and plain
 * 1-D RoPE (LLaVA's Qwen2 decoder), the one row standing for all three M-RoPE rows. `w`: where the weights come
 * from (the scripted model, scripted-model.ts, sets some by name).
 */
export function buildDecoder(
  spec: TextSpec,
  table: Float32Array,
  fp16 = false,
  positionRows: 1 | 3 = 3,
  w: SeededWeights = new SeededWeights(spec.seed),
): BuiltGraph {
  const H = spec.hiddenSize;
  const D = spec.headDim;
  const NH = spec.numHeads;
  const KV = spec.numKvHeads;
  const G = NH / KV;
  const r = spec.embedRank;
  const sectionSum = spec.mropeSection.reduce((a, b) => a + b, 0);
  if (sectionSum * 2 !== D)
    throw new Error(`mrope_section ${spec.mropeSection.join(',')} must sum to head_dim/2`);
  if (NH % KV !== 0) throw new Error('num_attention_heads must be a multiple of num_key_value_heads');

  // Like the Qwen2-VL export script: no num_logits_to_keep input, logits for every position.
  const g = new GraphBuilder('decoder_model_merged', fp16);
  const embeds = g.floatInput('inputs_embeds', [DIMS.batch, DIMS.seq, H]);
  const mask = g.input('attention_mask', DataType.INT64, [DIMS.batch, DIMS.total]);
  const positions =
    positionRows === 3
      ? g.input('position_ids', DataType.INT64, [3, DIMS.batch, DIMS.seq])
      : g.op('Expand', [
          g.op('Unsqueeze', [g.input('position_ids', DataType.INT64, [DIMS.batch, DIMS.seq]), g.ints([0])]),
          g.ints([3, 1, 1]),
        ]);
  g.output('logits', DataType.FLOAT, [DIMS.batch, DIMS.seq, spec.vocabSize]); // listed first, as in the export
  const isQwen3 = spec.family === 'qwen3-vl';
  // DeepStack: level k's features (zeros outside image pads) join the residual stream after decoder layer k.
  const deepstack = spec.deepstack
    ? (spec.vision.deepstackTaps ?? []).map((_, k) =>
        g.floatInput(DEEPSTACK_INPUT(k), [DIMS.batch, DIMS.seq, H]),
      )
    : [];
  if (deepstack.length > spec.numLayers) throw new Error('more DeepStack levels than decoder layers');
  const past: { key: string; value: string }[] = [];
  for (let i = 0; i < spec.numLayers; i++) {
    past.push({
      key: g.floatInput(`past_key_values.${i}.key`, [DIMS.batch, KV, DIMS.past, D]),
      value: g.floatInput(`past_key_values.${i}.value`, [DIMS.batch, KV, DIMS.past, D]),
    });
  }

  // M-RoPE (HF apply_multimodal_rotary_pos_emb): frequency j of the rotary half takes its angle from position row
  // t, h or w according to mrope_section; the selection is a masked sum over the 3 rows, then cat(f, f).
  const posF = g.op('Unsqueeze', [g.op('Cast', [positions], { to: DataType.FLOAT }), g.ints([3])]); // [3,B,S,1]
  const rowFreqs = g.constant(DataType.FLOAT, [3, 1, 1, D / 2], mropeFrequencyRows(spec).flat());
  const freqs = g.op('ReduceSum', [g.op('Mul', [posF, rowFreqs]), g.ints([0])], { keepdims: 0 }); // [B,S,D/2]
  const angles = g.op('Concat', [freqs, freqs], { axis: -1 });
  const cos = g.op('Unsqueeze', [g.op('Cos', [angles]), g.ints([1])]); // [B,1,S,D]
  const sin = g.op('Unsqueeze', [g.op('Sin', [angles]), g.ints([1])]);

  // Mask [B,1,1,S,T]: key j visible to new token i iff j ≤ past + i and attention_mask[b, j] = 1.
  const pastLen = g.op('Squeeze', [
    g.op('Slice', [g.op('Shape', [past[0]?.key ?? '']), g.ints([2]), g.ints([3])]),
    g.ints([0]),
  ]);
  const seqLen = g.op('Squeeze', [
    g.op('Slice', [g.op('Shape', [embeds]), g.ints([1]), g.ints([2])]),
    g.ints([0]),
  ]);
  const totalLen = g.op('Add', [pastLen, seqLen]);
  const queryPos = g.op('Unsqueeze', [g.op('Range', [pastLen, totalLen, g.int(1)]), g.ints([1])]); // [S,1]
  const keyPos = g.op('Unsqueeze', [g.op('Range', [g.int(0), totalLen, g.int(1)]), g.ints([0])]); // [1,T]
  const causal = g.op('LessOrEqual', [keyPos, queryPos]); // [S,T]
  const padOk = g.op('Unsqueeze', [g.op('Cast', [mask], { to: DataType.BOOL }), g.ints([1, 2, 3])]); // [B,1,1,1,T]
  const visible = g.op('And', [causal, padOk]);
  const maskBias = g.op('Where', [visible, g.float(0), g.float(-1e9)]);

  const lin = (x: string, name: string, inDim: number, outDim: number, withBias: boolean, gain = 1): string =>
    linear(
      g,
      x,
      g.weight(`${name}.weight`, [inDim, outDim], w.linear(`${name}.weight`, inDim, outDim, gain)),
      withBias ? g.weight(`${name}.bias`, [outDim], w.bias(`${name}.bias`, outDim)) : undefined,
    );
  const norm = (x: string, name: string): string =>
    rmsNorm(g, x, g.weight(`${name}.weight`, [H], w.norm(`${name}.weight`, H)), spec.rmsNormEps);

  let x = embeds;
  for (let i = 0; i < spec.numLayers; i++) {
    const p = `model.layers.${i}`;
    const h = norm(x, `${p}.input_layernorm`);
    const split = (y: string, heads: number): string =>
      g.op('Transpose', [g.op('Reshape', [y, g.ints([0, 0, heads, D])])], { perm: [0, 2, 1, 3] });
    // Qwen3 attention: no q/k/v bias, RMSNorm over each head's q and k (q_norm, k_norm) before the rotation.
    const headNorm = (y: string, name: string): string =>
      isQwen3
        ? rmsNorm(g, y, g.weight(`${name}.weight`, [D], w.norm(`${name}.weight`, D)), spec.rmsNormEps)
        : y;
    const q = applyRope(
      g,
      headNorm(
        split(lin(h, `${p}.self_attn.q_proj`, H, NH * D, !isQwen3, QK_GAIN), NH),
        `${p}.self_attn.q_norm`,
      ),
      cos,
      sin,
      3,
      D,
    );
    const k = applyRope(
      g,
      headNorm(
        split(lin(h, `${p}.self_attn.k_proj`, H, KV * D, !isQwen3, QK_GAIN), KV),
        `${p}.self_attn.k_norm`,
      ),
      cos,
      sin,
      3,
      D,
    );
    const v = split(lin(h, `${p}.self_attn.v_proj`, H, KV * D, !isQwen3), KV);
    const layerPast = past[i] ?? { key: '', value: '' };
    const presentK = g.op('Concat', [layerPast.key, k], { axis: 2 });
    const presentV = g.op('Concat', [layerPast.value, v], { axis: 2 });
    g.floatOutput(presentK, `present.${i}.key`, [DIMS.batch, KV, DIMS.total, D]);
    g.floatOutput(presentV, `present.${i}.value`, [DIMS.batch, KV, DIMS.total, D]);
    // GQA: query heads grouped as [B, KV, G, S, D] against keys [B, KV, 1, T, D] (HF repeat_kv order).
    const qGrouped = g.op('Reshape', [q, g.ints([0, KV, G, -1, D])]);
    const kT = g.op('Transpose', [g.op('Unsqueeze', [presentK, g.ints([2])])], { perm: [0, 1, 2, 4, 3] });
    const scores = g.op('Add', [
      g.op('Mul', [g.op('MatMul', [qGrouped, kT]), g.float(1 / Math.sqrt(D))]),
      maskBias,
    ]);
    const probs = g.op('Softmax', [scores], { axis: -1 });
    const ctx = g.op('MatMul', [probs, g.op('Unsqueeze', [presentV, g.ints([2])])]); // [B,KV,G,S,D]
    const merged = g.op('Reshape', [
      g.op('Transpose', [g.op('Reshape', [ctx, g.ints([0, NH, -1, D])])], { perm: [0, 2, 1, 3] }),
      g.ints([0, 0, NH * D]),
    ]);
    x = g.op('Add', [x, lin(merged, `${p}.self_attn.o_proj`, NH * D, H, false, RESIDUAL_GAIN)]);
    const h2 = norm(x, `${p}.post_attention_layernorm`);
    const gate = lin(h2, `${p}.mlp.gate_proj`, H, spec.intermediateSize, false);
    const up = lin(h2, `${p}.mlp.up_proj`, H, spec.intermediateSize, false);
    const act = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), up]);
    x = g.op('Add', [x, lin(act, `${p}.mlp.down_proj`, spec.intermediateSize, H, false, RESIDUAL_GAIN)]);
    const level = deepstack[i];
    if (level) x = g.op('Add', [x, level]);
  }

  // lm_head tied to the token table through Q: logits = (norm(x) · Q) · tableᵀ.
  const final = norm(x, 'model.norm');
  const headIn = g.op('MatMul', [final, g.weight('lm_head.proj', [H, r], w.linear('lm_head.proj', H, r))]);
  const tableT = tableInit(
    g,
    spec,
    'lm_head.table_t',
    [r, spec.vocabSize],
    transpose2d(table, spec.vocabSize, r),
  );
  g.floatOutput(g.op('MatMul', [headIn, tableT]), 'logits', [DIMS.batch, DIMS.seq, spec.vocabSize]);
  return { bytes: g.encode(OPSET), parameterCount: g.parameterCount };
}

/**
 * Builds the three graphs (plus `_fp16` variants when the spec asks) and hands each to `sink`.
 * Returns the unique parameter count of one precision set (the tied token table counted once).
 */
export function buildQwenVlGraphs(spec: TinySpec, sink: GraphSink): number {
  const table = tokenTable(spec, new SeededWeights(spec.seed));
  let parameterCount = -spec.vocabSize * spec.embedRank;
  for (const fp16 of spec.fp16Variants ? [false, true] : [false]) {
    const suffix = fp16 ? '_fp16' : '';
    const built: [string, () => BuiltGraph][] = [
      ['vision_encoder', () => buildVisionEncoder(spec, fp16)],
      ['embed_tokens', () => buildEmbedTokens(spec, table, fp16)],
      ['decoder_model_merged', () => buildDecoder(spec, table, fp16)],
    ];
    for (const [base, build] of built) {
      const graph = build();
      if (!fp16) parameterCount += graph.parameterCount;
      sink(`${base}${suffix}.onnx`, graph.bytes);
    }
  }
  return parameterCount;
}
