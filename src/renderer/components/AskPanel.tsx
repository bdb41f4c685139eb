// Ask: a question about the page, a page range or the whole document; the answer streams in, Stop cancels,
// and each answer says how far it can be trusted (verified / found / unverified / conflict, with the reason on
// hover; a conflict shows both values), which engine and model gave it, and how long it took.
// Its boxes are drawn on the pages; clicking a box chip scrolls to it.
import { useEffect, useRef, useState } from 'react';
import type { AskScope, BoundField, ProviderStatus, Trust } from '../../shared/domain.js';
import type { PageBox } from '../../shared/geometry.js';
import { api } from '../lib/api.js';
import { imageUrlFor } from '../lib/doc-source.js';
import { imageKindOf } from '../lib/image-kind.js';
import type { ImageKind } from '../lib/image-kind.js';
import { ask, cancelAsk, showAnswer, useAsk, type AskEntry } from '../stores/ask.js';
import type { OpenDoc } from '../stores/documents.js';
import { setPanel } from '../stores/ui.js';
import { ChartView } from './ChartView.js';
import { colourFor, labelsOf } from './Highlights.js';
import { PlanView } from './PlanView.js';
import { ProgressLine } from './ProgressLine.js';
import { ReviewBar, ReviewList } from './Review.js';
import { revealBox } from './Viewer.js';

export const SUGGESTED_PROMPTS = [
  'What is the title of this document?',
  'Summarize the main points.',
  'Extract all dates mentioned.',
  'What tables are present? Describe their contents.',
];

export const CHART_PROMPTS = [
  'What type of chart is this?',
  'What is the trend?',
  'What are the maximum and minimum values?',
];

/** For photographs and pictures: what a reader of a picture asks. */
export const PICTURE_PROMPTS = [
  'Describe this picture.',
  'What objects are in this image?',
  'Is there any text in this image? What does it say?',
];

/** Suggestions that fit the open document: PDFs and document-like images get the reading ones. */
function useSuggestions(doc: OpenDoc | null): readonly string[] {
  const [kind, setKind] = useState<ImageKind | null>(null);
  const info = doc?.info;
  useEffect(() => {
    setKind(null);
    if (!info || info.kind !== 'image') return;
    let live = true;
    imageUrlFor(info)
      .then((url) => imageKindOf(info.id, url))
      .then(
        (k) => live && setKind(k),
        () => live && setKind('picture'),
      );
    return () => {
      live = false;
    };
  }, [info]);
  if (!info || info.kind === 'pdf') return SUGGESTED_PROMPTS;
  if (kind === null) return [];
  return kind === 'document' ? [...SUGGESTED_PROMPTS, ...CHART_PROMPTS] : PICTURE_PROMPTS;
}

type ScopeKind = AskScope['kind'];

/** What a running ask is doing before its first word: reading (OCR on scans takes seconds a page) or answering. */
function askStage(e: AskEntry): string {
  const p = e.progress;
  if (!p || p.done < p.total)
    return p?.ocr ? 'Reading scanned pages (OCR)…' : 'Reading the pages (OCR for scans)…';
  return 'Answering…';
}

