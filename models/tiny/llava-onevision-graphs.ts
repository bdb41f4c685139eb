// The three LLaVA-OneVision graphs in the layout transformers.js loads (vision_encoder with the SigLIP tower and
// the 2-layer GELU projector, embed_tokens, decoder_model_merged with 1-D position_ids), on seeded weights, plus
// the `image_newline` vector the export leaves out.
import { DataType, GraphBuilder } from './onnx-graph.js';
import {
  buildDecoder,
  buildEmbedTokens,
  tokenTable,
  type BuiltGraph,
  type GraphSink,
} from './qwen-vl-graphs.js';
import { SeededWeights } from './seeded-weights.js';
import type { LlavaOvTinySpec } from './llava-onevision-spec.js';

const OPSET = 14;

function layerNorm(g: GraphBuilder, x: string, w: SeededWeights, name: string, dim: number): string {
  const weight = g.weight(`${name}.weight`, [dim], w.norm(`${name}.weight`, dim));
  const bias = g.weight(`${name}.bias`, [dim], w.bias(`${name}.bias`, dim));
  const mean = g.op('ReduceMean', [x], { axes: [-1], keepdims: 1 });
  const centered = g.op('Sub', [x, mean]);
  const variance = g.op('ReduceMean', [g.op('Mul', [centered, centered])], { axes: [-1], keepdims: 1 });
  const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, g.float(1e-6)])])]);
  return g.op('Add', [g.op('Mul', [g.op('Mul', [centered, inv]), weight]), bias]);
}

function linear(
  g: GraphBuilder,
  x: string,
  w: SeededWeights,
  name: string,
  inDim: number,
  outDim: number,
  gain = 1,
): string {
  const y = g.op('MatMul', [
    x,
    g.weight(`${name}.weight`, [inDim, outDim], w.linear(`${name}.weight`, inDim, outDim, gain)),
  ]);
  return g.op('Add', [y, g.weight(`${name}.bias`, [outDim], w.bias(`${name}.bias`, outDim))]);
}

/** gelu(x) = x·Φ(x) (erf form, `projector_hidden_act "gelu"`). */
function gelu(g: GraphBuilder, x: string): string {
  return g.op('Mul', [
    g.op('Mul', [x, g.float(0.5)]),
    g.op('Add', [g.op('Erf', [g.op('Mul', [x, g.float(Math.SQRT1_2)])]), g.float(1)]),
  ]);
}

/** gelu_pytorch_tanh (SigLIP's MLP): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
function geluTanh(g: GraphBuilder, x: string): string {
  const cube = g.op('Mul', [g.op('Mul', [x, x]), x]);
  const inner = g.op('Mul', [
    g.op('Add', [x, g.op('Mul', [cube, g.float(0.044715)])]),
    g.float(Math.sqrt(2 / Math.PI)),
  ]);
  return g.op('Mul', [g.op('Mul', [x, g.float(0.5)]), g.op('Add', [g.op('Tanh', [inner]), g.float(1)])]);
}

/**
 * vision_encoder: pixel_values [N, 3, T, T] → image_features [N, P², hidden] with P = ⌊T / patch⌋: Conv patch
 * embedding (stride = kernel = patch, the last T − P·patch px unused like SigLIP), learned positions, pre-norm
 * encoder layers with full attention inside each tile, then the projector (linear, GELU, linear). No
 * post-layernorm: vision_feature_layer −1 takes the last hidden state before it.
 */
