// A small ONNX graph builder over the `onnx-proto` protobuf definitions, so the tiny-model generator can write
// real ModelProto files (initializers, nodes, symbolic dims) without Python or a model download.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** ONNX TensorProto.DataType codes used here. */
export const DataType = { FLOAT: 1, INT64: 7, BOOL: 9, FLOAT16: 10 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** A dimension: fixed size or a symbolic name (dim_param). */
export type Dim = number | string;

export type AttrValue = number | number[] | { float: number } | { floats: number[] } | { tensor: TensorInit };

export interface TensorInit {
  dataType: DataTypeCode;
  dims: number[];
  data: Float32Array | BigInt64Array | Uint16Array | Uint8Array;
}

interface NodeRecord {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attrs: Record<string, AttrValue>;
}

interface ValueInfo {
  name: string;
  dataType: DataTypeCode;
  dims: Dim[];
}

/** Deterministic float32 → IEEE half conversion (round to nearest even), for fp16-stored initializers. */
const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

export function float32ToFloat16Bits(value: number): number {
  f32Scratch[0] = value;
  const bits = u32Scratch[0] ?? 0;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1) === 1)) half += 1;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half += 1;
  return sign | half;
}

function bytesOf(data: TensorInit['data']): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function tensorProto(name: string, t: TensorInit): onnxProto.onnx.ITensorProto {
  return { name, dataType: t.dataType, dims: t.dims, rawData: bytesOf(t.data) };
}

function valueInfoProto(v: ValueInfo): onnxProto.onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: v.dataType,
        shape: { dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attributeProto(name: string, value: AttrValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') return { name, type: T.INT, i: value };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if ('float' in value) return { name, type: T.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: T.FLOATS, floats: value.floats };
  return { name, type: T.TENSOR, t: tensorProto(name, value.tensor) };
}

/**
 * Collects inputs, outputs, initializers and nodes, then serializes one ModelProto.
 * Node outputs get unique generated names unless given; every helper returns the produced value name.
 */
export class GraphBuilder {
  private readonly nodes: NodeRecord[] = [];
  private readonly inits = new Map<string, TensorInit>();
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private counter = 0;
  /** Float parameters per initializer name (weights only, not shape/index constants). */
  readonly paramCounts = new Map<string, number>();

  /**
   * @param fp16 store float weights as float16 and expose float I/O (`floatInput` / `floatOutput`) as float16;
   *   arithmetic stays float32 inside the graph (casts at the edges).
   */
  constructor(
    readonly graphName: string,
    readonly fp16 = false,
  ) {}

  input(name: string, dataType: DataTypeCode, dims: Dim[]): string {
    this.inputs.push({ name, dataType, dims });
    return name;
  }

  /** Declares (or re-declares in place, keeping its position) a graph output. */
  output(name: string, dataType: DataTypeCode, dims: Dim[]): void {
    const at = this.outputs.findIndex((o) => o.name === name);
    if (at >= 0) this.outputs[at] = { name, dataType, dims };
    else this.outputs.push({ name, dataType, dims });
  }

  /** Adds a float weight initializer (counted as parameters); float16-stored in fp16 graphs. */
  weight(name: string, dims: number[], data: Float32Array): string {
    if (this.fp16) return this.weightFp16(name, dims, data);
    this.inits.set(name, { dataType: DataType.FLOAT, dims, data });
    this.paramCounts.set(name, data.length);
    return name;
  }

  /** Stores `data` as float16 and returns its float32 cast (folded by ONNX Runtime at load). */
  weightFp16(name: string, dims: number[], data: Float32Array): string {
    const half = new Uint16Array(data.length);
    for (let i = 0; i < data.length; i++) half[i] = float32ToFloat16Bits(data[i] ?? 0);
    const stored = `${name}_fp16`;
    this.inits.set(stored, { dataType: DataType.FLOAT16, dims, data: half });
    this.paramCounts.set(stored, data.length);
    return this.op('Cast', [stored], { to: DataType.FLOAT });
  }

  /** Declares a float graph input (float16 in fp16 graphs) and returns its float32 value. */
  floatInput(name: string, dims: Dim[]): string {
    this.input(name, this.fp16 ? DataType.FLOAT16 : DataType.FLOAT, dims);
    return this.fp16 ? this.op('Cast', [name], { to: DataType.FLOAT }) : name;
  }

  /** Exposes a float32 value as graph output `name` (cast to float16 in fp16 graphs). */
  floatOutput(value: string, name: string, dims: Dim[]): void {
    if (this.fp16) this.op('Cast', [value], { to: DataType.FLOAT16 }, name);
    else this.op('Identity', [value], {}, name);
    this.output(name, this.fp16 ? DataType.FLOAT16 : DataType.FLOAT, dims);
  }

  /** Adds a non-parameter constant initializer (shapes, axes, scalars). */
  constant(dataType: DataTypeCode, dims: number[], values: number[]): string {
    const name = `const_${this.counter++}`;
    let data: TensorInit['data'];
    if (dataType === DataType.INT64) data = BigInt64Array.from(values.map((v) => BigInt(v)));
    else if (dataType === DataType.FLOAT) data = Float32Array.from(values);
    else if (dataType === DataType.BOOL) data = Uint8Array.from(values);
    else throw new Error(`constant: unsupported data type ${dataType}`);
    this.inits.set(name, { dataType, dims, data });
    return name;
  }

  /** int64 1-D constant. */
  ints(values: number[]): string {
    return this.constant(DataType.INT64, [values.length], values);
  }

  /** int64 scalar constant. */
  int(value: number): string {
    return this.constant(DataType.INT64, [], [value]);
  }

  /** float32 scalar constant. */
  float(value: number): string {
    return this.constant(DataType.FLOAT, [], [value]);
  }

  /** Adds a node with one output; returns its output name (or `outName`). */
  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outName?: string): string {
    const out = outName ?? `${op.toLowerCase()}_${this.counter++}`;
    this.nodes.push({ op, inputs, outputs: [out], name: `${op}_${this.counter++}`, attrs });
    return out;
  }

  /** Total weight parameters in this graph. */
  get parameterCount(): number {
    let n = 0;
    for (const c of this.paramCounts.values()) n += c;
    return n;
  }

  /** Serializes the graph as an ONNX ModelProto (IR 8, default domain at `opset`). */
  encode(opset: number): Uint8Array {
    const graph: onnxProto.onnx.IGraphProto = {
      name: this.graphName,
      node: this.nodes.map((n) => ({
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        name: n.name,
        attribute: Object.entries(n.attrs).map(([k, v]) => attributeProto(k, v)),
      })),
      initializer: [...this.inits.entries()].map(([name, t]) => tensorProto(name, t)),
      input: this.inputs.map(valueInfoProto),
      output: this.outputs.map(valueInfoProto),
    };
    const model: onnxProto.onnx.IModelProto = {
      irVersion: 8,
      producerName: 'doclens-make-tiny-model',
      producerVersion: '1',
      opsetImport: [{ domain: '', version: opset }],
      graph,
    };
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  }
}
