// `doclens eval KIND DIR` on each benchmark's generated sample set with the tiny generated Qwen2-VL (real ONNX
// sessions, the real backend): every kind through the runner with the CLI's own predictor in this process (one model
// load), and the command itself in a real process. The report's figures must equal the metrics recomputed here from
// the recorded predictions and the sets' truth; a second run resumes (no item runs twice); broken entries are
// reported.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensureTinyModel } from '../../models/tiny/make-tiny-model.js';
import {
  anls,
  circularAccuracy,
  extractChoice,
  gqaExactMatch,
  groundingAccuracy,
  mmeScores,
  popeScores,
  relaxedAccuracy,
  textVqaAccuracy,
  vqaAccuracy,
} from '../eval/metrics.js';
import { createBackend, type Backend } from '../services/backend.js';
import { EVAL_KINDS, type EvalKind, type Reference } from '../services/eval/datasets.js';
import type { EvalReport } from '../services/eval/report.js';
import { runEval, type Predictor } from '../services/eval/runner.js';
import { makeSampleSet } from '../services/eval/sample-sets.js';
import type { Prediction } from '../services/eval/score.js';
import { openModelFolder, type VlmModel } from '../services/vlm-direct.js';
import { DEFAULT_SETTINGS } from '../shared/domain.js';
import { modelPredictor } from './eval.js';
import { runCli } from './testing.js';

