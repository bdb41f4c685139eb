// The renderer's transport in headless mode (`doclens serve`): POST /rpc/:channel with the binary-safe wire
// format, uploads as raw bytes, events over SSE read through fetch. The token arrives once in the URL
// fragment, lives in this origin's sessionStorage and travels only as an Authorization header — never in a
// cookie, which the browser would also hand to every other server on the same host.
import type { RawTransport } from '../../shared/api-client.js';
import type { AppEvent } from '../../shared/contract.js';
import type { Envelope } from '../../shared/errors.js';
import { WIRE_MIME, decodeWire, encodeWire } from '../../shared/wire.js';

const TOKEN_KEY = 'doclens.token';

/** Takes the token from `#token=…` (once; the address bar is cleared) or from this tab's sessionStorage. */
export function takeToken(): string {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match?.[1]) {
    const token = decodeURIComponent(match[1]);
    window.sessionStorage.setItem(TOKEN_KEY, token);
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    return token;
  }
  return window.sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** Feeds SSE text to `onData` once per complete `data:` event; returns the unparsed rest. */
function parseSse(buffer: string, onData: (data: string) => void): string {
  let rest = buffer;
  for (let end = rest.indexOf('\n\n'); end >= 0; end = rest.indexOf('\n\n')) {
    const frame = rest.slice(0, end);
    rest = rest.slice(end + 2);
    const data = frame
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data) onData(data);
  }
  return rest;
}

export function createHttpTransport(base = '', token = takeToken()): RawTransport {
  const listeners = new Set<(event: AppEvent) => void>();
  const auth = { authorization: `Bearer ${token}` };
  let connected = false;

  async function streamEvents(): Promise<void> {
    const res = await fetch(`${base}/events`, { headers: auth, cache: 'no-store' });
    if (!res.ok || !res.body) throw new Error(`event stream: HTTP ${res.status}`);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer = parseSse(buffer + value, (data) => {
        const event = JSON.parse(data) as AppEvent;
        for (const l of listeners) l(event);
      });
    }
  }

  function connect(): void {
    if (connected) return;
    connected = true;
    // Like EventSource: reconnect after a drop, backing off while the server is away.
    void (async () => {
      for (let delay = 500; ; delay = Math.min(delay * 2, 10_000)) {
        const started = Date.now();
        await streamEvents().catch(() => undefined);
        if (Date.now() - started > 30_000) delay = 500;
        await new Promise((r) => setTimeout(r, delay));
      }
    })();
  }

  async function post(channel: string, input: unknown): Promise<Response> {
    const upload = input as { name?: unknown; bytes?: unknown; password?: unknown } | null;
    if (channel === 'documents.upload' && upload?.bytes instanceof Uint8Array) {
      // Documents go as raw bytes, which the server streams to disk instead of holding in memory.
      return fetch(`${base}/rpc/documents.upload`, {
        method: 'POST',
        headers: {
          ...auth,
          'content-type': 'application/octet-stream',
          'x-doclens-name': encodeURIComponent(typeof upload.name === 'string' ? upload.name : ''),
          ...(typeof upload.password === 'string'
            ? { 'x-doclens-password': encodeURIComponent(upload.password) }
            : {}),
        },
        body: upload.bytes as Uint8Array<ArrayBuffer>,
      });
    }
    return fetch(`${base}/rpc/${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': WIRE_MIME },
      body: encodeWire(input ?? {}) as Uint8Array<ArrayBuffer>,
    });
  }

  return {
    async invoke(channel: string, input: unknown): Promise<Envelope<unknown>> {
      let res: Response;
      try {
        res = await post(channel, input);
      } catch (e) {
        return {
          ok: false,
          error: { code: 'backend_restarted', message: `DocLens server unreachable: ${String(e)}` },
        };
      }
      if (res.headers.get('content-type')?.startsWith(WIRE_MIME)) {
        return decodeWire(new Uint8Array(await res.arrayBuffer())) as Envelope<unknown>;
      }
      const text = await res.text();
      return {
        ok: false,
        error: {
          code: res.status === 401 ? 'unauthorized' : 'internal',
          message: text || `HTTP ${res.status}`,
        },
      };
    },
    subscribe(listener) {
      listeners.add(listener);
      connect();
      return () => listeners.delete(listener);
    },
  };
}

/**
 * Downloads a server file that needs the token (a finished job's outputs): a plain link cannot carry the
 * Authorization header, so the bytes come through fetch and are saved from an object URL.
 */
export async function downloadWithToken(path: string, name: string, token = takeToken()): Promise<void> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
  if (!res.ok) throw new Error(`${name}: ${(await res.text()) || `HTTP ${res.status}`}`);
  const url = URL.createObjectURL(await res.blob());
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
  } finally {
    // The click has handed the bytes to the download; the URL is not needed after this turn.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
