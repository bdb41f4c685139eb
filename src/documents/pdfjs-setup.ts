// Loads pdf.js (the Node legacy build) once per thread with one set of options that works both in plain Node
// and in Electron's utilityProcess, where pdf.js does not detect Node and takes its browser path: there it would
// reach for DOM canvases, `fetch` and a web Worker, so we hand it our own factories and polyfills either way.
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as napiCanvas from '@napi-rs/canvas';
import type * as PdfJsModule from 'pdfjs-dist/legacy/build/pdf.mjs';
import { MAX_CANVAS_PIXELS } from './canvas-cap.js';

export type PdfJs = typeof PdfJsModule;
type GetDocumentParams = Parameters<PdfJs['getDocument']>[0];
type Canvas = napiCanvas.Canvas;
type Ctx = napiCanvas.SKRSContext2D;

/** pdf.js refuses to decode an image with more pixels than this (it drops the image and warns). */
export const MAX_IMAGE_PIXELS = 2 ** 26;

const require = createRequire(import.meta.url);
const pdfjsDir = path.dirname(require.resolve('pdfjs-dist/package.json'));
/** Paths (with the trailing slash pdf.js insists on) to data shipped in the installed package: no network. */
export const PDFJS_DATA = {
  standardFontDataUrl: path.join(pdfjsDir, 'standard_fonts') + path.sep,
  cMapUrl: path.join(pdfjsDir, 'cmaps') + path.sep,
  wasmUrl: path.join(pdfjsDir, 'wasm') + path.sep,
  iccUrl: path.join(pdfjsDir, 'iccs') + path.sep,
};

/** Same contract as pdf.js's BaseCanvasFactory, backed by @napi-rs/canvas. */
class NapiCanvasFactory {
  constructor(_opts?: unknown) {}
  create(width: number, height: number): { canvas: Canvas | null; context: Ctx | null } {
    if (!(width > 0 && height > 0)) throw new Error('Invalid canvas size');
    const canvas = napiCanvas.createCanvas(Math.ceil(width), Math.ceil(height));
    return { canvas, context: canvas.getContext('2d') };
  }
  reset(cc: { canvas: Canvas | null }, width: number, height: number): void {
    if (!cc.canvas) throw new Error('Canvas is not specified');
    if (!(width > 0 && height > 0)) throw new Error('Invalid canvas size');
    cc.canvas.width = Math.ceil(width);
    cc.canvas.height = Math.ceil(height);
  }
  destroy(cc: { canvas: Canvas | null; context: Ctx | null }): void {
    if (!cc.canvas) throw new Error('Canvas is not specified');
    cc.canvas.width = 0;
    cc.canvas.height = 0;
    cc.canvas = null;
    cc.context = null;
  }
  getNoAlphaContext(canvas: Canvas): Ctx {
    return canvas.getContext('2d', { alpha: false });
  }
}

/** Same contract as pdf.js's BaseFilterFactory: no SVG filters off the DOM, so every filter is "none". */
class NoFilterFactory {
  constructor(_opts?: unknown) {}
  addFilter(): string {
    return 'none';
  }
  addHCMFilter(): string {
    return 'none';
  }
  addAlphaFilter(): string {
    return 'none';
  }
  addLuminosityFilter(): string {
    return 'none';
  }
  addKnockoutFilter(): string {
    return 'none';
  }
  addHighlightHCMFilter(): string {
    return 'none';
  }
  addSelectionHCMFilter(): string {
    return 'none';
  }
  addSelectionFilter(): string {
    return 'none';
  }
  createSelectionStyle(): null {
    return null;
  }
  destroy(): void {}
}

const DATA_KINDS = { cMapUrl: 'CMap', standardFontDataUrl: 'font', wasmUrl: 'wasm' } as const;

