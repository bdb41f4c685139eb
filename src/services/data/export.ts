// `doclens data export`: the reviewed answers of the data folder as visual-instruction training data — LLaVA JSON,
// Qwen-VL fine-tuning JSONL (ms-swift / LLaMA-Factory "messages") or ShareGPT — with each reviewed page rendered at
// the target family's resolution beside it and every record traceable to its file, page and review.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { DocumentInfo, RenderedPage, Settings } from '../../shared/domain.js';
import type { LabelledBox } from '../../shared/geometry.js';
import type { Review } from '../../shared/reviews.js';
import type { Backend } from '../backend.js';
import { allReviewFiles, type ReviewFile } from '../reviews/store.js';
import {
  boxesText,
  familyImageSize,
  findPrompt,
  llavaBoxesText,
  type ImageFrame,
  type TargetFamily,
} from './families.js';

export const EXPORT_FORMATS = ['llava', 'qwen-vl', 'sharegpt'] as const;
export type ExportFormatName = (typeof EXPORT_FORMATS)[number];

/** Where a record came from: enough to find the page and the review again. */
export interface Trace {
  file: string;
  name: string;
  sha256: string;
  page: number;
  review: string;
  verdict: Review['verdict'];
  kind: Review['kind'];
  engine: Review['engine'];
  model: string | null;
  family: TargetFamily;
  image_size: [number, number];
}

export interface LlavaRecord {
  id: string;
  image: string;
  conversations: Array<{ from: 'human' | 'gpt'; value: string }>;
  doclens: Trace;
}
export interface QwenRecord {
  id: string;
  messages: Array<{ role: 'user' | 'assistant'; content: string }>;
  images: string[];
  doclens: Trace;
}
export interface ShareGptRecord {
  id: string;
  conversations: Array<{ from: 'human' | 'gpt'; value: string }>;
  images: string[];
  doclens: Trace;
}

export interface ExportProblem {
  file: string;
  message: string;
}

export interface ExportSummary {
  format: ExportFormatName;
  family: TargetFamily;
  outDir: string;
  /** The dataset file written (llava.json, qwen-vl.jsonl or sharegpt.json). */
  dataset: string;
  /** LLaMA-Factory's dataset_info.json entry for it (absent for LLaVA, whose trainer takes the file directly). */
  datasetInfo: string | null;
  records: number;
  images: number;
  /** Rejected reviews are not examples of what to answer; they are counted, not exported. */
  rejected: number;
  problems: ExportProblem[];
}

export const DATASET_FILE: Record<ExportFormatName, string> = {
  llava: 'llava.json',
  'qwen-vl': 'qwen-vl.jsonl',
  sharegpt: 'sharegpt.json',
};

async function call<T>(backend: Backend, channel: string, input: unknown): Promise<T> {
  const r = await backend.call(channel, input);
  if (!r.ok) throw new Error(r.error.message);
  return r.value as T;
}

/** One reviewed example as question and answer text, boxes written for `style`. */
export function exampleText(
  review: Review,
  family: TargetFamily,
  frame: ImageFrame,
  style: 'family' | 'llava',
): { question: string; answer: string } {
  const final = review.corrected ?? review.answer;
  const boxes: LabelledBox[] = final.boxes.filter((b) => b.page === review.page);
  const written = (bs: LabelledBox[]) =>
    style === 'llava' ? llavaBoxesText(bs, frame) : boxesText(family, bs, frame);
  if (review.kind === 'find') {
    const objects = review.question
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const question =
      style === 'llava'
        ? `Where is ${objects.join(', ')} in the image? Answer with bounding boxes.`
        : findPrompt(family, objects);
    const answer = boxes.length > 0 ? written(boxes) : `There is no ${objects.join(', ')} in the image.`;
    return { question, answer };
  }
  // An Ask answer: its text, then where on the page it is (labelled with the text when the box has no label).
  const labelled = boxes.map((b) => ({ ...b, label: b.label || final.text.slice(0, 80) }));
  const answer = labelled.length > 0 ? `${final.text}\n${written(labelled)}` : final.text;
  return { question: review.question, answer };
}

