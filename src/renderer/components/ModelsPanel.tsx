// Models: the provider in use and why, installed models (verify, remove), known models to pull (progress, pause,
// resume = pull again, cancel) and importing a model folder. Everything comes from the backend's model store.
import { useEffect, useState } from 'react';
import type { InstalledModel, KnownModel, ProviderStatus, PullProgress } from '../../shared/domain.js';
import { licenseInfo } from '../../shared/families.js';
import type { ModelSizes } from '../../shared/model-sizes.js';
import {
  cancelPull,
  importModel,
  loadModelNow,
  loadModels,
  loadSizes,
  pausePull,
  pullActive,
  pullModel,
  removeModel,
  useModels,
  verifyModel,
} from '../stores/models.js';
import { loadAppInfo, useAppInfo } from '../stores/settings.js';
import { setPanel, toast } from '../stores/ui.js';
import { errorMessage, hubError } from './messages.js';
import { EvaluateView } from './EvaluateView.js';
import '../panels.css';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u] ?? 'TB'}`;
}

/** "about 40 s" / "about 12 min" / "about 2 h 5 min": a download's time left, as precise as it is worth. */
export function formatEta(seconds: number): string {
  // No-break spaces: "4 s" must not wrap between the number and its unit.
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))}\u00a0s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes}\u00a0min`;
  return `about ${Math.floor(minutes / 60)}\u00a0h ${minutes % 60}\u00a0min`;
}

/**
 * What a known model's download weighs, per dtype when it has several: "1.6 GB to download", or
 * "q4: 1.4 GB · q4f16: 1.6 GB to download"; a size the manifest does not pin comes from models.sizes, and one that
 * is unknown says why ("no connection to the model hub"), never with the raw error (that is in the tooltip).
 */
export function downloadSizeText(
  model: KnownModel,
  sizes: ModelSizes | undefined,
  loading: boolean,
): { text: string; title?: string } {
  const bytes: Record<string, number> = { ...model.bytesByDtype, ...sizes?.bytesByDtype };
  const unknown = model.dtypes.filter((d) => bytes[d] === undefined);
  const known = model.dtypes
    .filter((d) => bytes[d] !== undefined)
    .map((d) =>
      model.dtypes.length === 1 ? formatBytes(bytes[d] ?? 0) : `${d}: ${formatBytes(bytes[d] ?? 0)}`,
    );
  const head = known.length ? `${known.join(' · ')} to download` : '';
  if (unknown.length === 0) return { text: head };
  const title = sizes?.message ?? undefined;
  let why: string;
  if (!sizes) why = loading ? 'checking with the model hub…' : 'size unknown';
  else if (sizes.state === 'offline') why = 'size unknown — no connection to the model hub';
  else if (sizes.state === 'error') why = 'size unknown — the model hub did not list the files';
  else why = 'not published on the hub';
  if (!known.length) return { text: `${why.charAt(0).toUpperCase()}${why.slice(1)}`, title };
  return { text: `${head} · ${unknown.join(', ')}: ${why}`, title };
}

const PROVIDER_NAMES: Record<string, string> = {
  cuda: 'CUDA',
  dml: 'DirectML',
  cpu: 'CPU',
  auto: 'Automatic',
};

export function ModelsPanel() {
  const { known, installed, listError, status, statusError, loaded } = useModels();
  useEffect(() => {
    void loadModels();
    void loadAppInfo();
    void loadSizes();
  }, []);
  return (
    <section className="panel mp" aria-label="Models">
      <h2>Models</h2>
      <ProviderCard status={status} error={statusError} />
      {listError && (
        <p className="note error" role="status" data-testid="models-error">
          {listError}
        </p>
      )}
      {loaded && !listError && installed.length === 0 && (
        <div className="note" data-testid="models-empty">
          <strong>No vision-language model yet.</strong> Until one is installed, the reader engine — the text
          layer, OCR and layout rules — answers questions and extracts dates and tables. Pull a model below or
          import a folder to add open questions, charts and finding objects in images.
        </div>
      )}
      {installed.length > 0 && (
        <section className="mp-section" aria-label="Installed models">
          <h3>Installed</h3>
          <ul className="cards">
            {installed.map((m) => (
              <InstalledCard key={`${m.id}:${m.dtype}`} model={m} />
            ))}
          </ul>
        </section>
      )}
      {known.length > 0 && (
        <section className="mp-section" aria-label="Available models">
          <h3>Available to download</h3>
          <ul className="cards">
            {known.map((m) => (
              <KnownCard key={m.id} model={m} />
            ))}
          </ul>
        </section>
      )}
      <ImportForm />
      <EvaluateView />
    </section>
  );
}

