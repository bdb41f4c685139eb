// Keeps every raster inside what Skia (and a browser) can allocate: at most 2^25 pixels and 32767 a side.
// A request above the cap is served at a lower scale and says so (RenderedPage.capped).
export const MAX_CANVAS_PIXELS = 2 ** 25;
export const MAX_CANVAS_SIDE = 32767;

/** The scale to use for a page of `width`×`height` units at `wanted` pixels per unit, and whether it was lowered. */
export function capScale(width: number, height: number, wanted: number): { scale: number; capped: boolean } {
  let scale = wanted;
  if (Math.floor(width * scale) > MAX_CANVAS_SIDE) scale = MAX_CANVAS_SIDE / width;
  if (Math.floor(height * scale) > MAX_CANVAS_SIDE) scale = MAX_CANVAS_SIDE / height;
  if (Math.floor(width * scale) * Math.floor(height * scale) > MAX_CANVAS_PIXELS) {
    scale = Math.sqrt(MAX_CANVAS_PIXELS / (width * height));
  }
  // Flooring can still land one pixel over on the area; step down until it fits.
  while (Math.floor(width * scale) * Math.floor(height * scale) > MAX_CANVAS_PIXELS) scale *= 0.9999;
  return { scale, capped: scale < wanted };
}

/** Pixel size of a raster of `width`×`height` units at `scale` (at least 1×1). */
export function rasterSize(width: number, height: number, scale: number): { width: number; height: number } {
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}
