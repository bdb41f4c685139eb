// The Evaluate view's contract (issue 14 part 1): run a benchmark folder (or the generated sample set) through the
// backend's eval runner with progress events, and get back the report the view shows — the same figures as
// `doclens eval`'s report.json, without the per-item list.
import { z } from 'zod';
import { ErrorInfo } from './errors.js';

/** The benchmarks `doclens eval` reads (src/services/eval/datasets.ts takes its EVAL_KINDS from here). */
export const EvalKindName = z.enum([
  'pope',
  'vqa',
  'textvqa',
  'docvqa',
  'chartqa',
  'gqa',
  'mme',
  'mmbench',
  'seed',
  'refcoco',
]);
export type EvalKindName = z.infer<typeof EvalKindName>;

const Unit = z.enum(['fraction', 'points', 'count']);

export const EvalReportView = z.object({
  benchmark: EvalKindName,
  title: z.string(),
  dir: z.string(),
  files: z.array(z.string()),
  createdAt: z.string(),
  doclensVersion: z.string(),
  model: z.object({
    id: z.string(),
    family: z.string(),
    dtype: z.string(),
    provider: z.string(),
  }),
  settings: z.object({ imageTokenBudget: z.number(), renderDpi: z.number() }),
  counts: z.object({
    items: z.number(),
    selected: z.number(),
    scored: z.number(),
    ranNow: z.number(),
    resumed: z.number(),
    problems: z.number(),
  }),
  headline: z.array(z.object({ key: z.string(), label: z.string(), unit: Unit, value: z.number() })),
  main: z.string(),
  columns: z.array(z.object({ key: z.string(), label: z.string(), unit: Unit })),
  categories: z.array(
    z.object({ name: z.string(), n: z.number(), values: z.record(z.string(), z.number()) }),
  ),
  published: z
    .object({
      metric: z.string(),
      value: z.number(),
      split: z.string(),
      source: z.string(),
      ours: z.number().nullable(),
    })
    .nullable(),
  meanItemMs: z.number().nullable(),
  /** The first problems (broken entries, failed items); `counts.problems` has them all. */
  problems: z.array(
    z.object({
      id: z.string().nullable(),
      file: z.string(),
      line: z.number().nullable(),
      message: z.string(),
    }),
  ),
  /** Where report.json / .md / .html and predictions.jsonl were written. */
  outputs: z.record(z.string(), z.string()),
});
export type EvalReportView = z.infer<typeof EvalReportView>;

const RunOptions = {
  kind: EvalKindName,
  /** An installed model id; absent: the first installed Qwen-VL model. */
  modelId: z.string().min(1).max(200).optional(),
  limit: z.number().int().min(1).max(1_000_000).optional(),
  maxTokens: z.number().int().min(1).max(1024).optional(),
};

export const evalChannels = {
  /** Runs (or resumes) a benchmark folder on the backend's machine; eval.progress, then eval.done or eval.error. */
  'eval.start': {
    input: z
      .object({
        ...RunOptions,
        dir: z.string().min(1).max(4096),
        /** Default: a folder per benchmark folder and model under the data folder's `evals`. */
        outDir: z.string().min(1).max(4096).optional(),
      })
      .strict(),
    output: z.object({ evalId: z.string(), outDir: z.string() }),
    paths: true,
  },
  /** The same on the generated sample set of `kind` (written into the data folder): a first try, no download. */
  'eval.startSample': {
    input: z.object(RunOptions).strict(),
    output: z.object({ evalId: z.string(), outDir: z.string(), dir: z.string() }),
  },
  'eval.cancel': {
    input: z.object({ evalId: z.string() }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
} as const;

export const evalEvents = {
  'eval.progress': z.object({
    evalId: z.string(),
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    /** Items per second over this run's model calls; 0 before the first. */
    rate: z.number().nonnegative(),
    etaSeconds: z.number().nonnegative().nullable(),
    current: z.string().nullable(),
  }),
  'eval.done': z.object({ evalId: z.string(), report: EvalReportView }),
  'eval.error': z.object({ evalId: z.string(), error: ErrorInfo }),
} as const;
