// The window: top bar, page strip, viewer and tools panel; first start opens the sample invoice.
import { useEffect } from 'react';
import { api } from '../lib/api.js';
import { activeDoc, closeDocument, openPath, openSample, useDocuments } from '../stores/documents.js';
import { loadSettings, useSettings } from '../stores/settings.js';
import { onAskEvent } from '../stores/ask.js';
import { toast } from '../stores/ui.js';
import { onKeyDown, runCommand } from '../commands.js';
import { CommandPalette } from './CommandPalette.js';
import { PasswordDialog, Toasts, useDropFiles } from './Overlays.js';
import { SidePanel } from './SidePanel.js';
import { Thumbnails } from './Thumbnails.js';
import { OpenButton, RecentList, TopBar } from './TopBar.js';
import { Viewer } from './Viewer.js';

const WELCOMED = 'doclens.welcomed';

export function App() {
  const active = useDocuments((s) => activeDoc(s));
  const theme = useSettings((s) => s.theme);
  const dropping = useDropFiles();

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  useEffect(() => {
    void loadSettings().catch(() => undefined);
    const off = api.on((event) => {
      onAskEvent(event);
      if (event.type === 'app.command') {
        if (event.payload.name === 'open-path' && event.payload.path) void openPath(event.payload.path);
        const current = activeDoc();
        if (event.payload.name === 'close-document' && current) void closeDocument(current.info.id);
        if (event.payload.name === 'run' && event.payload.id) runCommand(event.payload.id);
      } else if (event.type === 'backend.status' && event.payload.state !== 'ready') {
        toast('error', 'The backend restarted', event.payload.message);
      }
    });
    if (!localStorage.getItem(WELCOMED)) {
      localStorage.setItem(WELCOMED, '1');
      void openSample('invoice');
    }
    window.addEventListener('keydown', onKeyDown);
    return () => {
      off();
      window.removeEventListener('keydown', onKeyDown);
    };
  }, []);

  return (
    <div className={`app${dropping ? ' dropping' : ''}`}>
      <TopBar active={active} />
      <main className="workspace">
        {active ? (
          <>
            <Thumbnails info={active.info} current={active.page} />
            <Viewer key={active.info.id} doc={active} />
          </>
        ) : (
          <EmptyState />
        )}
        <SidePanel doc={active} />
      </main>
      {dropping && (
        <div className="drop-hint" aria-hidden="true">
          Drop PDFs or images to open them
        </div>
      )}
      <Toasts />
      <PasswordDialog />
      <CommandPalette />
    </div>
  );
}

function EmptyState() {
  return (
    <section className="empty" aria-label="No document open">
      <h1>Open a document</h1>
      <p>PDFs and images (PNG, JPEG, WebP, TIFF, GIF). Drop files anywhere, or:</p>
      <div className="row center">
        <OpenButton label="Open files" />
        <button className="btn" onClick={() => void openSample('invoice')}>
          Sample invoice
        </button>
        <button className="btn" onClick={() => void openSample('report')}>
          Sample report
        </button>
        <button className="btn" onClick={() => void openSample('scene')}>
          Sample scene
        </button>
      </div>
      <RecentList />
    </section>
  );
}
