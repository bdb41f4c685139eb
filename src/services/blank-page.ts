// A cheap ink test on a page raster before OCR: a blank page (a scanner's empty sheet, a padding page) has nothing to
// read, and recognising it costs the OCR's full detection pass (about 1.7 s a page on two cores) for no words.
import type { RawImage } from '../documents/api.js';

/** Darker than this (0–255 luminance, ~ITU-R 601 weights) counts as ink. */
const INK_LEVEL = 128;
/**
 * A page with fewer dark pixels than this is blank: about a 7×7-pixel speck. The smallest real text (a page number,
 * one 8 pt digit at the OCR's DPI) has a few hundred; scanner noise above this merely costs an OCR pass.
 */
const MIN_INK_PIXELS = 50;

/** True when the raster has (almost) no dark pixels. Alpha below 50 % counts as paper (transparent = white). */
export function isBlank(raw: RawImage): boolean {
  const { data, channels } = raw;
  let ink = 0;
  for (let i = 0; i + channels - 1 < data.length; i += channels) {
    if (channels === 4 && (data[i + 3] ?? 255) < 128) continue;
    const y = 0.299 * (data[i] ?? 255) + 0.587 * (data[i + 1] ?? 255) + 0.114 * (data[i + 2] ?? 255);
    if (y < INK_LEVEL && ++ink >= MIN_INK_PIXELS) return false;
  }
  return true;
}
