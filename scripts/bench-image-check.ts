// Measures what the embedded-image check of dates-only jobs (jobs/extract-doc.ts imageLossesOf: the operator-list
// walk per text-layer page) costs beside reading the page text, on the real PDFs of the shared fixtures.
// Usage: node --import tsx scripts/bench-image-check.ts [DIR...]   (default: ../shared/fixtures/table-suite)
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createDocumentEngine } from '../src/documents/engine.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const dirs = process.argv.slice(2);
if (!dirs.length) dirs.push(path.join(ROOT, '../shared/fixtures/table-suite'));
const engine = createDocumentEngine({ poolSize: 1 });
let textMs = 0;
let walkMs = 0;
let pages = 0;
let lossy = 0;
for (const dir of dirs) {
  for (const f of (await readdir(dir)).filter((n) => n.toLowerCase().endsWith('.pdf')).sort()) {
    let h;
    try {
      h = await engine.open(path.join(dir, f));
    } catch {
      continue;
    }
    const layer: number[] = [];
    let t0 = performance.now();
    for (const p of h.info.pages) {
      const t = await h.text(p.page).catch(() => null);
      if (t?.source === 'text-layer' && t.words.length) layer.push(p.page);
    }
    textMs += performance.now() - t0;
    t0 = performance.now();
    if (layer.length) await h.rulings(layer).catch(() => undefined);
    walkMs += performance.now() - t0;
    pages += layer.length;
    if (h.info.status === 'partial') lossy++;
    await h.close();
  }
}
await engine.destroy();
const per = (ms: number) => (pages ? (ms / pages).toFixed(1) : '-');
console.log(
  `${pages} text-layer pages: text ${per(textMs)} ms/page, image check (operator-list walk) ${per(walkMs)} ms/page ` +
    `(+${textMs ? Math.round((100 * walkMs) / textMs) : 0}% of the text read); ${lossy} document(s) found partial`,
);
