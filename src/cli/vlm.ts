// `doclens ask`, `doclens ground` and `doclens models`: the VLM engine and the model store from a terminal. Installed
// models go through the backend's channels (ask.start / ground.start, verification included); `--model DIR` and
// `--raw` open the model folder directly (services/vlm-direct.ts) and feed it the page themselves.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import type { Backend } from '../services/backend.js';
import { mapModelOutput } from '../services/grounding.js';
import { NO_MODEL_MESSAGE } from '../services/handlers-vlm.js';
import { describeModelFolder, groundingPrompt, openModelFolder } from '../services/vlm-direct.js';
import type { GenerateResult, VlmImage, VlmModel } from '../services/vlm-direct.js';
import type { AppEvent } from '../shared/contract.js';
import type {
  Answer,
  BoundField,
  DocumentInfo,
  InstalledModel,
  KnownModel,
  ModelFamily,
  PullProgress,
} from '../shared/domain.js';
import { AppError } from '../shared/errors.js';
import { ENGINE_FAMILY_IDS, FAMILIES, licenseInfo, type FamilyId } from '../shared/families.js';
import type { LabelledBox } from '../shared/geometry.js';
import { call, intOption, print, UsageError } from './common.js';

export interface VlmValues {
  json?: boolean;
  page?: string;
  model?: string;
  'max-tokens'?: string;
  raw?: boolean;
  dtype?: string;
  password?: string;
  tiles?: string;
}

const VLM_FAMILIES = new Set<string>(ENGINE_FAMILY_IDS);

/** `Apache 2.0`, or `Qwen Research License, NON-COMMERCIAL` where the licence forbids commercial use. */
function licenseLabel(id: string): string {
  const l = licenseInfo(id);
  return l.commercial ? l.name : `${l.name}, NON-COMMERCIAL`;
}

/** Which model a command runs: a folder given by path, an installed model, or none installed. */
export type ModelChoice = { kind: 'dir'; dir: string } | { kind: 'installed'; model: InstalledModel } | null;

const looksLikePath = (s: string) => /[/\\]/.test(s) || s.startsWith('.') || s.startsWith('~');

export async function chooseModel(backend: Backend, model: string | undefined): Promise<ModelChoice> {
  if (model !== undefined) {
    const asPath = resolve(model);
    let isDir = false;
    try {
      isDir = statSync(asPath).isDirectory();
    } catch {
      if (looksLikePath(model)) throw new AppError('not_found', `model folder ${asPath} does not exist`);
    }
    if (isDir) return { kind: 'dir', dir: asPath };
    if (looksLikePath(model)) throw new AppError('invalid_input', `${asPath} is not a model folder`);
  }
  const { installed } = await call(backend, 'models.list', {});
  if (model !== undefined) {
    const m = installed.find((i) => i.id === model);
    if (!m) {
      throw new AppError(
        'not_found',
        `model ${model} is not installed and is not a folder (installed: ${installed.map((i) => i.id).join(', ') || 'none'})`,
      );
    }
    return { kind: 'installed', model: m };
  }
  const m = installed.find((i) => VLM_FAMILIES.has(i.family));
  return m ? { kind: 'installed', model: m } : null;
}

export async function openDirect(
  backend: Backend,
  choice: NonNullable<ModelChoice>,
  dtype?: string,
): Promise<VlmModel> {
  const { provider, threads } = await call(backend, 'settings.get', {});
  const model =
    choice.kind === 'dir'
      ? await openModelFolder(choice.dir, { provider, threads, dtype })
      : await openModelFolder(choice.model.path, { provider, threads, dtype: dtype ?? choice.model.dtype });
  // A Qwen3-VL export without DeepStack runs, but the user is told (stderr keeps --json output clean).
  if (model.quality) process.stderr.write(`note: ${model.id} runs with ${model.quality}\n`);
  return model;
}

/** Patch · merge of a family (the side every model input is a multiple of). */
function familyFactor(family: ModelFamily): number {
  const images = FAMILIES[family].images;
  return images.kind === 'smart-resize' ? images.factor : 28;
}

