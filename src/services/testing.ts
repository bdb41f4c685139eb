// For the services' tests: a real backend on a fresh data folder, shared by the tests of one file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { createBackend, type Backend } from './backend.js';

export interface TestBackend {
  /** The backend (set once the file's `before` hook has run). */
  backend: Backend;
  /** A temporary folder of the test file's own; the backend's data folder is `data` inside it. */
  dir: string;
  /** Calls `channel` and returns its value, or throws with the error's code and message. */
  call<T>(channel: string, input: unknown): Promise<T>;
}

/**
 * Registers before/after hooks that create the backend in a new folder under `prefix` (then `ready` runs, e.g. to
 * subscribe to its events), and dispose and delete it after the file's tests.
 */
export function testBackend(prefix: string, ready?: (backend: Backend) => void): TestBackend {
  const t: TestBackend = {
    backend: undefined as unknown as Backend,
    dir: '',
    async call<T>(channel: string, input: unknown): Promise<T> {
      const r = await t.backend.call(channel, input);
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      return r.value as T;
    },
  };
  before(async () => {
    t.dir = await mkdtemp(join(tmpdir(), prefix));
    t.backend = await createBackend({ dataDir: join(t.dir, 'data') });
    ready?.(t.backend);
  });
  after(async () => {
    await t.backend.dispose();
    await rm(t.dir, { recursive: true, force: true });
  });
  return t;
}
