// The ink test that lets blank pages skip OCR: white and transparent rasters are blank, a speck is blank, the
// smallest text-sized mark is not, and a dark page is not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RawImage } from '../documents/api.js';
import { isBlank } from './blank-page.js';

function raster(w: number, h: number, channels: 3 | 4, fill: number, alpha = 255): RawImage {
  const data = new Uint8Array(w * h * channels);
  for (let i = 0; i < data.length; i += channels) {
    data.fill(fill, i, i + 3);
    if (channels === 4) data[i + 3] = alpha;
  }
  return { data, width: w, height: h, channels, scale: 1 };
}

function paint(r: RawImage, x0: number, y0: number, size: number, value: number): RawImage {
  for (let y = y0; y < y0 + size; y++)
    for (let x = x0; x < x0 + size; x++)
      r.data.fill(value, (y * r.width + x) * r.channels, (y * r.width + x) * r.channels + 3);
  return r;
}

test('blank: white, off-white, transparent, a 7x7 speck; not blank: an 8x8 mark, a dark page', () => {
  assert.equal(isBlank(raster(400, 300, 3, 255)), true);
  assert.equal(isBlank(raster(400, 300, 3, 200)), true);
  assert.equal(isBlank(raster(400, 300, 4, 0, 0)), true, 'transparent black is paper');
  assert.equal(isBlank(paint(raster(400, 300, 3, 255), 100, 100, 7, 0)), true, '49 dark pixels');
  assert.equal(isBlank(paint(raster(400, 300, 3, 255), 100, 100, 8, 0)), false, '64 dark pixels');
  assert.equal(isBlank(paint(raster(400, 300, 4, 255), 390, 290, 10, 60)), false);
  assert.equal(isBlank(raster(400, 300, 3, 20)), false);
});
