// Extract: dates, tables and charts of the current document (each clickable to its place on the page, tables with
// a preview grid, charts re-plotted with their data), exports, and batch jobs over files and folders (BatchSection). Everything shown comes from the
// backend; a channel that has not landed answers not_implemented and the panel says so.
import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import type { Chart } from '../../shared/charts.js';
import type { DateHit, ExportFormat, ExtractKind, Table } from '../../shared/domain.js';
import type { OpenDoc } from '../stores/documents.js';
import { activeDoc } from '../stores/documents.js';
import { showBoxes } from '../stores/highlights.js';
import type { PageBox } from '../../shared/geometry.js';
import type { Loadable } from '../stores/extract.js';
import {
  EXPORT_FORMATS,
  exportDocument,
  loadCharts,
  loadDates,
  loadTables,
  setExtractView,
  stopExtract,
  useExtract,
} from '../stores/extract.js';
import { toast } from '../stores/ui.js';
import { BatchSection } from './BatchSection.js';
import { ChartView } from './ChartView.js';
import { ProgressLine } from './ProgressLine.js';
import { revealBox } from './Viewer.js';
import { ExtractTable } from './ExtractTable.js';
import { errorMessage } from './messages.js';
import '../panels.css';

export function ExtractPanel({ doc }: { doc: OpenDoc | null }) {
  const view = useExtract((s) => s.view);
  return (
    <section className="panel xp" aria-label="Extract">
      <div className="seg" role="tablist" aria-label="Extract from">
        <button
          role="tab"
          aria-selected={view === 'document'}
          className={view === 'document' ? 'active' : ''}
          onClick={() => setExtractView('document')}
        >
          This document
        </button>
        <button
          role="tab"
          aria-selected={view === 'batch'}
          className={view === 'batch' ? 'active' : ''}
          onClick={() => setExtractView('batch')}
        >
          Batch
        </button>
      </div>
      {view === 'document' ? <DocumentExtract doc={doc} /> : <BatchSection />}
    </section>
  );
}

function DocumentExtract({ doc }: { doc: OpenDoc | null }) {
  const docId = doc?.info.id ?? null;
  const dates = useExtract((s) => (docId ? s.dates[docId] : undefined));
  const tables = useExtract((s) => (docId ? s.tables[docId] : undefined));
  const charts = useExtract((s) => (docId ? s.charts[docId] : undefined));
  useEffect(() => {
    if (!docId) return;
    void loadDates(docId);
    void loadTables(docId);
    void loadCharts(docId);
  }, [docId]);

  if (!doc || !docId)
    return (
      <div className="xp-empty">
        <h2>No document open</h2>
        <p>Open a document to see its dates and tables here, each linked to its place on the page.</p>
        <p>
          To extract from many files at once without opening them, use{' '}
          <button className="linkish" onClick={() => setExtractView('batch')}>
            Batch
          </button>
          .
        </p>
      </div>
    );

  return (
    <>
      <p className="xp-doc" title={doc.info.name}>
        {doc.info.name}
      </p>
      <KindSection
        title="Dates"
        kind="dates"
        docId={docId}
        data={dates}
        reload={() => void loadDates(docId, true)}
        render={(list) => <DateList docId={docId} dates={list} />}
        empty="No dates found in this document."
      />
      <KindSection
        title="Tables"
        kind="tables"
        docId={docId}
        data={tables}
        reload={() => void loadTables(docId, true)}
        render={(list) => <TableList docId={docId} tables={list} />}
        empty="No tables found in this document."
      />
      <KindSection
        title="Charts"
        kind="charts"
        docId={docId}
        data={charts}
        reload={() => void loadCharts(docId, true)}
        render={(list) => <ChartList docId={docId} charts={list} />}
        empty="No charts drawn as vector graphics in this document (a chart drawn as an image needs a model: ask about it)."
      />
    </>
  );
}

