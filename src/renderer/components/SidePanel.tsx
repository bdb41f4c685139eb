// The right-hand panel: Ask, Find, Extract, Models and Settings. Each talks to the real backend; until a channel's room has
// landed the backend answers `not_implemented` and the panel shows that message, never made-up results.
import { useState } from 'react';
import { api } from '../lib/api.js';
import type { OpenDoc } from '../stores/documents.js';
import type { PanelName } from '../stores/ui.js';
import { setPanel, useUi } from '../stores/ui.js';
import { ExtractPanel } from './ExtractPanel.js';
import { errorMessage as message } from './messages.js';
import { ModelsPanel } from './ModelsPanel.js';
import { SettingsPanel } from './SettingsPanel.js';

const TABS: Array<{ name: PanelName; label: string }> = [
  { name: 'ask', label: 'Ask' },
  { name: 'extract', label: 'Extract' },
  { name: 'models', label: 'Models' },
  { name: 'settings', label: 'Settings' },
];

export const SUGGESTED_PROMPTS = [
  'What is the title of this document?',
  'Summarize the main points.',
  'Extract all dates mentioned.',
  'What tables are present? Describe their contents.',
];

export function SidePanel({ doc }: { doc: OpenDoc | null }) {
  const panel = useUi((s) => s.panel);
  return (
    <aside className="side" aria-label="Tools">
      <div className="side-tabs" role="tablist">
        {TABS.map((t) => (
          <button
            key={t.name}
            role="tab"
            aria-selected={panel === t.name}
            className={panel === t.name ? 'active' : ''}
            onClick={() => setPanel(t.name)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="side-body" role="tabpanel">
        {panel === 'ask' && <AskPanel doc={doc} />}
        {panel === 'extract' && <ExtractPanel doc={doc} />}
        {panel === 'models' && <ModelsPanel />}
        {panel === 'settings' && <SettingsPanel />}
      </div>
    </aside>
  );
}

function AskPanel({ doc }: { doc: OpenDoc | null }) {
  const [question, setQuestion] = useState('');
  const [result, setResult] = useState<{ kind: 'error' | 'info'; text: string } | null>(null);
  const submit = async (q: string) => {
    if (!doc || !q.trim()) return;
    setResult(null);
    try {
      const { askId } = await api.call('ask.start', {
        docId: doc.info.id,
        question: q,
        scope: { kind: 'page', page: doc.page },
      });
      setResult({ kind: 'info', text: `Asking (${askId})…` });
    } catch (e) {
      setResult({ kind: 'error', text: message(e) });
    }
  };
  return (
    <section className="panel" aria-label="Ask">
      <h2>Ask about {doc ? `page ${doc.page}` : 'a document'}</h2>
      <form
        className="ask-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit(question);
        }}
      >
        <textarea
          value={question}
          onChange={(e) => setQuestion(e.currentTarget.value)}
          placeholder={doc ? 'Ask a question about this page…' : 'Open a document first'}
          disabled={!doc}
          rows={3}
          aria-label="Question"
        />
        <button className="btn primary" type="submit" disabled={!doc || !question.trim()}>
          Ask
        </button>
      </form>
      <div className="chips" aria-label="Suggested questions">
        {SUGGESTED_PROMPTS.map((p) => (
          <button key={p} className="chip" disabled={!doc} onClick={() => (setQuestion(p), void submit(p))}>
            {p}
          </button>
        ))}
      </div>
      {result && (
        <p className={`note ${result.kind}`} role="status">
          {result.text}
        </p>
      )}
    </section>
  );
}
