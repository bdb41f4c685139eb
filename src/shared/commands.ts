// The app's commands as data: id, title, shortcut and section. The renderer adds what each one does (its
// `run` and `when`); Electron main builds the menu from this same list. Shortcuts are written once in a
// platform-neutral form — `Mod` is ⌘ on macOS and Ctrl elsewhere — and turned into key matching for the
// renderer, display text for the palette and accelerators for Electron's menu here, in pure functions.

export type CommandSection = 'File' | 'View' | 'Go' | 'Tools';

export interface CommandSpec {
  id: string;
  title: string;
  /** The shortcut shown in the palette and the menu, e.g. `Mod+Shift+P`; null when there is none. */
  shortcut: string | null;
  /** Further shortcuts that run the command too (never shown in the menu). */
  aliases?: readonly string[];
  section: CommandSection;
}

export const COMMANDS = [
  { id: 'open', title: 'Open…', shortcut: 'Mod+O', section: 'File' },
  { id: 'close-document', title: 'Close document', shortcut: 'Mod+W', section: 'File' },
  { id: 'zoom-in', title: 'Zoom in', shortcut: 'Mod+=', aliases: ['Mod++'], section: 'View' },
  { id: 'zoom-out', title: 'Zoom out', shortcut: 'Mod+-', section: 'View' },
  { id: 'zoom-reset', title: 'Actual size (100 %)', shortcut: 'Mod+1', section: 'View' },
  { id: 'fit-width', title: 'Fit width', shortcut: 'Mod+2', section: 'View' },
  { id: 'fit-page', title: 'Fit page', shortcut: 'Mod+0', section: 'View' },
  { id: 'rotate-cw', title: 'Rotate clockwise', shortcut: 'R', section: 'View' },
  { id: 'rotate-ccw', title: 'Rotate counter-clockwise', shortcut: 'Shift+R', section: 'View' },
  { id: 'toggle-theme', title: 'Toggle light / dark theme', shortcut: 'Mod+Shift+L', section: 'View' },
  {
    id: 'palette',
    title: 'Command palette…',
    shortcut: 'Mod+K',
    aliases: ['Mod+Shift+P'],
    section: 'View',
  },
  { id: 'next-page', title: 'Next page', shortcut: 'N', section: 'Go' },
  { id: 'previous-page', title: 'Previous page', shortcut: 'P', section: 'Go' },
  { id: 'next-document', title: 'Next document tab', shortcut: 'Mod+Alt+ArrowRight', section: 'Go' },
  {
    id: 'previous-document',
    title: 'Previous document tab',
    shortcut: 'Mod+Alt+ArrowLeft',
    section: 'Go',
  },
  { id: 'ask', title: 'Ask a question', shortcut: 'Mod+Shift+A', section: 'Tools' },
  { id: 'find', title: 'Find in image', shortcut: 'Mod+Shift+F', section: 'Tools' },
  { id: 'extract', title: 'Extract dates and tables', shortcut: 'Mod+Shift+E', section: 'Tools' },
  { id: 'models', title: 'Models', shortcut: 'Mod+Shift+M', section: 'Tools' },
  { id: 'settings', title: 'Settings', shortcut: 'Mod+,', section: 'Tools' },
] as const satisfies readonly CommandSpec[];

export type CommandId = (typeof COMMANDS)[number]['id'];

export const SECTIONS: readonly CommandSection[] = ['File', 'View', 'Go', 'Tools'];

export function isCommandId(id: string): id is CommandId {
  return COMMANDS.some((c) => c.id === id);
}

// ---- shortcuts ------------------------------------------------------------------------------------------

export interface Shortcut {
  mod: boolean;
  ctrl: boolean;
  shift: boolean;
  alt: boolean;
  /** The key as KeyboardEvent.key names it, lower-cased when it is one character. */
  key: string;
}

