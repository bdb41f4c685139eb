// The `.npmrc` key that skips onnxruntime-node's CUDA download stays (offline installs need it), and npm warns about
// it on every npm command in the checkout, `npx doclens` included: bin/doclens.mjs run directly is the way without.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { appRoot } from '../services/paths.js';

const root = appRoot();
const run = promisify(execFile);

test('.npmrc still skips the CUDA download on install (onnxruntime-node-install=skip)', () => {
  const lines = readFileSync(join(root, '.npmrc'), 'utf8')
    .split('\n')
    .map((l) => l.trim());
  assert.ok(lines.includes('onnxruntime-node-install=skip'), '.npmrc lost onnxruntime-node-install=skip');
});

test('bin/doclens.mjs runs as a program of its own, with no npm in between and so no npm warning', async () => {
  const launcher = join(root, 'bin', 'doclens.mjs');
  assert.ok((statSync(launcher).mode & 0o111) !== 0, 'bin/doclens.mjs is not executable');
  // Started through its shebang, as `./bin/doclens.mjs` in a terminal (or a `doclens` linked onto the PATH).
  const r = await run(launcher, ['--help'], { cwd: root });
  assert.match(r.stdout, /^Usage: doclens <command>/);
  assert.doesNotMatch(r.stderr, /npm warn|Unknown project config/);
});
