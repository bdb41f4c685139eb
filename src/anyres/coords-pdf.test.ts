// Checks the PDF user space ⇄ page space conversion against real pdf.js on a real PDF (built with pdf-lib):
// every rotation, a CropBox with a non-zero origin, and a UserUnit ≠ 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PDFDocument, PDFName, PDFNumber, degrees } from 'pdf-lib';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import {
  pageRectToPdf,
  pageToPdfUser,
  pdfPageSize,
  pdfRectToPage,
  pdfUserToPage,
  type PdfPageGeometry,
} from './coords.js';

interface Case {
  rotate: number;
  userUnit: number;
  media: [number, number, number, number];
  crop: [number, number, number, number] | null;
}

const CASES: Case[] = [];
for (const rotate of [0, 90, 180, 270]) {
  CASES.push({ rotate, userUnit: 1, media: [0, 0, 612, 792], crop: null });
  CASES.push({ rotate, userUnit: 1, media: [0, 0, 600, 800], crop: [37, 51.5, 437, 651.5] });
  CASES.push({ rotate, userUnit: 2.5, media: [-100, -50, 500, 750], crop: [-80, 20, 300, 700] });
}

async function buildPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (const c of CASES) {
    const [mx0, my0, mx1, my1] = c.media;
    const page = doc.addPage([mx1 - mx0, my1 - my0]);
    page.setMediaBox(mx0, my0, mx1 - mx0, my1 - my0);
    if (c.crop) {
      const [cx0, cy0, cx1, cy1] = c.crop;
      page.setCropBox(cx0, cy0, cx1 - cx0, cy1 - cy0);
    }
    page.setRotation(degrees(c.rotate));
    if (c.userUnit !== 1) page.node.set(PDFName.of('UserUnit'), PDFNumber.of(c.userUnit));
  }
  return doc.save();
}

const SAMPLE_POINTS: Array<[number, number]> = [
  [0, 0],
  [37, 51.5],
  [100.25, 200.75],
  [-80, 700],
  [300, 20],
  [612, 792],
  [123.456, 654.321],
];

void test('pdfUserToPage / pageToPdfUser agree with pdf.js getViewport({scale: 1}) for every rotation and CropBox', async () => {
  const task = getDocument({ data: await buildPdf(), verbosity: 0 });
  const pdf = await task.promise;
  try {
    assert.equal(pdf.numPages, CASES.length);
    for (let i = 0; i < CASES.length; i++) {
      const c = CASES[i]!;
      const page = await pdf.getPage(i + 1);
      // The fixture really carries what we meant to test.
      assert.equal(page.rotate, c.rotate);
      assert.equal(page.userUnit, c.userUnit);
      assert.deepEqual(page.view, c.crop ?? c.media);
      const g: PdfPageGeometry = {
        view: [page.view[0], page.view[1], page.view[2], page.view[3]],
        rotate: page.rotate,
        userUnit: page.userUnit,
      };
      // NOTE: pdf.js 6 applies userUnit inside PageViewport, so page space = getViewport({ scale: 1 }).
      // getViewport({ scale: userUnit }) would apply it twice (points × userUnit²).
      const vp = page.getViewport({ scale: 1, rotation: page.rotate });
      if (c.userUnit !== 1) {
        const twice = page.getViewport({ scale: c.userUnit, rotation: page.rotate });
        assert.equal(twice.width, vp.width * c.userUnit, 'scale: userUnit applies UserUnit twice');
      }
      const size = pdfPageSize(g);
      assert.equal(size.width, vp.width, `width, case ${i}`);
      assert.equal(size.height, vp.height, `height, case ${i}`);
      for (const [x, y] of SAMPLE_POINTS) {
        const [ex, ey] = vp.convertToViewportPoint(x, y) as [number, number];
        const got = pdfUserToPage(x, y, g);
        assert.equal(got.x, ex, `x of (${x},${y}), case ${i}`);
        assert.equal(got.y, ey, `y of (${x},${y}), case ${i}`);
        const [ux, uy] = vp.convertToPdfPoint(ex, ey) as [number, number];
        const back = pageToPdfUser(ex, ey, g);
        assert.equal(back.x, ux);
        assert.equal(back.y, uy);
        assert.ok(Math.abs(back.x - x) < 1e-9 && Math.abs(back.y - y) < 1e-9, 'round trip');
      }
      // The CropBox corners land on the page corners.
      const [vx0, vy0, vx1, vy1] = g.view;
      const r = pdfRectToPage({ x0: vx0, y0: vy0, x1: vx1, y1: vy1 }, g);
      assert.deepEqual(r, { x0: 0, y0: 0, x1: vp.width, y1: vp.height });
      page.cleanup();
    }
  } finally {
    await task.destroy();
  }
});

void test('hand-computed page positions of a user-space point (CropBox [37,51.5,437,651.5], 400×600 pt)', () => {
  const view = [37, 51.5, 437, 651.5] as const;
  // User point 10 pt right of the crop's left edge and 20 pt above its bottom edge.
  const x = 47;
  const y = 71.5;
  const expect: Record<number, [number, number]> = {
    0: [10, 580], // top-left origin, y down: 600 − 20
    90: [20, 10], // turned clockwise: bottom edge becomes the left edge
    180: [390, 20],
    270: [580, 390],
  };
  for (const rotate of [0, 90, 180, 270]) {
    const p = pdfUserToPage(x, y, { view, rotate, userUnit: 1 });
    assert.deepEqual([p.x, p.y], expect[rotate], `rotate ${rotate}`);
    const q = pdfUserToPage(x, y, { view, rotate, userUnit: 2 });
    assert.deepEqual(
      [q.x, q.y],
      expect[rotate]!.map((v) => v * 2),
      `rotate ${rotate}, userUnit 2`,
    );
  }
  // -90 and 450 normalise like pdf.js; 45 is rejected.
  assert.deepEqual(pdfUserToPage(x, y, { view, rotate: -90, userUnit: 1 }), { x: 580, y: 390 });
  assert.deepEqual(pdfUserToPage(x, y, { view, rotate: 450, userUnit: 1 }), { x: 20, y: 10 });
  assert.throws(() => pdfUserToPage(x, y, { view, rotate: 45, userUnit: 1 }), {
    name: 'AppError',
    code: 'invalid_input',
  });
});

void test('pageRectToPdf inverts pdfRectToPage with ordered corners', () => {
  const g: PdfPageGeometry = { view: [-80, 20, 300, 700], rotate: 270, userUnit: 2.5 };
  const user = { x0: -10, y0: 40, x1: 120.5, y1: 333 };
  const page = pdfRectToPage(user, g);
  assert.ok(page.x0 <= page.x1 && page.y0 <= page.y1);
  const back = pageRectToPdf(page, g);
  for (const k of ['x0', 'y0', 'x1', 'y1'] as const) assert.ok(Math.abs(back[k] - user[k]) < 1e-9, k);
});
