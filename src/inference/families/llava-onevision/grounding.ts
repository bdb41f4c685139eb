// LLaVA-OneVision has no official box format: the LLaVA lineage writes plain `[x1, y1, x2, y2]` in [0, 1] of
// the original image (lmms-eval's RefCOCO prompt asks for exactly that), some outputs use 0–1000. This reads
// such brackets as [0, 1] boxes; src/anyres/coords.ts takes them to the page like every family's. The family row
// marks them low-confidence, to be checked against the page.
import { NORM, type ModelBox } from '../../../anyres/coords.js';
import { AppError } from '../../../shared/errors.js';
import type { DecodedOutput } from '../types.js';

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

/**
 * Every `[x1, y1, x2, y2]` of a LLaVA answer as boxes in [0, 1] of the image (the family's `unit` space);
 * brackets with a value above 1.5 are read as 0–1000 and scaled. `format` says which (`unit`, `norm1000`, or
 * `mixed`); `objects` names the boxes when the text does not (else the label is empty, as the Qwen decoders leave it).
 */
export function decodeOvOutput(raw: string, objects: readonly string[] = []): DecodedOutput {
  const boxes: ModelBox[] = [];
  const scales = new Set<string>();
  for (const m of raw.matchAll(BRACKET)) {
    const v = [m[1], m[2], m[3], m[4]].map(Number);
    if (v.some((x) => !Number.isFinite(x))) continue;
    const unit = v.every((x) => x <= UNIT_LIMIT);
    scales.add(unit ? 'unit' : 'norm1000');
    const [x0, y0, x1, y1] = v.map((x) => (unit ? x : x / NORM)) as [number, number, number, number];
    const fallback = objects[Math.min(boxes.length, objects.length - 1)] ?? '';
    const label = objects.length === 1 ? objects[0]! : labelBefore(raw, m.index, fallback);
    boxes.push({ label, kind: 'box', x0, y0, x1, y1 });
  }
  const format = scales.size === 0 ? null : scales.size > 1 ? 'mixed' : [...scales][0]!;
  return { format, stripped: false, boxes };
}

/** lmms-eval's RefCOCO wording for LLaVA-family models, one object per sentence. */
export function ovGroundingPrompt(objects: readonly string[]): string {
  const list = objects.map((o) => o.replace(/\s+/g, ' ').trim()).filter((o) => o.length > 0);
  if (list.length === 0) throw new AppError('invalid_input', 'name at least one thing to find');
  const what = list.length === 1 ? list[0]! : list.join('; ');
  return (
    'Bounding box coordinates are specified in the format (top-left x, top-left y, bottom-right x, ' +
    'bottom-right y). All values are floating point numbers bounded between 0 and 1. Please provide the ' +
    `bounding box coordinate of the region this sentence describes: ${what}` +
    (list.length > 1 ? '. Give one [x1, y1, x2, y2] per item, in that order, each after its name.' : '')
  );
}
