// Where DocLens keeps its data (settings, uploads, caches, models, job journals) and finds its bundled
// assets, whichever process or packaging it runs under.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The user-data folder: DOCLENS_DATA_DIR, else the platform's per-user application-data folder. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.DOCLENS_DATA_DIR) return resolve(env.DOCLENS_DATA_DIR);
  const home = homedir();
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'DocLens');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'DocLens');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'DocLens');
}

/** The repository / app root: the nearest folder above this module holding DocLens's package.json. */
export function appRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'assets'))) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(from, '..', '..');
    dir = up;
  }
}

/** Bundled sample documents (DOCLENS_ASSETS_DIR overrides, for the packaged app's resources folder). */
export function samplesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DOCLENS_ASSETS_DIR) return join(resolve(env.DOCLENS_ASSETS_DIR), 'samples');
  return join(appRoot(), 'assets', 'samples');
}
