// `doclens serve`: forks the backend process and serves the renderer bundle over HTTP + SSE.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BackendLink } from '../shared/backend-link.js';
import { forkBackend } from '../server/fork-backend.js';
import { startServer } from '../server/server.js';
import type { AppEvent } from '../shared/contract.js';

export function rendererDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // Bundled: dist/node → dist/renderer. Source: src/cli → dist/renderer (built by `npm run build`).
  for (const dir of [join(here, '..', 'renderer'), join(here, '..', '..', 'dist', 'renderer')]) {
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  throw new Error('the renderer bundle is missing; run `npm run build`');
}

export async function serveCommand(opts: {
  port: number;
  host: string;
  pathsAllowed: boolean;
  /** The OpenAI-compatible API may fetch http(s) image URLs. */
  allowRemoteImages?: boolean;
  dataDir?: string;
}): Promise<number> {
  const listeners = new Set<(e: AppEvent) => void>();
  const env = { ...process.env, ...(opts.dataDir ? { DOCLENS_DATA_DIR: opts.dataDir } : {}) };
  const link = new BackendLink({
    spawn: () => forkBackend(env),
    onEvent: (e) => {
      for (const l of listeners) l(e);
    },
    log: (line) => process.stderr.write(`doclens: ${line}\n`),
  });
  await link.whenReady();
  const server = await startServer({
    backend: {
      call: (channel, input) => link.call(channel, input),
      onEvent: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    },
    rendererDir: rendererDir(),
    host: opts.host,
    port: opts.port,
    pathsAllowed: opts.pathsAllowed,
    allowRemoteImages: opts.allowRemoteImages ?? false,
  });
  process.stdout.write(`DocLens is serving at ${server.url}\n`);
  // For OpenAI-compatible clients (docs/api.md): the base URL and the token as the API key.
  process.stdout.write(`OpenAI-compatible API: base URL ${server.origin}/v1, API key ${server.token}\n`);
  if (!['127.0.0.1', 'localhost', '::1'].includes(opts.host)) {
    process.stderr.write(
      'doclens: warning: listening beyond loopback; anyone with the URL and token can use this DocLens\n',
    );
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  link.close();
  return 0;
}
