// DeepStack wiring of a Qwen3-VL graph set: the extra visual feature levels the vision encoder may output and the
// decoder may take (added to the residual stream after decoder layer k at image-token positions). Names are not
// standardised across exporters, so both sides are found by pattern and must agree; a half-wired set is refused.
import { AppError } from '../../../shared/errors.js';
import type { DeepstackWiring, GraphIo } from '../types.js';

const PATTERN = /deep_?stack/i;

/** The level a name carries: its last integer (`deepstack_features.2` → 2); NaN when it has none. */
function levelOf(name: string): number {
  const m = /(\d+)(?!.*\d)/.exec(name);
  return m ? Number(m[1]) : NaN;
}

function ordered(names: string[], what: string, file: string): string[] {
  if (names.length === 1) return names;
  const levels = names.map(levelOf);
  if (levels.some((l) => Number.isNaN(l)) || new Set(levels).size !== names.length) {
    throw new AppError(
      'no_model',
      `${file}: DeepStack ${what} ${names.join(', ')} carry no distinct level numbers; expected e.g. deepstack_features.0, .1, .2`,
    );
  }
  return [...names].sort((a, b) => levelOf(a) - levelOf(b));
}

/**
 * The DeepStack I/O of a graph set, or null when neither graph has any (the onnx-community export: the engine runs it
 * with reduced quality). Vision side: one output per level `[tokens, hidden]`, or one stacked `[levels, tokens,
 * hidden]`; decoder side: one `[batch, seq, hidden]` input per level.
 */
export function resolveDeepstack(io: GraphIo): DeepstackWiring | null {
  const vision = io.visionOutputs.filter((t) => PATTERN.test(t.name));
  const decoder = io.decoderInputs.filter((t) => PATTERN.test(t.name));
  if (vision.length === 0 && decoder.length === 0) return null;
  const names = (ts: typeof vision) => ts.map((t) => t.name).join(', ');
  if (vision.length === 0) {
    throw new AppError(
      'no_model',
      `half-wired DeepStack export: ${io.decoderFile} takes ${names(decoder)} but ${io.visionFile} outputs no DeepStack features; export both graphs together (models/export)`,
    );
  }
  if (decoder.length === 0) {
    throw new AppError(
      'no_model',
      `half-wired DeepStack export: ${io.visionFile} outputs ${names(vision)} but ${io.decoderFile} has no input for them; export both graphs together (models/export)`,
    );
  }
  const decoderNames = ordered(
    decoder.map((t) => t.name),
    'inputs',
    io.decoderFile,
  );
  const first = vision[0]!;
  const stacked = vision.length === 1 && first.dims.length === 3;
  const levels = stacked
    ? typeof first.dims[0] === 'number'
      ? first.dims[0]
      : decoderNames.length
    : vision.length;
  if (levels !== decoderNames.length) {
    throw new AppError(
      'no_model',
      `half-wired DeepStack export: ${io.visionFile} gives ${levels} feature level(s) (${names(vision)}) but ${io.decoderFile} takes ${decoderNames.length} (${decoderNames.join(', ')})`,
    );
  }
  return {
    visionOutputs: stacked ? [first.name] : ordered(names(vision).split(', '), 'outputs', io.visionFile),
    stacked,
    decoderInputs: decoderNames,
    levels,
  };
}
