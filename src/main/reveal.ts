// "Open the output folder" of a batch job: the backend checks the job and its folder exist and answers the path;
// main, which alone may touch the desktop shell, opens it in the file manager. Kept free of electron imports
// (the opener is passed in) so it is unit-tested directly.
import type { Envelope } from '../shared/errors.js';

/** Electron's shell.openPath: resolves to '' on success, else an error message. */
export type OpenPath = (path: string) => Promise<string>;

/**
 * A backend reply as the renderer should see it: for `extract.revealOutput`, the folder is opened and the reply
 * says so, or becomes an error naming the folder and why it could not be opened. Other replies pass through.
 */
export async function revealAfterCall(
  channel: string,
  reply: Envelope<unknown>,
  openPath: OpenPath,
): Promise<Envelope<unknown>> {
  if (channel !== 'extract.revealOutput' || !reply.ok) return reply;
  const value = reply.value as { path?: unknown };
  if (typeof value.path !== 'string' || value.path === '')
    return { ok: false, error: { code: 'internal', message: 'the backend answered no folder to open' } };
  const failure = await openPath(value.path).catch((e: unknown) => String(e));
  if (failure)
    return { ok: false, error: { code: 'io_error', message: `could not open ${value.path}: ${failure}` } };
  return { ok: true, value: { path: value.path, opened: true } };
}
