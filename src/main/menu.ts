// The application menu, built from the shared command list (src/shared/commands.ts) by a pure function so
// it is unit-tested without Electron. A command item's click asks the renderer to run that command by id;
// Open… and Open Recent are main's own (native dialog, paths the OS gave us).
import type { MenuItemConstructorOptions } from 'electron';
import type { CommandSpec } from '../shared/commands.js';
import { SECTIONS, toAccelerator } from '../shared/commands.js';
import type { RecentFile } from './recent.js';

export interface MenuActions {
  /** Ask the renderer to run a command (sent as an `app.command` event). */
  run(id: string): void;
  openDialog(): void;
  openRecent(path: string): void;
  clearRecent(): void;
}

export interface MenuInput {
  commands: readonly CommandSpec[];
  recent: readonly RecentFile[];
  platform: NodeJS.Platform;
  appName: string;
  actions: MenuActions;
}

/** Commands main carries out itself rather than forwarding to the renderer. */
const MAIN_COMMANDS = new Set(['open']);

function commandItem(c: CommandSpec, actions: MenuActions): MenuItemConstructorOptions {
  const own = MAIN_COMMANDS.has(c.id);
  return {
    id: c.id,
    label: c.title,
    ...(c.shortcut
      ? {
          accelerator: toAccelerator(c.shortcut),
          // The renderer's keyboard handler runs forwarded commands (it knows when a text field has focus);
          // the menu only shows their shortcut. macOS ignores this and offers the key to the page first.
          registerAccelerator: own,
        }
      : {}),
    click: () => (own ? actions.openDialog() : actions.run(c.id)),
  };
}

function recentMenu(recent: readonly RecentFile[], actions: MenuActions): MenuItemConstructorOptions {
  return {
    label: 'Open Recent',
    submenu: recent.length
      ? [
          ...recent.map((r): MenuItemConstructorOptions => ({
            label: r.name,
            toolTip: r.path,
            click: () => actions.openRecent(r.path),
          })),
          { type: 'separator' },
          { label: 'Clear Recent', click: () => actions.clearRecent() },
        ]
      : [{ label: 'No recent files', enabled: false }],
  };
}

export function buildMenuTemplate(input: MenuInput): MenuItemConstructorOptions[] {
  const { commands, recent, platform, appName, actions } = input;
  const mac = platform === 'darwin';
  const inSection = (s: string) =>
    commands.filter((c) => c.section === s).map((c) => commandItem(c, actions));
  const template: MenuItemConstructorOptions[] = [];
  if (mac) template.push({ label: appName, role: 'appMenu' });
  for (const section of SECTIONS) {
    const items = inSection(section);
    if (section === 'File') {
      const open = items.find((i) => i.id === 'open');
      const rest = items.filter((i) => i.id !== 'open');
      template.push({
        label: 'File',
        submenu: [
          ...(open ? [open] : []),
          recentMenu(recent, actions),
          { type: 'separator' },
          ...rest,
          { type: 'separator' },
          mac ? { role: 'close' } : { role: 'quit' },
        ],
      });
      template.push({ role: 'editMenu' });
    } else if (section === 'View') {
      template.push({
        label: 'View',
        submenu: [...items, { type: 'separator' }, { role: 'togglefullscreen' }, { role: 'toggleDevTools' }],
      });
    } else if (items.length) {
      template.push({ label: section, submenu: items });
    }
  }
  template.push({ role: 'windowMenu' });
  return template;
}