/**
 * What `doclens plan --model ID|DIR` plans for: the model's family and the page budget the engine would use (the
 * settings' image-token budget within the model's own pixel limits), read from the folder without loading graphs.
 */
export async function planTarget(
  backend: Backend,
  model: string,
): Promise<{ family: ModelFamily; maxPixels: number; minPixels: number }> {
  const choice = await chooseModel(backend, model);
  if (!choice) throw new AppError('no_model', NO_MODEL_MESSAGE);
  const info = describeModelFolder(choice.kind === 'dir' ? choice.dir : choice.model.path);
  const { imageTokenBudget } = await call(backend, 'settings.get', {});
  const factor = familyFactor(info.family);
  const maxPixels = Math.max(info.pixels.min, Math.min(imageTokenBudget * factor ** 2, info.pixels.max));
  return { family: info.family, maxPixels, minPixels: Math.min(info.pixels.min, maxPixels) };
}

/** Pixels of an image file as decoded whole (EXIF orientation applied, as the document engine does). */
async function decodeImage(path: string): Promise<VlmImage> {
  const { data, info } = await sharp(path, { pages: 1, page: 0 })
    .rotate()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 && info.channels !== 4) {
    throw new AppError('invalid_input', `${path}: decoded to ${info.channels} channels, expected RGB(A)`);
  }
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels };
}

async function decodePng(png: Uint8Array): Promise<VlmImage> {
  const { data, info } = await sharp(png).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data),
    width: info.width,
    height: info.height,
    channels: info.channels === 4 ? 4 : 3,
  };
}

export interface DirectRun {
  result: GenerateResult;
  boxes: LabelledBox[];
  input: { width: number; height: number };
}

/**
 * One generation on one page with a directly opened model. `raw`: an image file goes in whole (a PDF page rendered
 * at the settings' DPI), the text through the model's chat template with nothing added, greedy. Otherwise the page
 * is planned within the image-token budget as the backend's VLM room does it.
 */
export async function runDirect(
  backend: Backend,
  model: VlmModel,
  doc: DocumentInfo,
  file: string,
  page: number,
  question: string,
  opts: { raw: boolean; maxTokens?: number; onToken?: (t: string) => void },
): Promise<DirectRun> {
  const settings = await call(backend, 'settings.get', {});
  const factor = familyFactor(model.family);
  let image: VlmImage;
  let planTokens = settings.imageTokenBudget;
  if (opts.raw) {
    image =
      doc.kind === 'image'
        ? await decodeImage(file)
        : await decodePng((await call(backend, 'documents.pageImage', { docId: doc.id, page })).png);
    planTokens = Math.floor(model.pixels.max / factor ** 2);
  }
  const maxPixels = Math.max(model.pixels.min, Math.min(planTokens * factor ** 2, model.pixels.max));
  const minPixels = Math.min(model.pixels.min, maxPixels);
  const plan = await call(backend, 'plan.get', {
    docId: doc.id,
    page,
    family: model.family,
    maxPixels,
    minPixels,
  });
  if (!opts.raw) {
    const img = await call(backend, 'documents.pageImage', { docId: doc.id, page, dpi: plan.render.dpi });
    image = { ...(await decodePng(img.png)), minPixels: plan.minPixels, maxPixels: plan.maxPixels };
  }
  const result = await model.generate({
    images: [image!],
    question,
    maxTokens: opts.maxTokens,
    raw: opts.raw,
    onToken: opts.onToken,
  });
  const resized = result.resized[0];
  // The image went in whole (the page's full view), so the model input size alone maps its coordinates.
  const mapped = mapModelOutput(result.raw, plan, resized);
  return { result, boxes: mapped.boxes, input: mapped.input };
}

