// The one table of model families that the renderer, the CLI and the planner may know (no Node): id, name, licence,
// how boxes are written, how images become tokens. The engine's side of each family is src/inference/families/<id>/.
// Adding a family = one row here + one folder there (docs/families.md).

/** Every family id. */
export const FAMILY_IDS = [
  'qwen2-vl',
  'qwen2.5-vl',
  'qwen3-vl',
  'qwen-vl',
  'llava-next',
  'llava-onevision',
] as const;
export type FamilyId = (typeof FAMILY_IDS)[number];

/**
 * How a family writes coordinates in its answers:
 * - `norm1000`: 0–1000 of the image the model saw (Qwen-VL `<box>`, Qwen2-VL `<|box_start|>`, Qwen3-VL `bbox_2d`);
 * - `input-pixels`: absolute pixels of the smart_resized input (Qwen2.5-VL `bbox_2d` / `point_2d`);
 * - `unit`: [0, 1] of the whole image (the LLaVA lineage's plain `[x1, y1, x2, y2]`).
 */
export type CoordinateSpace = 'norm1000' | 'input-pixels' | 'unit';

/** Images resized to any multiple of `factor` within a pixel budget (tokens = (h/factor)·(w/factor)). */
export interface SmartResizeImages {
  kind: 'smart-resize';
  /** ViT patch side in pixels. */
  patch: number;
  /** Spatial merge (patches per token side). */
  merge: number;
  /** patch · merge: every model-input side is a multiple of it. */
  factor: number;
  /** min_pixels of the published preprocessor. */
  minPixels: number;
  /** The budget DocLens plans with when nothing else is set (tokens · factor²). */
  maxPixels: number;
}

/** Every image (tile or whole view) squashed to base × base, a fixed number of tokens each. */
export interface FixedImages {
  kind: 'fixed';
  base: number;
  tokensPerImage: number;
}

/**
 * LLaVA-OneVision AnyRes: a base image squashed to `tile` px plus the image on the best pinpoint canvas of
 * `tile` px tiles; tokens after unpadding and the anyres_max downscale (src/anyres/anyres-grid.ts ovLayout).
 */
export interface AnyResImages {
  kind: 'anyres';
  /** vision_config.image_size: tile and base-image side. */
  tile: number;
  /** vision_config.patch_size: ⌊tile / patch⌋² features per tile. */
  patch: number;
  /** The N of anyres_max_N. */
  maxNumPatches: number;
}

export interface FamilyRow {
  id: FamilyId;
  /** Display name. */
  name: string;
  /** SPDX-like licence id of the family's small instruct models; a model's manifest entry says its own. */
  license: string;
  coordinates: CoordinateSpace;
  images: SmartResizeImages | FixedImages | AnyResImages;
  /** The image-token formula in words, for the plan view and `doclens plan`. */
  tokenFormula: string;
  /** The family has a grounding format DocLens reads boxes from. */
  grounding: boolean;
  /** The VLM engine runs models of this family (otherwise plans and overlays only). */
  runs: boolean;
  /** Its boxes are low-confidence: no official box format or frame (LLaVA-OneVision). */
  lowConfidenceBoxes?: boolean;
}

const smart = (patch: number, merge: number, minPixels: number, tokens: number): SmartResizeImages => ({
  kind: 'smart-resize',
  patch,
  merge,
  factor: patch * merge,
  minPixels,
  maxPixels: tokens * (patch * merge) ** 2,
});

