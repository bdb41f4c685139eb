// Talks to the Hugging Face hub (or a mirror named by HF_ENDPOINT): resolves a revision to its commit, lists the
// repo tree with sizes and LFS sha256, and follows `resolve` redirects by hand so the token never leaves the hub host.
// NOTE: node:http(s), not the global fetch: Node's bundled undici asserts `!this.paused` (an uncaught exception that
// kills the process) when a `Connection: close` socket ends while a response body is paused by backpressure, which
// is what a dropped download looks like. A node:http response reports the same drop as an ordinary stream error.
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { z } from 'zod';
import { AppError, type ErrorCode } from '../../shared/errors.js';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';
const MAX_REDIRECTS = 10;

/** One entry of GET /api/models/{repo}/tree/{revision}: huggingface.js `ApiIndexTreeEntry`, the fields we use. */
export const TreeEntry = z.object({
  type: z.enum(['file', 'directory', 'unknown']),
  path: z.string(),
  size: z.number().int().nonnegative(),
  /** Git blob id (sha1 of "blob <size>\0" + content) — of the LFS pointer for LFS files. */
  oid: z.string(),
  lfs: z
    .object({ oid: z.string(), size: z.number().int().nonnegative(), pointerSize: z.number().optional() })
    .optional(),
});
export type TreeEntry = z.infer<typeof TreeEntry>;

const RevisionInfo = z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/) });

/** An HTTP failure with whether trying again (later, or with Range) may help. */
export class HubError extends AppError {
  readonly status: number | null;
  readonly retryable: boolean;
  constructor(code: ErrorCode, message: string, status: number | null, retryable: boolean) {
    super(code, message);
    this.status = status;
    this.retryable = retryable;
  }
}

export function httpError(status: number, url: string, what: string): HubError {
  if (status === 404)
    return new HubError('not_found', `${what} not found on the hub (404 ${url})`, status, false);
  if (status === 401)
    return new HubError('unauthorized', `${what}: the hub wants a token (401); set HF_TOKEN`, status, false);
  if (status === 403)
    return new HubError(
      'forbidden',
      `${what}: access denied (403); accept the licence on the hub first`,
      status,
      false,
    );
  const retryable = status >= 500 || status === 429 || status === 408;
  return new HubError('io_error', `${what}: HTTP ${status} from ${url}`, status, retryable);
}

/** One answer: status, headers and the body as a Node stream (destroyed by `cancel`). */
export class HubResponse {
  readonly status: number;
  readonly body: IncomingMessage;
  private readonly raw: IncomingHttpHeaders;
  constructor(message: IncomingMessage) {
    this.status = message.statusCode ?? 0;
    this.body = message;
    this.raw = message.headers;
  }
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }
  header(name: string): string | null {
    const v = this.raw[name.toLowerCase()];
    return Array.isArray(v) ? v.join(', ') : (v ?? null);
  }
  /** Drops the rest of the body and the connection. */
  cancel(): void {
    this.body.destroy();
  }
  /** The body parsed as JSON, refusing one larger than `maxBytes`. */
  async json(maxBytes = 64 * 1024 * 1024): Promise<unknown> {
    const parts: Buffer[] = [];
    let n = 0;
    for await (const chunk of this.body) {
      n += (chunk as Buffer).length;
      if (n > maxBytes) {
        this.cancel();
        throw new Error(`answer larger than ${maxBytes} bytes`);
      }
      parts.push(chunk as Buffer);
    }
    return JSON.parse(Buffer.concat(parts).toString('utf8')) as unknown;
  }
}

/** One GET; resolves with the answer once its headers are in. Aborting `signal` destroys request and body. */
function get(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<HubResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      reject(new Error(`unsupported protocol ${u.protocol}`));
      return;
    }
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, {
      method: 'GET',
      headers,
      signal,
    });
    req.once('response', (message) => {
      // A body error after this point reaches whoever reads the body; this keeps it from being unhandled.
      message.on('error', () => undefined);
      resolve(new HubResponse(message));
    });
    req.once('error', reject);
    req.end();
  });
}

export interface HubClientOptions {
  endpoint?: string;
  token?: string;
  userAgent?: string;
}

