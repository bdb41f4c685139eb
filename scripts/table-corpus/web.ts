// The "web" set of the generated table corpus: more of the table styles web apps and statistics offices print
// (dashed and dotted rules drawn as many short pieces, column rules only, a shaded header as the only structure,
// an outer box, Bootstrap-like rows, a government stub table with group underlines and footnotes) and tables that
// run over pages by themselves (header repeated or not) beside ones that merely follow each other over a page
// break. Kept apart from the 72 `chromium` documents so those stay the measure they were.
import { mkdir } from 'node:fs/promises';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { tableHtml } from './html.js';
import {
  checkTiling,
  int,
  makeTable,
  pick,
  PROSE,
  rng,
  type Feature,
  type GenCell,
  type GenTable,
  type Rng,
} from './spec.js';
import {
  findBreaks,
  formatTruth,
  pageTexts,
  truthTables,
  verifyPdf,
  type TruthDoc,
  type TruthTable,
} from './truth.js';

type PDFOptions = NonNullable<Parameters<Page['pdf']>[0]>;

export const WEB_STYLES = [
  'dashed-grid',
  'dotted-rows',
  'vertical-rules',
  'shaded-header',
  'outer-box',
  'bootstrap',
  'gov-stub',
] as const;
export type WebStyle = (typeof WEB_STYLES)[number];

/** Structural features: those of the chromium set, and three about pages. */
export type WebFeature = Exclude<Feature, 'page-break'> | 'continued' | 'continued-plain' | 'next-page-table';
export const WEB_FEATURES: WebFeature[] = [
  'plain',
  'wrapped-header',
  'multiline-cells',
  'spans',
  'group-header',
  'section-rows',
  'empty-cells',
  'continued',
  'continued-plain',
  'next-page-table',
];

const FONTS = [
  "'Liberation Sans', sans-serif",
  "'DejaVu Sans', sans-serif",
  "'Liberation Serif', serif",
  "'DejaVu Sans Condensed', 'DejaVu Sans', sans-serif",
  "'DejaVu Serif', serif",
];
const COLOURS = ['#1f4e79', '#5b5b5b', '#2e7d32', '#8e24aa', '#b71c1c'];
const TINTS = ['#dbe5f1', '#e7e6e6', '#e2efda', '#ede1f3', '#fbe4e4'];
const TITLES = [
  'Monthly statement of accounts',
  'Statistical annex',
  'Customer orders overview',
  'Labour force survey: detailed tables',
  'Service request log',
];

