// `doclens data generate`: LLaVA's data-generation recipe (conversation, detailed description, complex reasoning)
// run on the user's own documents, with the installed model as the teacher. The teacher sees the page and the reader
// engine's words with their boxes; what it writes is checked claim by claim against the page (claims.ts) and pairs
// the page does not support are dropped, or kept and marked. A JSONL journal keyed by document hash, page and kind
// makes the job resumable: a rerun skips what is done.
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DateHit, DocumentInfo, Settings, TextPage } from '../../shared/domain.js';
import type { LabelledBox } from '../../shared/geometry.js';
import type { Backend } from '../backend.js';
import { discoverInputs } from '../jobs/discover.js';
import { boxesOfPairs, checkPair, parsePairs, type CheckedPair, type GenerateKind } from './claims.js';
import { writePageImage } from './export.js';
import { targetFamilyOf, type TargetFamily } from './families.js';
import type { FamilyId } from '../../shared/families.js';

export { GENERATE_KINDS, type GenerateKind } from './claims.js';

/** What the teacher wrote: its text and the boxes it drew, mapped to page space through its family's decoder. */
export interface TeacherAnswer {
  text: string;
  boxes: LabelledBox[];
}

/** The model that writes the data: given a page of an open document and a prompt, its answer. */
export interface Teacher {
  id: string;
  family: FamilyId;
  ask(doc: DocumentInfo, page: number, prompt: string): Promise<TeacherAnswer>;
}

/** One journal line: what the teacher wrote for one page and kind, and how each pair checked out. */
export interface GeneratedRecord {
  key: string;
  file: string;
  name: string;
  sha256: string;
  page: number;
  kind: GenerateKind;
  teacher: string;
  /** The page image (the family's size), relative to the output folder. */
  image: string;
  prompt: string;
  raw: string;
  /** The boxes the teacher drew (page space); those no pair names are in `strayBoxes` and checked by none. */
  boxes?: LabelledBox[];
  strayBoxes?: LabelledBox[];
  pairs: CheckedPair[];
  at: string;
}

/** A kept pair in LLaVA's format; `doclens` traces it to its page, journal key and claim checks. */
export interface GeneratedLlavaRecord {
  id: string;
  image: string;
  conversations: Array<{ from: 'human' | 'gpt'; value: string }>;
  doclens: {
    file: string;
    name: string;
    sha256: string;
    page: number;
    key: string;
    kind: GenerateKind;
    teacher: string;
    family: TargetFamily;
    status: CheckedPair['status'];
    claims: Array<Pick<CheckedPair['claims'][number], 'claim' | 'what' | 'status'>>;
  };
}

export interface GenerateProgress {
  done: number;
  total: number;
  ranNow: number;
  rate: number;
  etaSeconds: number | null;
  current: string | null;
}

export interface GenerateSummary {
  outDir: string;
  journal: string;
  /** LLaVA-format JSON of the pairs kept (images beside it). */
  dataset: string;
  teacher: string;
  items: { total: number; ranNow: number; resumed: number };
  pairs: { verified: number; unchecked: number; unverified: number; kept: number; dropped: number };
  problems: Array<{ file: string; message: string }>;
}

export function recordKey(sha256: string, page: number, kind: GenerateKind): string {
  return `${sha256}:p${page}:${kind}`;
}

// LLaVA's detail_23k asks for a description in several wordings; the same for pages (one picked per page and kind,
// deterministically, so a resumed run writes the same data).
const DETAIL_QUESTIONS = [
  'Describe this page in detail.',
  'What is this document about? Describe it in detail.',
  'Give a detailed description of this page: what it is, who it concerns and its key values.',
  'Explain the contents and the layout of this page in detail.',
];

function pick<T>(list: readonly T[], key: string): T {
  const h = createHash('sha256').update(key).digest();
  return list[h.readUInt32BE(0) % list.length] as T;
}

/** The reader engine's words for the teacher: one line each, its box in 0–1000 of the page. */
export function readerContext(text: TextPage, maxLines = 80, maxChars = 4000): string {
  const n = (v: number, side: number) => Math.round((v / side) * 1000);
  const out: string[] = [];
  let chars = 0;
  for (const l of text.lines.slice(0, maxLines)) {
    const line = `[${n(l.box.x0, text.width)}, ${n(l.box.y0, text.height)}, ${n(l.box.x1, text.width)}, ${n(l.box.y1, text.height)}] ${l.text}`;
    if (chars + line.length > maxChars) break;
    out.push(line);
    chars += line.length + 1;
  }
  return out.length ? out.join('\n') : '(no text found on this page)';
}

