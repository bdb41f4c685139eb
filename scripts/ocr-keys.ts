// `node --import tsx scripts/ocr-keys.ts`: how much of the SROIE receipts' key text (company, date, address,
// total as printed) the OCR reads exactly — the ceiling for the field binder's exact match. OCRs every receipt in
// ../shared/fixtures/receipts through the same engine call the app makes for an image (its own pixels, page
// space = pixels) and reports, per field, the fraction of receipts whose key appears in the OCR lines.
//
// Env: RECEIPTS (folder, default ../shared/fixtures/receipts), LIMIT (first N receipts), IDS (only these, comma-
// separated: r001,r006), DUMP (write every
// receipt's OCR lines and misses as JSON, to study the failure classes), THREADS.
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { createOcrEngine } from '../src/inference/ocr/index.js';

const DIR = resolve(process.env.RECEIPTS ?? '../shared/fixtures/receipts');
const LIMIT = Number(process.env.LIMIT ?? Infinity);
const FIELDS = ['company', 'date', 'address', 'total'] as const;
type Field = (typeof FIELDS)[number];

const ws = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * Where a key is found: `line` — inside one OCR line; `text` — in the lines joined in reading order with single
 * spaces (company names and addresses run over several lines). Whitespace-normalised; `ci` adds case-folding.
 */
export function keyFound(
  key: string,
  lines: readonly string[],
  ci: boolean,
): { line: boolean; text: boolean } {
  const f = (s: string) => (ci ? ws(s).toLowerCase() : ws(s));
  const k = f(key);
  if (k === '') return { line: true, text: true };
  const ls = lines.map(f);
  return { line: ls.some((l) => l.includes(k)), text: ls.join(' ').includes(k) };
}

async function main(): Promise<void> {
  const keys = JSON.parse(await readFile(join(DIR, 'keys.json'), 'utf8')) as Record<
    string,
    Record<Field, string>
  >;
  const only = process.env.IDS ? new Set(process.env.IDS.split(',')) : null;
  const ids = Object.keys(keys)
    .filter((id) => !only || only.has(id))
    .sort()
    .slice(0, LIMIT);
  const threads = Number(process.env.THREADS ?? 0) || undefined;
  const engine = await createOcrEngine({ threads });
  const counts = Object.fromEntries(
    FIELDS.map((f) => [f, { line: 0, text: 0, lineCi: 0, textCi: 0, n: 0 }]),
  ) as Record<Field, { line: number; text: number; lineCi: number; textCi: number; n: number }>;
  const dump: Record<string, { lines: string[]; misses: Partial<Record<Field, string>> }> = {};
  const t0 = performance.now();
  const times: number[] = [];
  for (const id of ids) {
    const file = join(DIR, 'img', `${id}.jpg`);
    const { data, info } = await sharp(await readFile(file))
      .rotate() // EXIF orientation, as the app's image loader does
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const t = performance.now();
    const res = await engine.recognize({ data, width: info.width, height: info.height, channels: 3 });
    times.push(performance.now() - t);
    const lines = res.lines.map((l) => l.text);
    const misses: Partial<Record<Field, string>> = {};
    for (const f of FIELDS) {
      const key = keys[id]![f];
      if (key === undefined) continue;
      const c = counts[f];
      c.n++;
      const exact = keyFound(key, lines, false);
      const ci = keyFound(key, lines, true);
      c.line += Number(exact.line);
      c.text += Number(exact.text);
      c.lineCi += Number(ci.line);
      c.textCi += Number(ci.text);
      if (!exact.text) misses[f] = key;
    }
    dump[id] = { lines, misses };
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  const total = (performance.now() - t0) / 1000;
  const pct = (a: number, n: number) => `${((100 * a) / Math.max(1, n)).toFixed(1)}%`.padStart(7);
  console.log(
    `${ids.length} receipts from ${DIR}; OCR median ${median(times).toFixed(0)} ms, ${total.toFixed(1)} s in all`,
  );
  console.log('field     in one line  in text   | case-insensitive: in one line  in text');
  let sumText = 0;
  let sumTextCi = 0;
  let sumN = 0;
  for (const f of FIELDS) {
    const c = counts[f];
    sumText += c.text;
    sumTextCi += c.textCi;
    sumN += c.n;
    console.log(
      `${f.padEnd(9)} ${pct(c.line, c.n)}     ${pct(c.text, c.n)}   |                   ${pct(c.lineCi, c.n)}  ${pct(c.textCi, c.n)}`,
    );
  }
  console.log(`all fields in text: ${pct(sumText, sumN)} exact, ${pct(sumTextCi, sumN)} case-insensitive`);
  if (process.env.DUMP) await writeFile(process.env.DUMP, JSON.stringify(dump, null, 1));
  await engine.dispose();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1]! : 0;
}

await main();
