import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import { COMMANDS } from '../shared/commands.js';
import type { JobProgress } from '../shared/domain.js';
import { PendingOpens, filesFromArgv } from './launch.js';
import { buildMenuTemplate } from './menu.js';
import { TaskbarProgress, progressBarFor } from './progress.js';
import {
  MIN_SIZE,
  WindowStateFile,
  captureState,
  clampToDisplays,
  parseWindowState,
} from './window-state.js';

// ---- menu ---------------------------------------------------------------------------------------------

function menu(
  platform: NodeJS.Platform,
  recent: Array<{ path: string; name: string; openedAt: string }> = [],
) {
  const calls: string[] = [];
  const template = buildMenuTemplate({
    commands: COMMANDS,
    recent,
    platform,
    appName: 'DocLens',
    actions: {
      run: (id) => calls.push(`run:${id}`),
      openDialog: () => calls.push('dialog'),
      openRecent: (p) => calls.push(`recent:${p}`),
      clearRecent: () => calls.push('clear'),
    },
  });
  return { template, calls };
}

function items(m: MenuItemConstructorOptions): MenuItemConstructorOptions[] {
  assert.ok(Array.isArray(m.submenu));
  return m.submenu;
}

function click(item: MenuItemConstructorOptions | undefined): void {
  assert.ok(item?.click);
  (item.click as () => void)();
}

test('menu: every command appears once, with its accelerator; clicks run it in the renderer by id', () => {
  const { template, calls } = menu('linux');
  assert.deepEqual(
    template.map((m) => m.label ?? m.role),
    ['File', 'editMenu', 'View', 'Go', 'Tools', 'windowMenu'],
  );
  const all = template.flatMap((m) => (Array.isArray(m.submenu) ? m.submenu : [])).filter((i) => i.id);
  assert.deepEqual(all.map((i) => i.id).sort(), COMMANDS.map((c) => c.id).sort());
  const byId = new Map(all.map((i) => [i.id, i]));
  assert.equal(byId.get('palette')?.accelerator, 'CmdOrCtrl+K');
  assert.equal(byId.get('next-document')?.accelerator, 'CmdOrCtrl+Alt+Right');
  assert.equal(byId.get('fit-page')?.label, 'Fit page');
  // Forwarded commands only show their shortcut (the renderer handles the key); Open… is main's own.
  assert.equal(byId.get('zoom-in')?.registerAccelerator, false);
  assert.equal(byId.get('open')?.registerAccelerator, true);
  click(byId.get('rotate-cw'));
  click(byId.get('open'));
  click(byId.get('settings'));
  assert.deepEqual(calls, ['run:rotate-cw', 'dialog', 'run:settings']);
  // File: Open…, Open Recent, separator, Close document, separator, Quit.
  const file = items(template[0] as MenuItemConstructorOptions);
  assert.deepEqual(
    file.map((i) => i.id ?? i.label ?? i.role ?? i.type),
    ['open', 'Open Recent', 'separator', 'close-document', 'separator', 'quit'],
  );
});

test('menu: Open Recent lists the files (newest first) with Clear; empty says so; macOS gets the app menu', () => {
  const { template, calls } = menu('darwin', [
    { path: '/d/b.pdf', name: 'b.pdf', openedAt: '2025-01-02T00:00:00.000Z' },
    { path: '/d/a.png', name: 'a.png', openedAt: '2025-01-01T00:00:00.000Z' },
  ]);
  assert.equal(template[0]?.role, 'appMenu');
  const file = items(template[1] as MenuItemConstructorOptions);
  const recent = file.find((i) => i.label === 'Open Recent');
  assert.ok(recent);
  const list = items(recent);
  assert.deepEqual(
    list.map((i) => i.label ?? i.type),
    ['b.pdf', 'a.png', 'separator', 'Clear Recent'],
  );
  assert.equal(list[0]?.toolTip, '/d/b.pdf');
  click(list[1]);
  click(list[3]);
  assert.deepEqual(calls, ['recent:/d/a.png', 'clear']);
  assert.equal(file.at(-1)?.role, 'close');
  const none = items(menu('win32').template[0] as MenuItemConstructorOptions);
  const emptyRecent = none.find((i) => i.label === 'Open Recent');
  assert.ok(emptyRecent);
  assert.deepEqual(items(emptyRecent), [{ label: 'No recent files', enabled: false }]);
});

// ---- window state -------------------------------------------------------------------------------------

const primary = { x: 0, y: 0, width: 1920, height: 1040 };
const right = { x: 1920, y: 0, width: 1280, height: 984 };

test('window state: kept where it was on a display that still exists', () => {
  const s = parseWindowState({ bounds: { x: 2000, y: 50, width: 1000, height: 700 }, maximized: false });
  assert.deepEqual(clampToDisplays(s, [primary, right]), { x: 2000, y: 50, width: 1000, height: 700 });
});

test('window state: a window on a monitor that is gone comes back centred on the primary display', () => {
  const s = parseWindowState({ bounds: { x: 2000, y: 50, width: 1000, height: 700 }, maximized: true });
  assert.deepEqual(clampToDisplays(s, [primary]), { x: 460, y: 170, width: 1000, height: 700 });
  assert.equal(s.maximized, true);
  // Title bar above the top of every display: not reachable either.
  const above = parseWindowState({ bounds: { x: 100, y: -500, width: 1000, height: 700 } });
  assert.deepEqual(clampToDisplays(above, [primary]), { x: 460, y: 170, width: 1000, height: 700 });
});

