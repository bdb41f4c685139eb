// The small JSON record kept beside each installed model (`<dataDir>/models/<id>/doclens-model.json`): where it came
// from and every file's size and sha256 at install time, so `models.verify` and the loader can catch a damaged file.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InstalledModel, ModelFamily } from '../../shared/domain.js';

export const RECORD_FILE = 'doclens-model.json';

export const RecordFile = z.object({
  path: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /**
   * A file DocLens wrote from part of a hub file (tensor-slice.ts): where the bytes came from. Its sha256 above is
   * the derived file's own, computed at install (the hub publishes none for it).
   */
  derivedFrom: z
    .object({
      file: z.string(),
      revision: z.string(),
      tensor: z.string(),
      /** The tensor's bytes in `file`, inclusive (as in `Range: bytes=start-end`). */
      range: z.object({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative() }),
    })
    .optional(),
});
export type RecordFile = z.infer<typeof RecordFile>;

export const ModelRecord = z.object({
  version: z.literal(1),
  id: z.string(),
  /** The manifest entry it was pulled for; null for imports. */
  manifestId: z.string().nullable(),
  family: ModelFamily,
  dtype: z.string(),
  source: InstalledModel.shape.source,
  repo: z.string().nullable(),
  /** The commit the files were read from (pulls), null for imports. */
  revision: z.string().nullable(),
  license: z.string().nullable(),
  installedAt: z.string(),
  /** Relative paths of the three graphs, keyed by session. */
  sessions: z.object({
    vision_encoder: z.string(),
    embed_tokens: z.string(),
    decoder_model_merged: z.string(),
  }),
  files: z.array(RecordFile),
});
export type ModelRecord = z.infer<typeof ModelRecord>;

export function recordBytes(record: ModelRecord): number {
  return record.files.reduce((sum, f) => sum + f.bytes, 0);
}

export function toInstalled(record: ModelRecord, dir: string): InstalledModel {
  return {
    id: record.id,
    family: record.family,
    dtype: record.dtype,
    path: dir,
    bytes: recordBytes(record),
    source: record.source,
  };
}

/** Reads every `<modelsDir>/<id>/doclens-model.json` that parses; folders starting with `.` are work areas. */
export function scanRecords(modelsDir: string): Map<string, ModelRecord> {
  const out = new Map<string, ModelRecord>();
  let names: string[];
  try {
    names = readdirSync(modelsDir);
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    if (name.startsWith('.')) continue;
    try {
      const parsed = ModelRecord.safeParse(
        JSON.parse(readFileSync(join(modelsDir, name, RECORD_FILE), 'utf8')),
      );
      if (parsed.success && parsed.data.id === name) out.set(name, parsed.data);
    } catch {
      // not a model folder (or an unreadable record): not listed
    }
  }
  return out;
}
