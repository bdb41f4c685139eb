// Family id → the engine's implementation of it (one folder each under src/inference/families/), plus the two
// entry points services need for any family: the grounding question and the output decoder.
import type { FamilyId } from '../../shared/families.js';
import { FAMILIES } from '../../shared/families.js';
import { AppError } from '../../shared/errors.js';
import { llavaOneVision } from './llava-onevision/index.js';
import { qwen25Vl, qwen2Vl } from './qwen2-vl/index.js';
import { parseGrounding } from './qwen2-vl/output.js';
import { qwen3Vl } from './qwen3-vl/index.js';
import type { DecodedOutput, VlmFamilyImpl } from './types.js';

export type * from './types.js';

/** One entry per family the engine runs; the row's `runs` flag in src/shared/families.ts must agree. */
const IMPLEMENTATIONS: Partial<Record<FamilyId, VlmFamilyImpl>> = {
  'qwen2-vl': qwen2Vl,
  'qwen2.5-vl': qwen25Vl,
  'qwen3-vl': qwen3Vl,
  'llava-onevision': llavaOneVision,
};

/** The implementation of `id`; no_model for a family DocLens plans for but does not run. */
export function familyImpl(id: FamilyId): VlmFamilyImpl {
  const impl = IMPLEMENTATIONS[id];
  if (!impl) {
    const runs = Object.keys(IMPLEMENTATIONS).join(', ');
    throw new AppError(
      'no_model',
      `the VLM engine does not run ${FAMILIES[id].name} models (it runs ${runs})`,
    );
  }
  return impl;
}

export function engineFamilies(): VlmFamilyImpl[] {
  return Object.values(IMPLEMENTATIONS);
}

/** The family whose exports carry config.json `model_type`; null when no family loads it. */
export function familyForModelType(modelType: string): VlmFamilyImpl | null {
  return engineFamilies().find((f) => f.modelTypes.includes(modelType)) ?? null;
}

/** Every model_type DocLens loads, for error messages. */
export function knownModelTypes(): string[] {
  return engineFamilies().flatMap((f) => [...f.modelTypes]);
}

/** The "find X" question in the family's own words. */
export function groundingPrompt(family: FamilyId, objects: string | readonly string[]): string {
  return familyImpl(family).groundingPrompt(typeof objects === 'string' ? [objects] : objects);
}

/**
 * Boxes out of raw model text. Families the engine runs use their own decoder; plan-only families (Qwen-VL,
 * LLaVA-NeXT, whose outputs `doclens overlay` maps) are read by the Qwen decoder, which knows Qwen-VL's tags.
 */
export function decodeOutput(family: FamilyId, raw: string): DecodedOutput {
  const impl = IMPLEMENTATIONS[family];
  return impl ? impl.decode(raw) : parseGrounding(raw);
}
