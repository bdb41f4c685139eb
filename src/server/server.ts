// Headless mode: the same backend and renderer bundle over HTTP + SSE on loopback, guarded by a random
// token. How the UI is tested in Chromium here, and how a user opens DocLens on a GPU box from a laptop.
//
// Security model (issue 12): the token never lives in a cookie (browsers send cookies to every port of a
// host, so any other server on 127.0.0.1 would receive it). The page gets it once from the URL fragment and
// sends it as `Authorization: Bearer` on every API call and on the event stream. Every API request is also
// checked for Origin / Sec-Fetch-Site and a non-form content type before its body is read, bodies are capped
// per channel (uploads stream to disk), and slow or excess connections are dropped.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { basename, extname, join, normalize, sep } from 'node:path';
import type { AppEvent } from '../shared/contract.js';
import { RENDERER_CSP } from '../shared/csp.js';
import { parseInput } from '../shared/dispatch.js';
import type { Envelope, ErrorCode, ErrorInfo } from '../shared/errors.js';
import { toErrorInfo } from '../shared/errors.js';
import { WIRE_MIME, decodeWire, encodeWire } from '../shared/wire.js';
import { serveJobOutput } from './job-downloads.js';
import { createOpenAiApi } from './openai-api.js';

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
  /** Cap on an uploaded document, streamed to disk (default 512 MiB). */
  maxUploadBytes?: number;
  /** Cap on every other request body, held in memory (default 4 MiB). */
  maxBodyBytes?: number;
  /** Time to receive a whole request, headers and body (default 10 min: big uploads over an SSH tunnel). */
  requestTimeoutMs?: number;
  /** Time to receive the headers (default 15 s). */
  headersTimeoutMs?: number;
  /** A body that sends nothing for this long is dropped (default 30 s). */
  bodyIdleTimeoutMs?: number;
  /** Open connections one client address may hold (default 32; a browser uses about 7). */
  maxConnectionsPerClient?: number;
  /** The OpenAI-compatible API (openai-api.ts): fetch http(s) image URLs; body and per-image caps. */
  allowRemoteImages?: boolean;
  maxChatBodyBytes?: number;
  maxImageBytes?: number;
}

export interface RunningServer {
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Upload bodies: raw bytes, the name and password in headers (percent-encoded UTF-8). */
export const UPLOAD_MIME = 'application/octet-stream';
export const UPLOAD_NAME_HEADER = 'x-doclens-name';
export const UPLOAD_PASSWORD_HEADER = 'x-doclens-password';

const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid_input: 400,
  not_found: 404,
  forbidden: 403,
  unauthorized: 401,
  not_implemented: 501,
  too_large: 413,
  timeout: 408,
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

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A host as it appears in a URL or Host header: IPv6 literals in brackets. */
export function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function decodeOr400(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new HttpError(400, 'invalid_input', `malformed percent-encoding in ${what}`);
  }
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * Whether a request comes from our own page (or from a non-browser client, which sends neither header).
 * Browsers set Sec-Fetch-Site on every request and Origin on every POST; a page on any other origin —
 * including another port of 127.0.0.1, which SameSite cookies would count as the same site — is refused.
 */
export function sameOriginRequest(
  headers: { origin?: string | undefined; 'sec-fetch-site'?: string | undefined },
  allowedOrigins: ReadonlySet<string>,
): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = headers.origin;
  if (origin !== undefined && !allowedOrigins.has(origin)) return false;
  return true;
}

function chunksWithIdleTimeout(req: IncomingMessage, idleMs: number): AsyncIterable<Buffer> {
  // A body that stalls is refused with 408: Node's requestTimeout only bounds the whole request.
  return {
    async *[Symbol.asyncIterator]() {
      const it = req[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      for (;;) {
        let timer: NodeJS.Timeout | undefined;
        const next = it.next();
        const idle = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new HttpError(408, 'timeout', `request body idle for ${idleMs} ms`)),
            idleMs,
          );
        });
        try {
          const r = await Promise.race([next, idle]);
          if (r.done) return;
          yield r.value;
        } catch (e) {
          next.catch(() => undefined);
          throw e;
        } finally {
          clearTimeout(timer);
        }
      }
    },
  };
}

