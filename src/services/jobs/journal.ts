// A job's journal: JSON lines appended and fsync'd one at a time. A line cut short by a crash (kill -9 mid-write)
// is dropped when the journal is read, and the file is cut back to its last whole line before the next append.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, rename, truncate } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { AppError } from '../../shared/errors.js';
import type { ShardInfo } from './shard.js';
import type { ExportFormat, ExtractKind, FileStatus, JobState } from '../../shared/domain.js';

export interface HeaderLine {
  t: 'job';
  v: 1;
  jobId: string;
  createdAt: string;
  inputs: string[];
  kinds: ExtractKind[];
  formats: ExportFormat[];
  outDir: string;
  optionsKey: string;
  files: string[];
  skipped: { path: string; reason: string }[];
  /** Set when the job is one shard of a larger job (shard.ts). */
  shard?: ShardInfo;
}
export interface FileLine {
  t: 'file';
  i: number;
  file: string;
  key: string;
  status: FileStatus;
  pages: number;
  dates: number;
  tables: number;
  error: string | null;
}
export interface StateLine {
  t: 'state';
  state: JobState;
  message: string | null;
  at: string;
}
export interface OutputsLine {
  t: 'outputs';
  outputs: string[];
}
export type JournalLine = HeaderLine | FileLine | StateLine | OutputsLine;

export async function appendLine(path: string, line: JournalLine): Promise<void> {
  const fh = await open(path, 'a');
  try {
    await fh.write(`${JSON.stringify(line)}\n`);
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

/** The whole lines of a journal; a torn last line is removed from the file. */
export async function readJournal(path: string): Promise<JournalLine[]> {
  const buf = await readFile(path);
  const lines: JournalLine[] = [];
  let good = 0;
  for (let start = 0; start < buf.length;) {
    const nl = buf.indexOf(0x0a, start);
    if (nl < 0) break; // no newline: the write was cut short
    const raw = buf.subarray(start, nl).toString('utf8');
    if (raw.trim()) {
      try {
        lines.push(JSON.parse(raw) as JournalLine);
      } catch {
        break;
      }
    }
    start = good = nl + 1;
  }
  if (good < buf.length) await truncate(path, good);
  return lines;
}

/** Writes bytes to `path` through a temporary name in the same folder, fsync'd, then renamed over it. */
export async function writeAtomic(path: string, bytes: Uint8Array | string, tmpName?: string): Promise<void> {
  const tmp = tmpName ?? `${dirname(path)}/.${path.slice(dirname(path).length + 1)}.partial`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

/**
 * sha256 of a regular file, read within `deadlineMs`. The descriptor is opened non-blocking and checked with fstat
 * first: a FIFO, socket or device is refused at once (io_error) instead of holding a libuv thread forever.
 */
export async function sha256Regular(path: string, deadlineMs: number): Promise<string> {
  const name = basename(path);
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new AppError(
      'io_error',
      `"${name}": cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), deadlineMs);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new AppError('io_error', `"${name}": not a regular file`);
    const h = createHash('sha256');
    for await (const chunk of fh.createReadStream({ autoClose: false, signal: stop.signal }))
      h.update(chunk as Buffer);
    return h.digest('hex');
  } catch (e) {
    if (stop.signal.aborted)
      throw new AppError(
        'timeout',
        `"${name}": reading the file took over ${Math.round(deadlineMs / 1000)} s`,
      );
    throw e;
  } finally {
    clearTimeout(timer);
    await fh.close().catch(() => undefined);
  }
}
