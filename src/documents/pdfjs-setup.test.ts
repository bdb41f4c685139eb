// pdf.js setup: it must also work where pdf.js takes its browser path (Electron's utilityProcess), and the tree
// must hold exactly one @napi-rs/canvas (two copies means two Skia builds and canvases pdf.js cannot draw on).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { makePdf } from './test-pdfs.js';
import type { UtilitySimReport } from './utility-sim-worker.js';
import { documentParams, PDFJS_DATA } from './pdfjs-setup.js';
import { workerSpawn } from './worker-protocol.js';
import { existsSync } from 'node:fs';

const root = path.resolve(import.meta.dirname, '../..');

test('in a simulated Electron utilityProcess pdf.js takes its browser path, and our setup still reads and renders', async () => {
  const { bytes } = await makePdf([
    { size: [300, 200], texts: [{ text: 'Utility process', x: 20, y: 100, size: 24 }] },
  ]);
  const prelude = [
    "Object.defineProperty(process.versions, 'electron', { value: '45.0.0', configurable: true, enumerable: true });",
    "process.type = 'utility';",
  ].join('\n');
  const { target, options } = workerSpawn(new URL('./utility-sim-worker.ts', import.meta.url), prelude);
  const worker = new Worker(target, { ...options, workerData: bytes });
  const msg = await new Promise<{ ok: boolean; report?: UtilitySimReport; error?: string }>(
    (resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    },
  );
  await worker.terminate();
  assert.ok(msg.ok, msg.error);
  const r = msg.report;
  assert.ok(r);
  assert.equal(r.processType, 'utility');
  assert.equal(r.seesNode, false, 'pdf.js must not think it runs in Node');
  assert.equal(r.workerSrcAtLoad, '', 'pdf.js skipped its Node set-up (which sets workerSrc)');
  assert.ok(r.bareError, 'bare pdf.js cannot render there: the setup is what makes it work');
  assert.deepEqual(r.words, ['Utility', 'process']);
  assert.deepEqual([r.width, r.height], [300, 200]);
  assert.ok(r.darkPixels > 200, `text was drawn (${r.darkPixels} dark pixels)`);
  assert.ok(r.pngBytes > 500);
});

test('pdf.js options: no eval, image size limit, fonts and CMaps from the installed package', () => {
  const p = documentParams(new Uint8Array(1), undefined) as Record<string, unknown>;
  assert.equal(p.isEvalSupported, false);
  assert.equal(p.maxImageSize, 2 ** 26);
  assert.equal(p.useSystemFonts, false);
  for (const dir of [PDFJS_DATA.standardFontDataUrl, PDFJS_DATA.cMapUrl, PDFJS_DATA.wasmUrl]) {
    assert.ok(dir.endsWith(path.sep) && !dir.includes('://'), dir);
    assert.ok(existsSync(dir), dir);
  }
  assert.ok(existsSync(path.join(PDFJS_DATA.standardFontDataUrl, 'FoxitSerif.pfb')));
  assert.ok(existsSync(path.join(PDFJS_DATA.cMapUrl, 'UniJIS-UCS2-H.bcmap')));
});

test('exactly one copy of @napi-rs/canvas in the tree, and pdf.js resolves that copy', () => {
  const out = execFileSync('npm', ['ls', '@napi-rs/canvas', '--json', '--all'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const versions = new Set<string>();
  const walk = (node: { dependencies?: Record<string, unknown> }) => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      const c = child as { version?: string; dependencies?: Record<string, unknown> };
      if (name === '@napi-rs/canvas' && c.version) versions.add(c.version);
      walk(c);
    }
  };
  walk(JSON.parse(out) as { dependencies?: Record<string, unknown> });
  assert.equal(versions.size, 1, `versions in the tree: ${[...versions].join(', ')}`);
  const require = createRequire(import.meta.url);
  const ours = require.resolve('@napi-rs/canvas');
  const fromPdfjs = createRequire(require.resolve('pdfjs-dist/package.json')).resolve('@napi-rs/canvas');
  assert.equal(fromPdfjs, ours);
});