/** Waits for the ask.done / ask.error of `askId` (events may arrive before the id is known). */
function askEvents(backend: Backend, onToken?: (t: string) => void) {
  const seen: AppEvent[] = [];
  let id: string | null = null;
  let settle: ((a: Answer) => void) | null = null;
  let fail: ((e: Error) => void) | null = null;
  const handle = (e: AppEvent) => {
    if (e.type === 'ask.token' && e.payload.askId === id) onToken?.(e.payload.text);
    else if (e.type === 'ask.done' && e.payload.askId === id) settle?.(e.payload.answer);
    else if (e.type === 'ask.error' && e.payload.askId === id) {
      const err = e.payload.error;
      fail?.(new AppError(err.code, err.message));
    }
  };
  const off = backend.onEvent((e) => {
    if (id === null) seen.push(e);
    else handle(e);
  });
  return {
    wait(askId: string): Promise<Answer> {
      const done = new Promise<Answer>((res, rej) => {
        settle = res;
        fail = rej;
      });
      id = askId;
      for (const e of seen.splice(0)) handle(e);
      return done.finally(off);
    },
    off,
  };
}

function boxLines(boxes: LabelledBox[], unit: string): string[] {
  return boxes.map(
    (b) =>
      `  ${b.label || '(no label)'}: page ${b.page} [${b.x0.toFixed(1)}, ${b.y0.toFixed(1)}, ${b.x1.toFixed(1)}, ${b.y1.toFixed(1)}] ${unit}`,
  );
}

/** A bound value in one line: `date "12 March 2024" (2024-03-12), label "Invoice date" (right), page 1 [..] pt`. */
function fieldLine(f: BoundField, unit: string): string {
  const b = f.box;
  return `${f.field} "${f.value}"${f.normalized && f.normalized !== f.value ? ` (${f.normalized})` : ''}${f.label ? `, label "${f.label}"` : ''} (${f.how}), page ${b.page} [${b.x0.toFixed(1)}, ${b.y0.toFixed(1)}, ${b.x1.toFixed(1)}, ${b.y1.toFixed(1)}] ${unit}`;
}

/** The answer's trust level and why, then what it was bound to, what conflicts with it, or the candidates. */
export function trustLines(answer: Answer, unit: string): string[] {
  if (answer.trust === null) return [];
  const out = [`trust: ${answer.trust}${answer.trust_reason ? ` — ${answer.trust_reason}` : ''}`];
  if (answer.field) out.push(`  field: ${fieldLine(answer.field, unit)}`);
  if (answer.conflict) out.push(`  the page states: ${fieldLine(answer.conflict, unit)}`);
  if (!answer.field && answer.candidates.length)
    out.push('  candidates:', ...answer.candidates.map((c) => `    ${fieldLine(c, unit)}`));
  return out;
}

function tokenWriter(json: boolean): ((t: string) => void) | undefined {
  return json ? undefined : (t) => process.stdout.write(t);
}

async function openDoc(backend: Backend, file: string, password?: string): Promise<DocumentInfo> {
  return call(backend, 'documents.open', { path: resolve(file), password });
}

function pageOf(values: VlmValues, doc: DocumentInfo): number {
  const page = intOption(values.page, 'page', 1);
  if (page > doc.pageCount)
    throw new AppError(
      'invalid_input',
      `${doc.name} has ${doc.pageCount} page(s); page ${page} does not exist`,
    );
  return page;
}

