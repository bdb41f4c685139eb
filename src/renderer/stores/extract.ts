// Dates and tables of open documents, as the backend extracted them (asked once per document and kept while it
// is open), and the one extracted item the viewer points at.
import { create } from 'zustand';
import type { Chart } from '../../shared/charts.js';
import type { DateHit, ExportFormat, ExtractKind, Table } from '../../shared/domain.js';
import { api } from '../lib/api.js';

export const EXPORT_FORMATS: Array<{ format: ExportFormat; label: string }> = [
  { format: 'csv', label: 'CSV' },
  { format: 'xlsx', label: 'XLSX' },
  { format: 'json', label: 'JSON' },
  { format: 'md', label: 'Markdown' },
];

export type Loadable<T> =
  /** Reading: `done` of `total` pages so far (total 0 until the backend's first report); `runId` stops it. */
  | { state: 'loading'; runId: string; done: number; total: number }
  | { state: 'done'; value: T }
  | { state: 'error'; message: string; code: string | null };

export type ExtractView = 'document' | 'batch';

interface ExtractState {
  view: ExtractView;
  dates: Record<string, Loadable<DateHit[]>>;
  tables: Record<string, Loadable<Table[]>>;
  charts: Record<string, Loadable<Chart[]>>;
}

export const useExtract = create<ExtractState>(() => ({
  view: 'document',
  dates: {},
  tables: {},
  charts: {},
}));

export function setExtractView(view: ExtractView): void {
  useExtract.setState({ view });
}

function failure(e: unknown): { state: 'error'; message: string; code: string | null } {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : null;
  return { state: 'error', message: e instanceof Error ? e.message : String(e), code };
}

let nextRun = 1;

/**
 * Asks the backend for one document's dates or tables with a runId: its extract.progress events fill in the
 * page count as pages are read, and stopExtract ends it (the section then says it was stopped).
 */
async function load(kind: ExtractKind, docId: string, force: boolean): Promise<void> {
  const now = useExtract.getState()[kind][docId];
  if (now?.state === 'loading') return;
  // Kept unless forced: a result, and a run the user stopped (coming back to the tab does not restart it).
  if (!force && now && (now.state !== 'error' || now.code === 'cancelled')) return;
  const runId = `${kind}-${Date.now().toString(36)}-${nextRun++}`;
  const set = (v: Loadable<DateHit[]> | Loadable<Table[]> | Loadable<Chart[]>) =>
    useExtract.setState((s) => ({ [kind]: { ...s[kind], [docId]: v } }));
  set({ state: 'loading', runId, done: 0, total: 0 });
  const off = api.on((event) => {
    if (event.type !== 'extract.progress' || event.payload.runId !== runId) return;
    const cur = useExtract.getState()[kind][docId];
    if (cur?.state === 'loading' && cur.runId === runId && event.payload.done >= cur.done)
      set({ ...cur, done: event.payload.done, total: event.payload.total });
  });
  let next: Loadable<DateHit[]> | Loadable<Table[]> | Loadable<Chart[]>;
  try {
    next =
      kind === 'dates'
        ? { state: 'done', value: (await api.call('extract.dates', { docId, runId })).dates }
        : kind === 'charts'
          ? { state: 'done', value: (await api.call('extract.charts', { docId, runId })).charts }
          : { state: 'done', value: (await api.call('extract.tables', { docId, runId })).tables };
  } catch (e) {
    next = failure(e);
  } finally {
    off();
  }
  // A document closed meanwhile is not brought back.
  const cur = useExtract.getState()[kind][docId];
  if (cur?.state === 'loading' && cur.runId === runId) set(next);
}

export function loadDates(docId: string, force = false): Promise<void> {
  return load('dates', docId, force);
}

export function loadTables(docId: string, force = false): Promise<void> {
  return load('tables', docId, force);
}

export function loadCharts(docId: string, force = false): Promise<void> {
  return load('charts', docId, force);
}

/** Stops a document's running dates or tables extraction. */
export async function stopExtract(kind: ExtractKind, docId: string): Promise<void> {
  const cur = useExtract.getState()[kind][docId];
  if (cur?.state !== 'loading') return;
  await api.call('extract.stop', { runId: cur.runId }).catch(() => undefined);
}

export function forgetExtract(docId: string): void {
  useExtract.setState((s) => {
    const dates = { ...s.dates };
    const tables = { ...s.tables };
    const charts = { ...s.charts };
    delete dates[docId];
    delete tables[docId];
    delete charts[docId];
    return { dates, tables, charts };
  });
}

/** Asks the backend for an export of one document and hands the bytes to the browser as a download. */
export async function exportDocument(
  docId: string,
  kind: ExtractKind,
  format: ExportFormat,
): Promise<string> {
  const file = await api.call('extract.export', { docId, kind, format });
  const url = URL.createObjectURL(new Blob([file.bytes.slice()], { type: file.mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return file.name;
}
