// The page strip: small renders of each page, the current page highlighted and kept in view; click to jump.
// Virtualised for long documents: every page has a sized placeholder, but only thumbnails near the strip's
// visible area are drawn, and only once they have stayed there briefly, so flinging through 200 pages does
// not queue 200 renders; a render is cancelled when its thumbnail leaves, and drawn thumbnails are kept
// (a bounded cache) so scrolling back costs nothing.
import type { RenderTask } from 'pdfjs-dist';
import { useEffect, useRef, useState } from 'react';
import type { DocumentInfo, PageInfo } from '../../shared/domain.js';
import { imageUrlFor, pdfFor } from '../lib/doc-source.js';
import { useNearViewport } from '../lib/use-near-viewport.js';
import { scrollToPage } from './Viewer.js';

const THUMB_W = 120;
/** How long a thumbnail must stay near the visible area before it is drawn. */
const SETTLE_MS = 120;
const CACHE_MAX = 300;

const cache = new Map<string, ImageBitmap>();
let renders = 0;

function cached(key: string): ImageBitmap | undefined {
  const b = cache.get(key);
  if (b) {
    cache.delete(key);
    cache.set(key, b);
  }
  return b;
}

function remember(key: string, bitmap: ImageBitmap): void {
  cache.set(key, bitmap);
  for (const [k, old] of cache) {
    if (cache.size <= CACHE_MAX) break;
    cache.delete(k);
    old.close();
  }
}

export function Thumbnails({ info, current }: { info: DocumentInfo; current: number }) {
  const nav = useRef<HTMLElement>(null);
  useEffect(() => {
    const strip = nav.current;
    const el = strip?.querySelector<HTMLElement>(`[data-thumb="${current}"]`);
    if (!strip || !el) return;
    // Keep the current page's thumbnail in view without moving the strip when it already is.
    const box = el.getBoundingClientRect();
    const view = strip.getBoundingClientRect();
    if (box.top < view.top || box.bottom > view.bottom) {
      strip.scrollTo({ top: strip.scrollTop + box.top - view.top - strip.clientHeight / 3 });
    }
  }, [current]);
  return (
    <nav className="thumbs" aria-label="Pages" ref={nav} data-testid="thumbnails">
      {info.pages.map((p) => (
        <Thumb key={p.page} info={info} page={p} active={p.page === current} />
      ))}
    </nav>
  );
}

function useSettled(near: boolean): boolean {
  const [settled, setSettled] = useState(false);
  useEffect(() => {
    if (!near) {
      setSettled(false);
      return;
    }
    const t = setTimeout(() => setSettled(true), SETTLE_MS);
    return () => clearTimeout(t);
  }, [near]);
  return settled;
}

function Thumb({ info, page, active }: { info: DocumentInfo; page: PageInfo; active: boolean }) {
  const ref = useRef<HTMLButtonElement>(null);
  const near = useNearViewport(ref, '50% 0px');
  const draw = useSettled(near);
  const h = Math.round((THUMB_W * page.height) / page.width);
  return (
    <button
      ref={ref}
      className={`thumb${active ? ' active' : ''}`}
      onClick={() => scrollToPage(page.page)}
      aria-label={`Go to page ${page.page}`}
      aria-current={active ? 'page' : undefined}
      data-thumb={page.page}
    >
      <span className="thumb-frame" style={{ width: THUMB_W, height: h }}>
        {draw &&
          (info.kind === 'pdf' ? (
            <PdfThumb info={info} page={page.page} width={THUMB_W} />
          ) : (
            <ImgThumb info={info} />
          ))}
      </span>
      <span className="thumb-label">{page.page}</span>
    </button>
  );
}

function PdfThumb({ info, page, width }: { info: DocumentInfo; page: number; width: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [state, setState] = useState<'loading' | 'painted' | 'error'>('loading');
  useEffect(() => {
    let cancelled = false;
    let task: RenderTask | null = null;
    const key = `${info.id}:${page}:${width}:${window.devicePixelRatio || 1}`;
    const c = canvas.current;
    const hit = cached(key);
    if (c && hit) {
      c.width = hit.width;
      c.height = hit.height;
      c.getContext('2d')?.drawImage(hit, 0, 0);
      setState('painted');
      return;
    }
    void (async () => {
      const pdf = await pdfFor(info);
      const p = await pdf.getPage(page);
      if (!c || cancelled) return;
      const base = p.getViewport({ scale: 1 });
      const ratio = window.devicePixelRatio || 1;
      const viewport = p.getViewport({ scale: (width / base.width) * ratio });
      c.width = Math.floor(viewport.width);
      c.height = Math.floor(viewport.height);
      renders++;
      document.documentElement.dataset.thumbRenders = String(renders);
      task = p.render({ canvas: c, viewport });
      await task.promise;
      if (cancelled) return;
      setState('painted');
      remember(key, await createImageBitmap(c));
    })().catch((e: unknown) => {
      if (!cancelled && (e as { name?: string }).name !== 'RenderingCancelledException') setState('error');
    });
    return () => {
      cancelled = true;
      task?.cancel();
    };
  }, [info, page, width]);
  return <canvas ref={canvas} className="thumb-canvas" data-state={state} />;
}

function ImgThumb({ info }: { info: DocumentInfo }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void imageUrlFor(info).then((u) => live && setUrl(u));
    return () => {
      live = false;
    };
  }, [info]);
  return url ? <img src={url} alt="" className="thumb-canvas" /> : null;
}
