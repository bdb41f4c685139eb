// Batch-job progress in the taskbar (Windows, Linux Unity) and the dock (macOS): the backend's job.progress
// events mapped to BrowserWindow.setProgressBar's value and mode. -1 removes the bar.
import type { JobProgress } from '../shared/domain.js';

export interface ProgressBarState {
  value: number;
  mode: 'normal' | 'paused' | 'error' | 'none';
}

export const NO_PROGRESS: ProgressBarState = { value: -1, mode: 'none' };

/** Tracks every job the backend reports and gives the one bar the window shows for all of them. */
export class TaskbarProgress {
  private readonly jobs = new Map<string, JobProgress>();

  update(p: JobProgress): ProgressBarState {
    if (p.state === 'done' || p.state === 'cancelled' || p.state === 'failed') this.jobs.delete(p.jobId);
    else this.jobs.set(p.jobId, p);
    return this.state();
  }

  state(): ProgressBarState {
    return progressBarFor([...this.jobs.values()]);
  }
}

/** Pages are the finer unit; documents when the page count is not known yet. Queued jobs count as 0 %. */
export function progressBarFor(active: readonly JobProgress[]): ProgressBarState {
  if (active.length === 0) return NO_PROGRESS;
  let done = 0;
  let total = 0;
  for (const p of active) {
    if (p.pagesTotal > 0) {
      done += p.pagesDone / p.pagesTotal;
      total += 1;
    } else if (p.docsTotal > 0) {
      done += p.docsDone / p.docsTotal;
      total += 1;
    } else total += 1;
  }
  const value = Math.min(1, Math.max(0, done / total));
  const paused = active.every((p) => p.state === 'paused');
  return { value, mode: paused ? 'paused' : 'normal' };
}
