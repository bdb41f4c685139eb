// The IPC transport of Electron main: one invoke channel carrying (channel, input), dropped unless the
// sender is trusted, parsed with the contract before it reaches the backend, answered with the envelope.
import { parseInput } from '../shared/dispatch.js';
import type { Envelope } from '../shared/errors.js';
import { toErrorInfo } from '../shared/errors.js';
import type { SenderFacts } from './security.js';
import { isTrustedSender } from './security.js';

export const RPC_CHANNEL = 'doclens:rpc';
export const EVENT_CHANNEL = 'doclens:event';

export interface IpcMainLike {
  handle(channel: string, listener: (event: unknown, ...args: unknown[]) => Promise<unknown>): void;
}

export interface RpcDeps {
  senderFacts(event: unknown): SenderFacts;
  trusted: ReadonlySet<number>;
  call(channel: string, input: unknown): Promise<Envelope<unknown>>;
  log?(line: string): void;
}

export function rpcListener(deps: RpcDeps) {
  return async (event: unknown, channel: unknown, input: unknown): Promise<Envelope<unknown>> => {
    const facts = deps.senderFacts(event);
    if (!isTrustedSender(facts, deps.trusted)) {
      deps.log?.(`dropped IPC from untrusted sender ${facts.frameUrl ?? '(no frame)'}`);
      return { ok: false, error: { code: 'forbidden', message: 'untrusted sender' } };
    }
    try {
      if (typeof channel !== 'string') throw new TypeError('channel must be a string');
      parseInput(channel, input, { pathsAllowed: true });
    } catch (e) {
      return { ok: false, error: toErrorInfo(e) };
    }
    return deps.call(channel, input);
  };
}

export function registerRpc(ipc: IpcMainLike, deps: RpcDeps): void {
  const listener = rpcListener(deps);
  ipc.handle(RPC_CHANNEL, (event, channel, input) => listener(event, channel, input));
}
