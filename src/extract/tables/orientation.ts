// Tables printed turned a quarter turn (a landscape table on a portrait page): the page's words run up or down
// instead of across. Detection works upright, so words and rulings are turned into the reading frame and the
// tables found there are turned back onto the page.
import type { Rect } from '../../shared/geometry.js';
import type { Segment } from './types.js';

/** Reading direction of a page's text: across (0), down the page (text turned clockwise) or up (anticlockwise). */
export type QuarterTurn = 0 | 90 | -90;

interface LineLike {
  wordStart: number;
  wordEnd: number;
}

/**
 * The quarter turn most of the page's text is set in, from neighbouring words of each text line: words that
 * follow one another downwards or upwards (their x ranges overlapping, their y ranges not) vote for a turn,
 * words that follow across vote for none. A page needs a clear majority (two thirds of the votes) to be turned.
 */
export function quarterTurn(words: readonly { box: Rect }[], lines: readonly LineLike[]): QuarterTurn {
  let across = 0;
  let down = 0;
  let up = 0;
  for (const l of lines) {
    for (let i = l.wordStart; i + 1 < l.wordEnd; i++) {
      const a = words[i]?.box;
      const b = words[i + 1]?.box;
      if (!a || !b) continue;
      const xOverlap = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
      const yOverlap = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
      if (yOverlap > 0 && xOverlap <= 0) across++;
      else if (xOverlap > 0.5 * Math.min(a.x1 - a.x0, b.x1 - b.x0) && yOverlap <= 0) {
        if (b.y0 > a.y0) down++;
        else up++;
      }
    }
  }
  const turned = down + up;
  if (turned < 10 || turned < 2 * across) return 0;
  return down >= up ? 90 : -90;
}

/** Page box → reading-frame box (page `w`×`h` points). Clockwise text: u = y, v = w − x; anticlockwise: u = h − y, v = x. */
export function toReading(r: Rect, turn: QuarterTurn, w: number, h: number): Rect {
  if (turn === 90) return { x0: r.y0, y0: w - r.x1, x1: r.y1, y1: w - r.x0 };
  if (turn === -90) return { x0: h - r.y1, y0: r.x0, x1: h - r.y0, y1: r.x1 };
  return r;
}

/** Reading-frame box → page box (inverse of toReading). */
export function toPage(r: Rect, turn: QuarterTurn, w: number, h: number): Rect {
  if (turn === 90) return { x0: w - r.y1, y0: r.x0, x1: w - r.y0, y1: r.x1 };
  if (turn === -90) return { x0: r.y0, y0: h - r.x1, x1: r.y1, y1: h - r.x0 };
  return r;
}

/** A ruling turned into the reading frame (a horizontal rule on the page becomes a vertical one and back). */
export function segmentToReading(s: Segment, turn: QuarterTurn, w: number, h: number): Segment {
  if (turn === 0) return s;
  const r = toReading({ x0: s.x0, y0: s.y0, x1: s.x1, y1: s.y1 }, turn, w, h);
  return { ...r, orientation: s.orientation === 'h' ? 'v' : 'h' };
}
