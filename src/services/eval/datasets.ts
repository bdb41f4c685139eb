// Reads public benchmarks in the formats their authors publish them (POPE, VQAv2, TextVQA, DocVQA/InfographicVQA,
// ChartQA, GQA, MME, MMBench, SEED-Bench, RefCOCO JSONL) from a folder the user points at, into one item list.
// A broken entry (bad JSON line, missing column, missing image) becomes a problem naming its file and line, never
// an exception: the rest of the benchmark still runs.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { rotations, type Box } from '../../eval/metrics.js';
import { AppError } from '../../shared/errors.js';
import { EvalKindName } from '../../shared/evaluate.js';
import { readTsv, type TsvRow, type TsvSpan } from './tsv.js';

// The one list lives in the contract (src/shared/evaluate.ts), which the Evaluate view and this reader share.
export const EVAL_KINDS = EvalKindName.options;
export type EvalKind = (typeof EVAL_KINDS)[number];

/** The truth an item is scored against. */
export type Reference =
  | { kind: 'pope'; label: 'yes' | 'no' }
  | { kind: 'vqa'; answers: string[] }
  | { kind: 'textvqa'; answers: string[] }
  | { kind: 'docvqa'; answers: string[] }
  | { kind: 'chartqa'; answer: string }
  | { kind: 'gqa'; answer: string }
  | { kind: 'mme'; task: string; image: string; label: 'yes' | 'no' }
  | { kind: 'choice'; options: Record<string, string>; answer: string; group: string; rotation: number }
  | { kind: 'refcoco'; box: Box };

/**
 * Where an item's image is: a file, or base64 carried in the benchmark file itself (a TSV cell, located by byte
 * offset and read when the item runs; `name` is the file it is written to then).
 */
export type ItemImage = { path: string } | { file: string; offset: number; length: number; name: string };

export interface EvalItem {
  id: string;
  category: string;
  image: ItemImage;
  /** What the model is asked (for grounding: the referring expression alone). */
  prompt: string;
  task: 'answer' | 'ground';
  ref: Reference;
}

export interface ItemProblem {
  /** The item's id where one could be read. */
  id: string | null;
  file: string;
  line: number | null;
  message: string;
}

export interface LoadedBenchmark {
  kind: EvalKind;
  dir: string;
  /** The benchmark files read, relative to dir. */
  files: string[];
  items: EvalItem[];
  problems: ItemProblem[];
}

/** The prompts LLaVA's and Qwen-VL's evaluation scripts append for short answers and multiple choice. */
export const SHORT_ANSWER = 'Answer the question using a single word or phrase.';
export const CHOICE_ANSWER = "Answer with the option's letter from the given choices directly.";

class Sink {
  readonly items: EvalItem[] = [];
  readonly problems: ItemProblem[] = [];
  private readonly ids = new Set<string>();
  constructor(readonly dir: string) {}
  problem(file: string, line: number | null, id: string | null, message: string): void {
    this.problems.push({ id, file: relative(this.dir, file) || basename(file), line, message });
  }
  add(file: string, line: number | null, item: EvalItem): void {
    if (this.ids.has(item.id)) return this.problem(file, line, item.id, `duplicate item id ${item.id}`);
    this.ids.add(item.id);
    this.items.push(item);
  }
}

// ---- small readers ---------------------------------------------------------------------------------------

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** Files in `dir` whose names match; where none does, those in its immediate subfolders (e.g. DocVQA's qas/). */
function filesMatching(dir: string, re: RegExp): string[] {
  const direct = (d: string) =>
    listDir(d)
      .filter((n) => re.test(n) && !isDir(join(d, n)))
      .map((n) => join(d, n));
  const here = direct(dir);
  if (here.length) return here;
  return listDir(dir)
    .map((n) => join(dir, n))
    .filter(isDir)
    .flatMap(direct);
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new AppError('io_error', `cannot read ${file}: ${(e as Error).message}`);
  }
}

