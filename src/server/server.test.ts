// The headless transport for real: an HTTP server on loopback over an in-process backend with real pdf.js,
// and (for the restart path) a really forked backend process that really dies.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createBackend } from '../services/backend.js';
import type { Backend } from '../services/backend.js';
import { appRoot } from '../services/paths.js';
import { BackendLink } from '../shared/backend-link.js';
import type { AppEvent } from '../shared/contract.js';
import type { Envelope } from '../shared/errors.js';
import { WIRE_MIME, decodeWire, encodeWire } from '../shared/wire.js';
import { forkBackend } from './fork-backend.js';
import type { RunningServer } from './server.js';
import { startServer } from './server.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function http(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: Uint8Array } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

describe('headless server', () => {
  let dir: string;
  let backend: Backend;
  let server: RunningServer;

  async function rpc(
    channel: string,
    input: unknown,
    token = server.token,
  ): Promise<{ status: number; env: Envelope<unknown> }> {
    const r = await http(`${server.origin}/rpc/${channel}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': WIRE_MIME },
      body: encodeWire(input),
    });
    return { status: r.status, env: decodeWire(new Uint8Array(r.body)) as Envelope<unknown> };
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'doclens-server-'));
    const rendererDir = join(dir, 'renderer');
    await mkdir(rendererDir);
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>DocLens</title>');
    await writeFile(join(dir, 'secret.txt'), 'top secret');
    backend = await createBackend({ dataDir: join(dir, 'data') });
    server = await startServer({ backend, rendererDir, maxBodyBytes: 2 * 1024 * 1024 });
  });
  after(async () => {
    await server.close();
    await backend.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  test('binds 127.0.0.1 on a random port and prints a tokenised URL', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  });

  test('every request needs the token: 401 without, wrong token refused', async () => {
    assert.equal((await http(`${server.origin}/`)).status, 401);
    assert.equal((await http(`${server.origin}/rpc/app.info`, { method: 'POST' })).status, 401);
    assert.equal((await http(`${server.origin}/events`)).status, 401);
    const wrong = await http(`${server.origin}/rpc/app.info`, {
      method: 'POST',
      headers: { authorization: 'Bearer nope' },
    });
    assert.equal(wrong.status, 401);
  });

  test('the token URL sets a same-site HttpOnly cookie and serves the renderer with a strict CSP', async () => {
    const r = await http(server.url);
    assert.equal(r.status, 200);
    assert.match(
      String(r.headers['set-cookie']),
      new RegExp(`doclens_token_${server.port}=${server.token}; HttpOnly; SameSite=Strict`),
    );
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-eval/);
    const withCookie = await http(`${server.origin}/`, {
      headers: { cookie: `doclens_token_${server.port}=${server.token}` },
    });
    assert.equal(withCookie.status, 200);
    assert.match(withCookie.body.toString(), /<title>DocLens<\/title>/);
  });

  test('foreign Host headers are refused (DNS rebinding)', async () => {
    const r = await http(`${server.origin}/rpc/app.info`, {
      method: 'POST',
      headers: { host: 'evil.example', authorization: `Bearer ${server.token}` },
    });
    assert.equal(r.status, 403);
  });

  test('static files cannot escape the renderer folder', async () => {
    const r = await http(`${server.origin}/..%2Fsecret.txt?token=${server.token}`);
    assert.equal(r.status, 404);
    assert.doesNotMatch(r.body.toString(), /top secret/);
  });

  test('unknown channels 404, bad input 400, path channels 403, all in the envelope', async () => {
    const unknown = await rpc('fs.read', {});
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.env, {
      ok: false,
      error: { code: 'not_found', message: 'unknown channel "fs.read"' },
    });
    const bad = await rpc('documents.pageImage', { docId: 'x', page: 'one' });
    assert.equal(bad.status, 400);
    assert.ok(!bad.env.ok && bad.env.error.code === 'invalid_input');
    const path = await rpc('documents.open', { path: '/etc/hostname' });
    assert.equal(path.status, 403);
    assert.ok(!path.env.ok && path.env.error.code === 'forbidden');
    const info = await rpc('app.info', {});
    assert.ok(info.env.ok);
    assert.equal((info.env.value as { pathsAllowed: boolean }).pathsAllowed, false);
  });

  test('request bodies over the limit get 413', async () => {
    const r = await rpc('documents.upload', { name: 'big.pdf', bytes: new Uint8Array(3 * 1024 * 1024) });
    assert.equal(r.status, 413);
    assert.ok(!r.env.ok && r.env.error.code === 'too_large');
  });

  test('upload → info → content → page image → text, with bytes intact and ids opaque', async () => {
    const pdf = await readFile(join(appRoot(), 'assets', 'samples', 'invoice.pdf'));
    const up = await rpc('documents.upload', { name: 'invoice.pdf', bytes: new Uint8Array(pdf) });
    assert.ok(up.env.ok, JSON.stringify(up.env));
    const info = up.env.value as {
      id: string;
      pageCount: number;
      pages: Array<{ width: number; height: number }>;
    };
    assert.match(info.id, /^d_[\w-]+$/);
    assert.equal(info.pageCount, 1);
    assert.deepEqual([info.pages[0]?.width, info.pages[0]?.height], [612, 792]);
    const content = await rpc('documents.content', { docId: info.id });
    assert.ok(content.env.ok);
    assert.ok(Buffer.from((content.env.value as { bytes: Uint8Array }).bytes).equals(pdf));
    const img = await rpc('documents.pageImage', { docId: info.id, page: 1, dpi: 72 });
    assert.ok(img.env.ok);
    const png = (img.env.value as { png: Uint8Array; width: number; height: number }).png;
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.deepEqual(
      [(img.env.value as { width: number }).width, (img.env.value as { height: number }).height],
      [612, 792],
    );
    const text = await rpc('documents.text', { docId: info.id, page: 1 });
    assert.ok(text.env.ok);
    const words = (text.env.value as { words: Array<{ text: string }> }).words.map((w) => w.text);
    assert.ok(words.includes('INV-2025-0314'), words.join(' '));
    const missing = await rpc('documents.text', { docId: info.id, page: 2 });
    assert.ok(
      !missing.env.ok &&
        missing.env.error.code === 'invalid_input' &&
        /1 page/.test(missing.env.error.message),
    );
  });

  test('bad files give their codes: empty_file, unsupported_format', async () => {
    const empty = await rpc('documents.upload', { name: 'empty.pdf', bytes: new Uint8Array(0) });
    assert.ok(
      !empty.env.ok && empty.env.error.code === 'empty_file' && /empty\.pdf/.test(empty.env.error.message),
    );
    const junk = await rpc('documents.upload', {
      name: 'junk.pdf',
      bytes: new Uint8Array(2048).map((_, i) => (i * 37) % 256),
    });
    assert.ok(!junk.env.ok && junk.env.error.code === 'unsupported_format', JSON.stringify(junk.env));
  });

  test('events reach SSE clients', async () => {
    const got = new Promise<string>((resolve, reject) => {
      const req = request(
        `${server.origin}/events`,
        { headers: { authorization: `Bearer ${server.token}` } },
        (res) => {
          let buf = '';
          res.on('data', (c: Buffer) => {
            buf += c.toString();
            const m = /data: (.*)\n\n/.exec(buf);
            if (m?.[1]) {
              req.destroy();
              resolve(m[1]);
            }
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    await new Promise((r) => setTimeout(r, 100));
    const event: AppEvent = { type: 'backend.status', payload: { state: 'ready', message: 'hello' } };
    backend.emit(event);
    assert.deepEqual(JSON.parse(await got), event);
  });
});

describe('backend process restart', () => {
  test('a crash fails the call in flight with backend_restarted and the next call works on a new process', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'doclens-link-'));
    const events: AppEvent[] = [];
    const link = new BackendLink({
      spawn: () => forkBackend({ ...process.env, DOCLENS_DATA_DIR: dataDir, DOCLENS_ALLOW_CRASH: '1' }),
      onEvent: (e) => events.push(e),
    });
    try {
      await link.whenReady();
      const first = await link.call('app.info', {});
      assert.ok(first.ok);
      const pid1 = (first.value as { backendPid: number }).backendPid;
      const crashed = await link.call('__crash', {});
      assert.ok(!crashed.ok && crashed.error.code === 'backend_restarted', JSON.stringify(crashed));
      await link.whenReady();
      const second = await link.call('app.info', {});
      assert.ok(second.ok);
      assert.notEqual((second.value as { backendPid: number }).backendPid, pid1);
      assert.ok(events.some((e) => e.type === 'backend.status' && e.payload.state === 'restarted'));
    } finally {
      link.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
