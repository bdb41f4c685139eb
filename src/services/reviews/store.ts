// Reviews on disk: one JSON file per document content hash under `<data folder>/reviews/`, so reviews survive
// restarts and follow the document's bytes wherever it is opened from. Writes are atomic (temp file + rename)
// and serialised per file, so two quick reviews never lose one another.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/errors.js';
import { Review } from '../../shared/reviews.js';

/** What a review file holds: the reviews plus where the document was last seen, for the exporter to render it. */
export const ReviewFile = z.object({
  version: z.literal(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string(),
  /** The file's path on this machine when last reviewed (an uploaded copy lives in the data folder). */
  path: z.string(),
  reviews: z.array(Review),
});
export type ReviewFile = z.infer<typeof ReviewFile>;

export function reviewsDir(dataDir: string): string {
  return join(dataDir, 'reviews');
}

export class ReviewStore {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly dataDir: string) {}

  private fileOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new AppError('invalid_input', `not a sha256: ${sha256}`);
    return join(reviewsDir(this.dataDir), `${sha256}.json`);
  }

  /** The review file of a document, or null when it has none. A damaged file is an error naming it. */
  async read(sha256: string): Promise<ReviewFile | null> {
    const file = this.fileOf(sha256);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new AppError('io_error', `cannot read ${file}: ${(e as Error).message}`);
    }
    return parseReviewFile(text, file);
  }

  /** Runs `change` on the document's file (created when absent) under its lock and writes the result atomically. */
  update<T>(doc: { sha256: string; name: string; path: string }, change: (f: ReviewFile) => T): Promise<T> {
    const prev = this.queues.get(doc.sha256) ?? Promise.resolve();
    const next = prev
      .catch(() => undefined)
      .then(async () => {
        const f = (await this.read(doc.sha256)) ?? {
          version: 1 as const,
          sha256: doc.sha256,
          name: doc.name,
          path: doc.path,
          reviews: [],
        };
        f.name = doc.name;
        f.path = doc.path;
        const out = change(f);
        const file = this.fileOf(doc.sha256);
        await mkdir(reviewsDir(this.dataDir), { recursive: true });
        const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
        await writeFile(tmp, `${JSON.stringify(f, null, 1)}\n`);
        await rename(tmp, file);
        return out;
      });
    this.queues.set(doc.sha256, next);
    const forget = () => {
      if (this.queues.get(doc.sha256) === next) this.queues.delete(doc.sha256);
    };
    next.then(forget, forget);
    return next;
  }
}

export function parseReviewFile(text: string, file: string): ReviewFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new AppError('corrupt', `${file} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = ReviewFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError(
      'corrupt',
      `${file} is not a DocLens review file: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'bad shape'}`,
    );
  }
  return parsed.data;
}

/** Every review file in the data folder, each parsed or reported as a problem naming the file. */
export async function allReviewFiles(
  dataDir: string,
): Promise<{ files: ReviewFile[]; problems: Array<{ file: string; message: string }> }> {
  const dir = reviewsDir(dataDir);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /^[0-9a-f]{64}\.json$/.test(n)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { files: [], problems: [] };
    throw e;
  }
  const files: ReviewFile[] = [];
  const problems: Array<{ file: string; message: string }> = [];
  for (const n of names) {
    const path = join(dir, n);
    try {
      files.push(parseReviewFile(await readFile(path, 'utf8'), path));
    } catch (e) {
      problems.push({ file: path, message: (e as Error).message });
    }
  }
  return { files, problems };
}
