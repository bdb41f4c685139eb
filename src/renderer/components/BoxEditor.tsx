// The boxes of an answer being corrected, drawn over its page and edited by hand: drag a box to move it, drag its
// corner handles to resize it, arrow keys nudge the focused one. Pointer moves are turned back from screen pixels
// to page space (the view's zoom and rotation undone), so what is stored is in page space like every box.
import { useRef } from 'react';
import type { PointerEvent as ReactPointerEvent } from 'react';
import { dragged, screenDeltaToPage, type Grip } from '../../shared/box-drag.js';
import type { Rect } from '../../shared/geometry.js';
import { setCorrectionBox, useReviews } from '../stores/reviews.js';

export function BoxEditor({
  docId,
  page,
  scale,
  rotation,
}: {
  docId: string;
  page: number;
  scale: number;
  rotation: number;
}) {
  const editing = useReviews((s) =>
    s.editing?.docId === docId && s.editing.page === page ? s.editing : null,
  );
  const drag = useRef<{ index: number; grip: Grip; x: number; y: number; start: Rect } | null>(null);
  if (!editing) return null;

  const begin = (ev: ReactPointerEvent<HTMLElement>, index: number, grip: Grip) => {
    const b = editing.boxes[index];
    if (!b || ev.button !== 0) return;
    ev.preventDefault();
    ev.stopPropagation();
    ev.currentTarget.closest<HTMLElement>('[data-testid="edit-box"]')?.focus();
    ev.currentTarget.setPointerCapture(ev.pointerId);
    drag.current = {
      index,
      grip,
      x: ev.clientX,
      y: ev.clientY,
      start: { x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1 },
    };
  };
  const move = (ev: ReactPointerEvent<HTMLElement>) => {
    const d = drag.current;
    if (!d) return;
    const { dx, dy } = screenDeltaToPage(ev.clientX - d.x, ev.clientY - d.y, rotation, scale);
    setCorrectionBox(d.index, dragged(d.start, d.grip, dx, dy));
  };
  const end = () => {
    drag.current = null;
  };

  return (
    <div className="box-editor" data-testid="box-editor">
      {editing.boxes.map((b, i) => (
        <div
          key={i}
          className="edit-box"
          data-testid="edit-box"
          data-index={i}
          tabIndex={0}
          role="button"
          aria-label={`Box ${i + 1}${b.label ? ` (${b.label})` : ''}: drag to move, drag a corner to resize`}
          style={{
            left: b.x0 * scale,
            top: b.y0 * scale,
            width: (b.x1 - b.x0) * scale,
            height: (b.y1 - b.y0) * scale,
          }}
          onPointerDown={(ev) => begin(ev, i, 'move')}
          onPointerMove={move}
          onPointerUp={end}
          onPointerCancel={end}
          onKeyDown={(ev) => {
            const step = ev.shiftKey ? 10 : 1;
            const k: Record<string, [number, number]> = {
              ArrowLeft: [-step, 0],
              ArrowRight: [step, 0],
              ArrowUp: [0, -step],
              ArrowDown: [0, step],
            };
            const v = k[ev.key];
            if (!v) return;
            ev.preventDefault();
            // Arrows act on the screen: a rotated view turns them back to page space too.
            const { dx, dy } = screenDeltaToPage(v[0] * scale, v[1] * scale, rotation, scale);
            setCorrectionBox(i, dragged(b, ev.altKey ? 'se' : 'move', dx, dy));
          }}
        >
          {b.label && <span className="edit-box-label">{b.label}</span>}
          {(['nw', 'ne', 'sw', 'se'] as const).map((c) => (
            <span
              key={c}
              className={`edit-grip ${c}`}
              data-testid={`edit-grip-${c}`}
              onPointerDown={(ev) => begin(ev, i, c)}
              onPointerMove={move}
              onPointerUp={end}
              onPointerCancel={end}
            />
          ))}
        </div>
      ))}
    </div>
  );
}
