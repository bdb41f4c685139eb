// Batch extraction: pick files and folders (paths on the machine running the backend), what to extract and which
// formats to write; then a progress bar with rate and ETA, the current file, a status per file, cancel, resume
// an interrupted job, and where the output went. The backend's job journal is the truth; this shows its events.
import { useEffect, useMemo, useState } from 'react';
import type { ExportFormat, ExtractKind, FileStatus, JobInfo } from '../../shared/domain.js';
import { isElectron } from '../lib/api.js';
import { EXPORT_FORMATS } from '../stores/extract.js';
import {
  cancelJob,
  isTerminal,
  loadJobs,
  resumeJob,
  revealJobOutput,
  showJob,
  startJob,
  useJobs,
} from '../stores/jobs.js';
import { loadAppInfo, useAppInfo } from '../stores/settings.js';
import { toast } from '../stores/ui.js';
import { errorMessage } from './messages.js';
import { jobOutputPath } from '../../shared/routes.js';
import { downloadWithToken } from '../lib/http-transport.js';
import { QueueProgress } from './QueueProgress.js';

const KINDS: Array<{ kind: ExtractKind; label: string }> = [
  { kind: 'dates', label: 'Dates' },
  { kind: 'tables', label: 'Tables' },
  { kind: 'charts', label: 'Charts' },
];

export const STATUS_TEXT: Record<FileStatus, string> = {
  pending: 'Waiting',
  running: 'Reading',
  ok: 'Done',
  partial: 'Partly read',
  needs_password: 'Needs a password',
  unsupported: 'Not a PDF or image',
  too_large: 'Too large',
  corrupt: 'Damaged',
  timeout: 'Took too long',
  crashed: 'Reader crashed',
  io_error: 'Could not read the file',
};

const STATE_TEXT: Record<JobInfo['progress']['state'], string> = {
  queued: 'Queued',
  running: 'Running',
  paused: 'Interrupted',
  cancelled: 'Cancelled',
  done: 'Finished',
  failed: 'Failed',
};

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function jobPercent(job: JobInfo): number {
  const p = job.progress;
  if (p.docsTotal > 0) return Math.min(100, Math.floor((p.docsDone / p.docsTotal) * 100));
  return p.state === 'done' ? 100 : 0;
}

