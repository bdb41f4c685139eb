// Queue mode against a real redis-server on a loopback port: two `doclens worker` processes, one SIGKILLed while
// it holds a task; every document ends in exactly one result row (none lost, none twice) and the outputs are the
// bytes a local job writes; a broken PDF is dead-lettered with its error, a FIFO is retried with backoff first.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { CLI_ENTRY, runCli, type CliResult } from '../../cli/testing.js';
import { parseTableTitle } from '../../extract/export/index.js';
import { parseCsv } from '../../extract/tables/index.js';
import { createBackend } from '../backend.js';
import { appRoot } from '../paths.js';
import type { QueueJobStatus } from './store.js';
import { startRedis, type RedisServer } from './testing.js';

const root = appRoot();
const N = 16;
let dir: string;
let docs: string;
let redis: RedisServer;
const children = new Set<ChildProcess>();

function doclens(args: string[]): Promise<CliResult> {
  return runCli([...args, '--data-dir', join(dir, 'cli-data')], { dataDir: join(dir, 'cli-data') });
}

/** A `doclens worker` in its own process group, its stderr kept. */
function worker(name: string, extra: string[] = []): { child: ChildProcess; log: () => string } {
  let log = '';
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI_ENTRY, 'worker', '--redis', redis.url, '--lock-ms', '2000', ...extra],
    {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, DOCLENS_DATA_DIR: join(dir, `data-${name}`) },
    },
  );
  child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
  children.add(child);
  child.once('exit', () => children.delete(child));
  return { child, log: () => log };
}

async function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-(child.pid as number), 'SIGKILL');
  } catch {
    return;
  }
  await gone;
}

