// A job's result set (dates/tables in each format + summary.json) written from its documents' lines and stored
// results in input order — by local jobs, queue workers and `extract merge`, which rebuilds one result set from
// shard output folders: the same bytes as a single run over the same files, because it is the same writer fed the
// same documents in the same order.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { EXTENSION, exportExtraction, type DocExtraction } from '../../extract/export/index.js';
import type { ExportFormat, ExtractKind, JobFile } from '../../shared/domain.js';
import { AppError } from '../../shared/errors.js';
import { writeAtomic, type FileLine, type HeaderLine } from './journal.js';
import { SHARD_MANIFEST, type ShardDocLine, type ShardHeaderLine } from './shard.js';

interface ResultLike {
  dates: DocExtraction['dates'];
  tables: DocExtraction['tables'];
  charts?: DocExtraction['charts'];
}

export interface ResultSetInput {
  outDir: string;
  kinds: readonly ExtractKind[];
  formats: readonly ExportFormat[];
  /** One line per document, in input order. */
  lines: readonly FileLine[];
  skipped: HeaderLine['skipped'];
  /** The stored result of a document whose status is ok or partial. */
  result(line: FileLine): Promise<ResultLike>;
  /**
   * Temporary names unique to this writer: several queue workers may write the same (identical) result set at
   * once, and each renames its own complete file into place.
   */
  uniqueTemp?: boolean;
}

