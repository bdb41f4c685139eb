// What each command in src/shared/commands.ts does in the renderer: its `run` and `when`. One keyboard
// handler is derived from the list, the command palette lists it, and Electron's menu (built by main from the
// same shared list) asks for commands here by id through `app.command` events.
import { create } from 'zustand';
import type { CommandId, CommandSpec } from '../shared/commands.js';
import { COMMANDS, isCommandId, matchesShortcut, parseShortcut } from '../shared/commands.js';
import { isElectron } from './lib/api.js';
import { scrollToPage } from './components/Viewer.js';
import {
  activate,
  activeDoc,
  closeDocument,
  openPath,
  rotate,
  setFit,
  setPage,
  setZoom,
  useDocuments,
  zoomStep,
} from './stores/documents.js';
import type { OpenDoc } from './stores/documents.js';
import { updateSettings, useSettings } from './stores/settings.js';
import { setPanel, toast } from './stores/ui.js';

export interface Command extends CommandSpec {
  /** Whether the command can run now (e.g. a document is open); the palette hides it otherwise. */
  when?(): boolean;
  run(): void;
}

export const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

// ---- the palette's open state ---------------------------------------------------------------------------

export const usePalette = create<{ open: boolean }>(() => ({ open: false }));
export function setPaletteOpen(open: boolean): void {
  usePalette.setState({ open });
}

// ---- actions --------------------------------------------------------------------------------------------

function withDoc(f: (doc: OpenDoc) => void): { when(): boolean; run(): void } {
  return {
    when: () => activeDoc() !== null,
    run: () => {
      const doc = activeDoc();
      if (doc) f(doc);
    },
  };
}

function cycleTab(dir: 1 | -1): void {
  const { docs, activeId } = useDocuments.getState();
  const i = docs.findIndex((d) => d.info.id === activeId);
  const next = docs[(i + dir + docs.length) % docs.length];
  if (next) activate(next.info.id);
}

function goToPage(doc: OpenDoc, dir: 1 | -1): void {
  const page = Math.min(doc.info.pageCount, Math.max(1, doc.page + dir));
  if (page === doc.page) return;
  setPage(doc.info.id, page);
  scrollToPage(page);
}

/** Focuses an element once React has drawn it (the panel may only just have been chosen). */
function focusSoon(selector: string): void {
  let tries = 0;
  const attempt = () => {
    const el = document.querySelector<HTMLElement>(selector);
    if (el) el.focus();
    else if (tries++ < 20) requestAnimationFrame(attempt);
  };
  requestAnimationFrame(attempt);
}

