// The models.* channels (except models.status, which belongs to the VLM room): the model store. One store per backend,
// shared with the VLM room through `modelStoreFor(ctx)` (or the `store` this room returns), so the engine loads what
// the Models panel installed.
import { delimiter } from 'node:path';
import type { BackendContext } from './handlers.js';
import { createModelStore, type ModelStore } from './models/index.js';
import type { Emit, RoomSlice } from './room.js';

export type ModelChannel =
  | 'models.list'
  | 'models.pull'
  | 'models.pausePull'
  | 'models.cancelPull'
  | 'models.import'
  | 'models.verify'
  | 'models.remove'
  | 'models.sizes';

export interface ModelsRoom extends RoomSlice<ModelChannel> {
  /** The backend's one model store (the same object `modelStoreFor(ctx)` returns). */
  store: ModelStore;
}

const stores = new WeakMap<BackendContext, ModelStore>();

/** DOCLENS_EXTRA_MODELS: extra model lists (test-only tiny models a fake hub serves), split on the path delimiter. */
export function extraManifestsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.DOCLENS_EXTRA_MODELS ?? '').split(delimiter).filter((p) => p.trim() !== '');
}

/**
 * The model store of this backend, created on first use in `<dataDir>/models`. The hub is HF_ENDPOINT (default
 * https://huggingface.co) with HF_TOKEN when set; DOCLENS_EXTRA_MODELS adds model lists to models/manifest.json.
 */
export function modelStoreFor(ctx: BackendContext): ModelStore {
  let store = stores.get(ctx);
  if (!store) {
    store = createModelStore({ dataDir: ctx.dataDir, extraManifests: extraManifestsFromEnv() });
    stores.set(ctx, store);
  }
  return store;
}

export function modelsRoom(ctx: BackendContext, emit: Emit): ModelsRoom {
  const store = modelStoreFor(ctx);
  const unsubscribe = store.subscribe((payload) => emit({ type: 'models.progress', payload }));
  return {
    store,
    handlers: {
      'models.list': () => store.list(),
      // Pulling a model whose pull is paused, failed or was left unfinished by an earlier run continues it.
      'models.pull': ({ modelId, dtype }) => store.pull(modelId, dtype),
      // The reply comes once the run has stopped, with the bytes it left on disk: a chunk in flight when Pause
      // was pressed still lands, and a bar drawn from an earlier reply would move after it said "paused".
      'models.pausePull': async ({ pullId }) => {
        store.pause(pullId);
        await store.wait(pullId);
        return store.progress(pullId);
      },
      'models.cancelPull': ({ pullId }) => Promise.resolve(store.cancel(pullId)),
      'models.import': ({ path }) => store.import(path),
      'models.verify': ({ modelId }) => store.verify(modelId),
      'models.remove': ({ modelId }) => store.remove(modelId),
      'models.sizes': async ({ modelId, refresh }) => ({ sizes: await store.sizes(modelId, { refresh }) }),
    },
    async dispose() {
      unsubscribe();
      stores.delete(ctx);
      // Running pulls are paused: their partial files stay and the next models.pull continues them.
      await store.close();
    },
  };
}
