// What the preload exposes, built from the channel list: `call` for allow-listed channels and `on` for
// events. Kept free of electron imports so it is unit-tested directly.
import type { AppEvent } from '../shared/contract.js';
import { isChannel } from '../shared/contract.js';
import type { Envelope } from '../shared/errors.js';

export interface BridgeDeps {
  invoke(channel: string, input: unknown): Promise<unknown>;
  subscribe(listener: (event: AppEvent) => void): () => void;
}

export interface Bridge {
  call(channel: string, input: unknown): Promise<Envelope<unknown>>;
  on(listener: (event: AppEvent) => void): () => void;
}

export function buildBridge(deps: BridgeDeps): Bridge {
  return Object.freeze({
    call(channel: string, input: unknown): Promise<Envelope<unknown>> {
      if (typeof channel !== 'string' || !isChannel(channel)) {
        return Promise.resolve({
          ok: false,
          error: { code: 'not_found', message: `unknown channel "${String(channel)}"` },
        });
      }
      return deps.invoke(channel, input) as Promise<Envelope<unknown>>;
    },
    on(listener: (event: AppEvent) => void): () => void {
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      return deps.subscribe(listener);
    },
  });
}
