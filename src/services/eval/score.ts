// Turns a benchmark's items and the model's recorded predictions into the figures each benchmark reports, overall
// and per category, with the scorers of src/eval/metrics.ts (nothing is scored here that they do not compute).
import {
  anls,
  circularAccuracy,
  extractChoice,
  gqaExactMatch,
  groundingAccuracy,
  iou,
  mmeAnswer,
  mmeScores,
  popeAnswer,
  popeScores,
  relaxedAccuracy,
  textVqaAccuracy,
  vqaAccuracy,
  type Box,
} from '../../eval/metrics.js';
import type { EvalItem, EvalKind } from './datasets.js';

/** One recorded model answer (a line of predictions.jsonl). */
export interface Prediction {
  id: string;
  text: string;
  /** Grounding runs: the first box the model gave, in image pixels; null when it gave none. */
  box: Box | null;
  ms: number;
}

/** fraction: 0–1, shown as %; points: MME's scale; count: a plain number. */
export type Unit = 'fraction' | 'points' | 'count';
export interface Figure {
  key: string;
  label: string;
  unit: Unit;
  value: number;
}
export interface Column {
  key: string;
  label: string;
  unit: Unit;
}
export interface CategoryRow {
  name: string;
  n: number;
  values: Record<string, number>;
}
export interface Scores {
  /** The benchmark's headline figures; `main` names the one a chart shows. */
  headline: Figure[];
  main: string;
  columns: Column[];
  categories: CategoryRow[];
  /** Each scored item's own score (1/0, or soft accuracy / ANLS). */
  items: { id: string; category: string; score: number }[];
}

type Scored = { item: EvalItem; pred: Prediction };

