// Window bounds and maximised state, saved in the data folder and restored on the next start — clamped so
// that a window saved on a monitor that is gone (or a resolution that shrank) comes back fully reachable.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  /** Absent on the first start: the OS places the window. */
  bounds: { x?: number; y?: number; width: number; height: number };
  maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1360, height: 900 };
export const MIN_SIZE = { width: 800, height: 560 };
/** How much of the title bar must lie on a display for the saved position to be kept. */
const GRAB = 48;

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Reads a saved state leniently: anything malformed gives the defaults. */
export function parseWindowState(raw: unknown): WindowState {
  const fallback: WindowState = { bounds: { ...DEFAULT_SIZE }, maximized: false };
  if (typeof raw !== 'object' || raw === null) return fallback;
  const r = raw as { bounds?: Partial<Record<keyof Rect, unknown>>; maximized?: unknown };
  const b = r.bounds;
  if (!b || !isNum(b.width) || !isNum(b.height) || b.width <= 0 || b.height <= 0) return fallback;
  const bounds =
    isNum(b.x) && isNum(b.y)
      ? { x: b.x, y: b.y, width: b.width, height: b.height }
      : { width: b.width, height: b.height };
  return { bounds, maximized: r.maximized === true };
}

function overlap(a: Rect, b: Rect): { w: number; h: number } {
  return {
    w: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    h: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/**
 * Where the window opens, given the displays' work areas (the first is the primary). The size never exceeds
 * the chosen display nor goes under the minimum; the position is kept when the title bar's top strip is on a
 * display (moved just enough to be fully on it), otherwise the window is centred on the primary display.
 */
export function clampToDisplays(
  state: WindowState,
  workAreas: readonly Rect[],
  min: { width: number; height: number } = MIN_SIZE,
): Rect | { width: number; height: number } {
  const primary = workAreas[0];
  const b = state.bounds;
  if (!primary) return { width: Math.max(min.width, b.width), height: Math.max(min.height, b.height) };
  const fit = (area: Rect) => ({
    width: Math.min(area.width, Math.max(min.width, b.width)),
    height: Math.min(area.height, Math.max(min.height, b.height)),
  });
  if (isNum(b.x) && isNum(b.y)) {
    const titleBar: Rect = { x: b.x, y: b.y, width: b.width, height: GRAB };
    const home = workAreas.find((a) => {
      const o = overlap(titleBar, a);
      return o.w >= GRAB && o.h >= GRAB / 2;
    });
    if (home) {
      const size = fit(home);
      const x = Math.min(Math.max(b.x, home.x), home.x + home.width - size.width);
      const y = Math.min(Math.max(b.y, home.y), home.y + home.height - size.height);
      return { x, y, ...size };
    }
  }
  const size = fit(primary);
  return {
    x: Math.round(primary.x + (primary.width - size.width) / 2),
    y: Math.round(primary.y + (primary.height - size.height) / 2),
    ...size,
  };
}

/** The saved state in `dataDir/window-state.json`, written atomically. */
export class WindowStateFile {
  readonly file: string;
  constructor(dataDir: string) {
    this.file = join(dataDir, 'window-state.json');
  }

  load(): WindowState {
    try {
      return parseWindowState(JSON.parse(readFileSync(this.file, 'utf8')));
    } catch {
      return parseWindowState(null);
    }
  }

  save(state: WindowState): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(state, null, 2));
    renameSync(tmp, this.file);
  }
}

/** What to save from a window: its normal (un-maximised) bounds, so un-maximising later restores them. */
export function captureState(win: {
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  isFullScreen(): boolean;
}): WindowState {
  return { bounds: win.getNormalBounds(), maximized: win.isMaximized() || win.isFullScreen() };
}
