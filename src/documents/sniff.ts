// Decides what a file is from its first bytes, never from its extension: a PNG named `.pdf` is a PNG, an HTML
// error page saved as `.pdf` is HTML, and random bytes are nothing we can open.

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'tiff' | 'gif';

export type Sniffed =
  | { kind: 'pdf'; mime: 'application/pdf' }
  | { kind: 'image'; format: ImageFormat; mime: string }
  | { kind: 'unsupported'; what: string };

const MIME: Record<ImageFormat, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  tiff: 'image/tiff',
  gif: 'image/gif',
};

function startsWith(b: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  return sig.every((v, i) => b[at + i] === v);
}

function ascii(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < Math.min(to, b.length); i++) s += String.fromCharCode(b[i] ?? 0);
  return s;
}

/** How many leading bytes `sniff` looks at (PDF readers accept the header anywhere in the first 1 KiB). */
export const SNIFF_BYTES = 1024;

export function sniff(head: Uint8Array): Sniffed {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return image('png');
  if (startsWith(head, [0xff, 0xd8, 0xff])) return image('jpeg');
  if (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a') return image('gif');
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return image('webp');
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a]))
    return image('tiff');
  const text = ascii(head, 0, SNIFF_BYTES);
  // NOTE: like Acrobat and pdf.js we accept junk before the header, but only within the first KiB.
  if (text.includes('%PDF-')) return { kind: 'pdf', mime: 'application/pdf' };
  const lead = text
    .replace(/^\uFEFF|^[\u00EF\u00BB\u00BF]+/, '')
    .trimStart()
    .toLowerCase();
  if (
    lead.startsWith('<!doctype html') ||
    lead.startsWith('<html') ||
    lead.startsWith('<head') ||
    lead.startsWith('<body')
  ) {
    return { kind: 'unsupported', what: 'an HTML page' };
  }
  if (lead.startsWith('<?xml') || lead.startsWith('<svg'))
    return { kind: 'unsupported', what: 'an XML/SVG file' };
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]))
    return { kind: 'unsupported', what: 'a ZIP archive (or Office file)' };
  return { kind: 'unsupported', what: 'not a PDF or a supported image (PNG, JPEG, WebP, TIFF, GIF)' };
}

function image(format: ImageFormat): Sniffed {
  return { kind: 'image', format, mime: MIME[format] };
}

/** The format an extension claims, to warn when the bytes say otherwise. */
export function extensionFormat(fileName: string): 'pdf' | ImageFormat | null {
  const ext = fileName.toLowerCase().split('.').pop() ?? '';
  switch (ext) {
    case 'pdf':
      return 'pdf';
    case 'png':
      return 'png';
    case 'jpg':
    case 'jpeg':
      return 'jpeg';
    case 'webp':
      return 'webp';
    case 'tif':
    case 'tiff':
      return 'tiff';
    case 'gif':
      return 'gif';
    default:
      return null;
  }
}
