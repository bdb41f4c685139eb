// The right-hand panel: Ask, Find, Extract, Models and Settings. Each talks to the real backend; until a channel's room has
// landed the backend answers `not_implemented` and the panel shows that message, never made-up results.
import type { OpenDoc } from '../stores/documents.js';
import type { PanelName } from '../stores/ui.js';
import { setPanel, useUi } from '../stores/ui.js';
import { ExtractPanel } from './ExtractPanel.js';
import { AskPanel } from './AskPanel.js';
import { FindPanel } from './FindPanel.js';
import { ModelsPanel } from './ModelsPanel.js';
import { SettingsPanel } from './SettingsPanel.js';

const TABS: Array<{ name: PanelName; label: string }> = [
  { name: 'ask', label: 'Ask' },
  { name: 'find', label: 'Find' },
  { name: 'extract', label: 'Extract' },
  { name: 'models', label: 'Models' },
  { name: 'settings', label: 'Settings' },
];

export function SidePanel({ doc }: { doc: OpenDoc | null }) {
  const panel = useUi((s) => s.panel);
  return (
    <aside className="side" aria-label="Tools">
      <div className="side-tabs" role="tablist">
        {TABS.map((t) => (
          <button
            key={t.name}
            role="tab"
            aria-selected={panel === t.name}
            className={panel === t.name ? 'active' : ''}
            onClick={() => setPanel(t.name)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="side-body" role="tabpanel">
        {panel === 'ask' && <AskPanel doc={doc} />}
        {panel === 'find' && <FindPanel doc={doc} />}
        {panel === 'extract' && <ExtractPanel doc={doc} />}
        {panel === 'models' && <ModelsPanel />}
        {panel === 'settings' && <SettingsPanel />}
      </div>
    </aside>
  );
}
