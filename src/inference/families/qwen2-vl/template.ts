// Qwen2-VL / Qwen2.5-VL prompt rules: the official chat template (what a generated folder carries) and the
// "find X" question in each family's own words.
import { AppError } from '../../../shared/errors.js';

/** The official Qwen2-VL / Qwen2.5-VL chat template (chat_template.json of the Qwen repos). */
export const QWEN2_VL_CHAT_TEMPLATE =
  "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}{% for message in messages %}{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}<|im_start|>{{ message['role'] }}\n{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n{% else %}{% for content in message['content'] %}{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}Picture {{ image_count.value }}: {% endif %}<|vision_start|><|image_pad|><|vision_end|>{% elif content['type'] == 'video' or 'video' in content %}{% set video_count.value = video_count.value + 1 %}{% if add_vision_id %}Video {{ video_count.value }}: {% endif %}<|vision_start|><|video_pad|><|vision_end|>{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

const SPECIAL_TEXT = /<\|[a-z_]+\|>/g;

/** The objects to find, cleaned of special-token text and blank entries; at least one. */
export function objectList(objects: readonly string[]): string[] {
  const list = objects
    .map((o) => o.replace(SPECIAL_TEXT, '').replace(/\s+/g, ' ').trim())
    .filter((o) => o.length > 0);
  if (list.length === 0) throw new AppError('invalid_input', 'name at least one thing to find');
  return list;
}

/**
 * Qwen2-VL marks the referent with <|object_ref_start|>…<|object_ref_end|> and answers with
 * <|box_start|>(x1,y1),(x2,y2)<|box_end|> in 0–1000.
 */
export function qwen2VlGroundingPrompt(objects: readonly string[]): string {
  const list = objectList(objects);
  return `Detect the bounding box of ${list.map((o) => `<|object_ref_start|>${o}<|object_ref_end|>`).join(', ')}.`;
}

/** Qwen2.5-VL (and Qwen3-VL) are asked for `bbox_2d` JSON (the cookbook wording). */
export function jsonGroundingPrompt(objects: readonly string[]): string {
  const what = objectList(objects)
    .map((o) => `every ${o}`)
    .join(', ');
  return `Locate ${what} in the image, output the bbox coordinates in JSON format.`;
}
