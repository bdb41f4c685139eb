// A connection that drops mid-body while the download is behind (backpressure) must be retried, not crash the
// process: Node's built-in fetch asserts `!this.paused` when a `Connection: close` socket ends under a paused body.
// The download runs in a child process so that a crash fails this test instead of killing the test runner.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const downloadModule = fileURLToPath(new URL('./download.ts', import.meta.url));
const hubModule = fileURLToPath(new URL('./hub-client.ts', import.meta.url));

/** Child: a loopback server whose first four answers hang up after 3 MiB each (of 16 MiB), and a download that lags. */
const CHILD = `
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const { downloadFile } = await import(${JSON.stringify(downloadModule)});
const { HubClient } = await import(${JSON.stringify(hubModule)});
const size = 16 * 1024 * 1024;
const DROPS = 4;
const bytes = Buffer.alloc(size);
for (let i = 0; i < size; i += 4) bytes.writeUInt32LE((i * 2654435761) >>> 0, i);
const ranges = [];
const server = createServer((req, res) => {
  const m = /^bytes=(\\d+)-$/.exec(req.headers.range ?? '');
  const start = m ? Number(m[1]) : 0;
  ranges.push(start);
  const headers = { 'content-length': String(size - start), connection: 'close' };
  if (m) headers['content-range'] = 'bytes ' + start + '-' + (size - 1) + '/' + size;
  res.writeHead(m ? 206 : 200, headers);
  if (ranges.length <= DROPS) {
    for (let at = start; at < Math.min(size, start + 3 * 1024 * 1024); at += 256 * 1024)
      res.write(bytes.subarray(at, at + 256 * 1024));
    setTimeout(() => res.socket?.destroy(), 50);
  } else res.end(bytes.subarray(start));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const endpoint = 'http://127.0.0.1:' + server.address().port;
const dir = mkdtempSync(join(tmpdir(), 'doclens-drop-'));
// A slow disk while the dropping answers last: 20 ms a write, so the body stream fills up and the HTTP parser pauses while the
// server hangs up (the condition under which fetch's parser asserts).
const probe = await open(join(dir, 'probe'), 'w');
const proto = Object.getPrototypeOf(probe);
await probe.close();
const write = proto.write;
proto.write = async function (...args) {
  if (ranges.length <= DROPS) await new Promise((r) => setTimeout(r, 20));
  return write.apply(this, args);
};
try {
  const got = await downloadFile({
    hub: new HubClient({ endpoint }),
    url: endpoint + '/file.bin',
    dest: join(dir, 'file.bin.part'),
    expected: { bytes: size, sha256: createHash('sha256').update(bytes).digest('hex'), gitOid: null },
    signal: new AbortController().signal,
    onBytes: () => undefined,
    stallMs: 5000,
    retries: 2,
    retryDelayMs: 10,
  });
  console.log(JSON.stringify({ ok: true, requests: got.requests, bytes: got.bytes, ranges }));
} finally {
  rmSync(dir, { recursive: true, force: true });
  server.close();
}
`;

test('a connection dropped mid-body under backpressure is retried with Range; the process survives', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  }, 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  assert.equal(code, 0, `the download process died (exit ${code}):\n${err.slice(-2000)}`);
  const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
    ok: boolean;
    requests: number;
    bytes: number;
    ranges: number[];
  };
  assert.equal(result.ok, true);
  assert.equal(result.bytes, 16 * 1024 * 1024);
  assert.equal(result.requests, 5);
  assert.equal(result.ranges.length, 5);
  assert.equal(result.ranges[0], 0);
  for (let i = 1; i < result.ranges.length; i++)
    assert.ok(
      (result.ranges[i] ?? 0) > (result.ranges[i - 1] ?? 0),
      `each retry resumes with Range from the bytes on disk: ${JSON.stringify(result.ranges)}`,
    );
});
