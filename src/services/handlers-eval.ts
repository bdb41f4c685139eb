// The Evaluate view's backend: eval.start / eval.startSample / eval.cancel run `doclens eval`'s runner in the
// backend, with the VLM room's loaded model as the predictor (each image opened as a document and asked through the
// planned path, boxes through the family's coordinate decoder), progress as events and the report at the end.
import { createHash, randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { groundingPrompt } from '../inference/vlm/index.js';
import type { InstalledModel } from '../shared/domain.js';
import type { EvalKindName, EvalReportView } from '../shared/evaluate.js';
import { AppError, toErrorInfo } from '../shared/errors.js';
import type { EvalKind } from './eval/datasets.js';
import type { EvalReport } from './eval/report.js';
import { runEval, type Predictor } from './eval/runner.js';
import { makeSampleSet } from './eval/sample-sets.js';
import type { BackendContext } from './handlers.js';
import { extraManifestsFromEnv } from './handlers-models.js';
import { NO_MODEL_MESSAGE, type VlmService } from './handlers-vlm.js';
import type { Emit, RoomSlice } from './room.js';

export type EvalChannel = 'eval.start' | 'eval.startSample' | 'eval.cancel';

// The shared list and the runner's must name the same benchmarks (a compile error otherwise).
const sameKinds: [EvalKind, EvalKindName] extends [EvalKindName, EvalKind] ? true : never = true;
void sameKinds;

/** Problems a report sent to the view lists (report.json has them all). */
const VIEW_PROBLEMS = 50;

interface RunRequest {
  kind: EvalKindName;
  dir: string;
  outDir?: string;
  modelId?: string;
  limit?: number;
  maxTokens?: number;
}

/** The report as the view gets it: everything but the per-item list, the first problems. */
export function reportView(r: EvalReport & { outputs: Record<string, string> }): EvalReportView {
  return {
    benchmark: r.benchmark,
    title: r.title,
    dir: r.dir,
    files: r.files,
    createdAt: r.createdAt,
    doclensVersion: r.doclensVersion,
    model: { id: r.model.id, family: r.model.family, dtype: r.model.dtype, provider: r.model.provider },
    settings: { imageTokenBudget: r.settings.imageTokenBudget, renderDpi: r.settings.renderDpi },
    counts: r.counts,
    headline: r.headline,
    main: r.main,
    columns: r.columns,
    categories: r.categories,
    published: r.published,
    meanItemMs: r.meanItemMs,
    problems: r.problems.slice(0, VIEW_PROBLEMS).map((p) => ({ ...p, id: p.id ?? null })),
    outputs: r.outputs,
  };
}

export function evalRoom(ctx: BackendContext, emit: Emit, vlm: VlmService): RoomSlice<EvalChannel> {
  const runs = new Map<string, AbortController>();

  async function predictor(installed: InstalledModel, maxTokens: number | undefined, signal: AbortSignal) {
    const model = await vlm.model(installed.id);
    const dtypes = Object.values(model.dtypes);
    const ask = async (path: string, question: string, tokens: number) => {
      const doc = await ctx.docs.open(path);
      try {
        return await vlm.answer({
          doc,
          pages: [1],
          question,
          modelId: installed.id,
          maxTokens: maxTokens ?? tokens,
          signal,
          onToken: () => undefined,
        });
      } finally {
        await ctx.docs.close(doc.info.id).catch(() => undefined);
      }
    };
    const p: Predictor = {
      info: {
        id: installed.id,
        dir: model.dir,
        family: model.family,
        dtypes: { ...model.dtypes },
        dtype: new Set(dtypes).size === 1 ? (dtypes[0] ?? 'unknown') : 'mixed',
        provider: model.provider,
      },
      // As `doclens eval`: short answers by default, room for the coordinate tokens of a box.
      answer: async (path, prompt) => ({ text: (await ask(path, prompt, 64)).text }),
      ground: async (path, expression) => {
        const r = await ask(path, groundingPrompt(model.family, [expression]), 128);
        const b = r.boxes[0];
        return { text: r.raw, box: b ? { x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1 } : null };
      },
    };
    return p;
  }

  function start(req: RunRequest, model: InstalledModel): { evalId: string; outDir: string } {
    const dir = resolve(req.dir);
    // One output folder per benchmark, benchmark folder and model, so running it again resumes it.
    const tag = createHash('sha256').update(dir).digest('hex').slice(0, 8);
    const outDir = req.outDir
      ? resolve(req.outDir)
      : join(ctx.dataDir, 'evals', `${req.kind}-${model.id}-${model.dtype}-${tag}`);
    const evalId = `e_${randomBytes(8).toString('base64url')}`;
    const abort = new AbortController();
    runs.set(evalId, abort);
    const run = async () => {
      const p = await predictor(model, req.maxTokens, abort.signal);
      const report = await runEval({
        kind: req.kind,
        dir,
        outDir,
        predictor: p,
        settings: ctx.settings.get(),
        limit: req.limit,
        manifestExtras: extraManifestsFromEnv(),
        onProgress: (e) =>
          emit({
            type: 'eval.progress',
            payload: {
              evalId,
              done: e.done,
              total: e.total,
              rate: e.rate,
              etaSeconds: e.etaSeconds,
              current: e.current,
            },
          }),
      });
      emit({ type: 'eval.done', payload: { evalId, report: reportView(report) } });
    };
    void run()
      .catch((e: unknown) => emit({ type: 'eval.error', payload: { evalId, error: toErrorInfo(e) } }))
      .finally(() => runs.delete(evalId));
    return { evalId, outDir };
  }

  /**
   * A benchmark folder that is not there (a typo, an unmounted disk) is refused at once, naming it, instead of after
   * the model has loaded.
   */
  async function checkFolder(dir: string): Promise<void> {
    const abs = resolve(dir);
    let isDir: boolean;
    try {
      isDir = (await stat(abs)).isDirectory();
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR')
        throw new AppError('not_found', `the benchmark folder ${abs} does not exist`);
      throw new AppError(
        'io_error',
        `the benchmark folder ${abs} cannot be read (${typeof code === 'string' ? code : 'unknown error'})`,
      );
    }
    if (!isDir)
      throw new AppError('invalid_input', `${abs} is a file; choose the folder that holds the benchmark`);
  }

  async function checkModel(modelId: string | undefined): Promise<InstalledModel> {
    const m = await vlm.find(modelId);
    if (!m) throw new AppError('no_model', NO_MODEL_MESSAGE);
    return m;
  }

  return {
    handlers: {
      'eval.start': async (input) => {
        const model = await checkModel(input.modelId);
        await checkFolder(input.dir);
        return start(input, model);
      },
      'eval.startSample': async (input) => {
        const model = await checkModel(input.modelId);
        const set = await makeSampleSet(input.kind, join(ctx.dataDir, 'eval-samples', input.kind));
        return { ...start({ ...input, dir: set.dir }, model), dir: set.dir };
      },
      'eval.cancel': ({ evalId }) => {
        const run = runs.get(evalId);
        run?.abort();
        return Promise.resolve({ cancelled: run !== undefined });
      },
    },
    dispose: () => {
      for (const r of runs.values()) r.abort();
      return Promise.resolve();
    },
  };
}
