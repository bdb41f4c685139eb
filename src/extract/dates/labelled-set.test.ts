// The labelled set: reproducible, covers every format and distractor kind, its text layer puts words where
// the spec says, the score catches a broken extractor, and extractDates reaches the bar (figures printed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DateHit } from '../../shared/domain.js';
import { extractDates } from './extract-dates.js';
import {
  DATE_FORMATS,
  DISTRACTOR_KINDS,
  expectedBox,
  generateLabelledSet,
  measure,
  specToTextPage,
  spanRect,
  type Report,
} from './labelled-set.js';

const SET = generateLabelledSet();

function print(name: string, r: Report) {
  const pct = (v: number) => (100 * v).toFixed(2);
  const o = r.overall;
  const lines = [
    `${name}: precision ${pct(o.precision)}% recall ${pct(o.recall)}% F1 ${pct(o.f1)}% (tp ${o.tp}, fp ${o.fp}, fn ${o.fn})`,
  ];
  const weakest = Object.entries(r.byFormat)
    .sort((a, b) => a[1].f1 - b[1].f1)
    .slice(0, 3)
    .map(([f, s]) => `${f} P ${pct(s.precision)} R ${pct(s.recall)} (n ${s.tp + s.fn})`);
  lines.push(`  weakest formats: ${weakest.join('; ')}`);
  if (Object.keys(r.falsePositives).length > 0)
    lines.push(`  false positives: ${JSON.stringify(r.falsePositives)}`);
  for (const m of [...r.examples.misses.slice(0, 3), ...r.examples.falsePositives.slice(0, 3)])
    lines.push(`  ${m}`);
  console.log(lines.join('\n'));
}

test('the set is deterministic for a seed and differs across seeds', () => {
  assert.deepEqual(generateLabelledSet({ docs: 5 }), generateLabelledSet({ docs: 5 }));
  assert.notDeepEqual(generateLabelledSet({ docs: 5, seed: 1 }), generateLabelledSet({ docs: 5, seed: 2 }));
  assert.equal(SET.length, 120);
});

test('every format and distractor kind occurs, in both date orders', () => {
  const formats = new Set(SET.flatMap((s) => s.dates.map((d) => d.format)));
  assert.deepEqual(
    [...DATE_FORMATS].filter((f) => !formats.has(f)),
    [],
  );
  const kinds = new Set(SET.flatMap((s) => s.distractors.map((d) => d.kind)));
  assert.deepEqual(
    [...DISTRACTOR_KINDS].filter((k) => !kinds.has(k)),
    [],
  );
  assert.deepEqual([...new Set(SET.map((s) => s.order))].sort(), ['day-first', 'month-first']);
  assert.ok(SET.reduce((n, s) => n + s.dates.length, 0) > 1500);
});

test('spec spans point at the written text, and the text layer puts each word at its spec position', () => {
  for (const spec of SET.slice(0, 20)) {
    for (const d of spec.dates) {
      const written = d.spans.map((sp) => spec.lines[sp.line]?.text.slice(sp.start, sp.end)).join(' ');
      assert.equal(written, d.text);
    }
    const page = specToTextPage(spec);
    for (const w of page.words) {
      const line = spec.lines[w.line];
      assert.ok(line);
      const start = line.text.indexOf(w.text);
      assert.ok(start >= 0);
      assert.ok(Math.abs(w.box.y0 - line.y) < 1e-9 && Math.abs(w.box.y1 - line.y - line.size) < 1e-9);
    }
  }
  // A date's box is the union of its spans: a wrapped date spans two lines.
  const wrapped = SET.flatMap((s) => s.dates.filter((d) => d.format === 'wrapped').map((d) => ({ s, d })))[0];
  assert.ok(wrapped);
  const [a, b] = wrapped.d.spans;
  assert.ok(a && b);
  const la = wrapped.s.lines[a.line];
  const lb = wrapped.s.lines[b.line];
  assert.ok(la && lb);
  const box = expectedBox(wrapped.s, wrapped.d);
  assert.equal(box.y0, spanRect(la, a.start, a.end).y0);
  assert.equal(box.y1, spanRect(lb, b.start, b.end).y1);
});