async function readJson(file: string): Promise<unknown> {
  const text = await readText(file);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new AppError('invalid_input', `${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** JSON Lines: each good line's object with its line number; a bad line becomes a problem. */
async function readJsonl(
  file: string,
  sink: Sink,
): Promise<{ line: number; value: Record<string, unknown> }[]> {
  const out: { line: number; value: Record<string, unknown> }[] = [];
  const lines = (await readText(file)).split(/\r?\n/);
  lines.forEach((text, i) => {
    if (!text.trim()) return;
    try {
      const v = JSON.parse(text) as unknown;
      if (v === null || typeof v !== 'object' || Array.isArray(v))
        sink.problem(file, i + 1, null, 'the line is not a JSON object');
      else out.push({ line: i + 1, value: v as Record<string, unknown> });
    } catch (e) {
      sink.problem(file, i + 1, null, `bad JSON line: ${(e as Error).message}`);
    }
  });
  return out;
}

const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null;

/** Folders an image named in a benchmark file may sit in: the folder itself and the image folders beside it. */
function imageRoots(dir: string, preferred: string[] = []): string[] {
  const roots = [dir, ...preferred.map((p) => join(dir, p))];
  for (const n of listDir(dir)) {
    const p = join(dir, n);
    if (isDir(p)) {
      roots.push(p);
      for (const m of listDir(p)) if (isDir(join(p, m))) roots.push(join(p, m));
    }
  }
  return [...new Set(roots)].filter(isDir);
}

/** The image file `name` names (a relative path or a bare file name), looked up under the roots. */
function findImage(roots: string[], name: string): string | null {
  const rel = name.replace(/^\.?\/+/, '');
  for (const r of roots) {
    const p = join(r, rel);
    if (existsSync(p)) return p;
  }
  const base = basename(rel);
  for (const r of roots) {
    const p = join(r, base);
    if (existsSync(p)) return p;
  }
  return null;
}

function answerList(v: unknown): string[] | null {
  if (!Array.isArray(v)) return null;
  const out: string[] = [];
  for (const a of v) {
    const s = str(a) ?? (a && typeof a === 'object' ? str((a as { answer?: unknown }).answer) : null);
    if (s === null) return null;
    out.push(s);
  }
  return out.length ? out : null;
}

// ---- the benchmarks --------------------------------------------------------------------------------------

async function loadPope(dir: string, sink: Sink): Promise<string[]> {
  const files = filesMatching(dir, /pope.*\.jsonl?$/i);
  if (!files.length)
    throw new AppError(
      'not_found',
      `${dir} holds no POPE files (coco_pope_{random,popular,adversarial}.json)`,
    );
  const roots = imageRoots(dir, ['val2014', 'images']);
  for (const file of files) {
    const split = /pope_([a-z]+)/i.exec(basename(file))?.[1] ?? basename(file, extname(file));
    for (const { line, value } of await readJsonl(file, sink)) {
      const qid = str(value.question_id);
      const id = qid === null ? null : `${split}:${qid}`;
      const image = str(value.image);
      const text = str(value.text);
      const label = str(value.label)?.toLowerCase();
      if (id === null || image === null || text === null || (label !== 'yes' && label !== 'no')) {
        sink.problem(file, line, id, 'needs question_id, image, text and label (yes or no)');
        continue;
      }
      const path = findImage(roots, image);
      if (!path) {
        sink.problem(file, line, id, `image ${image} not found under ${dir}`);
        continue;
      }
      sink.add(file, line, {
        id,
        category: split,
        image: { path },
        prompt: `${text}\n${SHORT_ANSWER}`,
        task: 'answer',
        ref: { kind: 'pope', label },
      });
    }
  }
  return files;
}

async function loadVqa(dir: string, sink: Sink): Promise<string[]> {
  const roots = imageRoots(dir, ['val2014', 'images']);
  const qFile = filesMatching(dir, /questions.*\.json$/i)[0];
  const aFile = filesMatching(dir, /annotations.*\.json$/i)[0];
  const addOne = (
    file: string,
    line: number | null,
    id: string,
    image: string,
    question: string,
    answers: string[],
    category: string,
  ) => {
    const path = findImage(roots, image);
    if (!path) return sink.problem(file, line, id, `image ${image} not found under ${dir}`);
    sink.add(file, line, {
      id,
      category,
      image: { path },
      prompt: `${question}\n${SHORT_ANSWER}`,
      task: 'answer',
      ref: { kind: 'vqa', answers },
    });
  };
  if (qFile && aFile) {
    const q = (await readJson(qFile)) as { questions?: unknown; data_subtype?: unknown };
    const a = (await readJson(aFile)) as { annotations?: unknown };
    if (!Array.isArray(q.questions)) throw new AppError('invalid_input', `${qFile} has no "questions" list`);
    if (!Array.isArray(a.annotations))
      throw new AppError('invalid_input', `${aFile} has no "annotations" list`);
    const subtype = str(q.data_subtype) ?? 'val2014';
    const anns = new Map<string, { answers: string[] | null; type: string }>();
    for (const ann of a.annotations as Record<string, unknown>[]) {
      const id = str(ann?.question_id);
      if (id !== null)
        anns.set(id, { answers: answerList(ann.answers), type: str(ann.answer_type) ?? 'all' });
    }
    (q.questions as Record<string, unknown>[]).forEach((qq, i) => {
      const id = str(qq?.question_id);
      const imageId = str(qq?.image_id);
      const question = str(qq?.question);
      const ann = id === null ? undefined : anns.get(id);
      if (id === null || imageId === null || question === null)
        return sink.problem(qFile, null, id, `question ${i}: needs question_id, image_id and question`);
      if (!ann?.answers)
        return sink.problem(aFile, null, id, `no annotation with answers for question ${id}`);
      const image = `COCO_${subtype}_${imageId.padStart(12, '0')}.jpg`;
      addOne(qFile, null, id, image, question, ann.answers, ann.type);
    });
    return [qFile, aFile];
  }
  const files = filesMatching(dir, /\.jsonl$/i);
  if (!files.length)
    throw new AppError(
      'not_found',
      `${dir} holds neither the official VQAv2 questions + annotations JSON nor a JSONL of {question_id, image, question, answers}`,
    );
  for (const file of files) {
    for (const { line, value } of await readJsonl(file, sink)) {
      const id = str(value.question_id);
      const image = str(value.image);
      const question = str(value.question);
      const answers = answerList(value.answers);
      if (id === null || image === null || question === null || !answers) {
        sink.problem(file, line, id, 'needs question_id, image, question and answers (a list)');
        continue;
      }
      addOne(file, line, id, image, question, answers, str(value.answer_type) ?? 'all');
    }
  }
  return files;
}

async function loadTextVqa(dir: string, sink: Sink): Promise<string[]> {
  const file = filesMatching(dir, /^TextVQA.*\.json$/i)[0];
  if (!file) throw new AppError('not_found', `${dir} holds no TextVQA_0.5.1_val.json`);
  const doc = (await readJson(file)) as { data?: unknown };
  if (!Array.isArray(doc.data)) throw new AppError('invalid_input', `${file} has no "data" list`);
  const roots = imageRoots(dir, ['train_images', 'train_val_images/train_images']);
  (doc.data as Record<string, unknown>[]).forEach((d, i) => {
    const id = str(d?.question_id);
    const imageId = str(d?.image_id);
    const question = str(d?.question);
    const answers = answerList(d?.answers);
    if (id === null || imageId === null || question === null || !answers)
      return sink.problem(file, null, id, `entry ${i}: needs question_id, image_id, question and answers`);
    const path = findImage(roots, `${imageId}.jpg`);
    if (!path) return sink.problem(file, null, id, `image ${imageId}.jpg not found under ${dir}`);
    sink.add(file, null, {
      id,
      category: str(d.set_name) ?? 'all',
      image: { path },
      prompt: `${question}\n${SHORT_ANSWER}`,
      task: 'answer',
      ref: { kind: 'textvqa', answers },
    });
  });
  return [file];
}

async function loadDocVqa(dir: string, sink: Sink): Promise<string[]> {
  const all = filesMatching(dir, /\.json$/i);
  const val = all.filter((f) => /val/i.test(basename(f)));
  const files = val.length ? val : all;
  const used: string[] = [];
  const roots = imageRoots(dir, ['documents', 'images', 'infographicsvqa_images']);
  for (const file of files) {
    const doc = (await readJson(file)) as { data?: unknown };
    if (!Array.isArray(doc.data) || !doc.data.some((d) => d && typeof d === 'object' && 'questionId' in d))
      continue;
    used.push(file);
    (doc.data as Record<string, unknown>[]).forEach((d, i) => {
      const id = str(d?.questionId);
      const image = str(d?.image) ?? str(d?.image_local_name);
      const question = str(d?.question);
      const answers = answerList(d?.answers);
      if (id === null || image === null || question === null || !answers)
        return sink.problem(
          file,
          null,
          id,
          `entry ${i}: needs questionId, question, image (or image_local_name) and answers`,
        );
      const path = findImage(roots, image);
      if (!path) return sink.problem(file, null, id, `image ${image} not found under ${dir}`);
      const types = Array.isArray(d.question_types) ? d.question_types.map(str).filter(Boolean) : [];
      sink.add(file, null, {
        id,
        category: types[0] ?? 'all',
        image: { path },
        prompt: `${question}\n${SHORT_ANSWER}`,
        task: 'answer',
        ref: { kind: 'docvqa', answers },
      });
    });
  }
  if (!used.length)
    throw new AppError(
      'not_found',
      `${dir} holds no DocVQA / InfographicVQA file ({"data": [{questionId, question, image, answers}]}, e.g. val_v1.0.json)`,
    );
  return used;
}

async function loadChartQa(dir: string, sink: Sink): Promise<string[]> {
  const base = filesMatching(dir, /^test_(human|augmented)\.json$/i).length ? dir : join(dir, 'test');
  const files = filesMatching(base, /^(test|val)_(human|augmented)\.json$/i);
  if (!files.length)
    throw new AppError('not_found', `${dir} holds no ChartQA test_human.json / test_augmented.json`);
  const roots = imageRoots(base, ['png']);
  for (const file of files) {
    const split = /_(human|augmented)/i.exec(basename(file))?.[1]?.toLowerCase() ?? 'all';
    const doc = await readJson(file);
    if (!Array.isArray(doc))
      throw new AppError('invalid_input', `${file} is not a list of {imgname, query, label}`);
    (doc as Record<string, unknown>[]).forEach((d, i) => {
      const id = `${split}:${i}`;
      const image = str(d?.imgname);
      const query = str(d?.query);
      const label = str(d?.label);
      if (image === null || query === null || label === null)
        return sink.problem(file, null, id, `entry ${i}: needs imgname, query and label`);
      const path = findImage(roots, image);
      if (!path) return sink.problem(file, null, id, `image ${image} not found under ${base}`);
      sink.add(file, null, {
        id,
        category: split,
        image: { path },
        prompt: `${query}\n${SHORT_ANSWER}`,
        task: 'answer',
        ref: { kind: 'chartqa', answer: label },
      });
    });
  }
  return files;
}

async function loadGqa(dir: string, sink: Sink): Promise<string[]> {
  const file =
    filesMatching(dir, /^testdev_balanced_questions\.json$/i)[0] ??
    filesMatching(dir, /questions.*\.json$/i)[0];
  if (!file) throw new AppError('not_found', `${dir} holds no GQA testdev_balanced_questions.json`);
  const doc = await readJson(file);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw new AppError(
      'invalid_input',
      `${file} is not GQA's {questionId: {imageId, question, answer}} object`,
    );
  const roots = imageRoots(dir, ['images']);
  for (const [id, q] of Object.entries(doc as Record<string, Record<string, unknown>>)) {
    const imageId = str(q?.imageId);
    const question = str(q?.question);
    const answer = str(q?.answer);
    if (imageId === null || question === null || answer === null) {
      sink.problem(file, null, id, 'needs imageId, question and answer');
      continue;
    }
    const path = findImage(roots, `${imageId}.jpg`) ?? findImage(roots, `${imageId}.png`);
    if (!path) {
      sink.problem(file, null, id, `image ${imageId}.jpg not found under ${dir}`);
      continue;
    }
    const types = q.types as { structural?: unknown } | undefined;
    sink.add(file, null, {
      id,
      category: str(types?.structural) ?? 'all',
      image: { path },
      prompt: `${question}\n${SHORT_ANSWER}`,
      task: 'answer',
      ref: { kind: 'gqa', answer },
    });
  }
  return [file];
}

