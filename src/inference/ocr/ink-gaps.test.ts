// Receipt OCR errors of issue #10 fixed from the crop's pixels: spaces inside words (an inferred space is kept only
// where the crop has a word gap; commas read as full stops are marks.test.ts's). Pure tests on hand-made ink, and
// the real engine on generated receipt lines.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mulberry32 } from '../../shared/prng.js';
import type { DecodedChar, DecodedLine } from './ctc-decode.js';
import { createOcrEngine, type OcrEngine } from './index.js';
import { blankRun, dropNarrowSpaces, inkColumns, type InkColumns } from './ink-gaps.js';
import type { TensorSlot } from './raster.js';
import { cer, renderTextLines, thermalPrint } from './synthetic-text.js';

/**
 * A line of letters, each `cell` px of ink with `gap` px of paper after it; `spaceAfter` lists the indices after
 * which `space` px of paper stand instead (a printed word gap). One timestep = 1 px, so a letter's centre is its
 * cell's middle. Returns the ink columns and the letters with their timesteps.
 */
function layout(
  text: string,
  cell: number,
  gap: number,
  wide: Record<number, number>,
): { cols: InkColumns; chars: DecodedChar[] } {
  const ink: number[] = [];
  const chars: DecodedChar[] = [];
  [...text].forEach((ch, i) => {
    const x = ink.length;
    for (let k = 0; k < cell; k++) ink.push(1);
    chars.push({ char: ch, t0: x + cell / 2 - 1, t1: x + cell / 2 - 1, prob: 0.95 });
    for (let k = 0; k < (wide[i] ?? gap); k++) ink.push(0);
  });
  return { cols: { ink: Uint8Array.from(ink), width: ink.length, height: 48 }, chars };
}

/** Puts an inferred space (peak `peak`) after letter `i`. */
function withSpace(chars: DecodedChar[], i: number, peak: number): DecodedLine {
  const a = chars[i]!;
  const out = [
    ...chars.slice(0, i + 1),
    { char: ' ', t0: a.t1 + 1, t1: a.t1 + 1, prob: peak, inferred: true },
  ];
  out.push(...chars.slice(i + 1));
  return { text: out.map((c) => c.char).join(''), chars: out, confidence: 0.95 };
}

test('blankRun finds the longest paper run between two columns; inkColumns marks ink against the crop contrast', () => {
  const cols: InkColumns = { ink: Uint8Array.from([1, 0, 0, 1, 0, 0, 0, 1]), width: 8, height: 48 };
  assert.equal(blankRun(cols, 0, 8), 3);
  assert.equal(blankRun(cols, 0, 4), 2);
  assert.equal(blankRun(cols, 3.5, 8), 3);
  // A faint print: ink at -0.2 on paper at 0.4 (normalised units, three channels) still reads as ink.
  const w = 6;
  const h = 48;
  const out = new Float32Array(3 * h * w).fill(0.4);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < h; y++) for (const x of [1, 4]) out[c * h * w + y * w + x] = -0.2;
  const slot: TensorSlot = { out, item: 0, height: h, stride: w };
  assert.deepEqual([...inkColumns(slot, w).ink], [0, 1, 0, 0, 1, 0]);
  // No contrast at all: nothing is judged a gap.
  assert.deepEqual([...inkColumns({ ...slot, out: new Float32Array(3 * h * w) }, w).ink], [1, 1, 1, 1, 1, 1]);
});

