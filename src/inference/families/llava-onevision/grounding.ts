// LLaVA-OneVision has no official box format: the LLaVA lineage writes plain `[x1, y1, x2, y2]` in [0, 1] of
// the original image (lmms-eval's RefCOCO prompt asks for exactly that), some outputs use 0–1000. This reads
// such brackets and sends them through the shared coordinate chain (src/anyres/coords.ts); every box is
// low-confidence, to be checked against the page.
import { modelOutputRectToPage, NORM, type Size2 } from '../../../anyres/coords.js';
import type { PlanTile } from '../../../shared/domain.js';
import type { LabelledBox } from '../../../shared/geometry.js';

/** One bracket as written, its values scaled to 0–1000 of the image the model saw. */
export interface OvParsedBox {
  label: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** How the numbers were read: `unit` ([0, 1], the LLaVA convention) or `norm1000`. */
  scale: 'unit' | 'norm1000';
}

/** Values up to this are read as [0, 1] (a model overshooting 1 a little); above, as 0–1000. */
const UNIT_LIMIT = 1.5;
const NUM = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)`;
const BRACKET = new RegExp(String.raw`\[\s*(${NUM})\s*,\s*(${NUM})\s*,\s*(${NUM})\s*,\s*(${NUM})\s*\]`, 'g');

/** The label of a bracket: the words just before it on its line (`cat: [..]`, `"cat": [..]`), else `fallback`. */
function labelBefore(text: string, at: number, fallback: string): string {
  const line = text.slice(text.lastIndexOf('\n', at - 1) + 1, at);
  const words = line
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/["'{}():,=*-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .split(' ')
    .slice(-4)
    .join(' ');
  return words.length > 0 && words.length <= 40 ? words : fallback;
}

/** Every `[x1, y1, x2, y2]` of a LLaVA answer; `objects` names the boxes when the text does not. */
export function parseOvBoxes(text: string, objects: readonly string[] = []): OvParsedBox[] {
  const out: OvParsedBox[] = [];
  for (const m of text.matchAll(BRACKET)) {
    const v = [m[1], m[2], m[3], m[4]].map(Number);
    if (v.some((x) => !Number.isFinite(x))) continue;
    const unit = v.every((x) => x <= UNIT_LIMIT);
    const [x0, y0, x1, y1] = v.map((x) => (unit ? x * NORM : x)) as [number, number, number, number];
    const fallback = objects[Math.min(out.length, objects.length - 1)] ?? 'object';
    out.push({
      label: objects.length === 1 ? objects[0]! : labelBefore(text, m.index, fallback),
      x0,
      y0,
      x1,
      y1,
      scale: unit ? 'unit' : 'norm1000',
    });
  }
  return out;
}

export interface OvPageBoxes {
  boxes: LabelledBox[];
  /** Always `low`: nothing in LLaVA-OneVision's training fixes this format or its frame. */
  confidence: 'low';
}

/**
 * Parsed boxes → page space through the plan tile the image was made from (its whole image: the box is relative
 * to the original, which the tile's transform maps onto the page). Empty boxes are dropped.
 */
export function ovBoxesToPage(
  boxes: readonly OvParsedBox[],
  tile: PlanTile,
  page: number,
  pageSize: Size2,
): OvPageBoxes {
  const frame = { space: 'norm1000' as const, input: tile.input, transform: tile.transform };
  const out: LabelledBox[] = [];
  for (const b of boxes) {
    const r = modelOutputRectToPage(b, frame, pageSize);
    if (r.x1 - r.x0 <= 0 || r.y1 - r.y0 <= 0) continue;
    out.push({ page, label: b.label, ...r });
  }
  return { boxes: out, confidence: 'low' };
}

/** lmms-eval's RefCOCO wording for LLaVA-family models, one object per sentence. */
export function ovGroundingPrompt(objects: readonly string[]): string {
  const list = objects.map((o) => o.replace(/\s+/g, ' ').trim()).filter((o) => o.length > 0);
  const what = list.length === 1 ? list[0]! : list.join('; ');
  return (
    'Bounding box coordinates are specified in the format (top-left x, top-left y, bottom-right x, ' +
    'bottom-right y). All values are floating point numbers bounded between 0 and 1. Please provide the ' +
    `bounding box coordinate of the region this sentence describes: ${what}` +
    (list.length > 1 ? '. Give one [x1, y1, x2, y2] per item, in that order, each after its name.' : '')
  );
}