test('window state: partly off-screen is pulled on; larger than the display is shrunk; never under the minimum', () => {
  const s = parseWindowState({ bounds: { x: 1500, y: 600, width: 1000, height: 700 } });
  assert.deepEqual(clampToDisplays(s, [primary]), { x: 920, y: 340, width: 1000, height: 700 });
  const huge = parseWindowState({ bounds: { x: 10, y: 10, width: 5000, height: 3000 } });
  assert.deepEqual(clampToDisplays(huge, [primary, right]), { x: 0, y: 0, width: 1920, height: 1040 });
  const tiny = parseWindowState({ bounds: { x: 10, y: 10, width: 100, height: 50 } });
  assert.deepEqual(clampToDisplays(tiny, [primary]), { x: 10, y: 10, ...MIN_SIZE });
});

test('window state: malformed or missing state gives the default size, centred on the primary display', () => {
  for (const raw of [
    null,
    'x',
    {},
    { bounds: { width: -1, height: 5 } },
    { bounds: { width: 'a', height: 1 } },
  ]) {
    assert.deepEqual(parseWindowState(raw), { bounds: { width: 1360, height: 900 }, maximized: false });
  }
  const first = parseWindowState(null);
  assert.deepEqual(clampToDisplays(first, [primary]), { x: 280, y: 70, width: 1360, height: 900 });
});

test('window state: saved to and loaded from the data folder; normal bounds and maximised are captured', () => {
  const dir = mkdtempSync(join(tmpdir(), 'doclens-ws-'));
  const f = new WindowStateFile(dir);
  assert.deepEqual(f.load(), parseWindowState(null));
  const state = captureState({
    getNormalBounds: () => ({ x: 30, y: 40, width: 1200, height: 800 }),
    isMaximized: () => true,
    isFullScreen: () => false,
  });
  f.save(state);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'window-state.json'), 'utf8')), state);
  assert.deepEqual(new WindowStateFile(dir).load(), {
    bounds: { x: 30, y: 40, width: 1200, height: 800 },
    maximized: true,
  });
  writeFileSync(join(dir, 'window-state.json'), '{broken');
  assert.deepEqual(new WindowStateFile(dir).load(), parseWindowState(null));
});

// ---- taskbar progress ---------------------------------------------------------------------------------

function job(p: Partial<JobProgress> & { jobId: string }): JobProgress {
  return {
    state: 'running',
    docsDone: 0,
    docsTotal: 0,
    pagesDone: 0,
    pagesTotal: 0,
    rate: 0,
    etaSeconds: null,
    currentFile: null,
    message: null,
    ...p,
  };
}

test('taskbar progress: fraction of pages (documents before pages are known), -1 when every job ended', () => {
  const t = new TaskbarProgress();
  assert.deepEqual(t.state(), { value: -1, mode: 'none' });
  assert.deepEqual(t.update(job({ jobId: 'a', state: 'queued' })), { value: 0, mode: 'normal' });
  assert.deepEqual(t.update(job({ jobId: 'a', docsDone: 1, docsTotal: 4 })), { value: 0.25, mode: 'normal' });
  assert.deepEqual(t.update(job({ jobId: 'a', docsDone: 1, docsTotal: 4, pagesDone: 30, pagesTotal: 40 })), {
    value: 0.75,
    mode: 'normal',
  });
  // A second job: the bar shows the mean of the two.
  assert.deepEqual(t.update(job({ jobId: 'b', docsDone: 1, docsTotal: 4 })), { value: 0.5, mode: 'normal' });
  assert.deepEqual(t.update(job({ jobId: 'a', state: 'done', pagesDone: 40, pagesTotal: 40 })), {
    value: 0.25,
    mode: 'normal',
  });
  assert.deepEqual(t.update(job({ jobId: 'b', state: 'paused', docsDone: 2, docsTotal: 4 })), {
    value: 0.5,
    mode: 'paused',
  });
  assert.deepEqual(t.update(job({ jobId: 'b', state: 'cancelled' })), { value: -1, mode: 'none' });
  assert.deepEqual(progressBarFor([job({ jobId: 'c', pagesDone: 9, pagesTotal: 3 })]), {
    value: 1,
    mode: 'normal',
  });
});

// ---- files from the OS -------------------------------------------------------------------------------

test('launch: document paths from argv skip the executable, the app path unpackaged, switches and missing files', () => {
  const exists = (p: string) => p.endsWith('.pdf');
  assert.deepEqual(
    filesFromArgv(['/opt/DocLens/doclens', '--no-sandbox', '/h/a.pdf', '/h/b.pdf'], true, exists),
    ['/h/a.pdf', '/h/b.pdf'],
  );
  assert.deepEqual(filesFromArgv(['electron', '/repo.pdf', '/h/a.pdf', '/h/gone.txt'], false, exists), [
    '/h/a.pdf',
  ]);
  assert.deepEqual(filesFromArgv(['/opt/DocLens/doclens'], true, exists), []);
});

test('launch: paths from the OS before the window exists are held and delivered in order, later ones at once', () => {
  const q = new PendingOpens();
  const got: string[] = [];
  q.push('/a.pdf');
  q.push('/b.pdf');
  assert.equal(got.length, 0);
  q.drainTo((p) => got.push(p));
  assert.deepEqual(got, ['/a.pdf', '/b.pdf']);
  q.push('/c.pdf');
  assert.deepEqual(got, ['/a.pdf', '/b.pdf', '/c.pdf']);
});