test('an inferred space where the letters sit as close as elsewhere in the line is taken out; a word gap stays', () => {
  // "Kawasan Perindustrian" with a 2 px letter gap and a 14 px word gap after "Kawasan" (index 6).
  const { cols, chars } = layout('KawasanPerindustrian', 10, 2, { 6: 14 });
  // A space inferred inside "Kawasan" (after "Kawas", index 4) at a weak peak: out.
  assert.equal(dropNarrowSpaces(withSpace(chars, 4, 0.03), cols, 1).text, 'KawasanPerindustrian');
  // The word gap the recogniser missed: kept, whatever the peak.
  assert.equal(dropNarrowSpaces(withSpace(chars, 6, 0.03), cols, 1).text, 'Kawasan Perindustrian');
  // A strong peak keeps a space even in a narrow gap; a space the recogniser read itself is never judged.
  assert.equal(dropNarrowSpaces(withSpace(chars, 4, 0.45), cols, 1).text, 'Kawas anPerindustrian');
  const read = withSpace(chars, 4, 0.9);
  read.chars[5] = { ...read.chars[5]!, inferred: false };
  assert.equal(dropNarrowSpaces(read, cols, 1).text, 'Kawas anPerindustrian');
  // A gap a little wider than the letters' (a monospace "L I"): out at a weak peak, kept at a moderate one.
  const mono = layout('MALINJATAMAN', 10, 4, { 2: 8, 6: 14 });
  assert.equal(dropNarrowSpaces(withSpace(mono.chars, 2, 0.03), mono.cols, 1).text, 'MALINJATAMAN');
  assert.equal(dropNarrowSpaces(withSpace(mono.chars, 6, 0.03), mono.cols, 1).text, 'MALINJA TAMAN');
  // A print with hardly any word gap ("SANYU STATIONERY"): 1.5× the letters' gap stands at a peak of 0.13.
  const tight = layout('SANYUSTATIONERY', 10, 10, { 4: 15 });
  assert.equal(dropNarrowSpaces(withSpace(tight.chars, 4, 0.13), tight.cols, 1).text, 'SANYU STATIONERY');
  assert.equal(dropNarrowSpaces(withSpace(tight.chars, 4, 0.05), tight.cols, 1).text, 'SANYUSTATIONERY');
  // Next to a digit nothing is judged ("Tota 1RM14.20", "Tampoi 81200").
  const digit = layout('GrandTota1RM', 10, 2, {});
  assert.equal(dropNarrowSpaces(withSpace(digit.chars, 8, 0.03), digit.cols, 1).text, 'GrandTota 1RM');
  // After punctuation nothing is judged ("No.3, Jalan"); a line of two letters is left as it is.
  const punct = layout('No.3,Jalan', 10, 2, {});
  assert.equal(dropNarrowSpaces(withSpace(punct.chars, 4, 0.03), punct.cols, 1).text, 'No.3, Jalan');
  const short = layout('ab', 10, 2, {});
  assert.equal(dropNarrowSpaces(withSpace(short.chars, 0, 0.03), short.cols, 1).text, 'a b');
});

let engine: OcrEngine;
before(async () => {
  engine = await createOcrEngine({ threads: 2 });
});
after(async () => {
  await engine.dispose();
});

test('a dot-printed receipt address reads without spaces inside its words', async () => {
  // Bold monospace at 22 px with every 5th pixel column blank, as a thermal printer's dot columns: before the fix
  // the engine read "Per industrian" and "Malur i" here (and still misreads a few letters).
  const lines = [
    '12, Jalan Tampoi 7/4, Kawasan Perindustrian',
    '56100 CHERAS, KUALA LUMPUR.',
    '19-1, JALAN MALINJA 2, TAMAN BUNGA RAYA,',
    'No 2A Jalan Cochrane Taman Maluri',
    'SELANGOR D.E, MALAYSIA',
    '88 Jalan Ibrahim Sultan Stulang Laut',
    '81200 Johor Bahru, Johor',
  ];
  const size = 22;
  const page = renderTextLines(
    size * 30,
    Math.round(size * 1.8 * (lines.length + 1) + 30),
    lines.map((text, i) => ({
      text,
      x: 20,
      y: 20 + size * 1.8 * (i + 1),
      family: 'Liberation Mono',
      size,
      weight: 'bold' as const,
    })),
  );
  const res = await engine.recognize(thermalPrint(page.image, 5, mulberry32(7)));
  const got = res.lines.map((l) => l.text);
  assert.ok(got.length >= lines.length - 1, got.join('\n'));
  // Each line read has the words of the printed line it reads best as, no more (a letter may still be misread on
  // such a print, and a faint line may be missed).
  for (const t of got) {
    const truth = lines.reduce((a, b) => (cer(b, t) < cer(a, t) ? b : a));
    assert.ok(cer(truth, t) < 0.25, `${t} / ${truth}`);
    assert.equal(t.split(' ').length, truth.split(' ').length, `${t} / ${truth}`);
  }
  assert.ok(got.includes('12, Jalan Tampoi 7/4, kawasan Perindustrian'), got.join('\n'));
  assert.ok(got.includes('No 2A Jalan Cochrane Taman Maluri'), got.join('\n'));
});
