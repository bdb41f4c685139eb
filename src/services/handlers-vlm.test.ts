// The VLM room end to end through createBackend: a tiny generated Qwen2-VL model installed into the data folder's
// model store, ground.start / ask.start / ask.cancel / models.status on the scene sample, real ONNX sessions.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureTinyModel } from '../../models/tiny/make-tiny-model.js';
import type { AppEvent, EventPayload } from '../shared/contract.js';
import type { Answer, DocumentInfo, ProviderStatus } from '../shared/domain.js';
import type { Envelope, ErrorInfo } from '../shared/errors.js';
import { createBackend, type Backend } from './backend.js';
import { createModelStore } from './models/index.js';

async function call<T>(backend: Backend, channel: string, input: unknown): Promise<T> {
  const res = (await backend.call(channel, input)) as Envelope<T>;
  if (!res.ok) throw new Error(`${channel}: ${res.error.code}: ${res.error.message}`);
  return res.value;
}

async function callError(backend: Backend, channel: string, input: unknown): Promise<ErrorInfo> {
  const res = await backend.call(channel, input);
  assert.equal(res.ok, false, `${channel} should fail`);
  return res.error;
}

interface Outcome {
  tokens: string[];
  answer: Answer | null;
  error: ErrorInfo | null;
}

/** Collects ask.token events of `askId` until ask.done or ask.error. */
function outcome(
  backend: Backend,
  start: () => Promise<{ askId: string }>,
  onToken?: (askId: string) => void,
): Promise<Outcome> {
  const early: AppEvent[] = [];
  let askId: string | null = null;
  return new Promise<Outcome>((resolve, reject) => {
    const got: Outcome = { tokens: [], answer: null, error: null };
    const handle = (e: AppEvent) => {
      const p = e.payload as Partial<EventPayload<'ask.done'>>;
      if (p.askId !== askId) return;
      if (e.type === 'ask.token') {
        got.tokens.push(e.payload.text);
        onToken?.(askId);
      } else if (e.type === 'ask.done') {
        got.answer = e.payload.answer;
        off();
        resolve(got);
      } else if (e.type === 'ask.error') {
        got.error = e.payload.error;
        off();
        resolve(got);
      }
    };
    const off = backend.onEvent((e) => (askId === null ? early.push(e) : handle(e)));
    start().then((r) => {
      askId = r.askId;
      for (const e of early.splice(0)) handle(e);
    }, reject);
  });
}

