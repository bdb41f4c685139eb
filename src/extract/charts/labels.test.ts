// Tick and data label reading: numbers as charts print them, dates on axes, and the even-step check that keeps a
// column of table figures from passing for a value axis.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { columnAxes, valueAt } from './axes.js';
import { isName, isoDay, parseDate, parseNumber, roundTo } from './labels.js';
import type { Phrase } from './types.js';

test('parseNumber reads separators, signs, currency, percent, suffixes and decimal commas', () => {
  const v = (s: string) => parseNumber(s)?.value ?? null;
  assert.equal(v('1,250'), 1250);
  assert.equal(v('−40%'), -40);
  assert.equal(parseNumber('−40%')?.unit, '%');
  assert.equal(v('(12)'), -12);
  assert.equal(v('$2.5k'), 2500);
  assert.equal(parseNumber('$2.5k')?.step, 100);
  assert.equal(v('1.2M'), 1_200_000);
  assert.equal(v('3,5'), 3.5);
  assert.equal(v('.5'), 0.5);
  assert.equal(v('Q3'), null);
  assert.equal(v('2024-01'), null);
  assert.equal(v('12 apples'), null);
});

test('parseDate reads the dates axes print; isoDay writes them back', () => {
  const iso = (s: string) => {
    const d = parseDate(s);
    return d === null ? null : isoDay(d);
  };
  assert.equal(iso('Jan 2024'), '2024-01-01');
  assert.equal(iso("Mar '24"), '2024-03-01');
  assert.equal(iso('2024-03-15'), '2024-03-15');
  assert.equal(iso('15 March 2024'), '2024-03-15');
  assert.equal(iso('March 15, 2024'), '2024-03-15');
  assert.equal(iso('2024'), null);
  assert.equal(iso('Q1 FY25'), null);
});

test('isName: words and bare years name things; measures do not', () => {
  assert.equal(isName('North'), true);
  assert.equal(isName('2024'), true);
  assert.equal(isName('24.5%'), false);
  assert.equal(isName('1,250'), false);
});

test('roundTo keeps four significant digits of the axis span', () => {
  assert.equal(roundTo(4380.0002, 5000), 4380);
  assert.equal(roundTo(36.0649, 100), 36.1);
  assert.equal(roundTo(-0.30004, 1.5), -0.3);
});

const ph = (text: string, x1: number, y: number): Phrase => ({
  text,
  box: { x0: x1 - 6 * text.length, y0: y - 4, x1, y1: y + 4 },
  size: 8,
});

test('columnAxes fits evenly stepped ticks (linear and log), snapped to their grid lines; table figures do not fit', () => {
  const linear = ['100', '75', '50', '25', '0'].map((t, i) => ph(t, 50, 100 + 40 * i + 0.6));
  const grid = [0, 1, 2, 3, 4].map((i) => ({ y: 100 + 40 * i, x0: 56, x1: 400 }));
  const [a] = columnAxes(linear, grid);
  assert.ok(a);
  assert.equal(a.fit.scale, 'linear');
  assert.ok(a.ticks.every((t) => t.snapped));
  assert.ok(Math.abs(valueAt(a.fit, 260) - 0) < 1e-9);
  assert.ok(Math.abs(valueAt(a.fit, 160) - 62.5) < 1e-9);
  const log = ['1,000', '100', '10', '1'].map((t, i) => ph(t, 50, 100 + 50 * i));
  const [l] = columnAxes(log, []);
  assert.equal(l?.fit.scale, 'log');
  assert.ok(Math.abs(valueAt(l?.fit ?? { scale: 'log', a: 0, b: 0 }, 125) - 10 ** 2.5) < 1e-6);
  // A table column: monotonic and evenly spaced, but its values do not step evenly.
  const figures = ['945', '352', '43', '12'].map((t, i) => ph(t, 50, 100 + 20 * i));
  assert.deepEqual(columnAxes(figures, []), []);
});
