// Drawing helpers over pdf-lib that work in page space (y down) and return the page-space box of what
// they drew, so the ground truth comes from the same numbers as the drawing.
import type { PDFDocument, PDFFont, PDFPage, RGB } from 'pdf-lib';
import { rgb } from 'pdf-lib';
import type { Box } from './ground-truth.js';

/** Helvetica ascent/descent (AFM, and what pdf.js reports in textContent.styles), per unit of font size. */
export const ASCENT = 0.718;
export const DESCENT = 0.207;

/** Fixed metadata so re-running the generator writes identical bytes. */
export function setFixedMetadata(doc: PDFDocument, title: string): void {
  const when = new Date(Date.UTC(2025, 2, 14, 9, 0, 0));
  doc.setTitle(title);
  doc.setAuthor('DocLens sample generator');
  doc.setCreator('DocLens scripts/make-samples.ts');
  doc.setProducer('pdf-lib (DocLens samples)');
  doc.setCreationDate(when);
  doc.setModificationDate(when);
}

export function hex(h: string): RGB {
  const n = parseInt(h.replace('#', ''), 16);
  return rgb(((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255);
}

export interface TextStyle {
  font: PDFFont;
  size: number;
  color?: RGB;
  align?: 'left' | 'right' | 'center';
}

/** A drawn run of text: what pdf.js will extract and where. */
export interface DrawnText {
  text: string;
  x: number;
  baseline: number;
  style: TextStyle;
  box: Box;
}

/**
 * Width as drawn. pdf-lib's widthOfTextAtSize applies kerning pairs but drawText emits no kerning, so
 * the real advance (and pdf.js's item width) is the plain sum of glyph widths.
 */
export function textWidth(text: string, font: PDFFont, size: number): number {
  let w = 0;
  for (const ch of text) w += font.widthOfTextAtSize(ch, size);
  return w;
}

export class PageDraw {
  readonly height: number;
  readonly width: number;

  constructor(
    readonly page: PDFPage,
    readonly pageNo: number,
  ) {
    this.height = page.getHeight();
    this.width = page.getWidth();
  }

  /** Draws one line with its baseline at `baseline` (page space); `x` is the anchor given by align. */
  text(text: string, x: number, baseline: number, style: TextStyle): DrawnText {
    const w = textWidth(text, style.font, style.size);
    const left = style.align === 'right' ? x - w : style.align === 'center' ? x - w / 2 : x;
    this.page.drawText(text, {
      x: left,
      y: this.height - baseline,
      size: style.size,
      font: style.font,
      color: style.color ?? rgb(0, 0, 0),
    });
    return {
      text,
      x: left,
      baseline,
      style,
      box: {
        x0: left,
        y0: baseline - ASCENT * style.size,
        x1: left + w,
        y1: baseline + DESCENT * style.size,
      },
    };
  }

  /** Word-wraps `text` into `width` and draws it; `~` joins words that must stay on one line. */
  paragraph(
    text: string,
    x: number,
    baseline: number,
    width: number,
    leading: number,
    style: TextStyle,
  ): DrawnText[] {
    const words = text.split(' ');
    const lines: string[] = [];
    let cur = '';
    for (const word of words) {
      const next = cur ? `${cur} ${word}` : word;
      if (cur && textWidth(next.replaceAll('~', ' '), style.font, style.size) > width) {
        lines.push(cur);
        cur = word;
      } else cur = next;
    }
    if (cur) lines.push(cur);
    return lines.map((line, i) => this.text(line.replaceAll('~', ' '), x, baseline + i * leading, style));
  }

  rect(box: Box, opts: { fill?: RGB; stroke?: RGB; lineWidth?: number }): void {
    this.page.drawRectangle({
      x: box.x0,
      y: this.height - box.y1,
      width: box.x1 - box.x0,
      height: box.y1 - box.y0,
      ...(opts.fill ? { color: opts.fill } : {}),
      ...(opts.stroke ? { borderColor: opts.stroke, borderWidth: opts.lineWidth ?? 0.75 } : {}),
    });
  }

  line(x0: number, y0: number, x1: number, y1: number, color: RGB, thickness = 0.75): void {
    this.page.drawLine({
      start: { x: x0, y: this.height - y0 },
      end: { x: x1, y: this.height - y1 },
      thickness,
      color,
    });
  }
}

/** The box of `sub` inside a drawn run (first occurrence); throws when absent so ground truth never lies. */
export function subBox(run: DrawnText, sub: string): Box {
  const i = run.text.indexOf(sub);
  if (i < 0) throw new Error(`"${sub}" not in "${run.text}"`);
  const { font, size } = run.style;
  const x0 = run.x + textWidth(run.text.slice(0, i), font, size);
  return { x0, y0: run.box.y0, x1: x0 + textWidth(sub, font, size), y1: run.box.y1 };
}

/** Finds `sub` in a list of drawn runs (e.g. a wrapped paragraph) and returns its box. */
export function findIn(runs: DrawnText[], sub: string): Box {
  const run = runs.find((r) => r.text.includes(sub));
  if (!run) throw new Error(`"${sub}" not drawn in: ${runs.map((r) => r.text).join(' | ')}`);
  return subBox(run, sub);
}
