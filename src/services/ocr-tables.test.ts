// Tables of a scanned page through the real backend: extract.tables on the scanned sample invoice OCRs the page,
// finds its ruling lines in the same raster (PageText) and returns the ruled line-item table (extract-doc.ts).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { tableToGrid } from '../extract/tables/index.js';
import type { Table } from '../shared/domain.js';
import { iou, type Rect } from '../shared/geometry.js';
import { appRoot } from './paths.js';
import { testBackend } from './testing.js';

const SAMPLES = join(appRoot(), 'assets/samples');
const tb = testBackend('doclens-ocr-tables-');

test('extract.tables on the scanned invoice: the ruled line-item table, as on the digital invoice', async () => {
  const manifest = JSON.parse(await readFile(join(SAMPLES, 'samples.json'), 'utf8')) as {
    documents: {
      file: string;
      tables: {
        box: Rect;
        rows: number;
        cols: number;
        cells: { row: number; col: number; text: string }[];
      }[];
    }[];
  };
  const truth = manifest.documents.find((d) => d.file === 'invoice-scanned.pdf')?.tables[0];
  assert.ok(truth);
  const doc = await tb.call<{ id: string }>('documents.open', { path: join(SAMPLES, 'invoice-scanned.pdf') });
  const { tables } = await tb.call<{ tables: Table[] }>('extract.tables', { docId: doc.id });
  // Auto mode: the line-item table only (before, stream detection alone gave the header block, a 13-row
  // line-item grid with totals mixed in, and the bank details).
  assert.equal(tables.length, 1, JSON.stringify(tables.map((t) => [t.rows, t.cols, t.box])));
  const t = tables[0];
  assert.ok(t);
  assert.equal(t.method, 'ocr');
  assert.equal(t.rows, truth.rows);
  assert.equal(t.cols, truth.cols);
  assert.equal(t.headerRows, 1);
  assert.ok(iou(t.box, truth.box) > 0.95, JSON.stringify(t.box));
  const grid = tableToGrid(t);
  const exact = truth.cells.filter((c) => grid[c.row]?.[c.col] === c.text).length;
  assert.ok(
    exact >= truth.cells.length - 2,
    `${exact}/${truth.cells.length} cells read exactly: ${JSON.stringify(grid)}`,
  );
});
