// Raw Qwen-VL output → labelled boxes in page space, through a page's plan: the path every grounded answer
// takes, and what `doclens overlay` exposes for output produced anywhere else.
import { parseGrounding, toPageBoxes } from '../anyres/grounding.js';
import type { ParsedGrounding } from '../anyres/grounding.js';
import type { LabelledBox } from '../shared/geometry.js';
import type { ModelFamily, Plan, PlanTile } from '../shared/domain.js';
import { AppError } from '../shared/errors.js';

export interface MappedOutput {
  format: ParsedGrounding['format'];
  stripped: boolean;
  boxes: LabelledBox[];
  /** The model input the coordinates were read against. */
  input: { width: number; height: number };
}

/**
 * Maps `raw` through the plan's whole-page view (the single image, or the global view of a tiled plan).
 * `resized` overrides the model input size when the output came from a run with other preprocessing
 * (Qwen2.5-VL's absolute coordinates depend on it).
 */
export function mapModelOutput(
  raw: string,
  plan: Plan,
  resized?: { width: number; height: number },
): MappedOutput {
  const view = plan.tiles.find((t) => t.kind === 'single' || t.kind === 'global');
  if (!view) throw new AppError('internal', 'the plan has no whole-page view');
  const tile: PlanTile = resized
    ? {
        ...view,
        input: resized,
        transform: {
          offsetX: 0,
          offsetY: 0,
          scaleX: plan.pageSize.width / resized.width,
          scaleY: plan.pageSize.height / resized.height,
        },
      }
    : view;
  const parsed = parseGrounding(raw);
  const family: ModelFamily = plan.family;
  return {
    format: parsed.format,
    stripped: parsed.stripped,
    boxes: toPageBoxes(parsed, tile, plan.page, plan.pageSize, family),
    input: tile.input,
  };
}
