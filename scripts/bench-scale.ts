// Scale-out bench (issue #16): documents/s of the Redis queue (BullMQ) with 1, 2 and 4 `doclens worker` processes
// against the local job runner over the same 1000-page set, the queue's overhead per task, and a 1000-document
// queue run with two workers of which one is SIGKILLed mid-way (every document must end exactly once).
//
// The set: PDFs of 1 to 8 pages (seeded sizes) made of the sample invoice and report pages (pdf-lib), each file
// distinct (its own title), so no stored result is reused. Dates + tables, CSV + JSON, as `doclens extract`.
// Timing: the local runner in this process (a JobManager, documents 1 or 2 at a time); the queue from `queue add`
// (in this process) until the job's outputs are written, with the workers already started and idle. Overhead per
// task = (queue with one worker, one task at a time − local runner, one document at a time) / documents.
//
// Every process of the bench (this one, which runs the local runner, and the workers) is in one session, so under
// the kernel's autogroup scheduling they share one CPU share on a machine other people use too.
//
// Usage: npm run bench:scale   (BENCH_SCALE_PAGES=N for another set size, BENCH_SCALE_KILL_DOCS=0 skips the kill run)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { createDocumentEngine } from '../src/documents/index.js';
import { parseTableTitle } from '../src/extract/export/index.js';
import { parseCsv } from '../src/extract/tables/index.js';
import { JobManager } from '../src/services/jobs/index.js';
import { PageText } from '../src/services/page-text.js';
import { addJob, withQueue } from '../src/services/queue/producer.js';
import { jobStatus, type QueueJobStatus } from '../src/services/queue/store.js';
import { startRedis, type RedisServer } from '../src/services/queue/testing.js';
import { SettingsStore } from '../src/services/settings-store.js';
import { mulberry32 } from '../src/shared/prng.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'src/cli/run-from-source.ts');
const GOAL_OVERHEAD = 0.05;

function envInt(name: string, fallback: number, min: number): number {
  const v = process.env[name];
  const n = v === undefined || v === '' ? fallback : Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}`);
  return n;
}

/** Distinct PDFs of `sizes[i]` pages copied from the sample pages. */
async function makeSet(dir: string, sizes: number[], prefix: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const srcs = await Promise.all(
    ['invoice.pdf', 'report.pdf'].map(async (f) =>
      PDFDocument.load(await readFile(path.join(ROOT, 'assets/samples', f))),
    ),
  );
  const pages = srcs.flatMap((src, s) => src.getPageIndices().map((i) => ({ s, i })));
  let k = 0;
  for (const [d, n] of sizes.entries()) {
    const doc = await PDFDocument.create();
    for (let p = 0; p < n; p++, k++) {
      const { s, i } = pages[k % pages.length] as { s: number; i: number };
      const [page] = await doc.copyPages(srcs[s] as PDFDocument, [i]);
      if (page) doc.addPage(page);
    }
    doc.setTitle(`${prefix} ${d}`);
    doc.setCreationDate(new Date(Date.UTC(2026, 0, 1)));
    doc.setModificationDate(new Date(Date.UTC(2026, 0, 1)));
    await writeFile(path.join(dir, `${prefix}-${String(d).padStart(4, '0')}.pdf`), await doc.save());
  }
}

function sizesFor(pages: number, seed: number): number[] {
  const rand = mulberry32(seed);
  const choices = [1, 1, 2, 2, 3, 4, 5, 8];
  const sizes: number[] = [];
  for (let left = pages; left > 0;) {
    const n = Math.min(left, choices[Math.floor(rand() * choices.length)] as number);
    sizes.push(n);
    left -= n;
  }
  return sizes;
}

interface Run {
  label: string;
  seconds: number;
  docs: number;
  pages: number;
  /** Queue runs: the sums of the workers' task and extraction times (from their logs), ms. */
  taskMs?: number;
  extractMs?: number;
  redisMs?: number;
}

async function localRun(input: string, work: string, concurrency: number): Promise<Run> {
  const dataDir = await mkdtemp(path.join(work, 'local-'));
  const engine = createDocumentEngine({ cacheDir: path.join(dataDir, 'cache', 'render') });
  const settings = new SettingsStore(dataDir);
  await settings.load();
  const text = new PageText({
    threads: () => settings.get().threads,
    ocrCacheDir: path.join(dataDir, 'cache', 'ocr'),
  });
  const jobs = new JobManager({ dataDir, engine, text, settings, emit: () => undefined }, { concurrency });
  try {
    const t0 = performance.now();
    const started = await jobs.start({
      inputs: [input],
      kinds: ['dates', 'tables'],
      formats: ['csv', 'json'],
      outDir: path.join(dataDir, 'out'),
    });
    const info = await jobs.wait(started.jobId);
    const seconds = (performance.now() - t0) / 1000;
    if (info.progress.state !== 'done') throw new Error(`local job ended ${info.progress.state}`);
    return {
      label: `local runner, ${concurrency} at a time`,
      seconds,
      docs: info.files.length,
      pages: info.progress.pagesDone,
    };
  } finally {
    await jobs.dispose();
    await text.dispose();
    await engine.destroy();
  }
}

interface Worker {
  child: ChildProcess;
  log: () => string;
}

async function startWorkers(n: number, redis: RedisServer, work: string, lockMs?: number): Promise<Worker[]> {
  const out: Worker[] = [];
  for (let w = 0; w < n; w++) {
    let log = '';
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        CLI,
        'worker',
        '--redis',
        redis.url,
        ...(lockMs ? ['--lock-ms', String(lockMs)] : []),
      ],
      {
        cwd: ROOT,
        // Not detached: a process in a session of its own gets a CPU share of its own under the kernel's autogroup
        // scheduling, which on a shared machine would let more workers win more CPU from other users' work
        // rather than measure what the queue does with the same share. A worker is one process (its document
        // readers are threads), so killing its pid kills all of it.
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, DOCLENS_DATA_DIR: await mkdtemp(path.join(work, 'worker-')) },
      },
    );
    child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
    out.push({ child, log: () => log });
  }
  // Ready = subscribed to the queue (the line the worker prints once BullMQ has connected).
  for (const w of out)
    while (!w.log().includes('ready on')) {
      if (w.child.exitCode !== null) throw new Error(`worker exited: ${w.log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  return out;
}