function ProviderCard({ status, error }: { status: ProviderStatus | null; error: string | null }) {
  const [loading, setLoading] = useState(false);
  const loadNow = async () => {
    setLoading(true);
    try {
      const s = await loadModelNow();
      toast(
        s.loadedModel ? 'info' : 'error',
        s.loadedModel ? `Loaded ${s.loadedModel}` : 'Not loaded',
        s.summary,
      );
    } catch (e) {
      toast('error', 'Could not load the model', errorMessage(e));
    } finally {
      setLoading(false);
    }
  };
  return (
    <section className="provider" aria-label="Provider in use">
      <div className="provider-head">
        <span className="muted small">Runs on</span>
        <span className="badge" data-testid="provider-active">
          {status ? (status.active ? PROVIDER_NAMES[status.active] : 'No model loaded') : '…'}
        </span>
        {status && (
          <button className="linkish small" onClick={() => setPanel('settings')}>
            Preference: {PROVIDER_NAMES[status.preference]}
          </button>
        )}
      </div>
      {/* With no model installed the panel's own note says so; the same sentence twice read as two problems. */}
      {status?.installedModel && (
        <p className="provider-summary" data-testid="provider-summary" title={status.summary}>
          {status.summary}
        </p>
      )}
      {status?.loadedModel && <p className="muted small">Loaded: {status.loadedModel}</p>}
      {status?.installedModel && !status.loadedModel && (
        <div className="row">
          <button
            className="btn small"
            onClick={() => void loadNow()}
            disabled={loading}
            title="Load the model now, so the first question does not wait for it, and see which provider it gets"
          >
            {loading ? 'Loading…' : 'Load now'}
          </button>
        </div>
      )}
      {status && status.attempts.length > 0 && (
        <details className="attempts-box">
          <summary className="small">Why: providers tried ({status.attempts.length})</summary>
          <ul className="attempts" aria-label="Providers tried">
            {status.attempts.map((a, i) => (
              <li key={i} className={a.ok ? 'ok' : 'no'}>
                <span aria-hidden="true">{a.ok ? '✓' : '✕'}</span>{' '}
                <strong>{PROVIDER_NAMES[a.provider]}</strong>
                {a.ok ? ' — in use' : ''}
                {a.reason && <span className="muted"> — {a.reason}</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
      {error && <p className="note error">{error}</p>}
    </section>
  );
}

function InstalledCard({ model }: { model: InstalledModel }) {
  const verified = useModels((s) => s.verified[model.id]);
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState<'verify' | 'remove' | null>(null);
  const verify = async () => {
    setBusy('verify');
    try {
      await verifyModel(model.id);
    } catch (e) {
      toast('error', `Could not verify ${model.id}`, errorMessage(e));
    } finally {
      setBusy(null);
    }
  };
  const remove = async () => {
    setBusy('remove');
    try {
      await removeModel(model.id);
      toast('info', 'Model removed', model.id);
    } catch (e) {
      toast('error', `Could not remove ${model.id}`, errorMessage(e));
    } finally {
      setBusy(null);
      setConfirm(false);
    }
  };
  return (
    <li className="card" data-testid="installed-model" data-model={model.id}>
      <div className="card-head">
        <strong>{model.id}</strong>
        <span className="badge ok">Installed</span>
      </div>
      <p className="muted small">
        {model.family} · {model.dtype} · {formatBytes(model.bytes)} · {model.source}
      </p>
      <p className="path mono small" title={model.path}>
        {model.path}
      </p>
      {verified && (
        <p className={`note ${verified.ok ? 'ok' : 'error'}`} role="status" data-testid="verify-result">
          {verified.ok ? 'All files present, sizes and hashes match.' : verified.problems.join(' ')}
        </p>
      )}
      {confirm ? (
        <div className="confirm" role="alertdialog" aria-label={`Remove ${model.id}?`}>
          <span>
            Remove {model.id}? This deletes {formatBytes(model.bytes)} from disk.
          </span>
          <div className="row end">
            <button className="btn small" onClick={() => setConfirm(false)} disabled={busy !== null}>
              Keep
            </button>
            <button className="btn small danger" onClick={() => void remove()} disabled={busy !== null}>
              {busy === 'remove' ? 'Removing…' : 'Remove'}
            </button>
          </div>
        </div>
      ) : (
        <div className="row">
          <button className="btn small" onClick={() => void verify()} disabled={busy !== null}>
            {busy === 'verify' ? 'Verifying…' : 'Verify'}
          </button>
          <button className="btn small" onClick={() => setConfirm(true)} disabled={busy !== null}>
            Remove…
          </button>
        </div>
      )}
    </li>
  );
}

/** The licence's name; a non-commercial one is flagged, with what it allows on hover (src/shared/families.ts). */
function LicenseTag({ id }: { id: string }) {
  const l = licenseInfo(id);
  return (
    <span data-testid="model-license" title={l.note}>
      {l.name}
      {!l.commercial && <span className="badge warn"> Non-commercial</span>}
    </span>
  );
}

function KnownCard({ model }: { model: KnownModel }) {
  const pull = useModels((s) => s.pulls[model.id]);
  const [dtype, setDtype] = useState<string>('');
  const [busy, setBusy] = useState(false);
  const active = pullActive(pull);
  const act = async (f: () => Promise<void>, what: string) => {
    setBusy(true);
    try {
      await f();
    } catch (e) {
      toast('error', `Could not ${what} ${model.name}`, hubError(errorMessage(e)).summary);
    } finally {
      setBusy(false);
    }
  };
  const start = (d: string | undefined) => act(() => pullModel(model.id, d || undefined), 'download');
  const sizes = useModels((s) => s.sizes[model.id]);
  const sizesLoading = useModels((s) => s.sizesLoading);
  const sized = model.dtypes.map((d) => ({ d, bytes: sizes?.bytesByDtype[d] ?? model.bytesByDtype[d] }));
  const sizeText = downloadSizeText(model, sizes, sizesLoading);
  return (
    <li className="card" data-testid="known-model" data-model={model.id}>
      <div className="card-head">
        <strong>{model.name}</strong>
        {model.recommended && <span className="badge ok">Recommended</span>}
        {model.quality && <span className="badge warn">{model.quality}</span>}
        {model.installed && <span className="badge ok">Installed</span>}
      </div>
      <p className="muted small">
        {model.family} · <LicenseTag id={model.license} /> ·{' '}
        <span className="mono" title={`${model.repo}@${model.revision}`}>
          {model.repo}
        </span>
      </p>
      <p className="muted small model-sizes" data-testid="model-sizes" title={sizeText.title}>
        {sizeText.text}
      </p>
      {pull && pull.state !== 'done' && pull.state !== 'cancelled' ? (
        <PullBar pull={pull} />
      ) : (
        pull?.state === 'done' && (
          <p className="muted small" role="status">
            Downloaded and verified.
          </p>
        )
      )}
      <div className="row">
        {!active && pull?.state !== 'paused' && (
          <>
            <select
              value={dtype}
              onChange={(e) => setDtype(e.currentTarget.value)}
              aria-label={`Precision of ${model.name}`}
              className="select small"
            >
              <option value="">Recommended for this machine</option>
              {sized.map(({ d, bytes }) => (
                <option key={d} value={d}>
                  {d} — {bytes !== undefined ? formatBytes(bytes) : 'size unknown'}
                </option>
              ))}
            </select>
            <button className="btn small primary" disabled={busy} onClick={() => void start(dtype)}>
              {pull?.state === 'failed' ? 'Retry' : model.installed ? 'Pull again' : 'Pull'}
            </button>
          </>
        )}
        {active && pull && (
          <>
            <button
              className="btn small"
              disabled={busy}
              onClick={() => void act(() => pausePull(pull.pullId), 'pause')}
            >
              Pause
            </button>
            <button
              className="btn small"
              disabled={busy}
              onClick={() => void act(() => cancelPull(pull.pullId), 'cancel')}
            >
              Cancel
            </button>
          </>
        )}
        {pull?.state === 'paused' && (
          <>
            <button className="btn small primary" disabled={busy} onClick={() => void start(pull.dtype)}>
              Resume
            </button>
            <button
              className="btn small"
              disabled={busy}
              onClick={() => void act(() => cancelPull(pull.pullId), 'cancel')}
            >
              Cancel
            </button>
          </>
        )}
      </div>
    </li>
  );
}

const PULL_TEXT: Record<PullProgress['state'], string> = {
  queued: 'Waiting to start',
  downloading: 'Downloading',
  verifying: 'Checking hashes',
  installing: 'Installing',
  done: 'Installed',
  paused: 'Paused',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

function PullBar({ pull }: { pull: PullProgress }) {
  const pct = pull.bytesTotal > 0 ? Math.min(100, Math.floor((pull.bytesDone / pull.bytesTotal) * 100)) : 0;
  return (
    <div className="pull" data-testid="pull" data-state={pull.state}>
      <div
        className="bar"
        role="progressbar"
        aria-label={`Download of ${pull.modelId}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
      >
        <div className={`bar-fill${pull.state === 'failed' ? ' failed' : ''}`} style={{ width: `${pct}%` }} />
      </div>
      <p className="small">
        <strong>{PULL_TEXT[pull.state]}</strong>{' '}
        <span className="muted" data-testid="pull-bytes">
          {pct} % · {formatBytes(pull.bytesDone)}
          {pull.bytesTotal > 0 ? ` of ${formatBytes(pull.bytesTotal)}` : ''}
        </span>
        {pull.state === 'downloading' && typeof pull.etaSeconds === 'number' && (
          <span className="muted" data-testid="pull-eta">
            {' '}
            · {formatEta(pull.etaSeconds)} left
          </span>
        )}
      </p>
      {pull.file && pull.state === 'downloading' && (
        <p className="muted small mono ellipsis" title={pull.file}>
          {pull.file}
        </p>
      )}
      {pull.message &&
        (pull.state === 'failed' ? (
          <ErrorText raw={pull.message} testId="pull-error" />
        ) : (
          <p className="small muted">{pull.message}</p>
        ))}
    </div>
  );
}

function ImportForm() {
  const info = useAppInfo((s) => s.info);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const allowed = info?.pathsAllowed ?? true;
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const m = await importModel(path.trim());
      toast('info', 'Model imported', `${m.id} (${m.dtype}, ${formatBytes(m.bytes)})`);
      setPath('');
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="mp-section" aria-label="Import a model folder">
      <h3>Import a folder</h3>
      <p className="muted small">
        A folder holding an ONNX export (config, tokenizer and the three sessions) on the machine running
        DocLens.
      </p>
      {!allowed && (
        <p className="note small">
          This server does not take file-system paths; start it with <code>doclens serve --allow-paths</code>.
        </p>
      )}
      <form
        className="path-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) void run();
        }}
      >
        <input
          type="text"
          value={path}
          onChange={(e) => setPath(e.currentTarget.value)}
          placeholder="/path/to/model-folder"
          aria-label="Model folder"
          disabled={!allowed}
          spellCheck={false}
        />
        <button className="btn small" type="submit" disabled={!allowed || busy || !path.trim()}>
          {busy ? 'Importing…' : 'Import'}
        </button>
      </form>
      {error && (
        <div className="note error" role="alert" data-testid="import-error">
          <ErrorText raw={error} />
        </div>
      )}
    </section>
  );
}

/** An error's readable summary, with the raw text (codes, hosts, paths) behind a Details toggle. */
function ErrorText({ raw, testId }: { raw: string; testId?: string }) {
  const { summary, details } = hubError(raw);
  return (
    <div className="error-text small" data-testid={testId}>
      <p>{summary}</p>
      {details && (
        <details className="error-details">
          <summary>Details</summary>
          <pre>{details}</pre>
        </details>
      )}
    </div>
  );
}
