// "How the model sees this page": the backend's plan (`plan.get`) for the current page and a model family, drawn
// over the page thumbnail — the resized input or the AnyRes tiles, each tile's token share, the total and the
// family's token formula — so a user can see why a page costs what it costs (docs/families.md).
import { useEffect, useState, type CSSProperties } from 'react';
import { ENGINE_FAMILY_IDS, FAMILIES, type FamilyId } from '../../shared/families.js';
import type { Plan } from '../../shared/domain.js';
import { api } from '../lib/api.js';
import type { OpenDoc } from '../stores/documents.js';

/** The thumbnail's width in CSS pixels; the render asked for is about twice that for sharpness. */
const THUMB_W = 300;

const TILE_COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#9c755f'];

const S: Record<string, CSSProperties> = {
  backdrop: {
    position: 'fixed',
    inset: 0,
    background: 'rgba(0,0,0,0.35)',
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    zIndex: 50,
  },
  dialog: {
    background: 'var(--bg, #fff)',
    color: 'var(--fg, #111)',
    borderRadius: 8,
    padding: 16,
    maxWidth: 'min(760px, 96vw)',
    maxHeight: '92vh',
    overflow: 'auto',
    boxShadow: '0 8px 32px rgba(0,0,0,0.3)',
  },
  body: { display: 'flex', gap: 16, flexWrap: 'wrap', alignItems: 'flex-start' },
  facts: { minWidth: 220, flex: 1 },
};

