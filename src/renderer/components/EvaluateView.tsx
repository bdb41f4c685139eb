// The Evaluate view in the Models panel (issue 14): run a public benchmark folder — or the generated sample set —
// through `doclens eval`'s runner with a progress bar and ETA, then show its report: the headline figures, the
// model card's published figure beside this run's, a bar chart and a table per category, and the broken entries.
import { useEffect, useState } from 'react';
import type { EvalKindName, EvalReportView } from '../../shared/evaluate.js';
import { startEval, stopEval, useEvaluate } from '../stores/evaluate.js';
import { useModels } from '../stores/models.js';
import { loadAppInfo, useAppInfo } from '../stores/settings.js';
import { formatDuration } from './BatchSection.js';
import '../evaluate.css';

/** Each benchmark and the files its folder holds (the formats `doclens eval` reads). */
const BENCHMARKS: Array<{ kind: EvalKindName; label: string; files: string }> = [
  { kind: 'pope', label: 'POPE', files: 'coco_pope_{random,popular,adversarial}.json + images' },
  { kind: 'vqa', label: 'VQAv2', files: 'questions + annotations JSON, or a JSONL with answers' },
  { kind: 'textvqa', label: 'TextVQA', files: 'TextVQA_0.5.1_val.json + images' },
  { kind: 'docvqa', label: 'DocVQA / InfographicVQA', files: 'val_v1.0.json + documents' },
  { kind: 'chartqa', label: 'ChartQA', files: 'test_human.json, test_augmented.json, png/' },
  { kind: 'gqa', label: 'GQA', files: 'testdev_balanced_questions.json, images/' },
  { kind: 'mme', label: 'MME', files: 'MME.tsv (VLMEvalKit) or the task folders' },
  { kind: 'mmbench', label: 'MMBench (circular)', files: 'a VLMEvalKit MMBench TSV' },
  { kind: 'seed', label: 'SEED-Bench', files: 'a VLMEvalKit SEED-Bench TSV' },
  { kind: 'refcoco', label: 'RefCOCO / + / g', files: 'a JSONL of {id, image, expression, bbox}' },
];

type Unit = EvalReportView['columns'][number]['unit'];

export function formatFigure(v: number, unit: Unit): string {
  if (unit === 'fraction') return `${(v * 100).toFixed(2)}%`;
  if (unit === 'points') return v.toFixed(2);
  return String(Math.round(v));
}

