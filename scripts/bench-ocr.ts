// `npm run bench:ocr`: DocLens OCR against Debian's tesseract on the same synthetic "scanned" pages of known
// text, in one run — pages/s and character error rate (CER) of each, and the ratios the goal is stated in
// (CER ≤ tesseract's at ≥ 1.0× its speed).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { createOcrEngine, OCR_DPI } from '../src/inference/ocr/index.js';
import { cer, renderTextLines, wrapText, type TextLineSpec } from '../src/inference/ocr/synthetic-text.js';
import { mulberry32 } from '../src/shared/prng.js';
import { MONTHS } from '../src/extract/dates/labelled-set.js';

const run = promisify(execFile);
const TESSERACT = process.env.TESSERACT ?? '/usr/bin/tesseract';
const PAGES = Number(process.env.BENCH_PAGES ?? 10);
const DPI = OCR_DPI;
const PAGE_W = Math.round(8.5 * DPI);
const PAGE_H = Math.round(11 * DPI);
const FONTS = [
  'Liberation Serif',
  'Liberation Sans',
  'DejaVu Serif',
  'DejaVu Sans',
  'Liberation Mono',
] as const;

const WORDS = (
  'the of and to in is for on that with as by this be are from at or an it was which we can report page total ' +
  'invoice account payment balance customer service agreement section amount period date number order shipped ' +
  'received approved contract annual quarterly revenue expenses budget project meeting committee review policy ' +
  'insurance property delivery reference statement summary schedule tax interest due notice terms conditions ' +
  'information document records company limited office street avenue department manager director signature'
).split(' ');

function sentence(r: () => number): string {
  const n = 6 + Math.floor(r() * 10);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.06)
      parts.push(
        `${MONTHS[Math.floor(r() * 12)]} ${1 + Math.floor(r() * 28)}, ${1990 + Math.floor(r() * 35)}`,
      );
    else if (k < 0.1)
      parts.push(
        `$${Math.floor(r() * 9000 + 100).toLocaleString('en-US')}.${String(Math.floor(r() * 100)).padStart(2, '0')}`,
      );
    else if (k < 0.13)
      parts.push(
        `${String(1 + Math.floor(r() * 12)).padStart(2, '0')}/${String(1 + Math.floor(r() * 28)).padStart(2, '0')}/${2000 + Math.floor(r() * 25)}`,
      );
    else if (k < 0.16) parts.push(String(Math.floor(r() * 100000)));
    else parts.push(WORDS[Math.floor(r() * WORDS.length)]!);
  }
  const s = parts.join(' ');
  return `${s[0]!.toUpperCase()}${s.slice(1)}${r() < 0.8 ? '.' : ';'}`;
}

interface BenchPage {
  png: Buffer;
  truth: string;
}

