// Turns an envelope-returning transport into the typed Api the renderer and CLI use: ok values are returned,
// errors are thrown as ApiError carrying the contract's error code.
import type { Api, AppEvent, Channel, Input, Output } from './contract.js';
import type { Envelope, ErrorCode } from './errors.js';

export class ApiError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

export interface RawTransport {
  invoke(channel: string, input: unknown): Promise<Envelope<unknown>>;
  subscribe(listener: (event: AppEvent) => void): () => void;
}

export function unwrap<T>(env: Envelope<T>): T {
  if (env.ok) return env.value;
  throw new ApiError(env.error.code, env.error.message);
}

export function createApi(transport: RawTransport): Api {
  return {
    async call<C extends Channel>(channel: C, input: Input<C>): Promise<Output<C>> {
      return unwrap((await transport.invoke(channel, input)) as Envelope<Output<C>>);
    },
    on(listener) {
      return transport.subscribe(listener);
    },
  };
}
