// Starts the backend as a child process for `doclens serve` (Electron uses a utilityProcess instead):
// the bundled dist/backend/backend-entry.mjs when built, the TypeScript source under tsx otherwise.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendPort, FromBackend } from '../shared/backend-link.js';

export function backendEntry(): { file: string; execArgv: string[] } {
  const here = dirname(fileURLToPath(import.meta.url));
  // Bundled: every Node entry sits in dist/node. Source: src/server → src/services.
  const bundled = join(here, 'backend-entry.mjs');
  if (existsSync(bundled)) return { file: bundled, execArgv: [] };
  return { file: join(here, '..', 'services', 'backend-entry.ts'), execArgv: ['--import', 'tsx'] };
}

export function forkBackend(env: NodeJS.ProcessEnv = process.env): BackendPort {
  const { file, execArgv } = backendEntry();
  const child = fork(file, [], {
    execArgv,
    env,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    send: (msg) => {
      if (child.connected) child.send(msg);
      else throw new Error('backend not connected');
    },
    onMessage: (listener) => child.on('message', (m) => listener(m as FromBackend)),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    kill: () => child.kill('SIGKILL'),
  };
}
