// Fetches one tensor out of a hub checkpoint with HTTP Range requests (bytes 0-7: header length, the JSON header, the
// tensor's bytes) and writes it as a one-tensor .safetensors file: LLaVA-OneVision's 896-value `image_newline` is
// published only inside a 1.79 GB model.safetensors. Written by hand: no npm package reads safetensors over ranged
// HTTP, and this must go through HubClient (its redirect and token rules) and fail per file like downloadFile.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../shared/errors.js';
import { sleep, stallWatch } from './download.js';
import { causeMessage, httpError, HubError, type HubClient } from './hub-client.js';

/** What a manifest asks for: from `file`, the first of `names`, written into the install as `as`. */
export interface SliceSpec {
  file: string;
  names: string[];
  as: string;
  /** The tensor's shape, when the manifest pins it (a different one is refused). */
  shape?: number[];
}

/** safetensors' own limit on the header (the Rust reader refuses more). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;
/** A derived file is never larger than this: the slicer refuses more, and a size not yet known counts as this. */
export const SLICE_MAX_BYTES = 1_000_000;
/** Room left for the derived file's JSON header when a pinned shape bounds its size (see `sliceBound`). */
export const SLICE_HEADER_ALLOWANCE = 4096;

/** Bytes per value of the dtypes the LLaVA-OneVision loader reads (llava-onevision/safetensors.ts). */
const WIDTH: Readonly<Record<string, number>> = { F32: 4, F16: 2, BF16: 2 };

/**
 * The most bytes the derived file of `spec` can have, counted as its download size until a pull knows the real one:
 * with a pinned shape, that shape in F32 (the widest dtype accepted) plus a header allowance; else SLICE_MAX_BYTES.
 */
export function sliceBound(spec: Pick<SliceSpec, 'shape'>): number {
  if (!spec.shape) return SLICE_MAX_BYTES;
  const values = spec.shape.reduce((a, b) => a * b, 1);
  return Math.min(SLICE_MAX_BYTES, 8 + SLICE_HEADER_ALLOWANCE + values * 4);
}

const Entry = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  data_offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
});

export interface SliceOptions {
  hub: HubClient;
  /** The checkpoint's resolve URL (the hub redirects LFS files to its CDN; Range travels with every hop). */
  url: string;
  spec: SliceSpec;
  /** The commit the bytes are read at (written into the derived file's metadata). */
  revision: string;
  /** The checkpoint's size as the hub's tree lists it; a range answer about another size is refused. */
  sourceBytes: number | null;
  signal: AbortSignal;
  /** A range answer that sends nothing for this long is dropped and retried. */
  stallMs: number;
  /** Attempts in a row that fail before the slice fails (as downloadFile counts them). */
  retries: number;
  retryDelayMs: number;
  onRetry?(info: { attempt: number; of: number; delayMs: number; reason: string }): void;
}

export interface Slice {
  kind: 'slice';
  /** The derived one-tensor file. */
  bytes: Uint8Array;
  sha256: string;
  /** The tensor's name in the checkpoint (the derived file names it `spec.names[0]`). */
  tensor: string;
  dtype: string;
  shape: number[];
  /** The tensor's bytes in the checkpoint, inclusive (as in `Range: bytes=start-end`). */
  range: { start: number; end: number };
  /** The checkpoint's size as the range answers gave it. */
  sourceBytes: number;
  requests: number;
  /** Body bytes received over every request, retries included. */
  received: number;
}

/** The server answered a Range request with the whole file (200): the caller downloads the file instead. */
export interface NoRange {
  kind: 'no-range';
  status: number;
}

/** A one-tensor safetensors file: u64 header length, JSON header padded with spaces to 8 bytes, the data. */
export function oneTensorFile(
  name: string,
  dtype: string,
  shape: number[],
  data: Uint8Array,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  header[name] = { dtype, shape, data_offsets: [0, data.length] };
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + head.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(data, 8 + head.length);
  return out;
}

/** `bytes a-b/total` → its numbers. */
function contentRange(header: string | null): { start: number; end: number; total: number } | null {
  const m = header ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim()) : null;
  return m ? { start: Number(m[1]), end: Number(m[2]), total: Number(m[3]) } : null;
}