async function killWorker(w: Worker): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return;
  const gone = new Promise<void>((r) => w.child.once('exit', () => r()));
  try {
    w.child.kill('SIGKILL');
  } catch {
    return;
  }
  await gone;
}

async function waitDone(
  redis: RedisServer,
  job: string,
  onPoll?: (s: QueueJobStatus) => Promise<void>,
): Promise<QueueJobStatus> {
  return withQueue(redis.url, async (r, queue) => {
    for (;;) {
      const s = await jobStatus(r, queue, job);
      if (s.state === 'done') return s;
      await onPoll?.(s);
      await new Promise((res) => setTimeout(res, 50));
    }
  });
}

async function queueRun(
  input: string,
  work: string,
  redis: RedisServer,
  workers: number,
  job: string,
): Promise<Run> {
  const ws = await startWorkers(workers, redis, work);
  try {
    const t0 = performance.now();
    await addJob({
      redisUrl: redis.url,
      job,
      inputs: [input],
      kinds: ['dates', 'tables'],
      formats: ['csv', 'json'],
      outDir: path.join(work, job),
      dateLocale: 'auto',
    });
    const s = await waitDone(redis, job);
    const seconds = (performance.now() - t0) / 1000;
    let taskMs = 0;
    let extractMs = 0;
    let redisMs = 0;
    let tasks = 0;
    for (const w of ws)
      for (const m of w.log().matchAll(/\[task ([\d.]+) ms, extraction ([\d.]+) ms, redis ([\d.]+) ms\]/g)) {
        taskMs += Number(m[1]);
        extractMs += Number(m[2]);
        redisMs += Number(m[3]);
        tasks++;
      }
    if (tasks !== s.docsTotal) throw new Error(`${tasks} task lines for ${s.docsTotal} documents`);
    return {
      label: `queue, ${workers} worker(s)`,
      seconds,
      docs: s.docsTotal,
      pages: s.pagesDone,
      taskMs,
      extractMs,
      redisMs,
    };
  } finally {
    await Promise.all(ws.map(killWorker));
  }
}

