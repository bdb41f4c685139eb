// The parse-then-handle step every transport shares: validate the channel and the input with the contract,
// call the handler, and wrap whatever happens in the envelope.
import { channels, isChannel } from './contract.js';
import type { CallContext, Channel, Handlers, Output } from './contract.js';
import { AppError, toErrorInfo } from './errors.js';
import type { Envelope } from './errors.js';

export interface DispatchOptions {
  /** Refuse channels that take file-system paths (HTTP clients, by default). */
  pathsAllowed: boolean;
}

/** Parses `raw` for `channel`; throws AppError('invalid_input' | 'not_found' | 'forbidden'). */
export function parseInput(
  channel: string,
  raw: unknown,
  opts: DispatchOptions,
): { channel: Channel; input: unknown } {
  if (!isChannel(channel)) throw new AppError('not_found', `unknown channel "${channel}"`);
  const def = channels[channel];
  if ('paths' in def && def.paths && !opts.pathsAllowed) {
    throw new AppError('forbidden', `"${channel}" takes file-system paths and is not open to this client`);
  }
  const parsed = def.input.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new AppError('invalid_input', `${channel}: ${where}${issue?.message ?? 'invalid input'}`);
  }
  return { channel, input: parsed.data };
}

export async function dispatch(
  handlers: Handlers,
  channel: string,
  raw: unknown,
  ctx: CallContext,
  opts: DispatchOptions,
): Promise<Envelope<unknown>> {
  try {
    const { channel: c, input } = parseInput(channel, raw, opts);
    const handler = handlers[c] as (input: unknown, ctx: CallContext) => Promise<Output<Channel>>;
    const value = await handler(input, ctx);
    return { ok: true, value };
  } catch (e) {
    return { ok: false, error: toErrorInfo(e) };
  }
}
