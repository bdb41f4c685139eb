// The contract of `models.sizes`: what each known model's download weighs per dtype before it is pulled (the
// manifest's pinned bytes, else the hub's file list summed and cached), and why a size is unknown when it is.
import { z } from 'zod';

export const ModelSizes = z.object({
  modelId: z.string(),
  /** Total bytes a pull of each dtype fetches; a dtype left out has no known size. */
  bytesByDtype: z.record(z.string(), z.number().int().nonnegative()),
  /**
   * `known`: every size the panel needs is here (from the manifest, the hub or the cache). `offline`: the hub could
   * not be reached (what is known from the manifest or an earlier lookup is still given). `error`: the hub answered
   * but not with a usable file list (`message` says what it said).
   */
  state: z.enum(['known', 'offline', 'error']),
  message: z.string().nullable(),
  /** Where the hub-read sizes come from: this lookup, or the cache written by an earlier one (null: manifest only). */
  source: z.enum(['manifest', 'hub', 'cache']),
  /** When the hub's file list behind these sizes was read (ISO 8601); null when only the manifest gave sizes. */
  checkedAt: z.string().nullable(),
});
export type ModelSizes = z.infer<typeof ModelSizes>;

export const modelSizeChannels = {
  /**
   * Download sizes of the known models (or of one). Sizes the manifest does not pin are read from the hub's tree
   * listing and cached in the data folder; offline, the cached ones are given and the rest are `offline`.
   */
  'models.sizes': {
    input: z.object({ modelId: z.string().optional(), refresh: z.boolean().optional() }).strict(),
    output: z.object({ sizes: z.array(ModelSizes) }),
  },
} as const;