function imageExt(b: Buffer): string {
  if (b[0] === 0x89 && b[1] === 0x50) return 'png';
  if (b[0] === 0xff && b[1] === 0xd8) return 'jpg';
  if (b.subarray(0, 4).toString('latin1') === 'RIFF') return 'webp';
  if (b.subarray(0, 3).toString('latin1') === 'GIF') return 'gif';
  return 'img';
}

/**
 * The image of each row of a VLMEvalKit TSV: the base64 in its own `image` cell, or — VLMEvalKit's dedup — a short
 * cell naming the row (index) that holds it. `key` is that holding row's index, so rows sharing a picture share it.
 */
async function tsvImages(
  file: string,
  rows: TsvRow[],
): Promise<(row: TsvRow) => { image: ItemImage; key: string } | null> {
  const holders = new Map<string, TsvSpan>();
  for (const r of rows) {
    const s = r.spans.image;
    if (s && s.length > 64 && r.cells.index) holders.set(r.cells.index, s);
  }
  const exts = new Map<string, string>();
  const fd = await open(file, 'r');
  try {
    for (const [index, s] of holders) {
      const head = Buffer.alloc(Math.min(32, s.length));
      await fd.read(head, 0, head.length, s.offset);
      exts.set(index, imageExt(Buffer.from(head.toString('latin1'), 'base64')));
    }
  } finally {
    await fd.close();
  }
  const stem = basename(file, extname(file));
  return (row) => {
    const own = row.spans.image;
    if (!own || own.length === 0) return null;
    const key = own.length > 64 ? row.cells.index : row.cells.image?.trim();
    const span = key ? holders.get(key) : undefined;
    if (!key || !span) return null;
    return {
      image: {
        file,
        offset: span.offset,
        length: span.length,
        name: `${stem}-${key}.${exts.get(key) ?? 'img'}`,
      },
      key,
    };
  };
}

