// One way to turn a thrown value into the sentence a toast or a panel shows.
import { ApiError } from '../../shared/api-client.js';

export function errorMessage(e: unknown): string {
  return e instanceof ApiError || e instanceof Error ? e.message : String(e);
}
