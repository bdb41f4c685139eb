// GET /jobs/{jobId}/{name} through the real server and backend: a finished job's listed outputs download with
// the bytes on disk; no token, an unknown job, an unlisted file in the same folder and a path that climbs out
// are refused.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createBackend } from '../services/backend.js';
import type { Backend } from '../services/backend.js';
import { appRoot } from '../services/paths.js';
import type { JobInfo } from '../shared/domain.js';
import { jobOutputPath } from '../shared/routes.js';
import type { RunningServer } from './server.js';
import { startServer } from './server.js';

let dir: string;
let backend: Backend;
let server: RunningServer;
let job: JobInfo;

function get(
  path: string,
  token: string | null = server.token,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.origin}${path}`,
      { headers: token ? { authorization: `Bearer ${token}` } : {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doclens-downloads-'));
  backend = await createBackend({ dataDir: join(dir, 'data') });
  server = await startServer({
    backend,
    rendererDir: join(appRoot(), 'src', 'renderer'),
    pathsAllowed: true,
  });
  const done = new Promise<JobInfo>((resolve) => {
    const off = backend.onEvent((e) => {
      if (e.type === 'job.done') {
        off();
        resolve(e.payload);
      }
    });
  });
  const started = await backend.call('extract.start', {
    inputs: [join(appRoot(), 'assets/samples/invoice.pdf')],
    kinds: ['dates'],
    formats: ['csv', 'json'],
    outDir: join(dir, 'out'),
  });
  assert.ok(started.ok, started.ok ? '' : started.error.message);
  job = await done;
  assert.equal(job.progress.state, 'done');
});

after(async () => {
  await server?.close();
  await backend?.dispose();
  await rm(dir, { recursive: true, force: true });
});

test('a finished job: each listed output downloads as an attachment with the bytes on disk', async () => {
  assert.deepEqual(
    job.outputs.map((o) => o.split(/[/\\]/).pop()),
    ['dates.csv', 'dates.json', 'summary.json'],
  );
  for (const name of ['dates.csv', 'dates.json', 'summary.json']) {
    const r = await get(jobOutputPath(job.jobId, name));
    assert.equal(r.status, 200, `${name}: ${r.body.toString()}`);
    assert.deepEqual(r.body, await readFile(join(dir, 'out', name)));
    assert.match(String(r.headers['content-disposition']), new RegExp(`^attachment; filename="${name}"`));
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  }
  assert.match(
    String((await get(jobOutputPath(job.jobId, 'dates.csv'))).headers['content-type']),
    /^text\/csv/,
  );
});

test('refused: no token, an unknown job, a file the job did not write, a path out of the folder', async () => {
  assert.equal((await get(jobOutputPath(job.jobId, 'dates.csv'), null)).status, 401);
  assert.equal((await get(jobOutputPath(job.jobId, 'dates.csv'), 'wrong-token')).status, 401);
  assert.equal((await get(jobOutputPath('no-such-job', 'dates.csv'))).status, 404);
  await writeFile(join(dir, 'out', 'notes.txt'), 'not an output');
  assert.equal((await get(jobOutputPath(job.jobId, 'notes.txt'))).status, 404);
  assert.equal((await get(jobOutputPath(job.jobId, '../data/settings.json'))).status, 404);
  assert.equal((await get(`/jobs/${job.jobId}/..%2F..%2Fetc%2Fpasswd`)).status, 404);
  assert.equal((await get(`/jobs/${job.jobId}/%E0%A4%A`)).status, 400);
});
