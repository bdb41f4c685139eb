// Boxes out of a generated answer: the raw text (special tokens kept) through src/anyres' parser, mapped through
// the plan tile the image was cut from onto the page. No parsing of our own — one grounding module, one place.
import { parseGrounding, toPageBoxes, type ParsedGrounding } from '../../anyres/grounding.js';
import type { Size2 } from '../../anyres/coords.js';
import type { PlanTile } from '../../shared/domain.js';
import type { LabelledBox } from '../../shared/geometry.js';
import type { VlmFamily } from './model-folder.js';

export interface AnswerBoxes {
  parsed: ParsedGrounding;
  boxes: LabelledBox[];
}

/**
 * `raw` is GenerateResult.raw (Qwen2-VL's <|box_start|> markers survive only there); `tile` is the plan tile the
 * image was made from, whose `input` must be the size the engine resized to (GenerateResult.resized).
 */
export function parseAnswerBoxes(
  raw: string,
  family: VlmFamily,
  tile: PlanTile,
  page: number,
  pageSize: Size2,
): AnswerBoxes {
  const parsed = parseGrounding(raw);
  return { parsed, boxes: toPageBoxes(parsed, tile, page, pageSize, family) };
}
