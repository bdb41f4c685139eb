// The shape of assets/samples/samples.json: the ground truth that tests (extraction, grounding, e2e) compare
// against. Boxes are in page space (DESIGN.md "Coordinates"): points, origin top-left, y down; pixels for images.
import { z } from 'zod';

export const Box = z.object({ x0: z.number(), y0: z.number(), x1: z.number(), y1: z.number() });
export type Box = z.infer<typeof Box>;

export const SampleDate = z.object({
  page: z.number().int().min(1),
  /** The date exactly as drawn on the page. */
  text: z.string(),
  /** ISO 8601: YYYY-MM-DD, YYYY-MM or YYYY depending on precision. */
  iso: z.string(),
  precision: z.enum(['day', 'month', 'year']),
  box: Box,
});
export type SampleDate = z.infer<typeof SampleDate>;

export const SampleField = z.object({
  /** Stable key, e.g. invoiceNumber, invoiceDate, dueDate, total, title. */
  name: z.string(),
  page: z.number().int().min(1),
  text: z.string(),
  box: Box,
});
export type SampleField = z.infer<typeof SampleField>;

export const SampleCell = z.object({
  row: z.number().int().nonnegative(),
  col: z.number().int().nonnegative(),
  text: z.string(),
  /** The ruled cell rectangle. */
  box: Box,
  /** The tight box of the text inside the cell. */
  textBox: Box,
});
export type SampleCell = z.infer<typeof SampleCell>;

export const SampleTable = z.object({
  page: z.number().int().min(1),
  caption: z.string().nullable(),
  box: Box,
  rows: z.number().int().positive(),
  cols: z.number().int().positive(),
  headerRows: z.number().int().nonnegative(),
  /** Row-major, one entry per cell (no spans). */
  cells: z.array(SampleCell),
});
export type SampleTable = z.infer<typeof SampleTable>;

export const SampleBar = z.object({ label: z.string(), value: z.number(), box: Box });
export type SampleBar = z.infer<typeof SampleBar>;

export const SampleChart = z.object({
  page: z.number().int().min(1),
  kind: z.literal('bar'),
  title: z.string(),
  /** The plot area (inside the axes). */
  plotBox: Box,
  yAxis: z.object({ min: z.number(), max: z.number(), label: z.string() }),
  bars: z.array(SampleBar),
});
export type SampleChart = z.infer<typeof SampleChart>;

export const SampleObject = z.object({
  label: z.string(),
  /** The object's dominant colour as #rrggbb; the pixel at the box centre has it. */
  color: z.string(),
  box: Box,
});
export type SampleObject = z.infer<typeof SampleObject>;

export const SampleTransform = z.object({
  /** Clockwise rotation as seen on the page (y down), degrees, about `center`. */
  rotationDeg: z.number(),
  center: z.object({ x: z.number(), y: z.number() }),
  /** The document the boxes were transformed from. */
  source: z.string(),
  note: z.string(),
});
export type SampleTransform = z.infer<typeof SampleTransform>;

export const SampleDocument = z.object({
  file: z.string(),
  kind: z.enum(['pdf', 'image']),
  description: z.string(),
  /** Page sizes: points for PDFs (as displayed), pixels for images. */
  pages: z.array(z.object({ page: z.number().int().min(1), width: z.number(), height: z.number() })),
  /** True when pdf.js finds a text layer; false for image-only PDFs and images. */
  hasTextLayer: z.boolean(),
  dates: z.array(SampleDate),
  /** Strings on the page that look date-like but are not dates (ids, phone numbers, fiscal labels). */
  distractors: z.array(z.string()),
  fields: z.array(SampleField),
  tables: z.array(SampleTable),
  charts: z.array(SampleChart),
  objects: z.array(SampleObject),
  transform: SampleTransform.nullable(),
});
export type SampleDocument = z.infer<typeof SampleDocument>;

export const SamplesManifest = z.object({
  version: z.literal(1),
  generator: z.string(),
  coordinates: z.string(),
  textBoxes: z.string(),
  documents: z.array(SampleDocument),
});
export type SamplesManifest = z.infer<typeof SamplesManifest>;

/** Rounds every coordinate to 1/100 pt so the JSON stays short and stable. */
export function roundBox(b: Box): Box {
  const r = (v: number) => Math.round(v * 100) / 100;
  return { x0: r(b.x0), y0: r(b.y0), x1: r(b.x1), y1: r(b.y1) };
}
