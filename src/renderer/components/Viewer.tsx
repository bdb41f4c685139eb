// The document viewer: pages stacked in a scroll area, zoom kept in the store, fit-width / fit-page
// recomputed when the window or panel size changes, the current page tracked while scrolling.
import { useEffect, useLayoutEffect, useRef } from 'react';
import type { OpenDoc } from '../stores/documents.js';
import { setFit, setPage, viewScrolls as scrolls } from '../stores/documents.js';
import { cssPerUnit } from '../lib/pdf.js';
import { PageView } from './PageView.js';
import type { PageBox } from '../../shared/geometry.js';
import { flashBox } from '../stores/highlights.js';

const PAGE_GAP = 16;
const PADDING = 24;

export function Viewer({ doc }: { doc: OpenDoc }) {
  const scroller = useRef<HTMLDivElement>(null);
  const { info, fit, zoom, rotation } = doc;
  const view = useRef({ zoom, rotation });
  view.current = { zoom, rotation };
  // The page box as laid out: a quarter turn swaps its width and height.
  const turned = rotation === 90 || rotation === 270;
  const wOf = (p: { width: number; height: number }) => (turned ? p.height : p.width);
  const hOf = (p: { width: number; height: number }) => (turned ? p.width : p.height);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !fit) return;
    const compute = () => {
      const first = info.pages[0];
      if (!first) return;
      const unit = cssPerUnit(info.kind);
      const widest = Math.max(...info.pages.map(wOf));
      const availW = el.clientWidth - 2 * PADDING;
      const availH = el.clientHeight - 2 * PADDING;
      const z =
        fit === 'width'
          ? availW / (widest * unit)
          : Math.min(availW / (wOf(first) * unit), availH / (hOf(first) * unit));
      if (Number.isFinite(z) && z > 0 && Math.abs(z - zoom) > 0.005)
        setFit(info.id, fit, Math.min(5, Math.max(0.1, z)));
    };
    compute();
    const ro = new ResizeObserver(compute);
    ro.observe(el);
    return () => ro.disconnect();
  }, [info, fit, zoom, turned]);

  // Restore this tab's scroll position (or, when the layout changed since, its current page) before paint.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const saved = scrolls.get(info.id);
    if (saved && saved.zoom === zoom && saved.rotation === rotation) {
      el.scrollTop = saved.top;
      el.scrollLeft = saved.left;
    } else if (doc.page > 1) {
      const target = el.querySelector<HTMLElement>(`[data-page="${doc.page}"]`);
      if (target)
        el.scrollTop = target.getBoundingClientRect().top - el.getBoundingClientRect().top - PADDING / 2;
    }
    return () => {
      scrolls.set(info.id, { top: el.scrollTop, left: el.scrollLeft, ...view.current });
    };
    // Only on mount and unmount: later zoom changes keep the scroll where the user put it.
  }, []);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onScroll = () => {
      const mid = el.scrollTop + el.clientHeight / 3;
      let y = PADDING;
      const unit = cssPerUnit(info.kind) * zoom;
      for (const p of info.pages) {
        const h = Math.floor(hOf(p) * unit) + PAGE_GAP;
        if (mid < y + h) {
          if (p.page !== doc.page) setPage(info.id, p.page);
          return;
        }
        y += h;
      }
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => el.removeEventListener('scroll', onScroll);
  }, [info, zoom, doc.page, turned]);

  return (
    <div className="viewer" ref={scroller} data-testid="viewer" tabIndex={-1}>
      <div className="pages" style={{ padding: PADDING, gap: PAGE_GAP }}>
        {info.pages.map((p) => (
          <PageView key={p.page} info={info} page={p} zoom={zoom} rotation={rotation} />
        ))}
      </div>
    </div>
  );
}

/** Scrolls the viewer so that a page-space box is in view (centred when possible) and makes it blink. */
export function revealBox(doc: OpenDoc, box: PageBox, index: number): void {
  const viewer = document.querySelector<HTMLElement>('[data-testid="viewer"]');
  const el = viewer?.querySelector<HTMLElement>(`[data-page="${box.page}"]`);
  flashBox(index);
  if (!viewer || !el) return;
  const scale = doc.zoom * cssPerUnit(doc.info.kind);
  // The box's centre in the page element as laid out (a rotated view turns page space).
  const p = doc.info.pages.find((q) => q.page === box.page);
  const w = (p?.width ?? 0) * scale;
  const h = (p?.height ?? 0) * scale;
  const cx = ((box.x0 + box.x1) / 2) * scale;
  const cy = ((box.y0 + box.y1) / 2) * scale;
  const [x, y] =
    doc.rotation === 90
      ? [h - cy, cx]
      : doc.rotation === 180
        ? [w - cx, h - cy]
        : doc.rotation === 270
          ? [cy, w - cx]
          : [cx, cy];
  const top = el.offsetTop + y - viewer.clientHeight / 2;
  const left = el.offsetLeft + x - viewer.clientWidth / 2;
  viewer.scrollTo({ top: Math.max(0, top), left: Math.max(0, left), behavior: 'smooth' });
}

/** Scrolls the active viewer so that `page` is at the top. */
export function scrollToPage(page: number): void {
  const el = document.querySelector(`[data-testid="viewer"] [data-page="${page}"]`);
  el?.scrollIntoView({ block: 'start', behavior: 'smooth' });
}
