// Helpers shared by the `doclens` commands: usage errors, typed backend calls, output.
import type { Backend } from '../services/backend.js';
import { unwrap } from '../shared/api-client.js';
import type { Channel, Input, Output } from '../shared/contract.js';
import type { Envelope } from '../shared/errors.js';

/** A mistake in the command line itself: printed with the usage, exit code 2. */
export class UsageError extends Error {}

export function intOption(value: string | undefined, name: string, fallback?: number, min = 1): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${value}"`);
  return n;
}

export async function call<C extends Channel>(
  backend: Backend,
  channel: C,
  input: Input<C>,
): Promise<Output<C>> {
  return unwrap((await backend.call(channel, input)) as Envelope<Output<C>>);
}

export function print(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}