export function teacherPrompt(kind: GenerateKind, text: TextPage, key: string): string {
  const context = `Text found on this page, one line each, with its box [x0, y0, x1, y1] in 0–1000 of the page:\n${readerContext(text)}\n\n`;
  if (kind === 'conversation')
    return `${context}Write 3 questions a person might ask about this page, and answer each from the page alone, quoting names, dates, amounts and numbers exactly as printed. Use this format:\nQ: …\nA: …`;
  if (kind === 'detail')
    return `${context}${pick(DETAIL_QUESTIONS, key)} Say what kind of document it is, who it is from and to, its key values and how it is laid out. Quote values exactly as printed.`;
  return `${context}Write one question about this page that needs reasoning over two or more of its values (a difference, a sum, a comparison, a deadline), and answer it step by step, quoting the values used exactly as printed. Use this format:\nQ: …\nA: …`;
}

async function call<T>(backend: Backend, channel: string, input: unknown): Promise<T> {
  const r = await backend.call(channel, input);
  if (!r.ok) throw new Error(r.error.message);
  return r.value as T;
}

/** Journal lines already written; a torn or broken line (a crash mid-write) is reported and its item rerun. */
async function readJournal(
  path: string,
  problem: (file: string, message: string) => void,
): Promise<Map<string, GeneratedRecord>> {
  const done = new Map<string, GeneratedRecord>();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return done;
    throw e;
  }
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const r = JSON.parse(line) as GeneratedRecord;
      if (typeof r.key !== 'string' || !Array.isArray(r.pairs)) throw new Error('not a generated record');
      done.set(r.key, r);
    } catch (e) {
      problem(`${path}:${i + 1}`, `skipped a broken journal line (${(e as Error).message})`);
    }
  });
  return done;
}

