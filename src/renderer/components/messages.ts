// One way to turn a thrown value into the sentence a toast or a panel shows.
import { ApiError } from '../../shared/api-client.js';

export function errorMessage(e: unknown): string {
  return e instanceof ApiError || e instanceof Error ? e.message : String(e);
}

/** Node's and undici's ways of saying the network is not there (DNS, refused, unreachable, timed out). */
const OFFLINE =
  /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ENETUNREACH|EHOSTUNREACH|ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT)\b|fetch failed|getaddrinfo/i;

/**
 * A model hub error as a person reads it: a network failure becomes "no connection to the model hub" (the
 * raw text, with its code and host, stays available as details); anything else keeps its own message.
 */
export function hubError(raw: string): { summary: string; details: string | null } {
  if (OFFLINE.test(raw)) {
    const host = /(?:ENOTFOUND|EAI_AGAIN|getaddrinfo \w+)\s+([\w.-]+)/.exec(raw)?.[1];
    return {
      summary: `No connection to the model hub${host ? ` (${host})` : ''}. Check the network and try again, or import a model folder.`,
      details: raw,
    };
  }
  // Keep the first sentence short; long ones (paths, stacks) go to the details.
  if (raw.length > 160) return { summary: `${raw.slice(0, 157).trimEnd()}…`, details: raw };
  return { summary: raw, details: null };
}
