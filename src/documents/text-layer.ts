// Turns pdf.js text items into the words and lines the rest of DocLens works with, boxed in page space.
// pdf.js gives one item per run of text; we split runs at whitespace, place each word along the run's baseline
// from glyph-width proportions, box it from the font's ascent/descent, and group words into lines by baseline.
import { pdfUserToPage, type PdfPageGeometry } from '../anyres/coords.js';
import type { Line, TextPage, Word } from '../shared/domain.js';
import { normalizeRect, unionRect, type Rect } from '../shared/geometry.js';

export interface TextItemLike {
  str: string;
  transform: number[];
  width: number;
  height: number;
  fontName: string;
}

export interface FontStyleLike {
  ascent?: number;
  descent?: number;
  vertical?: boolean;
  fontFamily?: string;
}

/** Relative advance of each character of `s` in a font family (any unit: only the proportions are used). */
export type MeasureChars = (s: string, family: string) => number[];

interface PlacedWord {
  text: string;
  box: Rect;
  /** Baseline position across the reading direction (page-space y for upright text). */
  baseline: number;
  height: number;
}

const DEFAULT_ASCENT = 0.8;
const DEFAULT_DESCENT = -0.2;

/** Equal advances: the fallback when no measurement is available. */
export const measureEvenly: MeasureChars = (s) => Array.from(s, () => 1);

export function buildTextPage(
  pageNumber: number,
  size: { width: number; height: number },
  g: PdfPageGeometry,
  items: readonly TextItemLike[],
  styles: Readonly<Record<string, FontStyleLike>>,
  measure: MeasureChars = measureEvenly,
): TextPage {
  const placed: PlacedWord[] = [];
  for (const item of items) {
    if (!item.str || !/\S/.test(item.str)) continue;
    placed.push(...placeItemWords(item, styles[item.fontName] ?? {}, g, size, measure));
  }
  return groupLines(pageNumber, size, placed);
}

function placeItemWords(
  item: TextItemLike,
  style: FontStyleLike,
  g: PdfPageGeometry,
  size: { width: number; height: number },
  measure: MeasureChars,
): PlacedWord[] {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = item.transform;
  const scaleX = Math.hypot(a, b);
  const fontHeight = Math.hypot(c, d);
  if (!(scaleX > 0) || !(fontHeight > 0) || !Number.isFinite(e + f)) return [];
  let ascent = style.ascent && style.ascent > 0 ? style.ascent : DEFAULT_ASCENT;
  let descent = style.descent && style.descent < 0 ? style.descent : DEFAULT_DESCENT;
  if (ascent - descent < 0.5) [ascent, descent] = [DEFAULT_ASCENT, DEFAULT_DESCENT];

  // Baseline direction u and "up" direction v (perpendicular, on the side the glyphs stand) in user space.
  let ux = a / scaleX;
  let uy = b / scaleX;
  const flip = a * d - b * c < 0 ? -1 : 1;
  let vx = -uy * flip;
  let vy = ux * flip;
  let length = item.width;
  let originX = e;
  let originY = f;
  let lo = descent * fontHeight;
  let hi = ascent * fontHeight;
  if (style.vertical) {
    // NOTE: vertical writing: glyphs advance downwards and are centred on the origin, as pdf.js lays them out.
    [ux, uy, vx, vy] = [-vx, -vy, ux, uy];
    length = item.height;
    lo = -item.width / 2;
    hi = item.width / 2;
    originX = e;
    originY = f;
  }
  if (!(length > 0)) length = fontHeight * 0.5 * item.str.length;

  const chars = Array.from(item.str);
  let advances = measure(item.str, style.fontFamily ?? 'sans-serif');
  if (advances.length !== chars.length || advances.some((w) => !(w >= 0)))
    advances = measureEvenly(item.str, '');
  const total = advances.reduce((s, w) => s + w, 0) || 1;
  const starts: number[] = [];
  let acc = 0;
  for (const w of advances) {
    starts.push(acc);
    acc += w;
  }

  const out: PlacedWord[] = [];
  const baseline = pdfUserToPage(originX, originY, g);
  const upPage = pdfUserToPage(originX + vx, originY + vy, g);
  // Reading baseline across the page: for text upright on the displayed page this is its y.
  const uprightish = Math.abs(upPage.y - baseline.y) >= Math.abs(upPage.x - baseline.x);
  let i = 0;
  while (i < chars.length) {
    if (/\s/.test(chars[i] ?? ' ')) {
      i++;
      continue;
    }
    const k = i;
    let j = i;
    while (j < chars.length && !/\s/.test(chars[j] ?? ' ')) j++;
    const s0 = ((starts[i] ?? 0) / total) * length;
    const s1 = (((starts[j - 1] ?? 0) + (advances[j - 1] ?? 0)) / total) * length;
    const corners = [
      [s0, lo],
      [s1, lo],
      [s1, hi],
      [s0, hi],
    ].map(([s = 0, t = 0]) => pdfUserToPage(originX + ux * s + vx * t, originY + uy * s + vy * t, g));
    const raw = {
      x0: Math.min(...corners.map((p) => p.x)),
      y0: Math.min(...corners.map((p) => p.y)),
      x1: Math.max(...corners.map((p) => p.x)),
      y1: Math.max(...corners.map((p) => p.y)),
    };
    i = j;
    // Words wholly off the displayed page (outside the CropBox) are not on the page the user sees.
    if (raw.x1 <= 0 || raw.y1 <= 0 || raw.x0 >= size.width || raw.y0 >= size.height) continue;
    const box = normalizeRect(raw, size.width, size.height);
    const wordBase = pdfUserToPage(originX + ux * s0, originY + uy * s0, g);
    out.push({
      text: chars.slice(k, j).join(''),
      box,
      baseline: uprightish ? wordBase.y : wordBase.x,
      height: uprightish ? raw.y1 - raw.y0 : raw.x1 - raw.x0,
    });
  }
  return out;
}

function groupLines(
  pageNumber: number,
  size: { width: number; height: number },
  placed: PlacedWord[],
): TextPage {
  const sorted = [...placed].sort((p, q) => p.baseline - q.baseline || p.box.x0 - q.box.x0);
  const groups: { baseline: number; height: number; words: PlacedWord[] }[] = [];
  for (const w of sorted) {
    const last = groups[groups.length - 1];
    if (last && Math.abs(w.baseline - last.baseline) <= 0.5 * Math.min(w.height, last.height)) {
      last.words.push(w);
    } else {
      groups.push({ baseline: w.baseline, height: w.height, words: [w] });
    }
  }
  const words: Word[] = [];
  const lines: Line[] = [];
  for (const g of groups) {
    g.words.sort((p, q) => p.box.x0 - q.box.x0);
    const wordStart = words.length;
    for (const w of g.words) words.push({ text: w.text, box: w.box, line: lines.length, confidence: 1 });
    lines.push({
      text: g.words.map((w) => w.text).join(' '),
      box: unionRect(g.words.map((w) => w.box)) ?? { x0: 0, y0: 0, x1: 0, y1: 0 },
      wordStart,
      wordEnd: words.length,
    });
  }
  return {
    page: pageNumber,
    width: size.width,
    height: size.height,
    source: words.length ? 'text-layer' : 'none',
    words,
    lines,
  };
}
