// The one `api` the renderer uses: Electron's window.api (from the preload) when present, otherwise the HTTP
// transport of headless mode. Components never know which.
import { createApi } from '../../shared/api-client.js';
import type { RawTransport } from '../../shared/api-client.js';
import type { Api, AppEvent } from '../../shared/contract.js';
import type { Envelope } from '../../shared/errors.js';
import { z } from 'zod';
import { createHttpTransport } from './http-transport.js';

// The CSP forbids eval: tell zod not to probe for it with `new Function` (a reported CSP violation) and to
// parse without generated code.
z.config({ jitless: true });

interface PreloadApi {
  call(channel: string, input: unknown): Promise<Envelope<unknown>>;
  on(listener: (event: AppEvent) => void): () => void;
}

function preloadTransport(): RawTransport | null {
  const exposed = (window as unknown as { api?: PreloadApi }).api;
  if (!exposed) return null;
  return { invoke: (c, i) => exposed.call(c, i), subscribe: (l) => exposed.on(l) };
}

export const isElectron = preloadTransport() !== null;
export const api: Api = createApi(preloadTransport() ?? createHttpTransport());