/** Same contract as pdf.js's BaseBinaryDataFactory: reads fonts, CMaps and wasm from the package folder. */
class FsBinaryDataFactory {
  readonly #dirs: Record<string, string | null>;
  constructor(opts: {
    cMapUrl?: string | null;
    standardFontDataUrl?: string | null;
    wasmUrl?: string | null;
  }) {
    this.#dirs = {
      cMapUrl: opts.cMapUrl ?? null,
      standardFontDataUrl: opts.standardFontDataUrl ?? null,
      wasmUrl: opts.wasmUrl ?? null,
    };
  }
  async fetch({ kind, filename }: { kind: string; filename: string }): Promise<Uint8Array> {
    if (!(kind in DATA_KINDS)) throw new Error(`Not implemented: ${kind}`);
    const dir = this.#dirs[kind];
    if (!dir) throw new Error(`Ensure that the \`${kind}\` API parameter is provided.`);
    // NOTE: only a bare file name pdf.js asks for is joined onto our folder; nothing outside it is read.
    const file = path.join(dir, path.basename(filename));
    try {
      return new Uint8Array(await readFile(file));
    } catch {
      throw new Error(`Unable to load ${DATA_KINDS[kind as keyof typeof DATA_KINDS]} data at: ${file}`);
    }
  }
}

/** Globals pdf.js's display layer expects from a browser; @napi-rs/canvas provides them. */
function installPolyfills(): void {
  const g = globalThis as Record<string, unknown>;
  g.DOMMatrix ??= napiCanvas.DOMMatrix;
  g.DOMPoint ??= napiCanvas.DOMPoint;
  g.DOMRect ??= napiCanvas.DOMRect;
  g.Path2D ??= napiCanvas.Path2D;
  g.ImageData ??= napiCanvas.ImageData;
  const nav = g.navigator as { language?: string } | undefined;
  if (!nav?.language) g.navigator = { language: 'en-US', platform: '', userAgent: '' };
}

/** Lists receiving pdf.js warnings while a page is read (captureWarnings). */
const sinks = new Set<string[]>();
let warnHooked = false;

/**
 * pdf.js (display and parser halves alike) reports a dropped image only through its `warn`, which prints
 * `Warning: …` with console.warn; there is no hook or event for it. So console.warn is wrapped once per thread:
 * pdf.js warnings go to the active captures and are never printed (as at verbosity 0), anything else passes.
 */
function hookWarnings(): void {
  if (warnHooked) return;
  warnHooked = true;
  const original = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    const [first] = args;
    if (typeof first === 'string' && first.startsWith('Warning: ')) {
      for (const sink of sinks) sink.push(first.slice('Warning: '.length));
      return;
    }
    original(...args);
  };
}

/**
 * Runs `fn` and returns what pdf.js warned meanwhile. NOTE: a capture takes every warning in the thread while it
 * runs; a pool worker runs one request at a time, so there they are the page's own (in-thread concurrent reads of
 * several pages would share them).
 */
export async function captureWarnings<T>(fn: () => Promise<T>): Promise<{ value: T; warnings: string[] }> {
  hookWarnings();
  const sink: string[] = [];
  sinks.add(sink);
  try {
    return { value: await fn(), warnings: sink };
  } finally {
    sinks.delete(sink);
  }
}

function cause(s: string): string {
  return s
    .replace(/^\w*(Error|Exception): /, '')
    .replace(/^JpegImage\.parse - /, '')
    .replace(/\.$/, '');
}

/** The pdf.js warnings that mean part of a page was not drawn, as reasons a user can read; the rest are dropped. */
const LOSSES: [RegExp, (m: RegExpMatchArray) => string][] = [
  [
    /^Unable to decode image "[^"]*": "(.*)"\.?$/s,
    (m) => `an image could not be decoded (${cause(m[1] ?? '')})`,
  ],
  [
    /^Image exceeded maximum allowed size/,
    () => `an image over ${MAX_IMAGE_PIXELS.toLocaleString('en-US')} pixels was left out`,
  ],
  // The display side painting an image the parser sent as null (its decoding failed, now or on an earlier page).
  [/^Dependent image isn't ready yet/, () => GENERIC_DECODE],
  [/^Image dimensions are missing/, () => 'an image without a valid width and height was left out'],
  [
    /^JpegImage\.parse - reached the end of the image data/,
    () => 'an image is incomplete (JPEG data is cut short)',
  ],
  [
    /^JpegImage\.parse - (.*)/s,
    (m) => `an image may be damaged (JPEG data is corrupt: ${cause(m[1] ?? '')})`,
  ],
  [
    /^(.*) -- ignoring the rest of the image data/s,
    (m) => `an image is incomplete (JPEG data is corrupt: ${cause(m[1] ?? '')})`,
  ],
  [
    /^Invalid stream: "(.*)"$/s,
    (m) =>
      `a stream could not be decompressed (${cause(m[1] ?? '')}), so the image or content it held is missing`,
  ],
  [/^BMP image decoding failed: (.*)/s, (m) => `an image could not be decoded (${cause(m[1] ?? '')})`],
  [
    /^getContentStream - ignoring sub-stream \([^)]*\): "(.*)"/s,
    (m) => `part of the page content could not be read (${cause(m[1] ?? '')})`,
  ],
];

