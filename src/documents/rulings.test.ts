// Ruling lines from pdf.js operator lists: the OPS codes this walk relies on, nested transforms as Chromium's
// "Save as PDF" writes them (a px→pt scale, then a translated content matrix), and thin filled bars.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPdfJs } from './pdfjs-setup.js';
import { DRAW_OPS, RULING_OPS, pdfRulings, type Segment } from './rulings.js';
import { pdfWithContent } from './test-pdfs.js';

function round(s: Segment): Segment {
  const r = (v: number) => Math.round(v * 100) / 100;
  return { x0: r(s.x0), y0: r(s.y0), x1: r(s.x1), y1: r(s.y1), orientation: s.orientation };
}

test('RULING_OPS and DRAW_OPS are pdf.js 6 codes', async () => {
  const pdfjs = await loadPdfJs();
  const ops = pdfjs.OPS as Record<string, number>;
  for (const [name, code] of Object.entries(RULING_OPS)) assert.equal(ops[name], code, name);
  for (const [name, code] of Object.entries(DRAW_OPS)) {
    const draw = (pdfjs as unknown as { DrawOPS?: Record<string, number> }).DrawOPS;
    if (draw) assert.equal(draw[name], code, name);
  }
});

test('nested cm: a bar drawn under two transforms lands where the page shows it', async () => {
  // Outer matrix: 0.5 scale, y flipped (origin top-left); inner: 2x scale translated to (100, 100). A 200 x 1 bar
  // and a 1 x 100 bar at the inner origin: page x = 0.5 * (100 + 2x), page y (down) = 0.5 * (100 + 2y).
  const content = Buffer.from(
    '0.5 0 0 -0.5 0 792 cm q 2 0 0 2 100 100 cm 0 0 200 1 re f 0 0 1 100 re f 0 0.5 0 rg 0 60 200 0.5 re f Q',
  );
  const [segs] = await pdfRulings(pdfWithContent(content), undefined, [1]);
  assert.deepEqual(segs?.map(round), [
    { x0: 50, y0: 50.5, x1: 250, y1: 50.5, orientation: 'h' },
    { x0: 50.5, y0: 50, x1: 50.5, y1: 150, orientation: 'v' },
    { x0: 50, y0: 110.25, x1: 250, y1: 110.25, orientation: 'h' },
  ]);
});

test('stroked lines and rectangle edges under a form-like save/restore keep their own transform', async () => {
  const content = Buffer.from(
    'q 1 0 0 1 10 20 cm 0 0 m 100 0 l S Q 0.5 w 300 300 50 40 re S q 0 1 -1 0 400 100 cm 0 0 m 50 0 l S Q',
  );
  const [segs] = await pdfRulings(pdfWithContent(content), undefined, [1]);
  const got = (segs ?? []).map(round);
  // y down: user y 20 -> 772.
  assert.deepEqual(got[0], { x0: 10, y0: 772, x1: 110, y1: 772, orientation: 'h' });
  // The rectangle's four edges.
  assert.equal(got.filter((s) => s.x0 >= 300 && s.x1 <= 350 && s.y0 >= 452 && s.y1 <= 492).length, 4);
  // A quarter-turned line: (0,0)-(50,0) under [0 1 -1 0 400 100] is x = 400, user y 100..150 -> page 642..692.
  assert.deepEqual(got[got.length - 1], { x0: 400, y0: 642, x1: 400, y1: 692, orientation: 'v' });
});
