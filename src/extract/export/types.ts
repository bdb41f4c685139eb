// What the exporters take: the extraction of one or more documents, each value keeping its file, page and box.
import type { Chart } from '../../shared/charts.js';
import type { DateHit, Table } from '../../shared/domain.js';

/** One document's extraction. `file` is how the outputs name it (a path for batch jobs, a name for one doc). */
export interface DocExtraction {
  file: string;
  dates: readonly DateHit[];
  tables: readonly Table[];
  /** Charts read from vector drawings (src/extract/charts); absent where not extracted. */
  charts?: readonly Chart[];
}

export type ExportKind = 'dates' | 'tables' | 'charts';
export type ExportFormatName = 'csv' | 'xlsx' | 'json' | 'md';

export const MIME: Record<ExportFormatName, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  json: 'application/json',
  md: 'text/markdown; charset=utf-8',
};

/** Box coordinates as written to text outputs: page-space points, two decimals. */
export function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
