// Error codes and the one result envelope every transport returns, so an error keeps its code across
// Electron IPC, HTTP and in-process calls.
import { z } from 'zod';

export const ErrorCode = z.enum([
  'invalid_input',
  'not_found',
  'not_implemented',
  'forbidden',
  'unauthorized',
  'empty_file',
  'unsupported_format',
  'needs_password',
  'wrong_password',
  'corrupt',
  'too_large',
  'timeout',
  'cancelled',
  'no_model',
  'io_error',
  'disk_full',
  'backend_restarted',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorInfo = z.object({ code: ErrorCode, message: z.string() });
export type ErrorInfo = z.infer<typeof ErrorInfo>;

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** An error that carries a contract error code; handlers throw it and transports turn it into an envelope. */
export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
  }
}

export function isAppError(e: unknown): e is AppError {
  return (
    e instanceof AppError ||
    (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AppError')
  );
}

/** Turns anything thrown into the envelope's error shape; unknown errors become `internal`. */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (isAppError(e)) return { code: e.code, message: e.message };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message: message || 'internal error' };
}

export function fail(error: ErrorInfo): never {
  throw new AppError(error.code, error.message);
}