function esc(t: string): string {
  return t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function css(style: WebStyle, r: Rng, fontPx: number, font: string, plainHead: boolean): string {
  const c = pick(r, COLOURS);
  const tint = pick(r, TINTS);
  const pad = int(r, 2, 7);
  const base = `
    body { font-family: ${font}; font-size: ${fontPx}px; margin: 0; color: #111; hyphens: none; }
    h1 { font-size: 1.45em; margin: 0 0 0.4em; }
    h2 { font-size: 1.1em; margin: 1.1em 0 0.4em; }
    p { margin: 0 0 0.8em; line-height: 1.35; }
    p.note { font-size: 0.75em; color: #444; }
    table { width: ${pick(r, ['auto', '100%', '90%'])}; margin: 0.3em 0 1em; border-collapse: collapse; }
    th, td { padding: ${pad}px ${pad + 4}px; vertical-align: top; text-align: left; }
    td.num { text-align: right; }
    tr { break-inside: avoid; }
    tr.section td { font-weight: bold; }
    .next { break-before: page; }
    ${plainHead ? 'thead { display: table-row-group; }' : ''}
  `;
  const styles: Record<WebStyle, string> = {
    'dashed-grid': `th, td { border: 1px dashed ${c}; }`,
    'dotted-rows': `th { border-bottom: 2px solid ${c}; } td { border-bottom: 1px dotted #777; }`,
    'vertical-rules': `table { border-top: 1px solid #000; border-bottom: 1px solid #000; }
      th + th, td + td { border-left: 1px solid #999; } thead tr:last-child th { border-bottom: 1px solid #000; }`,
    'shaded-header': `thead th { background: ${tint}; }`,
    'outer-box': `table { border: 1.5px solid ${c}; } thead tr:last-child th { border-bottom: 1.5px solid ${c}; }`,
    bootstrap: `thead th { border-bottom: 2px solid #dee2e6; vertical-align: bottom; } td { border-top: 1px solid #dee2e6; }
      tbody tr:nth-child(odd) { background: rgba(0, 0, 0, 0.05); }`,
    'gov-stub': `table { border-top: 1px solid #000; border-bottom: 1px solid #000; }
      th[colspan] { border-bottom: 1px solid #000; text-align: center; } th { font-weight: normal; }
      tbody td:first-child { padding-left: 1.2em; }`,
  };
  return base + styles[style];
}

/** The same header over another body: the rows of `t` in reverse order, `rows` of them (a second region's table). */
function sameHeader(t: GenTable, rows: number): GenTable {
  const head = t.cells.filter((c) => c.row < t.headerRows);
  const bodyRows = [...new Set(t.cells.filter((c) => c.row >= t.headerRows).map((c) => c.row))]
    .reverse()
    .slice(0, rows);
  const cells: GenCell[] = [...head];
  bodyRows.forEach((row, i) => {
    for (const c of t.cells.filter((x) => x.row === row))
      cells.push({ ...c, row: t.headerRows + i, rowSpan: 1 });
  });
  return {
    ...t,
    rows: t.headerRows + bodyRows.length,
    cells,
    sectionRows: [],
    breakBefore: null,
    caption: t.caption.replace(/^Table \d+/, (m) => `Table ${Number(m.slice(6)) + 1}`),
  };
}

export interface WebPlan {
  index: number;
  seed: number;
  style: WebStyle;
  feature: WebFeature;
}

/** Every style × feature pair once: 7 × 10 = 70 documents. */
export function webPlans(): WebPlan[] {
  const plans: WebPlan[] = [];
  WEB_FEATURES.forEach((feature, f) =>
    WEB_STYLES.forEach((style, s) => {
      const index = f * WEB_STYLES.length + s;
      plans.push({ index, seed: 23_000 + index, style, feature });
    }),
  );
  return plans;
}

interface WebDoc {
  file: string;
  html: string;
  pdf: Omit<PDFOptions, 'path'>;
  tables: GenTable[];
}

function planWebDoc(plan: WebPlan): WebDoc {
  const file = `w${String(plan.index + 1).padStart(3, '0')}-${plan.style}-${plan.feature}.pdf`;
  const r = rng(plan.seed);
  const over = plan.feature === 'continued' || plan.feature === 'continued-plain';
  const base: Feature =
    over || plan.feature === 'next-page-table'
      ? pick(r, ['plain', 'empty-cells'] as const)
      : (plan.feature as Exclude<WebFeature, 'continued' | 'continued-plain' | 'next-page-table'>);
  const cols = int(r, 3, plan.feature === 'wrapped-header' ? 7 : 6);
  const rows = over ? int(r, 64, 90) : plan.feature === 'next-page-table' ? int(r, 14, 22) : int(r, 5, 14);
  const first = makeTable(r, { feature: base, rows, cols });
  const tables = [first];
  if (plan.feature === 'next-page-table') tables.push(sameHeader(first, int(r, 4, 9)));
  for (const t of tables) checkTiling(t, file);
  const fontPx = over || plan.feature === 'next-page-table' ? int(r, 10, 13) : int(r, 11, 15);
  const font = pick(r, FONTS);
  const title = pick(r, TITLES);
  const prose = () => `<p>${esc(pick(r, PROSE))}</p>`;
  const parts = [`<h1>${esc(title)}</h1>`, prose(), `<h2>${esc(first.caption)}</h2>`, tableHtml(first)];
  if (plan.style === 'gov-stub')
    parts.push(
      `<p class="note">Note: figures may not add up to totals because of rounding. Source: ${esc(title)}.</p>`,
    );
  const second = tables[1];
  if (second) parts.push(`<div class="next"><h2>${esc(second.caption)}</h2>${tableHtml(second)}</div>`);
  parts.push(prose());
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title><style>${css(plan.style, r, fontPx, font, plan.feature === 'continued-plain')}</style></head><body>${parts.join('\n')}</body></html>`;
  const margin = `${int(r, 10, 20)}mm`;
  const headerFooter = r() < 0.6;
  const pdf: Omit<PDFOptions, 'path'> = {
    format: pick(r, ['A4', 'Letter'] as const),
    printBackground: plan.style === 'shaded-header' || plan.style === 'bootstrap' || r() < 0.5,
    margin: { top: margin, bottom: margin, left: margin, right: margin },
    displayHeaderFooter: headerFooter,
    headerTemplate: `<div style="font-size:8px;width:100%;display:flex;justify-content:space-between;padding:0 8mm"><span class="date"></span><span class="title"></span><span></span></div>`,
    footerTemplate: `<div style="font-size:8px;width:100%;display:flex;justify-content:space-between;padding:0 8mm"><span>https://portal.example.gov/${plan.seed}</span><span><span class="pageNumber"></span>/<span class="totalPages"></span></span></div>`,
  };
  return { file, html, pdf, tables };
}

