// Generates the table corpus in fixtures/tables-generated/: web pages printed to PDF by Chromium and documents
// converted to PDF by LibreOffice, each with a truth JSON (the logical grid) beside it. Seeded: the truth is
// the same on every run; the PDF bytes differ only in metadata (creation dates).
// Usage: npm run corpus:tables [-- --chromium] [--libreoffice] [--web] [--only <file-substring>]
// Needs /usr/bin/chromium (or CHROMIUM_PATH) for the Chromium set and `soffice` (Debian:
// libreoffice-writer-nogui libreoffice-calc-nogui) for the LibreOffice set. CI has no LibreOffice: the PDFs are
// committed and the benches and tests read the committed files, never regenerate them.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { BORDER_STYLES, pageHtml, pageStyle, type Layout } from './html.js';
import { makeLibreOfficeSet } from './libreoffice.js';
import { makeWebSet } from './web.js';
import { checkTiling, int, makeTable, pick, rng, type Feature, type GenTable } from './spec.js';
import { formatTruth, truthTables, verifyPdf, type PlacedTable, type TruthDoc } from './truth.js';

import { CORPUS_DIR } from './measure.js';

type PDFOptions = NonNullable<Parameters<Page['pdf']>[0]>;

const FEATURES: Feature[] = [
  'plain',
  'wrapped-header',
  'multiline-cells',
  'spans',
  'group-header',
  'section-rows',
  'page-break',
  'empty-cells',
];

const TITLES = [
  'Quarterly operations report',
  'Regional statistics bulletin',
  'Procurement register',
  'Annual facilities review',
  'Inspection summary',
  'Budget execution statement',
];

/** Every border style × feature pair once: 9 × 8 = 72 documents. */
export function chromiumPlans(): {
  index: number;
  seed: number;
  border: (typeof BORDER_STYLES)[number];
  feature: Feature;
}[] {
  const plans = [];
  for (let f = 0; f < FEATURES.length; f++)
    for (let b = 0; b < BORDER_STYLES.length; b++) {
      const index = f * BORDER_STYLES.length + b;
      plans.push({
        index,
        seed: 11_000 + index,
        border: BORDER_STYLES[b] as (typeof BORDER_STYLES)[number],
        feature: FEATURES[f] as Feature,
      });
    }
  return plans;
}

function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/** One Chromium document, decided entirely by its seed: the page's HTML, the print options and the truth. */
export interface ChromiumDoc {
  file: string;
  html: string;
  pdf: Omit<PDFOptions, 'path'>;
  entries: ReturnType<typeof truthTables>;
  doc: TruthDoc;
}

