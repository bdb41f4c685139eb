// Test double of the Hugging Face hub on 127.0.0.1: the revision, tree and resolve routes the store uses, a second
// "CDN" server that LFS files redirect to (as the hub does), and faults to inject per file. Used by the tests only.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  /** Send the headers for the whole answer, then `after` bytes, then drop the connection. */
  | { kind: 'drop'; after: number }
  /** Send `after` bytes and then nothing, keeping the connection open. */
  | { kind: 'stall'; after: number }
  /** Same length, different bytes. */
  | { kind: 'wrong-bytes' }
  | { kind: 'status'; status: number }
  /** Answer 200 with the whole file even to a Range request (sent as `slow` says, when given). */
  | { kind: 'ignore-range'; slow?: { chunk: number; delayMs: number } }
  /** Send `chunk` bytes every `delayMs`. */
  | { kind: 'slow'; chunk: number; delayMs: number };

export interface FakeRepo {
  sha: string;
  files: Map<string, Uint8Array>;
  /** Paths served through LFS (listed with an `lfs` block, redirected to the CDN). Default: `*.onnx*`, `*.safetensors`. */
  lfs?: (path: string) => boolean;
}

export interface LoggedRequest {
  server: 'hub' | 'cdn';
  path: string;
  range: string | null;
  authorization: string | null;
  status: number;
  /** Body bytes of the file written to this response (for asserting what a resume re-downloads). */
  sent: number;
  /** Slow answers only: whether it was sent to its end (false: the client hung up first); null otherwise. */
  completed: boolean | null;
}

export interface FakeHub {
  endpoint: string;
  cdn: string;
  log: LoggedRequest[];
  repos: Map<string, FakeRepo>;
  /**
   * Faults by repo file path, used up one per request (`times` requests each; default 1). The API routes take faults
   * too, under `api:revision` and `api:tree`: `status` answers with it, `stall` never answers, `drop` closes the socket.
   */
  fault(path: string, fault: Fault, times?: number): void;
  /** Drops every queued fault (between tests). */
  clearFaults(): void;
  /** Tree listing page size (to exercise `Link: rel="next"`). */
  pageSize: number;
  close(): Promise<void>;
}