function byCategory(list: Scored[]): Map<string, Scored[]> {
  const m = new Map<string, Scored[]>();
  for (const s of list) m.set(s.item.category, [...(m.get(s.item.category) ?? []), s]);
  return new Map([...m.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** A benchmark whose score is the mean of a per-item score. */
function meanScored(list: Scored[], column: Column, itemScore: (s: Scored) => number): Scores {
  const items = list.map((s) => ({ id: s.item.id, category: s.item.category, score: itemScore(s) }));
  const scoreOf = new Map(items.map((i) => [i.id, i.score]));
  const categories = [...byCategory(list)].map(([name, l]) => ({
    name,
    n: l.length,
    values: { [column.key]: mean(l.map((s) => scoreOf.get(s.item.id) ?? 0)) },
  }));
  return {
    headline: [{ ...column, value: mean(items.map((i) => i.score)) }],
    main: column.key,
    columns: [column],
    categories,
    items,
  };
}

const ref = <K extends EvalItem['ref']['kind']>(item: EvalItem, kind: K) => {
  if (item.ref.kind !== kind) throw new Error(`item ${item.id} is not a ${kind} item`);
  return item.ref as Extract<EvalItem['ref'], { kind: K }>;
};

function scorePope(list: Scored[]): Scores {
  const columns: Column[] = [
    { key: 'accuracy', label: 'Accuracy', unit: 'fraction' },
    { key: 'precision', label: 'Precision', unit: 'fraction' },
    { key: 'recall', label: 'Recall', unit: 'fraction' },
    { key: 'f1', label: 'F1', unit: 'fraction' },
    { key: 'yesRatio', label: 'Yes ratio', unit: 'fraction' },
  ];
  const scores = (l: Scored[]) =>
    popeScores(l.map((s) => ({ prediction: s.pred.text, label: ref(s.item, 'pope').label })));
  const all = scores(list);
  const pick = (s: ReturnType<typeof popeScores>) =>
    Object.fromEntries(columns.map((c) => [c.key, s[c.key as keyof typeof s]]));
  return {
    headline: columns.map((c) => ({ ...c, value: all[c.key as keyof typeof all] })),
    main: 'f1',
    columns,
    categories: [...byCategory(list)].map(([name, l]) => ({ name, n: l.length, values: pick(scores(l)) })),
    items: list.map((s) => ({
      id: s.item.id,
      category: s.item.category,
      score: popeAnswer(s.pred.text) === ref(s.item, 'pope').label ? 1 : 0,
    })),
  };
}

function scoreMme(list: Scored[]): Scores {
  const mme = mmeScores(
    list.map((s) => {
      const r = ref(s.item, 'mme');
      return { task: r.task, image: r.image, label: r.label, prediction: s.pred.text };
    }),
  );
  const columns: Column[] = [
    { key: 'acc', label: 'acc (%)', unit: 'points' },
    { key: 'accPlus', label: 'acc+ (%)', unit: 'points' },
    { key: 'score', label: 'score', unit: 'points' },
  ];
  return {
    headline: [
      { key: 'perception', label: 'Perception', unit: 'points', value: mme.perception },
      { key: 'cognition', label: 'Cognition', unit: 'points', value: mme.cognition },
      { key: 'total', label: 'Total', unit: 'points', value: mme.perception + mme.cognition },
    ],
    main: 'total',
    columns,
    categories: [...byCategory(list)].map(([name, l]) => {
      const t = mme.tasks[name] ?? { acc: 0, accPlus: 0, score: 0 };
      return { name, n: l.length, values: { acc: t.acc, accPlus: t.accPlus, score: t.score } };
    }),
    items: list.map((s) => ({
      id: s.item.id,
      category: s.item.category,
      score: mmeAnswer(s.pred.text) === ref(s.item, 'mme').label ? 1 : 0,
    })),
  };
}

function scoreChoice(list: Scored[], circular: boolean): Scores {
  const right = (s: Scored) => {
    const r = ref(s.item, 'choice');
    return extractChoice(s.pred.text, r.options) === r.answer ? 1 : 0;
  };
  const vanilla = (l: Scored[]) => mean(l.filter((s) => ref(s.item, 'choice').rotation === 0).map(right));
  const circ = (l: Scored[]) =>
    circularAccuracy(
      l.map((s) => {
        const r = ref(s.item, 'choice');
        return { group: r.group, prediction: s.pred.text, options: r.options, answer: r.answer };
      }),
    );
  const items = list.map((s) => ({ id: s.item.id, category: s.item.category, score: right(s) }));
  if (!circular) {
    const column: Column = { key: 'accuracy', label: 'Accuracy', unit: 'fraction' };
    return meanScored(list, column, right);
  }
  const columns: Column[] = [
    { key: 'circular', label: 'Circular accuracy', unit: 'fraction' },
    { key: 'vanilla', label: 'Accuracy (first order)', unit: 'fraction' },
    { key: 'questions', label: 'Questions', unit: 'count' },
  ];
  const all = circ(list);
  return {
    headline: [
      { ...columns[0]!, value: all.accuracy },
      { ...columns[1]!, value: vanilla(list) },
      { ...columns[2]!, value: all.questions },
    ],
    main: 'circular',
    columns,
    categories: [...byCategory(list)].map(([name, l]) => {
      const c = circ(l);
      return {
        name,
        n: l.length,
        values: { circular: c.accuracy, vanilla: vanilla(l), questions: c.questions },
      };
    }),
    items,
  };
}

function scoreRefCoco(list: Scored[]): Scores {
  const column: Column = { key: 'acc50', label: 'Acc@IoU≥0.5', unit: 'fraction' };
  const s = meanScored(list, column, (x) =>
    groundingAccuracy([{ predicted: x.pred.box, truth: ref(x.item, 'refcoco').box }]),
  );
  const meanIou = mean(list.map((x) => (x.pred.box ? iou(x.pred.box, ref(x.item, 'refcoco').box) : 0)));
  return {
    ...s,
    headline: [
      {
        ...column,
        value: groundingAccuracy(
          list.map((x) => ({ predicted: x.pred.box, truth: ref(x.item, 'refcoco').box })),
        ),
      },
      { key: 'meanIou', label: 'Mean IoU', unit: 'fraction', value: meanIou },
    ],
  };
}

/** The figures of `kind` over the items that have a prediction. */
export function scoreBenchmark(
  kind: EvalKind,
  items: readonly EvalItem[],
  predictions: ReadonlyMap<string, Prediction>,
): Scores {
  const list: Scored[] = [];
  for (const item of items) {
    const pred = predictions.get(item.id);
    if (pred) list.push({ item, pred });
  }
  switch (kind) {
    case 'pope':
      return scorePope(list);
    case 'vqa':
      return meanScored(list, { key: 'accuracy', label: 'VQA accuracy', unit: 'fraction' }, (s) =>
        vqaAccuracy(s.pred.text, ref(s.item, 'vqa').answers),
      );
    case 'textvqa':
      return meanScored(list, { key: 'accuracy', label: 'VQA accuracy', unit: 'fraction' }, (s) =>
        textVqaAccuracy(s.pred.text, ref(s.item, 'textvqa').answers),
      );
    case 'docvqa':
      return meanScored(list, { key: 'anls', label: 'ANLS', unit: 'fraction' }, (s) =>
        anls(s.pred.text, ref(s.item, 'docvqa').answers),
      );
    case 'chartqa':
      return meanScored(list, { key: 'relaxed', label: 'Relaxed accuracy', unit: 'fraction' }, (s) =>
        relaxedAccuracy(s.pred.text.trim(), ref(s.item, 'chartqa').answer) ? 1 : 0,
      );
    case 'gqa':
      return meanScored(list, { key: 'accuracy', label: 'Accuracy', unit: 'fraction' }, (s) =>
        gqaExactMatch(s.pred.text, ref(s.item, 'gqa').answer) ? 1 : 0,
      );
    case 'mme':
      return scoreMme(list);
    case 'mmbench':
      return scoreChoice(list, true);
    case 'seed':
      return scoreChoice(list, false);
    case 'refcoco':
      return scoreRefCoco(list);
  }
}