/** Writes the outputs and summary.json; returns their paths (summary.json last). */
export async function writeResultSet(input: ResultSetInput): Promise<string[]> {
  const { outDir, kinds, formats, lines } = input;
  await mkdir(outDir, { recursive: true });
  const tag = input.uniqueTemp ? `.${process.pid}-${randomBytes(4).toString('hex')}` : '';
  const write = (path: string, bytes: Uint8Array | string) =>
    writeAtomic(path, bytes, tag ? `${join(outDir, `.${basename(path)}${tag}.partial`)}` : undefined);
  const docs: DocExtraction[] = [];
  for (const l of lines) {
    if (l.status !== 'ok' && l.status !== 'partial') continue;
    const r = await input.result(l);
    docs.push({ file: l.file, dates: r.dates, tables: r.tables, charts: r.charts ?? [] });
  }
  const outputs: string[] = [];
  for (const kind of kinds) {
    for (const format of formats) {
      const path = join(outDir, `${kind}.${EXTENSION[format]}`);
      await write(path, (await exportExtraction(kind, format, docs)).bytes);
      outputs.push(path);
    }
  }
  const byStatus: Record<string, number> = {};
  for (const l of lines) byStatus[l.status] = (byStatus[l.status] ?? 0) + 1;
  const summary = {
    kinds,
    formats,
    totals: {
      files: lines.length,
      pages: lines.reduce((s, l) => s + l.pages, 0),
      dates: lines.reduce((s, l) => s + l.dates, 0),
      tables: lines.reduce((s, l) => s + l.tables, 0),
      byStatus,
    },
    files: lines.map(toJobFile),
    skipped: input.skipped,
    outputs: outputs.map((p) => basename(p)),
  };
  const summaryPath = join(outDir, 'summary.json');
  await write(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  outputs.push(summaryPath);
  return outputs;
}

export function toJobFile(l: FileLine): JobFile {
  return { file: l.file, status: l.status, pages: l.pages, dates: l.dates, tables: l.tables, error: l.error };
}

async function* manifestLines(dir: string): AsyncGenerator<unknown> {
  const path = join(dir, SHARD_MANIFEST);
  const stream = createReadStream(path);
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch {
    throw new AppError(
      'invalid_input',
      `${dir}: no ${SHARD_MANIFEST} (not the output folder of a finished \`doclens extract --shard\` run)`,
    );
  }
  let n = 0;
  for await (const raw of createInterface({ input: stream, crlfDelay: Infinity })) {
    n++;
    if (!raw.trim()) continue;
    try {
      yield JSON.parse(raw);
    } catch {
      throw new AppError('corrupt', `${path}: line ${n} is not JSON`);
    }
  }
}

/**
 * Merges the output folders of shards 0..N-1 of one job into `outDir`. Every shard must be there once, from the
 * same job (inputs, kinds, options), and together they must hold every document exactly once.
 */
export async function mergeShards(
  dirs: readonly string[],
  outDir: string,
): Promise<{ outputs: string[]; docs: number; shards: number }> {
  if (!dirs.length) throw new AppError('invalid_input', 'merge needs at least one shard output folder');
  let first: ShardHeaderLine | null = null;
  const seenShards = new Map<number, string>();
  const byPos = new Map<number, { line: FileLine; result: unknown; dir: string }>();
  for (const dir of dirs) {
    let head: ShardHeaderLine | null = null;
    for await (const v of manifestLines(dir)) {
      if (!head) {
        const h = v as ShardHeaderLine;
        if (h.t !== 'shard' || h.v !== 1)
          throw new AppError('corrupt', `${join(dir, SHARD_MANIFEST)}: the first line is not a shard header`);
        head = h;
        if (!first) first = h;
        else {
          const same =
            h.count === first.count &&
            h.total === first.total &&
            h.listKey === first.listKey &&
            h.root === first.root &&
            h.optionsKey === first.optionsKey &&
            JSON.stringify(h.kinds) === JSON.stringify(first.kinds) &&
            JSON.stringify(h.formats) === JSON.stringify(first.formats);
          if (!same)
            throw new AppError(
              'invalid_input',
              `${dir}: shard ${h.index}/${h.count} of another job (its document list, kinds, formats or options differ from ${dirs[0]}'s: did the archive change between shard runs?)`,
            );
        }
        const dup = seenShards.get(h.index);
        if (dup !== undefined)
          throw new AppError(
            'invalid_input',
            `${dir}: shard ${h.index}/${h.count} was already given (${dup})`,
          );
        seenShards.set(h.index, dir);
        continue;
      }
      const d = v as ShardDocLine;
      if (d.t !== 'doc' || !Number.isInteger(d.pos) || d.pos < 0 || d.pos >= head.total)
        throw new AppError('corrupt', `${join(dir, SHARD_MANIFEST)}: a document line is malformed`);
      const prev = byPos.get(d.pos);
      if (prev)
        throw new AppError(
          'invalid_input',
          `${dir}: document ${d.line.file} is also in ${prev.dir} (shards of different jobs?)`,
        );
      byPos.set(d.pos, { line: d.line, result: d.result, dir });
    }
    if (!head) throw new AppError('corrupt', `${join(dir, SHARD_MANIFEST)}: empty`);
  }
  const job = first as ShardHeaderLine;
  const missingShards = Array.from({ length: job.count }, (_, i) => i).filter((i) => !seenShards.has(i));
  if (missingShards.length)
    throw new AppError(
      'invalid_input',
      `missing shard(s) ${missingShards.map((i) => `${i}/${job.count}`).join(', ')}: give every shard's output folder`,
    );
  if (byPos.size !== job.total)
    throw new AppError(
      'invalid_input',
      `the shards hold ${byPos.size} of the job's ${job.total} documents: a shard run did not finish`,
    );
  const lines: FileLine[] = [];
  const results = new Map<FileLine, ResultLike>();
  for (let pos = 0; pos < job.total; pos++) {
    const d = byPos.get(pos) as { line: FileLine; result: unknown };
    // The line's own index is its place in its shard; in the merged set it is its place in the whole job.
    const line = { ...d.line, i: pos };
    lines.push(line);
    if (d.result) results.set(line, d.result as ResultLike);
  }
  const outputs = await writeResultSet({
    outDir,
    kinds: job.kinds,
    formats: job.formats,
    lines,
    skipped: job.skipped,
    result: (l) => {
      const r = results.get(l);
      if (!r) throw new AppError('corrupt', `${l.file}: its shard manifest has no result`);
      return Promise.resolve(r);
    },
  });
  return { outputs, docs: job.total, shards: job.count };
}
