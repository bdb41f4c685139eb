// The boxes drawn over the pages: one set at a time, from whichever panel showed them last (an answer, found
// objects, extracted dates or tables), plus one box to draw attention to. Boxes are in page space; PageView
// multiplies by its zoom, so every panel hands over page-space boxes and nothing else.
import { create } from 'zustand';
import type { LabelledBox } from '../../shared/geometry.js';

export type HighlightSource = 'ask' | 'find' | 'extract';

interface HighlightState {
  docId: string | null;
  source: HighlightSource | null;
  boxes: readonly LabelledBox[];
  hidden: boolean;
  /** Index into boxes of the one that blinks. */
  flash: number | null;
}

export const useHighlights = create<HighlightState>(() => ({
  docId: null,
  source: null,
  boxes: [],
  hidden: false,
  flash: null,
}));

export function showBoxes(docId: string, source: HighlightSource, boxes: readonly LabelledBox[]): void {
  useHighlights.setState({ docId, source, boxes, hidden: false, flash: null });
}

export function clearBoxes(source?: HighlightSource): void {
  if (source && useHighlights.getState().source !== source) return;
  useHighlights.setState({ docId: null, source: null, boxes: [], flash: null });
}

export function setHidden(hidden: boolean): void {
  useHighlights.setState({ hidden });
}

let flashTimer: ReturnType<typeof setTimeout> | undefined;
export function flashBox(index: number): void {
  clearTimeout(flashTimer);
  useHighlights.setState({ flash: index, hidden: false });
  flashTimer = setTimeout(() => useHighlights.setState({ flash: null }), 1600);
}
