// Open documents and how each is viewed (zoom, fit, current page). The backend owns the documents; this is
// their mirror plus view state.
import { create } from 'zustand';
import type { SampleName } from '../../shared/contract.js';
import { ApiError } from '../../shared/api-client.js';
import type { DocumentInfo } from '../../shared/domain.js';
import { api } from '../lib/api.js';
import { forgetPassword, rememberPassword } from '../lib/doc-source.js';
import { unloadPdf } from '../lib/pdf.js';
import { forgetDocument } from './ask.js';
import { forgetExtract } from './extract.js';
import { rememberRecent } from './recent.js';
import { askPassword, toast } from './ui.js';

export type Fit = 'width' | 'page' | null;

export interface OpenDoc {
  info: DocumentInfo;
  zoom: number;
  fit: Fit;
  page: number;
  /** View rotation, clockwise degrees: 0, 90, 180 or 270 (the document itself is not changed). */
  rotation: number;
}

interface DocumentsState {
  docs: OpenDoc[];
  activeId: string | null;
  opening: number;
}

export const useDocuments = create<DocumentsState>(() => ({ docs: [], activeId: null, opening: 0 }));

/**
 * Where each document's viewer was scrolled when its tab was left (the viewer is remounted per tab), with the
 * zoom and rotation it was laid out at: switching back restores it, so the page shown, the page indicator, the
 * thumbnails and Ask's "this page" (all `OpenDoc.page`) agree. Not React state: scrolling re-renders nothing.
 */
export const viewScrolls = new Map<string, { top: number; left: number; zoom: number; rotation: number }>();

export const ZOOM_STEPS = [0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4, 5];

export function activeDoc(s: DocumentsState = useDocuments.getState()): OpenDoc | null {
  return s.docs.find((d) => d.info.id === s.activeId) ?? null;
}

/**
 * The backend found, after opening, that a document lost part of a page (a render, OCR or a rulings walk): its
 * tab shows the partial marker, and the first time it turns partial one toast says what was lost.
 */
function changed(info: DocumentInfo): void {
  const was = useDocuments.getState().docs.find((d) => d.info.id === info.id);
  if (!was) return;
  patchDoc(info.id, { info: { ...was.info, status: info.status, warnings: info.warnings } });
  if (info.status === 'partial' && was.info.status !== 'partial')
    toast('info', `${info.name}: part of a page could not be read`, info.warnings.join(' '));
}

let watching = false;
/** Subscribes the store to `documents.changed` once for the life of the window (at the first open). */
function watchDocuments(): void {
  if (watching) return;
  watching = true;
  api.on((e) => {
    if (e.type === 'documents.changed') changed(e.payload);
  });
}

function added(info: DocumentInfo, password?: string): void {
  watchDocuments();
  rememberPassword(info.id, password);
  useDocuments.setState((s) => ({
    docs: [...s.docs, { info, zoom: 1, fit: 'width', page: 1, rotation: 0 }],
    activeId: info.id,
  }));
  if (info.status === 'partial')
    toast('info', `${info.name} opened partly`, info.warnings.join(' ') || 'Some pages could not be read.');
}

const ERROR_TITLES: Record<string, string> = {
  empty_file: 'The file is empty',
  unsupported_format: 'Not a PDF or image DocLens can read',
  corrupt: 'The file is damaged',
  too_large: 'The file is too large',
  timeout: 'The file took too long to read',
  needs_password: 'The PDF needs a password',
};

function reportOpenError(name: string, e: unknown): void {
  const code = e instanceof ApiError ? e.code : 'internal';
  const message = e instanceof Error ? e.message : String(e);
  toast('error', ERROR_TITLES[code] ?? `Could not open ${name}`, message);
}

async function withOpening<T>(f: () => Promise<T>): Promise<T> {
  useDocuments.setState((s) => ({ opening: s.opening + 1 }));
  try {
    return await f();
  } finally {
    useDocuments.setState((s) => ({ opening: s.opening - 1 }));
  }
}

/** Opens files picked or dropped in the UI: their bytes are uploaded to the backend. */
export async function openFiles(files: readonly File[]): Promise<void> {
  for (const file of files) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const attempt = async (password?: string): Promise<void> => {
      try {
        added(
          await withOpening(() => api.call('documents.upload', { name: file.name, bytes, password })),
          password,
        );
        askPassword(null);
      } catch (e) {
        if (e instanceof ApiError && (e.code === 'needs_password' || e.code === 'wrong_password')) {
          askPassword({ name: file.name, retry: attempt, wrong: e.code === 'wrong_password' });
          return;
        }
        askPassword(null);
        reportOpenError(file.name, e);
      }
    };
    await attempt();
  }
}

/** Opens a path (Electron: File → Open, Open Recent, files from the OS). */
export async function openPath(path: string): Promise<void> {
  const name = path.split(/[/\\]/).pop() ?? path;
  const attempt = async (password?: string): Promise<void> => {
    try {
      added(await withOpening(() => api.call('documents.open', { path, password })), password);
      rememberRecent(path);
      askPassword(null);
    } catch (e) {
      if (e instanceof ApiError && (e.code === 'needs_password' || e.code === 'wrong_password')) {
        askPassword({ name, retry: attempt, wrong: e.code === 'wrong_password' });
        return;
      }
      askPassword(null);
      reportOpenError(name, e);
    }
  };
  await attempt();
}

export async function openSample(name: SampleName): Promise<void> {
  try {
    added(await withOpening(() => api.call('documents.openSample', { name })));
  } catch (e) {
    reportOpenError(name, e);
  }
}

export async function closeDocument(id: string): Promise<void> {
  useDocuments.setState((s) => {
    const i = s.docs.findIndex((d) => d.info.id === id);
    const docs = s.docs.filter((d) => d.info.id !== id);
    const activeId = s.activeId === id ? (docs[Math.min(i, docs.length - 1)]?.info.id ?? null) : s.activeId;
    return { docs, activeId };
  });
  forgetDocument(id);
  forgetExtract(id);
  await unloadPdf(id);
  forgetPassword(id);
  viewScrolls.delete(id);
  await api.call('documents.close', { docId: id }).catch(() => undefined);
}

export function activate(id: string): void {
  useDocuments.setState({ activeId: id });
}

function patchDoc(id: string, patch: Partial<OpenDoc>): void {
  useDocuments.setState((s) => ({ docs: s.docs.map((d) => (d.info.id === id ? { ...d, ...patch } : d)) }));
}

export function setZoom(id: string, zoom: number): void {
  patchDoc(id, { zoom: Math.min(5, Math.max(0.1, zoom)), fit: null });
}

export function zoomStep(id: string, dir: 1 | -1): void {
  const doc = useDocuments.getState().docs.find((d) => d.info.id === id);
  if (!doc) return;
  const z = doc.zoom;
  const next =
    dir > 0 ? ZOOM_STEPS.find((s) => s > z + 1e-6) : [...ZOOM_STEPS].reverse().find((s) => s < z - 1e-6);
  setZoom(id, next ?? z);
}

export function setFit(id: string, fit: Fit, zoom: number): void {
  patchDoc(id, { fit, zoom });
}

export function setPage(id: string, page: number): void {
  patchDoc(id, { page });
}

/** Turns the view of a document a quarter turn clockwise (1) or counter-clockwise (-1). */
export function rotate(id: string, dir: 1 | -1): void {
  const doc = useDocuments.getState().docs.find((d) => d.info.id === id);
  if (doc) patchDoc(id, { rotation: (((doc.rotation + dir * 90) % 360) + 360) % 360 });
}
