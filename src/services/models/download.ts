// Downloads one file to disk so that any interruption (dropped connection, stall, pause, app restart) continues
// with an HTTP Range request from the bytes already on disk, and the finished file is checked against the hub's
// sha256 (LFS oid) or git blob id before anyone may use it.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, stat, truncate } from 'node:fs/promises';
import { AppError } from '../../shared/errors.js';
import { causeMessage, httpError, HubError, type HubClient } from './hub-client.js';

export interface Expected {
  bytes: number;
  /** LFS oid (sha256 of the content), when the hub stores the file in LFS or the manifest pins it. */
  sha256: string | null;
  /** Git blob id (sha1 of "blob <size>\0" + content), for files kept in git itself. */
  gitOid: string | null;
}

export interface DownloadOptions {
  hub: HubClient;
  url: string;
  /** Where the bytes go while incomplete; the caller renames it once this resolves. */
  dest: string;
  expected: Expected;
  /** Pause or cancel: the bytes on disk are kept (the caller deletes them on cancel). */
  signal: AbortSignal;
  /** Called with each chunk's length once it is on disk (and when existing bytes are counted on resume). */
  onBytes(n: number): void;
  /** When given, the bytes already on disk at a resume are reported here instead (they were not just received). */
  onResumed?(n: number): void;
  /** A response that sends nothing for this long is dropped and retried with Range. */
  stallMs: number;
  /** Attempts in a row without progress before giving up. */
  retries: number;
  retryDelayMs: number;
  /** Called before each retry with why the last attempt failed (for a status line such as "retrying in 2 s"). */
  onRetry?(info: { attempt: number; of: number; delayMs: number; reason: string }): void;
}

export interface Downloaded {
  sha256: string;
  bytes: number;
  /** How many requests it took (1 = no retry). */
  requests: number;
  /** Bytes that were already on disk when this call started. */
  resumedFrom: number;
}

class Hashes {
  sha256: Hash = createHash('sha256');
  sha1: Hash;
  constructor(size: number) {
    this.sha1 = createHash('sha1').update(`blob ${size}\0`);
  }
  update(chunk: Uint8Array): void {
    this.sha256.update(chunk);
    this.sha1.update(chunk);
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function hashPrefix(path: string, bytes: number, hashes: Hashes): Promise<void> {
  if (bytes === 0) return;
  const stream = createReadStream(path, { start: 0, end: bytes - 1 });
  for await (const chunk of stream) hashes.update(chunk as Buffer);
}

/** Waits `ms`, or less when `signal` aborts (a retry's back-off that a pause or cancel cuts short). */
export const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** Parses `bytes start-end/total`. */
function contentRangeStart(header: string | null): number | null {
  const m = header ? /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(header.trim()) : null;
  return m?.[1] ? Number(m[1]) : null;
}

export async function downloadFile(o: DownloadOptions): Promise<Downloaded> {
  const { expected, dest, signal } = o;
  let onDisk = await sizeOf(dest);
  if (onDisk > expected.bytes) {
    await rm(dest, { force: true });
    onDisk = 0;
  }
  // `have` counts bytes both on disk and in `hashes`; after a failed write the file is cut back to it.
  const state: State = { have: onDisk, hashes: new Hashes(expected.bytes) };
  await hashPrefix(dest, state.have, state.hashes);
  const resumedFrom = state.have;
  if (state.have > 0) (o.onResumed ?? o.onBytes)(state.have);

  let requests = 0;
  let failures = 0;
  while (state.have < expected.bytes) {
    if (signal.aborted) throw signal.reason;
    requests++;
    const before = state.have;
    try {
      await oneRequest(o, state);
      if (state.have < expected.bytes)
        throw new HubError(
          'io_error',
          `connection closed after ${state.have} of ${expected.bytes} bytes`,
          null,
          true,
        );
    } catch (e) {
      if ((await sizeOf(dest)) !== state.have) await truncate(dest, state.have).catch(() => undefined);
      if (signal.aborted) throw signal.reason;
      const retryable = e instanceof HubError ? e.retryable : !(e instanceof AppError);
      if (!retryable) throw e;
      failures = state.have > before ? 1 : failures + 1;
      if (failures > o.retries)
        throw new AppError(
          'io_error',
          `${o.url}: gave up after ${failures} failed attempts (${causeMessage(e)})`,
        );
      const delayMs = o.retryDelayMs * 2 ** Math.min(failures - 1, 6);
      o.onRetry?.({ attempt: failures, of: o.retries, delayMs, reason: causeMessage(e) });
      await sleep(delayMs, signal);
    }
  }
  if (expected.bytes === 0) await (await open(dest, 'a')).close();

  const sha256 = state.hashes.sha256.digest('hex');
  const sha1 = state.hashes.sha1.digest('hex');
  if (expected.sha256 && sha256 !== expected.sha256) {
    await rm(dest, { force: true });
    throw new AppError(
      'corrupt',
      `sha256 mismatch for ${o.url}: expected ${expected.sha256}, got ${sha256}; the file was discarded`,
    );
  }
  if (!expected.sha256 && expected.gitOid && sha1 !== expected.gitOid) {
    await rm(dest, { force: true });
    throw new AppError(
      'corrupt',
      `git blob id mismatch for ${o.url}: expected ${expected.gitOid}, got ${sha1}; the file was discarded`,
    );
  }
  return { sha256, bytes: state.have, requests, resumedFrom };
}

interface State {
  have: number;
  hashes: Hashes;
}

/** Throws the bytes on disk away and starts the hash over. */
async function restart(o: DownloadOptions, state: State): Promise<void> {
  o.onBytes(-state.have);
  await rm(o.dest, { force: true });
  state.have = 0;
  state.hashes = new Hashes(o.expected.bytes);
}

/**
 * A request's stall watchdog: `signal` aborts when `outer` does or when `ms` pass without `arm()` (called on each
 * chunk); `reason(e)` is the stall's retryable HubError when the watchdog fired, else `e`. `stop()` when done.
 */
export function stallWatch(
  outer: AbortSignal,
  ms: number,
): { signal: AbortSignal; arm: () => void; stop: () => void; reason: (e: unknown) => unknown } {
  const stall = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(new HubError('io_error', `no data for ${ms} ms`, null, true)), ms);
  };
  arm();
  return {
    signal: AbortSignal.any([outer, stall.signal]),
    arm,
    stop: () => clearTimeout(timer),
    reason: (e): unknown => (stall.signal.aborted && !outer.aborted ? (stall.signal.reason as unknown) : e),
  };
}

