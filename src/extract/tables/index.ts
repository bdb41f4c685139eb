// Public surface of table extraction: detection on a page, the grid view, and the suite's accuracy measure.
export { detectTables, tableToGrid } from './detect-tables.js';
export { detectHeaderRows, isNumeric } from './header.js';
export { joinContinuedTables, type JoinOptions } from './multi-page.js';
export { normalizeCell, parseCsv, scoreTable, type CellScore } from './accuracy.js';
export type { DetectOptions, Segment, TableMode, Token } from './types.js';
