// Batch extraction jobs: the backend owns them (a journal on disk); this store mirrors their JobInfo and folds the
// job.progress / job.file / job.done events into it. Events can overtake the reply that names a job (HTTP: the
// reply and the event stream are separate connections), so events for a job not seen yet wait and are replayed.
import { create } from 'zustand';
import type { AppEvent } from '../../shared/contract.js';
import type { ExportFormat, ExtractKind, JobFile, JobInfo, JobProgress } from '../../shared/domain.js';
import { api } from '../lib/api.js';

interface JobsState {
  /** Jobs by id, as last known. */
  jobs: Record<string, JobInfo>;
  /** The job the batch section shows. */
  currentId: string | null;
  loaded: boolean;
  error: string | null;
}

export const useJobs = create<JobsState>(() => ({ jobs: {}, currentId: null, loaded: false, error: null }));

const TERMINAL = new Set<JobProgress['state']>(['cancelled', 'done', 'failed']);

export function isTerminal(state: JobProgress['state']): boolean {
  return TERMINAL.has(state);
}

/** The later of two progress reports of one job: a finished state wins, then the one with more work done. */
export function laterProgress(a: JobProgress, b: JobProgress): JobProgress {
  if (isTerminal(a.state) !== isTerminal(b.state)) return isTerminal(a.state) ? a : b;
  if (b.docsDone !== a.docsDone) return b.docsDone > a.docsDone ? b : a;
  return b;
}

/** Files of a job with one row updated (matched by path) or appended. */
export function withFile(files: readonly JobFile[], file: JobFile): JobFile[] {
  const i = files.findIndex((f) => f.file === file.file);
  if (i < 0) return [...files, file];
  return files.map((f, j) => (j === i ? file : f));
}

const early = new Map<string, AppEvent[]>();

function jobIdOf(event: AppEvent): string | null {
  if (event.type === 'job.progress' || event.type === 'job.done') return event.payload.jobId;
  if (event.type === 'job.file') return event.payload.jobId;
  return null;
}

function put(info: JobInfo): void {
  useJobs.setState((s) => {
    const known = s.jobs[info.jobId];
    const merged: JobInfo = known
      ? { ...info, progress: laterProgress(known.progress, info.progress) }
      : info;
    return { jobs: { ...s.jobs, [info.jobId]: merged } };
  });
  const waiting = early.get(info.jobId);
  if (waiting) {
    early.delete(info.jobId);
    for (const ev of waiting) apply(ev);
  }
}

function apply(event: AppEvent): void {
  if (event.type === 'job.done') {
    useJobs.setState((s) => ({ jobs: { ...s.jobs, [event.payload.jobId]: event.payload } }));
    return;
  }
  useJobs.setState((s) => {
    if (event.type === 'job.progress') {
      const job = s.jobs[event.payload.jobId];
      if (!job) return s;
      return {
        jobs: { ...s.jobs, [job.jobId]: { ...job, progress: laterProgress(job.progress, event.payload) } },
      };
    }
    if (event.type === 'job.file') {
      const job = s.jobs[event.payload.jobId];
      if (!job) return s;
      return { jobs: { ...s.jobs, [job.jobId]: { ...job, files: withFile(job.files, event.payload.file) } } };
    }
    return s;
  });
}

export function onJobEvent(event: AppEvent): void {
  const id = jobIdOf(event);
  if (id === null) return;
  if (event.type !== 'job.done' && !useJobs.getState().jobs[id]) {
    const list = early.get(id) ?? [];
    list.push(event);
    early.set(id, list);
    if (early.size > 32) early.delete(early.keys().next().value ?? '');
    return;
  }
  apply(event);
}

let subscribed = false;
/** Subscribes the store to job events once for the life of the window. */
export function watchJobs(): void {
  if (subscribed) return;
  subscribed = true;
  api.on(onJobEvent);
}

export async function loadJobs(): Promise<void> {
  watchJobs();
  const list = await api.call('extract.jobs', {});
  for (const j of list) put(j);
  useJobs.setState((s) => ({
    loaded: true,
    currentId:
      s.currentId ??
      [...list]
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .find((j) => !isTerminal(j.progress.state))?.jobId ??
      null,
  }));
}

export async function startJob(req: {
  inputs: string[];
  kinds: ExtractKind[];
  formats: ExportFormat[];
  outDir?: string;
}): Promise<JobInfo> {
  watchJobs();
  const info = await api.call('extract.start', req);
  put(info);
  useJobs.setState({ currentId: info.jobId });
  return info;
}

export async function cancelJob(jobId: string): Promise<void> {
  put(await api.call('extract.cancel', { jobId }));
}

export async function resumeJob(jobId: string): Promise<void> {
  watchJobs();
  put(await api.call('extract.resume', { jobId }));
  useJobs.setState({ currentId: jobId });
}

/** Opens a job's output folder in the file manager (desktop app only: main does the opening). */
export async function revealJobOutput(jobId: string): Promise<string> {
  return (await api.call('extract.revealOutput', { jobId })).path;
}

export function showJob(jobId: string | null): void {
  useJobs.setState({ currentId: jobId });
}

/** Jobs newest first. */
export function jobList(s: JobsState): JobInfo[] {
  return Object.values(s.jobs).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
