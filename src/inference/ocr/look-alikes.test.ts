// Look-alike characters decided by the recogniser's runner-up (look-alikes.ts): a digit inside a word, and a word
// with a doubtful letter that the page prints elsewhere. Tokens as the recogniser hands them over, and a hand-made
// softmax output for the runner-ups themselves.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DecodedLine } from './ctc-decode.js';
import { lettersByAlternates, pageConsensus, withAlternates, type AltChar } from './look-alikes.js';

/** A decoded line from text; `alts` maps a character index to its runner-up and that runner-up's probability. */
function read(text: string, alts: Readonly<Record<number, readonly [string, number]>> = {}): DecodedLine {
  const chars: AltChar[] = [...text].map((char, i) => {
    const a = alts[i];
    return { char, t0: i, t1: i, prob: a ? 1 - a[1] : 0.98, ...(a ? { alt: a[0], altProb: a[1] } : {}) };
  });
  return { text, chars, confidence: 0.9 };
}

test('withAlternates records the likeliest other class of each character, never its twin or other case', () => {
  // Dictionary: 1 "l", 2 "1", 3 "O", 4 "o", 5 "，" (full-width comma), 6 ","; blank is class 0.
  const dict = ['l', '1', 'O', 'o', '，', ','];
  const classes = dict.length + 1;
  const steps = 3;
  const probs = new Float32Array(steps * classes);
  const set = (t: number, p: number[]) => p.forEach((v, c) => (probs[t * classes + c] = v));
  set(0, [0, 0.32, 0.64, 0.02, 0.02, 0, 0]); // "1", runner-up "l"
  set(1, [0, 0.01, 0, 0.6, 0.3, 0.05, 0.04]); // "O", its lower case does not count: runner-up "，" → ","
  set(2, [0, 0, 0, 0, 0, 0.3, 0.7]); // ",", its full-width twin does not count: no runner-up
  const line: DecodedLine = {
    text: '1O,',
    chars: [
      { char: '1', t0: 0, t1: 0, prob: 0.64 },
      { char: 'O', t0: 1, t1: 1, prob: 0.6 },
      { char: ',', t0: 2, t1: 2, prob: 0.7 },
    ],
    confidence: 0.65,
  };
  const got = withAlternates(line, probs, 0, steps, classes, dict).chars as AltChar[];
  assert.deepEqual(
    got.map((c) => [c.char, c.alt, c.altProb?.toFixed(2)]),
    [
      ['1', 'l', '0.32'],
      ['O', ',', '0.05'],
      [',', undefined, undefined],
    ],
  );
});

test('a digit inside a word becomes the letter the recogniser doubted it was', () => {
  // "Leve1 6" (r009: 1 at 0.64, l at 0.32), "De5a" (5 0.53, s 0.41), "10T" (1 / L 0.20, 0 / O 0.20), "J0HOR".
  assert.equal(lettersByAlternates(read('Leve1 6,', { 4: ['l', 0.32] })).text, 'Level 6,');
  assert.equal(lettersByAlternates(read('Leve1 2,', { 4: ['l', 0.12] })).text, 'Level 2,');
  assert.equal(lettersByAlternates(read('De5a Tun', { 2: ['s', 0.41] })).text, 'Desa Tun');
  assert.equal(lettersByAlternates(read('10T 1851-A', { 0: ['L', 0.2], 1: ['O', 0.2] })).text, 'LOT 1851-A');
  assert.equal(lettersByAlternates(read('BAHRU,J0HOR', { 7: ['O', 0.42] })).text, 'BAHRU,JOHOR');
});

test('a digit read sure, a number with look-alike letters, a weak doubt or a case clash stay as read', () => {
  for (const [text, alts] of [
    ['Unit1 A', {}], // no runner-up: the print says 1
    ['Leve1 6', { 4: ['l', 0.08] }], // a weak doubt
    ['1OO', { 0: ['I', 0.3] }], // O is also a digit's look-alike: a number, fixLatinToken's
    ['10T', { 0: ['L', 0.3] }], // one digit of two without a letter runner-up
    ['NO1,', { 2: ['l', 0.3] }], // "NOl": small l in a word of capitals
    ['7/118B', { 2: ['l', 0.21] }], // a code: its other 1 is sure
    ['A1', { 1: ['l', 0.4] }], // too short to be a word
    ['RM0.20', { 2: ['O', 0.3] }], // an amount goes on past the mark
    ['0.00SR', { 2: ['O', 0.3], 3: ['O', 0.3] }], // a tax code glued to an amount
  ] as const) {
    const l = read(text, alts);
    assert.equal(lettersByAlternates(l), l, text);
  }
});

test('a word with a doubtful letter takes the reading the page prints elsewhere', () => {
  // r012: "JALAN GETIA GEMBILANG" and "BANDAR GETIA ALAM" read G for S, with S the runner-up; "40170 BANDAR SETIA ALAM".
  const lines = [
    read('JALAN GETIA GEMBILANG', { 6: ['S', 0.47] }),
    read('BANDAR GETIA ALAM,', { 7: ['S', 0.24] }),
    read('40170 BANDAR SETIA ALAM,'),
    read('40170 SHAH ALAN,', { 14: ['M', 0.27] }),
  ];
  assert.deepEqual(
    pageConsensus(lines).map((l) => l.text),
    ['JALAN SETIA GEMBILANG', 'BANDAR SETIA ALAM,', '40170 BANDAR SETIA ALAM,', '40170 SHAH ALAM,'],
  );
  // Without the other reading on the page, or with a weak doubt, or short words, nothing changes.
  const alone = [read('JALAN GETIA', { 6: ['S', 0.47] }), read('SHAH ALAN', { 8: ['M', 0.1] }), read('ALAM')];
  assert.deepEqual(
    pageConsensus(alone).map((l) => l.text),
    ['JALAN GETIA', 'SHAH ALAN', 'ALAM'],
  );
  const short = [read('NO 5', {}), read('NG 5', { 1: ['O', 0.4] })];
  assert.deepEqual(
    pageConsensus(short).map((l) => l.text),
    ['NO 5', 'NG 5'],
  );
  // The page's other reading must be surer of that letter than this one: a "Total" whose t was in doubt (f 0.25) is
  // not turned by a "Tofal" elsewhere whose f was no surer (0.6).
  const misread = [read('Total', { 2: ['f', 0.25] }), read('Tofal', { 2: ['t', 0.35] })];
  misread[0]!.chars[2]!.prob = 0.7;
  misread[1]!.chars[2]!.prob = 0.6;
  assert.deepEqual(
    pageConsensus(misread).map((l) => l.text),
    ['Total', 'Tofal'],
  );
  // A "Total" in doubt where the page reads "Total" sure elsewhere stays, though one "Tofal" was read sure: the
  // page's belief in its t (0.98 + 0.7) outweighs that in the f (0.9 + 0.25).
  const both = [read('Total'), read('Total', { 2: ['f', 0.25] }), read('Tofal', { 2: ['t', 0.05] })];
  both[1]!.chars[2]!.prob = 0.7;
  both[2]!.chars[2]!.prob = 0.9;
  assert.deepEqual(
    pageConsensus(both).map((l) => l.text),
    ['Total', 'Total', 'Tofal'],
  );
  // Two letters in doubt, each making another word of the page: left as read.
  const two = [read('CARE'), read('CAPS'), read('CAPE', { 2: ['R', 0.3], 3: ['S', 0.3] })];
  assert.equal(pageConsensus(two)[2]!.text, 'CAPE');
});