/** Model status, asked once per panel mount: whether answers can come from a vision-language model. */
export function useProviderStatus(): ProviderStatus | null {
  const [status, setStatus] = useState<ProviderStatus | null>(null);
  useEffect(() => {
    let live = true;
    api.call('models.status', {}).then(
      (s) => live && setStatus(s),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return status;
}

export function AskPanel({ doc }: { doc: OpenDoc | null }) {
  const [question, setQuestion] = useState('');
  const [scopeKind, setScopeKind] = useState<ScopeKind>('page');
  const [from, setFrom] = useState(1);
  const [to, setTo] = useState(1);
  const [planOpen, setPlanOpen] = useState(false);
  const status = useProviderStatus();
  const suggestions = useSuggestions(doc);
  const entries = useAsk((s) => s.entries);
  const shown = useAsk((s) => s.shown);
  const history = doc ? entries.filter((e) => e.docId === doc.info.id && e.kind === 'ask') : [];
  const running = history.find((e) => e.status === 'running');
  const pageCount = doc?.info.pageCount ?? 1;
  const end = useRef<HTMLDivElement>(null);
  const lastText = history.at(-1)?.text;

  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [history.length, lastText]);

  const scope = (): AskScope =>
    scopeKind === 'page'
      ? { kind: 'page', page: doc?.page ?? 1 }
      : scopeKind === 'pages'
        ? { kind: 'pages', from: Math.min(from, to), to: Math.max(from, to) }
        : { kind: 'document' };

  const submit = (q: string) => {
    if (!doc || !q.trim() || running) return;
    setQuestion('');
    void ask(doc.info.id, q.trim(), scope());
  };

  return (
    <section className="panel ask-panel" aria-label="Ask">
      <h2>Ask {doc ? `about ${doc.info.name}` : ''}</h2>
      {status && !status.installedModel && <NoModelNote />}
      {doc && (
        <button type="button" className="link small" onClick={() => setPlanOpen(true)}>
          How the model sees this page
        </button>
      )}
      {doc && planOpen && <PlanView doc={doc} onClose={() => setPlanOpen(false)} />}
      <div className="history" role="log" aria-label="Answers" aria-live="polite">
        {history.length === 0 && (
          <p className="muted small">
            Answers point at the page: each one shows where it was found, and the boxes are drawn on the page.
          </p>
        )}
        {history.map((e) => (
          <AnswerCard key={e.key} entry={e} doc={doc} selected={shown === e.key} />
        ))}
        <div ref={end} />
      </div>
      {doc && <ReviewList doc={doc} kind="ask" />}
      <form
        className="ask-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit(question);
        }}
      >
        <div className="scope" role="radiogroup" aria-label="Scope">
          {(['page', 'pages', 'document'] as const).map((k) => (
            <label key={k} className={`seg${scopeKind === k ? ' on' : ''}`}>
              <input
                type="radio"
                name="scope"
                value={k}
                checked={scopeKind === k}
                onChange={() => setScopeKind(k)}
              />
              {k === 'page' ? `Page ${doc?.page ?? 1}` : k === 'pages' ? 'Pages' : 'Document'}
            </label>
          ))}
          {scopeKind === 'pages' && (
            <span className="range">
              <input
                type="number"
                min={1}
                max={pageCount}
                value={from}
                aria-label="From page"
                onChange={(e) => setFrom(clampPage(e.currentTarget.valueAsNumber, pageCount))}
              />
              –
              <input
                type="number"
                min={1}
                max={pageCount}
                value={to}
                aria-label="To page"
                onChange={(e) => setTo(clampPage(e.currentTarget.valueAsNumber, pageCount))}
              />
            </span>
          )}
        </div>
        <textarea
          value={question}
          onChange={(e) => setQuestion(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              submit(question);
            }
          }}
          placeholder={
            doc ? 'Ask a question… (Enter to send, Shift+Enter for a new line)' : 'Open a document first'
          }
          disabled={!doc}
          rows={3}
          aria-label="Question"
        />
        {running && !running.text && (
          <ProgressLine
            testId="ask-progress"
            label={askStage(running)}
            done={running.progress?.done ?? 0}
            total={running.progress?.total ?? 0}
          />
        )}
        <div className="row end">
          {running?.askId ? (
            <button type="button" className="btn danger" onClick={() => void cancelAsk(running.askId ?? '')}>
              Stop
            </button>
          ) : (
            <button className="btn primary" type="submit" disabled={!doc || !question.trim() || !!running}>
              Ask
            </button>
          )}
        </div>
      </form>
      <div className="chips" aria-label="Suggested questions">
        {suggestions.map((p) => (
          <button key={p} className="chip" disabled={!doc || !!running} onClick={() => submit(p)}>
            {p}
          </button>
        ))}
      </div>
    </section>
  );
}

function clampPage(v: number, n: number): number {
  return Number.isFinite(v) ? Math.min(n, Math.max(1, Math.round(v))) : 1;
}

function NoModelNote() {
  return (
    <div className="note info" role="note">
      No vision-language model is installed, so the <strong>reader engine</strong> answers from the page’s
      words: values, dates, titles, tables, finding text.{' '}
      <button className="link" onClick={() => setPanel('models')}>
        Add a model
      </button>{' '}
      for open questions and summaries.
    </div>
  );
}

