// A fake hub on loopback serving the tiny generated models (models/tiny) as `doclens-test/tiny-<family>`, plus the
// extra model list that makes the backend know them: what the UI end-to-end tests (and scripts/fake-hub.ts) pull from.
// Start the backend with HF_ENDPOINT=<endpoint> DOCLENS_EXTRA_MODELS=<manifest>. Test support only.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTinyModel } from '../../../models/tiny/make-tiny-model.js';
import { repoFromFolder, startFakeHub, type FakeHub, type FakeRepo } from './fake-hub.js';
import { TINY_SHA, tinyModelEntry } from './test-fixtures.js';

export type TinyHubFamily = 'qwen2-vl' | 'qwen2.5-vl' | 'qwen3-vl';

export interface TinyHubOptions {
  families?: TinyHubFamily[];
  /** Hub port (the CDN takes port + 1); default any free port. */
  port?: number;
  /** Where to write the extra model list; default a new temp folder (removed by close). */
  manifestPath?: string;
  /** Send every file in 256 KiB chunks this many ms apart (so a UI test can pause or cancel mid-pull). */
  slowMs?: number;
  /**
   * List the models without their dtypes' `bytes`, so the backend reads the download sizes from this hub's tree
   * listing (models.sizes) instead of the model list.
   */
  sizesFromHub?: boolean;
}

export interface TinyHub {
  hub: FakeHub;
  endpoint: string;
  manifestPath: string;
  /** Model ids the backend will list (e.g. `tiny-qwen2-vl`). */
  modelIds: string[];
  /** The environment to give the backend process. */
  env: { HF_ENDPOINT: string; DOCLENS_EXTRA_MODELS: string };
  close(): Promise<void>;
}

export async function startTinyHub(options: TinyHubOptions = {}): Promise<TinyHub> {
  const families = options.families ?? ['qwen2-vl', 'qwen2.5-vl'];
  const repos: Record<string, FakeRepo> = {};
  const entries = [];
  for (const family of families) {
    const dir = await ensureTinyModel({ family, size: 'tiny' });
    const repo = repoFromFolder(dir, TINY_SHA);
    const entry = tinyModelEntry(family, repo);
    if (options.sizesFromHub) for (const dtype of Object.values(entry.dtypes)) dtype.bytes = null;
    repos[entry.repo] = repo;
    entries.push(entry);
  }
  const hub = await startFakeHub(repos, { port: options.port });
  if (options.slowMs !== undefined)
    for (const repo of Object.values(repos))
      for (const path of repo.files.keys())
        hub.fault(
          path,
          { kind: 'slow', chunk: 256 * 1024, delayMs: options.slowMs },
          Number.MAX_SAFE_INTEGER,
        );
  const tempDir = options.manifestPath ? null : mkdtempSync(join(tmpdir(), 'doclens-tiny-hub-'));
  const manifestPath = options.manifestPath ?? join(tempDir ?? '', 'tiny-models.json');
  writeFileSync(
    manifestPath,
    `${JSON.stringify({ $comment: 'test-only models served by the DocLens fake hub', version: 1, models: entries }, null, 2)}\n`,
  );
  return {
    hub,
    endpoint: hub.endpoint,
    manifestPath,
    modelIds: entries.map((e) => e.id),
    env: { HF_ENDPOINT: hub.endpoint, DOCLENS_EXTRA_MODELS: manifestPath },
    async close() {
      await hub.close();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
