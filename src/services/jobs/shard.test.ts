// Shards of a batch job: the split is stable and complete, `extract --shard I/N` (or --shards N with
// JOB_COMPLETION_INDEX) runs take disjoint parts, and `extract merge` of shards 0..N-1 writes the same bytes as
// one run over the same files — every format.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, type CliResult } from '../../cli/testing.js';
import { appRoot } from '../paths.js';
import { checkShard, jobRoot, parseShard, shardKey, shardOf, shardPositions } from './shard.js';

const root = appRoot();
let dir: string;
let docs: string;

function doclens(dataDir: string, args: string[], env?: Record<string, string>): Promise<CliResult> {
  return runCli([...args, '--data-dir', dataDir], { dataDir, env });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doclens-shard-'));
  docs = join(dir, 'docs');
  await mkdir(join(docs, 'sub'), { recursive: true });
  const samples = await Promise.all(
    ['invoice.pdf', 'report.pdf'].map((f) => readFile(join(root, 'assets/samples', f))),
  );
  for (let i = 0; i < 10; i++) {
    const sub = i % 3 === 0 ? 'sub' : '';
    await writeFile(
      join(docs, sub, `doc-${i}.pdf`),
      Buffer.concat([samples[i % 2] as Buffer, Buffer.from(`\n% copy ${i}\n`)]),
    );
  }
  await writeFile(join(docs, 'broken.pdf'), '%PDF-1.7\nnot really\n');
  await writeFile(join(docs, 'notes.txt'), 'not a document'); // skipped by every shard alike
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('shards: the split is a pure function of the relative path, covers every document once', () => {
  const files = Array.from({ length: 500 }, (_, i) => `/data/a/${i % 7}/f-${i}.pdf`);
  const parts = [0, 1, 2, 3].map((i) => shardPositions(files, '/data/a', i, 4));
  const all = parts.flat().sort((a, b) => a - b);
  assert.deepEqual(
    all,
    files.map((_, i) => i),
  );
  for (const p of parts) assert.ok(p.length > 90 && p.length < 160, `uneven shard: ${p.length} of 500`);
  // The same tree mounted elsewhere splits the same way.
  const moved = files.map((f) => f.replace('/data/a', '/mnt/x'));
  assert.deepEqual(shardPositions(moved, '/mnt/x', 2, 4), parts[2]);
  assert.equal(shardKey('/data/a/1/f.pdf', '/data/a'), '1/f.pdf');
  assert.equal(shardOf('1/f.pdf', 1), 0);
  assert.equal(
    jobRoot(['/data/a/x', '/data/a/y/z.pdf'], (p) => p.endsWith('x')),
    '/data/a',
  );
  assert.equal(
    jobRoot(['/data/a/x'], () => true),
    '/data/a/x',
  );
  assert.deepEqual(parseShard(' 3/8 '), { index: 3, count: 8 });
  assert.throws(() => parseShard('8/8'), /from 0 to 7/);
  assert.throws(() => parseShard('1-4'), /I\/N/);
  assert.throws(() => checkShard(0, 0), /shard count/);
});

test('extract --shard: shards 0..N-1 merged are byte-identical to a single run (csv, xlsx, json, md)', async () => {
  const args = ['extract', 'tables', docs, '--format', 'csv,xlsx,json,md'];
  const single = await doclens(join(dir, 'd-single'), [...args, '--out', join(dir, 'single')]);
  assert.equal(single.code, 0, single.stderr);
  const N = 3;
  const seen: string[] = [];
  for (let i = 0; i < N; i++) {
    // Shard 1 takes its index from the environment, as a pod of a Kubernetes Indexed Job does.
    const shardArgs = i === 1 ? ['--shards', String(N)] : ['--shard', `${i}/${N}`];
    const r = await doclens(
      join(dir, `d-${i}`),
      [...args, ...shardArgs, '--out', join(dir, `shard-${i}`)],
      i === 1 ? { JOB_COMPLETION_INDEX: '1' } : {},
    );
    assert.equal(r.code, 0, r.stderr);
    const files = (JSON.parse(r.stdout) as { files: { file: string }[] }).files.map((f) => f.file);
    assert.ok(files.length >= 1, `shard ${i} took no document (pick another seed file set)`);
    seen.push(...files);
  }
  assert.equal(seen.length, 11);
  assert.equal(new Set(seen).size, 11);

  // A merge with a shard missing names it, and writes nothing.
  const partial = await doclens(join(dir, 'd-m'), [
    'extract',
    'merge',
    join(dir, 'shard-0'),
    join(dir, 'shard-2'),
    '--out',
    join(dir, 'bad'),
  ]);
  assert.equal(partial.code, 1);
  assert.match(partial.stderr, /missing shard\(s\) 1\/3/);
  const notShard = await doclens(join(dir, 'd-m'), [
    'extract',
    'merge',
    join(dir, 'single'),
    '--out',
    join(dir, 'bad'),
  ]);
  assert.equal(notShard.code, 1);
  assert.match(notShard.stderr, /single: no shard\.jsonl/);

  // Given in any order, the shards merge into the single run's bytes.
  const merged = await doclens(join(dir, 'd-m'), [
    'extract',
    'merge',
    join(dir, 'shard-2'),
    join(dir, 'shard-0'),
    join(dir, 'shard-1'),
    '--out',
    join(dir, 'merged'),
  ]);
  assert.equal(merged.code, 0, merged.stderr);
  assert.equal((JSON.parse(merged.stdout) as { docs: number }).docs, 11);
  const names = (await readdir(join(dir, 'single'))).sort();
  assert.deepEqual(names, ['summary.json', 'tables.csv', 'tables.json', 'tables.md', 'tables.xlsx']);
  assert.deepEqual((await readdir(join(dir, 'merged'))).sort(), names);
  for (const n of names) {
    const a = await readFile(join(dir, 'single', n));
    const b = await readFile(join(dir, 'merged', n));
    assert.ok(a.equals(b), `${n}: merged shards differ from the single run`);
  }
  const summary = JSON.parse(await readFile(join(dir, 'merged/summary.json'), 'utf8')) as {
    totals: { byStatus: Record<string, number> };
    skipped: unknown[];
  };
  assert.deepEqual(summary.totals.byStatus, { ok: 10, corrupt: 1 });
  assert.equal(summary.skipped.length, 1);

  // A shard run over a changed archive (one more file) does not merge with the others.
  await writeFile(join(docs, 'late.pdf'), await readFile(join(root, 'assets/samples/invoice.pdf')));
  const late = await doclens(join(dir, 'd-late'), [
    ...args,
    '--shard',
    `1/${N}`,
    '--out',
    join(dir, 'shard-late'),
  ]);
  await rm(join(docs, 'late.pdf'));
  assert.equal(late.code, 0, late.stderr);
  const mixed = await doclens(join(dir, 'd-m'), [
    'extract',
    'merge',
    join(dir, 'shard-0'),
    join(dir, 'shard-late'),
    join(dir, 'shard-2'),
    '--out',
    join(dir, 'bad'),
  ]);
  assert.equal(mixed.code, 1);
  assert.match(mixed.stderr, /shard-late: shard 1\/3 of another job .*did the archive change/);
});

test('extract --shards N without an index is a usage error naming JOB_COMPLETION_INDEX', async () => {
  const r = await doclens(join(dir, 'd-u'), [
    'extract',
    'tables',
    docs,
    '--out',
    join(dir, 'u'),
    '--shards',
    '4',
  ]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /JOB_COMPLETION_INDEX/);
  const bad = await doclens(join(dir, 'd-u'), [
    'extract',
    'tables',
    docs,
    '--out',
    join(dir, 'u'),
    '--shard',
    '4/4',
  ]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /from 0 to 3/);
});
