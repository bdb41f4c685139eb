// The renderer's transport in headless mode (`doclens serve`): POST /rpc/:channel with the binary-safe wire
// format, events over SSE. The token arrives once in the URL and lives on in a same-site cookie.
import type { RawTransport } from '../../shared/api-client.js';
import type { AppEvent } from '../../shared/contract.js';
import type { Envelope } from '../../shared/errors.js';
import { WIRE_MIME, decodeWire, encodeWire } from '../../shared/wire.js';

export function createHttpTransport(base = ''): RawTransport {
  const listeners = new Set<(event: AppEvent) => void>();
  let source: EventSource | null = null;

  function connect(): void {
    if (source) return;
    source = new EventSource(`${base}/events`);
    source.onmessage = (m: MessageEvent<string>) => {
      const event = JSON.parse(m.data) as AppEvent;
      for (const l of listeners) l(event);
    };
  }

  return {
    async invoke(channel: string, input: unknown): Promise<Envelope<unknown>> {
      let res: Response;
      try {
        res = await fetch(`${base}/rpc/${encodeURIComponent(channel)}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': WIRE_MIME },
          body: encodeWire(input ?? {}) as Uint8Array<ArrayBuffer>,
        });
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
