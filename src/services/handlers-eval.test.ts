// The eval and chat rooms through createBackend with the tiny generated Qwen2-VL installed (real ONNX sessions): a
// sample-set run's events and report, stop and resume, a folder without the benchmark; a chat turn's events, its
// refusal of an image that does not decode, and its cancel.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { ensureTinyModel } from '../../models/tiny/make-tiny-model.js';
import { popeScores } from '../eval/metrics.js';
import type { AppEvent, EventPayload } from '../shared/contract.js';
import type { Envelope } from '../shared/errors.js';
import { createBackend, type Backend } from './backend.js';
import { makeSampleSet } from './eval/sample-sets.js';
import { createModelStore } from './models/index.js';

async function call<T>(backend: Backend, channel: string, input: unknown): Promise<T> {
  const res = (await backend.call(channel, input)) as Envelope<T>;
  if (!res.ok) throw new Error(`${channel}: ${res.error.code}: ${res.error.message}`);
  return res.value;
}

/** The events of one run (by the id field `key`) until one of `end` arrives; events before the id are kept. */
function collect(
  backend: Backend,
  key: 'evalId' | 'chatId',
  end: string[],
  start: () => Promise<Record<string, unknown>>,
  onEvent?: (e: AppEvent, id: string) => void,
): Promise<AppEvent[]> {
  const early: AppEvent[] = [];
  let id: string | null = null;
  return new Promise((resolve, reject) => {
    const got: AppEvent[] = [];
    const handle = (e: AppEvent) => {
      if ((e.payload as Record<string, unknown>)[key] !== id || id === null) return;
      got.push(e);
      onEvent?.(e, id);
      if (end.includes(e.type)) {
        off();
        resolve(got);
      }
    };
    const off = backend.onEvent((e) => (id === null ? early.push(e) : handle(e)));
    start().then((r) => {
      id = r[key] as string;
      for (const e of early.splice(0)) handle(e);
    }, reject);
  });
}