async function readBody(req: IncomingMessage, limit: number, idleMs: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, 'too_large', `request body over ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const b of chunksWithIdleTimeout(req, idleMs)) {
    size += b.length;
    if (size > limit) throw new HttpError(413, 'too_large', `request body over ${limit} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** The file name an upload is stored under: its base name with anything unusual replaced. */
export function safeUploadName(name: string): string {
  return (
    basename(name.replace(/\\/g, '/'))
      .replace(/[^\w.\- ()]+/g, '_')
      .replace(/^\.+/, '_')
      .slice(0, 120) || 'document'
  );
}

/** Streams an upload body to `<uploads>/<sha256 prefix>/<name>` with a size cap; returns the file's path. */
async function receiveUpload(
  req: IncomingMessage,
  uploads: string,
  name: string,
  limit: number,
  idleMs: number,
): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, 'too_large', `upload over ${limit} bytes`);
  await mkdir(uploads, { recursive: true });
  const incoming = join(uploads, `.incoming-${randomBytes(8).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  try {
    await pipeline(
      chunksWithIdleTimeout(req, idleMs),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const b of source) {
          size += b.length;
          if (size > limit) throw new HttpError(413, 'too_large', `upload over ${limit} bytes`);
          hash.update(b);
          yield b;
        }
      },
      createWriteStream(incoming, { flags: 'wx' }),
    );
    const dir = join(uploads, hash.digest('hex').slice(0, 16));
    await mkdir(dir, { recursive: true });
    const file = join(dir, safeUploadName(name));
    await rename(incoming, file);
    return file;
  } catch (e) {
    await rm(incoming, { force: true });
    throw e;
  }
}

function sendEnvelope(res: ServerResponse, env: Envelope<unknown>, status?: number): void {
  const code =
    status ?? (env.ok ? 200 : (STATUS[env.error.code] ?? (env.error.code === 'internal' ? 500 : 422)));
  const body = encodeWire(env);
  res.writeHead(code, {
    'content-type': WIRE_MIME,
    'content-length': body.length,
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** Answers a refusal and drops the connection: a body the client is still sending is never stored. */
function refuse(res: ServerResponse, status: number, error: ErrorInfo, asEnvelope: boolean): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.setHeader('connection', 'close');
  // Discard (never buffer) what the client is still sending for a moment, so it can read this answer
  // instead of a connection reset, then drop the connection.
  const socket = res.socket ?? res.req.socket;
  res.once('finish', () => {
    res.req.resume();
    setTimeout(() => socket?.destroy(), 1000).unref();
  });
  if (asEnvelope) sendEnvelope(res, { ok: false, error }, status);
  else res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(error.message);
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const maxUpload = opts.maxUploadBytes ?? 512 * 1024 * 1024;
  const maxBody = opts.maxBodyBytes ?? 4 * 1024 * 1024;
  const idleMs = opts.bodyIdleTimeoutMs ?? 30_000;
  const perClient = opts.maxConnectionsPerClient ?? 32;
  const pathsAllowed = opts.pathsAllowed ?? false;
  const sseClients = new Set<ServerResponse>();
  let allowedHosts = new Set<string>();
  let allowedOrigins = new Set<string>();
  let uploadsDir: string | null = null;

  const unsubscribe = opts.backend.onEvent((event) => {
    const data = `event: message\ndata: ${JSON.stringify(event)}\n\n`;
    for (const res of sseClients) res.write(data);
  });

  function authorised(req: IncomingMessage): boolean {
    const auth = req.headers.authorization;
    return auth !== undefined && auth.startsWith('Bearer ') && sameToken(auth.slice(7), token);
  }

  async function uploads(): Promise<string> {
    if (uploadsDir) return uploadsDir;
    const info = await opts.backend.call('app.info', {});
    if (!info.ok) throw new HttpError(503, info.error.code, info.error.message);
    uploadsDir = join((info.value as { dataDir: string }).dataDir, 'uploads');
    return uploadsDir;
  }

  const openAi = createOpenAiApi({
    backend: opts.backend,
    authorised,
    sameOrigin: (req) => sameOriginRequest(req.headers, allowedOrigins),
    readBody: (req, limit) => readBody(req, limit, idleMs),
    allowRemoteImages: opts.allowRemoteImages,
    maxBodyBytes: opts.maxChatBodyBytes,
    maxImageBytes: opts.maxImageBytes,
  });

  async function serveStatic(res: ServerResponse, pathname: string): Promise<void> {
    const rel = pathname === '/' ? 'index.html' : decodeOr400(pathname.slice(1), 'the path');
    const file = normalize(join(opts.rendererDir, rel));
    if (!file.startsWith(normalize(opts.rendererDir) + sep) || rel.includes('\0')) {
      res.writeHead(404).end();
      return;
    }
    try {
      const st = await stat(file);
      if (!st.isFile()) throw new Error('not a file');
      const headers: Record<string, string | number> = {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'content-length': st.size,
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

  async function handleRpc(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const channel = decodeOr400(pathname.slice(5), 'the channel');
    const type = mediaType(req);
    if (channel === 'documents.upload' && type === UPLOAD_MIME) {
      const rawName = req.headers[UPLOAD_NAME_HEADER];
      const name = typeof rawName === 'string' ? decodeOr400(rawName, UPLOAD_NAME_HEADER) : '';
      if (name.length === 0 || name.length > 512) {
        throw new HttpError(
          400,
          'invalid_input',
          `documents.upload: ${UPLOAD_NAME_HEADER} must be 1-512 characters`,
        );
      }
      const rawPassword = req.headers[UPLOAD_PASSWORD_HEADER];
      const password =
        typeof rawPassword === 'string' ? decodeOr400(rawPassword, UPLOAD_PASSWORD_HEADER) : undefined;
      const file = await receiveUpload(req, await uploads(), name, maxUpload, idleMs);
      // The server chose this path itself, so the backend may open it even when clients may not name paths.
      sendEnvelope(res, await opts.backend.call('documents.open', { path: file, password }));
      return;
    }
    if (type !== WIRE_MIME && type !== 'application/json') {
      throw new HttpError(
        415,
        'invalid_input',
        `unsupported content type "${type}": send ${WIRE_MIME} or application/json`,
      );
    }
    const body = await readBody(req, maxBody, idleMs);
    let input: unknown;
    try {
      input =
        body.length === 0 ? {} : type === WIRE_MIME ? decodeWire(body) : JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new HttpError(400, 'invalid_input', `unreadable request body: ${(e as Error).message}`);
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
  }

  function handleEvents(req: IncomingMessage, res: ServerResponse): void {
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
  }

  const server = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    const isRpc = (req.url ?? '').startsWith('/rpc/');
    void (async () => {
      // Nothing of ours may be embedded by another origin.
      res.setHeader('cross-origin-resource-policy', 'same-origin');
      res.setHeader('x-content-type-options', 'nosniff');
      // DNS-rebinding guard: only our own host names may address this server.
      if (!allowedHosts.has(req.headers.host ?? '')) {
        throw new HttpError(403, 'forbidden', 'forbidden host');
      }
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://localhost');
      } catch {
        throw new HttpError(400, 'invalid_input', 'malformed request URL');
      }
      // /v1/*: the OpenAI-compatible API, with its own error shape (token and origin checked there).
      if (await openAi.handle(req, res, url.pathname)) return;
      const api =
        url.pathname.startsWith('/rpc/') || url.pathname === '/events' || url.pathname.startsWith('/jobs/');
      if (!api) {
        // The renderer bundle is the public app and carries no data: it is served without the token.
        if (req.method !== 'GET' && req.method !== 'HEAD')
          throw new HttpError(405, 'invalid_input', 'method not allowed');
        await serveStatic(res, url.pathname);
        return;
      }
      if (!sameOriginRequest(req.headers, allowedOrigins)) {
        throw new HttpError(403, 'forbidden', 'cross-origin request refused');
      }
      if (!authorised(req)) {
        throw new HttpError(401, 'unauthorized', 'unauthorized: open the URL printed by `doclens serve`');
      }
      if (url.pathname === '/events') {
        if (req.method !== 'GET') throw new HttpError(405, 'invalid_input', 'method not allowed');
        handleEvents(req, res);
        return;
      }
      // A finished batch job's output files, as downloads (job-downloads.ts): token and origin checked above.
      if (url.pathname.startsWith('/jobs/')) {
        if (await serveJobOutput(res, req.method ?? 'GET', url.pathname, (c, i) => opts.backend.call(c, i)))
          return;
        throw new HttpError(404, 'not_found', 'not found');
      }
      if (req.method !== 'POST') throw new HttpError(405, 'invalid_input', 'method not allowed');
      await handleRpc(req, res, url.pathname);
    })().catch((e: unknown) => {
      const known = e instanceof HttpError ? e : null;
      const status = known?.status ?? 500;
      const error: ErrorInfo = known
        ? { code: known.code, message: known.message }
        : { code: 'internal', message: String(e) };
      if (status === 405) res.setHeader('allow', isRpc ? 'POST' : 'GET, HEAD');
      refuse(res, status, error, isRpc);
    });
  });
  server.requestTimeout = opts.requestTimeoutMs ?? 600_000;
  server.headersTimeout = Math.min(opts.headersTimeoutMs ?? 15_000, server.requestTimeout);

  // Connections per client address: a flood of idle or slow sockets from one client cannot starve others.
  const perAddress = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const who = socket.remoteAddress ?? '?';
    const n = (perAddress.get(who) ?? 0) + 1;
    if (n > perClient) {
      socket.destroy();
      return;
    }
    perAddress.set(who, n);
    socket.once('close', () => {
      const left = (perAddress.get(who) ?? 1) - 1;
      if (left <= 0) perAddress.delete(who);
      else perAddress.set(who, left);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const names = new Set([urlHost(host), 'localhost', '127.0.0.1', '[::1]']);
  allowedHosts = new Set([...names].map((h) => `${h}:${port}`));
  allowedOrigins = new Set([...allowedHosts].map((h) => `http://${h}`));
  const origin = `http://${urlHost(host)}:${port}`;
  return {
    // The token rides in the fragment: browsers never send it to any server, and the page moves it into
    // sessionStorage (scoped to this origin, port included) before clearing the address bar.
    url: `${origin}/#token=${token}`,
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