const GENERIC_DECODE = 'an image could not be decoded';

/** What of a page was lost according to pdf.js's warnings, each reason once, in the order first seen. */
export function pageLosses(warnings: readonly string[]): string[] {
  const out: string[] = [];
  for (const w of warnings) {
    for (const [re, say] of LOSSES) {
      const m = w.match(re);
      if (!m) continue;
      const reason = say(m);
      if (!out.includes(reason)) out.push(reason);
      break;
    }
  }
  // The generic reason only stands where no specific one says why.
  return out.some((r) => r.startsWith(`${GENERIC_DECODE} (`)) ? out.filter((r) => r !== GENERIC_DECODE) : out;
}

let loading: Promise<PdfJs> | null = null;

/** pdf.js, loaded once per thread with the polyfills installed and its parser running in this thread. */
export function loadPdfJs(): Promise<PdfJs> {
  loading ??= (async () => {
    installPolyfills();
    hookWarnings();
    // pdf.js's "fake worker" runs the parser in this thread (we are already off the main thread in a pool
    // worker). Providing it as `globalThis.pdfjsWorker` makes both paths use it without a web Worker.
    const worker = (await import('pdfjs-dist/legacy/build/pdf.worker.mjs')) as unknown;
    (globalThis as Record<string, unknown>).pdfjsWorker = worker;
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    pdfjs.GlobalWorkerOptions.workerSrc ||= require.resolve('pdfjs-dist/legacy/build/pdf.worker.mjs');
    return pdfjs;
  })();
  return loading;
}

/** True when pdf.js took its Node path in this thread (false in Electron's utilityProcess). */
export function pdfJsSeesNode(): boolean {
  return (
    typeof process === 'object' &&
    !(process.versions as Record<string, string | undefined>).nw &&
    !(
      process.versions.electron &&
      (process as { type?: string }).type &&
      (process as { type?: string }).type !== 'browser'
    )
  );
}

/** getDocument parameters shared by every load. The password is passed through and kept nowhere else. */
export function documentParams(data: Uint8Array, password: string | undefined): GetDocumentParams {
  const params = {
    data,
    password,
    // NOTE: pdf.js 6 no longer reads isEvalSupported (it compiles no font code with eval any more); we still
    // pass `false` so an older pdf.js dropped in by a lockfile change cannot quietly turn eval back on.
    isEvalSupported: false,
    maxImageSize: MAX_IMAGE_PIXELS,
    canvasMaxAreaInBytes: MAX_CANVAS_PIXELS * 4,
    standardFontDataUrl: PDFJS_DATA.standardFontDataUrl,
    cMapUrl: PDFJS_DATA.cMapUrl,
    cMapPacked: true,
    wasmUrl: PDFJS_DATA.wasmUrl,
    iccUrl: PDFJS_DATA.iccUrl,
    useSystemFonts: false,
    disableFontFace: true,
    useWorkerFetch: false,
    isOffscreenCanvasSupported: false,
    isImageDecoderSupported: false,
    disableWorkerRendering: true,
    enableXfa: false,
    stopAtErrors: false,
    // Warnings on: they are how pdf.js reports an image it dropped (captureWarnings takes them; none is printed).
    verbosity: 1,
    CanvasFactory: NapiCanvasFactory,
    FilterFactory: NoFilterFactory,
    BinaryDataFactory: FsBinaryDataFactory,
  };
  return params;
}
