// Moving and resizing a page-space box by dragging it on screen (the review editor, renderer/components/BoxEditor):
// the screen move is turned back through the view's rotation and zoom, so the stored box stays in page space.
import type { Rect } from './geometry.js';

export type Grip = 'move' | 'nw' | 'ne' | 'sw' | 'se';

/**
 * A move of (dx, dy) screen pixels → page space, for a page drawn at `scale` CSS pixels per unit and turned
 * `rotation` degrees clockwise (a multiple of 90) about its corner: the inverse rotation, then ÷ scale.
 */
export function screenDeltaToPage(
  dx: number,
  dy: number,
  rotation: number,
  scale: number,
): { dx: number; dy: number } {
  const t = (rotation * Math.PI) / 180;
  const c = Math.round(Math.cos(t));
  const s = Math.round(Math.sin(t));
  // `+ 0` turns a -0 into 0.
  return { dx: (dx * c + dy * s) / scale + 0, dy: (-dx * s + dy * c) / scale + 0 };
}

/** The box after dragging `grip` (the box itself, or one corner) by (dx, dy) in page space. */
export function dragged(r: Rect, grip: Grip, dx: number, dy: number): Rect {
  if (grip === 'move') return { x0: r.x0 + dx, y0: r.y0 + dy, x1: r.x1 + dx, y1: r.y1 + dy };
  return {
    x0: grip === 'nw' || grip === 'sw' ? r.x0 + dx : r.x0,
    x1: grip === 'ne' || grip === 'se' ? r.x1 + dx : r.x1,
    y0: grip === 'nw' || grip === 'ne' ? r.y0 + dy : r.y0,
    y1: grip === 'sw' || grip === 'se' ? r.y1 + dy : r.y1,
  };
}
