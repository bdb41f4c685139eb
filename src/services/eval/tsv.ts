// Reads the tab-separated files VLMEvalKit publishes its benchmarks in (MME, MMBench, SEED-Bench): pandas'
// `to_csv(sep='\t')` output, where a field holding a tab, newline or quote is quoted and its quotes doubled.
// Streamed as bytes, because those files carry every image as base64 (SEED-Bench's is over a gigabyte, past what
// one JS string holds): columns named raw are not decoded, only located (byte offset and length) for a later read.
// Written by hand: the format is a dozen rules, and the CSV packages in node_modules are only transitive deps.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

export interface TsvSpan {
  offset: number;
  length: number;
}

export interface TsvRow {
  /** The line the row starts on (1-based; the header is line 1). */
  line: number;
  /** Column → text. A raw column's text is kept only when it is short (≤ 64 bytes, e.g. a row reference). */
  cells: Record<string, string>;
  /** Raw columns → where their bytes are in the file. */
  spans: Record<string, TsvSpan>;
  /** Fields the row has; differs from the header's count in a broken row. */
  width: number;
}

export interface TsvTable {
  header: string[];
  rows: TsvRow[];
}

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const SHORT = 64;

class TsvParser {
  header: string[] | null = null;
  readonly rows: TsvRow[] = [];
  private raw = new Set<number>();
  private fields: string[] = [];
  private spans = new Map<number, TsvSpan>();
  private bytes: number[] = [];
  private fieldStart = -1;
  private fieldLen = 0;
  private quoted = false;
  private quoteSeen = false;
  private crSeen = false;
  private atStart = true;
  private line = 1;
  private startLine = 1;

  constructor(private readonly rawColumns: readonly string[]) {}

  push(chunk: Uint8Array, base: number): void {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.crSeen) {
        this.crSeen = false;
        if (c === LF) continue;
      }
      if (this.quoteSeen) {
        this.quoteSeen = false;
        if (c === QUOTE) {
          this.addByte(c, base + i);
          continue;
        }
        this.quoted = false;
      }
      if (this.quoted) {
        if (c === QUOTE) this.quoteSeen = true;
        else {
          if (c === LF) this.line++;
          this.addByte(c, base + i);
        }
        continue;
      }
      if (c === QUOTE && this.atStart) {
        this.quoted = true;
        this.atStart = false;
      } else if (c === TAB) this.endField(base + i);
      else if (c === LF || c === CR) {
        this.endField(base + i);
        this.endRecord();
        this.crSeen = c === CR;
        this.line++;
        this.startLine = this.line;
      } else if (this.raw.has(this.fields.length) && this.header) {
        // Fast path through a long unquoted raw field (base64): jump to the next delimiter.
        let j = chunk.length;
        for (const d of [TAB, LF, CR]) {
          const k = chunk.indexOf(d, i);
          if (k !== -1 && k < j) j = k;
        }
        if (this.fieldStart < 0) this.fieldStart = base + i;
        this.atStart = false;
        for (let k = i; k < j && this.bytes.length <= SHORT; k++) this.bytes.push(chunk[k]!);
        this.fieldLen += j - i;
        i = j - 1;
      } else this.addByte(c, base + i);
    }
  }

  end(offset: number): void {
    if (!this.atStart || this.fields.length) {
      this.endField(offset);
      this.endRecord();
    }
  }

  private addByte(c: number, pos: number): void {
    if (this.fieldStart < 0) this.fieldStart = pos;
    this.atStart = false;
    this.fieldLen++;
    if (!(this.header && this.raw.has(this.fields.length)) || this.bytes.length <= SHORT) this.bytes.push(c);
  }

  private endField(pos: number): void {
    const col = this.fields.length;
    const isRaw = this.header !== null && this.raw.has(col);
    this.fields.push(isRaw && this.fieldLen > SHORT ? '' : Buffer.from(this.bytes).toString('utf8'));
    if (isRaw)
      this.spans.set(col, { offset: this.fieldStart < 0 ? pos : this.fieldStart, length: this.fieldLen });
    this.bytes = [];
    this.fieldStart = -1;
    this.fieldLen = 0;
    this.atStart = true;
    this.quoted = false;
  }

  private endRecord(): void {
    const fields = this.fields;
    const spans = this.spans;
    this.fields = [];
    this.spans = new Map();
    if (fields.length === 1 && fields[0] === '') return;
    if (!this.header) {
      this.header = fields;
      this.rawColumns.forEach((name) => {
        const k = fields.indexOf(name);
        if (k >= 0) this.raw.add(k);
      });
      return;
    }
    const cells: Record<string, string> = {};
    const rowSpans: Record<string, TsvSpan> = {};
    this.header.forEach((h, k) => {
      cells[h] = fields[k] ?? '';
      const s = spans.get(k);
      if (s) rowSpans[h] = s;
    });
    this.rows.push({ line: this.startLine, cells, spans: rowSpans, width: fields.length });
  }
}

/** Parses TSV text held in memory (all columns decoded). */
export function parseTsv(text: string): TsvTable {
  const p = new TsvParser([]);
  const bytes = Buffer.from(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, 'utf8');
  p.push(bytes, 0);
  p.end(bytes.length);
  return { header: p.header ?? [], rows: p.rows };
}

/** Streams a TSV file; `rawColumns` (e.g. base64 images) are located rather than decoded. */
export async function readTsv(
  file: string,
  rawColumns: readonly string[] = [],
  chunkSize = 1 << 20,
): Promise<TsvTable> {
  const p = new TsvParser(rawColumns);
  const head = Buffer.alloc(3);
  const fd = await open(file, 'r');
  try {
    await fd.read(head, 0, 3, 0);
  } finally {
    await fd.close();
  }
  let offset = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  const stream = createReadStream(file, { highWaterMark: chunkSize, start: offset });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    p.push(chunk, offset);
    offset += chunk.length;
  }
  p.end(offset);
  return { header: p.header ?? [], rows: p.rows };
}