const missing = (v: string | undefined) =>
  v === undefined || v.trim() === '' || v.trim().toLowerCase() === 'nan';

/**
 * A VLMEvalKit row's image: its base64 cell (or the index of the row holding it), else `image_path` under the
 * benchmark folder; a string says why there is none.
 */
function tsvRowImage(
  r: TsvRow,
  header: string[],
  imageOf: (row: TsvRow) => { image: ItemImage; key: string } | null,
  dir: string,
): { image: ItemImage; key: string } | string {
  if (header.includes('image') && (r.spans.image?.length ?? 0) > 0) {
    return imageOf(r) ?? 'the image cell is neither base64 image data nor the index of a row with one';
  }
  const name = r.cells.image_path ?? '';
  const path = findImage(imageRoots(dir), name);
  return path ? { image: { path }, key: r.cells.image_path ?? path } : `image ${name} not found under ${dir}`;
}

async function readTsvRows(dir: string, re: RegExp, what: string) {
  const files = filesMatching(dir, re);
  if (!files.length) throw new AppError('not_found', `${dir} holds no ${what} TSV`);
  const out: { file: string; header: string[]; rows: TsvRow[] }[] = [];
  for (const file of files) {
    let t;
    try {
      t = await readTsv(file, ['image']);
    } catch (e) {
      throw new AppError('io_error', `cannot read ${file}: ${(e as Error).message}`);
    }
    out.push({ file, header: t.header, rows: t.rows });
  }
  return out;
}

