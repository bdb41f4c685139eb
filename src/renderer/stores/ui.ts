// UI state that no backend owns: toasts, the side panel, the password prompt. Actions at module level so
// non-React code and tests call them.
import { create } from 'zustand';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  title: string;
  message: string;
}

export type PanelName = 'ask' | 'find' | 'extract' | 'models' | 'settings';

export interface PasswordRequest {
  name: string;
  retry: (password: string) => Promise<void>;
  wrong: boolean;
}

interface UiState {
  toasts: Toast[];
  panel: PanelName;
  password: PasswordRequest | null;
}

export const useUi = create<UiState>(() => ({ toasts: [], panel: 'ask', password: null }));

/** At most this many toasts show at once: a new one pushes the oldest out. */
export const MAX_TOASTS = 3;
/** How long a toast stays: errors longer (there is more to read), but they expire too; each has a close button. */
export const TOAST_MS = { info: 5_000, error: 10_000 } as const;

let nextToast = 1;
export function toast(kind: Toast['kind'], title: string, message: string): void {
  const id = nextToast++;
  useUi.setState((s) => ({
    toasts: [
      // The same message again replaces its earlier copy instead of stacking a duplicate.
      ...s.toasts.filter((t) => t.title !== title || t.message !== message).slice(-(MAX_TOASTS - 1)),
      { id, kind, title, message },
    ],
  }));
  setTimeout(() => dismissToast(id), TOAST_MS[kind]);
}

export function dismissToast(id: number): void {
  useUi.setState((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
}

export function setPanel(panel: PanelName): void {
  useUi.setState({ panel });
}

export function askPassword(req: PasswordRequest | null): void {
  useUi.setState({ password: req });
}
