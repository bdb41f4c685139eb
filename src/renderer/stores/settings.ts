// Settings mirror: the backend owns them; this store holds the last value it returned. A change shows at once
// (the theme must apply immediately) and is put back if the backend refuses it.
import { create } from 'zustand';
import type { AppInfo } from '../../shared/contract.js';
import type { Settings } from '../../shared/domain.js';
import { DEFAULT_SETTINGS } from '../../shared/domain.js';
import { api } from '../lib/api.js';

export const useSettings = create<Settings>(() => ({ ...DEFAULT_SETTINGS }));

export async function loadSettings(): Promise<void> {
  useSettings.setState(await api.call('settings.get', {}));
}

export async function updateSettings(patch: Partial<Settings>): Promise<void> {
  const before = useSettings.getState();
  useSettings.setState(patch);
  try {
    useSettings.setState(await api.call('settings.set', patch));
  } catch (e) {
    const keys = Object.keys(patch) as Array<keyof Settings>;
    useSettings.setState(Object.fromEntries(keys.map((k) => [k, before[k]])) as Partial<Settings>);
    throw e;
  }
}

/** What the backend says about itself (data folder, whether it takes server-side paths); loaded once. */
export const useAppInfo = create<{ info: AppInfo | null; error: string | null }>(() => ({
  info: null,
  error: null,
}));

let infoRequest: Promise<void> | null = null;
export function loadAppInfo(): Promise<void> {
  infoRequest ??= api.call('app.info', {}).then(
    (info) => useAppInfo.setState({ info, error: null }),
    (e: unknown) => {
      infoRequest = null;
      useAppInfo.setState({ error: e instanceof Error ? e.message : String(e) });
    },
  );
  return infoRequest;
}
