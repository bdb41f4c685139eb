// The page strip: small renders of each page, drawn lazily, the current page highlighted; click to jump.
import { useEffect, useRef, useState } from 'react';
import type { DocumentInfo, PageInfo } from '../../shared/domain.js';
import { imageUrlFor, pdfFor } from '../lib/doc-source.js';
import { useNearViewport } from '../lib/use-near-viewport.js';
import { scrollToPage } from './Viewer.js';

const THUMB_W = 120;

export function Thumbnails({ info, current }: { info: DocumentInfo; current: number }) {
  return (
    <nav className="thumbs" aria-label="Pages">
      {info.pages.map((p) => (
        <Thumb key={p.page} info={info} page={p} active={p.page === current} />
      ))}
    </nav>
  );
}

function Thumb({ info, page, active }: { info: DocumentInfo; page: PageInfo; active: boolean }) {
  const ref = useRef<HTMLButtonElement>(null);
  const visible = useNearViewport(ref);
  const h = Math.round((THUMB_W * page.height) / page.width);
  return (
    <button
      ref={ref}
      className={`thumb${active ? ' active' : ''}`}
      onClick={() => scrollToPage(page.page)}
      aria-label={`Go to page ${page.page}`}
      aria-current={active ? 'page' : undefined}
    >
      <span className="thumb-frame" style={{ width: THUMB_W, height: h }}>
        {visible &&
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
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const pdf = await pdfFor(info);
      const p = await pdf.getPage(page);
      const base = p.getViewport({ scale: 1 });
      const ratio = window.devicePixelRatio || 1;
      const viewport = p.getViewport({ scale: (width / base.width) * ratio });
      const c = canvas.current;
      if (!c || cancelled) return;
      c.width = Math.floor(viewport.width);
      c.height = Math.floor(viewport.height);
      await p.render({ canvas: c, viewport }).promise.catch(() => undefined);
    })().catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [info, page, width]);
  return <canvas ref={canvas} className="thumb-canvas" />;
}

function ImgThumb({ info }: { info: DocumentInfo }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    void imageUrlFor(info).then(setUrl);
  }, [info]);
  return url ? <img src={url} alt="" className="thumb-canvas" /> : null;
}
