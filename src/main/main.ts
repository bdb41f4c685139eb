// Electron main: windows, menus, dialogs, the app:// protocol and the IPC transport. Thin by design: every
// rule lives in security.ts / ipc.ts (unit-tested); documents and models live in the backend utilityProcess.
import { BrowserWindow, Menu, app, dialog, ipcMain, net, protocol, shell, utilityProcess } from 'electron';
import type { IpcMainInvokeEvent, MenuItemConstructorOptions } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BackendLink } from '../shared/backend-link.js';
import type { BackendPort, FromBackend } from '../shared/backend-link.js';
import type { AppEvent } from '../shared/contract.js';
import { RENDERER_CSP } from '../shared/csp.js';
import { EVENT_CHANNEL, registerRpc } from './ipc.js';
import { RecentFiles } from './recent.js';
import {
  APP_SCHEME,
  APP_URL,
  allowNavigation,
  resolveAppFile,
  webPreferences,
  windowOpenDecision,
} from './security.js';

const distDir = join(__dirname, '..');
const rendererDir = join(distDir, 'renderer');
const trusted = new Set<number>();
const windows = new Set<BrowserWindow>();

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) app.quit();

function broadcast(event: AppEvent): void {
  for (const w of windows) if (!w.isDestroyed()) w.webContents.send(EVENT_CHANNEL, event);
}

function spawnBackend(): BackendPort {
  const child = utilityProcess.fork(join(distDir, 'node', 'backend-entry.mjs'), [], {
    serviceName: 'DocLens backend',
    env: { ...process.env, DOCLENS_DATA_DIR: app.getPath('userData'), DOCLENS_ASSETS_DIR: assetsDir() },
    stdio: 'inherit',
  });
  return {
    send: (msg) => child.postMessage(msg),
    onMessage: (l) => child.on('message', (m: unknown) => l(m as FromBackend)),
    onExit: (l) => child.on('exit', (code) => l(code)),
    kill: () => child.kill(),
  };
}

function assetsDir(): string {
  const packaged = join(process.resourcesPath, 'assets');
  return existsSync(packaged) ? packaged : join(app.getAppPath(), 'assets');
}

let link: BackendLink;
let recent: RecentFiles;

function openPath(path: string): void {
  recent.add(path);
  buildMenu();
  const win = [...windows][0] ?? createWindow();
  const send = () => broadcast({ type: 'app.command', payload: { name: 'open-path', path } });
  if (win.webContents.isLoading()) win.webContents.once('did-finish-load', send);
  else send();
}

async function showOpenDialog(): Promise<void> {
  const r = await dialog.showOpenDialog({
    properties: ['openFile', 'multiSelections'],
    filters: [
      { name: 'Documents', extensions: ['pdf', 'png', 'jpg', 'jpeg', 'webp', 'tif', 'tiff', 'gif'] },
      { name: 'All files', extensions: ['*'] },
    ],
  });
  for (const p of r.filePaths) openPath(p);
}

function buildMenu(): void {
  const recentItems: MenuItemConstructorOptions[] = recent
    .list()
    .map((r) => ({ label: r.name, toolTip: r.path, click: () => openPath(r.path) }));
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => void showOpenDialog() },
        {
          label: 'Open Recent',
          submenu: recentItems.length
            ? [
                ...recentItems,
                { type: 'separator' },
                { label: 'Clear Recent', click: () => (recent.clear(), buildMenu()) },
              ]
            : [{ label: 'No recent files', enabled: false }],
        },
        {
          label: 'Close',
          accelerator: 'CmdOrCtrl+W',
          click: () => broadcast({ type: 'app.command', payload: { name: 'close-document', path: null } }),
        },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 900,
    minWidth: 800,
    minHeight: 560,
    title: 'DocLens',
    backgroundColor: '#f6f7f9',
    webPreferences: webPreferences(join(distDir, 'main', 'preload.cjs')),
  });
  const id = win.webContents.id;
  trusted.add(id);
  windows.add(win);
  win.on('closed', () => {
    trusted.delete(id);
    windows.delete(win);
  });
  win.webContents.on('will-navigate', (e, url) => {
    if (!allowNavigation(url)) e.preventDefault();
  });
  win.webContents.on('will-redirect', (e, url) => {
    if (!allowNavigation(url)) e.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    const d = windowOpenDecision(url);
    if (d.openExternal) void shell.openExternal(d.openExternal);
    return { action: d.action };
  });
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());
  void win.loadURL(APP_URL);
  return win;
}

void app.whenReady().then(() => {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(rendererDir, request.url, process.platform === 'win32' ? '\\' : '/');
    if (!file || !existsSync(file)) return new Response('not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    if (file.endsWith('.html')) headers.set('content-security-policy', RENDERER_CSP);
    return new Response(res.body, { status: res.status, headers });
  });
  recent = new RecentFiles(app.getPath('userData'));
  link = new BackendLink({
    spawn: spawnBackend,
    onEvent: broadcast,
    log: (l) => console.error(`doclens: ${l}`),
  });
  registerRpc(ipcMain, {
    trusted,
    call: (channel, input) => link.call(channel, input),
    senderFacts: (event) => {
      const e = event as IpcMainInvokeEvent;
      return {
        webContentsId: e.sender.id,
        frameUrl: e.senderFrame?.url ?? null,
        isMainFrame: e.senderFrame !== null && e.senderFrame === e.sender.mainFrame,
      };
    },
    log: (l) => console.warn(`doclens: ${l}`),
  });
  buildMenu();
  createWindow();
  const fileArg = process.argv.slice(app.isPackaged ? 1 : 2).find((a) => !a.startsWith('-') && existsSync(a));
  if (fileArg) openPath(fileArg);
});

app.on('second-instance', (_e, argv) => {
  const win = [...windows][0];
  if (win) {
    if (win.isMinimized()) win.restore();
    win.focus();
  }
  const file = argv.slice(1).find((a) => !a.startsWith('-') && existsSync(a));
  if (file) openPath(file);
});
app.on('open-file', (e, path) => {
  e.preventDefault();
  if (app.isReady()) openPath(path);
});
app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (ev, url) => {
    if (!allowNavigation(url)) ev.preventDefault();
  });
});
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('activate', () => {
  if (windows.size === 0) createWindow();
});
app.on('before-quit', () => link?.close());
