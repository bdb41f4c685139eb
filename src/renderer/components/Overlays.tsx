// Things that float over the app: error toasts, the password prompt, the drop target.
import { useEffect, useRef, useState } from 'react';
import { openFiles } from '../stores/documents.js';
import { askPassword, dismissToast, useUi } from '../stores/ui.js';

export function Toasts() {
  const toasts = useUi((s) => s.toasts);
  return (
    <div className="toasts" aria-live="assertive">
      {toasts.map((t) => (
        <div
          key={t.id}
          className={`toast ${t.kind}`}
          role={t.kind === 'error' ? 'alert' : 'status'}
          data-testid="toast"
        >
          <div className="toast-text">
            <strong>{t.title}</strong>
            <span>{t.message}</span>
          </div>
          <button className="toast-close" aria-label="Dismiss" onClick={() => dismissToast(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

export function PasswordDialog() {
  const req = useUi((s) => s.password);
  const [value, setValue] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    setValue('');
    input.current?.focus();
  }, [req]);
  if (!req) return null;
  return (
    <div className="modal-backdrop">
      <form
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="pw-title"
        onSubmit={(e) => {
          e.preventDefault();
          void req.retry(value);
        }}
      >
        <h2 id="pw-title">{req.name} is protected</h2>
        <p>
          {req.wrong
            ? 'That password is not right. Try again.'
            : 'Enter the password to open this PDF. It is not stored.'}
        </p>
        <input
          ref={input}
          type="password"
          value={value}
          onChange={(e) => setValue(e.currentTarget.value)}
          aria-label="Password"
          autoComplete="off"
        />
        <div className="row end">
          <button type="button" className="btn" onClick={() => askPassword(null)}>
            Cancel
          </button>
          <button type="submit" className="btn primary" disabled={!value}>
            Open
          </button>
        </div>
      </form>
    </div>
  );
}

/** Drag & drop anywhere in the window opens the dropped files. */
export function useDropFiles(): boolean {
  const [over, setOver] = useState(false);
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => [...(e.dataTransfer?.types ?? [])].includes('Files');
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      setOver(true);
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const overH = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      e.preventDefault();
      depth = 0;
      setOver(false);
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length) void openFiles(files);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', overH);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', overH);
      window.removeEventListener('drop', drop);
    };
  }, []);
  return over;
}
