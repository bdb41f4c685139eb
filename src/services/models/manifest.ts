// The schema and reader of models/manifest.json: which models DocLens knows how to pull, from which hub repo and
// revision, and which files make up each dtype. Facts that could not be verified stay null and are read from the hub.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ModelFamily, Provider, type KnownModel } from '../../shared/domain.js';
import { AppError } from '../../shared/errors.js';
import { FAMILIES } from '../../shared/families.js';
import { appRoot } from '../paths.js';

/** The three ONNX sessions of an onnx-community Qwen-VL export (docs/qwen2-vl-onnx.md §1.1). */
export const SESSIONS = ['vision_encoder', 'embed_tokens', 'decoder_model_merged'] as const;
export type SessionName = (typeof SESSIONS)[number];

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits');
const RepoPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'a relative path inside the repo');

/** A file named by path alone, or with the size and sha256 we could verify (null where not verified). */
export const ManifestFile = z.union([
  RepoPath,
  z.object({ path: RepoPath, bytes: z.number().int().nonnegative().nullable(), sha256: Sha256.nullable() }),
]);
export type ManifestFile = z.infer<typeof ManifestFile>;

/** From the safetensors file `file`, the first tensor of `names`, written into the install as the one-tensor `as`. */
export const ManifestTensors = z.object({
  file: RepoPath.refine((p) => p.endsWith('.safetensors'), 'a .safetensors file'),
  names: z.array(z.string().min(1)).min(1),
  as: RepoPath.refine((p) => p.endsWith('.safetensors'), 'a .safetensors file'),
  /** The tensor's shape where known (LLaVA-OneVision's image_newline: [896]); a different one is refused. */
  shape: z.array(z.number().int().nonnegative()).optional(),
});
export type ManifestTensors = z.infer<typeof ManifestTensors>;

export const ManifestDtype = z.object({
  /** Total download size of this dtype (session files + root files), null when not verified. */
  bytes: z.number().int().nonnegative().nullable(),
  files: z.object({
    vision_encoder: ManifestFile,
    embed_tokens: ManifestFile,
    decoder_model_merged: ManifestFile,
  }),
});
export type ManifestDtype = z.infer<typeof ManifestDtype>;

export const ManifestModel = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase id usable as a folder name'),
  name: z.string().min(1),
  family: ModelFamily,
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'owner/name'),
  /** A 40-hex commit sha, or null: resolve `main` at pull time. */
  revision: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .nullable(),
  license: z.string().min(1),
  /** How the model writes boxes; must agree with its family's row in src/shared/families.ts (checked on load). */
  coordinates: z.object({
    format: z.enum(['qwen-vl', 'qwen2-vl', 'qwen2.5-vl', 'qwen3-vl', 'llava']),
    space: z.enum(['norm1000', 'input-pixels', 'unit']),
  }),
  /** The model new installs are pointed to (one at most). */
  recommended: z.boolean().optional(),
  /** Shown beside the model, e.g. "reduced quality (no DeepStack)" for exports that leave DeepStack out. */
  quality: z.string().optional(),
  chatTemplate: z.string().nullable(),
  /** Files beyond the layout's and the sessions' that this model needs, pulled whole as required. */
  extraFiles: z.array(ManifestFile).optional(),
  /**
   * Tensors this model needs from a checkpoint it does not need whole: a pull reads only them with HTTP Range
   * (tensor-slice.ts) and writes each as a one-tensor file `as` in the install (LLaVA-OneVision: image_newline).
   */
  extraTensors: z.array(ManifestTensors).optional(),
  recommendedDtype: z.record(Provider, z.string()),
  dtypes: z.record(z.string(), ManifestDtype),
  verified: z.array(z.string()),
  unverified: z.array(z.string()),
  /**
   * Figures the model's card publishes for `doclens eval` benchmarks (key: the eval kind), shown beside a run's own.
   * Only figures with a source one can check; `value` on the card's scale (accuracies in %, MME in points).
   */
  published: z
    .record(
      z.string(),
      z.object({
        metric: z.string().min(1),
        value: z.number(),
        split: z.string().min(1),
        source: z.string().min(1),
      }),
    )
    .optional(),
  /** A model that exists only for tests (the tiny generated models a fake hub serves); never in models/manifest.json. */
  testOnly: z.boolean().optional(),
});
export type ManifestModel = z.infer<typeof ManifestModel>;

