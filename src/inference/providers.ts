// Which onnxruntime execution provider runs a model, in one table: onnxruntime-node has no automatic fallback,
// so `auto` tries each provider in turn, records why each one failed, and every answer can say where it ran.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import type { Provider, ProviderAttempt } from '../shared/domain.js';
import { AppError } from '../shared/errors.js';

export type ProviderPreference = 'auto' | Provider;

interface ProviderEntry {
  provider: Provider;
  /** Human name for messages and the status line. */
  label: string;
  /** Why this provider cannot run on this platform at all, or null when it may. */
  unsupported: (platform: NodeJS.Platform, arch: string) => string | null;
  /** The executionProviders list handed to onnxruntime (CPU last, so nodes an EP lacks still run). */
  executionProviders: InferenceSession.ExecutionProviderConfig[];
  /** Turns onnxruntime's terse failure into the real reason (missing library, no device, …). */
  diagnose: (error: unknown) => string;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Folder of onnxruntime-node's native binding, where the CUDA provider libraries must sit. */
export function ortBinaryDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const root = dirname(require.resolve('onnxruntime-node/package.json'));
    return join(root, 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return null;
  }
}

/**
 * onnxruntime-node reports a CUDA failure as "Failed to load shared library" and prints the loader's message to
 * stderr only. We ask the dynamic loader ourselves: a missing provider library is named, and loading the one that
 * is present surfaces the first missing dependency (e.g. `libcudnn.so.9: cannot open shared object file`).
 */
export function cudaLibrariesMissing(): string | null {
  const dir = ortBinaryDir();
  if (!dir) return null;
  for (const lib of ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so']) {
    if (!existsSync(join(dir, lib))) {
      return (
        `${lib} is not installed in ${dir}: onnxruntime-node was installed without its CUDA download ` +
        `(reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12 npm install)`
      );
    }
  }
  return null;
}

export function diagnoseCuda(error: unknown): string {
  const raw = message(error);
  const dir = ortBinaryDir();
  if (!dir) return raw;
  const missing = cudaLibrariesMissing();
  if (missing) return `${missing} — onnxruntime said: ${raw}`;
  try {
    const probe = { exports: {} };
    process.dlopen(probe, join(dir, 'libonnxruntime_providers_cuda.so'), osConstants.dlopen.RTLD_LAZY);
  } catch (e) {
    const loader = message(e);
    // Loading a plain library (not a Node addon) that resolves fine ends in "did not self-register": no news.
    if (!/self-register/i.test(loader)) return `CUDA libraries not found: ${loader}`;
  }
  return raw;
}

/** Priority order of `auto`. */
export const PROVIDER_TABLE: readonly ProviderEntry[] = [
  {
    provider: 'cuda',
    label: 'CUDA',
    unsupported: (platform, arch) =>
      platform === 'linux' && arch === 'x64'
        ? null
        : `the CUDA provider of onnxruntime-node is built for Linux x64 only (this is ${platform} ${arch})`,
    executionProviders: [{ name: 'cuda', deviceId: 0 }, 'cpu'],
    // NOTE: onnxruntime throws only "Failed to load shared library" (the loader's message goes to stderr), so
    // the diagnosis asks the loader itself which library is missing.
    diagnose: diagnoseCuda,
  },
  {
    provider: 'dml',
    label: 'DirectML',
    unsupported: (platform) =>
      platform === 'win32' ? null : `DirectML is Windows-only (this is ${platform})`,
    executionProviders: [{ name: 'dml', deviceId: 0 }, 'cpu'],
    diagnose: message,
  },
  {
    provider: 'cpu',
    label: 'CPU',
    unsupported: () => null,
    executionProviders: ['cpu'],
    diagnose: message,
  },
];

function entry(provider: Provider): ProviderEntry {
  const found = PROVIDER_TABLE.find((e) => e.provider === provider);
  if (!found) throw new AppError('invalid_input', `unknown provider ${String(provider)}`);
  return found;
}