/** `doclens ask FILE "question"`. */
export async function askCommand(backend: Backend, rest: string[], values: VlmValues): Promise<number> {
  const [file, question, ...extra] = rest;
  if (!file || !question) throw new UsageError('ask needs FILE and "question"');
  if (extra.length) throw new UsageError(`ask takes one question (quote it), got extra: ${extra.join(' ')}`);
  const json = values.json ?? false;
  const raw = values.raw ?? false;
  const maxTokens = values['max-tokens'] ? intOption(values['max-tokens'], 'max-tokens') : undefined;
  const choice = await chooseModel(backend, values.model);
  const doc = await openDoc(backend, file, values.password);
  const page = pageOf(values, doc);
  const unit = doc.kind === 'pdf' ? 'pt' : 'px';
  const onToken = tokenWriter(json);

  if (raw || choice?.kind === 'dir') {
    if (!choice) throw new AppError('no_model', `--raw needs a model: ${NO_MODEL_MESSAGE}`);
    const model = await openDirect(backend, choice, values.dtype);
    try {
      const r = await runDirect(backend, model, doc, file, page, question, { raw, maxTokens, onToken });
      const out = {
        engine: 'vlm' as const,
        mode: raw ? 'raw' : 'planned',
        model: r.result.model,
        modelDir: model.dir,
        provider: r.result.provider,
        page,
        text: r.result.text,
        raw: r.result.raw,
        token_ids: r.result.tokenIds,
        stop: r.result.stop,
        promptTokens: r.result.promptTokens,
        input: r.input,
        boxes: r.boxes,
        timings: r.result.timings,
      };
      if (json) print(true, out, () => '');
      else
        process.stdout.write(
          `\n[vlm ${out.model} on ${out.provider}, ${out.mode}, ${out.token_ids.length} tokens, stop: ${out.stop}]\n${boxLines(out.boxes, unit).join('\n')}${out.boxes.length ? '\n' : ''}`,
        );
      return 0;
    } finally {
      await model.dispose();
    }
  }

  const engine = choice ? 'vlm' : 'reader';
  if (!choice)
    process.stderr.write('doclens: no vision-language model installed: the reader engine answers\n');
  const events = askEvents(backend, onToken);
  let answer: Answer;
  try {
    const { askId } = await call(backend, 'ask.start', {
      docId: doc.id,
      question,
      scope: { kind: 'page', page },
      engine,
      modelId: choice?.model.id,
      maxTokens,
    });
    answer = await events.wait(askId);
  } finally {
    events.off();
  }
  const out = { ...answer, page };
  if (json) print(true, out, () => '');
  else
    process.stdout.write(
      `\n[${answer.engine}${answer.model ? ` ${answer.model}` : ''}${answer.provider ? ` on ${answer.provider}` : ''}${answer.trust ? `, ${answer.trust}` : ''}]\n${[...trustLines(answer, unit), ...boxLines(answer.boxes, unit)].map((l) => `${l}\n`).join('')}`,
    );
  return 0;
}

