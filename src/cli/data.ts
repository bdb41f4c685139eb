// `doclens data export` and `doclens data generate`: reviewed answers and teacher-written, page-checked pairs as
// visual-instruction training data (issue 14 part 3). The work is in src/services/data; this is the terminal face.
import { resolve } from 'node:path';
import type { Backend } from '../services/backend.js';
import { EXPORT_FORMATS, exportReviews, type ExportFormatName } from '../services/data/export.js';
import { TARGET_FAMILIES, targetFamilyOf, type TargetFamily } from '../services/data/families.js';
import type { FamilyId } from '../shared/families.js';
import {
  GENERATE_KINDS,
  generateData,
  type GenerateKind,
  type GenerateProgress,
  type Teacher,
} from '../services/data/generate.js';
import { NO_MODEL_MESSAGE } from '../services/handlers-vlm.js';
import { AppError } from '../shared/errors.js';
import { intOption, print, UsageError } from './common.js';
import { chooseModel, openDirect, runDirect } from './vlm.js';

export interface DataValues {
  json?: boolean;
  format?: string;
  out?: string;
  family?: string;
  teacher?: string;
  kinds?: string;
  limit?: string;
  'max-tokens'?: string;
  'keep-unverified'?: boolean;
  dtype?: string;
}

function familyOf(value: string | undefined, fallback: FamilyId): TargetFamily {
  if (value === undefined) return targetFamilyOf(fallback);
  if (!(TARGET_FAMILIES as readonly string[]).includes(value))
    throw new UsageError(`--family must be one of ${TARGET_FAMILIES.join(', ')}, got "${value}"`);
  return value as TargetFamily;
}

function bar(done: number, total: number): string {
  const width = 24;
  const frac = total ? done / total : 1;
  return '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
}

export async function dataCommand(backend: Backend, rest: string[], values: DataValues): Promise<number> {
  const [sub, ...args] = rest;
  if (sub === 'export') return exportCommand(backend, args, values);
  if (sub === 'generate') return generateCommand(backend, args, values);
  throw new UsageError(`data needs export or generate, got "${sub ?? ''}"`);
}

async function exportCommand(backend: Backend, args: string[], values: DataValues): Promise<number> {
  if (args.length)
    throw new UsageError(`data export takes no paths (it reads the reviews), got: ${args.join(' ')}`);
  const format = values.format;
  if (!format || !(EXPORT_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`data export needs --format ${EXPORT_FORMATS.join('|')}`);
  if (!values.out) throw new UsageError('data export needs --out DIR');
  const family = familyOf(values.family, 'qwen2.5-vl');
  const s = await exportReviews({
    backend,
    outDir: resolve(values.out),
    format: format as ExportFormatName,
    family,
  });
  for (const p of s.problems) process.stderr.write(`problem: ${p.file}: ${p.message}\n`);
  print(values.json ?? false, s, () =>
    [
      `${s.records} example(s) from reviewed answers → ${s.dataset} (${s.format}, ${s.family} images: ${s.images})`,
      s.rejected ? `${s.rejected} rejected review(s) left out` : null,
      s.datasetInfo ? `LLaMA-Factory: ${s.datasetInfo}` : null,
      s.problems.length ? `${s.problems.length} problem(s) (above)` : null,
    ]
      .filter((l) => l !== null)
      .join('\n'),
  );
  if (s.records === 0) {
    process.stderr.write(
      `doclens: no reviewed answer to export in ${backend.dataDir} (accept or correct answers in Ask / Find first)\n`,
    );
    return 1;
  }
  return 0;
}

async function generateCommand(backend: Backend, paths: string[], values: DataValues): Promise<number> {
  if (paths.length === 0) throw new UsageError('data generate needs PATHS (files or folders)');
  const kinds: GenerateKind[] = [];
  for (const k of (values.kinds ?? GENERATE_KINDS.join(',')).split(',').map((s) => s.trim())) {
    if (!(GENERATE_KINDS as readonly string[]).includes(k))
      throw new UsageError(`--kinds takes ${GENERATE_KINDS.join(',')}, got "${k}"`);
    if (!kinds.includes(k as GenerateKind)) kinds.push(k as GenerateKind);
  }
  const maxTokens = intOption(values['max-tokens'], 'max-tokens', 512);
  const maxPages = values.limit === undefined ? undefined : intOption(values.limit, 'limit');
  const choice = await chooseModel(backend, values.teacher);
  if (!choice) throw new AppError('no_model', NO_MODEL_MESSAGE);
  const model = await openDirect(backend, choice, values.dtype);
  const id = choice.kind === 'installed' ? choice.model.id : model.id;
  const teacher: Teacher = {
    id,
    family: model.family,
    ask: async (doc, page, prompt) => {
      const run = await runDirect(backend, model, doc, '', page, prompt, { raw: false, maxTokens });
      return { text: run.result.text, boxes: run.boxes };
    },
  };
  const outDir = resolve(values.out ?? `data-generate-${id}`);
  const stop = new AbortController();
  const onSigint = () => {
    process.stderr.write('\ndoclens: stopping after the current page (rerun the same command to resume)\n');
    stop.abort();
  };
  process.once('SIGINT', onSigint);
  const tty = process.stderr.isTTY;
  let last = 0;
  const onProgress = (p: GenerateProgress) => {
    const line = `[${bar(p.done, p.total)}] ${p.done}/${p.total} page×kind, ${p.rate.toFixed(2)}/s${p.etaSeconds === null ? '' : ` eta ${Math.ceil(p.etaSeconds)}s`}${p.current ? ` ${p.current}` : ''}`;
    if (tty) process.stderr.write(`\r\x1b[K${line}`);
    else if (Date.now() - last > 1000 || p.done === p.total) {
      last = Date.now();
      process.stderr.write(`${line}\n`);
    }
  };
  try {
    process.stderr.write(`doclens: data generate with teacher ${id} on ${model.provider} → ${outDir}\n`);
    const s = await generateData({
      backend,
      inputs: paths,
      outDir,
      teacher,
      family: familyOf(values.family, model.family),
      kinds,
      keepUnverified: values['keep-unverified'] ?? false,
      maxPages,
      signal: stop.signal,
      onProgress,
      onProblem: (p) => process.stderr.write(`${tty ? '\r\x1b[K' : ''}problem: ${p.file}: ${p.message}\n`),
    });
    if (tty) process.stderr.write('\n');
    print(values.json ?? false, s, () =>
      [
        `${s.items.ranNow} page×kind item(s) written now, ${s.items.resumed} resumed, of ${s.items.total}`,
        `pairs: ${s.pairs.verified} verified, ${s.pairs.unchecked} with nothing to check, ${s.pairs.unverified} unverified (${values['keep-unverified'] ? 'kept, marked' : 'dropped'})`,
        `${s.pairs.kept} pair(s) → ${s.dataset}`,
        `journal: ${s.journal}`,
      ].join('\n'),
    );
    return stop.signal.aborted ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    await model.dispose();
  }
}