test('the score catches a broken extractor', () => {
  const subset = SET.slice(0, 20);
  const none = measure(subset, { extract: () => [] });
  assert.equal(none.overall.recall, 0);
  assert.equal(none.overall.tp, 0);
  // Right values in the wrong place are not hits.
  const shifted = measure(subset, {
    extract: (page, opts) =>
      extractDates(page, opts).map((h): DateHit => ({
        ...h,
        box: { ...h.box, y0: h.box.y0 + 30, y1: h.box.y1 + 30 },
      })),
  });
  assert.equal(shifted.overall.tp, 0);
  // Day-first read as month-first loses the ambiguous numeric dates.
  const flipped = measure(
    subset.filter((s) => s.order === 'day-first'),
    { extract: (page) => extractDates(page, { locale: 'month-first' }) },
  );
  assert.ok(flipped.overall.recall < 0.99, `recall ${flipped.overall.recall}`);
});

// NOTE: the bar is set from what extractDates reaches on this set (1.0 with the known order, ≥ 0.998 with
// auto-detection on other seeds; the misses are documents with only ambiguous numeric dates), less a margin.
// The set is written by the same hand as the extractor, so it measures regressions, not the real world.
test('extractDates reaches precision ≥ 0.99 and recall ≥ 0.99 on the labelled set', () => {
  const known = measure(SET, { locale: 'known' });
  const auto = measure(SET, { locale: 'auto' });
  const heldOut = measure(generateLabelledSet({ seed: 12345, docs: 60 }), { locale: 'auto' });
  print('known order', known);
  print('auto order', auto);
  print('held-out seed, auto order', heldOut);
  for (const r of [known, auto, heldOut]) {
    assert.ok(r.overall.precision >= 0.99, `precision ${r.overall.precision}`);
    assert.ok(r.overall.recall >= 0.99, `recall ${r.overall.recall}`);
  }
  for (const [format, s] of Object.entries(known.byFormat)) {
    assert.ok(s.recall >= 0.95 && s.precision >= 0.95, `${format}: ${JSON.stringify(s)}`);
  }
});

// NOTE: as above, the bar is what the extractor reaches (1.0 on this set, 0.997 on the held-out seed with the
// default noise; about 0.994 precision / 0.979 recall with heavy noise, where the misses are mostly dates OCR
// glued to the next word, "Apr1997", "2021at"), less a margin.
test('on simulated OCR text, precision and recall stay ≥ 0.98 (≥ 0.95 with heavy noise)', () => {
  const ocr = measure(SET, { locale: 'auto', ocr: {} });
  const heavy = measure(generateLabelledSet({ seed: 12345, docs: 60 }), {
    locale: 'auto',
    ocr: { confusion: 0.1, split: 0.3, punctuation: 0.3, jitter: 1.5 },
  });
  print('simulated OCR, auto order', ocr);
  print('simulated OCR with heavy noise, held-out seed', heavy);
  assert.ok(ocr.overall.precision >= 0.98 && ocr.overall.recall >= 0.98, JSON.stringify(ocr.overall));
  assert.ok(heavy.overall.precision >= 0.95 && heavy.overall.recall >= 0.95, JSON.stringify(heavy.overall));
  // The noise is real: without the OCR clean-up the same pages lose dates.
  const raw = measure(SET.slice(0, 40), {
    locale: 'auto',
    ocr: { confusion: 0.1 },
    extract: (page, opts) => extractDates({ ...page, source: 'text-layer' }, opts),
  });
  assert.ok(raw.overall.recall < 0.95, `recall without clean-up ${raw.overall.recall}`);
});