/** The later parts of a table whose header is not repeated: no header rows there. */
function withoutRepeatedHeader(
  entries: { truth: TruthTable; cells: GenCell[] }[],
  headerRows: number,
): { truth: TruthTable; cells: GenCell[] }[] {
  return entries.map((e, k) => {
    if (k === 0) return e;
    const t = e.truth;
    return {
      truth: {
        ...t,
        rows: t.rows - headerRows,
        headerRows: 0,
        grid: t.grid.slice(headerRows),
        spans: t.spans.filter((s) => s.row >= headerRows).map((s) => ({ ...s, row: s.row - headerRows })),
      },
      cells: e.cells.filter((c) => c.row >= headerRows),
    };
  });
}

/** Prints the web set into `dir` with the given browser; the truth of tables over pages is read back (findBreaks). */
export async function makeWebSet(browser: Browser, dir: string, only?: string): Promise<TruthDoc[]> {
  await mkdir(dir, { recursive: true });
  const page = await browser.newPage();
  const docs: TruthDoc[] = [];
  for (const plan of webPlans()) {
    const d = planWebDoc(plan);
    if (only && !d.file.includes(only)) continue;
    await page.setContent(d.html, { waitUntil: 'load' });
    const pdfFile = path.join(dir, d.file);
    await page.pdf({ ...d.pdf, path: pdfFile });
    const texts = await pageTexts(pdfFile);
    const [first, second] = d.tables as [GenTable, GenTable | undefined];
    const over = plan.feature === 'continued' || plan.feature === 'continued-plain';
    const breaks = over || plan.feature === 'next-page-table' ? findBreaks(texts, first, pdfFile) : [];
    if (over && breaks.length === 0) throw new Error(`${d.file}: the table did not run over a page`);
    if (!over && breaks.length) throw new Error(`${d.file}: the table broke over pages`);
    let entries = truthTables({ table: first, page: 1, style: plan.style, feature: plan.feature }, breaks);
    if (plan.feature === 'continued-plain') entries = withoutRepeatedHeader(entries, first.headerRows);
    if (second)
      entries.push(...truthTables({ table: second, page: 2, style: plan.style, feature: plan.feature }, []));
    await verifyPdf(pdfFile, texts.length, entries);
    const doc: TruthDoc = {
      file: d.file,
      source: 'chromium',
      seed: plan.seed,
      pages: texts.length,
      layout: `${d.tables.length === 2 ? 'two tables over a page break' : over ? 'one table over pages' : 'single'}, ${d.pdf.format}`,
      font: (/font-family: ([^;]+);/.exec(d.html)?.[1] ?? '').split(',')[0]?.replace(/'/g, '') ?? '',
      fontSize: /font-size: (\d+px)/.exec(d.html)?.[1] ?? '',
      tables: entries.map((e) => e.truth),
    };
    await writeFile(path.join(dir, d.file.replace(/\.pdf$/, '.json')), formatTruth(doc));
    docs.push(doc);
    console.log(`${d.file}: ${doc.tables.length} table part(s), ${doc.pages} page(s)`);
  }
  await page.close();
  return docs;
}
