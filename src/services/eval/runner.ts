// `doclens eval`'s runner: feeds a benchmark's items to the model one by one, appends each answer to a
// predictions JSONL in the output folder as it comes (so a stopped run resumes where it stopped), then scores
// everything recorded and writes the report (JSON, Markdown, HTML). The model is behind `Predictor`, so how an
// image reaches it (plan within the image budget, the family's coordinate decoder) stays the CLI's/engine's.
import { existsSync } from 'node:fs';
import { appendFile, mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Box } from '../../eval/metrics.js';
import type { Settings } from '../../shared/domain.js';
import { AppError } from '../../shared/errors.js';
import { loadManifest, type Manifest } from '../models/index.js';
import { appRoot } from '../paths.js';
import { loadBenchmark, type EvalItem, type EvalKind, type ItemProblem } from './datasets.js';
import {
  BENCHMARK_TITLES,
  cardScale,
  reportHtml,
  reportMarkdown,
  type EvalReport,
  type ModelInfo,
} from './report.js';
import { scoreBenchmark, type Prediction } from './score.js';

/** The model as the runner sees it: a question about an image file, or a thing to find in it. */
export interface Predictor {
  info: ModelInfo;
  answer(imagePath: string, prompt: string): Promise<{ text: string }>;
  /** The first box found, in the image's pixels, through the family's coordinate decoder. */
  ground(imagePath: string, expression: string): Promise<{ text: string; box: Box | null }>;
}

export interface EvalProgress {
  done: number;
  total: number;
  ranNow: number;
  /** Items per second over this run's model calls. */
  rate: number;
  etaSeconds: number | null;
  current: string | null;
}

export interface RunEvalOptions {
  kind: EvalKind;
  dir: string;
  outDir: string;
  predictor: Predictor;
  settings: Settings;
  limit?: number;
  onProgress?: (p: EvalProgress) => void;
  onProblem?: (p: ItemProblem) => void;
  /** Extra manifests to read `published` figures from (tests). */
  manifestExtras?: string[];
}

export const PREDICTIONS_FILE = 'predictions.jsonl';
const RUN_FILE = 'eval-run.json';

async function doclensVersion(): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(join(appRoot(), 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Predictions recorded by earlier runs; a torn last line (a run killed mid-write) is skipped. */
export async function readPredictions(outDir: string): Promise<Map<string, Prediction>> {
  const map = new Map<string, Prediction>();
  let text = '';
  try {
    text = await readFile(join(outDir, PREDICTIONS_FILE), 'utf8');
  } catch {
    return map;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const p = JSON.parse(line) as Prediction;
      if (typeof p.id === 'string' && typeof p.text === 'string') map.set(p.id, { ...p, box: p.box ?? null });
    } catch {
      // A line cut short by a crash: that item runs again.
    }
  }
  return map;
}

/** The output folder belongs to one benchmark folder and one model; mixing runs would mix their figures. */
async function claimOutDir(outDir: string, kind: EvalKind, dir: string, model: ModelInfo): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const path = join(outDir, RUN_FILE);
  const mine = { kind, dir, model: model.id, dtype: model.dtype };
  if (existsSync(path)) {
    let prev: typeof mine | null = null;
    try {
      prev = JSON.parse(await readFile(path, 'utf8')) as typeof mine;
    } catch {
      throw new AppError('corrupt', `${path} is not valid JSON; remove it or choose another --out`);
    }
    if (prev.kind !== kind || prev.dir !== dir || prev.model !== model.id || prev.dtype !== model.dtype)
      throw new AppError(
        'invalid_input',
        `${outDir} holds a ${prev.kind} run of ${prev.model} (${prev.dtype}) on ${prev.dir}; choose another --out to evaluate ${kind} with ${model.id} (${model.dtype}) on ${dir}`,
      );
    return;
  }
  await writeFile(path, `${JSON.stringify(mine, null, 2)}\n`);
}

/** A file path for the item's image: the benchmark's own file, or its embedded bytes written once under outDir. */
async function imageFile(item: EvalItem, outDir: string): Promise<string> {
  if ('path' in item.image) return item.image.path;
  const dir = join(outDir, 'images');
  const { file, offset, length, name } = item.image;
  const path = join(dir, name);
  if (!existsSync(path)) {
    const b64 = Buffer.alloc(length);
    const fd = await open(file, 'r');
    try {
      await fd.read(b64, 0, length, offset);
    } finally {
      await fd.close();
    }
    await mkdir(dir, { recursive: true });
    await writeFile(`${path}.part`, Buffer.from(b64.toString('latin1'), 'base64'));
    await rename(`${path}.part`, path);
  }
  return path;
}