/** MME from VLMEvalKit's MME.tsv (index, image, question, answer, category). */
async function loadMmeTsv(dir: string, sink: Sink, files: string[]): Promise<void> {
  for (const { file, header, rows } of await readTsvRows(dir, /\.tsv$/i, 'MME')) {
    files.push(file);
    const need = ['index', 'question', 'answer', 'category'];
    const lacking = need.filter((c) => !header.includes(c));
    if (lacking.length || (!header.includes('image') && !header.includes('image_path'))) {
      sink.problem(
        file,
        1,
        null,
        `wrong columns: needs ${need.join(', ')} and image (has ${header.join(', ')})`,
      );
      continue;
    }
    // acc+ pairs the questions on one image: the rows sharing one picture share its key.
    const imageOf = await tsvImages(file, rows);
    for (const r of rows) {
      const c = r.cells;
      const id = c.index ?? '';
      const label = c.answer?.trim().toLowerCase();
      if (r.width !== header.length) {
        sink.problem(file, r.line, id || null, `${r.width} fields, the header has ${header.length}`);
        continue;
      }
      if (!id || missing(c.question) || (label !== 'yes' && label !== 'no') || missing(c.category)) {
        sink.problem(file, r.line, id || null, 'needs index, question, category and answer Yes or No');
        continue;
      }
      const found = tsvRowImage(r, header, imageOf, dir);
      if (typeof found === 'string') {
        sink.problem(file, r.line, id, found);
        continue;
      }
      const { image, key } = found;
      const task = c.category!.trim();
      sink.add(file, r.line, {
        id,
        category: task,
        image,
        prompt: c.question!,
        task: 'answer',
        ref: { kind: 'mme', task, image: key, label },
      });
    }
  }
}

