// Deterministic shards of a batch job (issue #16): every machine running shard I of N over the same inputs takes
// the same documents, chosen by a hash of each document's path relative to the job root, so N machines (a
// Kubernetes Indexed Job) split an archive with no coordinator, and their outputs merge (merge.ts) in input order.
import { createHash } from 'node:crypto';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { AppError } from '../../shared/errors.js';
import { writeAtomic, type FileLine, type HeaderLine } from './journal.js';

/** Which part of the job one run does, and where its documents sit in the whole job's input order. */
export interface ShardInfo {
  index: number;
  count: number;
  /** The folder paths are hashed relative to (the common folder of the inputs). */
  root: string;
  /** Documents in the whole job (all shards). */
  total: number;
  /** sha256 of the whole job's document list: shards that saw different archives do not merge. */
  listKey: string;
  /** For each of this shard's documents, its position in the whole job's input order. */
  positions: number[];
}

/** Name of the manifest a shard writes beside its outputs: what `extract merge` reads. */
export const SHARD_MANIFEST = 'shard.jsonl';

/** "I/N" → { index, count }, with 0 ≤ I < N. */
export function parseShard(value: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  if (!m) throw new AppError('invalid_input', `--shard must look like I/N (e.g. 0/4), got "${value}"`);
  return checkShard(Number(m[1]), Number(m[2]));
}

export function checkShard(index: number, count: number): { index: number; count: number } {
  if (!Number.isSafeInteger(count) || count < 1 || count > 1_000_000)
    throw new AppError('invalid_input', `the shard count must be an integer from 1 to 1000000, got ${count}`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= count)
    throw new AppError(
      'invalid_input',
      `the shard index must be an integer from 0 to ${count - 1}, got ${index}`,
    );
  return { index, count };
}

/** The deepest folder holding every input (a folder input counts as itself, a file as its folder). */
export function jobRoot(inputs: readonly string[], isDir: (p: string) => boolean): string {
  const dirs = inputs.map((p) => (isDir(p) ? resolve(p) : dirname(resolve(p))));
  let root = dirs[0] ?? resolve('.');
  for (const d of dirs.slice(1)) {
    while (root !== dirname(root) && d !== root && !d.startsWith(root.endsWith(sep) ? root : root + sep))
      root = dirname(root);
  }
  return root;
}

/** The stable key of a document: its path relative to the job root, with "/" separators on every system. */
export function shardKey(file: string, root: string): string {
  return relative(root, file).split(sep).join('/');
}

/** The shard (0..count-1) a document falls in: the first 48 bits of sha256 of its key, modulo the count. */
export function shardOf(key: string, count: number): number {
  return createHash('sha256').update(key, 'utf8').digest().readUIntBE(0, 6) % count;
}

/** The key of a job's whole document list (its paths relative to the root, in order). */
export function listKeyOf(files: readonly string[], root: string): string {
  const h = createHash('sha256');
  for (const f of files) h.update(`${shardKey(f, root)}\n`);
  return h.digest('hex');
}

/** The documents (positions in `files`) that shard `index` of `count` takes. */
export function shardPositions(
  files: readonly string[],
  root: string,
  index: number,
  count: number,
): number[] {
  const out: number[] = [];
  files.forEach((f, i) => {
    if (shardOf(shardKey(f, root), count) === index) out.push(i);
  });
  return out;
}

/** The first line of a shard manifest; each next line is one document (`ShardDocLine`). */
export interface ShardHeaderLine {
  t: 'shard';
  v: 1;
  index: number;
  count: number;
  root: string;
  total: number;
  listKey: string;
  kinds: HeaderLine['kinds'];
  formats: HeaderLine['formats'];
  optionsKey: string;
  skipped: HeaderLine['skipped'];
}
export interface ShardDocLine {
  t: 'doc';
  /** Position in the whole job's input order. */
  pos: number;
  line: FileLine;
  /** The stored result (dates and tables), or null for a document that ended in an error status. */
  result: unknown;
}

/**
 * Writes a shard's manifest beside its outputs: its place in the whole job and every document's line and stored
 * result, so a merge needs nothing but the shards' output folders (the per-machine data folders stay where they are).
 */
export async function writeShardManifest(
  header: HeaderLine,
  lines: readonly FileLine[],
  result: (l: FileLine) => Promise<unknown>,
): Promise<string> {
  const shard = header.shard;
  if (!shard) throw new Error('writeShardManifest: not a shard job');
  const head: ShardHeaderLine = {
    t: 'shard',
    v: 1,
    index: shard.index,
    count: shard.count,
    root: shard.root,
    total: shard.total,
    listKey: shard.listKey,
    kinds: header.kinds,
    formats: header.formats,
    optionsKey: header.optionsKey,
    skipped: header.skipped,
  };
  const parts = [JSON.stringify(head)];
  for (const l of lines) {
    const ok = l.status === 'ok' || l.status === 'partial';
    const doc: ShardDocLine = {
      t: 'doc',
      pos: shard.positions[l.i] as number,
      line: l,
      result: ok ? await result(l) : null,
    };
    parts.push(JSON.stringify(doc));
  }
  const path = join(header.outDir, SHARD_MANIFEST);
  await writeAtomic(path, `${parts.join('\n')}\n`);
  return path;
}
