// The Batch view's window on queue mode (issue #16): progress of a job that `doclens queue add` put on a Redis
// queue and `doclens worker` processes run, polled through the `queue.status` channel.
import { useEffect, useState } from 'react';
import type { QueueJobStatus } from '../../shared/queue.js';
import { api } from '../lib/api.js';
import { errorMessage } from './messages.js';

const POLL_MS = 1000;

export function QueueProgress() {
  const [redis, setRedis] = useState('redis://127.0.0.1:6379');
  const [job, setJob] = useState('');
  const [watching, setWatching] = useState<{ redis: string; job: string } | null>(null);
  const [status, setStatus] = useState<QueueJobStatus | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!watching) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const s = await api.call('queue.status', watching);
        if (stop) return;
        setStatus(s);
        setError(null);
        if (s.state !== 'done') timer = setTimeout(() => void poll(), POLL_MS);
      } catch (e) {
        if (!stop) setError(errorMessage(e));
      }
    };
    void poll();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [watching]);

  const pct = status?.docsTotal ? Math.floor((100 * status.docsDone) / status.docsTotal) : 0;
  return (
    <section className="batch-queue" aria-label="Queue job">
      <h3>Queue job</h3>
      <p className="muted small">
        A job on a Redis queue (<code>doclens queue add</code>), run by <code>doclens worker</code> processes.
      </p>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          setStatus(null);
          if (job.trim()) setWatching({ redis: redis.trim(), job: job.trim() });
        }}
      >
        <input
          type="text"
          value={redis}
          onChange={(e) => setRedis(e.currentTarget.value)}
          aria-label="Redis URL"
          spellCheck={false}
        />
        <input
          type="text"
          value={job}
          onChange={(e) => setJob(e.currentTarget.value)}
          placeholder="Job name"
          aria-label="Queue job name"
          spellCheck={false}
        />
        <button className="btn" type="submit" disabled={!job.trim()}>
          Show
        </button>
      </form>
      {error && (
        <p className="note error" role="alert">
          {error}
        </p>
      )}
      {status && (
        <div className="job" data-testid="queue-job" data-state={status.state}>
          <div
            className="bar"
            role="progressbar"
            aria-label="Queue job progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={pct}
          >
            <div
              className={`bar-fill${status.state === 'done' ? ' done' : ''}`}
              style={{ width: `${pct}%` }}
            />
          </div>
          <div className="job-stats">
            <strong>{pct} %</strong>
            <span>
              {status.docsDone} / {status.docsTotal} files · {status.pagesDone} pages
            </span>
            <span className="muted">
              {status.state === 'done'
                ? 'Finished'
                : `${status.queue.active} reading, ${status.queue.waiting} waiting, ${status.queue.delayed} to retry`}
            </span>
          </div>
          {status.deadLetters.length > 0 && (
            <ul className="files" aria-label="Dead letters">
              {status.deadLetters.map((d) => (
                <li key={d.pos} data-status={d.status} title={d.file}>
                  <span className="name">{d.file.split(/[/\\]/).pop()}</span>
                  <span className={`status st-${d.status}`}>{d.status}</span>
                  <span className="counts">{d.error}</span>
                </li>
              ))}
            </ul>
          )}
          <p className="muted small">
            Output folder (on the workers&apos; shared storage): <code className="path">{status.outDir}</code>
          </p>
        </div>
      )}
    </section>
  );
}