export const FAMILIES: Readonly<Record<FamilyId, FamilyRow>> = {
  'qwen3-vl': {
    id: 'qwen3-vl',
    name: 'Qwen3-VL',
    license: 'apache-2.0',
    coordinates: 'norm1000',
    // Processor min 65,536 px (256 tokens); DocLens budget 1280 tokens (Qwen's own README suggestion).
    images: smart(16, 2, 65_536, 1280),
    tokenFormula: '(h/32)·(w/32) after smart_resize to multiples of 32 px',
    grounding: true,
    runs: true,
  },
  'qwen2.5-vl': {
    id: 'qwen2.5-vl',
    name: 'Qwen2.5-VL',
    license: 'qwen-research',
    coordinates: 'input-pixels',
    images: smart(14, 2, 56 * 56, 1280),
    tokenFormula: '(h/28)·(w/28) after smart_resize to multiples of 28 px',
    grounding: true,
    runs: true,
  },
  'qwen2-vl': {
    id: 'qwen2-vl',
    name: 'Qwen2-VL',
    license: 'apache-2.0',
    coordinates: 'norm1000',
    images: smart(14, 2, 56 * 56, 1280),
    tokenFormula: '(h/28)·(w/28) after smart_resize to multiples of 28 px',
    grounding: true,
    runs: true,
  },
  'qwen-vl': {
    id: 'qwen-vl',
    name: 'Qwen-VL',
    license: 'tongyi-qianwen',
    coordinates: 'norm1000',
    // 448×448 input, the resampler emits 256 queries per image.
    images: { kind: 'fixed', base: 448, tokensPerImage: 256 },
    tokenFormula: '256 per 448×448 image',
    grounding: true,
    runs: false,
  },
  'llava-next': {
    id: 'llava-next',
    name: 'LLaVA-NeXT',
    license: 'apache-2.0',
    // NOTE: no grounding format of its own; outputs are read as 0–1000 of the tile.
    coordinates: 'norm1000',
    // CLIP-L/14 at 336 → 24×24 = 576 features per crop.
    images: { kind: 'fixed', base: 336, tokensPerImage: 576 },
    tokenFormula: '576 per 336×336 crop (AnyRes grid + global view)',
    grounding: false,
    runs: false,
  },
  'llava-onevision': {
    id: 'llava-onevision',
    name: 'LLaVA-OneVision',
    license: 'apache-2.0',
    // No official format: plain [x1, y1, x2, y2] in [0, 1] of the image (0–1000 read too), low confidence.
    coordinates: 'unit',
    // SigLIP-so400m at 384 px / 14 → 27² = 729 features per tile; anyres_max_9.
    images: { kind: 'anyres', tile: 384, patch: 14, maxNumPatches: 9 },
    tokenFormula:
      "729 (base) + h''·w'' + h'' (grid after unpadding and the anyres_max_9 downscale, a newline per row); 730 per image with several",
    grounding: true,
    runs: true,
    lowConfidenceBoxes: true,
  },
};

export function familyRow(id: FamilyId): FamilyRow {
  return FAMILIES[id];
}

export function isFamilyId(v: unknown): v is FamilyId {
  return typeof v === 'string' && (FAMILY_IDS as readonly string[]).includes(v);
}

/** The families the VLM engine runs. */
export const ENGINE_FAMILY_IDS: readonly FamilyId[] = FAMILY_IDS.filter((f) => FAMILIES[f].runs);

/** Image tokens of one model input of `size` (smart-resize families) or of one fixed image. */
export function familyImageTokens(id: FamilyId, size: { width: number; height: number }): number {
  const im = FAMILIES[id].images;
  if (im.kind === 'fixed') return im.tokensPerImage;
  // One AnyRes tile (its share of a whole image depends on the image: src/anyres/anyres-grid.ts ovLayout).
  if (im.kind === 'anyres') return Math.floor(im.tile / im.patch) ** 2;
  return (size.height / im.factor) * (size.width / im.factor);
}

// ---- licences ------------------------------------------------------------------------------------------------

export interface LicenseInfo {
  id: string;
  name: string;
  /** False when the licence forbids commercial use. */
  commercial: boolean;
  /** One line a user needs before relying on it. */
  note: string;
}

const LICENSES: Readonly<Record<string, Omit<LicenseInfo, 'id'>>> = {
  'apache-2.0': { name: 'Apache 2.0', commercial: true, note: 'Open licence; commercial use allowed.' },
  mit: { name: 'MIT', commercial: true, note: 'Open licence; commercial use allowed.' },
  'qwen-research': {
    name: 'Qwen Research License',
    commercial: false,
    note: 'Non-commercial: research and evaluation only; commercial use needs a licence from Alibaba Cloud.',
  },
  qwen: {
    name: 'Qwen License',
    commercial: true,
    note: 'Commercial use allowed below 100 million monthly active users; above that, ask Alibaba Cloud.',
  },
  'tongyi-qianwen': {
    name: 'Tongyi Qianwen License',
    commercial: true,
    note: 'Commercial use needs registration above 100 million monthly active users.',
  },
};

/** What a licence id means for the user; an unknown id is shown as itself and flagged as unknown. */
export function licenseInfo(id: string): LicenseInfo {
  const known = LICENSES[id.toLowerCase()];
  if (known) return { id, ...known };
  return {
    id,
    name: id,
    commercial: false,
    note: 'Unknown licence: read the model card before commercial use.',
  };
}
