// The chart contract: what chart reading (src/extract/charts) recovers from a page — the chart's kind, axes,
// series and every value with its box in page space — shared by the reader, exports, jobs and the renderer.
import { z } from 'zod';
import { Rect } from './geometry.js';

export const ChartKind = z.enum(['bar', 'line', 'scatter', 'pie']);
export type ChartKind = z.infer<typeof ChartKind>;

export const ChartAxis = z.object({
  scale: z.enum(['linear', 'log', 'date']),
  /** Where the axis's tick labels sit (`left`/`right` for a value axis of vertical bars, `bottom`/`top` else). */
  side: z.enum(['left', 'right', 'top', 'bottom']),
  /** The tick labels read, with their values and their position along the axis (page space). */
  ticks: z.array(z.object({ text: z.string(), value: z.number(), pos: z.number() })),
  /** How well the ticks fit the scale: the largest tick residual as a share of the axis span. */
  residual: z.number(),
});
export type ChartAxis = z.infer<typeof ChartAxis>;

/** A printed data label beside a mark and whether it agrees with the value read from the geometry. */
export const ChartLabel = z.object({ text: z.string(), value: z.number(), box: Rect, agrees: z.boolean() });
export type ChartLabel = z.infer<typeof ChartLabel>;

export const ChartValue = z.object({
  series: z.string(),
  /** The category (bar and line charts with a category axis), the x value as text (scatter, date axis), or the wedge's name. */
  category: z.string(),
  /** Numeric x (scatter / numeric or date x axis: dates as days since 1970-01-01), else null. */
  x: z.number().nullable(),
  /** The value read from the geometry (pie: the wedge's share in percent). */
  value: z.number(),
  /** The bar, the point's marker (or a small box round a line's vertex), the wedge's bounds. */
  box: Rect,
  label: ChartLabel.nullable(),
});
export type ChartValue = z.infer<typeof ChartValue>;

export const ChartSeries = z.object({ name: z.string(), color: z.string().nullable() });
export type ChartSeries = z.infer<typeof ChartSeries>;

export const Chart = z.object({
  page: z.number().int().min(1),
  /** The chart with its tick labels, legend and title. */
  box: Rect,
  /** The plotting area (pie: the circle's bounds). */
  plotBox: Rect,
  kind: ChartKind,
  orientation: z.enum(['vertical', 'horizontal']),
  /** Bar charts: several series side by side (`grouped`) or on top of one another (`stacked`). */
  layout: z.enum(['single', 'grouped', 'stacked']),
  title: z.string().nullable(),
  /** 'vector': read exactly from the drawing; 'estimated': read from pixels by a vision-language model. */
  method: z.enum(['vector', 'estimated']),
  valueAxis: ChartAxis.nullable(),
  /** A numeric or date x axis (scatter and line charts over numbers or dates); null for categories. */
  xAxis: ChartAxis.nullable(),
  series: z.array(ChartSeries),
  /** Category order as on the chart (axis order; pie: drawing order). */
  categories: z.array(z.string()),
  values: z.array(ChartValue),
  /** Pie: values are percent shares; else the value axis's unit as printed ('%', '$', …) or null. */
  unit: z.string().nullable(),
  /** Data labels found and how many agree with the geometry. */
  labels: z.object({ found: z.number().int(), agree: z.number().int() }),
});
export type Chart = z.infer<typeof Chart>;

/** A chart answer: the chart the question was answered from and the indices of the values that answer it. */
export const ChartAnswer = z.object({ chart: Chart, highlight: z.array(z.number().int().nonnegative()) });
export type ChartAnswer = z.infer<typeof ChartAnswer>;
