// The LibreOffice half of the generated table corpus: Writer documents written as flat ODF XML (.fodt) and
// converted to PDF by `soffice --headless --convert-to pdf`. CI has no LibreOffice, so these PDFs and their truth
// are committed; run this only where soffice is installed (Debian: libreoffice-writer-nogui).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
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
} from './spec.js';
import { findBreaks, formatTruth, pageTexts, truthTables, verifyPdf, type TruthDoc } from './truth.js';

const run = promisify(execFile);

const LO_BORDERS = [
  'full-grid',
  'header-rule',
  'borderless',
  'h-rules',
  'coloured-grid',
  'double',
  'zebra',
] as const;
type LoBorder = (typeof LO_BORDERS)[number];
const LO_FEATURES: Feature[] = [
  'plain',
  'spans',
  'group-header',
  'section-rows',
  'page-break',
  'multiline-cells',
  'wrapped-header',
  'empty-cells',
];
const FONTS = [
  'Liberation Serif',
  'Liberation Sans',
  'DejaVu Sans',
  'DejaVu Serif',
  'Liberation Sans Narrow',
];
const COUNT = 16;

function esc(t: string): string {
  return t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Automatic styles collected while writing the body, named by their properties. */
class Styles {
  #byKey = new Map<string, string>();
  #xml: string[] = [];
  get(family: string, props: string): string {
    const key = `${family}|${props}`;
    let name = this.#byKey.get(key);
    if (!name) {
      name = `${family.replace(/-/g, '')}${this.#byKey.size + 1}`;
      this.#byKey.set(key, name);
      this.#xml.push(`<style:style style:name="${name}" style:family="${family}">${props}</style:style>`);
    }
    return name;
  }
  xml(): string {
    return this.#xml.join('\n');
  }
}

function cellProps(border: LoBorder, c: GenCell, t: GenTable, colour: string, light: string): string {
  const line = '0.5pt solid #000000';
  const props: string[] = ['fo:padding="0.08cm"'];
  const header = c.row < t.headerRows;
  const lastHeader = c.row + c.rowSpan === t.headerRows;
  switch (border) {
    case 'full-grid':
      props.push(`fo:border="${line}"`);
      break;
    case 'header-rule':
      props.push(lastHeader ? `fo:border-bottom="${line}"` : 'fo:border="none"');
      break;
    case 'borderless':
      props.push('fo:border="none"');
      break;
    case 'h-rules':
      props.push(
        `fo:border-bottom="0.5pt solid ${colour}"`,
        'fo:border-top="none"',
        'fo:border-left="none"',
        'fo:border-right="none"',
      );
      break;
    case 'coloured-grid':
      props.push(`fo:border="0.5pt solid ${colour}"`);
      if (header) props.push(`fo:background-color="${light}"`);
      break;
    case 'double':
      props.push('fo:border="1.1pt double #000000"', 'style:border-line-width="0.02cm 0.03cm 0.02cm"');
      break;
    case 'zebra':
      props.push('fo:border="none"');
      if (header) props.push('fo:background-color="#c8c8c8"');
      else if ((c.row - t.headerRows) % 2 === 1) props.push('fo:background-color="#e8e8e8"');
      break;
  }
  return `<style:table-cell-properties ${props.join(' ')}/>`;
}

function tableXml(
  t: GenTable,
  name: string,
  border: LoBorder,
  st: Styles,
  widthCm: number,
  colour: string,
  light: string,
): string {
  const tableStyle = st.get(
    'table',
    `<style:table-properties style:width="${widthCm}cm" table:align="left"/>`,
  );
  const weights = t.colWidths ?? Array.from({ length: t.cols }, (_, c) => (c === 0 ? 1.6 : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cols = weights
    .map((w) => {
      const s = st.get(
        'table-column',
        `<style:table-column-properties style:column-width="${((widthCm * w) / total).toFixed(2)}cm"/>`,
      );
      return `<table:table-column table:style-name="${s}"/>`;
    })
    .join('');
  const bold = st.get('paragraph', '<style:text-properties fo:font-weight="bold"/>');
  const right = st.get('paragraph', '<style:paragraph-properties fo:text-align="end"/>');
  const plain = st.get('paragraph', '<style:paragraph-properties fo:text-align="start"/>');
  const italic = st.get('paragraph', '<style:text-properties fo:font-weight="bold" fo:font-style="italic"/>');
  const anchors = new Map<string, GenCell>();
  const covered = new Set<string>();
  for (const c of t.cells) {
    anchors.set(`${c.row},${c.col}`, c);
    for (let r = c.row; r < c.row + c.rowSpan; r++)
      for (let k = c.col; k < c.col + c.colSpan; k++)
        if (r !== c.row || k !== c.col) covered.add(`${r},${k}`);
  }
  const breakRow = st.get('table-row', '<style:table-row-properties fo:break-before="page"/>');
  const rowXml = (row: number): string => {
    const parts: string[] = [];
    for (let col = 0; col < t.cols; col++) {
      const c = anchors.get(`${row},${col}`);
      if (!c) {
        if (!covered.has(`${row},${col}`)) throw new Error(`${name}: slot ${row},${col} has no cell`);
        parts.push('<table:covered-table-cell/>');
        continue;
      }
      const cs = st.get('table-cell', cellProps(border, c, t, colour, light));
      const section = t.sectionRows.includes(row);
      const ps = row < t.headerRows ? bold : section ? italic : c.numeric ? right : plain;
      const span = `${c.rowSpan > 1 ? ` table:number-rows-spanned="${c.rowSpan}"` : ''}${c.colSpan > 1 ? ` table:number-columns-spanned="${c.colSpan}"` : ''}`;
      const paras =
        c.text === ''
          ? `<text:p text:style-name="${ps}"/>`
          : c.lines.map((l) => `<text:p text:style-name="${ps}">${esc(l)}</text:p>`).join('');
      parts.push(
        `<table:table-cell table:style-name="${cs}"${span} office:value-type="string">${paras}</table:table-cell>`,
      );
    }
    const rs = t.breakBefore === row ? ` table:style-name="${breakRow}"` : '';
    return `<table:table-row${rs}>${parts.join('')}</table:table-row>`;
  };
  const head: string[] = [];
  const body: string[] = [];
  for (let row = 0; row < t.rows; row++) (row < t.headerRows ? head : body).push(rowXml(row));
  return `<table:table table:name="${name}" table:style-name="${tableStyle}">${cols}<table:table-header-rows>${head.join('')}</table:table-header-rows>${body.join('')}</table:table>`;
}

function documentXml(font: string, sizePt: number, landscape: boolean, body: string, styles: string): string {
  const [w, h] = landscape ? ['29.7cm', '21cm'] : ['21cm', '29.7cm'];
  return `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:font-face-decls><style:font-face style:name="${font}" svg:font-family="'${font}'"/></office:font-face-decls>
<office:styles>
<style:default-style style:family="paragraph"><style:text-properties style:font-name="${font}" fo:font-size="${sizePt}pt"/></style:default-style>
<style:style style:name="Heading" style:family="paragraph"><style:paragraph-properties fo:margin-top="0.3cm" fo:margin-bottom="0.2cm"/><style:text-properties fo:font-size="${sizePt + 4}pt" fo:font-weight="bold"/></style:style>
<style:style style:name="Caption" style:family="paragraph"><style:paragraph-properties fo:margin-top="0.3cm" fo:margin-bottom="0.15cm"/><style:text-properties fo:font-weight="bold"/></style:style>
<style:style style:name="Body" style:family="paragraph"><style:paragraph-properties fo:margin-bottom="0.2cm"/></style:style>
</office:styles>
<office:automatic-styles>
<style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="${w}" fo:page-height="${h}" fo:margin-top="2cm" fo:margin-bottom="2cm" fo:margin-left="2cm" fo:margin-right="2cm"/></style:page-layout>
${styles}
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1"/></office:master-styles>
<office:body><office:text>
${body}
</office:text></office:body></office:document>
`;
}

/** Writes COUNT Writer documents (border style × feature pairs), converts them, verifies and writes truth. */
export async function makeLibreOfficeSet(dir: string, only?: string): Promise<TruthDoc[]> {
  const work = await mkdtemp(path.join(tmpdir(), 'doclens-lo-'));
  const docs: TruthDoc[] = [];
  try {
    const jobs: {
      file: string;
      fodt: string;
      doc: TruthDoc;
      tables: GenTable[];
      feature: Feature;
      border: LoBorder;
    }[] = [];
    for (let i = 0; i < COUNT; i++) {
      const border = LO_BORDERS[i % LO_BORDERS.length] as LoBorder;
      const feature = LO_FEATURES[i % LO_FEATURES.length] as Feature;
      const file = `l${String(i + 1).padStart(3, '0')}-${border}-${feature}.pdf`;
      if (only && !file.includes(only)) continue;
      const seed = 11_500 + i;
      const r = rng(seed);
      const font = pick(r, FONTS);
      const sizePt = feature === 'page-break' ? int(r, 8, 10) : int(r, 8, 11);
      const landscape = r() < 0.2;
      const cols = int(r, 3, feature === 'wrapped-header' ? 7 : 6);
      const bodyRows = feature === 'page-break' ? int(r, 56, 66) : int(r, 4, 12);
      const tables = [makeTable(r, { feature, rows: bodyRows, cols })];
      // Writer ignores a forced break before a table row: the long table breaks by itself (split read back below).
      for (const t of tables) t.breakBefore = null;
      const two = feature !== 'page-break' && r() < 0.3;
      if (two) tables.push(makeTable(r, { feature: 'plain', rows: int(r, 3, 6), cols: int(r, 2, 5) }));
      for (const t of tables) checkTiling(t, file);
      const [colour, light] = pick(r, [
        ['#4a7ebb', '#dce6f2'],
        ['#999999', '#eeeeee'],
        ['#2e7d32', '#e8f5e9'],
      ] as const);
      const st = new Styles();
      const textWidth = landscape ? 25.7 : 17;
      const parts = [
        `<text:h text:style-name="Heading" text:outline-level="1">${esc(pick(r, ['Annual report', 'Statistical annex', 'Procurement schedule', 'Board papers']))}</text:h>`,
        `<text:p text:style-name="Body">${esc(pick(r, PROSE))}</text:p>`,
      ];
      tables.forEach((t, k) => {
        const width = t.colWidths ? textWidth : Math.min(textWidth, 2.6 * t.cols + int(r, 0, 4));
        parts.push(`<text:p text:style-name="Caption">${esc(t.caption)}</text:p>`);
        parts.push(tableXml(t, `Table${k + 1}`, border, st, width, colour, light));
        parts.push(`<text:p text:style-name="Body">${esc(pick(r, PROSE))}</text:p>`);
      });
      const fodt = path.join(work, file.replace(/\.pdf$/, '.fodt'));
      await writeFile(fodt, documentXml(font, sizePt, landscape, parts.join('\n'), st.xml()));
      const pages = 1; // page-break documents: set from the PDF below
      jobs.push({
        file,
        fodt,
        tables,
        feature,
        border,
        doc: {
          file,
          source: 'libreoffice',
          seed,
          pages,
          layout: `${two ? 'two-tables' : 'single'}${landscape ? ', landscape' : ''}, A4`,
          font,
          fontSize: `${sizePt}pt`,
          tables: [],
        },
      });
    }
    if (!jobs.length) return docs;
    // One soffice run converts every file (starting LibreOffice costs seconds); a fresh profile keeps it off any
    // running instance and the user's settings.
    const profile = pathToFileURL(path.join(work, 'profile')).href;
    await run(
      'soffice',
      [
        `-env:UserInstallation=${profile}`,
        '--headless',
        '--convert-to',
        'pdf',
        '--outdir',
        dir,
        ...jobs.map((j) => j.fodt),
      ],
      { timeout: 300_000 },
    );
    for (const j of jobs) {
      const pdf = path.join(dir, j.file);
      const first = j.tables[0] as GenTable;
      const texts = await pageTexts(pdf);
      const breaks = j.feature === 'page-break' ? findBreaks(texts, first, pdf) : [];
      if (j.feature === 'page-break') j.doc.pages = breaks.length + 1;
      const entries = j.tables.flatMap((t, k) =>
        truthTables(
          { table: t, page: 1, style: j.border, feature: k ? 'plain' : j.feature },
          k ? [] : breaks,
        ),
      );
      await verifyPdf(pdf, j.doc.pages, entries);
      j.doc.tables = entries.map((e) => e.truth);
      await writeFile(path.join(dir, j.file.replace(/\.pdf$/, '.json')), formatTruth(j.doc));
      docs.push(j.doc);
      console.log(`${j.file}: ${j.doc.tables.length} table(s), ${j.doc.pages} page(s)`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return docs;
}
