// JSON: the full structure, every value with its file, page and page-space box.
import type { DocExtraction, ExportKind } from './types.js';

export function toJson(kind: ExportKind, docs: readonly DocExtraction[]): string {
  const files =
    kind === 'dates'
      ? docs.map((d) => ({
          file: d.file,
          dates: d.dates.map((h) => ({ file: d.file, page: h.box.page, ...h })),
        }))
      : docs.map((d) => ({
          file: d.file,
          tables: d.tables.map((t, i) => ({ file: d.file, table: i + 1, ...t })),
        }));
  return `${JSON.stringify({ kind, coordinates: 'page space: PDF points, origin top-left, y down', files }, null, 2)}\n`;
}
