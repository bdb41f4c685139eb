// One page of the viewer: a crisp canvas (device-pixel scaled) with pdf.js's text layer over it for
// selection and copy, or the image itself; drawn only when near the visible area.
import { TextLayer } from 'pdfjs-dist';
import type { RenderTask } from 'pdfjs-dist';
import { useEffect, useRef, useState } from 'react';
import type { CSSProperties } from 'react';
import type { DocumentInfo, PageInfo } from '../../shared/domain.js';
import { imageUrlFor, pdfFor } from '../lib/doc-source.js';
import { cssPerUnit } from '../lib/pdf.js';
import { useNearViewport } from '../lib/use-near-viewport.js';
import { useHighlights } from '../stores/highlights.js';
import { BoxEditor } from './BoxEditor.js';
import { Highlights } from './Highlights.js';

export function PageView({
  info,
  page,
  zoom,
  rotation = 0,
}: {
  info: DocumentInfo;
  page: PageInfo;
  zoom: number;
  /** View rotation (clockwise degrees, a multiple of 90): the page and its overlays turn as one. */
  rotation?: number;
}) {
  const scale = zoom * cssPerUnit(info.kind);
  const width = Math.floor(page.width * scale);
  const height = Math.floor(page.height * scale);
  const turned = rotation === 90 || rotation === 270;
  const ref = useRef<HTMLDivElement>(null);
  const visible = useNearViewport(ref);
  const h = useHighlights();
  const shown = h.docId === info.id && !h.hidden ? h.boxes : [];
  // Keep each box's index in the whole set: the flash and the labels' colours refer to it.
  const onPage = shown.map((b, index) => ({ b, index })).filter(({ b }) => b.page === page.page);
  return (
    <div
      ref={ref}
      className="page"
      data-testid={`page-${page.page}`}
      data-page={page.page}
      data-rotation={rotation}
      style={{ width: turned ? height : width, height: turned ? width : height }}
      aria-label={`Page ${page.page}`}
      role="region"
    >
      <div style={turnStyle(rotation, width, height)}>
        {visible && info.kind === 'pdf' && <PdfPage info={info} page={page.page} scale={scale} />}
        {visible && info.kind === 'image' && <ImagePage info={info} width={width} height={height} />}
        {onPage.length > 0 && (
          <Highlights
            all={shown}
            onPage={onPage}
            scale={scale}
            flash={h.flash}
            showLabels={h.source === 'find'}
          />
        )}
        <BoxEditor docId={info.id} page={page.page} scale={scale} rotation={rotation} />
      </div>
    </div>
  );
}

/** Page space drawn at width×height, turned about its top-left corner and moved back into the page box. */
function turnStyle(rotation: number, width: number, height: number): CSSProperties {
  const shift: Record<number, string> = {
    90: `translate(${height}px, 0)`,
    180: `translate(${width}px, ${height}px)`,
    270: `translate(0, ${width}px)`,
  };
  return {
    position: 'absolute',
    left: 0,
    top: 0,
    width,
    height,
    transformOrigin: '0 0',
    transform: rotation ? `${shift[rotation] ?? ''} rotate(${rotation}deg)` : undefined,
  };
}

function PdfPage({ info, page, scale }: { info: DocumentInfo; page: number; scale: number }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const textRef = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'painted' | 'error'>('loading');

  useEffect(() => {
    let cancelled = false;
    let task: RenderTask | null = null;
    let textLayer: TextLayer | null = null;
    setState('loading');
    void (async () => {
      try {
        const pdf = await pdfFor(info);
        const p = await pdf.getPage(page);
        if (cancelled) return;
        const viewport = p.getViewport({ scale });
        const canvas = canvasRef.current;
        const textDiv = textRef.current;
        if (!canvas || !textDiv) return;
        const ratio = window.devicePixelRatio || 1;
        canvas.width = Math.floor(viewport.width * ratio);
        canvas.height = Math.floor(viewport.height * ratio);
        canvas.style.width = `${Math.floor(viewport.width)}px`;
        canvas.style.height = `${Math.floor(viewport.height)}px`;
        task = p.render({
          canvas,
          viewport,
          transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : undefined,
        });
        await task.promise;
        if (cancelled) return;
        textDiv.replaceChildren();
        // pdf.js sizes the layer and every span by --total-scale-factor (= scale × the page's UserUnit). It
        // must be set on the layer itself: computed on an ancestor, var(--scale-factor) is not defined there
        // yet, the whole chain becomes invalid and every span falls back to the default font size.
        textDiv.style.setProperty('--scale-factor', String(viewport.scale));
        textDiv.style.setProperty('--total-scale-factor', String(viewport.scale * viewport.userUnit));
        textLayer = new TextLayer({ textContentSource: p.streamTextContent(), container: textDiv, viewport });
        await textLayer.render();
        if (!cancelled) setState('painted');
      } catch (e) {
        if (!cancelled && (e as { name?: string }).name !== 'RenderingCancelledException') setState('error');
      }
    })();
    return () => {
      cancelled = true;
      task?.cancel();
      textLayer?.cancel();
    };
  }, [info, page, scale]);

  return (
    <>
      <canvas ref={canvasRef} className="page-canvas" data-state={state} aria-hidden="true" />
      <div ref={textRef} className="textLayer" data-testid="text-layer" />
      {state === 'error' && <div className="page-error">This page could not be drawn.</div>}
    </>
  );
}

function ImagePage({ info, width, height }: { info: DocumentInfo; width: number; height: number }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void imageUrlFor(info).then((u) => live && setUrl(u));
    return () => {
      live = false;
    };
  }, [info]);
  return url ? (
    <img className="page-image" src={url} width={width} height={height} alt={info.name} draggable={false} />
  ) : null;
}
