// `doclens data generate` with the tiny generated Qwen2-VL model as the teacher (its words are gibberish: these tests
// check the pipeline, not quality): the CLI writes a journal keyed by page and kind and resumes from it, a torn line
// included; in process, pairs with a claim the page does not support are dropped (or kept and marked), and the rest
// keep their checks. `data export` is run through the CLI on reviews saved by the backend.
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensureTinyModel } from '../../models/tiny/make-tiny-model.js';
import { createBackend } from '../services/backend.js';
import { boxesOfPairs, checkPair } from '../services/data/claims.js';
import { generateData, type GeneratedLlavaRecord, type GeneratedRecord } from '../services/data/generate.js';
import { appRoot } from '../services/paths.js';
import type { DateHit, DocumentInfo, TextPage } from '../shared/domain.js';
import type { Rect } from '../shared/geometry.js';
import { openDirect, runDirect } from './vlm.js';
import { runCli, type CliResult } from './testing.js';

const invoice = join(appRoot(), 'assets', 'samples', 'invoice.pdf');
let dir: string;
let tiny: string;

function doclens(...args: string[]): Promise<CliResult> {
  return runCli(args, { dataDir: join(dir, 'data') });
}

async function journal(out: string): Promise<GeneratedRecord[]> {
  return (await readFile(join(out, 'generate.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as GeneratedRecord);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doclens-data-cli-'));
  tiny = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('data generate: journal per page and kind, resumed on rerun, a torn line rerun', async () => {
  const out = join(dir, 'gen');
  const common = [invoice, '--teacher', tiny, '--out', out, '--max-tokens', '12', '--json'];
  const first = await doclens('data', 'generate', ...common, '--kinds', 'detail');
  assert.equal(first.code, 0, first.stderr);
  const s1 = JSON.parse(first.stdout) as { items: { total: number; ranNow: number; resumed: number } };
  assert.deepEqual(s1.items, { total: 1, ranNow: 1, resumed: 0 });
  assert.match(first.stderr, /\[#{24}\] 1\/1 page×kind/);
  const j1 = await journal(out);
  assert.equal(j1.length, 1);
  const rec = j1[0];
  assert.ok(rec);
  assert.match(rec.key, /^[0-9a-f]{64}:p1:detail$/);
  assert.equal(rec.teacher, 'tiny-qwen2-vl-tiny');
  // The teacher was shown the reader's words with their boxes.
  assert.match(rec.prompt, /\[\d+, \d+, \d+, \d+\] .*INV-2025-0314/);
  assert.ok(rec.raw.length > 0);
  const img = await readFile(join(out, rec.image));
  assert.ok(img.length > 1000);

  // A second kind: the first is resumed, not rerun.
  const second = await doclens('data', 'generate', ...common, '--kinds', 'detail,conversation');
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual((JSON.parse(second.stdout) as typeof s1).items, { total: 2, ranNow: 1, resumed: 1 });
  const j2 = await journal(out);
  assert.deepEqual(
    j2.map((r) => r.kind),
    ['detail', 'conversation'],
  );
  assert.equal(j2[0]?.at, rec.at, 'the done item is kept as it was');

  // A crash mid-write leaves a torn line: reported, and that item is the one run again.
  await appendFile(join(out, 'generate.jsonl'), '{"key":"torn');
  const third = await doclens('data', 'generate', ...common, '--kinds', 'detail,conversation,reasoning');
  assert.equal(third.code, 0, third.stderr);
  assert.deepEqual((JSON.parse(third.stdout) as typeof s1).items, { total: 3, ranNow: 1, resumed: 2 });
  assert.match(third.stderr, /generate\.jsonl:3: skipped a broken journal line/);

  const bad = await doclens('data', 'generate', invoice, '--kinds', 'summary');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--kinds takes conversation,detail,reasoning, got "summary"/);
});

const grow = (r: Rect, by: number): Rect => ({ x0: r.x0 - by, y0: r.y0 - by, x1: r.x1 + by, y1: r.y1 + by });

test('data generate in process: unverifiable claims are dropped, or kept and marked', async () => {
  const backend = await createBackend({ dataDir: join(dir, 'data-inproc') });
  const model = await openDirect(backend, { kind: 'dir', dir: tiny });
  try {
    // The real tiny model answers; two claims are appended to what it wrote, one the page states and one it does
    // not, so the check has something to decide on whatever the random weights say.
    const teacher = {
      id: 'tiny+claims',
      family: model.family,
      ask: async (doc: DocumentInfo, page: number, prompt: string) => {
        const r = await runDirect(backend, model, doc, '', page, prompt, { raw: false, maxTokens: 8 });
        // A box the teacher drew on the invoice number's words (the page's own box for them, a little loose).
        const text = await backend.call('documents.text', { docId: doc.id, page });
        assert.ok(text.ok);
        const word = (text.value as TextPage).words.find((w) => w.text.includes('INV-2025-0314'));
        assert.ok(word, 'the invoice number is on the page');
        const drawn = { page, label: 'INV-2025-0314', ...grow(word.box, 2) };
        return {
          text: `${r.result.text}\nQ: What is the invoice number?\nA: INV-2025-0314\nQ: What is the total?\nA: $99,999.99`,
          boxes: [...r.boxes, drawn],
        };
      },
    };
    const out = join(dir, 'inproc');
    const s = await generateData({
      backend,
      inputs: [invoice],
      outDir: out,
      teacher,
      kinds: ['conversation'],
    });
    const [rec] = await journal(out);
    assert.ok(rec);
    const byQ = new Map(rec.pairs.map((p) => [p.question, p]));
    assert.equal(byQ.get('What is the invoice number?')?.status, 'verified');
    assert.deepEqual(
      byQ.get('What is the invoice number?')?.claims.find((c) => c.what === 'box')?.status,
      'verified',
    );
    assert.equal(rec.boxes?.at(-1)?.label, 'INV-2025-0314');
    const total = byQ.get('What is the total?');
    assert.equal(total?.status, 'unverified');
    assert.ok(total?.claims.some((c) => c.status === 'unverified' && /99,999\.99/.test(c.claim)));
    // Every journal pair's status is what the reader engine says of it now (nothing stored unchecked).
    const doc = await backend.call('documents.open', { path: invoice });
    assert.ok(doc.ok);
    const docId = (doc.value as DocumentInfo).id;
    const text = await backend.call('documents.text', { docId, page: 1 });
    const dates = await backend.call('extract.dates', { docId });
    assert.ok(text.ok && dates.ok);
    for (const p of rec.pairs)
      assert.equal(
        checkPair(
          p.question,
          p.answer,
          text.value as TextPage,
          (dates.value as { dates: DateHit[] }).dates,
          'conversation',
          boxesOfPairs(rec.pairs, rec.boxes ?? []).perPair[rec.pairs.indexOf(p)],
        ).status,
        p.status,
      );
    const kept = JSON.parse(await readFile(s.dataset, 'utf8')) as GeneratedLlavaRecord[];
    assert.equal(s.pairs.dropped, rec.pairs.filter((p) => p.status === 'unverified').length);
    assert.ok(s.pairs.dropped >= 1);
    assert.equal(kept.length, rec.pairs.length - s.pairs.dropped);
    assert.ok(kept.every((k) => k.doclens.status !== 'unverified'));
    assert.ok(kept.some((k) => k.conversations[0]?.value === '<image>\nWhat is the invoice number?'));

    // Kept and marked instead: the same journal (resumed, nothing rerun), the unverified pair in, marked.
    const marked = await generateData({
      backend,
      inputs: [invoice],
      outDir: out,
      teacher,
      kinds: ['conversation'],
      keepUnverified: true,
    });
    assert.deepEqual(marked.items, { total: 1, ranNow: 0, resumed: 1 });
    const all = JSON.parse(await readFile(marked.dataset, 'utf8')) as GeneratedLlavaRecord[];
    assert.equal(all.length, rec.pairs.length);
    const wrong = all.find((k) => k.conversations[0]?.value === '<image>\nWhat is the total?');
    assert.equal(wrong?.doclens.status, 'unverified');
    assert.deepEqual(
      wrong?.doclens.claims.filter((c) => c.status === 'unverified').map((c) => [c.what, c.claim]),
      [
        ['field', '$11,977.20'],
        ['value', '$99,999.99'],
      ],
    );
  } finally {
    await model.dispose();
    await backend.dispose();
  }
});

test('data export through the CLI: reviews of the data folder → LLaVA JSON; usage errors', async () => {
  const data = join(dir, 'data-export');
  const backend = await createBackend({ dataDir: data });
  try {
    const doc = await backend.call('documents.open', { path: invoice });
    assert.ok(doc.ok);
    const saved = await backend.call('reviews.save', {
      docId: (doc.value as DocumentInfo).id,
      page: 1,
      kind: 'ask',
      engine: 'reader',
      question: 'What is the due date?',
      verdict: 'accepted',
      answer: { text: '2025-04-13', boxes: [] },
    });
    assert.ok(saved.ok);
  } finally {
    await backend.dispose();
  }
  const out = join(dir, 'exported');
  const r = await runCli(['data', 'export', '--format', 'llava', '--out', out, '--family', 'qwen3-vl'], {
    dataDir: data,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^1 example\(s\) from reviewed answers → .*llava\.json \(llava, qwen3-vl images: 1\)/,
  );
  const recs = JSON.parse(await readFile(join(out, 'llava.json'), 'utf8')) as Array<{
    conversations: unknown[];
  }>;
  assert.equal(recs.length, 1);
  const none = await runCli(['data', 'export', '--format', 'llava', '--out', join(dir, 'none')], {
    dataDir: join(dir, 'empty'),
  });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no reviewed answer to export/);
  const usage = await runCli(['data', 'export', '--format', 'alpaca', '--out', out], { dataDir: data });
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--format llava\|qwen-vl\|sharegpt/);
  const fam = await runCli(['data', 'export', '--format', 'llava', '--out', out, '--family', 'gpt'], {
    dataDir: data,
  });
  assert.equal(fam.code, 2);
  assert.match(fam.stderr, /--family must be one of qwen2-vl, qwen2.5-vl, qwen3-vl/);
});