let dir: string;
let tiny: string;
let backend: Backend;
let model: VlmModel;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doclens-cli-eval-'));
  tiny = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
  backend = await createBackend({ dataDir: join(dir, 'data-in-process') });
  model = await openModelFolder(tiny, { provider: 'cpu' });
});
after(async () => {
  await model?.dispose();
  await backend?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** The CLI's predictor, counting the calls that reach the model. */
function countingPredictor(): { predictor: Predictor; calls: string[] } {
  const real = modelPredictor(backend, model, 'tiny-qwen2-vl-tiny', 4);
  const calls: string[] = [];
  return {
    calls,
    predictor: {
      info: real.info,
      answer: (path, prompt) => (calls.push(prompt), real.answer(path, prompt)),
      ground: (path, expression) => (calls.push(expression), real.ground(path, expression)),
    },
  };
}

const doclens = (args: string[]) => runCli(args, { dataDir: join(dir, 'data') });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The headline figures of `kind`, recomputed from the metrics module alone. */
function recompute(
  kind: EvalKind,
  truth: Map<string, Reference>,
  preds: Prediction[],
): Record<string, number> {
  const pairs = preds.map((p) => ({ p, r: truth.get(p.id)! }));
  const as = <K extends Reference['kind']>(r: Reference, _k: K) => r as Extract<Reference, { kind: K }>;
  switch (kind) {
    case 'pope': {
      const s = popeScores(pairs.map(({ p, r }) => ({ prediction: p.text, label: as(r, 'pope').label })));
      return {
        accuracy: s.accuracy,
        precision: s.precision,
        recall: s.recall,
        f1: s.f1,
        yesRatio: s.yesRatio,
      };
    }
    case 'vqa':
      return { accuracy: mean(pairs.map(({ p, r }) => vqaAccuracy(p.text, as(r, 'vqa').answers))) };
    case 'textvqa':
      return { accuracy: mean(pairs.map(({ p, r }) => textVqaAccuracy(p.text, as(r, 'textvqa').answers))) };
    case 'docvqa':
      return { anls: mean(pairs.map(({ p, r }) => anls(p.text, as(r, 'docvqa').answers))) };
    case 'chartqa':
      return {
        relaxed: mean(
          pairs.map(({ p, r }) => (relaxedAccuracy(p.text.trim(), as(r, 'chartqa').answer) ? 1 : 0)),
        ),
      };
    case 'gqa':
      return {
        accuracy: mean(pairs.map(({ p, r }) => (gqaExactMatch(p.text, as(r, 'gqa').answer) ? 1 : 0))),
      };
    case 'mme': {
      const s = mmeScores(pairs.map(({ p, r }) => ({ ...as(r, 'mme'), prediction: p.text })));
      return { perception: s.perception, cognition: s.cognition, total: s.perception + s.cognition };
    }
    case 'mmbench': {
      const c = circularAccuracy(pairs.map(({ p, r }) => ({ ...as(r, 'choice'), prediction: p.text })));
      return { circular: c.accuracy, questions: c.questions };
    }
    case 'seed':
      return {
        accuracy: mean(
          pairs.map(({ p, r }) =>
            extractChoice(p.text, as(r, 'choice').options) === as(r, 'choice').answer ? 1 : 0,
          ),
        ),
      };
    case 'refcoco':
      return {
        acc50: groundingAccuracy(
          pairs.map(({ p, r }) => ({ predicted: p.box, truth: as(r, 'refcoco').box })),
        ),
      };
  }
}

async function predictions(out: string): Promise<Prediction[]> {
  const text = await readFile(join(out, 'predictions.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Prediction);
}

/** Checks a finished run's report against the set and the recorded predictions. */
async function checkReport(
  kind: EvalKind,
  set: Awaited<ReturnType<typeof makeSampleSet>>,
  out: string,
  r: EvalReport & { outputs: Record<string, string> },
): Promise<void> {
  const n = set.truth.size;
  // Every item has exactly one recorded prediction.
  const preds = await predictions(out);
  assert.deepEqual(preds.map((p) => p.id).sort(), [...set.truth.keys()].sort());
  assert.equal(r.model.provider, 'cpu');
  assert.equal(r.model.dir, tiny);
  assert.match(r.doclensVersion, /^\d+\.\d+\.\d+/);
  assert.equal(r.settings.imageTokenBudget, DEFAULT_SETTINGS.imageTokenBudget);

  const expected = recompute(kind, set.truth, preds);
  for (const [key, value] of Object.entries(expected)) {
    const fig = r.headline.find((f) => f.key === key);
    assert.ok(fig, `headline ${key} missing from ${JSON.stringify(r.headline)}`);
    assert.ok(Math.abs(fig.value - value) < 1e-12, `${key}: report ${fig.value}, recomputed ${value}`);
  }
  assert.equal(
    r.categories.reduce((s, c) => s + c.n, 0),
    n,
  );
  assert.deepEqual(r.problems.map((p) => p.id).sort(), [...set.broken].sort());

  const html = await readFile(r.outputs.html!, 'utf8');
  assert.match(html, /<svg[^>]*role="img"/);
  assert.doesNotMatch(html, /<link|<script|src=|url\(/, 'the HTML report is self-contained');
  for (const c of r.categories) assert.ok(html.includes(`<td>${c.name}</td>`), c.name);
  const md = await readFile(r.outputs.markdown!, 'utf8');
  assert.ok(md.includes(`| ${r.headline[0]!.label} |`));
  assert.deepEqual(
    JSON.parse(await readFile(r.outputs.json!, 'utf8')),
    JSON.parse(JSON.stringify({ ...r, outputs: undefined })),
  );
}

for (const kind of EVAL_KINDS) {
  test(`eval ${kind}: figures = metrics of the recorded predictions; a rerun resumes; broken entries reported`, async () => {
    const set = await makeSampleSet(kind, join(dir, 'sets', kind));
    const out = join(dir, 'out', kind);
    const { predictor, calls } = countingPredictor();
    const problems: (string | null)[] = [];
    const opts = {
      kind,
      dir: set.dir,
      outDir: out,
      predictor,
      settings: DEFAULT_SETTINGS,
      onProblem: (p: { id: string | null }) => problems.push(p.id),
    };
    const r1 = await runEval({ ...opts, limit: 2 });
    assert.deepEqual(
      [r1.counts.selected, r1.counts.ranNow, r1.counts.resumed, r1.counts.scored],
      [2, 2, 0, 2],
    );
    assert.equal(calls.length, 2);

    const r2 = await runEval(opts);
    const n = set.truth.size;
    assert.deepEqual(
      [r2.counts.items, r2.counts.ranNow, r2.counts.resumed, r2.counts.scored],
      [n, n - 2, 2, n],
    );
    // The model saw each item once over the two runs.
    assert.equal(calls.length, n);
    assert.deepEqual(problems.sort(), [...set.broken, ...set.broken].sort());
    await checkReport(kind, set, out, r2);
  });
}

test('doclens eval in a real process: progress and problems on stderr, resume, the same figures', async () => {
  const set = await makeSampleSet('pope', join(dir, 'sets', 'pope-cli'));
  const out = join(dir, 'out', 'pope-cli');
  const base = ['eval', 'pope', set.dir, '--model', tiny, '--out', out, '--max-tokens', '4', '--json'];
  const first = await doclens([...base, '--limit', '1']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /\[#+\.*\] 1\/1 items/);
  const second = await doclens(base);
  assert.equal(second.code, 0, second.stderr);
  const r = JSON.parse(second.stdout) as EvalReport & { outputs: Record<string, string> };
  assert.deepEqual([r.counts.ranNow, r.counts.resumed], [set.truth.size - 1, 1]);
  for (const p of r.problems)
    assert.ok(
      second.stderr.includes(`problem: ${p.file}:${p.line}`),
      `${p.file}:${p.line} in ${second.stderr}`,
    );
  await checkReport('pope', set, out, r);
  const human = await doclens(base.filter((a) => a !== '--json'));
  assert.equal(human.code, 0, human.stderr);
  assert.match(
    human.stdout,
    /POPE: 4 item\(s\) scored \(0 run now, 4 resumed\), 2 problem\(s\)\n {2}Accuracy: [\d.]+%/,
  );
});

test('eval refuses an output folder that holds another benchmark run, and a folder without the benchmark', async () => {
  const set = await makeSampleSet('gqa', join(dir, 'sets', 'gqa-2'));
  const out = join(dir, 'out', 'pope');
  if (!existsSync(join(out, 'eval-run.json'))) {
    const pope = await makeSampleSet('pope', join(dir, 'sets', 'pope-2'));
    const r = await doclens([
      'eval',
      'pope',
      pope.dir,
      '--model',
      tiny,
      '--out',
      out,
      '--limit',
      '1',
      '--max-tokens',
      '2',
    ]);
    assert.equal(r.code, 0, r.stderr);
  }
  const mixed = await doclens(['eval', 'gqa', set.dir, '--model', tiny, '--out', out]);
  assert.equal(mixed.code, 1);
  assert.match(mixed.stderr, /holds a pope run of .*choose another --out/);

  const empty = await doclens(['eval', 'chartqa', set.dir, '--model', tiny, '--out', join(dir, 'out', 'x')]);
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /holds no ChartQA test_human\.json/);

  const usage = await doclens(['eval', 'imagenet', set.dir]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /eval needs a benchmark: pope, vqa/);
});

test("the model card's figure from the manifest's `published` stands beside the run's own", async () => {
  const set = await makeSampleSet('docvqa', join(dir, 'sets', 'docvqa-pub'));
  const extra = join(dir, 'published-manifest.json');
  const source = 'a test card';
  await writeFile(
    extra,
    JSON.stringify({
      version: 1,
      models: [
        {
          id: 'tiny-qwen2-vl-tiny',
          name: 'Tiny Qwen2-VL (test model)',
          family: 'qwen2-vl',
          repo: 'doclens-test/tiny',
          revision: null,
          license: 'apache-2.0',
          published: { docvqa: { metric: 'anls', value: 12.5, split: 'DocVQA val', source } },
          coordinates: { format: 'qwen2-vl', space: 'norm1000' },
          chatTemplate: null,
          recommendedDtype: { cuda: 'fp32', dml: 'fp32', cpu: 'fp32' },
          dtypes: {
            fp32: {
              bytes: null,
              files: {
                vision_encoder: 'onnx/vision_encoder.onnx',
                embed_tokens: 'onnx/embed_tokens.onnx',
                decoder_model_merged: 'onnx/decoder_model_merged.onnx',
              },
            },
          },
          verified: [],
          unverified: [],
          testOnly: true,
        },
      ],
    }),
  );
  const { predictor } = countingPredictor();
  const r = await runEval({
    kind: 'docvqa',
    dir: set.dir,
    outDir: join(dir, 'out', 'docvqa-pub'),
    predictor,
    settings: DEFAULT_SETTINGS,
    manifestExtras: [extra],
  });
  const anlsFig = r.headline.find((f) => f.key === 'anls')!;
  assert.deepEqual(r.published, {
    metric: 'anls',
    value: 12.5,
    split: 'DocVQA val',
    source,
    ours: anlsFig.value * 100,
  });
  const html = await readFile(r.outputs.html!, 'utf8');
  assert.ok(html.includes('<td class="num">12.5</td>') && html.includes(source));
  // Without the entry there is nothing to compare with, rather than a made-up figure.
  const bare = await runEval({
    kind: 'docvqa',
    dir: set.dir,
    outDir: join(dir, 'out', 'docvqa-pub'),
    predictor,
    settings: DEFAULT_SETTINGS,
  });
  assert.equal(bare.published, null);
});
