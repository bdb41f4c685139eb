// The benchmark readers on the generated sample sets (every public format `doclens eval` takes): each good entry
// becomes an item with the right truth and prompt, each broken one a problem naming its file, and nothing throws.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { CHOICE_ANSWER, EVAL_KINDS, loadBenchmark, SHORT_ANSWER } from './datasets.js';
import { makeSampleSet } from './sample-sets.js';
import { parseTsv, readTsv } from './tsv.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'doclens-eval-sets-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

for (const kind of EVAL_KINDS) {
  test(`${kind}: the sample set's good entries load with their truth, the broken ones are problems`, async () => {
    const set = await makeSampleSet(kind, join(root, kind));
    const bench = await loadBenchmark(kind, set.dir);
    assert.deepEqual(
      new Map(bench.items.map((i) => [i.id, i.ref])),
      set.truth,
      `items of ${kind}: ${bench.items.map((i) => i.id).join(', ')}`,
    );
    assert.deepEqual(
      bench.problems.map((p) => p.id).sort(),
      [...set.broken].sort(),
      JSON.stringify(bench.problems),
    );
    for (const p of bench.problems) {
      assert.ok(
        p.file.length > 0 && !p.file.startsWith('/'),
        `problem file is relative to the set: ${p.file}`,
      );
      assert.ok(p.message.length > 10);
    }
    for (const it of bench.items) {
      if (it.task === 'ground') assert.equal(kind, 'refcoco');
      else if (it.ref.kind === 'choice') assert.ok(it.prompt.endsWith(CHOICE_ANSWER));
      else if (kind !== 'mme') assert.ok(it.prompt.endsWith(SHORT_ANSWER), it.prompt);
    }
  });
}

test('MMBench rotations: every option order of a question shares its group and keeps the right text', async () => {
  const bench = await loadBenchmark('mmbench', join(root, 'mmbench'));
  const group = bench.items.filter((i) => i.ref.kind === 'choice' && i.ref.group === '10');
  assert.equal(group.length, 4);
  for (const it of group) {
    assert.ok(it.ref.kind === 'choice');
    assert.equal(it.ref.options[it.ref.answer], 'red');
  }
  // The TSV's image cell "10" on row 11 points at row 10's picture: the same bytes.
  const a = bench.items.find((i) => i.id === '10')!;
  const b = bench.items.find((i) => i.id === '11')!;
  assert.ok('offset' in a.image && 'offset' in b.image);
  assert.equal(a.image.offset, b.image.offset);
  assert.equal(a.image.name, b.image.name);
});

test('MMBench with VLMEvalKit circular copies (index ≥ 1e6) groups them instead of rotating again', async () => {
  const dir = join(root, 'mmbench-copies');
  const set = await makeSampleSet('mmbench', dir);
  assert.ok(set.truth.size > 0);
  const tsvPath = join(dir, 'MMBench_DEV_EN.tsv');
  const table = parseTsv(await readFile(tsvPath, 'utf8'));
  const first = table.rows[0]!.cells;
  const copy: Record<string, string> = {
    ...first,
    index: '1000010',
    A: first.B!,
    B: first.A!,
    answer: 'B',
    image: '10',
  };
  const line = table.header.map((h) => copy[h] ?? '').join('\t');
  await writeFile(
    tsvPath,
    `${table.header.join('\t')}\n${table.header.map((h) => first[h] ?? '').join('\t')}\n${line}\n`,
  );
  const bench = await loadBenchmark('mmbench', dir);
  assert.deepEqual(
    bench.items.map((i) => [
      i.id,
      i.ref.kind === 'choice' ? [i.ref.group, i.ref.rotation, i.ref.answer] : null,
    ]),
    [
      ['10', ['10', 0, 'A']],
      ['1000010', ['10', 1, 'B']],
    ],
  );
});

test('a folder without the benchmark says which files it looked for', async () => {
  await assert.rejects(loadBenchmark('pope', join(root, 'gqa')), /coco_pope_/);
  await assert.rejects(loadBenchmark('chartqa', join(root, 'nope')), /does not exist/);
});

test('VQAv2 as a JSONL of {question_id, image, question, answers}', async () => {
  const dir = join(root, 'vqa-jsonl');
  const set = await makeSampleSet('vqa', dir);
  await rm(join(dir, 'v2_OpenEnded_mscoco_val2014_questions.json'));
  await rm(join(dir, 'v2_mscoco_val2014_annotations.json'));
  const answers = [...(set.truth.get('110') as { answers: string[] }).answers];
  await writeFile(
    join(dir, 'vqa.jsonl'),
    [
      JSON.stringify({ question_id: 1, image: 'COCO_val2014_000000000011.jpg', question: 'Color?', answers }),
      'not json',
      JSON.stringify({ question_id: 2, image: 'COCO_val2014_000000000011.jpg', question: 'No answers' }),
    ].join('\n'),
  );
  const bench = await loadBenchmark('vqa', dir);
  assert.deepEqual(
    bench.items.map((i) => i.id),
    ['1'],
  );
  assert.deepEqual(bench.items[0]!.ref, { kind: 'vqa', answers });
  assert.deepEqual(
    bench.problems.map((p) => [p.file, p.line, p.id]),
    [
      ['vqa.jsonl', 2, null],
      ['vqa.jsonl', 3, '2'],
    ],
  );
});

