// The top bar: open, the tabs of open documents, page, zoom, fit and rotate controls, the command palette,
// theme. Also the recent-files list of the empty state.
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { formatShortcut } from '../../shared/commands.js';
import { commandById, isMac, setPaletteOpen } from '../commands.js';
import { isElectron } from '../lib/api.js';
import type { OpenDoc } from '../stores/documents.js';
import {
  activate,
  closeDocument,
  openFiles,
  openPath,
  rotate,
  setFit,
  useDocuments,
  zoomStep,
} from '../stores/documents.js';
import { useRecent } from '../stores/recent.js';
import { loadAppInfo, updateSettings, useAppInfo, useSettings } from '../stores/settings.js';
import '../commands.css';

/** A control's tooltip: what it does and its shortcut, from the command list. */
function hint(id: string): string {
  const c = commandById(id);
  if (!c) return '';
  return c.shortcut ? `${c.title} (${formatShortcut(c.shortcut, isMac)})` : c.title;
}

/** Recent files (opened by path), shown where the backend takes paths: Electron, or `serve --allow-paths`. */
export function RecentList() {
  const items = useRecent((s) => s.items);
  const pathsAllowed = useAppInfo((s) => s.info?.pathsAllowed ?? false);
  useEffect(() => {
    void loadAppInfo();
  }, []);
  if (!pathsAllowed || items.length === 0) return null;
  return (
    <section className="recent" aria-labelledby="recent-title">
      <h2 id="recent-title">Recent files</h2>
      <ul>
        {items.map((r) => (
          <li key={r.path}>
            <button className="recent-item" title={r.path} onClick={() => void openPath(r.path)}>
              <span>{r.name}</span>
              <span className="recent-path">{r.path}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

export const ACCEPT = '.pdf,.png,.jpg,.jpeg,.webp,.tif,.tiff,.gif,application/pdf,image/*';

export function OpenButton({ label = 'Open' }: { label?: string }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button className="btn primary" onClick={() => input.current?.click()} data-testid="open-button">
        <span aria-hidden="true">+</span> {label}
      </button>
      <input
        ref={input}
        type="file"
        accept={ACCEPT}
        multiple
        hidden
        data-testid="file-input"
        aria-label="Open files"
        onChange={(e) => {
          const files = [...(e.currentTarget.files ?? [])];
          e.currentTarget.value = '';
          void openFiles(files);
        }}
      />
    </>
  );
}

/**
 * The document tabs: each keeps a readable minimum width (name cut with an ellipsis, the full name in its
 * tooltip); when they do not all fit, the strip scrolls (the active tab kept in view) and a menu lists every
 * open document.
 */
function Tabs({ docs, activeId, opening }: { docs: OpenDoc[]; activeId: string | null; opening: number }) {
  const strip = useRef<HTMLDivElement>(null);
  const [overflowing, setOverflowing] = useState(false);
  const [menu, setMenu] = useState(false);
  useLayoutEffect(() => {
    const el = strip.current;
    if (!el) return;
    const check = () => setOverflowing(el.scrollWidth > el.clientWidth + 1);
    check();
    const ro = new ResizeObserver(check);
    ro.observe(el);
    return () => ro.disconnect();
  }, [docs.length, opening]);
  useEffect(() => {
    const tab = strip.current?.querySelector<HTMLElement>('.tab.active');
    tab?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [activeId, docs.length]);
  useEffect(() => {
    if (!menu) return;
    const close = (e: Event) => {
      if (!(e.target instanceof Node) || !strip.current?.parentElement?.contains(e.target)) setMenu(false);
    };
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && setMenu(false);
    window.addEventListener('pointerdown', close);
    window.addEventListener('keydown', esc);
    return () => {
      window.removeEventListener('pointerdown', close);
      window.removeEventListener('keydown', esc);
    };
  }, [menu]);
  return (
    <div className="tabs-wrap">
      <div className="tabs" role="tablist" aria-label="Open documents" ref={strip}>
        {docs.map((d) => (
          <div
            key={d.info.id}
            className={`tab${d.info.id === activeId ? ' active' : ''}`}
            role="presentation"
          >
            <button
              role="tab"
              aria-selected={d.info.id === activeId}
              className="tab-name"
              title={d.info.name}
              onClick={() => activate(d.info.id)}
            >
              <span className="tab-kind" aria-hidden="true">
                {d.info.kind === 'pdf' ? 'PDF' : 'IMG'}
              </span>
              <span className="tab-label">{d.info.name}</span>
              <PartialMark doc={d} />
            </button>
            <button
              className="tab-close"
              aria-label={`Close ${d.info.name}`}
              title={`Close ${d.info.name}`}
              onClick={() => void closeDocument(d.info.id)}
            >
              ×
            </button>
          </div>
        ))}
        {opening > 0 && (
          <div className="tab opening" aria-live="polite">
            Opening…
          </div>
        )}
      </div>
      {overflowing && (
        <div className="tab-menu">
          <button
            className="btn icon"
            aria-label={`All open documents (${docs.length})`}
            title={`All open documents (${docs.length})`}
            aria-haspopup="menu"
            aria-expanded={menu}
            data-testid="tab-menu-button"
            onClick={() => setMenu(!menu)}
          >
            {docs.length}▾
          </button>
          {menu && (
            <ul className="tab-menu-list" role="menu" aria-label="Open documents">
              {docs.map((d) => (
                <li key={d.info.id} role="none">
                  <button
                    role="menuitemradio"
                    aria-checked={d.info.id === activeId}
                    title={d.info.name}
                    onClick={() => {
                      activate(d.info.id);
                      setMenu(false);
                    }}
                  >
                    <span className="tab-kind" aria-hidden="true">
                      {d.info.kind === 'pdf' ? 'PDF' : 'IMG'}
                    </span>
                    <span className="tab-label">{d.info.name}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

/** A tab's sign that its document was only partly read, with what was lost in its tooltip. */
function PartialMark({ doc }: { doc: OpenDoc }) {
  if (doc.info.status !== 'partial') return null;
  const what = doc.info.warnings.join('\n') || 'Some pages could not be read.';
  return (
    <span
      className="tab-partial"
      role="img"
      aria-label="Partly read"
      title={`Partly read:\n${what}`}
      data-testid="tab-partial"
    >
      !
    </span>
  );
}

export function TopBar({ active }: { active: OpenDoc | null }) {
  const docs = useDocuments((s) => s.docs);
  const opening = useDocuments((s) => s.opening);
  const theme = useSettings((s) => s.theme);
  return (
    <header className="topbar">
      <div className="brand" aria-label="DocLens">
        <span className="logo" aria-hidden="true">
          ◎
        </span>{' '}
        <span className="brand-name">DocLens</span>
      </div>
      <OpenButton />
      <Tabs docs={docs} activeId={active?.info.id ?? null} opening={opening} />
      {active && (
        <span className="page-nav" data-testid="page-indicator" title="Page">
          {active.page} / {active.info.pageCount}
        </span>
      )}
      {active && (
        <div className="zoom" role="group" aria-label="Zoom">
          <button
            className="btn icon"
            aria-label="Zoom out"
            title={hint('zoom-out')}
            onClick={() => zoomStep(active.info.id, -1)}
          >
            −
          </button>
          <span className="zoom-value" data-testid="zoom-value">
            {Math.round(active.zoom * 100)}%
          </span>
          <button
            className="btn icon"
            aria-label="Zoom in"
            title={hint('zoom-in')}
            onClick={() => zoomStep(active.info.id, 1)}
          >
            +
          </button>
          <button
            className={`btn${active.fit === 'width' ? ' pressed' : ''}`}
            aria-pressed={active.fit === 'width'}
            title={hint('fit-width')}
            onClick={() => setFit(active.info.id, 'width', active.zoom)}
          >
            Fit width
          </button>
          <button
            className={`btn${active.fit === 'page' ? ' pressed' : ''}`}
            aria-pressed={active.fit === 'page'}
            title={hint('fit-page')}
            onClick={() => setFit(active.info.id, 'page', active.zoom)}
          >
            Fit page
          </button>
          <button
            className="btn icon"
            aria-label="Rotate counter-clockwise"
            title={hint('rotate-ccw')}
            onClick={() => rotate(active.info.id, -1)}
          >
            ⟲
          </button>
          <button
            className="btn icon"
            aria-label="Rotate clockwise"
            title={hint('rotate-cw')}
            onClick={() => rotate(active.info.id, 1)}
          >
            ⟳
          </button>
        </div>
      )}
      <button
        className="btn palette-button"
        aria-label="Command palette"
        title={hint('palette')}
        onClick={() => setPaletteOpen(true)}
        data-testid="palette-button"
      >
        <kbd>{formatShortcut('Mod+K', isMac)}</kbd>
      </button>
      <select
        className="theme"
        aria-label="Theme"
        value={theme}
        onChange={(e) => void updateSettings({ theme: e.currentTarget.value as 'light' | 'dark' | 'system' })}
      >
        <option value="system">System theme</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
      {!isElectron && (
        <span className="mode" title="Served by `doclens serve`">
          headless
        </span>
      )}
    </header>
  );
}
