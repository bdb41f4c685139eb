// The packaging configuration as shipped: electron-builder.yml's Electron fuses (issue 12) and the asar
// layout they depend on. electron-builder applies them; this checks the file says what we mean.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { appRoot } from '../services/paths.js';

// js-yaml is the YAML parser electron-builder itself reads this file with (through app-builder-lib).
const yaml = createRequire(import.meta.url)('js-yaml') as { load: (text: string) => unknown };

interface BuilderConfig {
  asar?: boolean;
  electronFuses?: Record<string, unknown>;
  asarUnpack?: string[];
}

function builderConfig(): BuilderConfig {
  const file = join(appRoot(), 'electron-builder.yml');
  const config: unknown = yaml.load(readFileSync(file, 'utf8'));
  assert.ok(config && typeof config === 'object', `${file} is not a YAML mapping`);
  return config;
}

test('electron-builder.yml flips the Electron fuses that close the Node backdoors', () => {
  assert.deepEqual(builderConfig().electronFuses, {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
  });
});

test('the app is packed in an asar (onlyLoadAppFromAsar needs one); only native modules are unpacked', () => {
  const config = builderConfig();
  assert.notEqual(config.asar, false);
  for (const pattern of config.asarUnpack ?? []) assert.match(pattern, /^node_modules\//, pattern);
});

test('the fuse names are ones electron-builder knows', () => {
  // app-builder-lib's own type declarations list the FuseOptionsV1 keys; a typo would be silently ignored.
  const require = createRequire(import.meta.url);
  const dts = readFileSync(
    join(require.resolve('app-builder-lib/package.json'), '..', 'out', 'configuration.d.ts'),
    'utf8',
  );
  const known = /interface FuseOptionsV1 \{([\s\S]*?)\n\}/.exec(dts)?.[1] ?? '';
  assert.match(known, /runAsNode\?:/, 'FuseOptionsV1 not found in app-builder-lib');
  for (const key of Object.keys(builderConfig().electronFuses ?? {})) {
    assert.match(known, new RegExp(`\\b${key}\\?:`), `unknown fuse ${key}`);
  }
});