function AnswerCard({ entry, doc, selected }: { entry: AskEntry; doc: OpenDoc | null; selected: boolean }) {
  const a = entry.answer;
  const boxes = a?.boxes ?? [];
  const labels = labelsOf(boxes);
  return (
    <article
      className={`answer${selected ? ' selected' : ''}`}
      data-testid="answer"
      data-status={entry.status}
      onClick={() => showAnswer(entry.key)}
    >
      <p className="question">{entry.question}</p>
      {entry.status === 'error' ? (
        <p className="note error" role="alert">
          {entry.error}
        </p>
      ) : (
        <p className="answer-text" data-testid="answer-text">
          {entry.text}
          {entry.status === 'running' && <span className="cursor" aria-label="Answering" />}
        </p>
      )}
      {entry.status === 'cancelled' && <p className="muted small">Stopped.</p>}
      {boxes.length > 0 && doc && (
        <div className="box-chips" aria-label="Where on the page">
          {boxes.map((b, i) => (
            <button
              key={i}
              className="box-chip"
              style={{ borderColor: colourFor(b.label, labels) }}
              onClick={(ev) => {
                ev.stopPropagation();
                showAnswer(entry.key);
                revealBox(doc, b, i);
              }}
              title={`Show on page ${b.page}`}
            >
              p.{b.page}
              {b.label ? ` · ${b.label}` : ''}
            </button>
          ))}
        </div>
      )}
      {a?.chart && <ChartView chart={a.chart.chart} highlight={a.chart.highlight} />}
      {a?.conflict && doc && (
        <div className="trust-detail conflict" data-testid="answer-conflict">
          <span>
            The model says <strong>{a.text}</strong>; the page states <strong>{a.conflict.value}</strong>
            {a.conflict.label ? ` (labelled “${a.conflict.label}”)` : ''}.
          </span>{' '}
          <FieldChip entryKey={entry.key} doc={doc} field={a.conflict} boxes={boxes} />
        </div>
      )}
      {a && !a.field && !a.conflict && a.candidates.length > 0 && doc && (
        <div className="trust-detail" data-testid="answer-candidates">
          <span className="muted small">
            Nothing on the page is tied to the question; closest candidates:
          </span>
          <div className="box-chips">
            {a.candidates.slice(0, 5).map((c, i) => (
              <FieldChip key={i} entryKey={entry.key} doc={doc} field={c} boxes={boxes} />
            ))}
          </div>
        </div>
      )}
      {a && (
        <div className="badges" data-testid="answer-badges">
          <TrustBadge answer={a} />
          <span className="badge">{a.engine === 'vlm' ? 'VLM' : 'Reader'}</span>
          {a.model && <span className="badge">{a.model}</span>}
          {a.provider && <span className="badge">{a.provider.toUpperCase()}</span>}
          <span className="badge" title={timingTitle(a.timings)}>
            {formatMs(a.timings.total_ms)}
          </span>
        </div>
      )}
      {doc && <ReviewBar entry={entry} doc={doc} />}
    </article>
  );
}

const TRUST_LABEL: Record<Trust, string> = {
  verified: '✓ Verified',
  found: 'Found on page',
  unverified: 'Unverified',
  conflict: '⚠ Conflict',
};

const TRUST_DEFAULT_REASON: Record<Trust, string> = {
  verified: 'Bound to the question by the page: the value the asked field’s label or layout points at.',
  found: 'The words are on the page, but nothing ties them to the question: check them.',
  unverified: 'Not found on the page: check it before relying on it.',
  conflict: 'The page states a different value for the asked field.',
};

/** The answer's trust level (issue 10), its reason on hover and for screen readers. */
function TrustBadge({ answer }: { answer: NonNullable<AskEntry['answer']> }) {
  const trust = answer.trust;
  const reason = trust
    ? (answer.trust_reason ?? TRUST_DEFAULT_REASON[trust])
    : 'Not checked against the page.';
  const label = trust ? TRUST_LABEL[trust] : 'Not checked';
  return (
    <span
      className={`badge trust ${trust ?? 'unchecked'}`}
      data-testid="trust-badge"
      data-trust={trust ?? 'none'}
      title={reason}
      aria-label={`${label.replace(/^[✓⚠] /, '')}: ${reason}`}
      role="note"
    >
      {label}
    </span>
  );
}

/** A bound value (a conflict's page value, a candidate) as a chip that shows it on the page. */
function FieldChip({
  entryKey,
  doc,
  field,
  boxes,
}: {
  entryKey: number;
  doc: OpenDoc;
  field: BoundField;
  boxes: PageBox[];
}) {
  const b = field.box;
  // Its highlight, when the answer drew it (a conflict's page value, candidates of an unbound answer).
  const index = boxes.findIndex((x) => x.page === b.page && x.x0 === b.x0 && x.y0 === b.y0);
  return (
    <button
      className="box-chip"
      onClick={(ev) => {
        ev.stopPropagation();
        showAnswer(entryKey);
        revealBox(doc, b, index);
      }}
      title={`${field.field.replace(/_/g, ' ')}${field.label ? ` (“${field.label}”, ${field.how})` : ''}: show on page ${b.page}`}
    >
      p.{b.page} · {field.value}
    </button>
  );
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function timingTitle(t: NonNullable<AskEntry['answer']>['timings']): string {
  const parts = [`total ${formatMs(t.total_ms)}`];
  if (t.vision_ms !== null) parts.push(`vision ${formatMs(t.vision_ms)}`);
  if (t.prefill_ms !== null) parts.push(`prefill ${formatMs(t.prefill_ms)}`);
  if (t.ttft_ms !== null) parts.push(`first token ${formatMs(t.ttft_ms)}`);
  if (t.decode_tokens_per_s !== null) parts.push(`${t.decode_tokens_per_s.toFixed(1)} tokens/s`);
  return parts.join(' · ');
}