test('parseTsv: quoted fields with tabs, newlines and doubled quotes; CRLF; short rows keep their width', () => {
  const t = parseTsv('a\tb\tc\r\n1\t"x\ty"\t"say ""hi""\nthere"\r\n2\t3\n');
  assert.deepEqual(t.header, ['a', 'b', 'c']);
  assert.deepEqual(t.rows[0], {
    line: 2,
    cells: { a: '1', b: 'x\ty', c: 'say "hi"\nthere' },
    spans: {},
    width: 3,
  });
  assert.deepEqual(t.rows[1], { line: 4, cells: { a: '2', b: '3', c: '' }, spans: {}, width: 2 });
});

test('readTsv streams: the same cells across any chunk size; a raw column is located, not decoded', async () => {
  const b64 = Buffer.alloc(300, 7).toString('base64');
  const text = `\ufeffindex\timage\tq\n1\t${b64}\t"a ""b""\tc\nd"\r\n2\t1\tplain\n3\t\t\n`;
  const file = join(root, 'stream.tsv');
  await writeFile(file, text);
  const whole = parseTsv(text);
  for (const size of [1, 7, 64, 1 << 20]) {
    const t = await readTsv(file, ['image'], size);
    assert.deepEqual(t.header, ['index', 'image', 'q']);
    assert.deepEqual(
      t.rows.map((r) => [r.line, r.cells.q, r.width]),
      whole.rows.map((r) => [r.line, r.cells.q, r.width]),
      `chunk ${size}`,
    );
    const [r1, r2, r3] = t.rows;
    assert.equal(r1!.cells.image, '', 'a long raw cell is not decoded');
    const bytes = await readFile(file);
    const s = r1!.spans.image!;
    assert.equal(bytes.subarray(s.offset, s.offset + s.length).toString('latin1'), b64, `chunk ${size}`);
    assert.equal(r2!.cells.image, '1', 'a short raw cell (a row reference) is kept');
    assert.equal(r3!.spans.image!.length, 0);
  }
});

test("MME's release folders: images beside their .txt, or images/ + questions_answers_YN/", async () => {
  const rel = join(root, 'mme-folders', 'MME_Benchmark_release_version');
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
    .png()
    .toBuffer();
  await mkdir(join(rel, 'existence'), { recursive: true });
  await writeFile(join(rel, 'existence', '0001.png'), png);
  await writeFile(
    join(rel, 'existence', '0001.txt'),
    'Is there a dog? Please answer yes or no.\tYes\nIs there a cat? Please answer yes or no.\tNo\n',
  );
  await mkdir(join(rel, 'artwork', 'images'), { recursive: true });
  await mkdir(join(rel, 'artwork', 'questions_answers_YN'), { recursive: true });
  await writeFile(join(rel, 'artwork', 'images', '10.jpg'), png);
  await writeFile(
    join(rel, 'artwork', 'questions_answers_YN', '10.txt'),
    'Is it by Monet?\tNo\nbroken line\n',
  );
  await writeFile(join(rel, 'artwork', 'questions_answers_YN', '11.txt'), 'Is it by Degas?\tYes\n');
  const bench = await loadBenchmark('mme', join(root, 'mme-folders'));
  assert.deepEqual(
    bench.items.map((i) => [i.id, i.category, i.ref]),
    [
      ['artwork/10#1', 'artwork', { kind: 'mme', task: 'artwork', image: 'artwork/10', label: 'no' }],
      [
        'existence/0001#1',
        'existence',
        { kind: 'mme', task: 'existence', image: 'existence/0001', label: 'yes' },
      ],
      [
        'existence/0001#2',
        'existence',
        { kind: 'mme', task: 'existence', image: 'existence/0001', label: 'no' },
      ],
    ],
  );
  assert.deepEqual(
    bench.problems.map((p) => [p.id, p.line, p.message]),
    [
      ['artwork/10#2', 2, 'needs "question<TAB>Yes|No"'],
      ['artwork/11#1', 1, `no image 11.* in ${join(rel, 'artwork', 'images')}`],
    ],
  );
});

test('DocVQA as downloaded: the questions JSON in a subfolder (spdocvqa_qas/), the images in another', async () => {
  const dir = join(root, 'docvqa-nested');
  const set = await makeSampleSet('docvqa', join(dir, 'spdocvqa_qas'));
  assert.ok(set.truth.size > 0);
  await rename(join(dir, 'spdocvqa_qas', 'documents'), join(dir, 'spdocvqa_images'));
  const bench = await loadBenchmark('docvqa', dir);
  assert.deepEqual(new Map(bench.items.map((i) => [i.id, i.ref])), set.truth);
  assert.deepEqual(bench.files, [join('spdocvqa_qas', 'val_v1.0.json')]);
  for (const it of bench.items) assert.ok('path' in it.image && it.image.path.includes('spdocvqa_images'));
});
