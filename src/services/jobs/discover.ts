// The documents of a batch job: input files as given, folders walked recursively in name order. Symbolic links
// inside folders are not followed (a link to a folder could loop or leave the tree the user chose).
import { lstat, readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { AppError } from '../../shared/errors.js';

/** File extensions taken from folders (a file named explicitly is always taken; opening it says what it is). */
export const DOCUMENT_EXTENSIONS = new Set([
  '.pdf',
  '.png',
  '.jpg',
  '.jpeg',
  '.tif',
  '.tiff',
  '.webp',
  '.bmp',
  '.gif',
]);

export interface Discovered {
  files: string[];
  /** Entries inside folders that were passed over, with why. */
  skipped: { path: string; reason: string }[];
}

export async function discoverInputs(inputs: readonly string[]): Promise<Discovered> {
  const files: string[] = [];
  const skipped: Discovered['skipped'] = [];
  const seen = new Set<string>();
  const add = (f: string) => {
    if (!seen.has(f)) {
      seen.add(f);
      files.push(f);
    }
  };
  async function walk(dir: string): Promise<void> {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isSymbolicLink()) skipped.push({ path: p, reason: 'symbolic link (not followed)' });
      else if (e.isDirectory()) await walk(p);
      else if (!e.isFile()) skipped.push({ path: p, reason: 'not a regular file' });
      else if (DOCUMENT_EXTENSIONS.has(extname(e.name).toLowerCase())) add(p);
      else
        skipped.push({
          path: p,
          reason: `not a document type DocLens reads (${extname(e.name) || 'no extension'})`,
        });
    }
  }
  for (const input of inputs) {
    const p = resolve(input);
    let st;
    try {
      st = await lstat(p);
      if (st.isSymbolicLink()) st = await stat(p); // a link named by the user is the user's choice
    } catch {
      throw new AppError('not_found', `${input}: no such file or folder`);
    }
    if (st.isDirectory()) await walk(p);
    else add(p);
  }
  return { files, skipped };
}