function publishedFigure(kind: EvalKind, modelId: string, manifest: Manifest): EvalReport['published'] {
  // Installed models are named `<manifest id>-<dtype>`.
  const entry = manifest.models.find((m) => modelId === m.id || modelId.startsWith(`${m.id}-`));
  const pub = entry?.published?.[kind];
  return pub ? { ...pub, ours: null } : null;
}

/** Runs (or resumes) one benchmark and writes report.json, report.md and report.html into outDir. */
export async function runEval(
  opts: RunEvalOptions,
): Promise<EvalReport & { outputs: Record<string, string> }> {
  const { kind, dir, outDir, predictor } = opts;
  // Read first: a broken manifest should stop the run before the model works, not after.
  const manifest = await loadManifest(undefined, opts.manifestExtras);
  const bench = await loadBenchmark(kind, dir);
  for (const p of bench.problems) opts.onProblem?.(p);
  await claimOutDir(outDir, kind, dir, predictor.info);
  const predictions = await readPredictions(outDir);
  const selected = opts.limit === undefined ? bench.items : bench.items.slice(0, opts.limit);
  const todo = selected.filter((i) => !predictions.has(i.id));
  const resumed = selected.length - todo.length;
  const runProblems: ItemProblem[] = [];
  const started = Date.now();
  let ranNow = 0;
  const progress = (current: string | null) => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = ranNow && elapsed > 0 ? ranNow / elapsed : 0;
    const left = todo.length - ranNow - runProblems.length;
    opts.onProgress?.({
      done: resumed + ranNow + runProblems.length,
      total: selected.length,
      ranNow,
      rate,
      etaSeconds: rate > 0 ? left / rate : null,
      current,
    });
  };
  progress(null);
  for (const item of todo) {
    progress(item.id);
    const t0 = performance.now();
    try {
      const path = await imageFile(item, outDir);
      const out =
        item.task === 'ground'
          ? await predictor.ground(path, item.prompt)
          : { ...(await predictor.answer(path, item.prompt)), box: null };
      const pred: Prediction = { id: item.id, text: out.text, box: out.box, ms: performance.now() - t0 };
      await appendFile(join(outDir, PREDICTIONS_FILE), `${JSON.stringify(pred)}\n`);
      predictions.set(item.id, pred);
      ranNow++;
    } catch (e) {
      if (e instanceof AppError && e.code === 'cancelled') throw e;
      const where = 'path' in item.image ? item.image.path : `${item.image.name} (embedded)`;
      const p: ItemProblem = {
        id: item.id,
        file: where,
        line: null,
        message: (e as Error).message.split('\n')[0] ?? '',
      };
      runProblems.push(p);
      opts.onProblem?.(p);
    }
  }
  progress(null);

  const scores = scoreBenchmark(kind, selected, predictions);
  const scoredIds = new Set(scores.items.map((i) => i.id));
  const times = [...predictions.values()].filter((p) => scoredIds.has(p.id)).map((p) => p.ms);
  const published = publishedFigure(kind, predictor.info.id, manifest);
  if (published) {
    const fig = scores.headline.find((f) => f.key === published.metric);
    published.ours = fig && scores.items.length ? cardScale(fig) : null;
  }
  const { provider, threads, imageTokenBudget, renderDpi } = opts.settings;
  const report: EvalReport = {
    benchmark: kind,
    title: BENCHMARK_TITLES[kind],
    dir,
    files: bench.files,
    createdAt: new Date().toISOString(),
    doclensVersion: await doclensVersion(),
    model: predictor.info,
    settings: { provider, threads, imageTokenBudget, renderDpi },
    counts: {
      items: bench.items.length,
      selected: selected.length,
      scored: scores.items.length,
      ranNow,
      resumed,
      problems: bench.problems.length + runProblems.length,
    },
    headline: scores.headline,
    main: scores.main,
    columns: scores.columns,
    categories: scores.categories,
    published,
    meanItemMs: times.length ? times.reduce((a, b) => a + b, 0) / times.length : null,
    problems: [...bench.problems, ...runProblems],
    items: scores.items,
  };
  const outputs = {
    predictions: join(outDir, PREDICTIONS_FILE),
    json: join(outDir, 'report.json'),
    markdown: join(outDir, 'report.md'),
    html: join(outDir, 'report.html'),
  };
  await writeFile(outputs.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(outputs.markdown, reportMarkdown(report));
  await writeFile(outputs.html, reportHtml(report));
  return { ...report, outputs };
}
