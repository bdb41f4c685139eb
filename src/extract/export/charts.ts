// Exporters for charts read from vector drawings: CSV (one record per value), XLSX (an index sheet and a sheet per
// chart, categories down and series across, plus each value's box), JSON (the whole Chart) and Markdown.
import ExcelJS from 'exceljs';
import type { Chart } from '../../shared/charts.js';
import { toCsv } from './csv.js';
import { mdCell } from './markdown.js';
import type { DocExtraction } from './types.js';
import { round2 } from './types.js';
import { fixZipTimes } from './xlsx.js';

export const CHART_COLUMNS = [
  'file',
  'page',
  'chart',
  'title',
  'kind',
  'series',
  'category',
  'x',
  'value',
  'unit',
  'label',
  'label_agrees',
  'x0',
  'y0',
  'x1',
  'y1',
] as const;

type Row = (string | number | boolean)[];

function chartRows(docs: readonly DocExtraction[]): Row[] {
  const rows: Row[] = [];
  for (const d of docs) {
    (d.charts ?? []).forEach((c, i) => {
      for (const v of c.values) {
        rows.push([
          d.file,
          c.page,
          i + 1,
          c.title ?? '',
          c.kind,
          v.series,
          v.category,
          v.x ?? '',
          v.value,
          c.unit ?? '',
          v.label?.text ?? '',
          v.label ? v.label.agrees : '',
          round2(v.box.x0),
          round2(v.box.y0),
          round2(v.box.x1),
          round2(v.box.y1),
        ]);
      }
    });
  }
  return rows;
}

export function chartsCsv(docs: readonly DocExtraction[]): string {
  return toCsv(CHART_COLUMNS, chartRows(docs));
}

/** A chart's data as a grid: categories down, one column per series (empty where a series has no value). */
export function chartGrid(c: Chart): { header: string[]; rows: (number | string)[][] } {
  const series = c.series.map((s) => s.name);
  const cats = c.categories.length ? c.categories : [...new Set(c.values.map((v) => v.category))];
  const rows = cats.map((cat) => [
    cat,
    ...series.map((s) => c.values.find((v) => v.category === cat && v.series === s)?.value ?? ''),
  ]);
  return { header: [c.kind === 'scatter' ? 'x' : 'category', ...series], rows };
}

export function chartsMarkdown(docs: readonly DocExtraction[]): string {
  const out: string[] = [];
  for (const d of docs) {
    (d.charts ?? []).forEach((c, i) => {
      const agree = c.labels.found ? `; data labels agreeing: ${c.labels.agree}/${c.labels.found}` : '';
      out.push(`## ${d.file}: chart ${i + 1}, page ${c.page}${c.title ? ` — ${c.title}` : ''}`, '');
      out.push(
        `${c.kind}, ${c.orientation}, ${c.layout}, ${c.method}${c.unit ? `, unit ${c.unit}` : ''}${agree}`,
        '',
      );
      const g = chartGrid(c);
      out.push(`| ${g.header.map((h) => mdCell(h)).join(' | ')} |`);
      out.push(`| ${g.header.map(() => '---').join(' | ')} |`);
      for (const r of g.rows) out.push(`| ${r.map((x) => mdCell(String(x))).join(' | ')} |`);
      out.push('');
    });
  }
  return out.length ? `${out.join('\n')}\n` : 'No charts found.\n';
}

export function chartsJson(docs: readonly DocExtraction[]): string {
  const files = docs.map((d) => ({
    file: d.file,
    charts: (d.charts ?? []).map((c, i) => ({ file: d.file, chart: i + 1, ...c })),
  }));
  return `${JSON.stringify({ kind: 'charts', coordinates: 'page space: PDF points, origin top-left, y down', files }, null, 2)}\n`;
}

export async function chartsXlsx(docs: readonly DocExtraction[]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'DocLens';
  wb.lastModifiedBy = 'DocLens';
  wb.created = new Date(Date.UTC(2000, 0, 1));
  wb.modified = wb.created;
  const index = wb.addWorksheet('Index', { views: [{ state: 'frozen', ySplit: 1 }] });
  index.addRow(['sheet', 'file', 'page', 'chart', 'title', 'kind', 'values', 'x0', 'y0', 'x1', 'y1']).font = {
    bold: true,
  };
  const values = wb.addWorksheet('Values', { views: [{ state: 'frozen', ySplit: 1 }] });
  values.addRow([...CHART_COLUMNS]).font = { bold: true };
  for (const r of chartRows(docs)) values.addRow(r);
  let n = 0;
  for (const d of docs) {
    (d.charts ?? []).forEach((c, i) => {
      const name = `C${++n} p${c.page}`;
      const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
      const g = chartGrid(c);
      ws.addRow(g.header).font = { bold: true };
      for (const r of g.rows) ws.addRow(r);
      const row = index.addRow([
        name,
        d.file,
        c.page,
        i + 1,
        c.title ?? '',
        c.kind,
        c.values.length,
        round2(c.box.x0),
        round2(c.box.y0),
        round2(c.box.x1),
        round2(c.box.y1),
      ]);
      row.getCell(1).value = { text: name, hyperlink: `#'${name}'!A1` };
    });
  }
  return fixZipTimes(new Uint8Array(await wb.xlsx.writeBuffer()));
}
