// The model store's public face: the backend's handlers (src/services/handlers.ts) build one store per data folder
// and map the models.* channels onto it; everything else in this folder is its machinery.
export { createModelStore } from './store.js';
export type { ImportOptions, ModelStore, ModelStoreOptions, PullOutcome } from './store.js';
export { defaultManifestPath, loadManifest, SESSIONS } from './manifest.js';
export type { Manifest, ManifestModel, SessionName } from './manifest.js';
export type { ModelRecord } from './record.js';
export { RECORD_FILE } from './record.js';
