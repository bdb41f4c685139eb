// Extract: dates and tables of the current document, exports, and batch jobs over files and folders.
import { useState } from 'react';
import { api } from '../lib/api.js';
import type { OpenDoc } from '../stores/documents.js';
import { errorMessage } from './messages.js';

export function ExtractPanel({ doc }: { doc: OpenDoc | null }) {
  const [note, setNote] = useState<string | null>(null);
  const run = async (kind: 'dates' | 'tables') => {
    if (!doc) return;
    setNote(null);
    try {
      if (kind === 'dates') {
        const r = await api.call('extract.dates', { docId: doc.info.id });
        setNote(`${r.dates.length} date(s) found.`);
      } else {
        const r = await api.call('extract.tables', { docId: doc.info.id });
        setNote(`${r.tables.length} table(s) found.`);
      }
    } catch (e) {
      setNote(errorMessage(e));
    }
  };
  return (
    <section className="panel" aria-label="Extract">
      <h2>Extract from {doc ? doc.info.name : 'a document'}</h2>
      <div className="row">
        <button className="btn" disabled={!doc} onClick={() => void run('dates')}>
          Dates
        </button>
        <button className="btn" disabled={!doc} onClick={() => void run('tables')}>
          Tables
        </button>
      </div>
      {note && (
        <p className="note" role="status">
          {note}
        </p>
      )}
    </section>
  );
}
