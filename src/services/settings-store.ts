// Settings persisted as one JSON file in the data folder; unknown or invalid values fall back to defaults
// so a hand-edited file never stops the app from starting.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DEFAULT_SETTINGS, Settings } from '../shared/domain.js';

export class SettingsStore {
  private current: Settings = { ...DEFAULT_SETTINGS };
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'settings.json');
  }

  async load(): Promise<Settings> {
    try {
      const raw = JSON.parse(await readFile(this.file, 'utf8')) as unknown;
      const merged = { ...DEFAULT_SETTINGS, ...(typeof raw === 'object' && raw !== null ? raw : {}) };
      const parsed = Settings.safeParse(merged);
      this.current = parsed.success ? parsed.data : { ...DEFAULT_SETTINGS };
    } catch {
      this.current = { ...DEFAULT_SETTINGS };
    }
    return this.current;
  }

  get(): Settings {
    return { ...this.current };
  }

  async set(patch: Partial<Settings>): Promise<Settings> {
    const next = Settings.parse({ ...this.current, ...patch });
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(next, null, 2));
    await rename(tmp, this.file);
    this.current = next;
    return { ...next };
  }
}
