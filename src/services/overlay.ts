// Draws labelled page-space boxes over a rendered page (PNG in, PNG out) for `doclens overlay` and the
// "export annotated image" action.
import { createCanvas, loadImage } from '@napi-rs/canvas';
import type { LabelledBox } from '../shared/geometry.js';

const COLOURS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#9a6324'];

/** `scale` = pixels per page-space unit of the PNG. */
export async function drawOverlay(
  png: Uint8Array,
  boxes: readonly LabelledBox[],
  scale: number,
): Promise<Uint8Array> {
  const img = await loadImage(Buffer.from(png));
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const labels = [...new Set(boxes.map((b) => b.label))];
  const line = Math.max(2, Math.round(img.width / 500));
  ctx.font = `${Math.max(12, Math.round(img.width / 70))}px sans-serif`;
  for (const b of boxes) {
    const colour = COLOURS[labels.indexOf(b.label) % COLOURS.length] ?? '#e6194b';
    const x = b.x0 * scale;
    const y = b.y0 * scale;
    const w = Math.max(1, (b.x1 - b.x0) * scale);
    const h = Math.max(1, (b.y1 - b.y0) * scale);
    ctx.strokeStyle = colour;
    ctx.lineWidth = line;
    ctx.strokeRect(x, y, w, h);
    if (b.label) {
      const m = ctx.measureText(b.label);
      const th = Math.round(img.width / 70) + 6;
      const ty = y - th >= 0 ? y - th : y;
      ctx.fillStyle = colour;
      ctx.fillRect(x, ty, m.width + 8, th);
      ctx.fillStyle = '#ffffff';
      ctx.fillText(b.label, x + 4, ty + th - 5);
    }
  }
  return new Uint8Array(await canvas.encode('png'));
}
