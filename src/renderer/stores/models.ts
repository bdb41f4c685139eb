// The model store's mirror: known and installed models (models.list), pulls in flight (models.progress events)
// and the provider in use (models.status). The backend owns all of it; actions call it and keep the last answer.
import { create } from 'zustand';
import type { AppEvent } from '../../shared/contract.js';
import type { InstalledModel, KnownModel, ProviderStatus, PullProgress } from '../../shared/domain.js';
import type { ModelSizes } from '../../shared/model-sizes.js';
import { api } from '../lib/api.js';

export interface VerifyResult {
  ok: boolean;
  problems: string[];
}

interface ModelsState {
  known: KnownModel[];
  installed: InstalledModel[];
  /** Latest pull progress by model id (a pull's dtype is remembered so Resume asks for the same one). */
  pulls: Record<string, PullProgress & { dtype?: string }>;
  status: ProviderStatus | null;
  /** Why models.list failed (e.g. not_implemented), shown as is. */
  listError: string | null;
  statusError: string | null;
  verified: Record<string, VerifyResult>;
  loaded: boolean;
  /** Download sizes by model id (models.sizes: the manifest's, else the hub's, cached by the backend). */
  sizes: Record<string, ModelSizes>;
  /** A models.sizes call is in flight (the panel says it is asking the hub). */
  sizesLoading: boolean;
  /** Why models.sizes itself failed (an old backend, a broken connection to it). */
  sizesError: string | null;
}

export const useModels = create<ModelsState>(() => ({
  known: [],
  installed: [],
  pulls: {},
  status: null,
  listError: null,
  statusError: null,
  verified: {},
  loaded: false,
  sizes: {},
  sizesLoading: false,
  sizesError: null,
}));

const ACTIVE = new Set<PullProgress['state']>(['queued', 'downloading', 'verifying', 'installing']);

export function pullActive(p: PullProgress | undefined): boolean {
  return p !== undefined && ACTIVE.has(p.state);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function onModelsEvent(event: AppEvent): void {
  if (event.type !== 'models.progress') return;
  const p = event.payload;
  useModels.setState((s) => {
    const before = s.pulls[p.modelId];
    // A late event of an earlier pull of the same model must not overwrite the current one.
    if (before && before.pullId !== p.pullId && pullActive(before) && !pullActive(p)) return s;
    return { pulls: { ...s.pulls, [p.modelId]: { ...p, dtype: before?.dtype } } };
  });
  if (p.state === 'done') void loadModels();
}

let subscribed = false;
export function watchModels(): void {
  if (subscribed) return;
  subscribed = true;
  api.on(onModelsEvent);
}

export async function loadModels(): Promise<void> {
  watchModels();
  const [list, status] = await Promise.allSettled([
    api.call('models.list', {}),
    api.call('models.status', {}),
  ]);
  useModels.setState({
    loaded: true,
    ...(list.status === 'fulfilled'
      ? { known: list.value.known, installed: list.value.installed, listError: null }
      : { listError: message(list.reason) }),
    ...(status.status === 'fulfilled'
      ? { status: status.value, statusError: null }
      : { statusError: message(status.reason) }),
  });
}

let sizesCall: Promise<void> | null = null;
/** Asks the backend for every known model's download size (it asks the hub only for sizes it does not know). */
export function loadSizes(): Promise<void> {
  sizesCall ??= (async () => {
    useModels.setState({ sizesLoading: true });
    try {
      const { sizes } = await api.call('models.sizes', {});
      useModels.setState({
        sizes: Object.fromEntries(sizes.map((x) => [x.modelId, x])),
        sizesError: null,
      });
    } catch (e) {
      useModels.setState({ sizesError: message(e) });
    } finally {
      useModels.setState({ sizesLoading: false });
      sizesCall = null;
    }
  })();
  return sizesCall;
}

/** Loads the installed model now (instead of with the first question) and keeps the provider it got. */
export async function loadModelNow(): Promise<ProviderStatus> {
  const status = await api.call('models.status', { load: true });
  useModels.setState({ status, statusError: null });
  return status;
}

export async function pullModel(modelId: string, dtype?: string): Promise<void> {
  watchModels();
  const { pullId } = await api.call('models.pull', dtype ? { modelId, dtype } : { modelId });
  useModels.setState((s) => {
    const before = s.pulls[modelId];
    // Keep what events already said about this pull; otherwise show it queued from the bytes already there.
    const current: PullProgress =
      before?.pullId === pullId
        ? before
        : {
            pullId,
            modelId,
            state: 'queued',
            bytesDone: before?.bytesDone ?? 0,
            bytesTotal: before?.bytesTotal ?? 0,
            file: null,
            message: null,
          };
    return { pulls: { ...s.pulls, [modelId]: { ...current, dtype } } };
  });
}

function putPull(p: PullProgress): void {
  useModels.setState((s) => ({
    pulls: { ...s.pulls, [p.modelId]: { ...p, dtype: s.pulls[p.modelId]?.dtype } },
  }));
}

export async function pausePull(pullId: string): Promise<void> {
  putPull(await api.call('models.pausePull', { pullId }));
}

export async function cancelPull(pullId: string): Promise<void> {
  putPull(await api.call('models.cancelPull', { pullId }));
}

export async function importModel(path: string): Promise<InstalledModel> {
  const model = await api.call('models.import', { path });
  await loadModels();
  return model;
}

export async function verifyModel(modelId: string): Promise<VerifyResult> {
  const r = await api.call('models.verify', { modelId });
  useModels.setState((s) => ({ verified: { ...s.verified, [modelId]: r } }));
  return r;
}

export async function removeModel(modelId: string): Promise<void> {
  await api.call('models.remove', { modelId });
  useModels.setState((s) => {
    const verified = { ...s.verified };
    delete verified[modelId];
    const pulls = { ...s.pulls };
    delete pulls[modelId];
    return { verified, pulls };
  });
  await loadModels();
}