describe('eval and chat rooms with a tiny Qwen2-VL installed', () => {
  let dataDir = '';
  let backend: Backend;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'doclens-eval-room-'));
    const store = createModelStore({ dataDir });
    await store.import(await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' }), {
      id: 'tiny-qwen2-vl',
      source: 'generated',
      dtype: 'fp32',
    });
    await store.close();
    backend = await createBackend({ dataDir });
  });

  after(async () => {
    await backend?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('eval.startSample pope: progress up to the total, then the report of the recorded predictions', async () => {
    const events = await collect(backend, 'evalId', ['eval.done', 'eval.error'], () =>
      call(backend, 'eval.startSample', { kind: 'pope', maxTokens: 4 }),
    );
    const last = events.at(-1)!;
    assert.equal(last.type, 'eval.done', JSON.stringify(last.payload));
    const report = last.payload.report;
    const progress = events.filter((e) => e.type === 'eval.progress').map((e) => e.payload);
    assert.ok(progress.length >= 2);
    assert.ok(progress.every((p) => p.total === 4));
    assert.deepEqual(
      progress.map((p) => p.done),
      [...progress.map((p) => p.done)].sort((a, b) => a - b),
    );
    assert.equal(progress.at(-1)!.done, 4);
    assert.deepEqual(
      [report.counts.items, report.counts.scored, report.counts.problems, report.model.id],
      [4, 4, 2, 'tiny-qwen2-vl'],
    );
    // The figures are the POPE scores of what the run wrote to predictions.jsonl.
    const preds = new Map(
      readFileSync(report.outputs.predictions!, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { id: string; text: string })
        .map((p) => [p.id, p.text]),
    );
    const set = await makeSampleSet('pope', join(dataDir, 'truth'));
    const all = popeScores(
      [...set.truth].map(([id, ref]) => ({
        prediction: preds.get(id) ?? assert.fail(`no prediction for ${id}`),
        label: (ref as { label: 'yes' | 'no' }).label,
      })),
    );
    assert.equal(report.headline.find((f) => f.key === 'accuracy')?.value, all.accuracy);
    assert.equal(report.headline.find((f) => f.key === 'f1')?.value, all.f1);
    assert.deepEqual(report.categories.map((c) => [c.name, c.n]).sort(), [
      ['adversarial', 1],
      ['random', 3],
    ]);
  });

  test('eval.cancel stops a run (cancelled); running it again resumes what was recorded', async () => {
    let stopped = false;
    const events = await collect(
      backend,
      'evalId',
      ['eval.done', 'eval.error'],
      () => call(backend, 'eval.startSample', { kind: 'gqa', maxTokens: 4 }),
      (e, id) => {
        const p = e.payload as EventPayload<'eval.progress'>;
        if (e.type === 'eval.progress' && p.done >= 1 && !stopped) {
          stopped = true;
          void call(backend, 'eval.cancel', { evalId: id });
        }
      },
    );
    const last = events.at(-1)!;
    assert.equal(last.type, 'eval.error');
    assert.equal(last.payload.error.code, 'cancelled');
    const again = await collect(backend, 'evalId', ['eval.done', 'eval.error'], () =>
      call(backend, 'eval.startSample', { kind: 'gqa', maxTokens: 4 }),
    );
    const done = again.at(-1)!;
    assert.equal(done.type, 'eval.done');
    const counts = done.payload.report.counts;
    assert.ok(counts.resumed >= 1, `resumed ${counts.resumed}`);
    assert.equal(counts.resumed + counts.ranNow, counts.scored);
  });

  test('eval.start on a folder without the benchmark ends in eval.error naming the folder', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'doclens-eval-empty-'));
    try {
      const events = await collect(backend, 'evalId', ['eval.done', 'eval.error'], () =>
        call(backend, 'eval.start', { kind: 'chartqa', dir: empty }),
      );
      const last = events.at(-1)!;
      assert.equal(last.type, 'eval.error');
      assert.match(last.payload.error.message, new RegExp(empty));
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('eval.start refuses a folder that does not exist, or a file, at once, naming it', async () => {
    const missing = join(tmpdir(), `doclens-eval-missing-${process.pid}`, 'pope');
    const t0 = Date.now();
    const r = await backend.call('eval.start', { kind: 'pope', dir: missing });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'not_found');
    assert.equal(r.error.message, `the benchmark folder ${missing} does not exist`);
    assert.ok(Date.now() - t0 < 2000, `answered in ${Date.now() - t0} ms`);
    const file = join(dataDir, 'not-a-folder.json');
    writeFileSync(file, '[]');
    const f = await backend.call('eval.start', { kind: 'pope', dir: file });
    assert.ok(!f.ok);
    assert.equal(f.error.code, 'invalid_input');
    assert.match(f.error.message, /is a file; choose the folder/);
  });

  test('chat.start: deltas add up to the text; usage; an undecodable image is refused; chat.cancel ends a turn', async () => {
    const png = await sharp({
      create: { width: 120, height: 90, channels: 3, background: { r: 200, g: 30, b: 30 } },
    })
      .png()
      .toBuffer();
    const input = {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', index: 0 },
            { type: 'text', text: 'What colour is it?' },
          ],
        },
      ],
      images: [new Uint8Array(png)],
      maxTokens: 6,
    };
    const events = await collect(backend, 'chatId', ['chat.done', 'chat.error'], () =>
      call(backend, 'chat.start', input),
    );
    const last = events.at(-1)!;
    assert.equal(last.type, 'chat.done', JSON.stringify(last.payload));
    const r = last.payload.result;
    const deltas = events
      .filter((e) => e.type === 'chat.delta')
      .map((e) => (e.payload as { text: string }).text);
    assert.equal(deltas.join(''), r.text);
    assert.ok(r.completionTokens >= 1 && r.completionTokens <= 6);
    assert.ok(r.promptTokens > 0);
    assert.deepEqual(r.images, [{ width: 120, height: 90 }]);

    const bad = await backend.call('chat.start', { ...input, images: [new Uint8Array([1, 2, 3, 4])] });
    assert.ok(!bad.ok && bad.error.code === 'unsupported_format', JSON.stringify(bad));
    const mismatch = await backend.call('chat.start', { ...input, images: [] });
    assert.ok(!mismatch.ok && mismatch.error.code === 'invalid_input', JSON.stringify(mismatch));

    let cancelled = false;
    const long = await collect(
      backend,
      'chatId',
      ['chat.done', 'chat.error'],
      () => call(backend, 'chat.start', { ...input, maxTokens: 4000 }),
      (e, id) => {
        if (e.type === 'chat.delta' && !cancelled) {
          cancelled = true;
          void call(backend, 'chat.cancel', { chatId: id });
        }
      },
    );
    const end = long.at(-1)!;
    assert.equal(end.type, 'chat.error');
    assert.equal(end.payload.error.code, 'cancelled');
  });
});