export function planChromiumDoc(plan: ReturnType<typeof chromiumPlans>[number]): ChromiumDoc {
  const file = `c${String(plan.index + 1).padStart(3, '0')}-${plan.border}-${plan.feature}.pdf`;
  const r = rng(plan.seed);
  const style = pageStyle(r, plan.border);
  const layout: Layout =
    plan.feature === 'page-break'
      ? 'single'
      : pick(r, ['single', 'single', 'two-tables', 'beside-prose'] as const);
  const narrow = layout === 'beside-prose';
  const maxCols = narrow ? 4 : plan.feature === 'wrapped-header' ? 7 : 6;
  const cols = int(r, 3, maxCols);
  const bodyRows =
    plan.feature === 'page-break' ? int(r, 34, 44) : int(r, 4, layout === 'two-tables' ? 8 : 13);
  const tables: GenTable[] = [makeTable(r, { feature: plan.feature, rows: bodyRows, cols })];
  const placed: PlacedTable[] = [
    { table: tables[0] as GenTable, page: 1, style: plan.border, feature: plan.feature },
  ];
  if (layout === 'two-tables') {
    const feature = pick(
      r,
      FEATURES.filter((f) => f !== 'page-break'),
    );
    const t = makeTable(r, { feature, rows: int(r, 3, 7), cols: int(r, 2, 5) });
    tables.push(t);
    placed.push({ table: t, page: 1, style: plan.border, feature });
  }
  for (const t of tables) checkTiling(t, file);
  if (plan.feature === 'page-break') style.fontPx = Math.min(style.fontPx, 13);
  const title = pick(r, TITLES);
  const html = pageHtml(r, style, layout, tables, title);
  const headerFooter = r() < 0.5;
  const stamp = `${int(r, 1, 12)}/${int(r, 1, 28)}/${int(r, 20, 26)}, ${int(r, 1, 12)}:${String(int(r, 0, 59)).padStart(2, '0')} ${pick(r, ['AM', 'PM'])}`;
  const url = `https://stats.example.org/reports/${plan.seed}.html`;
  const landscape = !narrow && r() < 0.2;
  const format = pick(r, ['A4', 'Letter'] as const);
  const margin = `${int(r, 8, 20)}mm`;
  const pdf: Omit<PDFOptions, 'path'> = {
    format,
    landscape,
    printBackground: plan.border === 'zebra' || plan.border === 'coloured-grid' || r() < 0.5,
    margin: { top: margin, bottom: margin, left: margin, right: margin },
    displayHeaderFooter: headerFooter,
    headerTemplate: `<div style="font-size:8px;width:100%;display:flex;justify-content:space-between;padding:0 8mm"><span>${stamp}</span><span class="title"></span><span></span></div>`,
    footerTemplate: `<div style="font-size:8px;width:100%;display:flex;justify-content:space-between;padding:0 8mm"><span>${url}</span><span><span class="pageNumber"></span>/<span class="totalPages"></span></span></div>`,
  };
  const entries = placed.flatMap((p) => truthTables(p));
  const pages = plan.feature === 'page-break' ? 2 : 1;
  const doc: TruthDoc = {
    file,
    source: 'chromium',
    seed: plan.seed,
    pages,
    layout: `${layout}${landscape ? ', landscape' : ''}, ${format}`,
    font: style.font,
    fontSize: `${style.fontPx}px`,
    tables: entries.map((e) => e.truth),
  };
  return { file, html, pdf, entries, doc };
}

async function makeChromiumSet(dir: string, only?: string): Promise<TruthDoc[]> {
  await mkdir(dir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
  });
  const docs: TruthDoc[] = [];
  try {
    const page = await browser.newPage();
    for (const plan of chromiumPlans()) {
      const d = planChromiumDoc(plan);
      if (only && !d.file.includes(only)) continue;
      await page.setContent(d.html, { waitUntil: 'load' });
      const pdfFile = path.join(dir, d.file);
      await page.pdf({ ...d.pdf, path: pdfFile });
      await verifyPdf(pdfFile, d.doc.pages, d.entries);
      await writeFile(path.join(dir, d.file.replace(/\.pdf$/, '.json')), formatTruth(d.doc));
      docs.push(d.doc);
      console.log(`${d.file}: ${d.doc.tables.length} table(s), ${d.doc.pages} page(s)`);
    }
  } finally {
    await browser.close();
  }
  return docs;
}

async function clean(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const f of await readdir(dir)) if (/\.(pdf|json|fodt|xlsx)$/.test(f)) await rm(path.join(dir, f));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const all = !args.includes('--chromium') && !args.includes('--libreoffice') && !args.includes('--web');
  if (all || args.includes('--chromium')) {
    const dir = path.join(CORPUS_DIR, 'chromium');
    if (!only) await clean(dir);
    await makeChromiumSet(dir, only);
  }
  if (all || args.includes('--web')) {
    const dir = path.join(CORPUS_DIR, 'web');
    if (!only) await clean(dir);
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
    });
    try {
      await makeWebSet(browser, dir, only);
    } finally {
      await browser.close();
    }
  }
  if (all || args.includes('--libreoffice')) {
    const dir = path.join(CORPUS_DIR, 'libreoffice');
    if (!only) await clean(dir);
    await makeLibreOfficeSet(dir, only);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
