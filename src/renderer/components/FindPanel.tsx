// Find in image: name one or more objects; the vision-language model grounds them on the current page and the
// boxes are drawn in distinct colours with labels. The raw model output is shown as it streams, so what the
// model said and where DocLens put it can be compared; hits can be copied as JSON or exported as an annotated PNG.
import { useState } from 'react';
import type { LabelledBox } from '../../shared/geometry.js';
import { api } from '../lib/api.js';
import { cancelAsk, findObjects, showAnswer, useAsk } from '../stores/ask.js';
import type { OpenDoc } from '../stores/documents.js';
import { setHidden, useHighlights } from '../stores/highlights.js';
import { setPanel, toast } from '../stores/ui.js';
import { useProviderStatus } from './AskPanel.js';
import { colourFor, labelsOf } from './Highlights.js';
import { errorMessage } from './messages.js';
import { ReviewBar, ReviewList } from './Review.js';
import { revealBox } from './Viewer.js';

/** "cat, red car; dog" → ["cat", "red car", "dog"]. */
export function parseObjects(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[,;\n]/)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ].slice(0, 32);
}

export function FindPanel({ doc }: { doc: OpenDoc | null }) {
  const [objects, setObjects] = useState('');
  const [tiles, setTiles] = useState(false);
  const status = useProviderStatus();
  const entries = useAsk((s) => s.entries);
  const hidden = useHighlights((s) => s.hidden);
  const finds = doc ? entries.filter((e) => e.docId === doc.info.id && e.kind === 'find') : [];
  const last = finds.at(-1);
  const running = last?.status === 'running' ? last : undefined;
  const boxes = last?.answer?.boxes ?? [];
  const labels = labelsOf(boxes);

  // Finding needs a vision-language model; until one is installed the button is off and says why (a run
  // without one used to end in "0 hits", as if the page had nothing).
  const noModel = status !== null && !status.installedModel;
  const blocked = !doc
    ? 'Open a document first'
    : noModel
      ? 'Finding objects needs a vision-language model: install one in the Models panel'
      : null;

  const submit = () => {
    const list = parseObjects(objects);
    if (!doc || noModel || list.length === 0 || running) return;
    void findObjects(doc.info.id, doc.page, list, tiles);
  };

  return (
    <section className="panel find-panel" aria-label="Find in image">
      <h2>Find on {doc ? `page ${doc.page}` : 'a page'}</h2>
      {noModel && (
        <div className="note info" role="note" id="find-needs-model" data-testid="find-needs-model">
          Finding objects needs a vision-language model, and none is installed.{' '}
          <button type="button" className="linkish" onClick={() => setPanel('models')}>
            Open Models
          </button>{' '}
          to install one.
        </div>
      )}
      <form
        className="ask-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <input
          type="text"
          value={objects}
          onChange={(e) => setObjects(e.currentTarget.value)}
          placeholder={doc ? 'Objects to find, e.g. “red car, person, logo”' : 'Open a document first'}
          disabled={!doc}
          aria-label="Objects to find"
        />
        <div className="row spread">
          <label
            className="check small"
            title="Also reads tiles of a page larger than one model image: finds small objects, one model run per tile"
          >
            <input type="checkbox" checked={tiles} onChange={(e) => setTiles(e.currentTarget.checked)} />
            Look closer (tiles)
          </label>
          {running?.askId ? (
            <button type="button" className="btn danger" onClick={() => void cancelAsk(running.askId ?? '')}>
              Stop
            </button>
          ) : (
            <button
              className="btn primary"
              type="submit"
              disabled={blocked !== null || parseObjects(objects).length === 0}
              title={blocked ?? 'Find these objects on the page'}
              aria-describedby={noModel ? 'find-needs-model' : undefined}
            >
              Find
            </button>
          )}
        </div>
      </form>

      {last && (
        <div className="find-result" data-testid="find-result" data-status={last.status}>
          {last.status === 'error' && (
            <p className="note error" role="alert">
              {last.error}
            </p>
          )}
          <div className="row spread">
            <strong>
              {last.status === 'running'
                ? 'Looking…'
                : `${boxes.length} hit${boxes.length === 1 ? '' : 's'} for ${last.question}`}
            </strong>
            {boxes.length > 0 && (
              <label className="toggle">
                <input
                  type="checkbox"
                  checked={!hidden}
                  onChange={(e) => {
                    showAnswer(last.key);
                    setHidden(!e.currentTarget.checked);
                  }}
                />
                Show boxes
              </label>
            )}
          </div>
          {boxes.length > 0 && doc && (
            <ul className="hits" aria-label="Hits">
              {boxes.map((b, i) => (
                <li key={i}>
                  <button
                    className="hit"
                    onClick={() => {
                      showAnswer(last.key);
                      revealBox(doc, b, i);
                    }}
                  >
                    <span className="swatch" style={{ backgroundColor: colourFor(b.label, labels) }} />
                    <span className="hit-label">{b.label || '(no label)'}</span>
                    <span className="muted small">
                      p.{b.page} · {Math.round(b.x0)},{Math.round(b.y0)} – {Math.round(b.x1)},
                      {Math.round(b.y1)}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {boxes.length > 0 && doc && (
            <div className="row">
              <button className="btn" onClick={() => void copyJson(boxes)}>
                Copy as JSON
              </button>
              <button className="btn" onClick={() => void exportPng(doc, last.answer?.boxes ?? [])}>
                Export PNG
              </button>
            </div>
          )}
          <details className="raw" open={last.status === 'running' || boxes.length === 0}>
            <summary>Raw model output</summary>
            <pre data-testid="raw-output">{last.answer?.raw ?? last.text}</pre>
          </details>
          {last.answer && (
            <p className="muted small">
              {[
                last.answer.model,
                last.answer.provider?.toUpperCase(),
                `${Math.round(last.answer.timings.total_ms)} ms`,
              ]
                .filter(Boolean)
                .join(' · ')}
            </p>
          )}
          {doc && <ReviewBar entry={last} doc={doc} />}
        </div>
      )}
      {doc && <ReviewList doc={doc} kind="find" />}
    </section>
  );
}

async function copyJson(boxes: readonly LabelledBox[]): Promise<void> {
  try {
    await navigator.clipboard.writeText(JSON.stringify(boxes, null, 2));
    toast('info', 'Copied', `${boxes.length} box(es) copied as JSON (page space, points).`);
  } catch (e) {
    toast('error', 'Could not copy', errorMessage(e));
  }
}

/** Draws the page as the backend renders it plus the boxes (page space × the render's scale) into a PNG. */
async function exportPng(doc: OpenDoc, boxes: readonly LabelledBox[]): Promise<void> {
  try {
    const r = await api.call('documents.pageImage', {
      docId: doc.info.id,
      page: doc.page,
      dpi: doc.info.kind === 'image' ? 72 : 150,
    });
    const bitmap = await createImageBitmap(
      new Blob([r.png as Uint8Array<ArrayBuffer>], { type: 'image/png' }),
    );
    const canvas = document.createElement('canvas');
    canvas.width = r.width;
    canvas.height = r.height;
    const g = canvas.getContext('2d');
    if (!g) throw new Error('no 2D canvas');
    g.drawImage(bitmap, 0, 0);
    const labels = labelsOf(boxes);
    const line = Math.max(2, Math.round(r.width / 400));
    g.font = `${Math.max(12, line * 6)}px sans-serif`;
    for (const b of boxes.filter((x) => x.page === doc.page)) {
      const c = colourFor(b.label, labels);
      const [x, y, w, h] = [b.x0 * r.scale, b.y0 * r.scale, (b.x1 - b.x0) * r.scale, (b.y1 - b.y0) * r.scale];
      g.strokeStyle = c;
      g.lineWidth = line;
      g.strokeRect(x, y, w, h);
      if (b.label) {
        const tw = g.measureText(b.label).width + 8;
        const th = line * 6 + 6;
        g.fillStyle = c;
        g.fillRect(x, Math.max(0, y - th), tw, th);
        g.fillStyle = '#fff';
        g.fillText(b.label, x + 4, Math.max(th - 4, y - 4));
      }
    }
    const blob = await new Promise<Blob | null>((res) => canvas.toBlob(res, 'image/png'));
    if (!blob) throw new Error('the canvas could not be encoded');
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${doc.info.name.replace(/\.[^.]+$/, '')}-p${doc.page}-found.png`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  } catch (e) {
    toast('error', 'Could not export the image', errorMessage(e));
  }
}
