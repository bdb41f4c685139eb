// Builds the AppErrors the documents room throws: one code from the contract and a message that names the file,
// so a batch job's error row says which document failed and why. Passwords never appear in a message.
import { AppError, type ErrorCode } from '../shared/errors.js';

export function docError(code: ErrorCode, name: string, detail: string): AppError {
  return new AppError(code, `"${name}": ${detail}`);
}

const DEFAULT_DETAIL: Partial<Record<ErrorCode, string>> = {
  empty_file: 'the file is empty (0 bytes)',
  needs_password: 'the document is password-protected; enter its password to open it',
  wrong_password: 'the password is not correct',
  corrupt: 'the file is damaged and could not be read',
  too_large: 'the document is too large to open',
  timeout: 'reading the document took too long',
  not_found: 'the file does not exist',
  io_error: 'the file could not be read',
};

export function defaultDetail(code: ErrorCode): string {
  return DEFAULT_DETAIL[code] ?? code;
}

/** Plain-data form of an AppError, for crossing a worker boundary. */
export interface WireError {
  code: ErrorCode;
  message: string;
}

export function toWireError(e: unknown, name: string): WireError {
  if (e instanceof AppError) return { code: e.code, message: e.message };
  const msg = e instanceof Error ? e.message : String(e);
  return { code: 'corrupt', message: `"${name}": the file could not be read (${msg})` };
}

export function fromWireError(w: WireError): AppError {
  return new AppError(w.code, w.message);
}