/** Parses `Mod+Shift+P` (modifiers in any order, the key last; `Mod++` is Mod and the plus key). */
export function parseShortcut(text: string): Shortcut {
  const parts = text.endsWith('++') ? [...text.slice(0, -2).split('+'), '+'] : text.split('+');
  const key = parts.pop();
  if (!key) throw new Error(`shortcut "${text}" has no key`);
  const s: Shortcut = { mod: false, ctrl: false, shift: false, alt: false, key: normKey(key) };
  for (const m of parts) {
    if (m === 'Mod') s.mod = true;
    else if (m === 'Ctrl') s.ctrl = true;
    else if (m === 'Shift') s.shift = true;
    else if (m === 'Alt') s.alt = true;
    else throw new Error(`shortcut "${text}": unknown modifier "${m}"`);
  }
  return s;
}

function normKey(key: string): string {
  return key.length === 1 ? key.toLowerCase() : key;
}

export interface KeyLike {
  key: string;
  code?: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** Whether a keydown is this shortcut. `Mod` is metaKey on macOS and ctrlKey elsewhere; no extra modifier may be held. */
export function matchesShortcut(e: KeyLike, shortcut: string | Shortcut, mac: boolean): boolean {
  const s = typeof shortcut === 'string' ? parseShortcut(shortcut) : shortcut;
  const wantMeta = mac && s.mod;
  const wantCtrl = s.ctrl || (!mac && s.mod);
  if (e.metaKey !== wantMeta || e.ctrlKey !== wantCtrl || e.altKey !== s.alt) return false;
  const key = normKey(e.key);
  // Shift is part of what a punctuation key produces (`+` is Shift+= on most layouts), so only letters,
  // digits and named keys insist on it.
  const shiftMatters = /^[a-z0-9]$/.test(s.key) || s.key.length > 1;
  if (shiftMatters && e.shiftKey !== s.shift) return false;
  if (key === s.key) return true;
  // Alt (Option on macOS) changes the character a letter or digit key types: fall back to the physical key.
  if (/^[a-z]$/.test(s.key) && e.code === `Key${s.key.toUpperCase()}`) return true;
  if (/^[0-9]$/.test(s.key) && e.code === `Digit${s.key}`) return true;
  return false;
}

const KEY_LABELS: Record<string, string> = {
  ArrowRight: '→',
  ArrowLeft: '←',
  ArrowUp: '↑',
  ArrowDown: '↓',
  Enter: '↵',
  Escape: 'Esc',
};

/** How a shortcut is shown: `⇧⌘P` on macOS, `Ctrl+Shift+P` elsewhere. */
export function formatShortcut(shortcut: string, mac: boolean): string {
  const s = parseShortcut(shortcut);
  const key = KEY_LABELS[s.key] ?? (s.key.length === 1 ? s.key.toUpperCase() : s.key);
  if (mac) {
    return `${s.ctrl ? '⌃' : ''}${s.alt ? '⌥' : ''}${s.shift ? '⇧' : ''}${s.mod ? '⌘' : ''}${key}`;
  }
  return [s.mod || s.ctrl ? 'Ctrl' : null, s.alt ? 'Alt' : null, s.shift ? 'Shift' : null, key]
    .filter((x) => x !== null)
    .join('+');
}

const ACCELERATOR_KEYS: Record<string, string> = {
  ArrowRight: 'Right',
  ArrowLeft: 'Left',
  ArrowUp: 'Up',
  ArrowDown: 'Down',
  Enter: 'Return',
  Escape: 'Esc',
  ' ': 'Space',
  '+': 'Plus',
};

/** The Electron accelerator for a shortcut (`Mod+Shift+P` → `CmdOrCtrl+Shift+P`). */
export function toAccelerator(shortcut: string): string {
  const s = parseShortcut(shortcut);
  const key = ACCELERATOR_KEYS[s.key] ?? (s.key.length === 1 ? s.key.toUpperCase() : s.key);
  return [
    s.mod ? 'CmdOrCtrl' : null,
    s.ctrl ? 'Ctrl' : null,
    s.alt ? 'Alt' : null,
    s.shift ? 'Shift' : null,
    key,
  ]
    .filter((x) => x !== null)
    .join('+');
}
