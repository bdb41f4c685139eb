// `data export` on reviews saved through the real backend: the LLaVA JSON validates against the LLaVA format's
// schema, page images are written at each family's resized size, and each family's boxes decode back (through the
// grounding parser inference uses) to the reviewed page-space box; rejected reviews and vanished files are reported.
import assert from 'node:assert/strict';
import { copyFile, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import sharp from 'sharp';
import { parseGrounding } from '../../inference/families/qwen2-vl/output.js';
import type { DocumentInfo } from '../../shared/domain.js';
import type { Review } from '../../shared/reviews.js';
import { samplesDir } from '../paths.js';
import { testBackend } from '../testing.js';
import { exportReviews, type LlavaRecord, type QwenRecord, type ShareGptRecord } from './export.js';
import { LLAVA_SCHEMA } from './llava-schema.js';

const tb = testBackend('doclens-data-export-');

const dueBox = { page: 1, label: 'Due date', x0: 509.42, y0: 117.18, x1: 558, y1: 125.97 };
const logoBox = { page: 1, label: 'logo', x0: 60, y0: 50, x1: 110, y1: 100 };
let reviews: Review[] = [];
let copyPath = '';

async function seed(): Promise<void> {
  if (reviews.length) return;
  const doc = await tb.call<DocumentInfo>('documents.open', { path: join(samplesDir(), 'invoice.pdf') });
  const base = { docId: doc.id, page: 1, engine: 'reader', model: null, trust: 'verified' };
  reviews = [
    await tb.call<Review>('reviews.save', {
      ...base,
      kind: 'ask',
      question: 'What is the due date?',
      verdict: 'accepted',
      answer: { text: '2025-04-13', boxes: [dueBox] },
    }),
    await tb.call<Review>('reviews.save', {
      ...base,
      kind: 'find',
      engine: 'vlm',
      model: 'tiny',
      question: 'logo',
      verdict: 'corrected',
      answer: { text: 'x', boxes: [{ ...logoBox, x0: 300, x1: 350 }] },
      corrected: { text: '', boxes: [logoBox] },
    }),
    await tb.call<Review>('reviews.save', {
      ...base,
      kind: 'ask',
      question: 'What is the total?',
      verdict: 'rejected',
      answer: { text: '$1', boxes: [] },
    }),
  ];
  // A reviewed copy that is then deleted: its review cannot be exported, and says so.
  copyPath = join(tb.dir, 'gone.pdf');
  await copyFile(join(samplesDir(), 'report.pdf'), copyPath);
  const gone = await tb.call<DocumentInfo>('documents.open', { path: copyPath });
  await tb.call('reviews.save', {
    docId: gone.id,
    page: 1,
    kind: 'ask',
    engine: 'reader',
    question: 'Title?',
    verdict: 'accepted',
    answer: { text: 'Report', boxes: [] },
  });
  await tb.call('documents.close', { docId: gone.id });
  await rm(copyPath);
}

test('LLaVA JSON: valid against the LLaVA format schema, traceable, rejected and vanished reviews left out', async () => {
  await seed();
  const out = join(tb.dir, 'llava');
  const s = await exportReviews({ backend: tb.backend, outDir: out, format: 'llava', family: 'qwen2.5-vl' });
  assert.equal(s.records, 2);
  assert.equal(s.images, 1);
  assert.equal(s.rejected, 1);
  assert.equal(s.problems.length, 1);
  assert.ok(
    s.problems[0]?.file === copyPath &&
      /1 review\(s\) of gone\.pdf are not exported/.test(s.problems[0].message),
  );
  const data = JSON.parse(await readFile(join(out, 'llava.json'), 'utf8')) as LlavaRecord[];
  const validate = new Ajv2020({ allErrors: true, strict: true, strictTuples: false }).compile(LLAVA_SCHEMA);
  assert.ok(validate(data), JSON.stringify(validate.errors));
  // The schema refuses what LLaVA's loader cannot read (a check that it can fail).
  assert.equal(
    validate([{ id: 'x', image: 'a.png', conversations: [{ from: 'gpt', value: 'no image' }] }]),
    false,
  );
  for (const r of data) {
    assert.equal(r.conversations[0]?.value.split('<image>').length, 2, 'one <image> placeholder');
    assert.equal(r.doclens.sha256, reviews[0]?.docSha256);
    assert.equal(r.doclens.page, 1);
    assert.match(r.doclens.file, /invoice\.pdf$/);
  }
  assert.deepEqual(
    data.map((r) => [r.doclens.review, r.doclens.verdict, r.id]),
    reviews.slice(0, 2).map((r) => [r.id, r.verdict, `${r.docSha256.slice(0, 12)}-p1-${r.id}`]),
  );
  // LLaVA-1.5 boxes: fractions of the image, three decimals.
  assert.equal(data[0]?.conversations[1]?.value, '2025-04-13\nDue date: [0.832, 0.148, 0.912, 0.159]');
  assert.equal(data[1]?.conversations[1]?.value, 'logo: [0.098, 0.063, 0.180, 0.126]');
  const meta = await sharp(join(out, data[0]?.image ?? '')).metadata();
  // 612 × 792 pt at 150 dpi = 1275 × 1650 px, smart_resize (28, 1280 tokens) → 868 × 1120.
  assert.deepEqual([meta.width, meta.height], [868, 1120]);
  assert.deepEqual(data[0]?.doclens.image_size, [868, 1120]);
});

test('Qwen2.5-VL JSONL: bbox_2d in pixels of the resized image, decoded back to the reviewed box', async () => {
  await seed();
  const out = join(tb.dir, 'qwen25');
  const s = await exportReviews({
    backend: tb.backend,
    outDir: out,
    format: 'qwen-vl',
    family: 'qwen2.5-vl',
  });
  const lines = (await readFile(join(out, 'qwen-vl.jsonl'), 'utf8')).trim().split('\n');
  assert.equal(lines.length, s.records);
  const recs = lines.map((l) => JSON.parse(l) as QwenRecord);
  const ask = recs[0];
  const find = recs[1];
  assert.ok(ask && find);
  assert.equal(ask.messages[0]?.content, '<image>What is the due date?');
  assert.equal(
    find.messages[0]?.content,
    '<image>Locate every logo in the image, output the bbox coordinates in JSON format.',
  );
  assert.deepEqual(ask.images, ['images/' + `${reviews[0]?.docSha256.slice(0, 16)}-p1-qwen2.5-vl.png`]);
  const parsed = parseGrounding(find.messages[1]?.content ?? '');
  assert.equal(parsed.format, 'qwen2.5-vl');
  // 60,50 – 110,100 pt × (868/612, 1120/792) = 85.1,70.7 – 156.0,141.4 → rounded.
  assert.deepEqual(parsed.boxes, [{ label: 'logo', kind: 'box', x0: 85, y0: 71, x1: 156, y1: 141 }]);
  const due = parseGrounding(ask.messages[1]?.content ?? '').boxes[0];
  assert.ok(due);
  const back = {
    x0: (due.x0 * 612) / 868,
    y0: (due.y0 * 792) / 1120,
    x1: (due.x1 * 612) / 868,
    y1: (due.y1 * 792) / 1120,
  };
  for (const k of ['x0', 'y0', 'x1', 'y1'] as const)
    assert.ok(Math.abs(back[k] - dueBox[k]) <= 0.5 * (612 / 868) + 1e-9, `${k}: ${back[k]} vs ${dueBox[k]}`);
  assert.ok(ask.messages[1]?.content.startsWith('2025-04-13\n```json\n'));
  const info = JSON.parse(await readFile(join(out, 'dataset_info.json'), 'utf8')) as Record<
    string,
    { file_name: string }
  >;
  assert.equal(info.doclens_qwen_vl?.file_name, 'qwen-vl.jsonl');
});

test('Qwen2-VL and Qwen3-VL write 0–1000 boxes of their own resized images; ShareGPT for LLaMA-Factory', async () => {
  await seed();
  const q2 = join(tb.dir, 'qwen2');
  await exportReviews({ backend: tb.backend, outDir: q2, format: 'sharegpt', family: 'qwen2-vl' });
  const share = JSON.parse(await readFile(join(q2, 'sharegpt.json'), 'utf8')) as ShareGptRecord[];
  const find2 = share[1]?.conversations[1]?.value ?? '';
  assert.equal(find2, '<|object_ref_start|>logo<|object_ref_end|><|box_start|>(98,63),(180,126)<|box_end|>');
  assert.equal(
    share[1]?.conversations[0]?.value,
    '<image>Detect the bounding box of <|object_ref_start|>logo<|object_ref_end|>.',
  );
  assert.equal(parseGrounding(find2).format, 'qwen2-vl');
  const info = JSON.parse(await readFile(join(q2, 'dataset_info.json'), 'utf8')) as Record<
    string,
    { columns: unknown }
  >;
  assert.deepEqual(info.doclens_sharegpt?.columns, { messages: 'conversations', images: 'images' });

  const q3 = join(tb.dir, 'qwen3');
  await exportReviews({ backend: tb.backend, outDir: q3, format: 'qwen-vl', family: 'qwen3-vl' });
  const rec = JSON.parse(
    (await readFile(join(q3, 'qwen-vl.jsonl'), 'utf8')).split('\n')[1] ?? '',
  ) as QwenRecord;
  assert.equal(
    rec.messages[1]?.content,
    '```json\n[\n\t{"bbox_2d": [98, 63, 180, 126], "label": "logo"}\n]\n```',
  );
  const meta = await sharp(join(q3, rec.images[0] ?? '')).metadata();
  // 1275 × 1650 px, smart_resize (32, 1280 tokens of 32²) → 992 × 1280.
  assert.deepEqual([meta.width, meta.height], [992, 1280]);
});