/** The providers a preference tries, in order. */
export function providerOrder(preference: ProviderPreference): Provider[] {
  if (preference === 'auto') return PROVIDER_TABLE.map((e) => e.provider);
  if (!PROVIDER_TABLE.some((e) => e.provider === preference)) {
    throw new AppError(
      'invalid_input',
      `provider must be one of auto, ${PROVIDER_TABLE.map((e) => e.provider).join(', ')}; got ${String(preference)}`,
    );
  }
  return [preference];
}

export interface ThreadOptions {
  /** intra-op threads; default: every core the process may use (capped at 16). */
  threads?: number;
}

/** Session options for a provider, with thread counts sized to the machine. */
export function sessionOptionsFor(
  provider: Provider,
  { threads }: ThreadOptions = {},
): InferenceSession.SessionOptions {
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw new AppError('invalid_input', `threads must be a positive integer, got ${threads}`);
  }
  const intra = threads ?? Math.max(1, Math.min(16, availableParallelism()));
  return {
    executionProviders: entry(provider).executionProviders,
    intraOpNumThreads: intra,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    // Errors only: a failed CUDA probe is reported through the attempts, not as a red stderr line.
    logSeverityLevel: 3,
  };
}

/** A failure that is about the model, not the provider: trying another provider would fail the same way. */
export class ModelLoadError extends Error {
  override readonly cause: unknown;
  constructor(cause: unknown) {
    super(message(cause));
    this.name = 'ModelLoadError';
    this.cause = cause;
  }
}

export interface Opened<T> {
  value: T;
  provider: Provider;
  attempts: ProviderAttempt[];
}

/**
 * Runs `open` with each provider of `preference` until one succeeds. `open` throws ModelLoadError (or an
 * AppError) for problems that no provider can fix; those end the search at once. When every provider fails the
 * AppError names what was tried and why each failed.
 */
export async function openWithFallback<T>(
  preference: ProviderPreference,
  open: (provider: Provider, options: InferenceSession.SessionOptions) => Promise<T>,
  opts: ThreadOptions & { platform?: NodeJS.Platform; arch?: string } = {},
): Promise<Opened<T>> {
  const platform = opts.platform ?? process.platform;
  const arch = opts.arch ?? process.arch;
  const attempts: ProviderAttempt[] = [];
  for (const provider of providerOrder(preference)) {
    const e = entry(provider);
    // Only a platform the provider is not built for is skipped untried; anything else (e.g. CUDA libraries
    // missing) is a real attempt whose failure onnxruntime reports and `diagnose` explains.
    const unsupported = e.unsupported(platform, arch);
    if (unsupported) {
      attempts.push({ provider, ok: false, reason: unsupported });
      continue;
    }
    try {
      const value = await open(provider, sessionOptionsFor(provider, opts));
      attempts.push({ provider, ok: true, reason: null });
      return { value, provider, attempts };
    } catch (error) {
      if (error instanceof ModelLoadError) throw error.cause;
      if (error instanceof AppError) throw error;
      attempts.push({ provider, ok: false, reason: e.diagnose(error) });
    }
  }
  throw new AppError(
    'invalid_input',
    `no execution provider could run the model: ${describeAttempts(attempts)}`,
  );
}

/** "CUDA: <why>; DirectML: <why>" for messages. */
export function describeAttempts(attempts: readonly ProviderAttempt[]): string {
  return attempts
    .map((a) => `${entry(a.provider).label}: ${a.ok ? 'ok' : (a.reason ?? 'failed')}`)
    .join('; ');
}

/** The status line the app shows, e.g. "Running on CPU (CUDA: libcudnn.so.9: cannot open shared object file)". */
export function providerSummary(active: Provider | null, attempts: readonly ProviderAttempt[]): string {
  const failed = attempts.filter((a) => !a.ok);
  const why = failed.length > 0 ? ` (${describeAttempts(failed)})` : '';
  return active ? `Running on ${entry(active).label}${why}` : `No provider available${why}`;
}