function effectiveTheme(): 'light' | 'dark' {
  const t = useSettings.getState().theme;
  if (t !== 'system') return t;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

const ACTIONS: Record<CommandId, { when?(): boolean; run(): void }> = {
  open: {
    run: () => document.querySelector<HTMLInputElement>('[data-testid="file-input"]')?.click(),
  },
  'close-document': withDoc((d) => void closeDocument(d.info.id)),
  'zoom-in': withDoc((d) => zoomStep(d.info.id, 1)),
  'zoom-out': withDoc((d) => zoomStep(d.info.id, -1)),
  'zoom-reset': withDoc((d) => setZoom(d.info.id, 1)),
  'fit-width': withDoc((d) => setFit(d.info.id, 'width', d.zoom)),
  'fit-page': withDoc((d) => setFit(d.info.id, 'page', d.zoom)),
  'rotate-cw': withDoc((d) => rotate(d.info.id, 1)),
  'rotate-ccw': withDoc((d) => rotate(d.info.id, -1)),
  'toggle-theme': {
    run: () =>
      void updateSettings({ theme: effectiveTheme() === 'dark' ? 'light' : 'dark' }).catch((e: unknown) =>
        toast('error', 'Could not change the theme', e instanceof Error ? e.message : String(e)),
      ),
  },
  palette: { run: () => setPaletteOpen(!usePalette.getState().open) },
  'next-page': withDoc((d) => goToPage(d, 1)),
  'previous-page': withDoc((d) => goToPage(d, -1)),
  'next-document': { when: () => useDocuments.getState().docs.length > 1, run: () => cycleTab(1) },
  'previous-document': { when: () => useDocuments.getState().docs.length > 1, run: () => cycleTab(-1) },
  ask: {
    run: () => {
      setPanel('ask');
      focusSoon('textarea[aria-label="Question"]');
    },
  },
  find: {
    run: () => {
      setPanel('find');
      focusSoon('input[aria-label="Objects to find"]');
    },
  },
  extract: { run: () => setPanel('extract') },
  models: { run: () => setPanel('models') },
  settings: { run: () => setPanel('settings') },
};

/**
 * In a browser (headless mode) some shortcuts belong to the browser and never reach the page: Ctrl+W closes
 * the browser tab, Ctrl+1/2 switch browser tabs, Ctrl+O opens the browser's own file dialog. There these
 * commands show keys a browser leaves to the page (in the palette and tooltips); the usual keys still work
 * where the browser passes them on.
 */
export const BROWSER_SHORTCUTS: Partial<Record<CommandId, string>> = {
  open: 'Alt+O',
  'close-document': 'Alt+W',
  'zoom-reset': 'Mod+Alt+1',
  'fit-width': 'Mod+Alt+2',
  'fit-page': 'Mod+Alt+0',
};

/** A command's spec as this app shows it: in a browser, the browser-safe key first, the usual one kept as an alias. */
function forHere(spec: CommandSpec & { id: CommandId }): CommandSpec & { id: CommandId } {
  const safe = isElectron ? undefined : BROWSER_SHORTCUTS[spec.id];
  if (!safe) return spec;
  const aliases = [spec.shortcut, ...(spec.aliases ?? [])].filter((k): k is string => k !== null);
  return { ...spec, shortcut: safe, aliases };
}

export const commands: readonly Command[] = COMMANDS.map((spec) => ({
  ...forHere(spec),
  ...ACTIONS[spec.id],
}));

export function commandById(id: string): Command | undefined {
  return isCommandId(id) ? commands.find((c) => c.id === id) : undefined;
}

/** Runs a command by id (a menu click arrives this way); false when it is unknown or cannot run now. */
export function runCommand(id: string): boolean {
  const c = commandById(id);
  if (!c || (c.when && !c.when())) return false;
  c.run();
  return true;
}

/** Commands for a path the backend can open: the palette's recent files and a typed path. */
export function openPathCommand(path: string, title: string): Command {
  return { id: `open-path:${path}`, title, shortcut: null, section: 'File', run: () => void openPath(path) };
}

/**
 * Select all (Mod+A) outside a text field selects the current page's text layer, not the whole window's
 * buttons and labels; a page without text (an image) selects nothing. False when nothing was selected.
 */
function selectPageText(): boolean {
  const doc = activeDoc();
  const layer = doc
    ? document.querySelector(`[data-testid="viewer"] [data-page="${doc.page}"] [data-testid="text-layer"]`)
    : null;
  const selection = window.getSelection();
  if (!selection) return false;
  selection.removeAllRanges();
  if (!layer?.textContent) return false;
  const range = document.createRange();
  range.selectNodeContents(layer);
  selection.addRange(range);
  return true;
}

// ---- the keyboard handler -------------------------------------------------------------------------------

const bindings = commands.flatMap((c) =>
  [c.shortcut, ...(c.aliases ?? [])]
    .filter((s): s is string => s !== null)
    .map((s) => ({ command: c, shortcut: parseShortcut(s) })),
);

function inTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement)
    return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset', 'file', 'color'].includes(
      target.type,
    );
  return false;
}

/**
 * The one keydown handler: finds the command whose shortcut this is and runs it. Plain keys (R, N, P…) are
 * left alone while typing in a field; shortcuts with Mod work everywhere. In Electron, Open… is the menu's
 * own accelerator (main shows the native dialog), so the page leaves that key to it.
 */
export function onKeyDown(e: KeyboardEvent): void {
  if (e.defaultPrevented || e.isComposing) return;
  const typing = inTextField(e.target);
  if (!typing && matchesShortcut(e, 'Mod+A', isMac)) {
    e.preventDefault();
    selectPageText();
    return;
  }
  for (const { command, shortcut } of bindings) {
    if (!matchesShortcut(e, shortcut, isMac)) continue;
    if (typing && !shortcut.mod && !shortcut.ctrl) return;
    if (isElectron && command.id === 'open') return;
    if (command.when && !command.when()) return;
    e.preventDefault();
    command.run();
    return;
  }
}
