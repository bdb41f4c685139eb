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

let nextToast = 1;
export function toast(kind: Toast['kind'], title: string, message: string): void {
  const id = nextToast++;
  useUi.setState((s) => ({ toasts: [...s.toasts.slice(-4), { id, kind, title, message }] }));
  setTimeout(() => dismissToast(id), kind === 'error' ? 12_000 : 5_000);
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
