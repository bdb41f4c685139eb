// Shapes chart reading works on: painted paths (as src/documents/rulings.ts `vectorPathsFromOperatorList` gives
// them) and placed phrases of the page's text.
import type { Rect } from '../../shared/geometry.js';

export interface Pt {
  x: number;
  y: number;
}

/**
 * A painted path in page space with its colours.
 * NOTE: the same shape as `VectorPath` in src/documents/rulings.ts, declared again because src/extract may not
 * import src/documents (DESIGN.md, Layout); structural typing makes the two interchangeable.
 */
export interface VectorPath {
  fill: string | null;
  stroke: string | null;
  lineWidth: number;
  subpaths: { points: Pt[]; closed: boolean; curved: boolean }[];
  box: Rect;
}

/** Words of one line printed close together ("Q3 FY25"), with their union box. */
export interface Phrase {
  text: string;
  box: Rect;
  /** Font height (box height). */
  size: number;
}