async function status(job: string): Promise<QueueJobStatus> {
  const r = await doclens(['queue', 'status', job, '--redis', redis.url, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as QueueJobStatus;
}

async function until(what: string, ms: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

before(async () => {
  redis = await startRedis();
  dir = await mkdtemp(join(tmpdir(), 'doclens-queue-'));
  docs = join(dir, 'docs');
  await mkdir(docs);
  const samples = await Promise.all(
    ['invoice.pdf', 'report.pdf'].map((f) => readFile(join(root, 'assets/samples', f))),
  );
  for (let i = 0; i < N; i++)
    await writeFile(
      join(docs, `doc-${String(i).padStart(2, '0')}.pdf`),
      Buffer.concat([samples[i % 2] as Buffer, Buffer.from(`\n% copy ${i}\n`)]),
    );
  await writeFile(join(docs, 'broken.pdf'), '%PDF-1.7\nnot really\n');
});
after(async () => {
  await Promise.all([...children].map(killGroup));
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('queue: two workers, one SIGKILLed mid-task; every document exactly once, outputs = a local job', async () => {
  const formats = 'csv,xlsx,json,md';
  // The local job the queue's outputs must equal, run meanwhile.
  const local = doclens(['extract', 'tables', docs, '--format', formats, '--out', join(dir, 'local')]);
  const add = await doclens([
    'queue',
    'add',
    docs,
    '--redis',
    redis.url,
    '--job',
    'batch-1',
    '--kind',
    'tables',
    '--format',
    formats,
    '--out',
    join(dir, 'out'),
    '--json',
  ]);
  assert.equal(add.code, 0, add.stderr);
  const added = JSON.parse(add.stdout) as QueueJobStatus;
  assert.equal(added.docsTotal, N + 1);
  assert.equal(added.queue.waiting, N + 1);
  const again = await doclens(['queue', 'add', docs, '--redis', redis.url, '--job', 'batch-1', '--out', dir]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /queue job "batch-1" already exists/);

  const a = worker('a');
  // Worker A alone until it has finished two documents and started a third; then B joins and A is killed.
  const started = (log: string) => [...log.matchAll(/^start batch-1#(\d+)/gm)].map((m) => Number(m[1]));
  const finished = (log: string) =>
    [...log.matchAll(/^(?:ok|partial|dead-letter) batch-1#(\d+)/gm)].map((m) => Number(m[1]));
  await until('worker a to finish two documents and take a third', 120_000, () => {
    const log = a.log();
    return finished(log).length >= 2 && started(log).length > finished(log).length;
  });
  const b = worker('b', ['--concurrency', '2']);
  await killGroup(a.child);
  const aLog = a.log();
  const inHand = started(aLog).filter((p) => !finished(aLog).includes(p));
  assert.ok(inHand.length >= 1, `worker a was killed holding no task:\n${aLog}`);

  await until('the job to finish', 240_000, async () => (await status('batch-1')).state === 'done');
  const s = await status('batch-1');
  assert.equal(s.docsDone, N + 1);
  assert.deepEqual(s.byStatus, { ok: N, corrupt: 1 });
  // The tasks worker A died holding were taken over by B (stalled-task recovery), not lost.
  for (const p of inHand) assert.match(b.log(), new RegExp(`^ok batch-1#${p} `, 'm'));
  assert.equal(s.deadLetters.length, 1);
  const dead = s.deadLetters[0];
  assert.equal(dead?.file, join(docs, 'broken.pdf'));
  assert.equal(dead?.status, 'corrupt');
  assert.match(dead?.error ?? '', /"broken\.pdf"/);
  assert.equal(s.queue.active + s.queue.waiting + s.queue.delayed, 0);

  // Exactly one row per document in the outputs, and the same bytes as the local job.
  const rows = parseCsv(await readFile(join(dir, 'out/tables.csv'), 'utf8'));
  const perFile = new Map<string, Set<number>>();
  for (const r of rows) {
    const t = parseTableTitle(r);
    if (t) perFile.set(t.file, (perFile.get(t.file) ?? new Set()).add(t.table));
  }
  assert.equal(perFile.size, N);
  const summary = JSON.parse(await readFile(join(dir, 'out/summary.json'), 'utf8')) as {
    files: { file: string }[];
  };
  assert.equal(summary.files.length, N + 1);
  assert.equal(new Set(summary.files.map((f) => f.file)).size, N + 1);
  const l = await local;
  assert.equal(l.code, 0, l.stderr);
  const names = (await readdir(join(dir, 'local'))).sort();
  for (const n of names) {
    const x = await readFile(join(dir, 'local', n));
    const y = await readFile(join(dir, 'out', n));
    assert.ok(x.equals(y), `${n}: the queue's output differs from the local job's`);
  }
  await killGroup(b.child);
});

test('queue: a document that keeps failing is retried with backoff, then dead-lettered with its error', async () => {
  const fifos = join(dir, 'fifos');
  await mkdir(fifos);
  const pipe = join(fifos, 'pipe.pdf');
  execFileSync('mkfifo', [pipe]);
  const add = await doclens([
    'queue',
    'add',
    pipe,
    join(docs, 'doc-00.pdf'),
    '--redis',
    redis.url,
    '--job',
    'retry',
    '--kind',
    'dates',
    '--format',
    'csv',
    '--attempts',
    '3',
    '--backoff-ms',
    '300',
    '--out',
    join(dir, 'out-retry'),
  ]);
  assert.equal(add.code, 0, add.stderr);
  const w = worker('c');
  await until('the retry job to finish', 120_000, async () => (await status('retry')).state === 'done');
  const s = await status('retry');
  assert.deepEqual(s.byStatus, { io_error: 1, ok: 1 });
  assert.equal(s.deadLetters.length, 1);
  assert.equal(s.deadLetters[0]?.attempts, 3);
  assert.equal(s.deadLetters[0]?.error, '"pipe.pdf": is a FIFO (named pipe), not a regular file');
  assert.equal((w.log().match(/^start retry#0 /gm) ?? []).length, 3);
  const human = await doclens(['queue', 'status', 'retry', '--redis', redis.url]);
  assert.match(human.stdout, /job retry: done, 2\/2 documents \(100 %\)/);
  assert.match(human.stdout, /dead-letter #0 .*pipe\.pdf: io_error after 3 attempt\(s\)/);

  // A task whose every attempt throws (its result cannot be stored: a file sits where the results folder goes)
  // ends dead-lettered as crashed with the error, and the job still finishes.
  const blocked = join(dir, 'out-blocked');
  await mkdir(blocked);
  await writeFile(join(blocked, '.doclens-results'), 'in the way');
  const add2 = await doclens([
    'queue',
    'add',
    join(docs, 'doc-01.pdf'),
    '--redis',
    redis.url,
    '--job',
    'blocked',
    '--kind',
    'dates',
    '--format',
    'csv',
    '--attempts',
    '2',
    '--backoff-ms',
    '100',
    '--out',
    blocked,
  ]);
  assert.equal(add2.code, 0, add2.stderr);
  await until('the blocked job to finish', 120_000, async () => (await status('blocked')).state === 'done');
  const b = await status('blocked');
  assert.deepEqual(b.byStatus, { crashed: 1 });
  assert.equal(b.deadLetters[0]?.attempts, 2);
  assert.match(b.deadLetters[0]?.error ?? '', /^"doc-01\.pdf": failed \(.*(EEXIST|ENOTDIR)/);
  await killGroup(w.child);

  // The desktop Batch view reads the same through the backend's queue.status channel; HTTP clients of a server
  // started without --allow-paths are refused (the backend would connect wherever the URL points).
  const backend = await createBackend({ dataDir: join(dir, 'backend-data') });
  try {
    const viaBackend = await backend.call('queue.status', { redis: redis.url, job: 'retry' });
    assert.ok(viaBackend.ok);
    assert.deepEqual(viaBackend.value, { ...s, queue: (viaBackend.value as QueueJobStatus).queue });
    const refused = await backend.call(
      'queue.status',
      { redis: redis.url, job: 'retry' },
      { pathsAllowed: false },
    );
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.error.code, 'forbidden');
  } finally {
    await backend.dispose();
  }
});

test('queue: status of an unknown job, a bad job name, an unreachable Redis', async () => {
  const unknown = await doclens(['queue', 'status', 'nope', '--redis', redis.url]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no queue job "nope"/);
  const bad = await doclens(['queue', 'add', docs, '--redis', redis.url, '--job', 'a:b', '--out', dir]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /job name must be/);
  const down = await doclens(['queue', 'status', 'x', '--redis', 'redis://127.0.0.1:1']);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  const noRedis = await doclens(['worker']);
  assert.equal(noRedis.code, 2);
  assert.match(noRedis.stderr, /--redis URL/);
});