export async function exportReviews(opts: {
  backend: Backend;
  outDir: string;
  format: ExportFormatName;
  family: TargetFamily;
  onProgress?: (done: number, total: number, current: string) => void;
}): Promise<ExportSummary> {
  const { backend, format, family } = opts;
  const outDir = resolve(opts.outDir);
  await mkdir(outDir, { recursive: true });
  const settings = await call<Settings>(backend, 'settings.get', {});
  const { files, problems } = await allReviewFiles(backend.dataDir);
  const records: Array<LlavaRecord | QwenRecord | ShareGptRecord> = [];
  let rejected = 0;
  let images = 0;
  const total = files.reduce((n, f) => n + f.reviews.length, 0);
  let done = 0;
  for (const f of files) {
    const usable = f.reviews.filter((r) => r.verdict !== 'rejected');
    rejected += f.reviews.length - usable.length;
    done += f.reviews.length - usable.length;
    if (usable.length === 0) continue;
    const opened = await openReviewed(backend, f).catch((e: Error) => {
      problems.push({
        file: f.path,
        message: `${e.message}; its ${usable.length} review(s) of ${f.name} are not exported`,
      });
      return null;
    });
    if (!opened) {
      done += usable.length;
      continue;
    }
    try {
      const pages = [...new Set(usable.map((r) => r.page))].sort((a, b) => a - b);
      for (const page of pages) {
        const info = opened.pages[page - 1];
        if (!info) {
          problems.push({ file: f.path, message: `${f.name} has no page ${page} any more` });
          continue;
        }
        const { rel, size } = await writePageImage(backend, opened, page, family, outDir, settings.renderDpi);
        images++;
        const frame: ImageFrame = { pageSize: { width: info.width, height: info.height }, image: size };
        for (const review of usable.filter((r) => r.page === page)) {
          records.push(record(format, family, f, review, rel, frame));
          opts.onProgress?.(++done, total, `${f.name} p.${page}`);
        }
      }
    } finally {
      await call(backend, 'documents.close', { docId: opened.id }).catch(() => undefined);
    }
  }
  const dataset = join(outDir, DATASET_FILE[format]);
  await writeFile(
    dataset,
    format === 'qwen-vl'
      ? records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '')
      : `${JSON.stringify(records, null, 1)}\n`,
  );
  let datasetInfo: string | null = null;
  if (format !== 'llava') {
    datasetInfo = join(outDir, 'dataset_info.json');
    await writeFile(datasetInfo, `${JSON.stringify(llamaFactoryInfo(format), null, 2)}\n`);
  }
  return {
    format,
    family,
    outDir,
    dataset,
    datasetInfo,
    records: records.length,
    images,
    rejected,
    problems,
  };
}

/**
 * Renders a page (images at their own pixels, PDFs at the render DPI) and writes it resized to the family's size,
 * as its processor would resize it, under `outDir/images`. Returns the path relative to `outDir` and the size.
 */
export async function writePageImage(
  backend: Backend,
  doc: DocumentInfo,
  page: number,
  family: TargetFamily,
  outDir: string,
  renderDpi: number,
): Promise<{ rel: string; size: { width: number; height: number } }> {
  const dpi = doc.kind === 'image' ? 72 : renderDpi;
  const img = await call<RenderedPage>(backend, 'documents.pageImage', { docId: doc.id, page, dpi });
  const size = familyImageSize(family, img.width, img.height);
  const rel = `images/${doc.sha256.slice(0, 16)}-p${page}-${family}.png`;
  await mkdir(join(outDir, 'images'), { recursive: true });
  await sharp(img.png).resize(size.width, size.height, { fit: 'fill' }).png().toFile(join(outDir, rel));
  return { rel, size };
}

/** LLaMA-Factory's dataset_info.json entry for the exported file (its `sharegpt` formatting reads both shapes). */
export function llamaFactoryInfo(format: Exclude<ExportFormatName, 'llava'>): Record<string, unknown> {
  if (format === 'sharegpt')
    return {
      doclens_sharegpt: {
        file_name: DATASET_FILE.sharegpt,
        formatting: 'sharegpt',
        columns: { messages: 'conversations', images: 'images' },
      },
    };
  return {
    doclens_qwen_vl: {
      file_name: DATASET_FILE['qwen-vl'],
      formatting: 'sharegpt',
      columns: { messages: 'messages', images: 'images' },
      tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant' },
    },
  };
}

/** Opens the reviewed file again and checks that it still holds the reviewed bytes. */
async function openReviewed(backend: Backend, f: ReviewFile): Promise<DocumentInfo> {
  const doc = await call<DocumentInfo>(backend, 'documents.open', { path: f.path });
  if (doc.sha256 !== f.sha256) {
    await call(backend, 'documents.close', { docId: doc.id }).catch(() => undefined);
    throw new Error(
      `${f.path} has changed since it was reviewed (sha256 ${doc.sha256.slice(0, 12)}…, reviewed ${f.sha256.slice(0, 12)}…)`,
    );
  }
  return doc;
}

function record(
  format: ExportFormatName,
  family: TargetFamily,
  f: ReviewFile,
  review: Review,
  image: string,
  frame: ImageFrame,
): LlavaRecord | QwenRecord | ShareGptRecord {
  const id = `${f.sha256.slice(0, 12)}-p${review.page}-${review.id}`;
  const doclens: Trace = {
    file: f.path,
    name: f.name,
    sha256: f.sha256,
    page: review.page,
    review: review.id,
    verdict: review.verdict,
    kind: review.kind,
    engine: review.engine,
    model: review.model,
    family,
    image_size: [frame.image.width, frame.image.height],
  };
  if (format === 'llava') {
    const { question, answer } = exampleText(review, family, frame, 'llava');
    return {
      id,
      image,
      conversations: [
        { from: 'human', value: `<image>\n${question}` },
        { from: 'gpt', value: answer },
      ],
      doclens,
    };
  }
  const { question, answer } = exampleText(review, family, frame, 'family');
  if (format === 'qwen-vl')
    return {
      id,
      messages: [
        { role: 'user', content: `<image>${question}` },
        { role: 'assistant', content: answer },
      ],
      images: [image],
      doclens,
    };
  return {
    id,
    conversations: [
      { from: 'human', value: `<image>${question}` },
      { from: 'gpt', value: answer },
    ],
    images: [image],
    doclens,
  };
}