export function EvaluateView() {
  const info = useAppInfo((s) => s.info);
  const installed = useModels((s) => s.installed);
  const { running, progress, report, error, stopped, stopAsked, dir: runDir, outDir } = useEvaluate();
  const [kind, setKind] = useState<EvalKindName>('pope');
  const [dir, setDir] = useState('');
  const [limit, setLimit] = useState('');
  const vlms = installed.filter((m) => m.family === 'qwen2-vl' || m.family === 'qwen2.5-vl');
  const [modelId, setModelId] = useState('');
  useEffect(() => {
    void loadAppInfo();
  }, []);
  const pathsAllowed = info?.pathsAllowed ?? true;
  const limitN = /^\d+$/.test(limit.trim()) ? Number(limit.trim()) : undefined;
  // "abc" or "0" used to run every item without a word: a limit that is not a whole number ≥ 1 stops the run.
  const badLimit = limit.trim() !== '' && !(limitN !== undefined && limitN >= 1);
  const canRun = !running && vlms.length > 0 && !badLimit;
  const run = (folder: string | undefined) =>
    void startEval({
      kind,
      ...(folder ? { dir: folder } : {}),
      ...(modelId ? { modelId } : {}),
      ...(limitN ? { limit: limitN } : {}),
    });
  const chosen = BENCHMARKS.find((b) => b.kind === kind);

  return (
    <section className="mp-section ev" aria-label="Evaluate">
      <h3>Evaluate</h3>
      <p className="muted small">
        How good the installed model is on this machine, on a public benchmark you downloaded (scored as the
        benchmark's own code scores it), or on a small generated sample set for a first try.
      </p>
      {vlms.length === 0 && (
        <p className="note small" data-testid="evaluate-no-model">
          Install a vision-language model above to evaluate it.
        </p>
      )}
      <form
        className="ev-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (canRun && dir.trim()) run(dir.trim());
        }}
      >
        <div className="ev-row">
          <label className="field">
            <span>Benchmark</span>
            <select
              className="select"
              value={kind}
              onChange={(e) => setKind(e.currentTarget.value as EvalKindName)}
              aria-label="Benchmark"
              data-testid="evaluate-kind"
            >
              {BENCHMARKS.map((b) => (
                <option key={b.kind} value={b.kind}>
                  {b.label}
                </option>
              ))}
            </select>
          </label>
          {vlms.length > 1 && (
            <label className="field">
              <span>Model</span>
              <select
                className="select"
                value={modelId}
                onChange={(e) => setModelId(e.currentTarget.value)}
                aria-label="Model"
              >
                <option value="">{vlms[0]?.id}</option>
                {vlms.slice(1).map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.id}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label className="field ev-limit">
            <span>Items</span>
            <input
              type="text"
              inputMode="numeric"
              value={limit}
              onChange={(e) => setLimit(e.currentTarget.value)}
              placeholder="all"
              aria-label="Items to run (empty: all)"
              aria-invalid={badLimit}
              aria-describedby={badLimit ? 'ev-limit-error' : undefined}
              data-testid="evaluate-limit"
            />
          </label>
        </div>
        {badLimit && (
          <p className="note error small" id="ev-limit-error" data-testid="evaluate-limit-error">
            Items: a whole number of items to run (1 or more), or empty to run them all.
          </p>
        )}
        <label className="field">
          <span>Benchmark folder{chosen ? ` — ${chosen.files}` : ''}</span>
          <input
            type="text"
            value={dir}
            onChange={(e) => setDir(e.currentTarget.value)}
            placeholder="/path/to/benchmark"
            aria-label="Benchmark folder"
            data-testid="evaluate-dir"
            disabled={!pathsAllowed}
            spellCheck={false}
          />
        </label>
        {!pathsAllowed && (
          <p className="note small">
            This server does not take file-system paths; start it with{' '}
            <code>doclens serve --allow-paths</code> to run a folder on that machine, or run the sample set.
          </p>
        )}
        <div className="row end ev-buttons">
          <button
            type="button"
            className="btn small"
            disabled={!canRun}
            onClick={() => run(undefined)}
            data-testid="evaluate-sample"
          >
            Run the sample set
          </button>
          <button
            type="submit"
            className="btn small primary"
            disabled={!canRun || !pathsAllowed || !dir.trim()}
            data-testid="evaluate-run"
          >
            Run folder
          </button>
        </div>
      </form>
      {running && <RunProgress progress={progress} stopping={stopAsked} onStop={() => void stopEval()} />}
      {stopped && (
        <p className="note small" role="status" data-testid="evaluate-stopped">
          Stopped after {stopped.done} of {stopped.total} items. Run it again to go on from there: the answers
          recorded so far are kept.
        </p>
      )}
      {error && (
        <p className="note error small" role="alert" data-testid="evaluate-error">
          {error}
        </p>
      )}
      {report && <Report report={report} />}
      {!running && (runDir || outDir) && report && (
        <p className="muted small ev-paths">
          Read from <span className="path">{runDir}</span>; report in <span className="path">{outDir}</span>
        </p>
      )}
    </section>
  );
}

function RunProgress({
  progress,
  stopping,
  onStop,
}: {
  progress: ReturnType<typeof useEvaluate.getState>['progress'];
  stopping: boolean;
  onStop: () => void;
}) {
  const done = progress?.done ?? 0;
  const total = progress?.total ?? 0;
  return (
    <div
      className="progress-line"
      role="status"
      data-testid="evaluate-progress"
      data-done={done}
      data-total={total}
    >
      <div className="progress-text">
        <span>
          {progress ? `Evaluating: ${done} of ${total} items` : 'Loading the model and the benchmark…'}
        </span>
        {progress && (
          <span className="muted small" data-testid="evaluate-eta">
            {progress.rate > 0 ? `${progress.rate.toFixed(2)} items/s` : ''}
            {progress.etaSeconds !== null ? ` · about ${formatDuration(progress.etaSeconds)} left` : ''}
          </span>
        )}
      </div>
      <div className="row">
        <progress
          max={Math.max(1, total)}
          value={progress ? done : undefined}
          aria-label="Evaluation progress"
        />
        <button type="button" className="btn small danger" onClick={onStop} disabled={stopping}>
          {stopping ? 'Stopping…' : 'Stop'}
        </button>
      </div>
      {progress?.current && <span className="muted small ellipsis">{progress.current}</span>}
    </div>
  );
}

/** The column the chart draws: the main figure where categories carry it, else the first non-count one. */
function chartColumn(r: EvalReportView) {
  return r.columns.find((c) => c.key === r.main) ?? r.columns.find((c) => c.unit !== 'count') ?? null;
}

function Report({ report: r }: { report: EvalReportView }) {
  const col = chartColumn(r);
  return (
    <div className="ev-report" data-testid="evaluate-report" aria-label={`${r.title} report`}>
      <h4>
        {r.title} — {r.model.id}
      </h4>
      <p className="muted small">
        {r.model.family} {r.model.dtype} on {r.model.provider.toUpperCase()} · {r.counts.scored} of{' '}
        {r.counts.items} items scored ({r.counts.ranNow} run now, {r.counts.resumed} resumed) ·{' '}
        {r.counts.problems} problem
        {r.counts.problems === 1 ? '' : 's'}
        {r.meanItemMs !== null ? ` · ${Math.round(r.meanItemMs)} ms per item` : ''}
      </p>
      {r.counts.scored === 0 && (
        <p className="note error small" role="alert" data-testid="evaluate-nothing-scored">
          No item could be scored, so there are no figures: every entry{' '}
          {r.counts.problems > 0 ? 'below was broken or failed' : 'was skipped'}. Check that the folder holds{' '}
          {r.title}&apos;s files in the format named above.
        </p>
      )}
      {r.counts.scored > 0 && (
        <div className="ev-figures">
          {r.headline.map((f) => (
            <div
              className="ev-figure"
              key={f.key}
              data-testid={`evaluate-figure-${f.key}`}
              data-value={f.value}
            >
              <span className="muted small">{f.label}</span>
              <b>{formatFigure(f.value, f.unit)}</b>
            </div>
          ))}
        </div>
      )}
      {r.published && r.counts.scored > 0 && (
        <table className="ev-table" data-testid="evaluate-published">
          <caption className="small">Beside the model card</caption>
          <thead>
            <tr>
              <th>{r.headline.find((f) => f.key === r.published?.metric)?.label ?? r.published.metric}</th>
              <th className="num">Model card</th>
              <th className="num">This run</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td className="small">{r.published.split}</td>
              <td className="num">{r.published.value.toFixed(2)}</td>
              <td className="num" data-testid="evaluate-published-ours">
                {r.published.ours === null ? 'n/a' : r.published.ours.toFixed(2)}
              </td>
            </tr>
            <tr>
              <td colSpan={3} className="muted small">
                Source: {r.published.source}
              </td>
            </tr>
          </tbody>
        </table>
      )}
      {col && r.categories.length > 0 && <BarChart report={r} column={col} />}
      {r.categories.length > 0 && (
        <div className="ev-scroll">
          <table className="ev-table" data-testid="evaluate-categories">
            <thead>
              <tr>
                <th>Category</th>
                <th className="num">n</th>
                {r.columns.map((c) => (
                  <th key={c.key} className="num">
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {r.categories.map((c) => (
                <tr key={c.name} data-testid="evaluate-category">
                  <td>{c.name}</td>
                  <td className="num">{c.n}</td>
                  {r.columns.map((col) => (
                    <td key={col.key} className="num">
                      {formatFigure(c.values[col.key] ?? 0, col.unit)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {r.problems.length > 0 && (
        <details className="ev-problems" data-testid="evaluate-problems" open={r.counts.scored === 0}>
          <summary className="small">
            {r.counts.problems} broken or failed entr{r.counts.problems === 1 ? 'y' : 'ies'} (skipped)
          </summary>
          <ul className="small">
            {r.problems.map((p, i) => (
              <li key={i}>
                <span className="path">
                  {p.file}
                  {p.line !== null ? `:${p.line}` : ''}
                </span>
                {p.id ? ` [${p.id}]` : ''}: {p.message}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

function BarChart({
  report: r,
  column: col,
}: {
  report: EvalReportView;
  column: EvalReportView['columns'][number];
}) {
  const values = r.categories.map((c) => c.values[col.key] ?? 0);
  // Fractions on 0–100 %; MME's points on at least its 200-point scale per sub-task.
  const max = col.unit === 'fraction' ? 1 : Math.max(col.key === 'score' ? 200 : 0, ...values, 1e-9);
  const rowH = 22;
  const labelW = 100;
  const barW = 220;
  const width = labelW + barW + 64;
  const height = r.categories.length * rowH + 6;
  return (
    <figure className="ev-chart">
      <figcaption className="muted small">{col.label} per category</figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="img"
        aria-label={`${col.label} per category`}
        data-testid="evaluate-chart"
      >
        {r.categories.map((c, i) => {
          const v = values[i] ?? 0;
          const w = Math.max(0, Math.min(1, v / max)) * barW;
          const y = 3 + i * rowH;
          return (
            <g key={c.name}>
              <text x={labelW - 6} y={y + 14} textAnchor="end" className="ev-label">
                {c.name.length > 16 ? `${c.name.slice(0, 15)}…` : c.name}
              </text>
              <rect
                x={labelW}
                y={y + 3}
                width={w}
                height={rowH - 8}
                rx={2}
                className="ev-bar"
                data-value={v}
              />
              <text x={labelW + w + 5} y={y + 14} className="ev-label">
                {formatFigure(v, col.unit)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
