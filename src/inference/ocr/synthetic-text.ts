// Known text drawn into pixels, with every word's drawn box: the ground truth for the OCR tests and for
// `npm run bench:ocr`. Not used by the app itself.
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { Rect } from '../../shared/geometry.js';
import type { OcrImage } from './types.js';

export interface TextLineSpec {
  text: string;
  /** Left end of the baseline, in pixels (before rotation). */
  x: number;
  y: number;
  /** CSS font family, e.g. "Liberation Serif". */
  family: string;
  /** Font size in pixels. */
  size: number;
  /** Rotation in degrees, clockwise, about the line's centre. 180 draws it upside down. */
  angle?: number;
  weight?: 'normal' | 'bold';
}

export interface DrawnWord {
  text: string;
  /** Axis-aligned box of the word's ink extent (after rotation), in pixels. */
  box: Rect;
  /** Index of the line in the spec list. */
  line: number;
}

export interface SyntheticPage {
  image: OcrImage & { channels: 3 };
  words: DrawnWord[];
  /** The lines' text joined with "\n", in the order given. */
  text: string;
}

/** Draws black text lines on a white canvas and returns RGB pixels with the words' boxes. */
export function renderTextLines(
  width: number,
  height: number,
  lines: readonly TextLineSpec[],
): SyntheticPage {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#000000';
  ctx.textBaseline = 'alphabetic';
  const words: DrawnWord[] = [];
  lines.forEach((l, lineIndex) => {
    setFont(ctx, l);
    const full = ctx.measureText(l.text);
    const cx = l.x + full.width / 2;
    const cy = l.y - (full.actualBoundingBoxAscent - full.actualBoundingBoxDescent) / 2;
    const rad = ((l.angle ?? 0) * Math.PI) / 180;
    const cos = Math.cos(rad);
    const sin = Math.sin(rad);
    const rot = (x: number, y: number): [number, number] => [
      cx + (x - cx) * cos - (y - cy) * sin,
      cy + (x - cx) * sin + (y - cy) * cos,
    ];
    ctx.save();
    ctx.translate(cx, cy);
    ctx.rotate(rad);
    ctx.translate(-cx, -cy);
    ctx.fillText(l.text, l.x, l.y);
    ctx.restore();
    let offset = 0;
    for (const token of l.text.split(/(\s+)/)) {
      const w = ctx.measureText(token).width;
      if (token.trim() !== '') {
        const m = ctx.measureText(token);
        const x0 = l.x + offset - m.actualBoundingBoxLeft;
        const x1 = l.x + offset + m.actualBoundingBoxRight;
        const y0 = l.y - m.actualBoundingBoxAscent;
        const y1 = l.y + m.actualBoundingBoxDescent;
        const pts = [rot(x0, y0), rot(x1, y0), rot(x1, y1), rot(x0, y1)];
        words.push({
          text: token,
          line: lineIndex,
          box: {
            x0: Math.min(...pts.map((p) => p[0])),
            y0: Math.min(...pts.map((p) => p[1])),
            x1: Math.max(...pts.map((p) => p[0])),
            y1: Math.max(...pts.map((p) => p[1])),
          },
        });
      }
      offset += w;
    }
  });
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    rgb[j] = rgba[i]!;
    rgb[j + 1] = rgba[i + 1]!;
    rgb[j + 2] = rgba[i + 2]!;
  }
  return {
    image: { data: rgb, width, height, channels: 3 },
    words,
    text: lines.map((l) => l.text).join('\n'),
  };
}

/** Greedy word wrap of `text` into lines no wider than maxWidth pixels in the given font. */
export function wrapText(
  text: string,
  family: string,
  size: number,
  maxWidth: number,
  weight: 'normal' | 'bold' = 'normal',
): string[] {
  const ctx = createCanvas(8, 8).getContext('2d');
  setFont(ctx, { family, size, weight });
  const out: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const next = cur === '' ? word : `${cur} ${word}`;
    if (cur !== '' && ctx.measureText(next).width > maxWidth) {
      out.push(cur);
      cur = word;
    } else {
      cur = next;
    }
  }
  if (cur !== '') out.push(cur);
  return out;
}

function setFont(ctx: SKRSContext2D, l: { family: string; size: number; weight?: 'normal' | 'bold' }): void {
  ctx.font = `${l.weight ?? 'normal'} ${l.size}px "${l.family}"`;
}

/** Character error rate: Levenshtein distance between whitespace-normalised strings / reference length. */
export function cer(reference: string, hypothesis: string): number {
  const a = [...normalizeWs(reference)];
  const b = [...normalizeWs(hypothesis)];
  if (a.length === 0) return b.length === 0 ? 0 : 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = cur;
  }
  return prev[b.length]! / a.length;
}

export function normalizeWs(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/**
 * A rendered page as a worn thermal / dot-matrix receipt prints it: ink only in columns of dots (every `dotPitch`-th
 * pixel column left blank, so each stroke is broken into vertical strips), uneven grey dots on grey paper. Real
 * receipts printed so make the recogniser see a word gap inside a word ("Kawas an", "KUALA LUM PUR").
 */
export function thermalPrint(
  image: OcrImage & { channels: 3 },
  dotPitch: number,
  random: () => number,
): OcrImage & { channels: 3 } {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const ink = data[i]! < 128 && x % dotPitch !== dotPitch - 1;
      const v = ink ? 90 + random() * 60 : 215 + random() * 25;
      out[i] = out[i + 1] = out[i + 2] = v;
    }
  }
  return { data: out, width, height, channels: 3 };
}
