// Drives DocLens for end-to-end tests: `doclens serve` in Debian's Chromium (playwright-core) everywhere, and
// the Electron app too where its binary exists. Tests wait on app state, never on sleeps, and save a
// screenshot when they fail.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const artifacts = join(root, 'e2e', 'artifacts');
export const samplesDir = join(root, 'assets', 'samples');

export interface Target {
  name: 'chromium' | 'electron';
  page: Page;
  dataDir: string;
  close(): Promise<void>;
}

export interface ServeHandle {
  url: string;
  origin: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `doclens serve` (the real CLI, bundled build) on a random loopback port; `env` adds to its environment. */
export async function startServe(
  dataDir: string,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<ServeHandle> {
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'doclens.mjs'), 'serve', '--port', '0', ...extraArgs],
    {
      cwd: root,
      env: { ...process.env, ...env, DOCLENS_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so stop() ends the forked backend with it.
      detached: true,
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`doclens serve did not start in 60 s:\n${out}\n${stderr}`)),
      60_000,
    );
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving at (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`doclens serve exited with ${code}:\n${out}\n${stderr}`));
    });
  });
  return {
    url,
    origin: new URL(url).origin,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      const group = (signal: NodeJS.Signals) => {
        try {
          if (child.pid) process.kill(-child.pid, signal);
        } catch {
          /* already gone */
        }
      };
      // SIGTERM to the server alone (it shuts its backend down), then nothing of the group may outlive it.
      child.kill('SIGTERM');
      const t = setTimeout(() => group('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
      group('SIGKILL');
    },
  };
}

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export interface LaunchOptions {
  colorScheme?: 'light' | 'dark';
  /** Fills the fresh data folder before the app starts (e.g. installs a tiny model). */
  prepare?: (dataDir: string) => Promise<void>;
}

export async function launchChromium(opts: LaunchOptions = {}): Promise<Target> {
  const dataDir = await mkdtemp(join(tmpdir(), 'doclens-e2e-data-'));
  await opts.prepare?.(dataDir);
  const profile = await mkdtemp(join(tmpdir(), 'doclens-e2e-profile-'));
  const serve = await startServe(dataDir);
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
    colorScheme: opts.colorScheme ?? 'light',
    deviceScaleFactor: 1,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(serve.url);
  return {
    name: 'chromium',
    page,
    dataDir,
    close: async () => {
      await context.close();
      await serve.stop();
      await rm(profile, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The Electron binary, when `npm install` could download it (never on this project's CI machines). Reads
 * electron's path.txt directly: `require('electron')` would try to download the binary on the spot.
 */
export function electronBinary(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('electron/package.json'));
    const pathFile = join(dir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const bin = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

export async function launchElectron(opts: LaunchOptions = {}): Promise<Target> {
  const executablePath = electronBinary();
  if (!executablePath) throw new Error('no Electron binary');
  const dataDir = await mkdtemp(join(tmpdir(), 'doclens-e2e-electron-'));
  await opts.prepare?.(dataDir);
  const app = await _electron.launch({
    executablePath,
    args: [root, `--user-data-dir=${dataDir}`],
    env: { ...process.env, DOCLENS_DATA_DIR: dataDir },
  });
  const page = await app.firstWindow();
  return {
    name: 'electron',
    page,
    dataDir,
    close: async () => {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The targets this machine can run: Chromium against headless mode always, Electron where it exists. */
export function targets(): Array<Target['name']> {
  return electronBinary() ? ['chromium', 'electron'] : ['chromium'];
}

export function launch(name: Target['name'], opts: LaunchOptions = {}): Promise<Target> {
  return name === 'electron' ? launchElectron(opts) : launchChromium(opts);
}

/** Runs `body`; on failure saves a screenshot of the page under e2e/artifacts before rethrowing. */
export async function withScreenshotOnFailure(
  target: Pick<Target, 'name' | 'page'>,
  label: string,
  body: () => Promise<void>,
): Promise<void> {
  try {
    await body();
  } catch (e) {
    await mkdir(artifacts, { recursive: true });
    await target.page
      .screenshot({ path: join(artifacts, `FAILED-${target.name}-${label}.png`) })
      .catch(() => undefined);
    throw e;
  }
}

export interface SampleTruth {
  file: string;
  kind: 'pdf' | 'image';
  pages: Array<{ page: number; width: number; height: number }>;
  dates: Array<{
    page: number;
    text: string;
    iso: string;
    box: { x0: number; y0: number; x1: number; y1: number };
  }>;
  fields: Array<{
    name: string;
    page: number;
    text: string;
    box: { x0: number; y0: number; x1: number; y1: number };
  }>;
}

export function sampleTruth(file: string): SampleTruth {
  const all = JSON.parse(readFileSync(join(samplesDir, 'samples.json'), 'utf8')) as {
    documents: SampleTruth[];
  };
  const doc = all.documents.find((d) => d.file === file);
  if (!doc) throw new Error(`samples.json has no ${file}`);
  return doc;
}