/** A letter page at DPI: a bold title and paragraphs at 10–12 pt, then scan artefacts (tilt, blur, noise). */
async function makePage(index: number): Promise<BenchPage> {
  const r = mulberry32(1000 + index);
  const family = FONTS[index % FONTS.length]!;
  const pt = 10 + (index % 3);
  const size = (pt * DPI) / 72;
  const lead = size * 1.35;
  const margin = DPI;
  const lines: TextLineSpec[] = [];
  let y = margin + size;
  lines.push({
    text: `Report ${1 + index}: ${WORDS[Math.floor(r() * WORDS.length)]} ${WORDS[Math.floor(r() * WORDS.length)]}`,
    x: margin,
    y,
    family,
    size: size * 1.4,
    weight: 'bold',
  });
  y += lead * 2;
  while (y < PAGE_H - margin) {
    const para = Array.from({ length: 2 + Math.floor(r() * 3) }, () => sentence(r)).join(' ');
    for (const text of wrapText(para, family, size, PAGE_W - 2 * margin)) {
      if (y > PAGE_H - margin) break;
      lines.push({ text, x: margin, y, family, size });
      y += lead;
    }
    y += lead * 0.6;
  }
  const page = renderTextLines(PAGE_W, PAGE_H, lines);
  // Scanner look: ±0.6° tilt, slight blur, grey paper with Gaussian-ish noise, 8-bit greyscale PNG.
  const angle = (r() - 0.5) * 1.2;
  const gray = await sharp(page.image.data, { raw: { width: PAGE_W, height: PAGE_H, channels: 3 } })
    .rotate(angle, { background: '#ffffff' })
    .resize(PAGE_W, PAGE_H, { fit: 'cover' })
    .blur(0.7)
    .greyscale()
    .raw()
    .toBuffer();
  for (let i = 0; i < gray.length; i++) {
    const noise = (r() + r() + r() - 1.5) * 24;
    gray[i] = Math.max(0, Math.min(255, Math.round(gray[i]! * 0.92 + 10 + noise)));
  }
  const png = await sharp(gray, { raw: { width: PAGE_W, height: PAGE_H, channels: 1 } })
    .png()
    .toBuffer();
  return { png, truth: page.text };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'doclens-bench-ocr-'));
  try {
    const pages: BenchPage[] = [];
    for (let i = 0; i < PAGES; i++) pages.push(await makePage(i));
    const files = await Promise.all(
      pages.map(async (p, i) => {
        const f = join(dir, `page-${String(i + 1).padStart(2, '0')}.png`);
        await writeFile(f, p.png);
        return f;
      }),
    );
    const chars = pages.reduce((s, p) => s + p.truth.length, 0);
    console.log(
      `${PAGES} pages ${PAGE_W}×${PAGE_H} px (${DPI} DPI, tilted ±0.6°, blurred, noisy), ${chars} characters of ground truth`,
    );
    console.log(
      `machine: ${availableParallelism()} cores; pages are read one after another by each engine\n`,
    );

    // DocLens: sessions are created once per app run, so loading is reported apart from the per-page time.
    const tLoad = performance.now();
    const engine = await createOcrEngine();
    const loadMs = performance.now() - tLoad;
    const ours: string[] = [];
    const tOurs = performance.now();
    for (const f of files) {
      const { data, info } = await sharp(await readFile(f))
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      const res = await engine.recognize({ data, width: info.width, height: info.height, channels: 3 });
      ours.push(res.lines.map((l) => l.text).join('\n'));
    }
    const oursS = (performance.now() - tOurs) / 1000;
    await engine.dispose();

    // tesseract: one process per page, as a batch would run it.
    const theirs: string[] = [];
    const tTess = performance.now();
    for (const f of files) {
      const { stdout } = await run(TESSERACT, [f, 'stdout', '--psm', '3', '-l', 'eng'], {
        maxBuffer: 16 << 20,
      });
      theirs.push(stdout);
    }
    const tessS = (performance.now() - tTess) / 1000;

    const cerOf = (outs: string[]) => {
      // Character-weighted CER over the whole set; per page too.
      let errs = 0;
      const perPage = outs.map((o, i) => {
        const c = cer(pages[i]!.truth, o);
        errs += c * pages[i]!.truth.replace(/\s+/g, ' ').trim().length;
        return c;
      });
      const total = pages.reduce((s, p) => s + p.truth.replace(/\s+/g, ' ').trim().length, 0);
      return { cer: errs / total, perPage };
    };
    const a = cerOf(ours);
    const b = cerOf(theirs);
    const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
    console.log('page  doclens CER  tesseract CER');
    a.perPage.forEach((c, i) =>
      console.log(`${String(i + 1).padStart(4)}  ${pct(c).padStart(11)}  ${pct(b.perPage[i]!).padStart(13)}`),
    );
    console.log('');
    console.log(
      `DocLens OCR : ${(PAGES / oursS).toFixed(3)} pages/s (${oursS.toFixed(2)} s total, sessions loaded once in ${(loadMs / 1000).toFixed(2)} s), CER ${pct(a.cer)}`,
    );
    console.log(
      `tesseract   : ${(PAGES / tessS).toFixed(3)} pages/s (${tessS.toFixed(2)} s total), CER ${pct(b.cer)}`,
    );
    console.log(`speed ratio (DocLens / tesseract pages/s): ${(tessS / oursS).toFixed(2)}×`);
    console.log(
      `CER ratio   (DocLens / tesseract)        : ${b.cer > 0 ? (a.cer / b.cer).toFixed(2) : 'n/a'}`,
    );
    const ok = a.cer <= b.cer && tessS / oursS >= 1;
    console.log(`goal (CER ≤ tesseract's at ≥ 1.0× its speed): ${ok ? 'met' : 'not met'}`);
    if (process.env.BENCH_DUMP) {
      await writeFile(
        process.env.BENCH_DUMP,
        JSON.stringify({ truth: pages.map((p) => p.truth), ours, theirs }, null, 1),
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