/** MME's release folder: one folder per task, `images/` + `questions_answers_YN/` or images beside their .txt. */
async function loadMmeFolders(root: string, sink: Sink, files: string[]): Promise<void> {
  for (const task of listDir(root).filter((n) => isDir(join(root, n)))) {
    const tdir = join(root, task);
    const qaDir = isDir(join(tdir, 'questions_answers_YN')) ? join(tdir, 'questions_answers_YN') : tdir;
    const imgDir = isDir(join(tdir, 'images')) ? join(tdir, 'images') : tdir;
    for (const txt of filesMatching(qaDir, /\.txt$/i)) {
      files.push(txt);
      const stem = basename(txt, '.txt');
      const imageName = listDir(imgDir).find((n) => n !== basename(txt) && n.startsWith(`${stem}.`));
      const lines = (await readText(txt)).split(/\r?\n/);
      lines.forEach((text, i) => {
        if (!text.trim()) return;
        const id = `${task}/${stem}#${i + 1}`;
        const [question, answer] = text.split('\t');
        const label = answer?.trim().toLowerCase();
        if (!question || (label !== 'yes' && label !== 'no'))
          return sink.problem(txt, i + 1, id, 'needs "question<TAB>Yes|No"');
        if (!imageName) return sink.problem(txt, i + 1, id, `no image ${stem}.* in ${imgDir}`);
        sink.add(txt, i + 1, {
          id,
          category: task,
          image: { path: join(imgDir, imageName) },
          prompt: question.trim(),
          task: 'answer',
          ref: { kind: 'mme', task, image: `${task}/${stem}`, label },
        });
      });
    }
  }
}

async function loadMme(dir: string, sink: Sink): Promise<string[]> {
  const files: string[] = [];
  if (filesMatching(dir, /\.tsv$/i).length) await loadMmeTsv(dir, sink, files);
  else {
    const release = isDir(join(dir, 'MME_Benchmark_release_version'))
      ? join(dir, 'MME_Benchmark_release_version')
      : dir;
    await loadMmeFolders(release, sink, files);
    if (!files.length)
      throw new AppError(
        'not_found',
        `${dir} holds neither MME.tsv (VLMEvalKit) nor MME's task folders (MME_Benchmark_release_version/<task>/…)`,
      );
  }
  return files;
}

const LETTERS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'];

function choicePrompt(question: string, hint: string | undefined, options: Record<string, string>): string {
  const lines = [];
  if (!missing(hint)) lines.push(hint!.trim());
  lines.push(question.trim());
  for (const [l, t] of Object.entries(options)) lines.push(`${l}. ${t}`);
  lines.push(CHOICE_ANSWER);
  return lines.join('\n');
}

/**
 * MMBench / SEED-Bench from VLMEvalKit TSVs. MMBench is evaluated circularly: rows whose index is ≥ 1e6 are
 * VLMEvalKit's rotated copies of question `index % 1e6`; a TSV without them gets the rotations made here.
 */
