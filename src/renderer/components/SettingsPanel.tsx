// Settings: provider preference, threads, image-token budget, render DPI, theme, data folder.
export function SettingsPanel() {
  return (
    <section className="panel" aria-label="Settings">
      <h2>Settings</h2>
    </section>
  );
}