/** The family of the installed model questions go to, if the backend knows it. */
function useInstalledFamily(): FamilyId | null {
  const [family, setFamily] = useState<FamilyId | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all([api.call('models.status', {}), api.call('models.list', {})]).then(
      ([status, list]) => {
        const m = list.installed.find((x) => x.id === status.installedModel);
        if (live && m && ENGINE_FAMILY_IDS.includes(m.family)) setFamily(m.family);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return family;
}

export function PlanView({ doc, onClose }: { doc: OpenDoc; onClose: () => void }) {
  const installed = useInstalledFamily();
  const [picked, setPicked] = useState<FamilyId | null>(null);
  const family: FamilyId = picked ?? installed ?? 'qwen3-vl';
  const [plan, setPlan] = useState<Plan | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [thumb, setThumb] = useState<string | null>(null);
  const docId = doc.info.id;
  const page = doc.page;

  useEffect(() => {
    let live = true;
    setPlan(null);
    setError(null);
    api.call('plan.get', { docId, page, family }).then(
      (p) => live && setPlan(p),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [docId, page, family]);

  useEffect(() => {
    let live = true;
    let url: string | null = null;
    api.call('documents.pageImage', { docId, page, dpi: 50 }).then(
      (r) => {
        if (!live) return;
        url = URL.createObjectURL(new Blob([r.png as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
        setThumb(url);
      },
      () => undefined,
    );
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [docId, page]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const row = FAMILIES[family];
  return (
    <div style={S.backdrop} onClick={onClose}>
      <div
        role="dialog"
        aria-modal="true"
        aria-label="How the model sees this page"
        className="plan-view"
        style={S.dialog}
        onClick={(e) => e.stopPropagation()}
      >
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 12 }}>
          <h2 style={{ margin: 0 }}>How the model sees page {page}</h2>
          <button type="button" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </div>
        <label style={{ display: 'block', margin: '10px 0' }}>
          Model family{' '}
          <select
            aria-label="Model family"
            value={family}
            onChange={(e) => setPicked(e.currentTarget.value as FamilyId)}
          >
            {ENGINE_FAMILY_IDS.map((f) => (
              <option key={f} value={f}>
                {FAMILIES[f].name}
                {f === installed ? ' (installed)' : ''}
              </option>
            ))}
          </select>
        </label>
        {error && (
          <p role="alert" className="error">
            Could not plan page {page} for {row.name}: {error}
          </p>
        )}
        {!plan && !error && <p className="muted small">Planning…</p>}
        {plan && (
          <div style={S.body}>
            <PlanPicture plan={plan} thumb={thumb} />
            <PlanFacts plan={plan} formula={row.tokenFormula} />
          </div>
        )}
      </div>
    </div>
  );
}

/** The page thumbnail with each tile's region outlined (page space → thumbnail pixels). */
function PlanPicture({ plan, thumb }: { plan: Plan; thumb: string | null }) {
  const k = THUMB_W / plan.pageSize.width;
  const h = Math.round(plan.pageSize.height * k);
  const tiles = plan.tiles.filter((t) => t.kind !== 'global');
  return (
    <svg
      width={THUMB_W}
      height={h}
      viewBox={`0 0 ${THUMB_W} ${h}`}
      role="img"
      aria-label={`Page ${plan.page} with ${tiles.length} tile(s)`}
      data-thumb={thumb ? 'ready' : 'pending'}
      style={{ border: '1px solid #ccc', background: '#fff', flex: 'none' }}
    >
      {thumb && <image href={thumb} x={0} y={0} width={THUMB_W} height={h} />}
      {tiles.map((t, i) => {
        const c = TILE_COLOURS[i % TILE_COLOURS.length];
        const x = t.region.x0 * k;
        const y = t.region.y0 * k;
        const w = (t.region.x1 - t.region.x0) * k;
        const hh = (t.region.y1 - t.region.y0) * k;
        return (
          <g key={i} data-testid="plan-tile">
            <rect x={x} y={y} width={w} height={hh} fill={c} fillOpacity={0.12} stroke={c} strokeWidth={2} />
            <title>
              {tiles.length > 1 ? `Tile ${i + 1}: ` : ''}
              {t.input.width}×{t.input.height} px, {t.imageTokens} image tokens
            </title>
            <text x={x + 3} y={y + 12} fontSize={10} fill={c} fontWeight="bold">
              {tiles.length > 1 ? `${i + 1}·${t.imageTokens}` : `${t.imageTokens} tokens`}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function PlanFacts({ plan, formula }: { plan: Plan; formula: string }) {
  const global = plan.tiles.find((t) => t.kind === 'global');
  const tiles = plan.tiles.filter((t) => t.kind === 'tile');
  const single = plan.tiles.find((t) => t.kind === 'single');
  return (
    <dl style={S.facts} className="plan-facts">
      <dt>Image tokens</dt>
      <dd data-testid="plan-tokens" style={{ fontSize: '1.4em', fontWeight: 'bold', margin: 0 }}>
        {plan.imageTokens}
      </dd>
      <dt>Token formula</dt>
      <dd data-testid="plan-formula">{formula}</dd>
      <dt>Page raster</dt>
      <dd>
        {plan.render.width}×{plan.render.height} px at {Math.round(plan.render.dpi)} dpi
      </dd>
      {single && (
        <>
          <dt>Resized to</dt>
          <dd data-testid="plan-input">
            {single.input.width}×{single.input.height} px
          </dd>
        </>
      )}
      {plan.mode === 'anyres' && (
        <>
          <dt>Tiles</dt>
          <dd data-testid="plan-grid">
            {plan.grid ? `${plan.grid.cols}×${plan.grid.rows} grid, ` : ''}
            {tiles.length} tile(s) of {tiles[0]?.input.width ?? '?'}×{tiles[0]?.input.height ?? '?'} px
            {global ? ` + a ${global.input.width}×${global.input.height} px global view` : ''}
          </dd>
          <dt>Token share</dt>
          <dd>
            {global && <div data-testid="plan-global">global view: {global.imageTokens}</div>}
            <ol
              style={{ margin: 0, paddingLeft: 28, columns: 4, columnGap: 20 }}
              aria-label="Token share per tile"
            >
              {tiles.map((t, i) => (
                <li key={i}>{t.imageTokens}</li>
              ))}
            </ol>
          </dd>
        </>
      )}
      <dt>Pixel budget</dt>
      <dd>
        {plan.minPixels.toLocaleString('en-US')} – {plan.maxPixels.toLocaleString('en-US')} px
      </dd>
    </dl>
  );
}