/** `doclens ground FILE "object" ...`. */
export async function groundCommand(backend: Backend, rest: string[], values: VlmValues): Promise<number> {
  const [file, ...objects] = rest;
  if (!file || objects.length === 0) throw new UsageError('ground needs FILE and at least one "object"');
  if (values.raw) throw new UsageError('ground has no --raw (use ask --raw with your own prompt)');
  const json = values.json ?? false;
  const maxTokens = values['max-tokens'] ? intOption(values['max-tokens'], 'max-tokens') : 256;
  const tiling = values.tiles ?? 'off';
  if (tiling !== 'off' && tiling !== 'auto' && tiling !== 'on')
    throw new UsageError(`--tiles is off, auto or on, got ${tiling}`);
  const choice = await chooseModel(backend, values.model);
  if (!choice) throw new AppError('no_model', NO_MODEL_MESSAGE);
  if (choice.kind === 'dir' && tiling !== 'off')
    throw new UsageError('--tiles needs an installed model (--model ID), not a folder');
  const doc = await openDoc(backend, file, values.password);
  const page = pageOf(values, doc);
  const unit = doc.kind === 'pdf' ? 'pt' : 'px';
  const onToken = tokenWriter(json);
  const pageSize = doc.pages[page - 1]!;
  let out: {
    engine: 'vlm';
    model: string | null;
    provider: string | null;
    page: number;
    pageSize: { width: number; height: number };
    objects: string[];
    boxes: LabelledBox[];
    raw: string | null;
    text: string;
    token_ids: number[] | null;
    /** `low` for families without an official box format (src/shared/families.ts lowConfidenceBoxes). */
    confidence: 'low' | 'normal';
  };
  const confidence = (family: FamilyId): 'low' | 'normal' =>
    FAMILIES[family].lowConfidenceBoxes ? 'low' : 'normal';
  if (choice.kind === 'dir') {
    const model = await openDirect(backend, choice, values.dtype);
    try {
      const prompt = groundingPrompt(model.family, objects);
      const r = await runDirect(backend, model, doc, file, page, prompt, { raw: false, maxTokens, onToken });
      out = {
        engine: 'vlm',
        model: r.result.model,
        provider: r.result.provider,
        page,
        pageSize: { width: pageSize.width, height: pageSize.height },
        objects,
        boxes: r.boxes,
        raw: r.result.raw,
        text: r.result.text,
        token_ids: r.result.tokenIds,
        confidence: confidence(model.family),
      };
    } finally {
      await model.dispose();
    }
  } else {
    const events = askEvents(backend, onToken);
    let answer: Answer;
    try {
      const { askId } = await call(backend, 'ground.start', {
        docId: doc.id,
        page,
        objects,
        modelId: choice.model.id,
        maxTokens,
        tiling,
      });
      answer = await events.wait(askId);
    } finally {
      events.off();
    }
    out = {
      engine: 'vlm',
      model: answer.model,
      provider: answer.provider,
      page,
      pageSize: { width: pageSize.width, height: pageSize.height },
      objects,
      boxes: answer.boxes,
      raw: answer.raw,
      text: answer.text,
      token_ids: answer.token_ids,
      confidence: confidence(choice.model.family),
    };
  }
  if (json) print(true, out, () => '');
  else
    process.stdout.write(
      `\n${out.boxes.length} box(es) on page ${page} (${pageSize.width.toFixed(1)} × ${pageSize.height.toFixed(1)} ${unit})${out.confidence === 'low' ? ', low confidence: this family has no official box format' : ''}\n${boxLines(out.boxes, unit).join('\n')}${out.boxes.length ? '\n' : ''}raw: ${JSON.stringify(out.raw)}\n`,
    );
  return 0;
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

function pullLine(p: PullProgress): string {
  const width = 24;
  const frac = p.bytesTotal ? p.bytesDone / p.bytesTotal : 0;
  const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
  const eta =
    p.state === 'downloading' && typeof p.etaSeconds === 'number' ? ` eta ${Math.ceil(p.etaSeconds)}s` : '';
  return `[${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${mb(p.bytesDone)}/${mb(p.bytesTotal)} ${p.state}${eta}${p.file ? ` ${p.file}` : ''}`;
}

/** The download sizes known without the network (manifest pins, sizes cached from the hub's file list). */
function downloadSizes(k: KnownModel): string {
  const known = k.dtypes.filter((d) => k.bytesByDtype[d] !== undefined);
  return known.length
    ? `  download ${known.map((d) => `${d} ${mb(k.bytesByDtype[d] ?? 0)}`).join(', ')}`
    : '';
}

const ENDED = new Set(['done', 'failed', 'cancelled', 'paused']);

/** `doclens models list|pull ID [--dtype D]|import DIR|verify ID|remove ID`. */
export async function modelsCommand(backend: Backend, rest: string[], values: VlmValues): Promise<number> {
  const [verb, arg, ...extra] = rest;
  const json = values.json ?? false;
  if (extra.length)
    throw new UsageError(`models ${verb ?? ''} takes one argument, got extra: ${extra.join(' ')}`);
  if (verb === 'list') {
    const list = await call(backend, 'models.list', {});
    print(json, list, () =>
      [
        'installed:',
        ...(list.installed.length
          ? list.installed.map(
              (m) => `  ${m.id}  ${m.family} ${m.dtype}  ${mb(m.bytes)}  ${m.source}  ${m.path}`,
            )
          : ['  (none)']),
        'known:',
        ...list.known.map(
          (k) =>
            `  ${k.id}  ${k.family}  ${licenseLabel(k.license)}  ${k.repo}@${k.revision.slice(0, 12)}  dtypes ${k.dtypes.join(',')}${downloadSizes(k)}${k.recommended ? '  (recommended)' : ''}${k.quality ? `  (${k.quality})` : ''}${k.installed ? '  (installed)' : ''}`,
        ),
      ].join('\n'),
    );
    return 0;
  }
  if (!arg)
    throw new UsageError(
      `models ${verb ?? '<list|pull|import|verify|remove>'} needs ${verb === 'import' ? 'DIR' : 'ID'}`,
    );
  if (verb === 'pull') {
    const tty = process.stderr.isTTY;
    let pullId: string | null = null;
    let last: PullProgress | null = null;
    let lastDraw = 0;
    const early: PullProgress[] = [];
    let ended: ((p: PullProgress) => void) | null = null;
    const draw = (p: PullProgress) => {
      last = p;
      const t = Date.now();
      if (tty) process.stderr.write(`\r\x1b[K${pullLine(p)}`);
      else if (t - lastDraw > 1000 || ENDED.has(p.state)) {
        lastDraw = t;
        process.stderr.write(`${pullLine(p)}\n`);
      }
      if (ENDED.has(p.state)) ended?.(p);
    };
    const off = backend.onEvent((e) => {
      if (e.type !== 'models.progress') return;
      if (pullId === null) early.push(e.payload);
      else if (e.payload.pullId === pullId) draw(e.payload);
    });
    const onSigint = () => {
      if (pullId) void call(backend, 'models.cancelPull', { pullId }).catch(() => undefined);
    };
    process.once('SIGINT', onSigint);
    try {
      const done = new Promise<PullProgress>((res) => (ended = res));
      const started = await call(backend, 'models.pull', { modelId: arg, dtype: values.dtype });
      pullId = started.pullId;
      for (const p of early.splice(0)) if (p.pullId === pullId) draw(p);
      const now = (last as PullProgress | null) ?? null;
      const final = now && ENDED.has(now.state) ? now : await done;
      if (tty) process.stderr.write('\n');
      const list = await call(backend, 'models.list', {});
      // Installs are named `<model id>-<dtype>`.
      const installed =
        list.installed.find((m) =>
          values.dtype ? m.id === `${arg}-${values.dtype}` : m.id === arg || m.id.startsWith(`${arg}-`),
        ) ?? null;
      print(json, { ...final, installed }, () =>
        final.state === 'done'
          ? `installed ${arg}${installed ? ` → ${installed.path} (${mb(installed.bytes)})` : ''}`
          : `pull ${final.state}: ${final.message ?? ''}`,
      );
      if (final.state !== 'done') {
        process.stderr.write(`doclens: pull of ${arg} ${final.state}: ${final.message ?? 'no message'}\n`);
        return 1;
      }
      return 0;
    } finally {
      off();
      process.off('SIGINT', onSigint);
    }
  }
  if (verb === 'import') {
    const m = await call(backend, 'models.import', { path: resolve(arg) });
    print(json, m, () => `imported ${m.id} (${m.family}, ${m.dtype}, ${mb(m.bytes)}) → ${m.path}`);
    return 0;
  }
  if (verb === 'verify') {
    const r = await call(backend, 'models.verify', { modelId: arg });
    print(json, { modelId: arg, ...r }, () =>
      r.ok
        ? `${arg}: ok`
        : [`${arg}: ${r.problems.length} problem(s)`, ...r.problems.map((p) => `  ${p}`)].join('\n'),
    );
    if (!r.ok) process.stderr.write(`doclens: ${arg} failed verification: ${r.problems[0] ?? ''}\n`);
    return r.ok ? 0 : 1;
  }
  if (verb === 'remove') {
    const r = await call(backend, 'models.remove', { modelId: arg });
    print(json, { modelId: arg, ...r }, () => (r.removed ? `removed ${arg}` : `${arg} was not installed`));
    if (!r.removed) process.stderr.write(`doclens: ${arg} is not installed\n`);
    return r.removed ? 0 : 1;
  }
  throw new UsageError(`unknown models command "${verb ?? ''}" (list, pull, import, verify, remove)`);
}
