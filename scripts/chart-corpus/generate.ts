// Generates the chart suite in fixtures/charts-generated/: pages of two charts each (every kind of spec.ts, in
// seeded styles) beside a paragraph of prose, printed to PDF by Chromium from SVG and drawn with pdf-lib, each PDF
// with a truth JSON (every chart's plot box and exact data). Seeded: the truth is the same on every run.
// Usage: npm run corpus:charts (needs /usr/bin/chromium or CHROMIUM_PATH for the Chromium half).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { pdfLibDoc, svgPage } from './render.js';
import { KINDS, layout, makeSpec, type Prim, type Style, type TruthChart } from './spec.js';

export const CHART_CORPUS_DIR = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'fixtures',
  'charts-generated',
);

export interface TruthDoc {
  file: string;
  renderer: 'chromium' | 'pdf-lib';
  charts: TruthChart[];
}

const PROSE = [
  'The figures below summarise the period under review. Values are unaudited and may be restated.',
  'Each chart is drawn from the same ledger extract; totals may differ by rounding.',
  'Commentary on the main movements follows the charts and is reviewed by the finance team.',
];

/** One page: a heading, a line of prose, and two charts stacked. */
export function planPage(index: number): { prims: Prim[]; font: Style['font']; charts: TruthChart[] } {
  const kinds = [KINDS[index % KINDS.length], KINDS[(index * 5 + 3) % KINDS.length]] as const;
  const prims: Prim[] = [
    {
      t: 'text',
      x: 54,
      y: 60,
      text: `Report section ${index + 1}`,
      size: 16,
      anchor: 'start',
      color: '#111111',
      bold: true,
    },
    {
      t: 'text',
      x: 54,
      y: 80,
      text: PROSE[index % PROSE.length] as string,
      size: 9.5,
      anchor: 'start',
      color: '#333333',
    },
  ];
  const charts: TruthChart[] = [];
  let font: Style['font'] = 'sans';
  kinds.forEach((kind, k) => {
    const spec = makeSpec(20_000 + index * 10 + k, kind ?? 'bar');
    if (k === 0) font = spec.style.font;
    const laid = layout(spec, 54, 100 + k * 340, 504, 310);
    prims.push(...laid.prims);
    charts.push({ page: 1, ...laid.truth });
  });
  return { prims, font, charts };
}

export const PAGES_PER_RENDERER = 22;

async function main(): Promise<void> {
  const dir = CHART_CORPUS_DIR;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage();
    for (let i = 0; i < PAGES_PER_RENDERER; i++) {
      const plan = planPage(i);
      const file = `c${String(i + 1).padStart(2, '0')}-${plan.charts.map((c) => c.kind).join('+')}.pdf`;
      await page.setContent(svgPage(plan.prims, plan.font), { waitUntil: 'load' });
      await page.pdf({
        path: path.join(dir, file),
        width: '8.5in',
        height: '11in',
        printBackground: true,
        margin: { top: 0, left: 0, right: 0, bottom: 0 },
      });
      const truth: TruthDoc = { file, renderer: 'chromium', charts: plan.charts };
      await writeFile(path.join(dir, file.replace(/\.pdf$/, '.json')), `${JSON.stringify(truth, null, 1)}\n`);
      console.log(file);
    }
  } finally {
    await browser.close();
  }
  for (let i = 0; i < PAGES_PER_RENDERER; i++) {
    const plan = planPage(PAGES_PER_RENDERER + i);
    const file = `p${String(i + 1).padStart(2, '0')}-${plan.charts.map((c) => c.kind).join('+')}.pdf`;
    await writeFile(path.join(dir, file), await pdfLibDoc([{ prims: plan.prims, font: plan.font }]));
    const truth: TruthDoc = { file, renderer: 'pdf-lib', charts: plan.charts };
    await writeFile(path.join(dir, file.replace(/\.pdf$/, '.json')), `${JSON.stringify(truth, null, 1)}\n`);
    console.log(file);
  }
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await main();
