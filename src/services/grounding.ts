// Raw model output → labelled boxes in page space, through a page's plan: the path every grounded answer takes
// (family decoder in src/inference/families → plan transform in src/anyres/coords.ts → page), and what
// `doclens overlay` exposes for output produced anywhere else. No coordinate math of its own.
import { tileAsRun, toPageBoxes } from '../anyres/coords.js';
import { decodeOutput } from '../inference/vlm/index.js';
import { iou, type LabelledBox } from '../shared/geometry.js';
import type { Plan, PlanTile } from '../shared/domain.js';
import { AppError } from '../shared/errors.js';

export interface MappedOutput {
  /** The grounding format the family decoder found; null when none. */
  format: string | null;
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
  return mapTileOutput(raw, plan, view, resized);
}

/**
 * Maps `raw`, produced for one view of the plan (the whole page, or one tile cut from it), onto the page. With
 * `resized`, the coordinates are read against the size the engine really fed the model, spread over the
 * view's region.
 */
export function mapTileOutput(
  raw: string,
  plan: Plan,
  view: PlanTile,
  resized?: { width: number; height: number },
): MappedOutput {
  const tile: PlanTile = resized ? tileAsRun(view, resized) : view;
  const parsed = decodeOutput(plan.family, raw);
  return {
    format: parsed.format,
    stripped: parsed.stripped,
    boxes: toPageBoxes(parsed.boxes, tile, plan.page, plan.pageSize, plan.family),
    input: tile.input,
  };
}

/** Boxes found in one view of a tiled run. */
export interface ViewBoxes {
  view: PlanTile;
  boxes: LabelledBox[];
}

/**
 * One list of boxes from the views of a tiled run. A tile sees a small object at a higher resolution than the
 * whole-page view, so its box wins where both found the same object (same label, IoU ≥ 0.5); a tile box that
 * touches an edge the tile shares with another tile is an object the cut went through, so it is dropped when
 * the whole-page view or another tile found that object whole, and kept otherwise. Among tiles, the box seen
 * first (reading order) wins.
 */
export function mergeViewBoxes(
  views: readonly ViewBoxes[],
  pageSize: { width: number; height: number },
): LabelledBox[] {
  const whole = views.filter((v) => v.view.kind !== 'tile').flatMap((v) => v.boxes);
  const tiles = views.filter((v) => v.view.kind === 'tile');
  const same = (a: LabelledBox, b: LabelledBox) => a.label === b.label && iou(a, b) >= 0.5;
  // Within 1 % of the tile's side of an inner edge (an edge that is not the page's).
  const cut = (b: LabelledBox, t: PlanTile) => {
    const r = t.region;
    const ex = (r.x1 - r.x0) * 0.01;
    const ey = (r.y1 - r.y0) * 0.01;
    return (
      (r.x0 > 0 && b.x0 - r.x0 <= ex) ||
      (r.y0 > 0 && b.y0 - r.y0 <= ey) ||
      (r.x1 < pageSize.width && r.x1 - b.x1 <= ex) ||
      (r.y1 < pageSize.height && r.y1 - b.y1 <= ey)
    );
  };
  const wholeKept: LabelledBox[] = [];
  const fromTiles: LabelledBox[] = [];
  const cutBoxes: LabelledBox[] = [];
  for (const t of tiles) {
    for (const b of t.boxes) {
      if (cut(b, t.view)) cutBoxes.push(b);
      else if (!fromTiles.some((k) => same(k, b))) fromTiles.push(b);
    }
  }
  for (const b of whole) if (!fromTiles.some((k) => same(k, b))) wholeKept.push(b);
  // A cut box stays only when nothing else holds an object of its label over it.
  const overlaps = (a: LabelledBox, b: LabelledBox) =>
    a.label === b.label &&
    Math.min(a.x1, b.x1) > Math.max(a.x0, b.x0) &&
    Math.min(a.y1, b.y1) > Math.max(a.y0, b.y0);
  const kept = [...fromTiles, ...wholeKept];
  const cutKept: LabelledBox[] = [];
  for (const b of cutBoxes)
    if (!kept.some((k) => overlaps(k, b)) && !cutKept.some((k) => same(k, b))) cutKept.push(b);
  return [...kept, ...cutKept].sort((a, b) => a.y0 - b.y0 || a.x0 - b.x0);
}