export class HubClient {
  readonly endpoint: string;
  private readonly hubHost: string;
  private readonly token: string | undefined;
  private readonly userAgent: string;

  constructor({ endpoint, token, userAgent = 'DocLens' }: HubClientOptions = {}) {
    this.endpoint = (endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
    this.hubHost = new URL(this.endpoint).host;
    this.token = token || undefined;
    this.userAgent = userAgent;
  }

  /** Headers for `url`: the token only goes to the hub's own host, never to a CDN it redirects to. */
  headersFor(url: string, extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { 'user-agent': this.userAgent, ...extra };
    if (this.token && new URL(url).host === this.hubHost) headers.authorization = `Bearer ${this.token}`;
    return headers;
  }

  /** GET with redirects followed by hand (the token is re-decided per hop). Returns the final, non-3xx response. */
  async request(
    url: string,
    init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<HubResponse> {
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      let res: HubResponse;
      try {
        res = await get(current, this.headersFor(current, init.headers), init.signal);
      } catch (e) {
        if (init.signal?.aborted) throw init.signal.reason;
        throw new HubError('io_error', `cannot reach ${current}: ${causeMessage(e)}`, null, true);
      }
      const location = res.header('location');
      if (res.status >= 300 && res.status < 400 && location !== null) {
        res.cancel();
        current = new URL(location, current).toString();
        continue;
      }
      return res;
    }
    throw new HubError('io_error', `too many redirects from ${url}`, null, false);
  }

  private async getJson(
    url: string,
    what: string,
    signal?: AbortSignal,
  ): Promise<{ json: unknown; res: HubResponse }> {
    const res = await this.request(url, { headers: { accept: 'application/json' }, signal });
    if (!res.ok) {
      res.cancel();
      throw httpError(res.status, url, what);
    }
    try {
      return { json: await res.json(), res };
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      throw new HubError(
        'io_error',
        `${what}: the hub answered with bad JSON (${causeMessage(e)})`,
        res.status,
        true,
      );
    }
  }

  /** The commit sha a branch or tag points at (GET /api/models/{repo}/revision/{revision} → { sha }). */
  async resolveRevision(repo: string, revision: string, signal?: AbortSignal): Promise<string> {
    if (/^[0-9a-f]{40}$/.test(revision)) return revision;
    const url = `${this.endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}`;
    const { json } = await this.getJson(url, `${repo}@${revision}`, signal);
    const parsed = RevisionInfo.safeParse(json);
    if (!parsed.success)
      throw new HubError('io_error', `${repo}@${revision}: no commit sha in the hub's answer`, 200, false);
    return parsed.data.sha;
  }

  /** Every file of the repo at `revision` (recursive tree listing, following `Link: <…>; rel="next"` pages). */
  async listTree(repo: string, revision: string, signal?: AbortSignal): Promise<TreeEntry[]> {
    let url: string | null =
      `${this.endpoint}/api/models/${repo}/tree/${encodeURIComponent(revision)}?recursive=true&expand=false`;
    const out: TreeEntry[] = [];
    for (let page = 0; url && page < 1000; page++) {
      const got: { json: unknown; res: HubResponse } = await this.getJson(
        url,
        `file list of ${repo}@${revision}`,
        signal,
      );
      const parsed = z.array(TreeEntry).safeParse(got.json);
      if (!parsed.success)
        throw new HubError('io_error', `file list of ${repo}: unexpected shape from the hub`, 200, false);
      out.push(...parsed.data.filter((e) => e.type === 'file'));
      url = nextLink(got.res.header('link'), url);
    }
    return out;
  }

  resolveUrl(repo: string, revision: string, path: string): string {
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    return `${this.endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${encoded}`;
  }
}

/** The `rel="next"` target of a Link header, resolved against the page it came with. */
export function nextLink(header: string | null, base: string): string | null {
  if (!header) return null;
  for (const part of header.split(',')) {
    const m = /<([^>]*)>\s*;\s*rel="?next"?/.exec(part.trim());
    if (m?.[1]) return new URL(m[1], base).toString();
  }
  return null;
}

export function causeMessage(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message;
}