async function loadChoice(dir: string, sink: Sink, circular: boolean): Promise<string[]> {
  const what = circular ? 'MMBench' : 'SEED-Bench';
  const tables = await readTsvRows(dir, /\.tsv$/i, what);
  for (const { file, header, rows } of tables) {
    const need = ['index', 'question', 'A', 'B', 'answer'];
    const lacking = need.filter((c) => !header.includes(c));
    if (lacking.length || (!header.includes('image') && !header.includes('image_path'))) {
      sink.problem(
        file,
        1,
        null,
        `wrong columns: missing ${[...lacking, 'image'].join(', ')} (has ${header.join(', ')})`,
      );
      continue;
    }
    const imageOf = await tsvImages(file, rows);
    const hasCopies = circular && rows.some((r) => Number(r.cells.index) >= 1e6);
    for (const r of rows) {
      const c = r.cells;
      const id = c.index ?? '';
      if (r.width !== header.length) {
        sink.problem(file, r.line, id || null, `${r.width} fields, the header has ${header.length}`);
        continue;
      }
      const options: Record<string, string> = {};
      for (const l of LETTERS) if (header.includes(l) && !missing(c[l])) options[l] = c[l]!.trim();
      const answer = c.answer?.trim() ?? '';
      if (!id || missing(c.question) || Object.keys(options).length < 2 || !(answer in options)) {
        sink.problem(
          file,
          r.line,
          id || null,
          'needs index, question, two or more options and an answer letter among them',
        );
        continue;
      }
      const found = tsvRowImage(r, header, imageOf, dir);
      if (typeof found === 'string') {
        sink.problem(file, r.line, id, found);
        continue;
      }
      const { image } = found;
      const category = missing(c.category) ? 'all' : c.category!.trim();
      const n = Number(id);
      const group = hasCopies && Number.isFinite(n) ? String(n % 1e6) : id;
      const rotation = hasCopies && Number.isFinite(n) ? Math.floor(n / 1e6) : 0;
      const variants = circular && !hasCopies ? rotations(options, answer) : [{ options, answer }];
      variants.forEach((v, k) =>
        sink.add(file, r.line, {
          id: k === 0 ? id : `${id}:r${k}`,
          category,
          image,
          prompt: choicePrompt(c.question!, c.hint, v.options),
          task: 'answer',
          ref: { kind: 'choice', options: v.options, answer: v.answer, group, rotation: rotation + k },
        }),
      );
    }
  }
  return tables.map((t) => t.file);
}

async function loadRefCoco(dir: string, sink: Sink): Promise<string[]> {
  const files = filesMatching(dir, /\.jsonl$/i);
  if (!files.length)
    throw new AppError(
      'not_found',
      `${dir} holds no RefCOCO JSONL ({id, image, expression, bbox: [x, y, w, h]})`,
    );
  const roots = imageRoots(dir, ['train2014', 'images']);
  for (const file of files) {
    const split = basename(file, extname(file));
    for (const { line, value } of await readJsonl(file, sink)) {
      const id = str(value.id);
      const image = str(value.image);
      const expression = str(value.expression);
      const bbox = value.bbox;
      const ok =
        Array.isArray(bbox) &&
        bbox.length === 4 &&
        bbox.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
        (bbox[2] as number) > 0 &&
        (bbox[3] as number) > 0;
      if (id === null || image === null || expression === null || !expression.trim() || !ok) {
        sink.problem(file, line, id, 'needs id, image, expression and bbox [x, y, w, h] with w, h > 0');
        continue;
      }
      const path = findImage(roots, image);
      if (!path) {
        sink.problem(file, line, id, `image ${image} not found under ${dir}`);
        continue;
      }
      const [x, y, w, h] = bbox as number[];
      sink.add(file, line, {
        id,
        category: str(value.split) ?? split,
        image: { path },
        prompt: expression.trim(),
        task: 'ground',
        ref: { kind: 'refcoco', box: { x0: x!, y0: y!, x1: x! + w!, y1: y! + h! } },
      });
    }
  }
  return files;
}

const LOADERS: Record<EvalKind, (dir: string, sink: Sink) => Promise<string[]>> = {
  pope: loadPope,
  vqa: loadVqa,
  textvqa: loadTextVqa,
  docvqa: loadDocVqa,
  chartqa: loadChartQa,
  gqa: loadGqa,
  mme: loadMme,
  mmbench: (dir, sink) => loadChoice(dir, sink, true),
  seed: (dir, sink) => loadChoice(dir, sink, false),
  refcoco: loadRefCoco,
};

/** Reads benchmark `kind` from `dir`. Throws only when the folder holds no file of that benchmark at all. */
export async function loadBenchmark(kind: EvalKind, dir: string): Promise<LoadedBenchmark> {
  if (!isDir(dir)) throw new AppError('not_found', `benchmark folder ${dir} does not exist`);
  const sink = new Sink(dir);
  const files = await LOADERS[kind](dir, sink);
  return {
    kind,
    dir,
    files: files.map((f) => relative(dir, f)),
    items: sink.items,
    problems: sink.problems,
  };
}