export async function generateData(opts: {
  backend: Backend;
  inputs: string[];
  outDir: string;
  teacher: Teacher;
  /** The family whose resolution the page images are written at (default the teacher's). */
  family?: TargetFamily;
  kinds?: readonly GenerateKind[];
  /** Keep pairs with an unverified claim in the dataset, marked (default: dropped; they stay in the journal). */
  keepUnverified?: boolean;
  /** At most this many pages per document. */
  maxPages?: number;
  signal?: AbortSignal;
  onProgress?: (p: GenerateProgress) => void;
  onProblem?: (p: { file: string; message: string }) => void;
}): Promise<GenerateSummary> {
  const { backend, teacher } = opts;
  const family = opts.family ?? targetFamilyOf(teacher.family);
  const kinds = opts.kinds ?? (['conversation', 'detail', 'reasoning'] as const);
  const outDir = resolve(opts.outDir);
  await mkdir(outDir, { recursive: true });
  const journal = join(outDir, 'generate.jsonl');
  const problems: GenerateSummary['problems'] = [];
  const problem = (file: string, message: string) => {
    problems.push({ file, message });
    opts.onProblem?.({ file, message });
  };
  const done = await readJournal(journal, problem);
  const settings = await call<Settings>(backend, 'settings.get', {});
  const found = await discoverInputs(opts.inputs.map((p) => resolve(p)));
  for (const s of found.skipped) problem(s.path, s.reason);

  // Open every document first: the total (pages × kinds) is known before the first page is run.
  const docs: Array<{ path: string; doc: DocumentInfo; pages: number[] }> = [];
  for (const path of found.files) {
    try {
      const doc = await call<DocumentInfo>(backend, 'documents.open', { path });
      const pages = doc.pages.map((p) => p.page).slice(0, opts.maxPages ?? Infinity);
      docs.push({ path, doc, pages });
    } catch (e) {
      problem(path, (e as Error).message);
    }
  }
  const total = docs.reduce((n, d) => n + d.pages.length * kinds.length, 0);
  let count = 0;
  let ranNow = 0;
  let resumed = 0;
  const started = Date.now();
  const progress = (current: string | null) => {
    const secs = (Date.now() - started) / 1000;
    const rate = secs > 0 ? ranNow / secs : 0;
    opts.onProgress?.({
      done: count,
      total,
      ranNow,
      rate,
      etaSeconds: rate > 0 ? (total - count) / rate : null,
      current,
    });
  };
  try {
    for (const { path, doc, pages } of docs) {
      for (const page of pages) {
        if (opts.signal?.aborted) break;
        const todo = kinds.filter((k) => !done.has(recordKey(doc.sha256, page, k)));
        resumed += kinds.length - todo.length;
        count += kinds.length - todo.length;
        if (todo.length === 0) continue;
        let text: TextPage;
        let dates: DateHit[];
        let image: string;
        try {
          text = await call<TextPage>(backend, 'documents.text', { docId: doc.id, page });
          dates = (
            await call<{ dates: DateHit[] }>(backend, 'extract.dates', { docId: doc.id, pages: [page] })
          ).dates;
          image = (await writePageImage(backend, doc, page, family, outDir, settings.renderDpi)).rel;
        } catch (e) {
          problem(path, `page ${page}: ${(e as Error).message}`);
          count += todo.length;
          continue;
        }
        for (const kind of todo) {
          if (opts.signal?.aborted) break;
          const key = recordKey(doc.sha256, page, kind);
          progress(`${doc.name} p.${page} ${kind}`);
          const prompt = teacherPrompt(kind, text, key);
          let raw: string;
          let drawn: LabelledBox[];
          try {
            ({ text: raw, boxes: drawn } = await opts.teacher.ask(doc, page, prompt));
          } catch (e) {
            problem(path, `page ${page} (${kind}): the teacher failed: ${(e as Error).message}`);
            count++;
            continue;
          }
          // A description answers a fixed question; the other kinds bring their own questions.
          const pairs =
            kind === 'detail'
              ? raw.trim()
                ? [{ question: pick(DETAIL_QUESTIONS, key), answer: raw.trim() }]
                : []
              : parsePairs(raw);
          const owned = boxesOfPairs(pairs, drawn);
          const record: GeneratedRecord = {
            key,
            file: path,
            name: doc.name,
            sha256: doc.sha256,
            page,
            kind,
            teacher: teacher.id,
            image,
            prompt,
            raw,
            boxes: drawn,
            strayBoxes: owned.stray,
            pairs: pairs.map((p, i) => checkPair(p.question, p.answer, text, dates, kind, owned.perPair[i])),
            at: new Date().toISOString(),
          };
          await appendFile(journal, `${JSON.stringify(record)}\n`);
          done.set(key, record);
          ranNow++;
          count++;
          progress(null);
        }
      }
    }
  } finally {
    for (const { doc } of docs)
      await call(backend, 'documents.close', { docId: doc.id }).catch(() => undefined);
  }

  // The dataset from every record of this job, resumed ones included.
  const records: GeneratedLlavaRecord[] = [];
  const pairs = { verified: 0, unchecked: 0, unverified: 0, kept: 0, dropped: 0 };
  for (const r of done.values()) {
    r.pairs.forEach((p, i) => {
      pairs[p.status]++;
      if (p.status === 'unverified' && !opts.keepUnverified) {
        pairs.dropped++;
        return;
      }
      pairs.kept++;
      records.push({
        id: `${r.sha256.slice(0, 12)}-p${r.page}-${r.kind}-${i + 1}`,
        image: r.image,
        conversations: [
          { from: 'human', value: `<image>\n${p.question}` },
          { from: 'gpt', value: p.answer },
        ],
        doclens: {
          file: r.file,
          name: r.name,
          sha256: r.sha256,
          page: r.page,
          key: r.key,
          kind: r.kind,
          teacher: r.teacher,
          family,
          status: p.status,
          claims: p.claims.map((c) => ({ claim: c.claim, what: c.what, status: c.status })),
        },
      });
    });
  }
  const dataset = join(outDir, 'llava.json');
  await writeFile(dataset, `${JSON.stringify(records, null, 1)}\n`);
  return {
    outDir,
    journal,
    dataset,
    teacher: teacher.id,
    items: { total, ranNow, resumed },
    pairs,
    problems,
  };
}
