// `doclens eval KIND DIR`: how good the installed (or a given) model is on a public benchmark, on this machine. The
// model is opened as `doclens ask --model` opens it (vlm.ts) and each image goes through the same planned path
// (settings' provider and image-token budget; grounding through the family's coordinate decoder).
import { resolve } from 'node:path';
import type { Backend } from '../services/backend.js';
import { EVAL_KINDS, type EvalKind, type ItemProblem } from '../services/eval/datasets.js';
import { formatValue } from '../services/eval/report.js';
import { runEval, type EvalProgress, type Predictor } from '../services/eval/runner.js';
import { NO_MODEL_MESSAGE } from '../services/handlers-vlm.js';
import { groundingPrompt, type VlmModel } from '../services/vlm-direct.js';
import { AppError } from '../shared/errors.js';
import { call, intOption, print, UsageError } from './common.js';
import { chooseModel, openDirect, runDirect } from './vlm.js';

export interface EvalValues {
  json?: boolean;
  model?: string;
  out?: string;
  limit?: string;
  dtype?: string;
  'max-tokens'?: string;
}

function progressLine(p: EvalProgress): string {
  const width = 24;
  const frac = p.total ? p.done / p.total : 1;
  const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
  const eta = p.etaSeconds === null ? '' : ` eta ${Math.ceil(p.etaSeconds)}s`;
  return `[${bar}] ${p.done}/${p.total} items, ${p.rate.toFixed(2)} items/s${eta}${p.current ? ` ${p.current}` : ''}`;
}

/**
 * The opened model as the eval runner's Predictor: each image is opened as a document and run through the planned
 * path of `doclens ask --model` (settings' image-token budget, the family's coordinate decoder for boxes).
 */
export function modelPredictor(backend: Backend, model: VlmModel, id: string, maxTokens?: number): Predictor {
  const dtypes = Object.values(model.dtypes);
  const run = async (path: string, prompt: string, tokens: number) => {
    const doc = await call(backend, 'documents.open', { path });
    try {
      return await runDirect(backend, model, doc, path, 1, prompt, {
        raw: false,
        maxTokens: maxTokens ?? tokens,
      });
    } finally {
      await call(backend, 'documents.close', { docId: doc.id }).catch(() => undefined);
    }
  };
  return {
    info: {
      id,
      dir: model.dir,
      family: model.family,
      dtypes: { ...model.dtypes },
      dtype: new Set(dtypes).size === 1 ? (dtypes[0] ?? 'unknown') : 'mixed',
      provider: model.provider,
    },
    // Short answers by default; a box needs room for the family's coordinate tokens.
    async answer(path, prompt) {
      const r = await run(path, prompt, 64);
      return { text: r.result.text };
    },
    async ground(path, expression) {
      const r = await run(path, groundingPrompt(model.family, [expression]), 128);
      const b = r.boxes[0];
      return { text: r.result.raw, box: b ? { x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1 } : null };
    },
  };
}

/** `doclens eval KIND DIR [--model ID|DIR] [--out DIR] [--limit N] [--json]`. */
export async function evalCommand(backend: Backend, rest: string[], values: EvalValues): Promise<number> {
  const [kindArg, dirArg, ...extra] = rest;
  if (!kindArg || !(EVAL_KINDS as readonly string[]).includes(kindArg))
    throw new UsageError(`eval needs a benchmark: ${EVAL_KINDS.join(', ')}`);
  if (!dirArg) throw new UsageError(`eval ${kindArg} needs the benchmark's folder`);
  if (extra.length) throw new UsageError(`eval takes one folder, got extra: ${extra.join(' ')}`);
  const kind = kindArg as EvalKind;
  const limit = values.limit === undefined ? undefined : intOption(values.limit, 'limit');
  const json = values.json ?? false;
  const choice = await chooseModel(backend, values.model);
  if (!choice) throw new AppError('no_model', NO_MODEL_MESSAGE);
  const settings = await call(backend, 'settings.get', {});
  const model = await openDirect(backend, choice, values.dtype);
  try {
    const id = choice.kind === 'installed' ? choice.model.id : model.id;
    const outDir = resolve(values.out ?? `eval-${kind}-${id}`);
    const maxTokens = values['max-tokens'] ? intOption(values['max-tokens'], 'max-tokens') : undefined;
    const predictor = modelPredictor(backend, model, id, maxTokens);
    const tty = process.stderr.isTTY;
    let lastLine = 0;
    let shown = 0;
    const onProgress = (p: EvalProgress) => {
      const t = Date.now();
      if (tty) process.stderr.write(`\r\x1b[K${progressLine(p)}`);
      else if (t - lastLine > 1000 || p.done === p.total) {
        lastLine = t;
        process.stderr.write(`${progressLine(p)}\n`);
      }
    };
    const onProblem = (p: ItemProblem) => {
      if (shown++ < 20)
        process.stderr.write(
          `${tty ? '\r\x1b[K' : ''}problem: ${p.file}${p.line === null ? '' : `:${p.line}`}${p.id ? ` [${p.id}]` : ''}: ${p.message}\n`,
        );
    };
    process.stderr.write(
      `doclens: eval ${kind} with ${id} (${predictor.info.dtype}) on ${model.provider} → ${outDir}\n`,
    );
    const report = await runEval({
      kind,
      dir: resolve(dirArg),
      outDir,
      predictor,
      settings,
      limit,
      onProgress,
      onProblem,
    });
    if (tty) process.stderr.write('\n');
    if (shown > 20) process.stderr.write(`… ${shown - 20} more problem(s) in ${report.outputs.markdown}\n`);
    print(json, report, () =>
      [
        `${report.title}: ${report.counts.scored} item(s) scored (${report.counts.ranNow} run now, ${report.counts.resumed} resumed), ${report.counts.problems} problem(s)`,
        ...report.headline.map((f) => `  ${f.label}: ${formatValue(f.value, f.unit)}`),
        ...(report.published
          ? [
              `  published (${report.published.split}): ${report.published.metric} ${report.published.value} — ${report.published.source}`,
            ]
          : []),
        `report: ${report.outputs.html}`,
        `        ${report.outputs.markdown}`,
        `        ${report.outputs.json}`,
      ].join('\n'),
    );
    if (report.counts.scored === 0) {
      process.stderr.write(
        `doclens: no item of ${resolve(dirArg)} could be scored (see the problems above)\n`,
      );
      return 1;
    }
    return 0;
  } finally {
    await model.dispose();
  }
}
