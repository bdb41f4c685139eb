// `pack_image_features` of LLaVA-OneVision (transformers 4.57 modeling_llava_onevision.py): the vision encoder's
// per-tile features → one token sequence per image (base image, then the unpadded, downscaled grid with an
// `image_newline` after every row). Written out because no JS library does it (transformers.js skips AnyRes).
import { AppError } from '../../../shared/errors.js';
import { bilinearSource, type OvLayout } from '../../../anyres/anyres-grid.js';

/**
 * `tiles` holds layout.visionTiles × perTile² × hidden floats (base image first, then the grid tiles row-major,
 * each tile's features in raster order); returns layout.imageTokens × hidden floats.
 */
export function packImageFeatures(
  tiles: Float32Array,
  layout: OvLayout,
  newline: Float32Array,
  hidden: number,
): Float32Array {
  const P = layout.perTile;
  const perTile = P * P * hidden;
  if (tiles.length !== layout.visionTiles * perTile) {
    throw new AppError(
      'internal',
      `vision features hold ${tiles.length} floats; ${layout.visionTiles} tiles × ${P * P} × ${hidden} expected`,
    );
  }
  if (newline.length !== hidden) {
    throw new AppError(
      'internal',
      `image_newline has ${newline.length} values, the model's hidden size is ${hidden}`,
    );
  }
  const out = new Float32Array(layout.imageTokens * hidden);
  out.set(tiles.subarray(0, perTile), 0);
  if (!layout.tiled) {
    out.set(newline, perTile);
    return out;
  }
  // G[r][c] = tile (1 + ⌊r/P⌋·cols + ⌊c/P⌋), feature (r mod P)·P + (c mod P)  (view + permute(4,0,2,1,3)).
  const cell = (r: number, c: number): number =>
    (1 + Math.floor(r / P) * layout.cols + Math.floor(c / P)) * perTile + ((r % P) * P + (c % P)) * hidden;
  const [r0, r1] = layout.kept.rows;
  const [c0, c1] = layout.kept.cols;
  const inH = r1 - r0;
  const inW = c1 - c0;
  const { height: outH, width: outW } = layout.final;
  const xs = Array.from({ length: outW }, (_, c) => bilinearSource(c, inW, outW));
  let o = perTile;
  for (let r = 0; r < outH; r++) {
    const y = bilinearSource(r, inH, outH);
    const wy1 = y.w1;
    const wy0 = 1 - wy1;
    for (let c = 0; c < outW; c++) {
      const x = xs[c]!;
      const wx1 = x.w1;
      const wx0 = 1 - wx1;
      const a = cell(r0 + y.i0, c0 + x.i0);
      const b = cell(r0 + y.i0, c0 + x.i1);
      const d = cell(r0 + y.i1, c0 + x.i0);
      const e = cell(r0 + y.i1, c0 + x.i1);
      for (let k = 0; k < hidden; k++) {
        out[o + k] =
          wy0 * (wx0 * tiles[a + k]! + wx1 * tiles[b + k]!) +
          wy1 * (wx0 * tiles[d + k]! + wx1 * tiles[e + k]!);
      }
      o += hidden;
    }
    out.set(newline, o);
    o += hidden;
  }
  return out;
}
