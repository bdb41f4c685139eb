// Open documents addressed by opaque ids: clients never name a path after opening, so the HTTP transport
// cannot be used to read arbitrary files through a document id.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DocumentEngine, DocumentHandle } from '../documents/api.js';
import type { DocumentInfo } from '../shared/domain.js';
import { AppError } from '../shared/errors.js';

export interface OpenDocument {
  id: string;
  handle: DocumentHandle;
  info: DocumentInfo;
}

const MIME_BY_EXT: Record<string, string> = { '.pdf': 'application/pdf' };

export class DocumentStore {
  private readonly docs = new Map<string, OpenDocument>();

  /** `onChanged`: an open document's status or warnings changed (the `documents.changed` event). */
  constructor(
    private readonly engine: DocumentEngine,
    private readonly uploadDir: string,
    private readonly onChanged?: (info: DocumentInfo) => void,
  ) {}

  async open(path: string, opts: { password?: string; name?: string } = {}): Promise<OpenDocument> {
    const handle = await this.engine.open(path, opts);
    const id = `d_${randomBytes(9).toString('base64url')}`;
    const doc: OpenDocument = { id, handle, info: { id, ...handle.info } };
    handle.onInfoChange = () => {
      doc.info.status = handle.info.status;
      doc.info.warnings = [...handle.info.warnings];
      if (this.docs.get(id) === doc) this.onChanged?.({ ...doc.info, warnings: [...doc.info.warnings] });
    };
    this.docs.set(id, doc);
    return doc;
  }

  /** Saves uploaded bytes under the data folder (named by content hash) and opens them. */
  async upload(name: string, bytes: Uint8Array, password?: string): Promise<OpenDocument> {
    const safe =
      basename(name)
        .replace(/[^\w.\- ()]+/g, '_')
        .slice(0, 120) || 'document';
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    await mkdir(this.uploadDir, { recursive: true });
    const path = join(this.uploadDir, `${hash}-${safe}`);
    await writeFile(path, bytes);
    return this.open(path, { password, name: safe });
  }

  get(id: string): OpenDocument {
    const doc = this.docs.get(id);
    if (!doc) throw new AppError('not_found', `no open document with id ${id}`);
    return doc;
  }

  list(): DocumentInfo[] {
    return [...this.docs.values()].map((d) => d.info);
  }

  async close(id: string): Promise<boolean> {
    const doc = this.docs.get(id);
    if (!doc) return false;
    this.docs.delete(id);
    await doc.handle.close();
    return true;
  }

  async content(id: string): Promise<{ name: string; mime: string; bytes: Uint8Array }> {
    const doc = this.get(id);
    const bytes = new Uint8Array(await readFile(doc.handle.path));
    return {
      name: doc.info.name,
      mime: doc.info.mime || MIME_BY_EXT['.pdf'] || 'application/octet-stream',
      bytes,
    };
  }

  checkPage(id: string, page: number): OpenDocument {
    const doc = this.get(id);
    if (page > doc.info.pageCount) {
      throw new AppError(
        'invalid_input',
        `${doc.info.name} has ${doc.info.pageCount} page(s); page ${page} does not exist`,
      );
    }
    return doc;
  }

  async closeAll(): Promise<void> {
    for (const id of [...this.docs.keys()]) await this.close(id);
  }
}