function resumable(job: JobInfo): boolean {
  const s = job.progress.state;
  return (
    (s === 'paused' || s === 'cancelled' || s === 'failed') && job.progress.docsDone < job.progress.docsTotal
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function baseName(path: string): string {
  return path.split(/[/\\]/).filter(Boolean).pop() ?? path;
}

export function BatchSection() {
  const info = useAppInfo((s) => s.info);
  const jobs = useJobs((s) => s.jobs);
  const currentId = useJobs((s) => s.currentId);
  const listError = useJobs((s) => s.error);
  const [paths, setPaths] = useState('');
  const [kinds, setKinds] = useState<ExtractKind[]>(['dates', 'tables']);
  const [formats, setFormats] = useState<ExportFormat[]>(['csv', 'json']);
  const [outDir, setOutDir] = useState('');
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void loadAppInfo();
    loadJobs().catch((e: unknown) => useJobs.setState({ error: errorMessage(e) }));
  }, []);

  const list = useMemo(
    () => Object.values(jobs).sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
    [jobs],
  );
  const current = currentId ? jobs[currentId] : undefined;
  const inputs = paths
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const pathsAllowed = info?.pathsAllowed ?? true;
  const busy =
    current !== undefined && !isTerminal(current.progress.state) && current.progress.state !== 'paused';
  const canStart = pathsAllowed && inputs.length > 0 && kinds.length > 0 && formats.length > 0 && !starting;

  const start = async () => {
    setError(null);
    setStarting(true);
    try {
      await startJob({ inputs, kinds, formats, ...(outDir.trim() ? { outDir: outDir.trim() } : {}) });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setStarting(false);
    }
  };

  const toggle = <T,>(list: T[], v: T, on: boolean): T[] => (on ? [...list, v] : list.filter((x) => x !== v));

  return (
    <div className="batch">
      <h2>Batch extraction</h2>
      <p className="muted small">
        Every date and table from many PDFs and images, written to files with the page and box of each value.
      </p>
      {!pathsAllowed && (
        <p className="note" role="note" data-testid="paths-refused">
          This server does not take file-system paths, so batch jobs are off here. Start it with{' '}
          <code>doclens serve --allow-paths</code> to extract from files and folders on that machine.
        </p>
      )}
      <form
        className="batch-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (canStart) void start();
        }}
      >
        <label className="field">
          <span>
            Files and folders{info ? ` on ${info.platform === 'win32' ? 'this PC' : 'this machine'}` : ''}
          </span>
          <textarea
            value={paths}
            onChange={(e) => setPaths(e.currentTarget.value)}
            rows={3}
            placeholder={'One path per line, e.g.\n/home/me/invoices'}
            aria-label="Files and folders to extract from"
            disabled={!pathsAllowed}
            spellCheck={false}
          />
        </label>
        <fieldset className="checks">
          <legend>Extract</legend>
          {KINDS.map((k) => (
            <label key={k.kind}>
              <input
                type="checkbox"
                checked={kinds.includes(k.kind)}
                onChange={(e) => setKinds(toggle(kinds, k.kind, e.currentTarget.checked))}
              />
              {k.label}
            </label>
          ))}
        </fieldset>
        <fieldset className="checks">
          <legend>Write</legend>
          {EXPORT_FORMATS.map((f) => (
            <label key={f.format}>
              <input
                type="checkbox"
                checked={formats.includes(f.format)}
                onChange={(e) => setFormats(toggle(formats, f.format, e.currentTarget.checked))}
              />
              {f.label}
            </label>
          ))}
        </fieldset>
        <label className="field">
          <span>Output folder (optional)</span>
          <input
            type="text"
            value={outDir}
            onChange={(e) => setOutDir(e.currentTarget.value)}
            placeholder="Default: a folder per job in the data folder"
            aria-label="Output folder"
            disabled={!pathsAllowed}
            spellCheck={false}
          />
        </label>
        <div className="row end">
          <button className="btn primary" type="submit" disabled={!canStart || busy}>
            {starting ? 'Starting…' : 'Start'}
          </button>
        </div>
        {error && (
          <p className="note error" role="alert">
            {error}
          </p>
        )}
      </form>

      {current && <JobCard job={current} />}

      {pathsAllowed && <QueueProgress />}

      {listError && <p className="note error">{listError}</p>}
      {list.length > 1 && (
        <section className="batch-history" aria-label="Earlier jobs">
          <h3>Jobs</h3>
          <ul>
            {list.map((j) => (
              <li key={j.jobId}>
                <button
                  className={`job-row${j.jobId === currentId ? ' active' : ''}`}
                  onClick={() => showJob(j.jobId)}
                >
                  <span>{new Date(j.createdAt).toLocaleString()}</span>
                  <span className="muted">
                    {STATE_TEXT[j.progress.state]} · {j.progress.docsDone}/{j.progress.docsTotal}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function JobCard({ job }: { job: JobInfo }) {
  const p = job.progress;
  const pct = jobPercent(job);
  const running = p.state === 'running' || p.state === 'queued';
  const [acting, setActing] = useState(false);
  const act = async (what: 'cancel' | 'resume') => {
    setActing(true);
    try {
      await (what === 'cancel' ? cancelJob(job.jobId) : resumeJob(job.jobId));
    } catch (e) {
      toast(
        'error',
        what === 'cancel' ? 'Could not cancel the job' : 'Could not resume the job',
        errorMessage(e),
      );
    } finally {
      setActing(false);
    }
  };
  const problems = job.files.filter(
    (f) => f.status !== 'ok' && f.status !== 'pending' && f.status !== 'running',
  );
  return (
    <section className="job" aria-label="Batch job" data-testid="job" data-state={p.state}>
      <header className="job-head">
        <span className={`state s-${p.state}`}>{STATE_TEXT[p.state]}</span>
        <span className="muted small">{new Date(job.createdAt).toLocaleString()}</span>
      </header>
      <div
        className="bar"
        role="progressbar"
        aria-label="Batch progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        data-testid="job-progress"
      >
        <div className={`bar-fill${p.state === 'done' ? ' done' : ''}`} style={{ width: `${pct}%` }} />
      </div>
      <div className="job-stats">
        <strong data-testid="job-percent">{pct} %</strong>
        <span>
          {p.docsDone} / {p.docsTotal} files
        </span>
        {p.rate > 0 && <span>{p.rate >= 1 ? p.rate.toFixed(1) : p.rate.toFixed(2)} files/s</span>}
        {running && p.etaSeconds !== null && <span>ETA {formatDuration(p.etaSeconds)}</span>}
      </div>
      {running && p.currentFile && (
        <p className="job-current" title={p.currentFile}>
          Reading <span className="mono">{baseName(p.currentFile)}</span>
        </p>
      )}
      {p.message && <p className="muted small">{p.message}</p>}
      <div className="row">
        {running && (
          <button className="btn" disabled={acting} onClick={() => void act('cancel')}>
            Cancel
          </button>
        )}
        {resumable(job) && (
          <button className="btn primary" disabled={acting} onClick={() => void act('resume')}>
            Resume
          </button>
        )}
      </div>
      <OutputFolder job={job} />
      {job.files.length > 0 && (
        <>
          <h3>
            Files{' '}
            {problems.length > 0 && (
              <span className="muted small">
                ({problems.length} with problem{problems.length === 1 ? '' : 's'})
              </span>
            )}
          </h3>
          <div className="files-scroll">
            <ul className="files" data-testid="job-files" aria-label="Status per file">
              {job.files.map((f) => (
                <li key={f.file} data-status={f.status} title={f.file}>
                  <span className="name">{baseName(f.file)}</span>
                  <span className={`status st-${f.status}`}>
                    {f.status === 'pending' && !running ? 'Not run yet' : STATUS_TEXT[f.status]}
                  </span>
                  <span className="counts">
                    {f.error ??
                      (f.status === 'pending' || f.status === 'running'
                        ? ''
                        : `${plural(f.pages, 'page')} · ${plural(f.dates, 'date')} · ${plural(f.tables, 'table')}`)}
                  </span>
                </li>
              ))}
            </ul>
          </div>
        </>
      )}
    </section>
  );
}

function OutputFolder({ job }: { job: JobInfo }) {
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(job.outDir);
      toast('info', 'Copied', job.outDir);
    } catch (e) {
      toast('error', 'Could not copy the path', errorMessage(e));
    }
  };
  const reveal = async () => {
    try {
      await revealJobOutput(job.jobId);
    } catch (e) {
      toast('error', 'Could not open the output folder', errorMessage(e));
    }
  };
  return (
    <div className="job-out">
      <span className="muted small">Output folder{isElectron ? '' : ' (on the server)'}</span>
      <div className="path-row">
        <code className="path" data-testid="job-outdir" title={job.outDir}>
          {job.outDir}
        </code>
        {isElectron && (
          <button className="btn small" onClick={() => void reveal()} aria-label="Open the output folder">
            Open folder
          </button>
        )}
        <button className="btn small" onClick={() => void copy()} aria-label="Copy the output folder path">
          Copy
        </button>
      </div>
      {job.outputs.length > 0 && (
        <ul className="outputs" aria-label="Output files">
          {job.outputs.map((o) => (
            <li key={o} className="mono" title={o}>
              {/* Headless: the files are on the server; a finished job's outputs download through it. */}
              {!isElectron && job.progress.state === 'done' ? (
                <a
                  href={jobOutputPath(job.jobId, baseName(o))}
                  download={baseName(o)}
                  aria-label={`Download ${baseName(o)}`}
                  onClick={(e) => {
                    // The server wants the token in a header, which a plain link cannot send.
                    e.preventDefault();
                    downloadWithToken(jobOutputPath(job.jobId, baseName(o)), baseName(o)).catch(
                      (err: unknown) => toast('error', 'Download failed', errorMessage(err)),
                    );
                  }}
                >
                  <span>{baseName(o)}</span> <span aria-hidden="true">↓</span>
                </a>
              ) : (
                baseName(o)
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
