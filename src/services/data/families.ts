// What a fine-tuning target family needs from an exported example: the size its processor resizes a page image to
// (smart_resize with the family's factor and pixel budget) and how its answers write boxes. Uses the one coordinate
// module (src/anyres/coords.ts) for page ⇄ model-output mapping, so exported boxes are what inference decodes.
import { pageRectToModelOutput, type OutputSpace } from '../../anyres/coords.js';
import { smartResize } from '../../anyres/smart-resize.js';
import { FAMILIES, type FamilyId } from '../../shared/families.js';
import type { LabelledBox, Rect } from '../../shared/geometry.js';
import { groundingPrompt } from '../vlm-direct.js';

export const TARGET_FAMILIES = ['qwen2-vl', 'qwen2.5-vl', 'qwen3-vl'] as const;
export type TargetFamily = (typeof TARGET_FAMILIES)[number];

/** The family an export targets when none is named: the model's own when it is a target, else Qwen2.5-VL. */
export function targetFamilyOf(family: FamilyId): TargetFamily {
  return (TARGET_FAMILIES as readonly string[]).includes(family) ? (family as TargetFamily) : 'qwen2.5-vl';
}

export interface FamilySpec {
  /** smart_resize factor: ViT patch × spatial merge (14 × 2 for Qwen2/2.5-VL, 16 × 2 for Qwen3-VL). */
  factor: number;
  minPixels: number;
  maxPixels: number;
  /**
   * Qwen2-VL: `<|box_start|>(x1,y1),(x2,y2)<|box_end|>` in 0–1000 of the image; Qwen2.5-VL: `bbox_2d` JSON in absolute
   * pixels of the resized image; Qwen3-VL: `bbox_2d` JSON in 0–1000 (relative) of the image.
   */
  space: OutputSpace;
  style: 'tagged' | 'json';
}

// Pixel budgets and coordinate spaces come from the family table (src/shared/families.ts): the processor's min_pixels
// and the 1280-token budget DocLens plans with. A LoRA run should use the same max_pixels.
function specOf(family: TargetFamily): FamilySpec {
  const row = FAMILIES[family];
  if (row.images.kind !== 'smart-resize') throw new Error(`${family} does not smart_resize its images`);
  return {
    factor: row.images.factor,
    minPixels: row.images.minPixels,
    maxPixels: row.images.maxPixels,
    space: row.coordinates,
    // Qwen2-VL writes boxes between its box tokens; Qwen2.5-VL and Qwen3-VL answer with `bbox_2d` JSON.
    style: family === 'qwen2-vl' ? 'tagged' : 'json',
  };
}

export const FAMILY_SPECS: Record<TargetFamily, FamilySpec> = {
  'qwen2-vl': specOf('qwen2-vl'),
  'qwen2.5-vl': specOf('qwen2.5-vl'),
  'qwen3-vl': specOf('qwen3-vl'),
};

export interface ImageFrame {
  pageSize: { width: number; height: number };
  /** The exported image's size (the family's resized size): what the model sees. */
  image: { width: number; height: number };
}

/** The size the family's processor resizes an image of `width × height` pixels to. */
export function familyImageSize(
  family: TargetFamily,
  width: number,
  height: number,
): { width: number; height: number } {
  const s = FAMILY_SPECS[family];
  const r = smartResize(height, width, { factor: s.factor, minPixels: s.minPixels, maxPixels: s.maxPixels });
  return { width: r.width, height: r.height };
}

/** A page-space box → the family's output units for the exported image (integers, as the model writes them). */
export function boxForFamily(family: TargetFamily, box: Rect, frame: ImageFrame): Rect {
  return pageRectToModelOutput(box, {
    space: FAMILY_SPECS[family].space,
    input: frame.image,
    transform: {
      offsetX: 0,
      offsetY: 0,
      scaleX: frame.pageSize.width / frame.image.width,
      scaleY: frame.pageSize.height / frame.image.height,
    },
  });
}

/**
 * Boxes written the way the family's model answers a grounding request. A point (a zero-size box, as a model that
 * pointed gives) is written as one: `point_2d` in JSON, a single `(x,y)` pair between Qwen2-VL's box tokens.
 */
export function boxesText(family: TargetFamily, boxes: readonly LabelledBox[], frame: ImageFrame): string {
  const out = boxes.map((b) => ({
    label: b.label,
    r: boxForFamily(family, b, frame),
    point: b.x1 === b.x0 && b.y1 === b.y0,
  }));
  if (FAMILY_SPECS[family].style === 'tagged') {
    return out
      .map(
        ({ label, r, point }) =>
          `<|object_ref_start|>${label}<|object_ref_end|><|box_start|>${point ? `(${r.x0},${r.y0})` : `(${r.x0},${r.y0}),(${r.x1},${r.y1})`}<|box_end|>`,
      )
      .join('\n');
  }
  const items = out.map(({ label, r, point }) =>
    point
      ? `\t{"point_2d": [${r.x0}, ${r.y0}], "label": ${JSON.stringify(label)}}`
      : `\t{"bbox_2d": [${r.x0}, ${r.y0}, ${r.x1}, ${r.y1}], "label": ${JSON.stringify(label)}}`,
  );
  return `\`\`\`json\n[\n${items.join(',\n')}\n]\n\`\`\``;
}

/**
 * LLaVA-1.5's own box convention: [x0, y0, x1, y1] as fractions of the image, three decimals.
 * NOTE: LLaVA reads boxes only as text; this is the form its region-level training data used.
 */
export function llavaBoxesText(boxes: readonly LabelledBox[], frame: ImageFrame): string {
  const f = (v: number, side: number) => Math.min(Math.max(v / side, 0), 1).toFixed(3);
  return boxes
    .map((b) => {
      const r = `[${f(b.x0, frame.pageSize.width)}, ${f(b.y0, frame.pageSize.height)}, ${f(b.x1, frame.pageSize.width)}, ${f(b.y1, frame.pageSize.height)}]`;
      return b.label ? `${b.label}: ${r}` : r;
    })
    .join('\n');
}

/** The question a Find review stands for, as DocLens asks the family at inference time. */
export function findPrompt(family: TargetFamily, objects: readonly string[]): string {
  return groundingPrompt(family, objects);
}
