// Headless mode: the same backend and renderer bundle over HTTP + SSE on loopback, guarded by a random
// token. How the UI is tested in Chromium here, and how a user opens DocLens on a GPU box from a laptop.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { AppEvent } from '../shared/contract.js';
import { RENDERER_CSP } from '../shared/csp.js';
import { parseInput } from '../shared/dispatch.js';
import type { Envelope, ErrorCode } from '../shared/errors.js';
import { toErrorInfo } from '../shared/errors.js';
import { WIRE_MIME, decodeWire, encodeWire } from '../shared/wire.js';
import { serveJobOutput } from './job-downloads.js';

/** What the server needs from a backend: the in-process Backend and the forked BackendLink both fit. */
export interface BackendConnection {
  call(channel: string, input: unknown): Promise<Envelope<unknown>>;
  onEvent(listener: (event: AppEvent) => void): () => void;
}

export interface ServerOptions {
  backend: BackendConnection;
  rendererDir: string;
  host?: string;
  port?: number;
  token?: string;
  /** Allow channels that take server-side file paths (off by default: clients upload bytes instead). */
  pathsAllowed?: boolean;
  maxBodyBytes?: number;
}

export interface RunningServer {
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid_input: 400,
  not_found: 404,
  forbidden: 403,
  unauthorized: 401,
  not_implemented: 501,
  too_large: 413,
};

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.bcmap': 'application/octet-stream',
  '.pfb': 'application/octet-stream',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function readCookie(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) throw Object.assign(new Error('body too large'), { tooLarge: true });
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

function sendEnvelope(res: ServerResponse, env: Envelope<unknown>, close = false): void {
  const status = env.ok ? 200 : (STATUS[env.error.code] ?? (env.error.code === 'internal' ? 500 : 422));
  const body = encodeWire(env);
  res.writeHead(status, {
    'content-type': WIRE_MIME,
    'content-length': body.length,
    'cache-control': 'no-store',
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const maxBody = opts.maxBodyBytes ?? 512 * 1024 * 1024;
  const pathsAllowed = opts.pathsAllowed ?? false;
  const sseClients = new Set<ServerResponse>();
  let cookieName = 'doclens_token';
  let allowedHosts = new Set<string>();

  const unsubscribe = opts.backend.onEvent((event) => {
    const data = `event: message\ndata: ${JSON.stringify(event)}\n\n`;
    for (const res of sseClients) res.write(data);
  });

  function authorised(req: IncomingMessage, url: URL): boolean {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ') && sameToken(auth.slice(7), token)) return true;
    const cookie = readCookie(req, cookieName);
    if (cookie && sameToken(cookie, token)) return true;
    const q = url.searchParams.get('token');
    return q !== null && sameToken(q, token);
  }

  async function serveStatic(res: ServerResponse, pathname: string): Promise<void> {
    const rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname.slice(1));
    const file = normalize(join(opts.rendererDir, rel));
    if (!file.startsWith(normalize(opts.rendererDir) + sep)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const st = await stat(file);
      if (!st.isFile()) throw new Error('not a file');
      const headers: Record<string, string | number> = {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'content-length': st.size,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
      };
      if (extname(file) === '.html') {
        headers['content-security-policy'] = RENDERER_CSP;
        headers['x-frame-options'] = 'DENY';
        headers['referrer-policy'] = 'no-referrer';
      }
      res.writeHead(200, headers);
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      // DNS-rebinding guard: only our own host names may address this server.
      if (!allowedHosts.has(req.headers.host ?? '')) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden host');
        return;
      }
      if (!authorised(req, url)) {
        res
          .writeHead(401, { 'content-type': 'text/plain' })
          .end('unauthorized: open the URL printed by `doclens serve`');
        return;
      }
      // First visit with ?token=: keep it in a same-site cookie so assets and the event stream carry it.
      if (url.searchParams.has('token') && req.method === 'GET' && !url.pathname.startsWith('/rpc/')) {
        res.setHeader('set-cookie', `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`);
      }
      if (url.pathname.startsWith('/rpc/')) {
        if (req.method !== 'POST') {
          res.writeHead(405, { allow: 'POST' }).end();
          return;
        }
        const channel = decodeURIComponent(url.pathname.slice(5));
        let input: unknown;
        try {
          const body = await readBody(req, maxBody);
          const type = req.headers['content-type'] ?? '';
          input =
            body.length === 0
              ? {}
              : type.startsWith(WIRE_MIME)
                ? decodeWire(body)
                : (JSON.parse(body.toString('utf8')) as unknown);
        } catch (e) {
          const tooLarge = (e as { tooLarge?: boolean }).tooLarge === true;
          sendEnvelope(
            res,
            {
              ok: false,
              error: tooLarge
                ? { code: 'too_large', message: `request body over ${maxBody} bytes` }
                : { code: 'invalid_input', message: `unreadable request body: ${(e as Error).message}` },
            },
            tooLarge,
          );
          // Stop reading an oversized body: close the connection once the answer is out.
          if (tooLarge) res.once('finish', () => req.socket?.destroy());
          return;
        }
        try {
          parseInput(channel, input, { pathsAllowed });
        } catch (e) {
          sendEnvelope(res, { ok: false, error: toErrorInfo(e) });
          return;
        }
        const env = await opts.backend.call(channel, input);
        if (channel === 'app.info' && env.ok) env.value = { ...(env.value as object), pathsAllowed };
        sendEnvelope(res, env);
        return;
      }
      if (url.pathname === '/events') {
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        res.write(': connected\n\n');
        sseClients.add(res);
        const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
        req.on('close', () => {
          clearInterval(ping);
          sseClients.delete(res);
        });
        return;
      }
      // A finished batch job's output files, as downloads (job-downloads.ts).
      if (await serveJobOutput(res, req.method ?? 'GET', url.pathname, (c, i) => opts.backend.call(c, i)))
        return;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
        return;
      }
      await serveStatic(res, url.pathname);
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(e));
    });
  });
  server.requestTimeout = 0;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  cookieName = `doclens_token_${port}`;
  allowedHosts = new Set([`${host}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`]);
  const origin = `http://${host}:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    close: async () => {
      unsubscribe();
      for (const res of sseClients) res.end();
      sseClients.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
