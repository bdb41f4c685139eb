// The headless transport for real: an HTTP server on loopback over an in-process backend with real pdf.js,
// and (for the restart path) a really forked backend process that really dies.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
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

  async function upload(
    name: string,
    bytes: Uint8Array,
    o: { chunked?: boolean } = {},
  ): Promise<{ status: number; env: Envelope<unknown> }> {
    const r = await http(`${server.origin}/rpc/documents.upload`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.token}`,
        'content-type': 'application/octet-stream',
        'x-doclens-name': encodeURIComponent(name),
        ...(o.chunked ? { 'transfer-encoding': 'chunked' } : {}),
      },
      body: bytes,
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
    server = await startServer({
      backend,
      rendererDir,
      maxBodyBytes: 64 * 1024,
      maxUploadBytes: 2 * 1024 * 1024,
    });
  });
  after(async () => {
    await server.close();
    await backend.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  test('binds 127.0.0.1 on a random port and prints the token in the URL fragment', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{20,}$/);
  });

  test('every API request needs the token header: 401 without, wrong token, query or cookie refused', async () => {
    assert.equal((await http(`${server.origin}/rpc/app.info`, { method: 'POST' })).status, 401);
    assert.equal((await http(`${server.origin}/events`)).status, 401);
    const wrong = await http(`${server.origin}/rpc/app.info`, {
      method: 'POST',
      headers: { authorization: 'Bearer nope', 'content-type': WIRE_MIME },
    });
    assert.equal(wrong.status, 401);
    assert.ok(!(decodeWire(new Uint8Array(wrong.body)) as Envelope<unknown>).ok);
    // The token is never taken from a cookie (cookies reach every port of the host) nor from the query.
    const cookie = await http(`${server.origin}/rpc/app.info`, {
      method: 'POST',
      headers: {
        cookie: `doclens_token=${server.token}; doclens_token_${server.port}=${server.token}`,
        'content-type': WIRE_MIME,
      },
    });
    assert.equal(cookie.status, 401);
    const query = await http(`${server.origin}/events?token=${server.token}`);
    assert.equal(query.status, 401);
  });

  test('the page is public, sets no cookie and carries a strict CSP; nothing is embeddable cross-origin', async () => {
    const r = await http(`${server.origin}/`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['set-cookie'], undefined);
    assert.match(r.body.toString(), /<title>DocLens<\/title>/);
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.equal(r.headers['cross-origin-resource-policy'], 'same-origin');
    assert.equal(r.headers['x-frame-options'], 'DENY');
  });

  test('foreign Host headers are refused (DNS rebinding)', async () => {
    const r = await http(`${server.origin}/rpc/app.info`, {
      method: 'POST',
      headers: { host: 'evil.example', authorization: `Bearer ${server.token}` },
    });
    assert.equal(r.status, 403);
    assert.equal((await http(`${server.origin}/`, { headers: { host: 'evil.example:80' } })).status, 403);
  });

  test('static files cannot escape the renderer folder', async () => {
    const r = await http(`${server.origin}/..%2Fsecret.txt`);
    assert.equal(r.status, 404);
    assert.doesNotMatch(r.body.toString(), /top secret/);
  });

  test('malformed percent-encoding is a 400, not a 500', async () => {
    const page = await http(`${server.origin}/%E0%A4%A`);
    assert.equal(page.status, 400);
    assert.match(page.body.toString(), /percent-encoding/);
    const rpcBad = await http(`${server.origin}/rpc/app.%ZZinfo`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': WIRE_MIME },
      body: encodeWire({}),
    });
    assert.equal(rpcBad.status, 400);
    const env = decodeWire(new Uint8Array(rpcBad.body)) as Envelope<unknown>;
    assert.ok(!env.ok && env.error.code === 'invalid_input' && /percent-encoding/.test(env.error.message));
  });

  test('cross-origin requests are refused by Origin and Sec-Fetch-Site, even with the token', async () => {
    const post = (headers: Record<string, string>) =>
      http(`${server.origin}/rpc/settings.get`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': WIRE_MIME, ...headers },
        body: encodeWire({}),
      });
    const otherPort = `http://127.0.0.1:${server.port === 65535 ? 1 : server.port + 1}`;
    assert.equal((await post({ origin: otherPort })).status, 403);
    assert.equal((await post({ origin: 'null' })).status, 403);
    assert.equal((await post({ 'sec-fetch-site': 'same-site' })).status, 403);
    assert.equal((await post({ 'sec-fetch-site': 'cross-site' })).status, 403);
    assert.equal((await post({ 'sec-fetch-site': 'none' })).status, 403);
    assert.equal((await post({ origin: server.origin, 'sec-fetch-site': 'same-origin' })).status, 200);
    assert.equal((await post({ origin: `http://localhost:${server.port}` })).status, 200);
    // No header at all: a non-browser client, which must still hold the token.
    assert.equal((await post({})).status, 200);
  });

  test('API bodies must be the wire format or JSON: text/plain and form posts get 415', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
    ]) {
      const r = await http(`${server.origin}/rpc/settings.get`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}`, ...(type ? { 'content-type': type } : {}) },
        body: Buffer.from('{}'),
      });
      assert.equal(r.status, 415, type);
    }
    const json = await http(`${server.origin}/rpc/app.info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json; charset=utf-8' },
      body: Buffer.from('{}'),
    });
    assert.equal(json.status, 200);
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

  test('request bodies over the per-channel limit get 413: 64 KiB for calls, 2 MiB for uploads', async () => {
    const r = await rpc('documents.upload', { name: 'big.pdf', bytes: new Uint8Array(100 * 1024) });
    assert.equal(r.status, 413);
    assert.ok(!r.env.ok && r.env.error.code === 'too_large');
    const up = await upload('big.pdf', new Uint8Array(3 * 1024 * 1024));
    assert.equal(up.status, 413);
    assert.ok(!up.env.ok && up.env.error.code === 'too_large');
    // Without a Content-Length (chunked), the cap holds while streaming, and the partial file is removed.
    const chunked = await upload('big.pdf', new Uint8Array(3 * 1024 * 1024), { chunked: true });
    assert.equal(chunked.status, 413);
    const left = await readdir(join(dir, 'data', 'uploads')).catch(() => []);
    assert.deepEqual(
      left.filter((f) => f.startsWith('.incoming-')),
      [],
    );
  });

  test('uploads stream to disk as raw bytes and open like any document', async () => {
    const pdf = await readFile(join(appRoot(), 'assets', 'samples', 'invoice.pdf'));
    const up = await upload('my invoice.pdf', new Uint8Array(pdf));
    assert.ok(up.env.ok, JSON.stringify(up.env));
    const info = up.env.value as { id: string; name: string; pageCount: number };
    assert.equal(info.name, 'my invoice.pdf');
    assert.equal(info.pageCount, 1);
    const content = await rpc('documents.content', { docId: info.id });
    assert.ok(content.env.ok && Buffer.from((content.env.value as { bytes: Uint8Array }).bytes).equals(pdf));
    const noName = await http(`${server.origin}/rpc/documents.upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/octet-stream' },
      body: pdf,
    });
    assert.equal(noName.status, 400);
    const traversal = await upload('../../../../etc/evil.pdf', new Uint8Array(pdf));
    assert.ok(traversal.env.ok);
    assert.equal((traversal.env.value as { name: string }).name, 'evil.pdf');
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
    const empty = await upload('empty.pdf', new Uint8Array(0));
    assert.ok(
      !empty.env.ok && empty.env.error.code === 'empty_file' && /empty\.pdf/.test(empty.env.error.message),
    );
    const junk = await upload(
      'junk.pdf',
      new Uint8Array(2048).map((_, i) => (i * 37) % 256),
    );
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

describe('headless server limits', () => {
  let dir: string;
  let backend: Backend;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'doclens-limits-'));
    await mkdir(join(dir, 'renderer'));
    await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>DocLens</title>');
    backend = await createBackend({ dataDir: join(dir, 'data') });
  });
  after(async () => {
    await backend.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  /** Opens a raw socket, sends `head`, then trickles or stalls; resolves with what came back and when. */
  function rawRequest(port: number, head: string, host = '127.0.0.1'): Promise<{ text: string; ms: number }> {
    return new Promise((resolve, reject) => {
      const t0 = Date.now();
      const socket = connect(port, host, () => socket.write(head));
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve({ text, ms: Date.now() - t0 }));
      setTimeout(() => {
        socket.destroy();
        reject(new Error(`connection still open after 10 s: ${text}`));
      }, 10_000).unref();
    });
  }

  test('a stalled body is dropped after the idle timeout; a stalled header after the headers timeout', async () => {
    const server = await startServer({
      backend,
      rendererDir: join(dir, 'renderer'),
      bodyIdleTimeoutMs: 300,
      headersTimeoutMs: 500,
      requestTimeoutMs: 2000,
    });
    try {
      const body = await rawRequest(
        server.port,
        `POST /rpc/settings.get HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\nauthorization: Bearer ${server.token}\r\n` +
          `content-type: application/json\r\ncontent-length: 1000\r\n\r\n{`,
      );
      assert.match(body.text, /^HTTP\/1\.1 408/);
      assert.ok(body.ms < 3000, `took ${body.ms} ms`);
      const headers = await rawRequest(server.port, `GET / HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\n`);
      assert.ok(headers.ms < 4000, `took ${headers.ms} ms`);
      assert.doesNotMatch(headers.text, /^HTTP\/1\.1 200/);
    } finally {
      await server.close();
    }
  });

  test('an unauthenticated body is never read: 401 and the connection closes at once', async () => {
    const server = await startServer({ backend, rendererDir: join(dir, 'renderer') });
    try {
      const r = await rawRequest(
        server.port,
        `POST /rpc/settings.set HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\n` +
          `content-type: application/json\r\ncontent-length: 500000000\r\n\r\n{`,
      );
      assert.match(r.text, /^HTTP\/1\.1 401/);
      assert.ok(r.ms < 3000, `took ${r.ms} ms`);
    } finally {
      await server.close();
    }
  });

  test('a flood of 300 slow unauthenticated bodies is shed within seconds and the server keeps serving', async () => {
    const server = await startServer({ backend, rendererDir: join(dir, 'renderer') });
    try {
      const t0 = Date.now();
      const head =
        `POST /rpc/settings.set HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\n` +
        `content-type: application/json\r\ncontent-length: 100000000\r\n\r\n{`;
      const results = await Promise.all(
        Array.from({ length: 300 }, () =>
          rawRequest(server.port, head).catch((e: Error) => ({ text: e.message, ms: -1 })),
        ),
      );
      assert.ok(
        results.every((r) => r.ms >= 0),
        'a connection stayed open for 10 s',
      );
      assert.ok(results.every((r) => r.text === '' || /^HTTP\/1\.1 401/.test(r.text)));
      assert.ok(Date.now() - t0 < 8000, `took ${Date.now() - t0} ms`);
      assert.equal((await http(`${server.origin}/`)).status, 200);
    } finally {
      await server.close();
    }
  });

  test('one client address holds at most maxConnectionsPerClient connections', async () => {
    const server = await startServer({
      backend,
      rendererDir: join(dir, 'renderer'),
      maxConnectionsPerClient: 5,
    });
    const sockets: Socket[] = [];
    try {
      const closed: boolean[] = [];
      for (let i = 0; i < 8; i++) {
        const s = connect(server.port, '127.0.0.1');
        s.on('error', () => undefined);
        const idx = i;
        closed[idx] = false;
        s.on('close', () => (closed[idx] = true));
        sockets.push(s);
        await new Promise((r) => s.once('connect', r));
      }
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(closed, [false, false, false, false, false, true, true, true]);
      // Once connections go away, the client gets new ones again.
      for (const s of sockets.splice(0)) s.destroy();
      await new Promise((r) => setTimeout(r, 200));
      assert.equal((await http(`${server.origin}/`)).status, 200);
    } finally {
      for (const s of sockets) s.destroy();
      await server.close();
    }
  });

  test('--host ::1 listens on IPv6 loopback with a bracketed URL and Host check', async (t) => {
    let server: RunningServer;
    try {
      server = await startServer({ backend, rendererDir: join(dir, 'renderer'), host: '::1' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL') {
        t.skip('this machine has no IPv6 loopback');
        return;
      }
      throw e;
    }
    try {
      assert.match(server.url, /^http:\/\/\[::1\]:\d+\/#token=/);
      assert.equal(server.origin, `http://[::1]:${server.port}`);
      const r = await http(`${server.origin}/rpc/app.info`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${server.token}`,
          'content-type': WIRE_MIME,
          origin: server.origin,
        },
        body: encodeWire({}),
      });
      assert.equal(r.status, 200);
      assert.ok((decodeWire(new Uint8Array(r.body)) as Envelope<unknown>).ok);
    } finally {
      await server.close();
    }
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
