import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  APP_URL,
  allowNavigation,
  isSafeExternalUrl,
  isTrustedSender,
  permissionDecision,
  resolveAppFile,
  webPreferences,
  windowOpenDecision,
} from './security.js';

test('security: windows are isolated, sandboxed, without Node', () => {
  const p = webPreferences('/app/preload.cjs');
  assert.equal(p.contextIsolation, true);
  assert.equal(p.sandbox, true);
  assert.equal(p.nodeIntegration, false);
  assert.equal(p.nodeIntegrationInWorker, false);
  assert.equal(p.webSecurity, true);
  assert.equal(p.webviewTag, false);
  assert.equal(p.preload, '/app/preload.cjs');
});

test('security: navigation only within app://doclens', () => {
  assert.equal(allowNavigation(APP_URL), true);
  assert.equal(allowNavigation('app://doclens/index.html#x'), true);
  for (const url of [
    'https://example.com',
    'file:///etc/passwd',
    'app://evil/index.html',
    'javascript:alert(1)',
    'not a url',
  ]) {
    assert.equal(allowNavigation(url), false, url);
  }
});

test('security: window.open is always denied; only https goes to the system browser', () => {
  assert.deepEqual(windowOpenDecision('https://huggingface.co/Qwen'), {
    action: 'deny',
    openExternal: 'https://huggingface.co/Qwen',
  });
  for (const url of [
    'http://example.com',
    'file:///C:/x',
    'smb://host/share',
    'javascript:alert(1)',
    'https://user:pw@example.com',
  ]) {
    assert.deepEqual(windowOpenDecision(url), { action: 'deny', openExternal: null }, url);
    assert.equal(isSafeExternalUrl(url), false, url);
  }
});

test('security: IPC is trusted only from the main frame of our own windows showing app://', () => {
  const trusted = new Set([7]);
  const ok = { webContentsId: 7, frameUrl: 'app://doclens/index.html', isMainFrame: true };
  assert.equal(isTrustedSender(ok, trusted), true);
  assert.equal(isTrustedSender({ ...ok, webContentsId: 8 }, trusted), false);
  assert.equal(isTrustedSender({ ...ok, isMainFrame: false }, trusted), false);
  assert.equal(isTrustedSender({ ...ok, frameUrl: 'https://evil.example' }, trusted), false);
  assert.equal(isTrustedSender({ ...ok, frameUrl: null }, trusted), false);
});

test('security: app:// URLs map into the renderer folder and never outside it', () => {
  assert.equal(resolveAppFile('/r', 'app://doclens/index.html'), '/r/index.html');
  assert.equal(resolveAppFile('/r/', 'app://doclens/'), '/r/index.html');
  assert.equal(
    resolveAppFile('/r', 'app://doclens/pdfjs/cmaps/UniGB-UCS2-H.bcmap'),
    '/r/pdfjs/cmaps/UniGB-UCS2-H.bcmap',
  );
  assert.equal(resolveAppFile('C:\\r', 'app://doclens/a/b.js', '\\'), 'C:\\r\\a\\b.js');
  // The URL parser resolves encoded dot segments against the root, so they cannot climb out of it.
  assert.equal(resolveAppFile('/r', 'app://doclens/%2e%2e/%2e%2e/etc/passwd'), '/r/etc/passwd');
  assert.equal(resolveAppFile('/r', 'app://doclens/a%5c..%5c..%5cx'), null);
  assert.equal(resolveAppFile('/r', 'app://other/index.html'), null);
});

test('security: only the clipboard write is granted, and only to our own app:// page', () => {
  assert.equal(permissionDecision('clipboard-sanitized-write', 'app://doclens/index.html'), true);
  assert.equal(permissionDecision('clipboard-sanitized-write', 'app://doclens'), true);
  for (const permission of [
    'media',
    'geolocation',
    'notifications',
    'midi',
    'midiSysex',
    'pointerLock',
    'fullscreen',
    'openExternal',
    'clipboard-read',
    'display-capture',
    'hid',
    'serial',
    'usb',
    'idle-detection',
    'window-management',
    'storage-access',
    'unknown',
  ]) {
    assert.equal(permissionDecision(permission, 'app://doclens/index.html'), false, permission);
  }
  for (const url of [
    'https://evil.example',
    'file:///tmp/x.html',
    'app://evil/index.html',
    '',
    null,
    undefined,
  ]) {
    assert.equal(permissionDecision('clipboard-sanitized-write', url), false, String(url));
  }
});
