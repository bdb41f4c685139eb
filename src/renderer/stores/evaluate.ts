// The Evaluate view's state: the benchmark run in flight (eval.progress events), its report when it ends
// (eval.done) or its error (eval.error). The backend's runner owns the run; this mirrors its events.
import { create } from 'zustand';
import type { AppEvent, EventPayload } from '../../shared/contract.js';
import type { EvalKindName, EvalReportView } from '../../shared/evaluate.js';
import { api } from '../lib/api.js';

export type EvalProgressView = Omit<EventPayload<'eval.progress'>, 'evalId'>;

interface EvaluateState {
  evalId: string | null;
  running: boolean;
  progress: EvalProgressView | null;
  report: EvalReportView | null;
  error: string | null;
  /** The run was stopped: how far it had gone (running it again goes on from there: its answers are kept). */
  stopped: { done: number; total: number } | null;
  /** Stop was pressed before eval.start answered with the run's id: the run is cancelled as soon as it has one. */
  stopAsked: boolean;
  /** The folder the run reads (the sample set's, when that was chosen). */
  dir: string | null;
  outDir: string | null;
}

export const useEvaluate = create<EvaluateState>(() => ({
  evalId: null,
  running: false,
  progress: null,
  report: null,
  error: null,
  stopped: null,
  stopAsked: false,
  dir: null,
  outDir: null,
}));

/** Events that arrived before eval.start answered with the run's id. */
let early: AppEvent[] = [];

export function onEvaluateEvent(event: AppEvent): void {
  if (event.type !== 'eval.progress' && event.type !== 'eval.done' && event.type !== 'eval.error') return;
  const { evalId, running } = useEvaluate.getState();
  if (evalId === null) {
    if (running) early.push(event);
    return;
  }
  if (event.payload.evalId !== evalId) return;
  if (event.type === 'eval.progress') {
    const { evalId: _id, ...progress } = event.payload;
    useEvaluate.setState({ progress });
  } else if (event.type === 'eval.done') {
    useEvaluate.setState({ running: false, report: event.payload.report, error: null });
  } else {
    const { progress } = useEvaluate.getState();
    useEvaluate.setState(
      event.payload.error.code === 'cancelled'
        ? { running: false, stopped: { done: progress?.done ?? 0, total: progress?.total ?? 0 } }
        : { running: false, error: event.payload.error.message },
    );
  }
}

let subscribed = false;
function watch(): void {
  if (subscribed) return;
  subscribed = true;
  api.on(onEvaluateEvent);
}

export interface EvalRunRequest {
  kind: EvalKindName;
  /** A benchmark folder on the machine running DocLens; absent: the generated sample set of `kind`. */
  dir?: string;
  modelId?: string;
  limit?: number;
}

export async function startEval(req: EvalRunRequest): Promise<void> {
  watch();
  early = [];
  useEvaluate.setState({
    evalId: null,
    running: true,
    progress: null,
    report: null,
    error: null,
    stopped: null,
    stopAsked: false,
    dir: req.dir ?? null,
    outDir: null,
  });
  const common = {
    kind: req.kind,
    ...(req.modelId ? { modelId: req.modelId } : {}),
    ...(req.limit ? { limit: req.limit } : {}),
  };
  try {
    const r = req.dir
      ? { ...(await api.call('eval.start', { ...common, dir: req.dir })), dir: req.dir }
      : await api.call('eval.startSample', common);
    useEvaluate.setState({ evalId: r.evalId, outDir: r.outDir, dir: r.dir });
    for (const e of early.splice(0)) onEvaluateEvent(e);
    if (useEvaluate.getState().stopAsked && useEvaluate.getState().running)
      await api.call('eval.cancel', { evalId: r.evalId });
  } catch (e) {
    useEvaluate.setState({ running: false, error: e instanceof Error ? e.message : String(e) });
  }
}

export async function stopEval(): Promise<void> {
  const { evalId, running } = useEvaluate.getState();
  if (!running) return;
  // NOTE: Stop pressed while the run is still being set up (the sample set generated, the folder checked) has no id
  // to cancel yet; it is remembered and carried out when eval.start answers, so the button never does nothing.
  if (!evalId) useEvaluate.setState({ stopAsked: true });
  else await api.call('eval.cancel', { evalId });
}
