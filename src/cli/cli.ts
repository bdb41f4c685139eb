// The `doclens` command line: document info, rendering and text from a terminal (JSON with --json), and
// `serve` for headless mode. Bad input ends with a one-line error and a non-zero exit code.
import { writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { createBackend } from '../services/backend.js';
import type { Backend } from '../services/backend.js';
import { defaultDataDir } from '../services/paths.js';
import { ApiError } from '../shared/api-client.js';
import { isAppError } from '../shared/errors.js';
import { call, intOption, print, UsageError } from './common.js';
import { dataCommand } from './data.js';
import { evalCommand } from './eval.js';
import { askCommand, groundCommand, modelsCommand, planTarget } from './vlm.js';
import { serveCommand } from './serve.js';
import { mergeCommand, QUEUE_USAGE, queueCommand, shardOption, workerCommand } from './queue.js';
import { drawOverlay } from '../services/overlay.js';
import { mapModelOutput } from '../services/grounding.js';
import { ExportFormat, ExtractKind, ModelFamily } from '../shared/domain.js';
import type { JobFile, JobInfo, JobProgress, Plan } from '../shared/domain.js';

const USAGE = `Usage: doclens <command> [options]

Commands:
  info FILE [--password P] [--json]                 pages, sizes and metadata of a PDF or image
  render FILE --page N [--dpi D] --out FILE.png      render one page to PNG
  text FILE --page N [--json]                        words and lines with boxes in page space (points)
  plan FILE --page N --family F|--model ID|DIR [--max-pixels P]
                                                     how a page is fed to a model: resize, tiles, image tokens
  overlay FILE --page N --family F --output-text RAW [--resized WxH] --out FILE.png
                                                     boxes of any Qwen-VL output drawn on the page, and
                                                     printed in page space
  extract dates|tables|charts PATHS... --out DIR [--format csv,xlsx,json,md]
                                                     batch job over files and folders: progress on stderr,
                                                     JSON summary on stdout, outputs in DIR
  extract --resume JOB_ID                            resume a stopped or interrupted job
  ask FILE "question" [--page N] [--model ID|DIR] [--max-tokens N] [--raw]
                                                     answer with the installed VLM (tokens streamed), or the
                                                     reader engine when none is installed; --raw: the image
                                                     whole at the model's own preprocessor settings, the
                                                     question through its chat template alone, greedy
  ground FILE "object"... [--page N] [--model ID|DIR] [--max-tokens N] [--tiles off|auto|on]
                                                     boxes of the named objects in page space, and the raw output;
                                                     --tiles auto also reads tiles of a large page (small objects)
  models list                                        known and installed models
  models pull ID [--dtype D]                         download from the hub (HF_ENDPOINT, HF_TOKEN), progress on stderr
  models import DIR | verify ID | remove ID          add a local model folder, check an install, delete it
  serve [--port P] [--host H] [--allow-paths] [--allow-remote-images]
                                                     headless mode: the app over HTTP on 127.0.0.1, and
                                                     an OpenAI-compatible API at /v1 (docs/api.md)
${QUEUE_USAGE}
  eval pope|vqa|textvqa|docvqa|chartqa|gqa|mme|mmbench|seed|refcoco DIR [--model ID|DIR] [--out DIR] [--limit N]
                                                     score the model on a public benchmark in DIR (resumable;
                                                     report.json/.md/.html in --out)
  data export --format llava|qwen-vl|sharegpt --out DIR [--family qwen2-vl|qwen2.5-vl|qwen3-vl]
                                                     reviewed answers as fine-tuning data, page images beside
  data generate PATHS... [--teacher ID|DIR] [--out DIR] [--kinds conversation,detail,reasoning] [--limit PAGES]
                     [--keep-unverified]             the model writes Q/A pairs per page, checked against the
                                                     page; resumable (generate.jsonl), llava.json in --out

Families: qwen2-vl, qwen2.5-vl, qwen3-vl, qwen-vl, llava-next

Options:
  --json        machine-readable output
  --data-dir D  data folder (default ${defaultDataDir()})
  -h, --help    this help`;

const OPTIONS = {
  json: { type: 'boolean' },
  page: { type: 'string' },
  dpi: { type: 'string' },
  out: { type: 'string' },
  password: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'allow-paths': { type: 'boolean' },
  'allow-remote-images': { type: 'boolean' },
  'data-dir': { type: 'string' },
  family: { type: 'string' },
  'max-pixels': { type: 'string' },
  'output-text': { type: 'string' },
  resized: { type: 'string' },
  format: { type: 'string' },
  resume: { type: 'string' },
  model: { type: 'string' },
  'max-tokens': { type: 'string' },
  raw: { type: 'boolean' },
  dtype: { type: 'string' },
  tiles: { type: 'string' },
  limit: { type: 'string' },
  teacher: { type: 'string' },
  kinds: { type: 'string' },
  'keep-unverified': { type: 'boolean' },
  shard: { type: 'string' },
  shards: { type: 'string' },
  redis: { type: 'string' },
  job: { type: 'string' },
  kind: { type: 'string' },
  attempts: { type: 'string' },
  'backoff-ms': { type: 'string' },
  'lock-ms': { type: 'string' },
  concurrency: { type: 'string' },
  wait: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const FAMILIES = ModelFamily.options;

function familyOption(value: string | undefined): ModelFamily {
  if (!value) throw new UsageError(`--family is required (${FAMILIES.join(', ')})`);
  const parsed = ModelFamily.safeParse(value);
  if (!parsed.success) throw new UsageError(`--family must be one of ${FAMILIES.join(', ')}, got "${value}"`);
  return parsed.data;
}

function sizeOption(value: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/i.exec(value.trim());
  if (!m) throw new UsageError(`--resized must look like WIDTHxHEIGHT (e.g. 1316x728), got "${value}"`);
  const width = Number(m[1]);
  const height = Number(m[2]);
  if (width < 1 || height < 1) throw new UsageError('--resized sides must be positive');
  return { width, height };
}

function describePlan(plan: Plan): string {
  const lines = [
    `page ${plan.page}: ${plan.pageSize.width.toFixed(1)} × ${plan.pageSize.height.toFixed(1)}, rendered at ${plan.render.dpi} dpi → ${plan.render.width} × ${plan.render.height} px`,
    `family ${plan.family}, ${plan.mode === 'single' ? 'one image' : `AnyRes grid ${plan.grid?.cols ?? 0} × ${plan.grid?.rows ?? 0} + global view`}, ${plan.imageTokens} image tokens`,
  ];
  for (const t of plan.tiles)
    lines.push(`  ${t.kind}: model input ${t.input.width} × ${t.input.height}, ${t.imageTokens} tokens`);
  return lines.join('\n');
}

const FORMATS = ExportFormat.options;

function formatsOption(value: string | undefined): ExportFormat[] {
  if (!value) return ['csv', 'xlsx', 'json'];
  const out: ExportFormat[] = [];
  for (const f of value.split(',').map((v) => v.trim().toLowerCase())) {
    const parsed = ExportFormat.safeParse(f);
    if (!parsed.success)
      throw new UsageError(`--format takes ${FORMATS.join(',')} (comma-separated), got "${f}"`);
    if (!out.includes(parsed.data)) out.push(parsed.data);
  }
  return out;
}

function progressLine(p: JobProgress): string {
  const width = 24;
  const frac = p.docsTotal ? p.docsDone / p.docsTotal : 0;
  const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
  const eta = p.etaSeconds === null ? '' : ` eta ${Math.ceil(p.etaSeconds)}s`;
  const cur = p.currentFile ? ` ${basename(p.currentFile)}` : '';
  return `[${bar}] ${p.docsDone}/${p.docsTotal} docs, ${p.pagesDone} pages, ${p.rate.toFixed(1)} docs/s${eta}${cur}`;
}

/** `extract`: starts (or resumes) a batch job in this process, draws progress on stderr, prints a JSON summary. */
async function extractCommand(
  backend: Backend,
  rest: string[],
  values: { out?: string; format?: string; resume?: string; shard?: string; shards?: string },
): Promise<number> {
  const finished = new Map<string, JobInfo>();
  const waiters = new Map<string, (info: JobInfo) => void>();
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  backend.onEvent((e) => {
    if (e.type === 'job.done') {
      const info = e.payload;
      finished.set(info.jobId, info);
      waiters.get(info.jobId)?.(info);
    } else if (e.type === 'job.progress') {
      const p = e.payload;
      const t = Date.now();
      if (tty) process.stderr.write(`\r\x1b[K${progressLine(p)}`);
      else if (t - lastLine > 1000 || p.docsDone === p.docsTotal) {
        lastLine = t;
        process.stderr.write(`${progressLine(p)}\n`);
      }
    } else if (e.type === 'job.file') {
      const f = (e.payload as { file: JobFile }).file;
      if (f.status !== 'ok') {
        process.stderr.write(
          `${tty ? '\r\x1b[K' : ''}${f.status}: ${f.file}${f.error ? ` (${f.error.split('\n')[0]})` : ''}\n`,
        );
      }
    }
  });
  let job: JobInfo;
  if (values.resume) {
    job = await call(backend, 'extract.resume', { jobId: values.resume });
  } else {
    const [kind, ...paths] = rest;
    const parsedKind = ExtractKind.safeParse(kind);
    if (!parsedKind.success) throw new UsageError('extract needs a kind: dates, tables or charts');
    if (paths.length === 0) throw new UsageError('extract needs at least one file or folder');
    if (!values.out) throw new UsageError('extract needs --out DIR');
    job = await call(backend, 'extract.start', {
      inputs: paths.map((p) => resolve(p)),
      kinds: [parsedKind.data],
      formats: formatsOption(values.format),
      outDir: resolve(values.out),
      shard: shardOption(values),
    });
  }
  process.stderr.write(`doclens: job ${job.jobId} (resume with: doclens extract --resume ${job.jobId})\n`);
  const onSigint = () => void call(backend, 'extract.cancel', { jobId: job.jobId }).catch(() => undefined);
  process.once('SIGINT', onSigint);
  const done =
    finished.get(job.jobId) ??
    (job.progress.state === 'running' || job.progress.state === 'queued'
      ? await new Promise<JobInfo>((res) => waiters.set(job.jobId, res))
      : job);
  process.off('SIGINT', onSigint);
  if (tty) process.stderr.write('\n');
  const byStatus: Record<string, number> = {};
  for (const f of done.files) byStatus[f.status] = (byStatus[f.status] ?? 0) + 1;
  const summary = {
    jobId: done.jobId,
    state: done.progress.state,
    message: done.progress.message,
    outDir: done.outDir,
    outputs: done.outputs,
    docs: done.progress.docsTotal,
    pages: done.progress.pagesDone,
    dates: done.files.reduce((s, f) => s + f.dates, 0),
    tables: done.files.reduce((s, f) => s + f.tables, 0),
    byStatus,
    files: done.files,
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  if (done.progress.state !== 'done')
    process.stderr.write(`doclens: job ${done.progress.state}: ${done.progress.message ?? ''}\n`);
  return done.progress.state === 'done' ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`doclens: ${(e as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  const dataDir = values['data-dir'] ? resolve(values['data-dir']) : undefined;
  let backend: Backend | null = null;
  try {
    if (command === 'serve') {
      return await serveCommand({
        port: intOption(values.port, 'port', 0, 0),
        host: values.host ?? '127.0.0.1',
        pathsAllowed: values['allow-paths'] ?? false,
        allowRemoteImages: values['allow-remote-images'] ?? false,
        dataDir,
      });
    }
    if (command === 'extract' && rest[0] === 'merge') return await mergeCommand(rest.slice(1), values);
    if (command === 'queue') return await queueCommand(rest, values, dataDir);
    if (command === 'worker') return await workerCommand(values, dataDir);
    if (command === 'extract') {
      backend = await createBackend({ dataDir });
      return await extractCommand(backend, rest, values);
    }
    if (command === 'data') {
      backend = await createBackend({ dataDir });
      return await dataCommand(backend, rest, values);
    }
    if (command === 'eval') {
      backend = await createBackend({ dataDir });
      return await evalCommand(backend, rest, values);
    }
    if (command === 'ask' || command === 'ground' || command === 'models') {
      backend = await createBackend({ dataDir });
      if (command === 'ask') return await askCommand(backend, rest, values);
      if (command === 'ground') return await groundCommand(backend, rest, values);
      return await modelsCommand(backend, rest, values);
    }
    const file = rest[0];
    if (!['info', 'render', 'text', 'plan', 'overlay'].includes(command))
      throw new UsageError(`unknown command "${command}"`);
    if (!file) throw new UsageError(`${command} needs a FILE`);
    backend = await createBackend({ dataDir });
    const json = values.json ?? false;
    const doc = await call(backend, 'documents.open', { path: resolve(file), password: values.password });
    if (command === 'info') {
      print(json, { ...doc, path: resolve(file) }, () =>
        [
          `${doc.name}: ${doc.kind === 'pdf' ? 'PDF' : `image (${doc.mime})`}, ${doc.pageCount} page(s), ${doc.bytes} bytes`,
          doc.title ? `title: ${doc.title}` : null,
          ...doc.pages.map(
            (p) =>
              `  page ${p.page}: ${p.width.toFixed(1)} × ${p.height.toFixed(1)} ${doc.kind === 'pdf' ? 'pt' : 'px'}${p.rotation ? `, rotated ${p.rotation}°` : ''}`,
          ),
          ...doc.warnings.map((w) => `warning: ${w}`),
        ]
          .filter((l) => l !== null)
          .join('\n'),
      );
    } else if (command === 'render') {
      const page = intOption(values.page, 'page', 1);
      const dpi = intOption(values.dpi, 'dpi', 150);
      if (!values.out) throw new UsageError('render needs --out FILE.png');
      const img = await call(backend, 'documents.pageImage', { docId: doc.id, page, dpi });
      await writeFile(resolve(values.out), img.png);
      const summary = {
        file: resolve(values.out),
        page,
        width: img.width,
        height: img.height,
        dpi: img.dpi,
        scale: img.scale,
        capped: img.capped,
      };
      print(
        json,
        summary,
        () =>
          `wrote ${summary.file} (${img.width}×${img.height} px at ${img.dpi.toFixed(0)} dpi${img.capped ? ', capped' : ''})`,
      );
    } else if (command === 'text') {
      const page = intOption(values.page, 'page', 1);
      const text = await call(backend, 'documents.text', { docId: doc.id, page });
      print(json, text, () => `[source: ${text.source}]\n${text.lines.map((l) => l.text).join('\n')}`);
    } else {
      const page = intOption(values.page, 'page', 1);
      // --model ID|DIR: the model's family and the budget the engine would feed it (src/cli/vlm.ts).
      const target = values.model && !values.family ? await planTarget(backend, values.model) : null;
      const family = target?.family ?? familyOption(values.family);
      const maxPixels = values['max-pixels']
        ? intOption(values['max-pixels'], 'max-pixels')
        : target?.maxPixels;
      const plan = await call(backend, 'plan.get', {
        docId: doc.id,
        page,
        family,
        maxPixels,
        ...(target && !values['max-pixels'] ? { minPixels: target.minPixels } : {}),
      });
      if (command === 'plan') {
        print(json, plan, () => describePlan(plan));
      } else {
        const raw = values['output-text'];
        if (raw === undefined) throw new UsageError('overlay needs --output-text "RAW MODEL OUTPUT"');
        if (!values.out) throw new UsageError('overlay needs --out FILE.png');
        const resized = values.resized ? sizeOption(values.resized) : undefined;
        const mapped = mapModelOutput(raw, plan, resized);
        const img = await call(backend, 'documents.pageImage', { docId: doc.id, page });
        await writeFile(resolve(values.out), await drawOverlay(img.png, mapped.boxes, img.scale));
        const result = {
          file: resolve(values.out),
          page,
          family,
          format: mapped.format,
          stripped: mapped.stripped,
          input: mapped.input,
          boxes: mapped.boxes,
        };
        print(json, result, () =>
          [
            `${mapped.boxes.length} box(es) (${mapped.format ?? 'no grounding format found'}) → ${result.file}`,
            ...mapped.boxes.map(
              (b) =>
                `  ${b.label || '(no label)'}: page ${b.page} [${b.x0.toFixed(1)}, ${b.y0.toFixed(1)}, ${b.x1.toFixed(1)}, ${b.y1.toFixed(1)}] ${doc.kind === 'pdf' ? 'pt' : 'px'}`,
            ),
          ].join('\n'),
        );
      }
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`doclens: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    const msg = e instanceof ApiError || isAppError(e) ? `${e.message} [${e.code}]` : (e as Error).message;
    process.stderr.write(`doclens: ${msg.split('\n')[0]}\n`);
    return 1;
  } finally {
    await backend?.dispose();
  }
}
