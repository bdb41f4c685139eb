// `doclens ask`, `ground` and `models` as a user runs them: a real process, the tiny generated Qwen2-VL model (real ONNX
// sessions), a temp DOCLENS_DATA_DIR, the tiny fake hub for pulls.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { ensureTinyModel } from '../../models/tiny/make-tiny-model.js';
import { loadVlm } from '../inference/vlm/index.js';
import { startTinyHub, type TinyHub } from '../services/models/tiny-hub.js';
import { appRoot } from '../services/paths.js';
import type { LabelledBox } from '../shared/geometry.js';
import { runCli, type CliResult } from './testing.js';

const root = appRoot();
const scene = join(root, 'assets', 'samples', 'scene.png');
const invoice = join(root, 'assets', 'samples', 'invoice.pdf');
let dir: string;
let tiny: string;

function doclens(
  args: string[],
  env: Record<string, string> = {},
  dataDir = join(dir, 'data'),
): Promise<CliResult> {
  return runCli(args, { dataDir, env });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doclens-cli-vlm-'));
  tiny = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function inPage(boxes: LabelledBox[], w: number, h: number): void {
  for (const b of boxes) {
    assert.ok(b.x0 >= 0 && b.y0 >= 0 && b.x1 <= w && b.y1 <= h, `box off the page: ${JSON.stringify(b)}`);
    assert.ok(b.x0 <= b.x1 && b.y0 <= b.y1, `corners out of order: ${JSON.stringify(b)}`);
  }
}

test('ask --raw --model DIR --json: the same token ids as loadVlm(DIR).generate({ raw: true }) in process', async () => {
  const question = 'What is in this picture? Describe it.';
  const r = await doclens(['ask', scene, question, '--raw', '--model', tiny, '--max-tokens', '24', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    engine: string;
    mode: string;
    token_ids: number[];
    text: string;
    input: { width: number; height: number };
    modelDir: string;
  };
  assert.equal(out.engine, 'vlm');
  assert.equal(out.mode, 'raw');
  assert.equal(out.modelDir, tiny);

  // The reference: the image file decoded whole, the engine's raw mode, in this process.
  const { data, info } = await sharp(scene)
    .rotate()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const model = await loadVlm(tiny, { provider: 'cpu' });
  try {
    const ref = await model.generate({
      raw: true,
      images: [
        {
          data: new Uint8Array(data),
          width: info.width,
          height: info.height,
          channels: info.channels as 3 | 4,
        },
      ],
      question,
      maxTokens: 24,
    });
    assert.equal(ref.tokenIds.length, 24);
    assert.deepEqual(out.token_ids, ref.tokenIds);
    assert.equal(out.text, ref.text);
    assert.deepEqual(out.input, ref.resized[0]);
  } finally {
    await model.dispose();
  }
});

test('ask --raw in human mode streams the tokens to stdout', async () => {
  const r = await doclens(['ask', scene, 'What is this?', '--raw', '--model', tiny, '--max-tokens', '6']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\[vlm .* on cpu, raw, 6 tokens, stop: max_tokens\]/);
});

test('ground --model DIR --json: boxes within the page, raw output printed; same tokens as the grounding prompt in process', async () => {
  const r = await doclens([
    'ground',
    scene,
    'red car',
    'tree',
    '--model',
    tiny,
    '--max-tokens',
    '32',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    boxes: LabelledBox[];
    raw: string;
    pageSize: { width: number; height: number };
    objects: string[];
    token_ids: number[];
  };
  assert.deepEqual(out.pageSize, { width: 1024, height: 768 });
  assert.deepEqual(out.objects, ['red car', 'tree']);
  assert.equal(typeof out.raw, 'string');
  assert.equal(out.token_ids.length, 32);
  inPage(out.boxes, 1024, 768);
  // A PDF page: points.
  const pdf = await doclens(['ground', invoice, 'total', '--model', tiny, '--max-tokens', '8', '--json']);
  assert.equal(pdf.code, 0, pdf.stderr);
  const p = JSON.parse(pdf.stdout) as { boxes: LabelledBox[]; pageSize: { width: number; height: number } };
  assert.deepEqual(p.pageSize, { width: 612, height: 792 });
  inPage(p.boxes, 612, 792);
});

test('a bad model folder, a missing one and --raw with no model end with one line and exit 1; usage errors exit 2', async () => {
  const bad = join(dir, 'not-a-model');
  await mkdir(bad, { recursive: true });
  await writeFile(join(bad, 'config.json'), '{"model_type": "bert"}');
  const r = await doclens(['ask', scene, 'hi', '--model', bad, '--json']);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    new RegExp(`^doclens: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a supported`),
  );
  assert.match(r.stderr, /model_type "bert"/);
  assert.equal(
    r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('doclens:')).length,
    1,
  );

  const missing = await doclens(['ground', scene, 'car', '--model', join(dir, 'nope')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /model folder .*nope does not exist/);

  const empty = join(dir, 'empty-data');
  const raw = await doclens(['ask', scene, 'hi', '--raw'], {}, empty);
  assert.equal(raw.code, 1);
  assert.match(raw.stderr, /--raw needs a model: No vision-language model is installed/);

  const ground = await doclens(['ground', scene, 'car'], {}, empty);
  assert.equal(ground.code, 1);
  assert.match(ground.stderr, /No vision-language model is installed.*\[no_model\]/);

  assert.equal((await doclens(['ask', scene])).code, 2);
  assert.equal((await doclens(['ground', scene])).code, 2);
  assert.equal((await doclens(['models', 'frobnicate', 'x'])).code, 2);
  assert.equal((await doclens(['ask', scene, 'q', '--max-tokens', 'many'])).code, 2);
  const tiles = await doclens(['ground', scene, 'car', '--tiles', 'many']);
  assert.equal(tiles.code, 2);
  assert.match(tiles.stderr, /--tiles is off, auto or on, got many/);
  const tilesDir = await doclens(['ground', scene, 'car', '--tiles', 'auto', '--model', tiny]);
  assert.equal(tilesDir.code, 2);
  assert.match(tilesDir.stderr, /--tiles needs an installed model/);
});

test('no model installed: ask is answered by the reader engine and says so', async () => {
  const r = await doclens(
    ['ask', invoice, 'What is the invoice date?', '--json'],
    {},
    join(dir, 'reader-data'),
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /no vision-language model installed: the reader engine answers/);
  const a = JSON.parse(r.stdout) as {
    engine: string;
    text: string;
    verified: boolean | null;
    trust: string | null;
    trust_reason: string | null;
    field: { field: string; normalized: string | null; label: string | null } | null;
  };
  assert.equal(a.engine, 'reader');
  assert.equal(a.text, 'March 14, 2025');
  // --json carries the trust level, its reason and the bound field.
  assert.equal(a.trust, 'verified');
  assert.equal(a.verified, true);
  assert.match(a.trust_reason ?? '', /Invoice date/);
  assert.deepEqual(
    a.field && { field: a.field.field, normalized: a.field.normalized, label: a.field.label },
    { field: 'date', normalized: '2025-03-14', label: 'Invoice date' },
  );
  // The human form says the level and why, then what it was bound to.
  const human = await doclens(['ask', invoice, 'What is the invoice date?'], {}, join(dir, 'reader-data'));
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /\[reader, verified\]\ntrust: verified — .*Invoice date/);
  assert.match(human.stdout, /\n {2}field: date "March 14, 2025" \(2025-03-14\), label "Invoice date"/);
});

test('a second ask about a scan reads its words from the OCR cache in the data folder, not OCR', async () => {
  const data = join(dir, 'ocr-cache-data');
  const scanned = join(root, 'assets', 'samples', 'invoice-scanned.pdf');
  const ask = async () => {
    const t = performance.now();
    const r = await doclens(['ask', scanned, 'What is the invoice date?', '--json'], {}, data);
    assert.equal(r.code, 0, r.stderr);
    const answer = JSON.parse(r.stdout) as Record<string, unknown>;
    return { answer: { ...answer, timings: null }, ms: performance.now() - t };
  };
  const first = await ask();
  const cacheDir = join(data, 'cache', 'ocr');
  const entries = (await readdir(cacheDir)).filter((f) => f.endsWith('.json'));
  assert.equal(entries.length, 1, "one OCR'd page cached");
  // Age the entry: a cache hit marks it used again (its mtime), a fresh OCR would not read it at all.
  const entry = join(cacheDir, entries[0]!);
  await utimes(entry, new Date(2001, 0, 1), new Date(2001, 0, 1));
  const second = await ask();
  assert.ok(
    (await stat(entry)).mtimeMs > new Date(2001, 0, 2).getTime(),
    'the second process read the cache',
  );
  assert.deepEqual(await readdir(cacheDir), entries);
  assert.deepEqual(second.answer, first.answer, 'the same answer from the cached words');
  console.log(
    `doclens ask on the scanned invoice: ${first.ms.toFixed(0)} ms, again ${second.ms.toFixed(0)} ms`,
  );
});

test('models import / list / verify / ask with the installed default / ground by id / remove round trip', async () => {
  const data = join(dir, 'round-trip');
  const imp = await doclens(['models', 'import', tiny, '--json'], {}, data);
  assert.equal(imp.code, 0, imp.stderr);
  const m = JSON.parse(imp.stdout) as { id: string; family: string; path: string; bytes: number };
  assert.equal(m.family, 'qwen2-vl');
  assert.ok(m.bytes > 0);

  const list = JSON.parse((await doclens(['models', 'list', '--json'], {}, data)).stdout) as {
    installed: Array<{ id: string; path: string }>;
  };
  assert.deepEqual(
    list.installed.map((i) => i.id),
    [m.id],
  );
  const human = await doclens(['models', 'list'], {}, data);
  assert.match(human.stdout, new RegExp(`^  ${m.id}  qwen2-vl`, 'm'));

  const verify = await doclens(['models', 'verify', m.id, '--json'], {}, data);
  assert.equal(verify.code, 0, verify.stderr);
  assert.deepEqual(JSON.parse(verify.stdout), { modelId: m.id, ok: true, problems: [] });

  // The installed model is the default; --raw runs it directly and gives the same ids as --model DIR.
  const viaDefault = await doclens(
    ['ask', scene, 'What is this?', '--raw', '--max-tokens', '8', '--json'],
    {},
    data,
  );
  assert.equal(viaDefault.code, 0, viaDefault.stderr);
  const viaDir = await doclens([
    'ask',
    scene,
    'What is this?',
    '--raw',
    '--model',
    tiny,
    '--max-tokens',
    '8',
    '--json',
  ]);
  assert.deepEqual(
    (JSON.parse(viaDefault.stdout) as { token_ids: number[] }).token_ids,
    (JSON.parse(viaDir.stdout) as { token_ids: number[] }).token_ids,
  );
  // Without --raw or a folder, ask goes through the backend's ask.start on the installed default (VLM engine).
  const asked = await doclens(['ask', scene, 'What is this?', '--max-tokens', '6', '--json'], {}, data);
  assert.equal(asked.code, 0, asked.stderr);
  const ao = JSON.parse(asked.stdout) as { engine: string; model: string; token_ids: number[]; page: number };
  assert.equal(ao.engine, 'vlm');
  assert.equal(ao.token_ids.length, 6);
  assert.equal(ao.page, 1);
  // ground by id goes through the backend's ground.start.
  const g = await doclens(['ground', scene, 'car', '--model', m.id, '--max-tokens', '8', '--json'], {}, data);
  assert.equal(g.code, 0, g.stderr);
  const go = JSON.parse(g.stdout) as { model: string; boxes: LabelledBox[]; token_ids: number[] };
  assert.equal(go.token_ids.length, 8);
  inPage(go.boxes, 1024, 768);

  const rm1 = await doclens(['models', 'remove', m.id, '--json'], {}, data);
  assert.equal(rm1.code, 0, rm1.stderr);
  assert.deepEqual(JSON.parse(rm1.stdout), { modelId: m.id, removed: true });
  const after = JSON.parse((await doclens(['models', 'list', '--json'], {}, data)).stdout) as {
    installed: unknown[];
  };
  assert.deepEqual(after.installed, []);
  const again = await doclens(['models', 'verify', m.id], {}, data);
  assert.equal(again.code, 1);
  assert.match(again.stderr, new RegExp(`^doclens: .*${m.id}`));
});

test('models pull from HF_ENDPOINT (the tiny fake hub): progress bar on stderr, installed, then verify', async () => {
  let hub: TinyHub | null = null;
  try {
    hub = await startTinyHub({ families: ['qwen2-vl'] });
    const id = hub.modelIds[0]!;
    const data = join(dir, 'pull');
    const r = await doclens(['models', 'pull', id, '--json'], hub.env, data);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\[#{24}\] 100% .* done/);
    const out = JSON.parse(r.stdout) as { state: string; installed: { id: string; family: string } | null };
    assert.equal(out.state, 'done');
    assert.equal(out.installed?.family, 'qwen2-vl');
    const v = await doclens(['models', 'verify', out.installed.id, '--json'], hub.env, data);
    assert.equal(v.code, 0, v.stderr);
    const unknown = await doclens(['models', 'pull', 'no-such-model'], hub.env, data);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^doclens: .*no-such-model/);
  } finally {
    await hub?.close();
  }
});
