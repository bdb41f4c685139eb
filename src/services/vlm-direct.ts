// A VLM model opened straight from a folder, outside the backend's model store: what `doclens ask/ground --model DIR`
// and `--raw` use (src/cli may import only services, so the engine's entry points it needs pass through here).
import { loadVlm, type VlmModel } from '../inference/vlm/index.js';
import { readModelFolder } from '../inference/vlm/model-folder.js';
import type { ModelFamily, Settings } from '../shared/domain.js';
import { loadManifest } from './models/index.js';
import { checkFolder } from './models/layout.js';

export { groundingPrompt } from '../inference/vlm/index.js';
export type { GenerateRequest, GenerateResult, VlmImage, VlmModel } from '../inference/vlm/index.js';

export interface OpenFolderOptions {
  provider?: Settings['provider'];
  /** One dtype for every graph; default the engine's own choice (fp32 first, as loadVlm picks). */
  threads?: number;
  dtype?: string;
}

/** A model folder's family and its preprocessor's pixel limits, read from its JSON files (no graph is loaded). */
export function describeModelFolder(dir: string): {
  family: ModelFamily;
  pixels: { min: number; max: number };
} {
  const folder = readModelFolder(dir);
  return {
    family: folder.family,
    pixels: { min: folder.preprocessor.minPixels, max: folder.preprocessor.maxPixels },
  };
}

/**
 * Checks `dir` as the model store's import does (files, dtype sets, tokenizer; errors name the folder and every
 * missing piece), then loads it on the best provider available.
 */
export async function openModelFolder(dir: string, opts: OpenFolderOptions = {}): Promise<VlmModel> {
  const manifest = await loadManifest();
  await checkFolder(dir, manifest.layout, opts.dtype);
  return loadVlm(dir, {
    provider: opts.provider,
    threads: opts.threads && opts.threads > 0 ? opts.threads : undefined,
    dtype: opts.dtype,
  });
}
