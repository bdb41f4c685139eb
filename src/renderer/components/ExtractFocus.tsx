// Points the viewer at the extracted item the user clicked: scrolls its page-space box into view and draws it on
// the page (a portal into the page element, placed with the page's zoom: page space × scale, like Highlights).
import { useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import { cssPerUnit } from '../lib/pdf.js';
import { activeDoc, useDocuments } from '../stores/documents.js';
import type { Focus } from '../stores/extract.js';
import { useExtract } from '../stores/extract.js';

function pageElement(page: number): HTMLElement | null {
  return document.querySelector<HTMLElement>(`[data-testid="viewer"] [data-page="${page}"]`);
}

/** Scrolls the viewer so that the box is in view, centred where the page allows. */
export function revealBox(page: number, box: Focus['box'], scale: number): void {
  const viewer = document.querySelector<HTMLElement>('[data-testid="viewer"]');
  const el = pageElement(page);
  if (!viewer || !el) return;
  const top = el.offsetTop + ((box.y0 + box.y1) / 2) * scale - viewer.clientHeight / 2;
  const left = el.offsetLeft + box.x0 * scale - viewer.clientWidth / 3;
  viewer.scrollTo({ top: Math.max(0, top), left: Math.max(0, left), behavior: 'smooth' });
}

export function ExtractFocus() {
  const focus = useExtract((s) => s.focus);
  const doc = useDocuments((s) => activeDoc(s));
  const [target, setTarget] = useState<HTMLElement | null>(null);
  const scale = doc ? doc.zoom * cssPerUnit(doc.info.kind) : 1;
  const mine = focus !== null && doc !== null && focus.docId === doc.info.id;

  useEffect(() => {
    if (!mine) {
      setTarget(null);
      return;
    }
    setTarget(pageElement(focus.page));
    revealBox(focus.page, focus.box, scale);
    // Scroll on a new click, not on every zoom step.
  }, [mine, focus?.seq]);

  if (!mine || !target || !target.isConnected) return null;
  const { box } = focus;
  return createPortal(
    <div
      key={focus.seq}
      className="extract-focus"
      data-testid="extract-focus"
      data-label={focus.label}
      aria-hidden="true"
      style={{
        left: box.x0 * scale - 3,
        top: box.y0 * scale - 3,
        width: (box.x1 - box.x0) * scale + 6,
        height: (box.y1 - box.y0) * scale + 6,
      }}
    ></div>,
    target,
  );
}