export const Manifest = z
  .object({
    $comment: z.string().optional(),
    version: z.literal(1),
    layout: z.object({
      requiredFiles: z.array(RepoPath),
      optionalFiles: z.array(RepoPath),
      sessions: z.array(z.enum(SESSIONS)),
      dtypeSuffixes: z.record(z.string(), z.string()),
    }),
    models: z.array(ManifestModel),
  })
  .superRefine((m, ctx) => {
    const ids = new Set<string>();
    if (m.models.filter((x) => x.recommended).length > 1)
      ctx.addIssue({ code: 'custom', message: 'more than one model is marked recommended' });
    for (const model of m.models) {
      const space = FAMILIES[model.family].coordinates;
      if (model.coordinates.space !== space)
        ctx.addIssue({
          code: 'custom',
          message: `${model.id}: coordinates.space ${model.coordinates.space} disagrees with the ${FAMILIES[model.family].name} family (${space})`,
        });
      if (ids.has(model.id)) ctx.addIssue({ code: 'custom', message: `duplicate model id ${model.id}` });
      ids.add(model.id);
      for (const [provider, dtype] of Object.entries(model.recommendedDtype))
        if (!(dtype in model.dtypes))
          ctx.addIssue({
            code: 'custom',
            message: `${model.id}: recommended ${provider} dtype ${dtype} is not listed`,
          });
    }
  });
export type Manifest = z.infer<typeof Manifest>;

/**
 * An extra list of models merged after the main manifest (the layout comes from the main one): how tests and the e2e
 * fake hub register tiny models without touching models/manifest.json. Named by ModelStoreOptions.extraManifests or,
 * in the app, by DOCLENS_EXTRA_MODELS (paths separated by the platform's path delimiter).
 */
export const ExtraManifest = z.object({
  $comment: z.string().optional(),
  version: z.literal(1),
  models: z.array(ManifestModel),
});
export type ExtraManifest = z.infer<typeof ExtraManifest>;

export function defaultManifestPath(): string {
  return join(appRoot(), 'models', 'manifest.json');
}

export function parseManifest(json: unknown, source = 'manifest'): Manifest {
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? `${first.path.join('.')}: ${first.message}` : 'invalid';
    throw new AppError('invalid_input', `${source} is not a valid model manifest (${where})`);
  }
  return parsed.data;
}

async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new AppError('io_error', `cannot read the model manifest ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new AppError('invalid_input', `${path} is not JSON: ${(e as Error).message}`);
  }
}

/** Reads the main manifest and appends the models of each extra one; a repeated id is an error naming the file. */
export async function loadManifest(path = defaultManifestPath(), extras: string[] = []): Promise<Manifest> {
  const main = parseManifest(await readJsonFile(path), path);
  const models = [...main.models];
  for (const extra of extras) {
    const parsed = ExtraManifest.safeParse(await readJsonFile(extra));
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first ? `${first.path.join('.')}: ${first.message}` : 'invalid';
      throw new AppError('invalid_input', `${extra} is not a valid extra model list (${where})`);
    }
    for (const model of parsed.data.models) {
      if (models.some((m) => m.id === model.id))
        throw new AppError('invalid_input', `${extra}: model id ${model.id} is already known`);
      models.push(model);
    }
  }
  return parseManifest({ ...main, models }, extras.length ? [path, ...extras].join(' + ') : path);
}

export function filePath(file: ManifestFile): string {
  return typeof file === 'string' ? file : file.path;
}

/** Expected size and sha256 of a manifest file where the manifest pins them. */
export function filePins(file: ManifestFile): { bytes: number | null; sha256: string | null } {
  return typeof file === 'string'
    ? { bytes: null, sha256: null }
    : { bytes: file.bytes, sha256: file.sha256 };
}

export function findModel(manifest: Manifest, id: string): ManifestModel {
  const model = manifest.models.find((m) => m.id === id);
  if (!model) {
    const known = manifest.models.map((m) => m.id).join(', ') || 'none';
    throw new AppError('not_found', `unknown model "${id}" (known: ${known})`);
  }
  return model;
}

/** The dtype asked for, else the one recommended for the CPU (the provider that always exists). */
export function pickDtype(model: ManifestModel, dtype?: string): string {
  const chosen = dtype ?? model.recommendedDtype.cpu ?? Object.keys(model.dtypes)[0];
  if (!chosen || !(chosen in model.dtypes)) {
    const listed = Object.keys(model.dtypes).join(', ');
    throw new AppError('invalid_input', `${model.id} has no dtype "${chosen ?? ''}" (available: ${listed})`);
  }
  return chosen;
}

/** The manifest entry as the contract's KnownModel (`revision` is "main" until one is pinned). */
export function toKnownModel(model: ManifestModel, installed: boolean): KnownModel {
  const bytesByDtype: Record<string, number> = {};
  for (const [dtype, entry] of Object.entries(model.dtypes))
    if (entry.bytes !== null) bytesByDtype[dtype] = entry.bytes;
  return {
    id: model.id,
    name: model.name,
    family: model.family,
    repo: model.repo,
    revision: model.revision ?? 'main',
    dtypes: Object.keys(model.dtypes),
    bytesByDtype,
    license: model.license,
    coordinates: model.coordinates.space,
    ...(model.recommended ? { recommended: true } : {}),
    ...(model.quality ? { quality: model.quality } : {}),
    installed,
  };
}
