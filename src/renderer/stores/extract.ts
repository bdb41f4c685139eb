// Dates and tables of open documents, as the backend extracted them (asked once per document and kept while it
// is open), and the one extracted item the viewer points at.
import { create } from 'zustand';
import type { DateHit, ExportFormat, ExtractKind, Table } from '../../shared/domain.js';
import { api } from '../lib/api.js';

export const EXPORT_FORMATS: Array<{ format: ExportFormat; label: string }> = [
  { format: 'csv', label: 'CSV' },
  { format: 'xlsx', label: 'XLSX' },
  { format: 'json', label: 'JSON' },
  { format: 'md', label: 'Markdown' },
];

export type Loadable<T> =
  | { state: 'loading' }
  | { state: 'done'; value: T }
  | { state: 'error'; message: string; code: string | null };

export type ExtractView = 'document' | 'batch';

interface ExtractState {
  view: ExtractView;
  dates: Record<string, Loadable<DateHit[]>>;
  tables: Record<string, Loadable<Table[]>>;
}

export const useExtract = create<ExtractState>(() => ({
  view: 'document',
  dates: {},
  tables: {},
}));

export function setExtractView(view: ExtractView): void {
  useExtract.setState({ view });
}

function failure(e: unknown): { state: 'error'; message: string; code: string | null } {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : null;
  return { state: 'error', message: e instanceof Error ? e.message : String(e), code };
}

export async function loadDates(docId: string, force = false): Promise<void> {
  const now = useExtract.getState().dates[docId];
  if (!force && now && now.state !== 'error') return;
  useExtract.setState((s) => ({ dates: { ...s.dates, [docId]: { state: 'loading' } } }));
  let next: Loadable<DateHit[]>;
  try {
    next = { state: 'done', value: (await api.call('extract.dates', { docId })).dates };
  } catch (e) {
    next = failure(e);
  }
  useExtract.setState((s) => ({ dates: { ...s.dates, [docId]: next } }));
}

export async function loadTables(docId: string, force = false): Promise<void> {
  const now = useExtract.getState().tables[docId];
  if (!force && now && now.state !== 'error') return;
  useExtract.setState((s) => ({ tables: { ...s.tables, [docId]: { state: 'loading' } } }));
  let next: Loadable<Table[]>;
  try {
    next = { state: 'done', value: (await api.call('extract.tables', { docId })).tables };
  } catch (e) {
    next = failure(e);
  }
  useExtract.setState((s) => ({ tables: { ...s.tables, [docId]: next } }));
}

export function forgetExtract(docId: string): void {
  useExtract.setState((s) => {
    const dates = { ...s.dates };
    const tables = { ...s.tables };
    delete dates[docId];
    delete tables[docId];
    return { dates, tables };
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
