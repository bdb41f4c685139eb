// Builds every runtime entry with esbuild: Electron main + preload (CJS), the backend, CLI and document
// worker (ESM for Node), and the renderer bundle with pdf.js's worker, CMaps and standard fonts beside it.
import { build } from 'esbuild';
import { cp, mkdir, rm, writeFile, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const watch = process.argv.includes('--watch');

await rm(dist, { recursive: true, force: true });

const nodeCommon = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  sourcemap: 'linked',
  packages: 'external',
  logLevel: 'warning',
};

/** Entries bundled for Node (ESM), all in dist/node so each finds the others (the document worker) beside it. */
const nodeEntries = [
  ['src/cli/cli.ts', 'node/cli.mjs'],
  ['src/services/backend-entry.ts', 'node/backend-entry.mjs'],
  ['src/documents/worker.ts', 'node/worker.mjs'],
];
for (const [src, out] of nodeEntries) {
  if (!existsSync(join(root, src))) throw new Error(`build: entry ${src} does not exist`);
  await build({
    ...nodeCommon,
    entryPoints: [join(root, src)],
    outfile: join(dist, out),
    format: 'esm',
    banner: {
      js: "import { createRequire as __dlCreateRequire } from 'node:module'; const require = __dlCreateRequire(import.meta.url);",
    },
  });
}

// Electron main and preload: CommonJS; the sandboxed preload may require only `electron`.
await build({
  ...nodeCommon,
  entryPoints: [join(root, 'src/main/main.ts')],
  outfile: join(dist, 'main/main.cjs'),
  format: 'cjs',
  external: ['electron'],
});
await build({
  ...nodeCommon,
  packages: undefined,
  entryPoints: [join(root, 'src/preload/preload.ts')],
  outfile: join(dist, 'main/preload.cjs'),
  format: 'cjs',
  external: ['electron'],
});

// Renderer.
const rendererOut = join(dist, 'renderer');
await mkdir(rendererOut, { recursive: true });
await build({
  entryPoints: [join(root, 'src/renderer/main.tsx')],
  outdir: rendererOut,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome120'],
  sourcemap: 'linked',
  minify: !watch,
  jsx: 'automatic',
  loader: { '.woff2': 'file', '.svg': 'file' },
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
const html = await readFile(join(root, 'src/renderer/index.html'), 'utf8');
await writeFile(join(rendererOut, 'index.html'), html);
const pdfjs = join(root, 'node_modules/pdfjs-dist');
await mkdir(join(rendererOut, 'pdfjs'), { recursive: true });
await cp(join(pdfjs, 'build/pdf.worker.min.mjs'), join(rendererOut, 'pdfjs/pdf.worker.min.mjs'));
await cp(join(pdfjs, 'cmaps'), join(rendererOut, 'pdfjs/cmaps'), { recursive: true });
await cp(join(pdfjs, 'standard_fonts'), join(rendererOut, 'pdfjs/standard_fonts'), { recursive: true });
await cp(join(pdfjs, 'wasm'), join(rendererOut, 'pdfjs/wasm'), { recursive: true });
console.log('built dist/');