function KindSection<T>({
  title,
  kind,
  docId,
  data,
  reload,
  render,
  empty,
}: {
  title: string;
  kind: ExtractKind;
  docId: string;
  data: Loadable<T[]> | undefined;
  reload: () => void;
  render: (list: T[]) => ReactNode;
  empty: string;
}) {
  const count = data?.state === 'done' ? data.value.length : null;
  return (
    <section className="xp-section" aria-label={title}>
      <header className="xp-head">
        <h2>
          {title}
          {count !== null && (
            <span className="count" data-testid={`${kind}-count`}>
              {count}
            </span>
          )}
        </h2>
        {data?.state !== 'loading' && (
          <button className="btn small" onClick={reload} aria-label={`Extract ${kind} again`}>
            {data?.state === 'error' && data.code === 'cancelled' ? 'Extract' : 'Refresh'}
          </button>
        )}
      </header>
      {(!data || data.state === 'loading') && (
        <ProgressLine
          testId={`${kind}-progress`}
          label={`Reading the ${kind} of this document…`}
          done={data?.done ?? 0}
          total={data?.total ?? 0}
          onStop={data ? () => void stopExtract(kind, docId) : undefined}
        />
      )}
      {data?.state === 'error' && data.code === 'cancelled' && (
        <p className="muted" role="status">
          Stopped. Extract again to read the rest.
        </p>
      )}
      {data?.state === 'error' && data.code !== 'cancelled' && (
        <p className="note error" role="status">
          {data.code === 'not_implemented'
            ? `Not available in this build yet: ${data.message}`
            : data.message}
        </p>
      )}
      {data?.state === 'done' &&
        (data.value.length === 0 ? <p className="muted">{empty}</p> : render(data.value))}
      {data?.state === 'done' && data.value.length > 0 && <ExportRow docId={docId} kind={kind} />}
    </section>
  );
}

function ExportRow({ docId, kind }: { docId: string; kind: ExtractKind }) {
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const run = async (format: ExportFormat) => {
    setBusy(format);
    try {
      const name = await exportDocument(docId, kind, format);
      toast('info', 'Exported', name);
    } catch (e) {
      toast('error', `Could not export ${kind}`, errorMessage(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="xp-export" role="group" aria-label={`Export ${kind}`}>
      <span className="muted">Export</span>
      {EXPORT_FORMATS.map((f) => (
        <button
          key={f.format}
          className="btn small"
          disabled={busy !== null}
          onClick={() => void run(f.format)}
          aria-label={`Export ${kind} as ${f.label}`}
        >
          {busy === f.format ? '…' : f.label}
        </button>
      ))}
    </div>
  );
}

function DateList({ docId, dates }: { docId: string; dates: DateHit[] }) {
  return (
    <ul className="xp-dates" aria-label="Dates found">
      {dates.map((d, i) => (
        <li key={i}>
          <button
            className="xp-date"
            data-testid="date-item"
            title={`Show on page ${d.box.page}`}
            onClick={() => pointAt(docId, d.box, d.iso)}
          >
            <span className="iso">{d.iso}</span>
            <span className="src">{d.text}</span>
            <span className="pg">
              p. {d.box.page}
              {d.source === 'ocr' && <span className="tag">OCR</span>}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function TableList({ docId, tables }: { docId: string; tables: Table[] }) {
  return (
    <ol className="xp-tables">
      {tables.map((t, i) => (
        <li key={i} className="xp-table">
          <button
            className="xp-table-head"
            title={`Show on page ${t.page}`}
            onClick={() => pointAt(docId, { ...t.box, page: t.page }, `Table ${i + 1}`)}
          >
            <strong>Table {i + 1}</strong>
            <span className="muted">
              {t.parts && t.parts.length > 1
                ? `pages ${t.page}–${t.parts[t.parts.length - 1]?.page ?? t.page}`
                : `page ${t.page}`}{' '}
              · {t.rows}×{t.cols} · {t.method}
            </span>
          </button>
          <ExtractTable table={t} label={`Table ${i + 1} preview`} />
        </li>
      ))}
    </ol>
  );
}

function ChartList({ docId, charts }: { docId: string; charts: Chart[] }) {
  return (
    <ol className="xp-tables">
      {charts.map((c, i) => (
        <li key={i} className="xp-table" data-testid="chart-item">
          <button
            className="xp-table-head"
            title={`Show on page ${c.page}`}
            onClick={() => pointAt(docId, { ...c.box, page: c.page }, `Chart ${i + 1}`)}
          >
            <strong>Chart {i + 1}</strong>
            <span className="muted">
              page {c.page} · {c.kind} · {c.values.length} values
            </span>
          </button>
          <ChartView chart={c} />
        </li>
      ))}
    </ol>
  );
}

/** Draws one extracted item's box on its page (the shared highlights layer) and scrolls to it. */
function pointAt(docId: string, box: PageBox, label: string): void {
  const doc = activeDoc();
  showBoxes(docId, 'extract', [{ ...box, label }]);
  if (doc?.info.id === docId) revealBox(doc, box, 0);
}
