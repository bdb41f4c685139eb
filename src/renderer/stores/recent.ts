// Recent files of the renderer: paths opened with documents.open (File → Open in Electron, Open Recent, a
// path typed where the backend takes paths). Kept in localStorage; shown only where app.info says the
// backend takes paths (Electron always; headless mode only with --allow-paths).
import { create } from 'zustand';

const KEY = 'doclens.recent';
const MAX = 10;

export interface RecentEntry {
  path: string;
  name: string;
}

function load(): RecentEntry[] {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(raw)
      ? raw.filter((r): r is RecentEntry => typeof (r as RecentEntry | null)?.path === 'string').slice(0, MAX)
      : [];
  } catch {
    return [];
  }
}

export const useRecent = create<{ items: RecentEntry[] }>(() => ({ items: load() }));

export function baseName(path: string): string {
  return path.split(/[/\\]/).pop() ?? path;
}

export function rememberRecent(path: string): void {
  const items = [
    { path, name: baseName(path) },
    ...useRecent.getState().items.filter((r) => r.path !== path),
  ].slice(0, MAX);
  useRecent.setState({ items });
  try {
    localStorage.setItem(KEY, JSON.stringify(items));
  } catch {
    // Storage full or disabled: the list still lives for this session.
  }
}

export function clearRecent(): void {
  useRecent.setState({ items: [] });
  localStorage.removeItem(KEY);
}
