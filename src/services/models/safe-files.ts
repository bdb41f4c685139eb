// File access for the model store that a hostile folder cannot turn against the user: only regular files are read
// or installed (a symlink to /etc/shadow or a FIFO is refused by name, never followed, never waited on), errors never
// quote file contents, and installed files are hash-checked at load with the result cached by inode and times.
import { createHash } from 'node:crypto';
import { constants, createWriteStream, type Stats } from 'node:fs';
import { link, lstat, open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../shared/errors.js';

/** What a directory entry is, in words, when it is not a regular file. */
export function kindOf(s: Stats): string {
  if (s.isSymbolicLink()) return 'a symbolic link';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  if (s.isDirectory()) return 'a folder';
  return 'not a regular file';
}

/**
 * Opens `path` for reading only if it is a regular file: O_NOFOLLOW refuses a symlink in the last component,
 * O_NONBLOCK keeps a FIFO from blocking the open, and fstat checks what was actually opened.
 */
export async function openRegular(path: string, name: string): Promise<{ fh: FileHandle; stats: Stats }> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK')
      throw new AppError('invalid_input', `${name} is a symbolic link; only regular files are accepted`);
    if (code === 'ENOENT') throw new AppError('not_found', `${name} is missing`);
    if (code === 'ENXIO')
      throw new AppError('invalid_input', `${name} is a socket; only regular files are accepted`);
    throw new AppError('io_error', `${name} cannot be opened (${code ?? (e as Error).message})`);
  }
  const stats = await fh.stat();
  if (!stats.isFile()) {
    await fh.close();
    throw new AppError('invalid_input', `${name} is ${kindOf(stats)}; only regular files are accepted`);
  }
  return { fh, stats };
}

/** Reads a small regular file (JSON, tokenizer) without following links. */
export async function readRegular(path: string, name: string): Promise<string> {
  const { fh } = await openRegular(path, name);
  try {
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

/** Why JSON text did not parse, without the excerpt of the file V8 puts in its message. */
export function jsonProblem(e: unknown): string {
  const message = e instanceof Error ? e.message : '';
  const at = /position (\d+)/.exec(message);
  if (/Unexpected end/.test(message)) return 'it ends too early';
  return at ? `syntax error at byte ${at[1]}` : 'syntax error';
}

async function hashHandle(fh: FileHandle): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fh.createReadStream({ start: 0, autoClose: false })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Installs the regular file `from` at `to` — a hard link when both are on one disk (checked afterwards to be the
 * very inode that was opened, so a file swapped for a link in between is not installed), else a copy made from
 * the opened descriptor — and returns its size and sha256 read from that same descriptor.
 */
export async function installRegular(
  from: string,
  to: string,
  name: string,
  beforeCopy: (bytes: number) => Promise<void>,
): Promise<{ bytes: number; sha256: string }> {
  const { fh, stats } = await openRegular(from, name);
  try {
    let linked = false;
    try {
      await link(from, to);
      const got = await lstat(to);
      linked = got.isFile() && got.ino === stats.ino && got.dev === stats.dev;
      if (!linked) await rm(to, { force: true });
    } catch {
      linked = false;
    }
    if (!linked) {
      await beforeCopy(stats.size);
      await pipeline(
        fh.createReadStream({ start: 0, autoClose: false }),
        createWriteStream(to, { flags: 'wx' }),
      );
    }
    return { bytes: stats.size, sha256: await hashHandle(fh) };
  } finally {
    await fh.close();
  }
}

export interface CheckedFile {
  path: string;
  bytes: number;
  sha256: string;
}

/** The identity a file's last good hash is kept under: a write changes mtime or at least ctime (which no API sets). */
function identity(s: Stats): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}

const CheckCache = new Map<string, string>();

/**
 * Checks installed files against their record before a load: each must be a regular file (no symlink swapped in)
 * of the recorded size whose sha256 matches. A file whose identity (device, inode, size, mtime, ctime) matches the
 * last passing check is not hashed again — kept in memory and in `cacheFile`, so the CLI's loads stay fast too.
 * Returns how many files were hashed.
 */
export async function checkInstalledFiles(
  dir: string,
  modelId: string,
  files: CheckedFile[],
  cacheFile: string,
): Promise<{ hashed: number }> {
  let onDisk: Record<string, string> = {};
  try {
    const parsed = JSON.parse(await readFile(cacheFile, 'utf8')) as unknown;
    if (parsed && typeof parsed === 'object') onDisk = parsed as Record<string, string>;
  } catch {
    // no cache yet (or an unreadable one): everything is hashed
  }
  const fresh: Record<string, string> = {};
  let hashed = 0;
  const fail = (what: string) =>
    new AppError('corrupt', `${modelId}: ${what}; run Verify or reinstall the model`);
  for (const f of files) {
    const path = join(dir, ...f.path.split('/'));
    let opened: Awaited<ReturnType<typeof openRegular>>;
    try {
      opened = await openRegular(path, f.path);
    } catch (e) {
      if (e instanceof AppError && e.code === 'not_found') throw fail(`${f.path} is missing from ${dir}`);
      throw fail(e instanceof Error ? e.message : String(e));
    }
    const { fh, stats } = opened;
    try {
      if (stats.size !== f.bytes)
        throw fail(
          `${f.path} is ${stats.size} bytes, the install recorded ${f.bytes} (${stats.size < f.bytes ? 'truncated' : 'changed'})`,
        );
      const id = `${identity(stats)}:${f.sha256}`;
      const key = `${path}`;
      if (CheckCache.get(key) === id || onDisk[f.path] === id) {
        fresh[f.path] = id;
        continue;
      }
      hashed++;
      const sha = await hashHandle(fh);
      if (sha !== f.sha256)
        throw fail(`${f.path} does not match its recorded sha256 (same size, different content)`);
      CheckCache.set(key, id);
      fresh[f.path] = id;
    } finally {
      await fh.close();
    }
  }
  if (hashed > 0) await writeFile(cacheFile, `${JSON.stringify(fresh)}\n`).catch(() => undefined); // a read-only store still loads
  return { hashed };
}
