// Tiny benchmark folders in each public format `doclens eval` reads, drawn with sharp (shapes, a bar chart, a text
// page) and written to a folder of the caller's choosing: for the tests and a first try without a download. Each
// set also holds broken entries (a missing image, a bad line, a wrong row) that a run must report and get past.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { rotations } from '../../eval/metrics.js';
import type { EvalKind, Reference } from './datasets.js';

export interface SampleSet {
  dir: string;
  /** The truth of every good item, by the id the loader gives it. */
  truth: Map<string, Reference>;
  /** Ids (or null for lines without one) of the entries the loader must report as problems. */
  broken: (string | null)[];
}

const W = 224;
const H = 168;

/** A scene: coloured shapes on a light background; `shape` boxes are in image pixels. */
async function scene(
  path: string,
  shapes: { kind: 'rect' | 'circle'; color: string; x: number; y: number; w: number; h: number }[],
): Promise<void> {
  const body = shapes
    .map((s) =>
      s.kind === 'rect'
        ? `<rect x="${s.x}" y="${s.y}" width="${s.w}" height="${s.h}" fill="${s.color}"/>`
        : `<ellipse cx="${s.x + s.w / 2}" cy="${s.y + s.h / 2}" rx="${s.w / 2}" ry="${s.h / 2}" fill="${s.color}"/>`,
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#f4f1ea"/>${body}</svg>`;
  const img = sharp(Buffer.from(svg));
  await (path.endsWith('.png') ? img.png() : img.jpeg({ quality: 90 })).toFile(path);
}

async function textPage(path: string, lines: string[]): Promise<void> {
  const body = lines
    .map((l, i) => `<text x="12" y="${28 + i * 22}" font-family="sans-serif" font-size="15">${l}</text>`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#fff"/>${body}</svg>`;
  const img = sharp(Buffer.from(svg));
  await (path.endsWith('.png') ? img.png() : img.jpeg({ quality: 92 })).toFile(path);
}

async function barChart(path: string, bars: { label: string; value: number }[]): Promise<void> {
  const max = Math.max(...bars.map((b) => b.value));
  const bw = (W - 40) / bars.length;
  const body = bars
    .map((b, i) => {
      const h = (b.value / max) * (H - 50);
      const x = 20 + i * bw;
      return `<rect x="${x + 6}" y="${H - 25 - h}" width="${bw - 12}" height="${h}" fill="#3b6fd8"/><text x="${x + bw / 2}" y="${H - 10}" font-size="11" text-anchor="middle" font-family="sans-serif">${b.label}</text><text x="${x + bw / 2}" y="${H - 30 - h}" font-size="11" text-anchor="middle" font-family="sans-serif">${b.value}</text>`;
    })
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#fff"/>${body}</svg>`;
  await sharp(Buffer.from(svg)).png().toFile(path);
}

const RED = { kind: 'rect' as const, color: '#d33', x: 30, y: 40, w: 70, h: 60 };
const BLUE = { kind: 'circle' as const, color: '#24c', x: 130, y: 50, w: 60, h: 60 };

const jsonl = (rows: unknown[]) =>
  rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';

/** pandas-style TSV: fields with a tab, newline or quote are quoted, quotes doubled. */
function tsv(header: string[], rows: string[][]): string {
  const cell = (v: string) => (/[\t\n"]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [header, ...rows].map((r) => r.map(cell).join('\t')).join('\n') + '\n';
}

async function b64Scene(shapes: Parameters<typeof scene>[1], tmp: string): Promise<string> {
  await scene(tmp, shapes);
  return (await sharp(tmp).png().toBuffer()).toString('base64');
}

async function makePope(dir: string): Promise<SampleSet> {
  await mkdir(join(dir, 'val2014'), { recursive: true });
  await scene(join(dir, 'val2014', 'COCO_val2014_000000000001.jpg'), [RED]);
  await scene(join(dir, 'val2014', 'COCO_val2014_000000000002.jpg'), [BLUE]);
  const rows = [
    {
      question_id: 1,
      image: 'COCO_val2014_000000000001.jpg',
      text: 'Is there a red square in the image?',
      label: 'yes',
    },
    {
      question_id: 2,
      image: 'COCO_val2014_000000000001.jpg',
      text: 'Is there a blue circle in the image?',
      label: 'no',
    },
    {
      question_id: 3,
      image: 'COCO_val2014_000000000002.jpg',
      text: 'Is there a blue circle in the image?',
      label: 'yes',
    },
    '{"question_id": 4, "image": "COCO_val2014_000000000002.jpg", "text": "Is there',
    {
      question_id: 5,
      image: 'COCO_val2014_000000000099.jpg',
      text: 'Is there a cat in the image?',
      label: 'no',
    },
  ];
  await writeFile(join(dir, 'coco_pope_random.json'), jsonl(rows));
  await writeFile(
    join(dir, 'coco_pope_adversarial.json'),
    jsonl([
      {
        question_id: 1,
        image: 'COCO_val2014_000000000002.jpg',
        text: 'Is there a red square in the image?',
        label: 'no',
      },
    ]),
  );
  return {
    dir,
    truth: new Map<string, Reference>([
      ['random:1', { kind: 'pope', label: 'yes' }],
      ['random:2', { kind: 'pope', label: 'no' }],
      ['random:3', { kind: 'pope', label: 'yes' }],
      ['adversarial:1', { kind: 'pope', label: 'no' }],
    ]),
    broken: [null, 'random:5'],
  };
}

async function makeVqa(dir: string): Promise<SampleSet> {
  await mkdir(join(dir, 'val2014'), { recursive: true });
  await scene(join(dir, 'val2014', 'COCO_val2014_000000000011.jpg'), [RED, BLUE]);
  const ten = (a: string, b: string, nb: number) => [
    ...(Array(10 - nb).fill(a) as string[]),
    ...(Array(nb).fill(b) as string[]),
  ];
  const qs = [
    { question_id: 110, image_id: 11, question: 'What color is the square?' },
    { question_id: 111, image_id: 11, question: 'How many shapes are there?' },
    { question_id: 112, image_id: 11, question: 'Is there a circle?' },
    { question_id: 113, image_id: 12, question: 'What is missing?' },
  ];
  const answers: Record<number, { answers: string[]; type: string }> = {
    110: { answers: ten('red', 'dark red', 2), type: 'other' },
    111: { answers: ten('2', 'two', 3), type: 'number' },
    112: { answers: ten('yes', 'no', 1), type: 'yes/no' },
    113: { answers: ten('nothing', 'none', 1), type: 'other' },
  };
  await writeFile(
    join(dir, 'v2_OpenEnded_mscoco_val2014_questions.json'),
    JSON.stringify({ data_subtype: 'val2014', questions: qs }),
  );
  await writeFile(
    join(dir, 'v2_mscoco_val2014_annotations.json'),
    JSON.stringify({
      annotations: qs.map((q) => ({
        question_id: q.question_id,
        image_id: q.image_id,
        answer_type: answers[q.question_id]!.type,
        answers: answers[q.question_id]!.answers.map((a, i) => ({ answer: a, answer_id: i + 1 })),
      })),
    }),
  );
  return {
    dir,
    truth: new Map<string, Reference>(
      [110, 111, 112].map((id) => [String(id), { kind: 'vqa', answers: answers[id]!.answers }]),
    ),
    broken: ['113'],
  };
}

async function makeTextVqa(dir: string): Promise<SampleSet> {
  await mkdir(join(dir, 'train_images'), { recursive: true });
  await textPage(join(dir, 'train_images', 'a1.jpg'), ['OPEN', '24 HOURS']);
  const answers = ['open', 'open', 'open', 'open 24 hours', 'open', 'open', 'open', 'open', 'opened', 'open'];
  const data = [
    { question_id: 1, image_id: 'a1', question: 'What does the sign say?', answers, set_name: 'val' },
    {
      question_id: 2,
      image_id: 'a1',
      question: 'How many hours?',
      answers: Array(10).fill('24') as string[],
      set_name: 'val',
    },
    {
      question_id: 3,
      image_id: 'zz',
      question: 'What brand?',
      answers: Array(10).fill('x') as string[],
      set_name: 'val',
    },
    { question_id: 4, image_id: 'a1', question: 'No answers here' },
  ];
  await writeFile(join(dir, 'TextVQA_0.5.1_val.json'), JSON.stringify({ dataset_name: 'textvqa', data }));
  return {
    dir,
    truth: new Map<string, Reference>([
      ['1', { kind: 'textvqa', answers }],
      ['2', { kind: 'textvqa', answers: Array(10).fill('24') as string[] }],
    ]),
    broken: ['3', '4'],
  };
}

async function makeDocVqa(dir: string): Promise<SampleSet> {
  await mkdir(join(dir, 'documents'), { recursive: true });
  await textPage(join(dir, 'documents', 'inv1.png'), [
    'INVOICE 4471',
    'Date: 12 March 2021',
    'Total: $1,250.00',
  ]);
  const data = [
    {
      questionId: 1,
      question: 'What is the invoice number?',
      image: 'documents/inv1.png',
      answers: ['4471'],
      question_types: ['form'],
    },
    {
      questionId: 2,
      question: 'What is the total?',
      image: 'documents/inv1.png',
      answers: ['$1,250.00', '1,250.00'],
      question_types: ['form'],
    },
    {
      questionId: 3,
      question: 'What is the date?',
      image: 'documents/inv1.png',
      answers: ['12 March 2021'],
      question_types: ['layout'],
    },
    { questionId: 4, question: 'Who signed?', image: 'documents/missing.png', answers: ['nobody'] },
  ];
  await writeFile(
    join(dir, 'val_v1.0.json'),
    JSON.stringify({ dataset_name: 'docvqa', dataset_split: 'val', data }),
  );
  return {
    dir,
    truth: new Map<string, Reference>(
      data.slice(0, 3).map((d) => [String(d.questionId), { kind: 'docvqa', answers: d.answers }]),
    ),
    broken: ['4'],
  };
}

async function makeChartQa(dir: string): Promise<SampleSet> {
  const test = join(dir, 'test');
  await mkdir(join(test, 'png'), { recursive: true });
  await barChart(join(test, 'png', 'c1.png'), [
    { label: '2019', value: 40 },
    { label: '2020', value: 55 },
    { label: '2021', value: 70 },
  ]);
  const human = [
    { imgname: 'c1.png', query: 'What is the value in 2020?', label: '55' },
    { imgname: 'c1.png', query: 'Which year has the highest value?', label: '2021' },
    { imgname: 'c9.png', query: 'What is shown?', label: '1' },
  ];
  const augmented = [
    { imgname: 'c1.png', query: 'What is the sum of 2019 and 2021?', label: '110' },
    { query: 'no image' },
  ];
  await writeFile(join(test, 'test_human.json'), JSON.stringify(human));
  await writeFile(join(test, 'test_augmented.json'), JSON.stringify(augmented));
  return {
    dir,
    truth: new Map<string, Reference>([
      ['human:0', { kind: 'chartqa', answer: '55' }],
      ['human:1', { kind: 'chartqa', answer: '2021' }],
      ['augmented:0', { kind: 'chartqa', answer: '110' }],
    ]),
    broken: ['human:2', 'augmented:1'],
  };
}

async function makeGqa(dir: string): Promise<SampleSet> {
  await mkdir(join(dir, 'images'), { recursive: true });
  await scene(join(dir, 'images', 'n1.jpg'), [RED, BLUE]);
  const qs = {
    '201': { imageId: 'n1', question: 'Is the square red?', answer: 'yes', types: { structural: 'verify' } },
    '202': {
      imageId: 'n1',
      question: 'What shape is blue?',
      answer: 'circle',
      types: { structural: 'query' },
    },
    '203': {
      imageId: 'n1',
      question: 'Which is left, the square or the circle?',
      answer: 'square',
      types: { structural: 'choose' },
    },
    '204': { imageId: 'n2', question: 'What is this?', answer: 'cat', types: { structural: 'query' } },
    '205': { imageId: 'n1', question: 'No answer' },
  };
  await writeFile(join(dir, 'testdev_balanced_questions.json'), JSON.stringify(qs));
  return {
    dir,
    truth: new Map<string, Reference>([
      ['201', { kind: 'gqa', answer: 'yes' }],
      ['202', { kind: 'gqa', answer: 'circle' }],
      ['203', { kind: 'gqa', answer: 'square' }],
    ]),
    broken: ['204', '205'],
  };
}

async function makeMme(dir: string): Promise<SampleSet> {
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, '.draw.png');
  const a = await b64Scene([RED], tmp);
  const b = await b64Scene([RED, BLUE], tmp);
  const header = ['index', 'image', 'question', 'answer', 'category'];
  const rows = [
    ['0', a, 'Is there a red square in this image? Please answer yes or no.', 'Yes', 'existence'],
    // VLMEvalKit stores a repeated image once: the cell names the row that holds it.
    ['1', '0', 'Is there a green triangle in this image? Please answer yes or no.', 'No', 'existence'],
    ['2', b, 'Are there two shapes in the image? Please answer yes or no.', 'Yes', 'count'],
    ['3', '2', 'Are there three shapes in the image? Please answer yes or no.', 'No', 'count'],
    ['4', b, 'Is the square on the left? Please answer yes or no.', 'Maybe', 'position'],
    ['5', b, 'Too few fields'],
  ];
  await writeFile(join(dir, 'MME.tsv'), tsv(header, rows));
  await rm(tmp, { force: true });
  return {
    dir,
    truth: new Map<string, Reference>([
      ['0', { kind: 'mme', task: 'existence', image: '0', label: 'yes' }],
      ['1', { kind: 'mme', task: 'existence', image: '0', label: 'no' }],
      ['2', { kind: 'mme', task: 'count', image: '2', label: 'yes' }],
      ['3', { kind: 'mme', task: 'count', image: '2', label: 'no' }],
    ]),
    broken: ['4', '5'],
  };
}

async function makeChoice(dir: string, circular: boolean): Promise<SampleSet> {
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, '.draw.png');
  const a = await b64Scene([RED, BLUE], tmp);
  const header = ['index', 'question', 'hint', 'A', 'B', 'C', 'D', 'answer', 'category', 'image'];
  const rows = [
    ['10', 'What color is the square?', 'nan', 'red', 'blue', 'green', 'yellow', 'A', 'attribute', a],
    [
      '11',
      'Which shape is blue?',
      'Look at the right.',
      'square',
      'circle',
      'nan',
      'nan',
      'B',
      'attribute',
      '10',
    ],
    ['12', 'How many shapes?', 'nan', 'one', 'two', 'three', 'four', 'B', 'counting', '10'],
    ['13', 'Broken answer', 'nan', 'x', 'y', 'nan', 'nan', 'Z', 'counting', '10'],
  ];
  await writeFile(join(dir, circular ? 'MMBench_DEV_EN.tsv' : 'SEEDBench_IMG.tsv'), tsv(header, rows));
  await rm(tmp, { force: true });
  const truth = new Map<string, Reference>();
  for (const r of rows.slice(0, 3)) {
    const options: Record<string, string> = {};
    ['A', 'B', 'C', 'D'].forEach((l, k) => {
      const v = r[3 + k]!;
      if (v !== 'nan') options[l] = v;
    });
    const variants = circular ? rotations(options, r[7]!) : [{ options, answer: r[7]! }];
    variants.forEach((v, k) =>
      truth.set(k === 0 ? r[0]! : `${r[0]!}:r${k}`, {
        kind: 'choice',
        options: v.options,
        answer: v.answer,
        group: r[0]!,
        rotation: k,
      }),
    );
  }
  return { dir, truth, broken: ['13'] };
}

async function makeRefCoco(dir: string): Promise<SampleSet> {
  await mkdir(join(dir, 'images'), { recursive: true });
  await scene(join(dir, 'images', 'r1.jpg'), [RED, BLUE]);
  const rows = [
    { id: 'e1', image: 'r1.jpg', expression: 'the red square', bbox: [RED.x, RED.y, RED.w, RED.h] },
    {
      id: 'e2',
      image: 'r1.jpg',
      expression: 'the blue circle on the right',
      bbox: [BLUE.x, BLUE.y, BLUE.w, BLUE.h],
    },
    { id: 'e3', image: 'r1.jpg', expression: 'a box with no size', bbox: [1, 2, 0, 5] },
    { id: 'e4', image: 'gone.jpg', expression: 'anything', bbox: [1, 2, 3, 4] },
  ];
  await writeFile(join(dir, 'refcoco_val.jsonl'), jsonl(rows));
  const box = (b: number[]) => ({ x0: b[0]!, y0: b[1]!, x1: b[0]! + b[2]!, y1: b[1]! + b[3]! });
  return {
    dir,
    truth: new Map<string, Reference>([
      ['e1', { kind: 'refcoco', box: box(rows[0]!.bbox) }],
      ['e2', { kind: 'refcoco', box: box(rows[1]!.bbox) }],
    ]),
    broken: ['e3', 'e4'],
  };
}

/** Writes the sample set of `kind` into `dir` (created) and says what a loader must make of it. */
export async function makeSampleSet(kind: EvalKind, dir: string): Promise<SampleSet> {
  switch (kind) {
    case 'pope':
      return makePope(dir);
    case 'vqa':
      return makeVqa(dir);
    case 'textvqa':
      return makeTextVqa(dir);
    case 'docvqa':
      return makeDocVqa(dir);
    case 'chartqa':
      return makeChartQa(dir);
    case 'gqa':
      return makeGqa(dir);
    case 'mme':
      return makeMme(dir);
    case 'mmbench':
      return makeChoice(dir, true);
    case 'seed':
      return makeChoice(dir, false);
    case 'refcoco':
      return makeRefCoco(dir);
  }
}