describe('VLM room with a tiny Qwen2-VL installed', () => {
  let dataDir = '';
  let backend: Backend;
  let scene: DocumentInfo;
  let tiny = '';

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'doclens-vlm-room-'));
    tiny = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
    const store = createModelStore({ dataDir });
    const installed = await store.import(tiny, { id: 'tiny-qwen2-vl', source: 'generated', dtype: 'fp32' });
    assert.equal(installed.family, 'qwen2-vl');
    await store.close();
    backend = await createBackend({ dataDir });
    await call(backend, 'settings.set', { threads: 1 });
    scene = await call<DocumentInfo>(backend, 'documents.openSample', { name: 'scene' });
  });
  after(async () => {
    await backend.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('models.status loads nothing until asked: installed, not loaded; load: true loads it and reports the provider', async () => {
    const cheap = await call<ProviderStatus>(backend, 'models.status', {});
    assert.deepEqual(
      { ...cheap, summary: '' },
      {
        preference: 'auto',
        active: null,
        attempts: [],
        loadedModel: null,
        installedModel: 'tiny-qwen2-vl',
        summary: '',
      },
    );
    assert.match(cheap.summary, /tiny-qwen2-vl is installed and loads with the first question/);
    const loaded = await call<ProviderStatus>(backend, 'models.status', { load: true });
    assert.equal(loaded.loadedModel, 'tiny-qwen2-vl');
    assert.equal(loaded.installedModel, 'tiny-qwen2-vl');
    assert.equal(loaded.active, 'cpu');
    // Once loaded, the plain call reports it without loading again.
    assert.deepEqual(await call<ProviderStatus>(backend, 'models.status', {}), loaded);
  });

  test('ground.start streams ask.token events, then ask.done with a VLM answer from the CPU', async () => {
    const o = await outcome(backend, () =>
      call(backend, 'ground.start', { docId: scene.id, page: 1, objects: ['the red car'], maxTokens: 24 }),
    );
    assert.equal(o.error, null);
    const a = o.answer!;
    assert.equal(a.engine, 'vlm');
    assert.equal(a.provider, 'cpu');
    assert.equal(a.model, 'tiny-qwen2-vl');
    assert.ok(a.token_ids && a.token_ids.length > 0 && a.token_ids.length <= 24);
    assert.ok(o.tokens.length > 0, 'tokens streamed');
    assert.equal(o.tokens.join(''), a.text);
    assert.equal(typeof a.raw, 'string');
    assert.equal(a.verified, null);
    for (const b of a.boxes) {
      assert.equal(b.page, 1);
      assert.ok(b.x0 >= 0 && b.x1 <= 1024 && b.y0 >= 0 && b.y1 <= 768 && b.x0 <= b.x1 && b.y0 <= b.y1);
    }
    assert.ok(a.timings.vision_ms! > 0 && a.timings.prefill_ms! > 0 && a.timings.ttft_ms! > 0);
    assert.ok(a.timings.total_ms >= a.timings.ttft_ms!);
  });

  test('ground.start with tiling: one run per tile and the whole page, headed in the stream, boxes on the page', async () => {
    // A small budget makes the 1024×768 scene larger than one image, so the plan cuts it into tiles.
    await call(backend, 'settings.set', { imageTokenBudget: 64 });
    try {
      const o = await outcome(backend, () =>
        call(backend, 'ground.start', {
          docId: scene.id,
          page: 1,
          objects: ['the red car'],
          maxTokens: 4,
          tiling: 'auto',
        }),
      );
      assert.equal(o.error, null, o.error?.message);
      const a = o.answer!;
      const heads = [
        ...a.text.matchAll(/\[(whole page|tile (\d+) of (\d+)): (\d+)–(\d+) × (\d+)–(\d+) px\]/g),
      ];
      assert.equal(heads[0]?.[1], 'whole page');
      const n = Number(heads[1]?.[3]);
      assert.ok(n >= 2, a.text);
      assert.equal(heads.length, n + 1);
      assert.deepEqual(
        heads.slice(1).map((h) => Number(h[2])),
        Array.from({ length: n }, (_, i) => i + 1),
      );
      // The tiles cover the image: the union of their regions is the whole 1024×768 page.
      const tiles = heads.slice(1).map((h) => h.slice(4, 8).map(Number) as [number, number, number, number]);
      assert.equal(Math.min(...tiles.map((t) => t[0])), 0);
      assert.equal(Math.max(...tiles.map((t) => t[1])), 1024);
      assert.equal(Math.max(...tiles.map((t) => t[3])), 768);
      assert.equal(o.tokens.join(''), a.text);
      assert.equal(a.raw?.split('[tile ').length, n + 1);
      // Each run decoded up to maxTokens tokens.
      assert.ok(
        a.token_ids!.length > n && a.token_ids!.length <= 4 * (n + 1),
        `${a.token_ids!.length} tokens`,
      );
      for (const b of a.boxes) assert.ok(b.x0 >= 0 && b.x1 <= 1024 && b.y0 >= 0 && b.y1 <= 768);
      assert.ok(a.timings.ttft_ms! > 0 && a.timings.total_ms >= a.timings.ttft_ms!);
    } finally {
      await call(backend, 'settings.set', { imageTokenBudget: 1280 });
    }
  });

  test('models.status reports the active provider, the attempts and the loaded model', async () => {
    const s = await call<ProviderStatus>(backend, 'models.status', {});
    assert.equal(s.preference, 'auto');
    assert.equal(s.active, 'cpu');
    assert.equal(s.loadedModel, 'tiny-qwen2-vl');
    assert.deepEqual(s.attempts.at(-1), { provider: 'cpu', ok: true, reason: null });
    if (process.platform === 'linux' && process.arch === 'x64') {
      const cuda = s.attempts[0]!;
      assert.equal(cuda.provider, 'cuda');
      if (!cuda.ok) assert.match(cuda.reason ?? '', /\S/);
    }
    assert.match(s.summary, /^Running on CPU/);
  });

  test('ask.start: vlm answers with engine vlm and a verification verdict; the reader keeps what it can answer', async () => {
    const o = await outcome(backend, () =>
      call(backend, 'ask.start', {
        docId: scene.id,
        question: 'Describe the scene.',
        scope: { kind: 'page', page: 1 },
        engine: 'vlm',
        maxTokens: 12,
      }),
    );
    assert.equal(o.error, null);
    assert.equal(o.answer!.engine, 'vlm');
    assert.equal(o.answer!.provider, 'cpu');
    assert.ok(o.answer!.token_ids!.length > 0);
    assert.equal(o.tokens.join(''), o.answer!.text);
    assert.notEqual(o.answer!.verified, true, 'gibberish is not found on the page');

    // auto: a question beyond the reader goes to the installed VLM…
    const auto = await outcome(backend, () =>
      call(backend, 'ask.start', {
        docId: scene.id,
        question: 'Why is the sky that colour?',
        scope: { kind: 'page', page: 1 },
        maxTokens: 6,
      }),
    );
    assert.equal(auto.answer?.engine, 'vlm');
    // …and one the reader answers stays with the reader.
    const reader = await outcome(backend, () =>
      call(backend, 'ask.start', {
        docId: scene.id,
        question: 'List all dates',
        scope: { kind: 'page', page: 1 },
      }),
    );
    assert.equal(reader.answer?.engine, 'reader');
  });

  test('ask.start: a chart question on a picture with no vector chart runs the chart-to-table prompt; gibberish is said to be unreadable', async () => {
    // The scene is a photo: no vector chart, so the reader cannot answer and the installed model is asked for the
    // chart's table. The tiny model writes gibberish: the answer says the table could not be read, not a crash.
    const o = await outcome(backend, () =>
      call(backend, 'ask.start', {
        docId: scene.id,
        question: 'Which bar in the chart is the highest?',
        scope: { kind: 'page', page: 1 },
        maxTokens: 16,
      }),
    );
    assert.equal(o.error, null);
    const a = o.answer!;
    assert.equal(a.engine, 'vlm');
    assert.equal(a.model, 'tiny-qwen2-vl');
    assert.ok(a.token_ids!.length > 0 && a.token_ids!.length <= 16);
    // The stream is the model's table as it was written; the answer quotes it and says it holds no table.
    assert.ok(o.tokens.length > 0, 'the model output streamed');
    assert.equal(a.chart, null);
    assert.match(
      a.text,
      /^The model's table could not be read: asked for the chart's data as a table, the model wrote /,
    );
    assert.ok(a.text.includes(o.tokens.join('').replace(/\s+/g, ' ').trim().slice(0, 40)), a.text);
    assert.equal(a.trust, 'unverified');
    assert.equal(a.verified, false);
    assert.deepEqual(a.boxes, []);

    // A vector chart stays with the reader (exact) even with a model installed; engine vlm asks the model for the
    // table of that chart's page and still answers plainly when the table is gibberish.
    const report = await call<DocumentInfo>(backend, 'documents.openSample', { name: 'report' });
    const q = 'Which quarter had the highest value in the chart?';
    const exact = await outcome(backend, () =>
      call(backend, 'ask.start', { docId: report.id, question: q, scope: { kind: 'document' } }),
    );
    assert.equal(exact.answer?.engine, 'reader');
    assert.match(exact.answer?.text ?? '', /^Q3 FY25 \(4,380\)/);
    assert.equal(exact.answer?.chart?.chart.method, 'vector');
    const forced = await outcome(backend, () =>
      call(backend, 'ask.start', {
        docId: report.id,
        question: q,
        scope: { kind: 'document' },
        engine: 'vlm',
        maxTokens: 8,
      }),
    );
    assert.equal(forced.error, null);
    assert.equal(forced.answer?.engine, 'vlm');
    assert.match(forced.answer?.text ?? '', /^The model's table could not be read: /);
    assert.equal(forced.answer?.verified, false);
  });

  test('ask.start vlm on a field question: an answer that is not the bound value is a conflict showing both', async () => {
    const invoice = await call<DocumentInfo>(backend, 'documents.openSample', { name: 'invoice' });
    const o = await outcome(backend, () =>
      call(backend, 'ask.start', {
        docId: invoice.id,
        question: 'What is the invoice date?',
        scope: { kind: 'page', page: 1 },
        engine: 'vlm',
        maxTokens: 8,
      }),
    );
    assert.equal(o.error, null);
    const a = o.answer!;
    assert.equal(a.engine, 'vlm');
    // The tiny model's words are random: not the date the "Invoice date" label points at.
    assert.equal(a.trust, 'conflict', `${a.text} → ${a.trust}: ${a.trust_reason}`);
    assert.equal(a.verified, false);
    assert.equal(a.conflict?.field, 'date');
    assert.equal(a.conflict?.value, 'March 14, 2025');
    assert.match(a.trust_reason ?? '', /March 14, 2025/);
    assert.ok(
      a.boxes.some((b) => b.label === 'page: March 14, 2025'),
      'the page value is boxed where it is printed',
    );
  });

  test('ask.cancel stops a ground run: ask.error cancelled', async () => {
    let cancelled = false;
    const o = await outcome(
      backend,
      () => call(backend, 'ground.start', { docId: scene.id, page: 1, objects: ['trees'], maxTokens: 4000 }),
      (askId) => {
        if (cancelled) return;
        cancelled = true;
        void call(backend, 'ask.cancel', { askId }).then((r) => assert.deepEqual(r, { cancelled: true }));
      },
    );
    assert.equal(o.answer, null);
    assert.equal(o.error?.code, 'cancelled');
    assert.ok(o.tokens.length < 50, `${o.tokens.length} tokens before the cancel took effect`);
  });

  test('bad input: a page that does not exist, a model that is not installed', async () => {
    const e = await callError(backend, 'ground.start', { docId: scene.id, page: 3, objects: ['x'] });
    assert.equal(e.code, 'invalid_input');
    const m = await callError(backend, 'ground.start', {
      docId: scene.id,
      page: 1,
      objects: ['x'],
      modelId: 'nope',
    });
    assert.equal(m.code, 'not_found');
    assert.match(m.message, /model nope is not installed \(installed: tiny-qwen2-vl\)/);
  });

  test('models.remove unloads the loaded model first; then status says none is installed', async () => {
    const before = await call<ProviderStatus>(backend, 'models.status', { load: true });
    assert.equal(before.loadedModel, 'tiny-qwen2-vl');
    assert.deepEqual(await call(backend, 'models.remove', { modelId: 'tiny-qwen2-vl' }), { removed: true });
    const after = await call<ProviderStatus>(backend, 'models.status', {});
    assert.equal(after.loadedModel, null);
    assert.equal(after.installedModel, null);
    assert.equal(after.active, null);
    // Back under the same id, it is not loaded: the removal really let go of the sessions.
    const store = createModelStore({ dataDir });
    await store.import(tiny, { id: 'tiny-qwen2-vl', source: 'generated', dtype: 'fp32' });
    await store.close();
    const again = await call<ProviderStatus>(backend, 'models.status', {});
    assert.equal(again.installedModel, 'tiny-qwen2-vl');
    assert.equal(again.loadedModel, null);
  });
});

describe('VLM room without a model', () => {
  test('ground.start and ask.start engine vlm say no_model and point to the Models panel; status says so', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'doclens-vlm-none-'));
    const backend = await createBackend({ dataDir });
    try {
      const scene = await call<DocumentInfo>(backend, 'documents.openSample', { name: 'scene' });
      const g = await callError(backend, 'ground.start', { docId: scene.id, page: 1, objects: ['car'] });
      assert.equal(g.code, 'no_model');
      assert.match(g.message, /Models panel/);
      const a = await callError(backend, 'ask.start', {
        docId: scene.id,
        question: 'Describe it',
        scope: { kind: 'page', page: 1 },
        engine: 'vlm',
      });
      assert.equal(a.code, 'no_model');
      // A chart question on a picture (no vector chart): the reader says a model is needed to read it.
      const chartAsk = await outcome(backend, () =>
        call(backend, 'ask.start', {
          docId: scene.id,
          question: 'Which bar in the chart is the highest?',
          scope: { kind: 'page', page: 1 },
        }),
      );
      assert.equal(chartAsk.error, null);
      assert.equal(chartAsk.answer?.engine, 'reader');
      assert.match(chartAsk.answer?.text ?? '', /chart drawn as an image needs a vision-language model/);
      assert.equal(chartAsk.answer?.chart ?? null, null);
      const s = await call<ProviderStatus>(backend, 'models.status', {});
      assert.equal(s.active, null);
      assert.equal(s.loadedModel, null);
      assert.equal(s.installedModel, null);
      assert.match(s.summary, /No model installed/);
    } finally {
      await backend.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('VLM room with a tiny Qwen3-VL (no DeepStack) installed', () => {
  let dataDir = '';
  let backend: Backend;
  let scene: DocumentInfo;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'doclens-vlm-room-q3-'));
    const tiny = await ensureTinyModel({ family: 'qwen3-vl', size: 'tiny' });
    const store = createModelStore({ dataDir });
    const installed = await store.import(tiny, { id: 'tiny-qwen3-vl', source: 'generated', dtype: 'fp32' });
    assert.equal(installed.family, 'qwen3-vl');
    await store.close();
    backend = await createBackend({ dataDir });
    await call(backend, 'settings.set', { threads: 1 });
    scene = await call<DocumentInfo>(backend, 'documents.openSample', { name: 'scene' });
  });
  after(async () => {
    await backend.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('models.status says the export runs with reduced quality (no DeepStack)', async () => {
    const loaded = await call<ProviderStatus>(backend, 'models.status', { load: true });
    assert.equal(loaded.loadedModel, 'tiny-qwen3-vl');
    assert.match(loaded.summary, /reduced quality \(no DeepStack\)/);
  });

  test('ground.start whole page and tiled: 32-px tiles, boxes on the page', async () => {
    for (const [tiling, budget] of [
      ['off', 1280],
      ['auto', 64],
    ] as const) {
      await call(backend, 'settings.set', { imageTokenBudget: budget });
      const o = await outcome(backend, () =>
        call(backend, 'ground.start', {
          docId: scene.id,
          page: 1,
          objects: ['the red car'],
          maxTokens: 8,
          tiling,
        }),
      );
      assert.equal(o.error, null, o.error?.message);
      const a = o.answer!;
      assert.equal(a.model, 'tiny-qwen3-vl');
      if (tiling === 'auto') assert.match(a.text, /\[tile 1 of \d+: /);
      for (const b of a.boxes) assert.ok(b.x0 >= 0 && b.x1 <= 1024 && b.y0 >= 0 && b.y1 <= 768);
    }
    await call(backend, 'settings.set', { imageTokenBudget: 1280 });
  });
});
