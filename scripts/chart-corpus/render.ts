// Draws laid-out charts two ways: as an SVG page that Chromium prints to PDF (as a browser's "Save as PDF" of a
// web chart does), and directly with pdf-lib (rectangles as `re`, circles and arcs as Béziers, Helvetica text).
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { Prim, Style } from './spec.js';

export const PAGE_W = 612;
export const PAGE_H = 792;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const FAMILY: Record<Style['font'], string> = {
  sans: "'Liberation Sans', sans-serif",
  serif: "'Liberation Serif', serif",
  condensed: "'DejaVu Sans Condensed', 'DejaVu Sans', sans-serif",
};

function arcPath(p: Extract<Prim, { t: 'wedge' }>): string {
  const pt = (r: number, a: number) =>
    `${(p.cx + r * Math.cos(a)).toFixed(3)} ${(p.cy + r * Math.sin(a)).toFixed(3)}`;
  const large = p.a1 - p.a0 > Math.PI ? 1 : 0;
  if (p.r0 <= 0)
    return `M ${p.cx} ${p.cy} L ${pt(p.r, p.a0)} A ${p.r} ${p.r} 0 ${large} 1 ${pt(p.r, p.a1)} Z`;
  return `M ${pt(p.r, p.a0)} A ${p.r} ${p.r} 0 ${large} 1 ${pt(p.r, p.a1)} L ${pt(p.r0, p.a1)} A ${p.r0} ${p.r0} 0 ${large} 0 ${pt(p.r0, p.a0)} Z`;
}

/** A page of charts (and prose, as text primitives) as one SVG in page-space units, for Chromium to print. */
export function svgPage(prims: readonly Prim[], font: Style['font']): string {
  const body = prims
    .map((p) => {
      switch (p.t) {
        case 'rect':
          return `<rect x="${p.x}" y="${p.y}" width="${p.w}" height="${p.h}" fill="${p.fill}"/>`;
        case 'line':
          return `<line x1="${p.x1}" y1="${p.y1}" x2="${p.x2}" y2="${p.y2}" stroke="${p.stroke}" stroke-width="${p.width}"/>`;
        case 'poly':
          return `<polyline points="${p.points.map(([x, y]) => `${x},${y}`).join(' ')}" fill="none" stroke="${p.stroke}" stroke-width="${p.width}" stroke-linejoin="round"/>`;
        case 'circle':
          return `<circle cx="${p.cx}" cy="${p.cy}" r="${p.r}" fill="${p.fill}"/>`;
        case 'wedge':
          return `<path d="${arcPath(p)}" fill="${p.fill}" stroke="#ffffff" stroke-width="0"/>`;
        case 'text':
          return `<text x="${p.x}" y="${p.y}" font-size="${p.size}" text-anchor="${p.anchor}" fill="${p.color}"${p.bold ? ' font-weight="bold"' : ''}>${esc(p.text)}</text>`;
      }
    })
    .join('\n');
  return `<!doctype html><html><head><style>@page { size: ${PAGE_W}pt ${PAGE_H}pt; margin: 0 } html, body { margin: 0 } svg { display: block; font-family: ${FAMILY[font]} }</style></head><body><svg xmlns="http://www.w3.org/2000/svg" width="${PAGE_W}pt" height="${PAGE_H}pt" viewBox="0 0 ${PAGE_W} ${PAGE_H}">${body}</svg></body></html>`;
}

function colour(hex: string) {
  const n = Number.parseInt(hex.slice(1), 16);
  return rgb(((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255);
}

/** Draws primitives on a pdf-lib page (page space: y down from the top). */
export function drawPrims(
  page: PDFPage,
  prims: readonly Prim[],
  fonts: { regular: PDFFont; bold: PDFFont },
): void {
  const H = page.getHeight();
  for (const p of prims) {
    switch (p.t) {
      case 'rect':
        page.drawRectangle({ x: p.x, y: H - p.y - p.h, width: p.w, height: p.h, color: colour(p.fill) });
        break;
      case 'line':
        page.drawLine({
          start: { x: p.x1, y: H - p.y1 },
          end: { x: p.x2, y: H - p.y2 },
          thickness: p.width,
          color: colour(p.stroke),
        });
        break;
      case 'poly':
        page.drawSvgPath(`M ${p.points.map(([x, y]) => `${x} ${y}`).join(' L ')}`, {
          x: 0,
          y: H,
          borderColor: colour(p.stroke),
          borderWidth: p.width,
        });
        break;
      case 'circle':
        page.drawCircle({ x: p.cx, y: H - p.cy, size: p.r, color: colour(p.fill) });
        break;
      case 'wedge':
        page.drawSvgPath(arcPath(p), { x: 0, y: H, color: colour(p.fill) });
        break;
      case 'text': {
        const font = p.bold ? fonts.bold : fonts.regular;
        const w = font.widthOfTextAtSize(p.text, p.size);
        const x = p.anchor === 'start' ? p.x : p.anchor === 'end' ? p.x - w : p.x - w / 2;
        page.drawText(p.text, { x, y: H - p.y, size: p.size, font, color: colour(p.color) });
        break;
      }
    }
  }
}

export async function pdfLibDoc(
  pages: readonly { prims: readonly Prim[]; font: Style['font'] }[],
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const fixed = new Date(Date.UTC(2025, 0, 1));
  doc.setCreationDate(fixed);
  doc.setModificationDate(fixed);
  doc.setProducer('DocLens chart corpus');
  for (const pg of pages) {
    const regular = await doc.embedFont(
      pg.font === 'serif' ? StandardFonts.TimesRoman : StandardFonts.Helvetica,
    );
    const bold = await doc.embedFont(
      pg.font === 'serif' ? StandardFonts.TimesRomanBold : StandardFonts.HelveticaBold,
    );
    drawPrims(doc.addPage([PAGE_W, PAGE_H]), pg.prims, { regular, bold });
  }
  return doc.save();
}
