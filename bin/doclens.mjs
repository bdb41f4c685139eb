#!/usr/bin/env node
// `doclens` entry. pdfjs-dist 6 needs Node >= 22 (Electron bundles 22); when started by an older Node,
// re-run under the Node 22 the project installs (the `node` devDependency) if it is there.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  const local = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(local)) {
    console.error(`doclens: Node ${process.versions.node} is too old; DocLens needs Node 22 or newer.`);
    process.exit(1);
  }
  const r = spawnSync(local, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}
const cli = join(root, 'dist', 'node', 'cli.mjs');
if (!existsSync(cli)) {
  console.error('doclens: not built yet; run `npm run build` first.');
  process.exit(1);
}
const { main } = await import(pathToFileURL(cli).href);
process.exitCode = await main(process.argv.slice(2));