/** 1000 one-page documents, two workers, one SIGKILLed once a third of them are done: all must end exactly once. */
async function killRun(work: string, redis: RedisServer, docs: number): Promise<boolean> {
  const input = path.join(work, 'kill-set');
  await makeSet(
    input,
    Array.from({ length: docs }, () => 1),
    'k',
  );
  const ws = await startWorkers(2, redis, work, 5000);
  const job = 'kill-run';
  const t0 = performance.now();
  try {
    await addJob({
      redisUrl: redis.url,
      job,
      inputs: [input],
      kinds: ['dates', 'tables'],
      formats: ['csv', 'json'],
      outDir: path.join(work, job),
      dateLocale: 'auto',
    });
    let killedAt = -1;
    const s = await waitDone(redis, job, async (st) => {
      if (killedAt < 0 && st.docsDone >= docs / 3) {
        killedAt = st.docsDone;
        await killWorker(ws[0] as Worker);
      }
    });
    const seconds = (performance.now() - t0) / 1000;
    const log0 = (ws[0] as Worker).log();
    const started = [...log0.matchAll(/^start kill-run#(\d+)/gm)].map((m) => Number(m[1]));
    const finished = new Set([...log0.matchAll(/^ok kill-run#(\d+)/gm)].map((m) => Number(m[1])));
    const inHand = started.filter((p) => !finished.has(p));
    const summary = JSON.parse(await readFile(path.join(work, job, 'summary.json'), 'utf8')) as {
      files: { file: string; status: string; tables: number }[];
    };
    const rows = parseCsv(await readFile(path.join(work, job, 'tables.csv'), 'utf8'));
    const tablesPerFile = new Map<string, Set<number>>();
    for (const r of rows) {
      const t = parseTableTitle(r);
      if (t) tablesPerFile.set(t.file, (tablesPerFile.get(t.file) ?? new Set()).add(t.table));
    }
    const files = summary.files.map((f) => f.file);
    const once = files.length === docs && new Set(files).size === docs;
    const tablesOk = summary.files.every((f) => (tablesPerFile.get(f.file)?.size ?? 0) === f.tables);
    const ok = once && tablesOk && s.docsDone === docs && summary.files.every((f) => f.status === 'ok');
    console.log(
      `\nkill run: ${docs} documents, 2 workers, worker 1 SIGKILLed at ${killedAt} done holding task(s) ` +
        `#${inHand.join(', #') || '(none)'}; finished in ${seconds.toFixed(1)} s: ${s.docsDone}/${docs} recorded, ` +
        `summary rows ${files.length} (${new Set(files).size} distinct), table rows match per file: ${tablesOk ? 'yes' : 'NO'}` +
        ` → ${ok ? 'every document exactly once' : 'FAILED'}`,
    );
    return ok;
  } finally {
    await Promise.all(ws.map(killWorker));
  }
}

async function main(): Promise<void> {
  const pages = envInt('BENCH_SCALE_PAGES', 1000, 1);
  const killDocs = envInt('BENCH_SCALE_KILL_DOCS', 1000, 0);
  const work = await mkdtemp(path.join(os.tmpdir(), 'doclens-bench-scale-'));
  const redis = await startRedis();
  try {
    const input = path.join(work, 'set');
    const sizes = sizesFor(pages, 16);
    await makeSet(input, sizes, 'doc');
    console.log(
      `set: ${sizes.length} PDFs, ${pages} pages (1-8 pages each, sample invoice/report pages); ` +
        `${os.availableParallelism()} cores; redis-server on ${redis.url}\n`,
    );
    const runs: Run[] = [];
    const show = (r: Run) => {
      runs.push(r);
      console.log(
        `${r.label.padEnd(30)} ${r.seconds.toFixed(1).padStart(7)} s  ${(r.docs / r.seconds).toFixed(2).padStart(6)} docs/s  ${(r.pages / r.seconds).toFixed(1).padStart(6)} pages/s`,
      );
    };
    // Local and queue runs alternate, so a change in the machine's load during the bench hits both sides alike.
    const q: Record<number, Run> = {};
    const local1 = await localRun(input, work, 1);
    show(local1);
    q[1] = await queueRun(input, work, redis, 1, 'scale-1');
    show(q[1]);
    const local2 = await localRun(input, work, 2);
    show(local2);
    for (const n of [2, 4]) {
      q[n] = await queueRun(input, work, redis, n, `scale-${n}`);
      show(q[n]);
    }
    const outputsSame = await Promise.all(
      ['dates.csv', 'tables.csv', 'dates.json', 'tables.json', 'summary.json'].map(async (f) => {
        const a = await readFile(path.join(work, 'scale-1', f));
        const b = await readFile(path.join(work, 'scale-4', f));
        return a.equals(b);
      }),
    );
    const q1 = q[1];
    const perDocMs = (local1.seconds * 1000) / local1.docs;
    // One worker, one task at a time. The queue's own cost per task: its Redis calls inside the task (is it done
    // already, record its line) plus the time between tasks (BullMQ finishing one and handing over the next, with
    // `queue add` and the final outputs spread over the tasks). Hashing the file and storing its result happen
    // around the extraction in the local runner too; they are shown apart, and the whole non-extraction time too.
    const n1 = q1.docs;
    const redisMs = (q1.redisMs ?? 0) / n1;
    const betweenMs = (q1.seconds * 1000 - (q1.taskMs ?? 0)) / n1;
    const storeMs = ((q1.taskMs ?? 0) - (q1.extractMs ?? 0) - (q1.redisMs ?? 0)) / n1;
    const overheadMs = redisMs + betweenMs;
    const extractMs = (q1.extractMs ?? 0) / n1;
    const pct = (ms: number, of: number) => `${((100 * ms) / of).toFixed(1)} %`;
    console.log(
      `\nper document: extraction in the worker ${extractMs.toFixed(1)} ms (measured in the same run as the overhead); ` +
        `local runner, 1 at a time, wall clock ${perDocMs.toFixed(1)} ms`,
    );
    console.log(
      `queue overhead per task (1 worker): ${overheadMs.toFixed(1)} ms = ${pct(overheadMs, extractMs)} of the extraction time ` +
        `(goal ≤ ${GOAL_OVERHEAD * 100} %: ${overheadMs / extractMs <= GOAL_OVERHEAD ? 'met' : 'NOT met'}), ${pct(overheadMs, perDocMs)} of the local runner's ` +
        `time per document: Redis calls in the task ${redisMs.toFixed(1)} ms, between tasks ${betweenMs.toFixed(1)} ms`,
    );
    console.log(
      `  also in each task, as in the local runner: hashing + storing the result ${storeMs.toFixed(1)} ms; ` +
        `all non-extraction time ${(redisMs + betweenMs + storeMs).toFixed(1)} ms = ${pct(redisMs + betweenMs + storeMs, extractMs)} of the extraction time; ` +
        `wall clock, queue 1 worker − local 1 at a time: ${(((q1.seconds - local1.seconds) * 1000) / n1).toFixed(1)} ms per document`,
    );
    const rate = (r: Run) => r.docs / r.seconds;
    console.log(
      `speed-up vs 1 worker: 2 workers ×${(rate(q[2] as Run) / rate(q1)).toFixed(2)}, 4 workers ×${(rate(q[4] as Run) / rate(q1)).toFixed(2)} ` +
        `(${os.availableParallelism()} cores: linear is ×${Math.min(2, os.availableParallelism())}, ×${Math.min(4, os.availableParallelism())})`,
    );
    console.log(
      `queue vs local runner: 1 worker / local 1 at a time ×${(rate(q1) / rate(local1)).toFixed(2)}, ` +
        `2 workers / local 2 at a time ×${(rate(q[2] as Run) / rate(local2)).toFixed(2)}, ` +
        `4 workers / local 2 at a time ×${(rate(q[4] as Run) / rate(local2)).toFixed(2)}`,
    );
    console.log(`queue outputs identical across worker counts: ${outputsSame.every(Boolean) ? 'yes' : 'NO'}`);
    const killOk = killDocs > 0 ? await killRun(work, redis, killDocs) : true;
    if (!killOk || !outputsSame.every(Boolean)) process.exitCode = 1;
  } finally {
    await redis.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
