// Shapes shared by the table detectors: ruling segments (as src/documents/rulings.ts produces them) and options.
import type { Rect } from '../../shared/geometry.js';

/**
 * An axis-aligned ruling line in page space: `h` has y0 === y1 and x0 ≤ x1, `v` has x0 === x1 and y0 ≤ y1.
 * NOTE: the same shape as `Segment` in src/documents/rulings.ts, declared twice because src/extract may not import
 * src/documents (DESIGN.md, Layout); TypeScript's structural typing makes the two interchangeable.
 */
export interface Segment {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  orientation: 'h' | 'v';
}

export type TableMode = 'auto' | 'lattice' | 'stream';

export interface DetectOptions {
  /** Only look here (page space). Lattice: rulings are clipped to it; stream: the words inside it form one table. */
  area?: Rect;
  /** `lattice`: ruled tables only; `stream`: text alignment only; `auto` (default): ruled tables, then text blocks. */
  mode?: TableMode;
  /** Stream only: column separators (page-space x) given by the user; words are split among them by centre. */
  columns?: number[];
  /**
   * The page content is turned `deg` degrees clockwise (as displayed) about `centre`, as on a scan fed in askew;
   * the rulings are given upright (as imageRulings returns them). Words are turned upright for detection and
   * the tables' boxes turned back onto the page (as axis-aligned bounds).
   */
  skew?: { deg: number; centre: { x: number; y: number } };
  /**
   * Regions that are not tables (charts found by src/extract/charts), page space: ruling lines inside them are
   * ignored and no table overlapping one by more than a third of its area is reported.
   */
  exclude?: readonly Rect[];
}

/** A placed piece of text: a word of the TextPage (or an OCR word) reduced to what detection needs. */
export interface Token {
  text: string;
  box: Rect;
}
