// `doclens extract` as a user runs it, and the crash promise of batch jobs: a job killed with SIGKILL mid-way and
// resumed in a new process writes byte-identical outputs to an uninterrupted run, with no row lost or duplicated.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { parseTableTitle } from '../extract/export/index.js';
import { parseCsv } from '../extract/tables/index.js';
import { appRoot } from '../services/paths.js';
import { CLI_ENTRY, runCli, type CliResult } from './testing.js';

const root = appRoot();
let dir: string;
let docs: string;
const N = 24;

function doclens(dataDir: string, ...args: string[]): Promise<CliResult> {
  return runCli([...args, '--data-dir', dataDir], { dataDir });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doclens-extract-'));
  docs = join(dir, 'docs');
  await mkdir(docs);
  // Distinct files (a trailing comment changes the hash, so no result is shared) alternating two samples.
  const samples = await Promise.all(
    ['invoice.pdf', 'report.pdf'].map((f) => readFile(join(root, 'assets/samples', f))),
  );
  for (let i = 0; i < N; i++) {
    const src = samples[i % 2] as Buffer;
    await writeFile(
      join(docs, `doc-${String(i).padStart(3, '0')}.pdf`),
      Buffer.concat([src, Buffer.from(`\n% copy ${i}\n`)]),
    );
  }
  await writeFile(join(docs, 'broken.pdf'), '%PDF-1.7\nnot really\n');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('extract: usage errors exit 2 and name what is missing', async () => {
  const r = await doclens(join(dir, 'd0'), 'extract', 'dates', docs);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--out/);
  const k = await doclens(join(dir, 'd0'), 'extract', 'pictures', docs, '--out', join(dir, 'x'));
  assert.equal(k.code, 2);
  assert.match(k.stderr, /dates, tables or charts/);
  const f = await doclens(
    join(dir, 'd0'),
    'extract',
    'dates',
    docs,
    '--out',
    join(dir, 'x'),
    '--format',
    'pdf',
  );
  assert.equal(f.code, 2);
  assert.match(f.stderr, /--format/);
});

test('extract --resume survives kill -9: outputs byte-identical to an uninterrupted run', async () => {
  const args = ['extract', 'tables', docs, '--format', 'csv,xlsx,json,md'];
  // Uninterrupted reference run.
  const ref = await doclens(join(dir, 'ref-data'), ...args, '--out', join(dir, 'ref-out'));
  assert.equal(ref.code, 0, ref.stderr);
  const refSummary = JSON.parse(ref.stdout) as {
    state: string;
    byStatus: Record<string, number>;
    files: unknown[];
  };
  assert.equal(refSummary.state, 'done');
  assert.deepEqual(refSummary.byStatus, { ok: N, corrupt: 1 });
  assert.match(ref.stderr, /\d+\/25 docs/); // the progress bar

  // Killed run: SIGKILL once a few documents are in the journal.
  const data = join(dir, 'kill-data');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI_ENTRY, ...args, '--out', join(dir, 'kill-out'), '--data-dir', data],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let journal = '';
  let fileLines = 0;
  for (let t = 0; t < 600 && fileLines < 4; t++) {
    await sleep(50);
    const names = await readdir(join(data, 'jobs')).catch(() => [] as string[]);
    const name = names.find((n) => n.endsWith('.jsonl'));
    if (!name) continue;
    journal = join(data, 'jobs', name);
    fileLines = (await readFile(journal, 'utf8'))
      .split('\n')
      .filter((l) => l.startsWith('{"t":"file"')).length;
  }
  child.kill('SIGKILL');
  await exited;
  const atKill = (await readFile(journal, 'utf8'))
    .split('\n')
    .filter((l) => l.startsWith('{"t":"file"')).length;
  assert.ok(atKill >= 4 && atKill < N + 1, `killed with ${atKill} of ${N + 1} documents journaled`);
  const jobId = /job (j_\w+)/.exec(stderr)?.[1];
  assert.ok(jobId, stderr);

  const resumed = await doclens(data, 'extract', '--resume', jobId);
  assert.equal(resumed.code, 0, resumed.stderr);
  const summary = JSON.parse(resumed.stdout) as { state: string; byStatus: Record<string, number> };
  assert.equal(summary.state, 'done');
  assert.deepEqual(summary.byStatus, { ok: N, corrupt: 1 });

  // Journal: every document exactly once.
  const lines = (await readFile(journal, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { t: string; i?: number });
  const idx = lines.filter((l) => l.t === 'file').map((l) => l.i);
  assert.equal(idx.length, N + 1);
  assert.equal(new Set(idx).size, N + 1);

  // Outputs: the same bytes, file by file.
  const names = (await readdir(join(dir, 'ref-out'))).sort();
  assert.deepEqual(names, ['summary.json', 'tables.csv', 'tables.json', 'tables.md', 'tables.xlsx']);
  assert.deepEqual((await readdir(join(dir, 'kill-out'))).sort(), names);
  for (const n of names) {
    const a = await readFile(join(dir, 'ref-out', n));
    const b = await readFile(join(dir, 'kill-out', n));
    assert.ok(a.equals(b), `${n} differs after resume`);
  }
  const rows = parseCsv(await readFile(join(dir, 'kill-out/tables.csv'), 'utf8'));
  assert.equal(new Set(rows.map((r) => parseTableTitle(r)?.file).filter(Boolean)).size, N);
});
