// Renders generated tables as web pages in the CSS styles people print from browsers ("Save as PDF"): the same
// logical grid (spec.ts) under many border styles, fonts, sizes and page layouts.
import type { GenCell, GenTable, Rng } from './spec.js';
import { int, pick, PROSE } from './spec.js';

export const BORDER_STYLES = [
  'full-grid',
  'header-rule',
  'zebra',
  'h-rules',
  'borderless',
  'booktabs',
  'coloured-grid',
  'double',
  'separate-grid',
] as const;
export type BorderStyle = (typeof BORDER_STYLES)[number];

export type Layout = 'single' | 'two-tables' | 'beside-prose';

export interface PageStyle {
  border: BorderStyle;
  font: string;
  fontPx: number;
  padPx: number;
  width: 'auto' | '100%' | '80%';
  colour: string;
  lightColour: string;
  numericRight: boolean;
}

const FONTS = [
  "'Liberation Sans', sans-serif",
  "'Liberation Serif', serif",
  "'DejaVu Sans', sans-serif",
  "'DejaVu Serif', serif",
  "'DejaVu Sans Condensed', 'DejaVu Sans', sans-serif",
  "'Liberation Sans Narrow', 'Liberation Sans', sans-serif",
  "'Liberation Mono', monospace",
];
const COLOURS: [string, string][] = [
  ['#4a7ebb', '#dce6f2'],
  ['#999999', '#eeeeee'],
  ['#2e7d32', '#e8f5e9'],
  ['#b0b0b0', '#f4f4f4'],
  ['#8e24aa', '#f3e5f5'],
  ['#c62828', '#fdecea'],
];

export function pageStyle(r: Rng, border: BorderStyle): PageStyle {
  const [colour, lightColour] = pick(r, COLOURS);
  return {
    border,
    font: pick(r, FONTS),
    fontPx: int(r, 11, 16),
    padPx: int(r, 2, 8),
    width: pick(r, ['auto', '100%', '80%'] as const),
    colour,
    lightColour,
    numericRight: r() < 0.8,
  };
}

function css(s: PageStyle): string {
  const base = `
    body { font-family: ${s.font}; font-size: ${s.fontPx}px; margin: 0; color: #111; hyphens: none; }
    h1 { font-size: 1.5em; margin: 0 0 0.4em; }
    h2 { font-size: 1.15em; margin: 1.2em 0 0.5em; }
    p { margin: 0 0 0.8em; line-height: 1.35; }
    table { width: ${s.width}; margin: 0.4em 0 1.2em; }
    th, td { padding: ${s.padPx}px ${s.padPx + 3}px; vertical-align: top; text-align: left; }
    th { font-weight: bold; }
    td.num { text-align: ${s.numericRight ? 'right' : 'left'}; }
    tr.section td { font-weight: bold; font-style: italic; }
    .split { display: flex; gap: 24px; align-items: flex-start; }
    .split > .prose { flex: 0 0 38%; }
    .split > .tablebox { flex: 1 1 auto; }
    .split table { width: 100%; }
    tr.break { break-before: page; }
  `;
  const c = s.colour;
  const l = s.lightColour;
  const styles: Record<BorderStyle, string> = {
    'full-grid': 'table { border-collapse: collapse; } th, td { border: 1px solid #000; }',
    'header-rule':
      'table { border-collapse: collapse; } thead tr:last-child th { border-bottom: 1px solid #000; }',
    zebra: `table { border-collapse: collapse; } thead th { background: ${l}; } tbody tr:nth-child(even) { background: #ececec; }`,
    'h-rules': `table { border-collapse: collapse; } th, td { border-bottom: 1px solid ${c}; }`,
    borderless: 'table { border-collapse: collapse; }',
    booktabs:
      'table { border-collapse: collapse; border-top: 2px solid #000; border-bottom: 2px solid #000; } thead tr:last-child th { border-bottom: 1px solid #000; }',
    'coloured-grid': `table { border-collapse: collapse; } th, td { border: 1px solid ${c}; } thead th { background: ${l}; }`,
    double:
      'table { border-collapse: collapse; border: 3px double #333; } th, td { border: 3px double #555; }',
    'separate-grid': `table { border-collapse: separate; border-spacing: 2px; border: 1px solid ${c}; } th, td { border: 1px solid ${c}; }`,
  };
  return base + styles[s.border];
}

function esc(t: string): string {
  return t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cellHtml(c: GenCell, tag: 'th' | 'td', section: boolean): string {
  const attrs: string[] = [];
  if (c.rowSpan > 1) attrs.push(`rowspan="${c.rowSpan}"`);
  if (c.colSpan > 1) attrs.push(`colspan="${c.colSpan}"`);
  if (c.numeric && tag === 'td' && !section) attrs.push('class="num"');
  const body = c.lines.map(esc).join('<br>');
  return `<${tag}${attrs.length ? ' ' + attrs.join(' ') : ''}>${body}</${tag}>`;
}

export function tableHtml(t: GenTable): string {
  const byRow = new Map<number, GenCell[]>();
  for (const c of t.cells) {
    const list = byRow.get(c.row) ?? [];
    list.push(c);
    byRow.set(c.row, list);
  }
  const rowHtml = (row: number, tag: 'th' | 'td'): string => {
    const cells = (byRow.get(row) ?? []).sort((a, b) => a.col - b.col);
    const cls: string[] = [];
    const section = t.sectionRows.includes(row);
    if (section) cls.push('section');
    if (t.breakBefore === row) cls.push('break');
    return `<tr${cls.length ? ` class="${cls.join(' ')}"` : ''}>${cells.map((c) => cellHtml(c, tag, section)).join('')}</tr>`;
  };
  const head: string[] = [];
  const body: string[] = [];
  for (let row = 0; row < t.rows; row++)
    (row < t.headerRows ? head : body).push(rowHtml(row, row < t.headerRows ? 'th' : 'td'));
  const total = t.colWidths?.reduce((a, b) => a + b, 0) ?? 0;
  const colgroup = t.colWidths
    ? `<colgroup>${t.colWidths.map((w) => `<col style="width:${((100 * w) / total).toFixed(1)}%">`).join('')}</colgroup>`
    : '';
  const style = t.colWidths ? ' style="width:100%; table-layout: fixed"' : '';
  return `<table${style}>${colgroup}<thead>${head.join('')}</thead><tbody>${body.join('')}</tbody></table>`;
}

/** A whole page: a title, prose and the tables in the chosen layout. */
export function pageHtml(r: Rng, s: PageStyle, layout: Layout, tables: GenTable[], title: string): string {
  const prose = (): string => `<p>${esc(pick(r, PROSE))}</p>`;
  const parts: string[] = [`<h1>${esc(title)}</h1>`, prose()];
  const [first, second] = tables;
  if (!first) throw new Error('pageHtml: no table');
  if (layout === 'beside-prose') {
    parts.push(
      `<div class="split"><div class="prose">${prose()}${prose()}${prose()}</div><div class="tablebox"><h2>${esc(first.caption)}</h2>${tableHtml(first)}</div></div>`,
    );
  } else {
    parts.push(`<h2>${esc(first.caption)}</h2>`, tableHtml(first));
    if (second) parts.push(prose(), `<h2>${esc(second.caption)}</h2>`, tableHtml(second));
  }
  parts.push(prose());
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title><style>${css(s)}</style></head><body>${parts.join('\n')}</body></html>`;
}
