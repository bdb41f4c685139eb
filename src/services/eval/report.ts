// The report of an eval run in three forms: JSON (everything, for scripts), Markdown (for an issue or a PR) and one
// self-contained HTML page (inline CSS, an inline SVG bar chart per category, no external assets).
import type { Settings } from '../../shared/domain.js';
import type { EvalKind, ItemProblem } from './datasets.js';
import type { CategoryRow, Column, Figure, Unit } from './score.js';

export const BENCHMARK_TITLES: Record<EvalKind, string> = {
  pope: 'POPE',
  vqa: 'VQAv2',
  textvqa: 'TextVQA',
  docvqa: 'DocVQA / InfographicVQA',
  chartqa: 'ChartQA',
  gqa: 'GQA',
  mme: 'MME',
  mmbench: 'MMBench (circular)',
  seed: 'SEED-Bench',
  refcoco: 'RefCOCO / + / g',
};

export interface ModelInfo {
  id: string;
  dir: string;
  family: string;
  /** dtype of each graph loaded, e.g. { vision_encoder: 'q4', … }; `dtype` is their one value or "mixed". */
  dtypes: Record<string, string>;
  dtype: string;
  provider: string;
}

/** A figure from the model's card (models/manifest.json `published`). */
export interface Published {
  metric: string;
  value: number;
  split: string;
  source: string;
}

export interface EvalReport {
  benchmark: EvalKind;
  title: string;
  dir: string;
  files: string[];
  createdAt: string;
  doclensVersion: string;
  model: ModelInfo;
  settings: Pick<Settings, 'provider' | 'threads' | 'imageTokenBudget' | 'renderDpi'>;
  counts: {
    /** Items read from the benchmark files. */
    items: number;
    /** Items this run covers (--limit). */
    selected: number;
    /** Items with a prediction, scored. */
    scored: number;
    /** Predictions made by this run / read back from an earlier one. */
    ranNow: number;
    resumed: number;
    problems: number;
  };
  headline: Figure[];
  main: string;
  columns: Column[];
  categories: CategoryRow[];
  published: (Published & { ours: number | null }) | null;
  meanItemMs: number | null;
  problems: ItemProblem[];
  items: { id: string; category: string; score: number }[];
}

export function formatValue(v: number, unit: Unit): string {
  if (unit === 'fraction') return `${(v * 100).toFixed(2)}%`;
  if (unit === 'points') return v.toFixed(2);
  return String(Math.round(v));
}

/** The headline value on the scale model cards print it (accuracies in %, MME in points). */
export function cardScale(f: Figure): number {
  return f.unit === 'fraction' ? f.value * 100 : f.value;
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
const escapeMd = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function reportMarkdown(r: EvalReport): string {
  const out: string[] = [
    `# ${r.title} — ${r.model.id}`,
    '',
    `DocLens ${r.doclensVersion}, ${r.createdAt}. Model \`${r.model.id}\` (${r.model.family}, ${r.model.dtype}) on ${r.model.provider}; image-token budget ${r.settings.imageTokenBudget}, render ${r.settings.renderDpi} dpi.`,
    '',
    `Benchmark folder \`${r.dir}\` (${r.files.map((f) => `\`${f}\``).join(', ')}): ${r.counts.items} items read, ${r.counts.selected} in this run, ${r.counts.scored} scored (${r.counts.ranNow} run now, ${r.counts.resumed} resumed), ${r.counts.problems} problem(s).`,
    '',
    '| Metric | Value |',
    '|---|---|',
    ...r.headline.map((f) => `| ${f.label} | ${formatValue(f.value, f.unit)} |`),
  ];
  if (r.published)
    out.push(
      '',
      `Published (${escapeMd(r.published.split)}, ${escapeMd(r.published.source)}): ${r.published.metric} ${r.published.value}; this run: ${r.published.ours === null ? 'n/a' : r.published.ours.toFixed(2)}.`,
    );
  out.push(
    '',
    '## Per category',
    '',
    `| Category | n | ${r.columns.map((c) => c.label).join(' | ')} |`,
    `|---|---:|${r.columns.map(() => '---:').join('|')}|`,
    ...r.categories.map(
      (c) =>
        `| ${escapeMd(c.name)} | ${c.n} | ${r.columns.map((col) => formatValue(c.values[col.key] ?? 0, col.unit)).join(' | ')} |`,
    ),
  );
  if (r.problems.length) {
    out.push(
      '',
      `## Problems (${r.problems.length})`,
      '',
      '| Item | File | Line | Problem |',
      '|---|---|---:|---|',
    );
    for (const p of r.problems)
      out.push(
        `| ${escapeMd(p.id ?? '')} | ${escapeMd(p.file)} | ${p.line ?? ''} | ${escapeMd(p.message)} |`,
      );
  }
  return `${out.join('\n')}\n`;
}