export function buildOvVisionEncoder(spec: LlavaOvTinySpec): BuiltGraph {
  const w = new SeededWeights(spec.seed);
  const v = spec.vision;
  const E = v.hiddenSize;
  const P = Math.floor(v.imageSize / v.patchSize);
  const n = P * P;
  const hd = E / v.numHeads;
  const g = new GraphBuilder('vision_encoder');
  const pixels = g.input('pixel_values', DataType.FLOAT, ['num_tiles', 3, v.imageSize, v.imageSize]);
  const kernel = g.weight(
    'vision.patch_embedding.weight',
    [E, 3, v.patchSize, v.patchSize],
    w.linear('vision.patch_embedding.weight', 3 * v.patchSize * v.patchSize, E),
  );
  const conv = g.op(
    'Conv',
    [pixels, kernel, g.weight('vision.patch_embedding.bias', [E], w.bias('vision.patch_embedding.bias', E))],
    {
      kernel_shape: [v.patchSize, v.patchSize],
      strides: [v.patchSize, v.patchSize],
    },
  );
  const tokens = g.op('Transpose', [g.op('Reshape', [conv, g.ints([0, E, n])])], { perm: [0, 2, 1] }); // [N, n, E]
  let x = g.op('Add', [
    tokens,
    g.weight('vision.position_embedding', [n, E], w.uniform('vision.position_embedding', n * E, 0.5)),
  ]);
  for (let i = 0; i < v.depth; i++) {
    const p = `vision.layers.${i}`;
    const h = layerNorm(g, x, w, `${p}.layer_norm1`, E);
    const heads = (name: string): string =>
      g.op(
        'Transpose',
        [
          g.op('Reshape', [
            linear(g, h, w, `${p}.self_attn.${name}`, E, E, name === 'v_proj' ? 1 : 2),
            g.ints([0, 0, v.numHeads, hd]),
          ]),
        ],
        {
          perm: [0, 2, 1, 3],
        },
      ); // [N, heads, n, hd]
    const scores = g.op('Mul', [
      g.op('MatMul', [heads('q_proj'), g.op('Transpose', [heads('k_proj')], { perm: [0, 1, 3, 2] })]),
      g.float(1 / Math.sqrt(hd)),
    ]);
    const ctx = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), heads('v_proj')]);
    const merged = g.op('Reshape', [g.op('Transpose', [ctx], { perm: [0, 2, 1, 3] }), g.ints([0, 0, E])]);
    x = g.op('Add', [x, linear(g, merged, w, `${p}.self_attn.out_proj`, E, E)]);
    const h2 = layerNorm(g, x, w, `${p}.layer_norm2`, E);
    x = g.op('Add', [
      x,
      linear(g, geluTanh(g, linear(g, h2, w, `${p}.mlp.fc1`, E, v.mlpDim)), w, `${p}.mlp.fc2`, v.mlpDim, E),
    ]);
  }
  const H = spec.text.hiddenSize;
  const projected = linear(
    g,
    gelu(g, linear(g, x, w, 'multi_modal_projector.linear_1', E, H)),
    w,
    'multi_modal_projector.linear_2',
    H,
    H,
    2,
  );
  g.floatOutput(projected, 'image_features', ['num_tiles', n, H]);
  return { bytes: g.encode(OPSET), parameterCount: g.parameterCount };
}

/** The learned `image_newline` [hidden] (a model parameter, outside every graph of the ONNX export). */
export function imageNewline(spec: LlavaOvTinySpec): Float32Array {
  return new SeededWeights(spec.seed).uniform('image_newline', spec.text.hiddenSize, 1);
}

/** Builds vision_encoder, embed_tokens and decoder_model_merged (1-D positions); returns the parameter count. */
export function buildLlavaOvGraphs(spec: LlavaOvTinySpec, sink: GraphSink): number {
  const table = tokenTable(spec.text, new SeededWeights(spec.seed));
  let parameterCount = -spec.text.vocabSize * spec.text.embedRank + spec.text.hiddenSize;
  const built: [string, () => BuiltGraph][] = [
    ['vision_encoder', () => buildOvVisionEncoder(spec)],
    ['embed_tokens', () => buildEmbedTokens(spec.text, table)],
    ['decoder_model_merged', () => buildDecoder(spec.text, table, false, 1)],
  ];
  for (const [name, build] of built) {
    const graph = build();
    parameterCount += graph.parameterCount;
    sink(`${name}.onnx`, graph.bytes);
  }
  return parameterCount;
}
