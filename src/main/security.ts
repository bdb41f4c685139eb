// The Electron security rules as plain functions, so each one is unit-tested without an Electron binary:
// isolated sandboxed renderers, app:// only, navigation and new windows denied, https-only external links,
// IPC accepted only from our own frames.
export const APP_SCHEME = 'app';
export const APP_HOST = 'doclens';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

export function webPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    experimentalFeatures: false,
  } as const;
}

export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** In-app navigation is never needed (one-page app): only a reload of our own page is let through. */
export function allowNavigation(url: string): boolean {
  return isAppUrl(url);
}

/** Only https links leave the app, and only to the system browser. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** window.open and target=_blank: never a new Electron window; https goes to the system browser. */
export function windowOpenDecision(url: string): { action: 'deny'; openExternal: string | null } {
  return { action: 'deny', openExternal: isSafeExternalUrl(url) ? url : null };
}

export interface SenderFacts {
  webContentsId: number;
  /** URL of the frame that sent the message (null when the frame is gone). */
  frameUrl: string | null;
  /** Whether the frame is the top frame of its page. */
  isMainFrame: boolean;
}

/** IPC is accepted only from the main frame of a window we created, showing our own app:// page. */
export function isTrustedSender(sender: SenderFacts, trustedWebContents: ReadonlySet<number>): boolean {
  return (
    trustedWebContents.has(sender.webContentsId) &&
    sender.isMainFrame &&
    sender.frameUrl !== null &&
    isAppUrl(sender.frameUrl)
  );
}

/** Maps app://doclens/<path> to a file path under `root`, or null for anything outside it. */
export function resolveAppFile(root: string, url: string, sep = '/'): string | null {
  if (!isAppUrl(url)) return null;
  const pathname = decodeURIComponent(new URL(url).pathname);
  const parts = pathname.split('/').filter((p) => p.length > 0);
  if (parts.some((p) => p === '..' || p === '.' || p.includes('\\') || p.includes('\0'))) return null;
  if (parts.length === 0) parts.push('index.html');
  return [root.replace(/[/\\]+$/, ''), ...parts].join(sep);
}

/**
 * The one permission the renderer uses: writing text to the clipboard (Find's "Copy as JSON", the batch
 * output folder). Everything else — camera, microphone, geolocation, notifications, HID/USB/serial,
 * screen capture, fullscreen, MIDI, … — is denied, and only our own app:// page may hold even that one.
 */
export const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/** For Electron's permission request and check handlers: `requestingUrl` is the page's URL or origin. */
export function permissionDecision(permission: string, requestingUrl: string | null | undefined): boolean {
  return GRANTED_PERMISSIONS.has(permission) && typeof requestingUrl === 'string' && isAppUrl(requestingUrl);
}
