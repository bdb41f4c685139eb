// Whether an opened image looks like a document (a scan, a chart, a screenshot of a page) or a photograph /
// picture, so Ask suggests questions that fit it (no "What type of chart is this?" for a photo of a street).
// Pages, charts and forms are mostly neutral light paper; pictures are not. One cheap look at a 64×64
// downscale, no model: a wrong guess only changes which suggestions are offered.

export type ImageKind = 'document' | 'picture';

/** Share of neutral light ("paper") pixels from which an image counts as a document. */
export const PAPER_SHARE = 0.4;

/** Classifies RGBA pixels: the share of near-white, unsaturated pixels decides. */
export function classifyPixels(rgba: Uint8ClampedArray): ImageKind {
  let paper = 0;
  let n = 0;
  for (let i = 0; i + 3 < rgba.length; i += 4) {
    const r = rgba[i] ?? 0;
    const g = rgba[i + 1] ?? 0;
    const b = rgba[i + 2] ?? 0;
    if ((rgba[i + 3] ?? 255) < 16) continue;
    n++;
    const lo = Math.min(r, g, b);
    if (lo >= 215 && Math.max(r, g, b) - lo <= 24) paper++;
  }
  return n > 0 && paper / n >= PAPER_SHARE ? 'document' : 'picture';
}

const kinds = new Map<string, Promise<ImageKind>>();

/** The kind of the image at `url` (an object URL of the document's bytes), cached per document. */
export function imageKindOf(docId: string, url: string): Promise<ImageKind> {
  let p = kinds.get(docId);
  if (!p) {
    p = (async () => {
      const img = new Image();
      img.src = url;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = 64;
      canvas.height = 64;
      const g = canvas.getContext('2d', { willReadFrequently: true });
      if (!g) return 'picture' as const;
      g.drawImage(img, 0, 0, 64, 64);
      return classifyPixels(g.getImageData(0, 0, 64, 64).data);
    })();
    kinds.set(docId, p);
    p.catch(() => kinds.delete(docId));
  }
  return p;
}
