// Settings: provider preference, threads, image-token budget, render DPI, date order, theme, data folder. Each
// change is sent to the backend at once (settings.set) and shown at once; the theme applies immediately.
import { useEffect, useState } from 'react';
import type { Settings } from '../../shared/domain.js';
import { Settings as SettingsSchema } from '../../shared/domain.js';
import { loadAppInfo, loadSettings, updateSettings, useAppInfo, useSettings } from '../stores/settings.js';
import { toast } from '../stores/ui.js';
import { errorMessage } from './messages.js';
import '../panels.css';

const THEMES: Array<{ value: Settings['theme']; label: string }> = [
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
  { value: 'system', label: 'System' },
];

const PROVIDERS: Array<{ value: Settings['provider']; label: string }> = [
  { value: 'auto', label: 'Automatic (fastest available)' },
  { value: 'cuda', label: 'CUDA (NVIDIA)' },
  { value: 'dml', label: 'DirectML (Windows)' },
  { value: 'cpu', label: 'CPU' },
];

const DATE_ORDERS: Array<{ value: Settings['dateLocale']; label: string }> = [
  { value: 'auto', label: 'Decide per document' },
  { value: 'day-first', label: 'Day first (31/12/2024)' },
  { value: 'month-first', label: 'Month first (12/31/2024)' },
];

async function save(patch: Partial<Settings>): Promise<void> {
  try {
    await updateSettings(patch);
  } catch (e) {
    toast('error', 'The setting was not saved', errorMessage(e));
  }
}

export function SettingsPanel() {
  const settings = useSettings();
  const info = useAppInfo((s) => s.info);
  const infoError = useAppInfo((s) => s.error);
  useEffect(() => {
    void loadSettings().catch((e: unknown) => toast('error', 'Could not read the settings', errorMessage(e)));
    void loadAppInfo();
  }, []);

  return (
    <section className="panel sp" aria-label="Settings">
      <h2>Settings</h2>

      <fieldset className="sp-group">
        <legend>Appearance</legend>
        <div className="seg" role="radiogroup" aria-label="Theme">
          {THEMES.map((t) => (
            <button
              key={t.value}
              role="radio"
              aria-checked={settings.theme === t.value}
              className={settings.theme === t.value ? 'active' : ''}
              onClick={() => void save({ theme: t.value })}
            >
              {t.label}
            </button>
          ))}
        </div>
        <p className="hint">System follows the light or dark setting of your computer.</p>
      </fieldset>

      <fieldset className="sp-group">
        <legend>Model engine</legend>
        <label className="field">
          <span>Provider</span>
          <select
            className="select"
            value={settings.provider}
            onChange={(e) => void save({ provider: e.currentTarget.value as Settings['provider'] })}
          >
            {PROVIDERS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
          <span className="hint">
            Automatic tries CUDA, then DirectML, then the CPU. Used the next time a model is loaded; the
            Models tab shows which one runs and why.
          </span>
        </label>
        <NumberField
          label="Threads"
          hint="0 sizes the thread pool to this machine."
          field="threads"
          value={settings.threads}
        />
        <NumberField
          label="Image-token budget"
          hint="Most image tokens one page may use; more reads small print better but runs slower."
          field="imageTokenBudget"
          value={settings.imageTokenBudget}
          step={64}
        />
      </fieldset>

      <fieldset className="sp-group">
        <legend>Documents</legend>
        <NumberField
          label="Render DPI"
          hint="Resolution pages are rendered at for OCR and the model."
          field="renderDpi"
          value={settings.renderDpi}
          step={6}
        />
        <label className="field">
          <span>Numeric dates</span>
          <select
            className="select"
            value={settings.dateLocale}
            onChange={(e) => void save({ dateLocale: e.currentTarget.value as Settings['dateLocale'] })}
          >
            {DATE_ORDERS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
      </fieldset>

      <fieldset className="sp-group">
        <legend>Data folder</legend>
        <p className="path mono small" data-testid="data-dir" title={info?.dataDir}>
          {info?.dataDir ?? infoError ?? '…'}
        </p>
        <p className="hint">
          Settings, recent files, models and job journals live here. Set <code>DOCLENS_DATA_DIR</code> to move
          it.
        </p>
        {info && (
          <p className="hint">
            DocLens {info.version} · {info.platform} · Node {info.node}
          </p>
        )}
      </fieldset>
    </section>
  );
}

type NumericKey = 'threads' | 'imageTokenBudget' | 'renderDpi';

function NumberField({
  label,
  hint,
  field,
  value,
  step = 1,
}: {
  label: string;
  hint: string;
  field: NumericKey;
  value: number;
  step?: number;
}) {
  const schema = SettingsSchema.shape[field];
  const [text, setText] = useState(String(value));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setText(String(value)), [value]);
  const min = schema.minValue ?? 0;
  const max = schema.maxValue ?? Number.MAX_SAFE_INTEGER;
  const commit = () => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      setError(`Enter a whole number from ${min} to ${max}.`);
      return;
    }
    setError(null);
    if (n !== value) void save({ [field]: n });
  };
  const id = `setting-${field}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        step={step}
        value={text}
        aria-invalid={error !== null}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
      />
      <span className={error ? 'hint error-text' : 'hint'}>{error ?? hint}</span>
    </div>
  );
}
