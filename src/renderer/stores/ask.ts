// Questions and answers (and find-object requests) per document. The backend streams each answer as events;
// this store folds them into the history and hands the shown answer's boxes to the highlights store.
import { create } from 'zustand';
import { ApiError } from '../../shared/api-client.js';
import type { AppEvent } from '../../shared/contract.js';
import type { Answer, AskScope } from '../../shared/domain.js';
import { api } from '../lib/api.js';
import { clearBoxes, showBoxes } from './highlights.js';

export type AskKind = 'ask' | 'find';

export interface AskEntry {
  /** Local id, stable before the backend's askId is known. */
  key: number;
  kind: AskKind;
  askId: string | null;
  docId: string;
  question: string;
  scope: AskScope;
  status: 'running' | 'done' | 'error' | 'cancelled';
  text: string;
  answer: Answer | null;
  error: string | null;
  errorCode: string | null;
  /** Reading the asked pages before answering (OCR on scans takes seconds): null until the backend reports. */
  progress: { done: number; total: number; ocr: boolean } | null;
}

interface AskState {
  entries: AskEntry[];
  /** Key of the entry whose boxes are drawn. */
  shown: number | null;
}

export const useAsk = create<AskState>(() => ({ entries: [], shown: null }));

let nextKey = 1;

function patch(where: (e: AskEntry) => boolean, f: (e: AskEntry) => AskEntry): void {
  useAsk.setState((s) => ({ entries: s.entries.map((e) => (where(e) ? f(e) : e)) }));
}

// Events can overtake the reply that names their askId (HTTP: the reply and the event stream are separate
// connections), so events for an id not seen yet wait here and are replayed when the id arrives.
const early = new Map<string, AppEvent[]>();

function askIdOf(event: AppEvent): string | null {
  return event.type === 'ask.token' ||
    event.type === 'ask.done' ||
    event.type === 'ask.error' ||
    event.type === 'ask.progress'
    ? event.payload.askId
    : null;
}

export function onAskEvent(event: AppEvent): void {
  const id = askIdOf(event);
  if (id === null) return;
  if (!useAsk.getState().entries.some((e) => e.askId === id)) {
    const list = early.get(id) ?? [];
    list.push(event);
    early.set(id, list);
    if (early.size > 64) early.delete(early.keys().next().value ?? '');
    return;
  }
  apply(event);
}

function syncHighlights(): void {
  const { entries, shown } = useAsk.getState();
  const e = entries.find((x) => x.key === shown);
  if (e?.answer && e.answer.boxes.length > 0) showBoxes(e.docId, e.kind, e.answer.boxes);
  else {
    clearBoxes('ask');
    clearBoxes('find');
  }
}

function apply(event: AppEvent): void {
  if (event.type === 'ask.progress') {
    const { askId, done, total, source } = event.payload;
    patch(
      (e) => e.askId === askId && e.status === 'running',
      (e) => ({ ...e, progress: { done, total, ocr: (e.progress?.ocr ?? false) || source === 'ocr' } }),
    );
  } else if (event.type === 'ask.token') {
    const { askId, text } = event.payload;
    patch(
      (e) => e.askId === askId && e.status === 'running',
      (e) => ({ ...e, text: e.text + text }),
    );
  } else if (event.type === 'ask.done') {
    const { askId, answer } = event.payload;
    patch(
      (e) => e.askId === askId,
      (e) => ({ ...e, status: 'done', text: answer.text, answer }),
    );
    const entry = useAsk.getState().entries.find((e) => e.askId === askId);
    if (entry && useAsk.getState().shown === entry.key) syncHighlights();
  } else if (event.type === 'ask.error') {
    const { askId, error } = event.payload;
    patch(
      (e) => e.askId === askId,
      (e) => ({
        ...e,
        status: error.code === 'cancelled' ? 'cancelled' : 'error',
        error: error.message,
        errorCode: error.code,
      }),
    );
  }
}

function message(e: unknown): { text: string; code: string } {
  if (e instanceof ApiError) return { text: e.message, code: e.code };
  return { text: e instanceof Error ? e.message : String(e), code: 'internal' };
}

async function begin(
  kind: AskKind,
  docId: string,
  question: string,
  scope: AskScope,
  start: () => Promise<{ askId: string }>,
): Promise<void> {
  const key = nextKey++;
  const entry: AskEntry = {
    key,
    kind,
    askId: null,
    docId,
    question,
    scope,
    status: 'running',
    text: '',
    answer: null,
    error: null,
    errorCode: null,
    progress: null,
  };
  useAsk.setState((s) => ({ entries: [...s.entries, entry], shown: key }));
  syncHighlights();
  try {
    const { askId } = await start();
    patch(
      (e) => e.key === key,
      (e) => ({ ...e, askId }),
    );
    const waiting = early.get(askId) ?? [];
    early.delete(askId);
    for (const ev of waiting) apply(ev);
  } catch (e) {
    const m = message(e);
    patch(
      (x) => x.key === key,
      (x) => ({ ...x, status: 'error', error: m.text, errorCode: m.code }),
    );
  }
}

export function ask(docId: string, question: string, scope: AskScope): Promise<void> {
  return begin('ask', docId, question, scope, () => api.call('ask.start', { docId, question, scope }));
}

/** `tiles`: also look at tiles of a page larger than one image (small objects; a model run per tile). */
export function findObjects(docId: string, page: number, objects: string[], tiles = false): Promise<void> {
  return begin('find', docId, objects.join(', '), { kind: 'page', page }, () =>
    api.call('ground.start', { docId, page, objects, tiling: tiles ? 'auto' : 'off' }),
  );
}

export async function cancelAsk(askId: string): Promise<void> {
  await api.call('ask.cancel', { askId }).catch(() => undefined);
}

export function showAnswer(key: number | null): void {
  useAsk.setState({ shown: key });
  syncHighlights();
}

export function forgetDocument(docId: string): void {
  useAsk.setState((s) => ({ entries: s.entries.filter((e) => e.docId !== docId), shown: null }));
  syncHighlights();
}