/** The column a chart draws: the main figure where categories carry it, else the first column. */
function chartColumn(r: EvalReport): Column | null {
  return r.columns.find((c) => c.key === r.main) ?? r.columns.find((c) => c.unit !== 'count') ?? null;
}

function barChart(r: EvalReport): string {
  const col = chartColumn(r);
  if (!col || r.categories.length === 0) return '';
  const values = r.categories.map((c) => c.values[col.key] ?? 0);
  const max = col.unit === 'fraction' ? 1 : Math.max(col.key === 'score' ? 200 : 0, ...values, 1e-9);
  const rowH = 22;
  const labelW = 200;
  const barW = 420;
  const height = r.categories.length * rowH + 10;
  const bars = r.categories
    .map((c, i) => {
      const v = values[i] ?? 0;
      const w = Math.max(0, Math.min(1, v / max)) * barW;
      const y = 5 + i * rowH;
      return `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${escapeHtml(c.name)}</text><rect x="${labelW}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 6}" rx="2"/><text x="${(labelW + w + 6).toFixed(1)}" y="${y + 14}">${formatValue(v, col.unit)}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(col.label)} per category" width="${labelW + barW + 90}" height="${height}" class="chart">${bars}</svg>`;
}

const CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:980px;padding:0 1rem;color:#1d2330;background:#fff}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.1rem;margin-top:2rem}.meta{color:#5a6272}
table{border-collapse:collapse;margin:.6rem 0}th,td{border:1px solid #d6dae2;padding:.3rem .6rem;text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}th{background:#f2f4f8}
.headline{display:flex;gap:1rem;flex-wrap:wrap}.fig{border:1px solid #d6dae2;border-radius:6px;padding:.6rem 1rem;min-width:8rem}
.fig b{display:block;font-size:1.4rem}.chart text{font-size:12px;fill:#1d2330}.chart rect{fill:#3b6fd8}
@media (prefers-color-scheme:dark){body{background:#15181e;color:#e3e6ec}th{background:#22262e}th,td,.fig{border-color:#394050}.chart text{fill:#e3e6ec}.meta{color:#9aa3b2}}`;

export function reportHtml(r: EvalReport): string {
  const e = escapeHtml;
  const cats = r.categories
    .map(
      (c) =>
        `<tr><td>${e(c.name)}</td><td class="num">${c.n}</td>${r.columns.map((col) => `<td class="num">${formatValue(c.values[col.key] ?? 0, col.unit)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  const problems = r.problems.length
    ? `<h2>Problems (${r.problems.length})</h2><table><tr><th>Item</th><th>File</th><th class="num">Line</th><th>Problem</th></tr>${r.problems
        .map(
          (p) =>
            `<tr><td>${e(p.id ?? '')}</td><td>${e(p.file)}</td><td class="num">${p.line ?? ''}</td><td>${e(p.message)}</td></tr>`,
        )
        .join('\n')}</table>`
    : '';
  const published = r.published
    ? `<h2>Published figure</h2><table><tr><th>Metric</th><th>Split</th><th class="num">Model card</th><th class="num">This run</th><th>Source</th></tr><tr><td>${e(r.published.metric)}</td><td>${e(r.published.split)}</td><td class="num">${r.published.value}</td><td class="num">${r.published.ours === null ? 'n/a' : r.published.ours.toFixed(2)}</td><td>${e(r.published.source)}</td></tr></table>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(r.title)} — ${e(r.model.id)}</title><style>${CSS}</style></head>
<body>
<h1>${e(r.title)} — ${e(r.model.id)}</h1>
<p class="meta">DocLens ${e(r.doclensVersion)} · ${e(r.createdAt)} · ${e(r.model.family)} ${e(r.model.dtype)} on ${e(r.model.provider)} · image-token budget ${r.settings.imageTokenBudget} · ${r.counts.scored} of ${r.counts.items} items scored (${r.counts.ranNow} run now, ${r.counts.resumed} resumed) · ${r.counts.problems} problem(s)</p>
<div class="headline">${r.headline.map((f) => `<div class="fig">${e(f.label)}<b>${formatValue(f.value, f.unit)}</b></div>`).join('')}</div>
${published}
<h2>Per category</h2>
${chartColumn(r) && r.categories.length ? `<p class="meta">${e(chartColumn(r)!.label)} per category</p>` : ''}
${barChart(r)}
<table><tr><th>Category</th><th class="num">n</th>${r.columns.map((c) => `<th class="num">${e(c.label)}</th>`).join('')}</tr>
${cats}</table>
${problems}
<p class="meta">Benchmark folder ${e(r.dir)}: ${r.files.map(e).join(', ')}</p>
</body></html>
`;
}
