// Builds a backend (engine, stores, handlers) in the current process: the CLI and tests use it directly,
// and backend-entry.ts wraps it for the Electron utility process and `doclens serve`'s child process.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createDocumentEngine } from '../documents/index.js';
import type { AppEvent, Handlers } from '../shared/contract.js';
import { dispatch } from '../shared/dispatch.js';
import type { Envelope } from '../shared/errors.js';
import { DocumentStore } from './document-store.js';
import { createHandlers } from './handlers.js';
import { defaultDataDir } from './paths.js';
import { SettingsStore } from './settings-store.js';
import { PageText } from './page-text.js';

export interface Backend {
  readonly handlers: Handlers;
  readonly dataDir: string;
  /** Parses and dispatches one call; never throws. */
  call(channel: string, input: unknown, opts?: { pathsAllowed?: boolean }): Promise<Envelope<unknown>>;
  onEvent(listener: (event: AppEvent) => void): () => void;
  /** Emits an event to every listener (handlers emit through the same path). */
  emit(event: AppEvent): void;
  dispose(): Promise<void>;
}

export async function createBackend(opts: { dataDir?: string } = {}): Promise<Backend> {
  const dataDir = opts.dataDir ?? defaultDataDir();
  await mkdir(dataDir, { recursive: true });
  const engine = createDocumentEngine({ cacheDir: join(dataDir, 'cache', 'render') });
  const settings = new SettingsStore(dataDir);
  await settings.load();
  const docs = new DocumentStore(engine, join(dataDir, 'uploads'), (info) =>
    ctx.emit({ type: 'documents.changed', payload: info }),
  );
  const text = new PageText({
    threads: () => settings.get().threads,
    ocrCacheDir: join(dataDir, 'cache', 'ocr'),
  });
  const listeners = new Set<(event: AppEvent) => void>();
  const ctx = {
    emit(event: AppEvent) {
      for (const l of listeners) l(event);
    },
  };
  const handlers = createHandlers({ dataDir, engine, docs, settings, text }, (e) => ctx.emit(e));
  return {
    handlers,
    dataDir,
    call: (channel, input, o) =>
      dispatch(handlers, channel, input, ctx, { pathsAllowed: o?.pathsAllowed ?? true }),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit: (event) => ctx.emit(event),
    async dispose() {
      await handlers.dispose();
      await docs.closeAll();
      await text.dispose();
      await engine.destroy();
    },
  };
}
