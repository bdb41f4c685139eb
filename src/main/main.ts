// Electron main: windows, menus, dialogs, the app:// protocol and the IPC transport. Thin by design: every
// rule lives in security.ts / ipc.ts (unit-tested); documents and models live in the backend utilityProcess.
import {
  BrowserWindow,
  Menu,
  app,
  dialog,
  ipcMain,
  net,
  protocol,
  screen,
  session,
  shell,
  utilityProcess,
} from 'electron';
import type { IpcMainInvokeEvent } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BackendLink } from '../shared/backend-link.js';
import type { BackendPort, FromBackend } from '../shared/backend-link.js';
import { COMMANDS } from '../shared/commands.js';
import type { AppEvent } from '../shared/contract.js';
import { RENDERER_CSP } from '../shared/csp.js';
import type { JobProgress } from '../shared/domain.js';
import { EVENT_CHANNEL, registerRpc } from './ipc.js';
import { PendingOpens, filesFromArgv } from './launch.js';
import { buildMenuTemplate } from './menu.js';
import { TaskbarProgress } from './progress.js';
import { RecentFiles } from './recent.js';
import { revealAfterCall } from './reveal.js';
import { MIN_SIZE, WindowStateFile, captureState, clampToDisplays } from './window-state.js';
import {
  APP_SCHEME,
  APP_URL,
  allowNavigation,
  permissionDecision,
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

// One instance: a second launch (a file opened from the OS while DocLens runs) hands its argv to this one.
if (!app.requestSingleInstanceLock()) app.quit();

const pendingOpens = new PendingOpens();
const taskbar = new TaskbarProgress();

function broadcast(event: AppEvent): void {
  for (const w of windows) if (!w.isDestroyed()) w.webContents.send(EVENT_CHANNEL, event);
}

/** Backend events go to the renderer; batch-job progress also drives the taskbar / dock progress bar. */
function onBackendEvent(event: AppEvent): void {
  broadcast(event);
  if (event.type === 'job.progress' || event.type === 'job.done') {
    const bar = taskbar.update(event.payload as JobProgress);
    for (const w of windows) if (!w.isDestroyed()) w.setProgressBar(bar.value, { mode: bar.mode });
  }
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
  sendToRenderer({ type: 'app.command', payload: { name: 'open-path', path } });
}

/** Sends an event once the window's page has loaded (a window is created when there is none). */
function sendToRenderer(event: AppEvent): void {
  const win = [...windows][0] ?? createWindow();
  const send = () => broadcast(event);
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
  const template = buildMenuTemplate({
    commands: COMMANDS,
    recent: recent.list(),
    platform: process.platform,
    appName: app.name,
    actions: {
      run: (id) => sendToRenderer({ type: 'app.command', payload: { name: 'run', path: null, id } }),
      openDialog: () => void showOpenDialog(),
      openRecent: (path) => openPath(path),
      clearRecent: () => {
        recent.clear();
        buildMenu();
      },
    },
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

let windowState: WindowStateFile;

function createWindow(): BrowserWindow {
  const saved = windowState.load();
  const primary = screen.getPrimaryDisplay();
  const others = screen.getAllDisplays().filter((d) => d.id !== primary.id);
  const bounds = clampToDisplays(saved, [primary.workArea, ...others.map((d) => d.workArea)]);
  const win = new BrowserWindow({
    ...bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    title: 'DocLens',
    backgroundColor: '#f6f7f9',
    webPreferences: webPreferences(join(distDir, 'main', 'preload.cjs')),
  });
  if (saved.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  let saveTimer: NodeJS.Timeout | undefined;
  const save = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      if (!win.isDestroyed()) windowState.save(captureState(win));
    }, 400);
  };
  win.on('resize', save);
  win.on('move', save);
  win.on('maximize', save);
  win.on('unmaximize', save);
  win.on('close', () => {
    clearTimeout(saveTimer);
    windowState.save(captureState(win));
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
  // Permissions: the clipboard write for our own page, nothing else, asked or merely checked.
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(permissionDecision(permission, details.requestingUrl)),
  );
  session.defaultSession.setPermissionCheckHandler((_wc, permission, requestingOrigin) =>
    permissionDecision(permission, requestingOrigin),
  );
  session.defaultSession.setDevicePermissionHandler(() => false);
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(rendererDir, request.url, process.platform === 'win32' ? '\\' : '/');
    if (!file || !existsSync(file)) return new Response('not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    if (file.endsWith('.html')) headers.set('content-security-policy', RENDERER_CSP);
    return new Response(res.body, { status: res.status, headers });
  });
  recent = new RecentFiles(app.getPath('userData'));
  windowState = new WindowStateFile(app.getPath('userData'));
  link = new BackendLink({
    spawn: spawnBackend,
    onEvent: onBackendEvent,
    log: (l) => console.error(`doclens: ${l}`),
  });
  registerRpc(ipcMain, {
    trusted,
    call: async (channel, input) =>
      revealAfterCall(channel, await link.call(channel, input), (p) => shell.openPath(p)),
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
  for (const f of filesFromArgv(process.argv, app.isPackaged, existsSync)) pendingOpens.push(f);
  pendingOpens.drainTo(openPath);
});

app.on('second-instance', (_e, argv) => {
  const win = [...windows][0];
  if (win) {
    if (win.isMinimized()) win.restore();
    win.focus();
  }
  for (const f of filesFromArgv(argv, app.isPackaged, existsSync)) pendingOpens.push(f);
});
// macOS: a file opened from Finder or the dock; before `ready` it is held until the window exists.
app.on('open-file', (e, path) => {
  e.preventDefault();
  pendingOpens.push(path);
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
