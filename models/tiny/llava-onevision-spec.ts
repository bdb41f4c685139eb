// The generated LLaVA-OneVision stand-ins as the graph builders read them: the family's recipe
// (src/inference/families/llava-onevision/tiny.ts) at one size, plus the real model's token ids.
import { LLAVA_OV_TINY_SIZES } from '../../src/inference/families/llava-onevision/tiny.js';
import type { TextSpec } from './qwen-vl-graphs.js';
import type { TinySize } from './tiny-spec.js';

/** Bump when the generated files change, so cached folders are regenerated. */
export const LLAVA_OV_GENERATOR_VERSION = 1;

/** Token ids of llava-onevision-qwen2-0.5b-ov-hf (Qwen2 added tokens, then `<image>` and `<video>`). */
export const LLAVA_OV_TOKENS = {
  endOfText: 151643,
  imStart: 151644,
  imEnd: 151645,
  image: 151646,
  video: 151647,
} as const;

export interface LlavaOvTinySpec {
  size: TinySize;
  seed: string;
  text: TextSpec;
  vision: {
    imageSize: number;
    patchSize: number;
    hiddenSize: number;
    mlpDim: number;
    numHeads: number;
    depth: number;
  };
  /** image_grid_pinpoints, [height, width]. */
  pinpoints: Array<[number, number]>;
  /** `anyres_max_N`. */
  maxNumPatches: number;
}

export function llavaOvTinySpec(size: TinySize): LlavaOvTinySpec {
  const r = LLAVA_OV_TINY_SIZES[size];
  const seed = `doclens-tiny/llava-onevision/${size}`;
  const h = r.hyper;
  return {
    size,
    seed,
    text: { ...h, seed, family: 'llava-onevision', deepstack: false },
    vision: {
      imageSize: r.tile,
      patchSize: r.patch,
      hiddenSize: h.vision.embedDim,
      mlpDim: h.vision.mlpDim,
      numHeads: h.vision.numHeads,
      depth: h.vision.depth,
    },
    pinpoints: r.pinpoints,
    maxNumPatches: r.maxNumPatches,
  };
}
