// Settings mirror: the backend owns them; this store holds the last value it returned.
import { create } from 'zustand';
import type { Settings } from '../../shared/domain.js';
import { DEFAULT_SETTINGS } from '../../shared/domain.js';
import { api } from '../lib/api.js';

export const useSettings = create<Settings>(() => ({ ...DEFAULT_SETTINGS }));

export async function loadSettings(): Promise<void> {
  useSettings.setState(await api.call('settings.get', {}));
}

export async function updateSettings(patch: Partial<Settings>): Promise<void> {
  useSettings.setState(await api.call('settings.set', patch));
}