/**
 * Reads the tensor `spec` names from the checkpoint at `url` with three Range requests and returns the derived file;
 * `no-range` when the server ignores Range (its body is dropped after the headers, nothing of it is read).
 */
export async function fetchTensorSlice(o: SliceOptions): Promise<Slice | NoRange> {
  const { spec } = o;
  const file = spec.file;
  let requests = 0;
  let received = 0;
  /** The file's size as the first range answer gave it. */
  const seen: { total: number | null } = { total: null };

  /** Checks each answer's total against the first one's and the hub's listing. */
  const noteTotal = (t: number) => {
    if (o.sourceBytes !== null && t !== o.sourceBytes)
      throw new AppError(
        'corrupt',
        `${file}: the range answer says the file has ${t} bytes, the hub lists ${o.sourceBytes}`,
      );
    if (seen.total !== null && t !== seen.total)
      throw new AppError(
        'corrupt',
        `${file}: the range answers disagree on its size (${seen.total}, then ${t})`,
      );
    seen.total = t;
  };

  /** One range, retried as downloadFile retries (a truncated or stalled answer, 5xx, a dropped connection). */
  const range = async (start: number, end: number, what: string): Promise<Buffer | NoRange> => {
    let failures = 0;
    for (;;) {
      if (o.signal.aborted) throw o.signal.reason;
      requests++;
      try {
        const got = await rangeRequest(o, start, end, what, noteTotal);
        if (!Buffer.isBuffer(got)) return got;
        received += got.length;
        return got;
      } catch (e) {
        if (o.signal.aborted) throw o.signal.reason;
        if (e instanceof PartialError) received += e.got;
        const retryable = e instanceof HubError ? e.retryable : !(e instanceof AppError);
        if (!retryable) throw e;
        failures++;
        if (failures > o.retries)
          throw new AppError(
            'io_error',
            `${file}: ${what} (bytes=${start}-${end}): gave up after ${failures} failed attempts (${causeMessage(e)})`,
          );
        const delayMs = o.retryDelayMs * 2 ** Math.min(failures - 1, 6);
        o.onRetry?.({ attempt: failures, of: o.retries, delayMs, reason: `${what}: ${causeMessage(e)}` });
        await sleep(delayMs, o.signal);
      }
    }
  };

  const lenBytes = await range(0, 7, 'header length');
  if (!Buffer.isBuffer(lenBytes)) return lenBytes;
  const headerLen = Number(lenBytes.readBigUInt64LE(0));
  const size = seen.total ?? 0;
  if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || 8 + headerLen > size)
    throw new AppError(
      'corrupt',
      `${file} is not a safetensors file (header length ${headerLen} in a file of ${size} bytes)`,
    );

  const headerBytes = await range(8, 8 + headerLen - 1, 'header');
  if (!Buffer.isBuffer(headerBytes)) return headerBytes;
  let header: unknown;
  try {
    header = JSON.parse(headerBytes.toString('utf8'));
  } catch {
    throw new AppError('corrupt', `${file}: the safetensors header is not valid JSON`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new AppError('corrupt', `${file}: the safetensors header is not an object`);
  const table = header as Record<string, unknown>;
  const tensor = spec.names.find((n) => n in table && n !== '__metadata__');
  if (!tensor) {
    const count = Object.keys(table).filter((k) => k !== '__metadata__').length;
    throw new AppError(
      'not_found',
      `${file} has no tensor ${spec.names.join(' or ')} (${count} tensors in its header)`,
    );
  }
  const parsed = Entry.safeParse(table[tensor]);
  if (!parsed.success)
    throw new AppError(
      'corrupt',
      `${file}: the header entry of ${tensor} is not {dtype, shape, data_offsets}`,
    );
  const { dtype, shape, data_offsets: offsets } = parsed.data;
  const width = WIDTH[dtype];
  if (!width)
    throw new AppError('corrupt', `${file}: tensor ${tensor} is ${dtype}; F32, F16 or BF16 expected`);
  if (spec.shape && (shape.length !== spec.shape.length || shape.some((d, i) => d !== spec.shape?.[i])))
    throw new AppError(
      'corrupt',
      `${file}: tensor ${tensor} has shape [${shape.join(', ')}], expected [${spec.shape.join(', ')}]`,
    );
  const length = offsets[1] - offsets[0];
  const values = shape.reduce((a, b) => a * b, 1);
  if (length !== values * width)
    throw new AppError(
      'corrupt',
      `${file}: tensor ${tensor} has ${length} bytes for ${dtype} shape [${shape.join(', ')}]`,
    );
  const start = 8 + headerLen + offsets[0];
  const end = 8 + headerLen + offsets[1] - 1;
  if (end >= size)
    throw new AppError(
      'corrupt',
      `${file}: tensor ${tensor} ends at byte ${end + 1}, past the file's ${size}`,
    );
  const bound = sliceBound(spec);
  if (length + 8 > bound)
    throw new AppError(
      'too_large',
      `${file}: tensor ${tensor} is ${length} bytes; a slice is at most ${bound} bytes (download the whole file instead)`,
    );

  const data = length === 0 ? Buffer.alloc(0) : await range(start, end, `tensor ${tensor}`);
  if (!Buffer.isBuffer(data)) return data;
  const out = oneTensorFile(spec.names[0] ?? tensor, dtype, shape, data, {
    source: file,
    tensor,
    revision: o.revision,
    range: `bytes=${start}-${end}`,
  });
  if (out.length > bound)
    throw new AppError(
      'too_large',
      `${spec.as}: ${out.length} bytes, more than the ${bound} a slice may have`,
    );
  return {
    kind: 'slice',
    bytes: out,
    sha256: createHash('sha256').update(out).digest('hex'),
    tensor,
    dtype,
    shape,
    range: { start, end },
    sourceBytes: size,
    requests,
    received,
  };
}

/** An answer that ended early: how much of it came (counted as received). */
class PartialError extends HubError {
  readonly got: number;
  constructor(message: string, got: number) {
    super('io_error', message, 206, true);
    this.got = got;
  }
}

/** One GET with `Range: bytes=a-b`: the exact bytes, or `no-range` on a 200 (its body is dropped unread). */
async function rangeRequest(
  o: SliceOptions,
  a: number,
  b: number,
  what: string,
  noteTotal: (total: number) => void,
): Promise<Buffer | NoRange> {
  const file = o.spec.file;
  const stall = stallWatch(o.signal, o.stallMs);
  const { signal, arm } = stall;
  try {
    const res = await o.hub.request(o.url, { headers: { range: `bytes=${a}-${b}` }, signal });
    if (res.status === 200) {
      // The whole file is coming (1.79 GB for LLaVA-OneVision): drop it after the headers.
      res.cancel();
      return { kind: 'no-range', status: 200 };
    }
    if (res.status === 416) {
      res.cancel();
      throw new AppError(
        'corrupt',
        `${file}: the hub refused bytes=${a}-${b} (${what}) with 416 Range Not Satisfiable (${res.header('content-range') ?? 'no size given'})`,
      );
    }
    if (res.status !== 206) {
      res.cancel();
      throw httpError(res.status, o.url, file);
    }
    const cr = contentRange(res.header('content-range'));
    if (!cr || cr.start !== a || cr.end !== b) {
      res.cancel();
      throw new AppError(
        'corrupt',
        `${file}: asked for bytes=${a}-${b} (${what}), the hub answered ${res.header('content-range') ?? 'without a Content-Range'}`,
      );
    }
    noteTotal(cr.total);
    const want = b - a + 1;
    const out = Buffer.alloc(want);
    let got = 0;
    try {
      for await (const chunk of res.body) {
        const bytes = chunk as Buffer;
        arm();
        if (got + bytes.length > want)
          throw new AppError(
            'corrupt',
            `${file}: the hub sent more than the ${want} bytes of bytes=${a}-${b}`,
          );
        bytes.copy(out, got);
        got += bytes.length;
      }
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new PartialError(`truncated: ${got} of ${want} bytes (${causeMessage(e)})`, got);
    } finally {
      res.cancel();
    }
    if (got < want) throw new PartialError(`truncated: ${got} of ${want} bytes`, got);
    return out;
  } catch (e) {
    throw stall.reason(e);
  } finally {
    stall.stop();
  }
}
