// Binary-safe framing for the HTTP transport: JSON with every Uint8Array lifted out into raw byte blobs, so
// page images and documents never travel as base64 (DESIGN.md "One contract"). Electron IPC and
// child-process IPC use structured clone and need none of this.

const MAGIC = 0x444c5731; // "DLW1"
export const WIRE_MIME = 'application/x-doclens-wire';

interface BlobRef {
  $bin: number;
}

function isBlobRef(v: unknown): v is BlobRef {
  return (
    typeof v === 'object' &&
    v !== null &&
    Object.keys(v).length === 1 &&
    typeof (v as BlobRef).$bin === 'number'
  );
}

/** Encodes any JSON-like value that may contain Uint8Arrays. */
export function encodeWire(value: unknown): Uint8Array {
  const blobs: Uint8Array[] = [];
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) {
      blobs.push(v);
      return { $bin: blobs.length - 1 };
    }
    return v;
  });
  const head = new TextEncoder().encode(json ?? 'null');
  // Layout: magic u32 | json length u32 | blob count u32 | blob lengths u32[] | json | blobs.
  const total = 12 + 4 * blobs.length + head.length + blobs.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC);
  view.setUint32(4, head.length);
  view.setUint32(8, blobs.length);
  let off = 12;
  for (const b of blobs) {
    view.setUint32(off, b.length);
    off += 4;
  }
  out.set(head, off);
  off += head.length;
  for (const b of blobs) {
    out.set(b, off);
    off += b.length;
  }
  return out;
}

/** Decodes what encodeWire produced; throws on a malformed frame. */
export function decodeWire(bytes: Uint8Array): unknown {
  if (bytes.length < 12) throw new Error('wire frame too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== MAGIC) throw new Error('not a DocLens wire frame');
  const headLen = view.getUint32(4);
  const count = bytes.length >= 12 ? view.getUint32(8) : 0;
  let off = 12;
  const lengths: number[] = [];
  let blobTotal = 0;
  for (let i = 0; i < count; i++) {
    if (off + 4 > bytes.length) throw new Error('wire frame truncated');
    const len = view.getUint32(off);
    lengths.push(len);
    blobTotal += len;
    off += 4;
  }
  if (off + headLen + blobTotal !== bytes.length) throw new Error('wire frame lengths do not add up');
  const json = new TextDecoder().decode(bytes.subarray(off, off + headLen));
  let p = off + headLen;
  const blobs = lengths.map((len) => {
    const b = bytes.slice(p, p + len);
    p += len;
    return b;
  });
  return JSON.parse(json, (_key, v: unknown) => {
    if (isBlobRef(v)) {
      const b = blobs[v.$bin];
      if (!b) throw new Error('wire frame references a missing blob');
      return b;
    }
    return v;
  }) as unknown;
}