/** Every file under `dir` (relative paths with `/`) as a repo at commit `sha`. */
export function repoFromFolder(dir: string, sha: string): FakeRepo {
  const files = new Map<string, Uint8Array>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path);
      else if (e.isFile()) files.set(path, new Uint8Array(readFileSync(join(dir, path))));
    }
  };
  walk('');
  return { sha, files };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function gitBlobOid(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

const defaultLfs = (path: string) => /\.(onnx(_data(_\d+)?)?|safetensors)$/.test(path);

async function listen(server: Server, port = 0): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** sha256 per buffer, remembered: the CDN looks blobs up by hash on every request. */
const hashes = new WeakMap<Uint8Array, string>();
function blobHash(bytes: Uint8Array): string {
  let h = hashes.get(bytes);
  if (!h) {
    h = sha256Hex(bytes);
    hashes.set(bytes, h);
  }
  return h;
}

export interface FakeHubOptions {
  /** Port of the hub (default: any free one); the CDN takes `port + 1` when a port is given. */
  port?: number;
}

export async function startFakeHub(
  repos: Record<string, FakeRepo>,
  options: FakeHubOptions = {},
): Promise<FakeHub> {
  const faults = new Map<string, { fault: Fault; left: number }[]>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const log: LoggedRequest[] = [];
  const hubRepos = new Map(Object.entries(repos));
  const blobs = () => {
    const out = new Map<string, { path: string; bytes: Uint8Array }>();
    for (const repo of hubRepos.values())
      for (const [path, bytes] of repo.files) out.set(blobHash(bytes), { path, bytes });
    return out;
  };

  const takeFault = (path: string): Fault | null => {
    const queue = faults.get(path);
    const head = queue?.[0];
    if (!queue || !head) return null;
    if (--head.left <= 0) queue.shift();
    return head.fault;
  };

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  /** Serves `bytes` honouring Range, after applying any fault queued for `path`. */
  const serveBytes = (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    original: Uint8Array,
    entry: LoggedRequest,
  ) => {
    const write = (chunk: Uint8Array, cb?: () => void) => {
      entry.sent += chunk.length;
      return cb ? res.write(chunk, cb) : res.write(chunk);
    };
    const fault = takeFault(path);
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': 'text/plain' }).end(`fault ${fault.status}`);
      return fault.status;
    }
    let bytes = original;
    if (fault?.kind === 'wrong-bytes') {
      bytes = Uint8Array.from(original);
      for (let i = 0; i < bytes.length; i += 97) bytes[i] = (bytes[i] ?? 0) ^ 0xff;
    }
    // `bytes=a-` and `bytes=a-b` (b past the end is cut to it, as RFC 9110 says); other forms are ignored (200).
    const range = fault?.kind === 'ignore-range' ? null : /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    let start = 0;
    let end = bytes.length - 1;
    let status = 200;
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
    };
    if (range?.[1] !== undefined) {
      start = Number(range[1]);
      if (range[2]) end = Math.min(end, Number(range[2]));
      if (start >= bytes.length || start > end) {
        res.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
        return 416;
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${end}/${bytes.length}`;
    }
    const body = bytes.subarray(start, end + 1);
    headers['content-length'] = String(body.length);
    res.writeHead(status, headers);
    if (fault?.kind === 'drop') {
      write(body.subarray(0, fault.after), () => later(20, () => res.socket?.destroy()));
    } else if (fault?.kind === 'stall') {
      write(body.subarray(0, fault.after)); // then nothing, until the client gives up
    } else if (fault?.kind === 'slow' || (fault?.kind === 'ignore-range' && fault.slow)) {
      const slow = fault.kind === 'slow' ? fault : (fault.slow ?? { chunk: body.length, delayMs: 0 });
      let at = 0;
      const step = () => {
        if (res.destroyed) {
          entry.completed = false;
          return;
        }
        const next = body.subarray(at, at + slow.chunk);
        at += next.length;
        entry.sent += next.length;
        if (at >= body.length) {
          entry.completed = true;
          res.end(next);
        } else res.write(next, () => later(slow.delayMs, step));
      };
      step();
    } else {
      entry.sent += body.length;
      res.end(body);
    }
    return status;
  };

  /** Logs the request as it arrives; its status and byte count are filled in as it is answered. */
  const record = (server: 'hub' | 'cdn', req: IncomingMessage): LoggedRequest => {
    const entry: LoggedRequest = {
      server,
      path: decodeURIComponent((req.url ?? '').split('?')[0] ?? ''),
      range: req.headers.range ?? null,
      authorization: req.headers.authorization ?? null,
      status: 0,
      sent: 0,
      completed: null,
    };
    log.push(entry);
    return entry;
  };

  const json = (
    res: ServerResponse,
    status: number,
    value: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
    return status;
  };

  let cdnBase = '';
  const hub = createServer((req, res) => {
    const entry = record('hub', req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const parts = url.pathname.split('/').map(decodeURIComponent);
    let status = 404;
    try {
      const apiFault = parts[1] === 'api' ? takeFault(`api:${parts[5] ?? ''}`) : null;
      if (apiFault?.kind === 'status')
        status = json(res, apiFault.status, { error: `fault ${apiFault.status}` });
      else if (apiFault?.kind === 'stall')
        status = 0; // headers never sent; the client's timeout ends it
      else if (apiFault?.kind === 'drop') {
        req.socket.destroy();
        status = 0;
      } else if (parts[1] === 'api' && parts[2] === 'models') {
        const repoId = `${parts[3]}/${parts[4]}`;
        const repo = hubRepos.get(repoId);
        const rev = parts[6] ?? '';
        if (!repo || (rev !== 'main' && rev !== repo.sha))
          status = json(res, 404, { error: 'Repository not found' });
        else if (parts[5] === 'revision') status = json(res, 200, { id: repoId, sha: repo.sha });
        else if (parts[5] === 'tree') {
          const isLfs = repo.lfs ?? defaultLfs;
          const dirs = new Set(
            [...repo.files.keys()].filter((p) => p.includes('/')).map((p) => p.split('/')[0] ?? ''),
          );
          const entries: unknown[] = [...dirs].map((d) => ({
            type: 'directory',
            oid: '0'.repeat(40),
            size: 0,
            path: d,
          }));
          for (const [path, bytes] of repo.files) {
            if (isLfs(path))
              entries.push({
                type: 'file',
                oid: createHash('sha1').update(path).digest('hex'),
                size: bytes.length,
                path,
                lfs: { oid: blobHash(bytes), size: bytes.length, pointerSize: 134 },
              });
            else entries.push({ type: 'file', oid: gitBlobOid(bytes), size: bytes.length, path });
          }
          const cursor = Number(url.searchParams.get('cursor') ?? '0');
          const page = entries.slice(cursor, cursor + api.pageSize);
          const headers: Record<string, string> = {};
          if (cursor + api.pageSize < entries.length) {
            const next = new URL(url.toString());
            next.searchParams.set('cursor', String(cursor + api.pageSize));
            headers.link = `<${next.pathname}${next.search}>; rel="next"`;
          }
          status = json(res, 200, page, headers);
        } else status = json(res, 404, { error: 'no such route' });
      } else if (parts[3] === 'resolve') {
        const repo = hubRepos.get(`${parts[1]}/${parts[2]}`);
        const rev = parts[4] ?? '';
        const path = parts.slice(5).join('/');
        const bytes = repo?.files.get(path);
        if (!repo || !bytes || (rev !== 'main' && rev !== repo.sha))
          status = json(res, 404, { error: 'Entry not found' });
        else if ((repo.lfs ?? defaultLfs)(path)) {
          // Like the hub: LFS content lives elsewhere, reached by an absolute redirect to another host.
          res
            .writeHead(302, {
              location: `${cdnBase}/blobs/${blobHash(bytes)}?name=${encodeURIComponent(path)}`,
            })
            .end();
          status = 302;
        } else status = serveBytes(req, res, path, bytes, entry);
      } else status = json(res, 404, { error: 'no such route' });
    } finally {
      entry.status = status;
    }
  });

  const cdn = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const blob = blobs().get(url.pathname.replace('/blobs/', ''));
    const entry = record('cdn', req);
    entry.status = blob
      ? serveBytes(req, res, blob.path, blob.bytes, entry)
      : json(res, 404, { error: 'no blob' });
  });

  for (const server of [hub, cdn])
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
  const endpoint = await listen(hub, options.port);
  cdnBase = await listen(cdn, options.port ? options.port + 1 : 0);

  const api: FakeHub = {
    endpoint,
    cdn: cdnBase,
    log,
    repos: hubRepos,
    pageSize: 1000,
    fault(path, fault, times = 1) {
      const queue = faults.get(path) ?? [];
      queue.push({ fault, left: times });
      faults.set(path, queue);
    },
    clearFaults() {
      faults.clear();
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await Promise.all([hub, cdn].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
  return api;
}
