// One line of progress for long work in a panel (reading pages for an ask, an extract): what is happening,
// a bar, "12 of 50 pages", and Stop where the work can be stopped — instead of a static "Reading…".
export function ProgressLine({
  label,
  done,
  total,
  onStop,
  testId,
}: {
  label: string;
  done: number;
  total: number;
  onStop?: () => void;
  testId?: string;
}) {
  return (
    <div className="progress-line" role="status" data-testid={testId} data-done={done} data-total={total}>
      <div className="progress-text">
        <span>{label}</span>
        {total > 0 && (
          <span className="muted small">
            {done} of {total} page{total === 1 ? '' : 's'}
          </span>
        )}
      </div>
      <div className="row">
        <progress max={Math.max(1, total)} value={total > 0 ? done : undefined} aria-label={label} />
        {onStop && (
          <button type="button" className="btn small danger" onClick={onStop}>
            Stop
          </button>
        )}
      </div>
    </div>
  );
}