/** One GET (with Range when bytes are on disk) appending what arrives to the file and the hashes. */
async function oneRequest(o: DownloadOptions, state: State): Promise<void> {
  const stall = stallWatch(o.signal, o.stallMs);
  const { signal, arm } = stall;
  try {
    const start = state.have;
    const res = await o.hub.request(o.url, {
      headers: start > 0 ? { range: `bytes=${start}-` } : {},
      signal,
    });
    if (res.status === 416) {
      res.cancel();
      await restart(o, state);
      throw new HubError('io_error', `range ${start}- refused (416); starting over`, 416, true);
    }
    if (!res.ok) {
      res.cancel();
      throw httpError(res.status, o.url, o.url.split('/').slice(-1)[0] ?? o.url);
    }
    if (res.status === 206) {
      if (contentRangeStart(res.header('content-range')) !== start) {
        res.cancel();
        await restart(o, state);
        throw new HubError(
          'io_error',
          `the server answered a different range than bytes=${start}-`,
          206,
          true,
        );
      }
    } else if (start > 0) {
      // 200 to a Range request: the server sends the whole file, so start over from byte 0.
      await restart(o, state);
    }
    const file = await open(o.dest, 'a').catch((e: unknown) => {
      res.cancel();
      throw e;
    });
    try {
      // A dropped connection ends this loop with a stream error (ECONNRESET / "aborted"), retried by the caller.
      for await (const chunk of res.body) {
        const bytes = chunk as Buffer;
        arm();
        if (state.have + bytes.length > o.expected.bytes)
          throw new AppError(
            'corrupt',
            `${o.url}: the server sent more than the ${o.expected.bytes} bytes listed`,
          );
        await file.write(bytes);
        state.hashes.update(bytes);
        state.have += bytes.length;
        o.onBytes(bytes.length);
      }
    } finally {
      res.cancel();
      await file.close().catch(() => undefined);
    }
  } catch (e) {
    throw stall.reason(e);
  } finally {
    stall.stop();
  }
}
