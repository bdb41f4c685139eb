// The Open Recent list: the last files opened in the desktop app, kept in the data folder.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface RecentFile {
  path: string;
  name: string;
  openedAt: string;
}

export class RecentFiles {
  private items: RecentFile[] = [];
  private readonly file: string;

  constructor(
    dataDir: string,
    private readonly max = 10,
  ) {
    this.file = join(dataDir, 'recent.json');
    try {
      const raw = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
      if (Array.isArray(raw)) {
        this.items = raw
          .filter(
            (r): r is RecentFile =>
              typeof r === 'object' && r !== null && typeof (r as RecentFile).path === 'string',
          )
          .slice(0, max);
      }
    } catch {
      this.items = [];
    }
  }

  list(): RecentFile[] {
    return [...this.items];
  }

  add(path: string, now = new Date()): RecentFile[] {
    this.items = [
      { path, name: basename(path), openedAt: now.toISOString() },
      ...this.items.filter((r) => r.path !== path),
    ].slice(0, this.max);
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.items, null, 2));
    renameSync(tmp, this.file);
    return this.list();
  }

  clear(): void {
    this.items = [];
    writeFileSync(this.file, '[]');
  }
}
