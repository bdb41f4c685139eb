// Page-space geometry (DESIGN.md "Coordinates"): PDF points, origin top-left of the page as displayed,
// x right, y down. Every box that crosses a module boundary has this shape.
import { z } from 'zod';

export const Rect = z.object({ x0: z.number(), y0: z.number(), x1: z.number(), y1: z.number() });
export type Rect = z.infer<typeof Rect>;

/** A box on a page (1-based page number) in page space. */
export const PageBox = Rect.extend({ page: z.number().int().min(1) });
export type PageBox = z.infer<typeof PageBox>;

export const LabelledBox = PageBox.extend({ label: z.string() });
export type LabelledBox = z.infer<typeof LabelledBox>;

/** Orders corners and clamps a rectangle to [0,width]×[0,height]. */
export function normalizeRect(r: Rect, width: number, height: number): Rect {
  const clamp = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  const x0 = clamp(Math.min(r.x0, r.x1), width);
  const x1 = clamp(Math.max(r.x0, r.x1), width);
  const y0 = clamp(Math.min(r.y0, r.y1), height);
  const y1 = clamp(Math.max(r.y0, r.y1), height);
  return { x0, y0, x1, y1 };
}

export function unionRect(rects: readonly Rect[]): Rect | null {
  if (rects.length === 0) return null;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const r of rects) {
    x0 = Math.min(x0, r.x0);
    y0 = Math.min(y0, r.y0);
    x1 = Math.max(x1, r.x1);
    y1 = Math.max(y1, r.y1);
  }
  return { x0, y0, x1, y1 };
}

export function rectArea(r: Rect): number {
  return Math.max(0, r.x1 - r.x0) * Math.max(0, r.y1 - r.y0);
}

/** Intersection over union of two rectangles (0 when they do not overlap). */
export function iou(a: Rect, b: Rect): number {
  const inter = rectArea({
    x0: Math.max(a.x0, b.x0),
    y0: Math.max(a.y0, b.y0),
    x1: Math.min(a.x1, b.x1),
    y1: Math.min(a.y1, b.y1),
  });
  const union = rectArea(a) + rectArea(b) - inter;
  return union > 0 ? inter / union : 0;
}
