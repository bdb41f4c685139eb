// LLaVA-OneVision (llava-onevision-qwen2-0.5b-ov): SigLIP tower + projector + Qwen2 decoder with AnyRes tiling.
// Its images are tiled (base + pinpoint tiles, packed with image_newline: TiledImages), positions are plain 1-D,
// the template puts `<image>\n` first, boxes are plain [0, 1] brackets. Notes: docs/llava-onevision.md.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { OV_GEOMETRY, ovLayout, type OvGeometry } from '../../../anyres/anyres-grid.js';
import { AppError } from '../../../shared/errors.js';
import { FAMILIES } from '../../../shared/families.js';
import type { FolderFacts, Preprocessor, RopeIndex, TiledImages, VlmFamilyImpl } from '../types.js';
import { decodeOvOutput, ovGroundingPrompt } from './grounding.js';
import { packImageFeatures } from './pack.js';
import { ovPixelValues } from './preprocess.js';
import { readSafetensor } from './safetensors.js';
import { LLAVA_OV_TINY_SIZES } from './tiny.js';

/** The HF conversion script's template (chat_template.json of llava-onevision-qwen2-0.5b-ov-hf). */
export const LLAVA_OV_CHAT_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n'}}{# Render all images first #}{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}{{ '<image>\\n' }}{% endfor %}{# Render all video then #}{% for content in message['content'] | selectattr('type', 'equalto', 'video') %}{{ '<video>\\n' }}{% endfor %}{# Render all text next #}{% if message['role'] != 'assistant' %}{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}{{ content['text'] }}{% endfor %}{% else %}{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}{% generation %}{{ content['text'] }}{% endgeneration %}{% endfor %}{% endif %}{{'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** LlavaOnevisionImageProcessor's values (SigLIP mean/std 0.5, 384 px); the pixel limits are the pinpoints'. */
const OV_PREPROCESSOR: Preprocessor = {
  patchSize: 14,
  mergeSize: 1,
  temporalPatchSize: 1,
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
  rescale: 1 / 255,
  doRescale: true,
  doNormalize: true,
  minPixels: 1,
  maxPixels: 2304 * 2304,
};

/** Where a checkpoint keeps `image_newline`: our one-tensor file first, then the HF repo's weights. */
function findNewline(dir: string, hidden: number): Float32Array {
  const names = ['image_newline', 'model.image_newline'];
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.safetensors')) : [];
  const order = ['image_newline.safetensors', 'model.safetensors', ...files].filter(
    (f, i, a) => a.indexOf(f) === i && files.includes(f),
  );
  for (const f of order) {
    const t = readSafetensor(join(dir, f), names);
    if (!t) continue;
    if (t.data.length !== hidden) {
      throw new AppError(
        'corrupt',
        `${join(dir, f)}: ${t.name} has ${t.data.length} values; the decoder's hidden size is ${hidden}`,
      );
    }
    return t.data;
  }
  throw new AppError(
    'no_model',
    `${dir} has no image_newline (LLaVA-OneVision keeps it outside the ONNX graphs): put image_newline.safetensors or the repo's model.safetensors next to config.json`,
  );
}

/** The AnyRes geometry a config.json describes (image_size, patch_size, image_grid_pinpoints, anyres_max_N). */
export function geometryFromConfig(config: Record<string, unknown>, file = 'config.json'): OvGeometry {
  const vision = (
    typeof config.vision_config === 'object' && config.vision_config !== null ? config.vision_config : {}
  ) as Record<string, unknown>;
  const tile = typeof vision.image_size === 'number' ? vision.image_size : OV_GEOMETRY.tile;
  const patch = typeof vision.patch_size === 'number' ? vision.patch_size : OV_GEOMETRY.patch;
  const raw = config.image_grid_pinpoints;
  let pinpoints = OV_GEOMETRY.pinpoints;
  if (raw !== undefined) {
    const ok =
      Array.isArray(raw) &&
      raw.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number'));
    if (!ok)
      throw new AppError('corrupt', `${file}: image_grid_pinpoints must be a list of [height, width] pairs`);
    pinpoints = (raw as number[][]).map((p) => [p[0]!, p[1]!] as const);
  }
  const aspect = typeof config.vision_aspect_ratio === 'string' ? config.vision_aspect_ratio : 'anyres_max_9';
  const m = /^anyres_max_(\d+)$/.exec(aspect);
  if (!m) throw new AppError('corrupt', `${file}: vision_aspect_ratio ${aspect} is not anyres_max_N`);
  return { tile, patch, pinpoints, maxNumPatches: Number(m[1]) };
}

function openTiled(folder: FolderFacts): TiledImages {
  const geometry = geometryFromConfig(folder.config, join(folder.dir, 'config.json'));
  // ovLayout validates the geometry: a bad config fails at load, not at the first question.
  ovLayout({ width: geometry.tile, height: geometry.tile }, geometry);
  const newline = findNewline(folder.dir, folder.hiddenSize);
  const pre = folder.preprocessor;
  const norm = { mean: pre.mean, std: pre.std, rescale: pre.doRescale ? pre.rescale : 1 };
  const layout = (size: { width: number; height: number }, count: number) =>
    ovLayout(size, geometry, count > 1);
  return {
    plan(size, count) {
      const l = layout(size, count);
      return {
        tokens: l.imageTokens,
        width: l.tiled ? l.canvas.width : geometry.tile,
        height: l.tiled ? l.canvas.height : geometry.tile,
      };
    },
    async pixelValues(img, count) {
      const l = layout(img, count);
      const data = await ovPixelValues(img, l, geometry.tile, norm);
      return { data, dims: [l.visionTiles, 3, geometry.tile, geometry.tile] };
    },
    pack(features, size, count) {
      return packImageFeatures(features, layout(size, count), newline, folder.hiddenSize);
    },
  };
}

/** Plain 1-D RoPE: position i for token i (the three rows the engine carries are equal), no delta. */
function ropeIndex(ids: ArrayLike<number>): RopeIndex {
  const n = ids.length;
  const pos = Int32Array.from({ length: n }, (_, i) => i);
  return { positions: [pos, pos, pos], delta: 0 };
}

const untiled = (): never => {
  throw new AppError(
    'internal',
    'LLaVA-OneVision images go through its tiled path (openTiled), not one resized input',
  );
};

export const llavaOneVision: VlmFamilyImpl = {
  id: 'llava-onevision',
  row: FAMILIES['llava-onevision'],
  modelTypes: ['llava_onevision'],
  preprocessorDefaults: OV_PREPROCESSOR,
  // No grid input: pixel_values [tiles, 3, T, T] only.
  graphs: { gridInputs: [] },
  generation: { eos: [151645, 151643] },
  inputSize: untiled,
  preprocess: untiled,
  ropeIndex,
  groundingPrompt: ovGroundingPrompt,
  decode: (raw) => decodeOvOutput(raw),
  openTiled,
  // The LLaVA-NeXT `qwen_1_5` conversation the model was trained with; the HF template adds no system turn.
  defaultSystem: 'You are a helpful assistant.',
  tiny: {
    sizes: { tiny: LLAVA_OV_TINY_SIZES.tiny.hyper, bench: LLAVA_OV_TINY_SIZES.bench.hyper },
    modelType: 'llava_onevision',
    architecture: 'LlavaOnevisionForConditionalGeneration',
    processorClass: 'LlavaOnevisionProcessor',
    lastAddedToken: 151647,
    chatTemplate: LLAVA_OV_CHAT_TEMPLATE,
  },
};
