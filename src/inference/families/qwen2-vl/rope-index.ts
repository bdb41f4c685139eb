// M-RoPE position ids (HF `get_rope_index`) for one unpadded sequence: text runs count up on all three rows,
// each image block lays its tokens out on a (t, h, w) grid. Qwen2-VL, Qwen2.5-VL and Qwen3-VL (images) share it.
import type { ImageGrid, RopeIndex } from '../types.js';

export type { ImageGrid, RopeIndex } from '../types.js';

/**
 * Positions for `ids` (image pads already expanded), one grid per image block in order.
 * NOTE: transformers.js (3.x–4.3) gives text-only prompts a delta of max + 1 + length; Python and we use
 * max + 1 − length (= 0), so decode positions continue at `length`, not `3·length`.
 * NOTE: transformers.js looks for the next image pad strictly after the cursor (`i > st`); Python and we start at
 * the cursor (`index(image_token_id, st)`), which matters only when an image follows another with no text between.
 */
export function getRopeIndex(
  ids: ArrayLike<number>,
  grids: readonly ImageGrid[],
  imageToken: number,
  mergeSize = 2,
): RopeIndex {
  const n = ids.length;
  const t = new Int32Array(n);
  const h = new Int32Array(n);
  const w = new Int32Array(n);
  let next = 0;
  let st = 0;
  let max = -1;
  const text = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const p = next + (i - from);
      t[i] = p;
      h[i] = p;
      w[i] = p;
      if (p > max) max = p;
    }
    if (to > from) next += to - from;
  };
  for (const [index, grid] of grids.entries()) {
    let ed = st;
    while (ed < n && ids[ed] !== imageToken) ed++;
    if (ed >= n) {
      throw new Error(`image ${index + 1} of ${grids.length} has no <|image_pad|> tokens in the prompt`);
    }
    text(st, ed);
    const gt = grid.t;
    const gh = grid.h / mergeSize;
    const gw = grid.w / mergeSize;
    const count = gt * gh * gw;
    if (!Number.isInteger(gh) || !Number.isInteger(gw)) {
      throw new Error(`image grid ${grid.h}×${grid.w} is not a multiple of the merge size ${mergeSize}`);
    }
    if (ed + count > n)
      throw new Error(`image ${index + 1} needs ${count} pad tokens; the prompt ends first`);
    const base = next;
    let i = ed;
    for (let f = 0; f < gt; f++) {
      for (let r = 0; r < gh; r++) {
        for (let c = 0; c < gw; c++) {
          if (ids[i] !== imageToken) {
            throw new Error(`image ${index + 1}: expected ${count} consecutive <|image_pad|> tokens`);
          }
          t[i] = base + f;
          h[i] = base + r;
          w[i] = base + c;
          i++;
        }
      }
    }
    const top = base + Math.max(gt - 1, gh - 1, gw - 1);
    if (top > max) max = top;
    next = top + 1;
    st = ed + count;
  }
  text(st, n);
  return { positions: [t, h, w], delta: n === 0 ? 0 : max + 1 - n };
}
