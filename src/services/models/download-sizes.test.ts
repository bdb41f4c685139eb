// Download sizes before a pull (issue 12, item 18) against a real loopback hub (fake-hub.ts speaking the revision and
// tree API): each dtype's size is exactly what a pull of it fetches, the cache answers offline and after a restart,
// an unreachable, silent or refusing hub is said plainly, and the pull's progress carries the total and an ETA.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { createSizeLookup, dtypeBytes } from './download-sizes.js';
import { startFakeHub, type FakeHub } from './fake-hub.js';
import { HubClient } from './hub-client.js';
import { loadManifest } from './manifest.js';
import { RateMeter } from './pull-eta.js';
import { createModelStore, type ModelStore, type ModelStoreOptions } from './store.js';
import {
  progressLog,
  Q4_FILES,
  REPO,
  REPO_SHA,
  syntheticRepo,
  tempData,
  testModel,
  type TempData,
} from './test-fixtures.js';

const repoFiles = syntheticRepo().files;
const q4Total = Q4_FILES.reduce((s, f) => s + (repoFiles.get(f)?.length ?? 0), 0);

let hub: FakeHub;
let data: TempData;
const stores: ModelStore[] = [];

function store(extra: Partial<ModelStoreOptions> = {}): ModelStore {
  const s = createModelStore({
    dataDir: data.dir,
    manifestPath: data.manifestPath,
    endpoint: hub.endpoint,
    token: '',
    retryDelayMs: 10,
    progressIntervalMs: 0,
    freeBytes: () => Promise.resolve(10 * 1024 ** 3),
    ...extra,
  });
  stores.push(s);
  return s;
}

const apiRequests = () => hub.log.filter((r) => r.path.startsWith('/api/'));

/** A loopback port nothing listens on: connecting is refused, as with no hub to reach. */
async function deadPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

before(async () => {
  hub = await startFakeHub({ [REPO]: syntheticRepo() });
});
after(async () => {
  await hub.close();
});
beforeEach(() => {
  data = tempData();
  hub.log.length = 0;
  hub.clearFaults();
  hub.pageSize = 1000;
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  data.cleanup();
});

describe('download sizes from the hub', () => {
  test("a dtype's size is the sum of the files its pull fetches; a dtype the repo lacks has none", async () => {
    hub.pageSize = 3; // the listing comes in pages (Link: rel="next")
    const [sizes] = await store().sizes('test-vl');
    assert.ok(sizes);
    assert.equal(sizes.state, 'known');
    assert.equal(sizes.source, 'hub');
    // q4: the five JSON files and the three graphs with the decoder's external data; README.md and fp16 are not in it.
    assert.deepEqual(sizes.bytesByDtype, { q4: q4Total });
    assert.equal(q4Total, 700_000 + sizeOfJson());
    assert.match(sizes.message ?? '', /not published at c0ffee000000: fp16, fp32/);
    assert.ok(Date.parse(sizes.checkedAt ?? '') > Date.now() - 60_000);
    assert.ok(apiRequests().some((r) => r.path === `/api/models/${REPO}/tree/${REPO_SHA}`));
  });

  test('the pull fetches exactly the bytes announced, and its first progress already carries that total', async () => {
    const log = progressLog();
    const s = store({ onProgress: log.onProgress });
    const [sizes] = await s.sizes('test-vl');
    const { pullId } = await s.pull('test-vl', 'q4');
    const end = await s.wait(pullId);
    assert.equal(end.state, 'done');
    assert.equal(end.bytesTotal, sizes?.bytesByDtype.q4);
    assert.equal(log.events[0]?.state, 'queued');
    assert.equal(log.events[0]?.bytesTotal, q4Total, 'the queued pull does not know its total');
  });

  test('cached: a second lookup, a restarted store and models.list ask the hub nothing', async () => {
    await store().sizes();
    const asked = apiRequests().length;
    assert.ok(asked >= 2);
    const again = await store().sizes('test-vl');
    assert.equal(again[0]?.source, 'cache');
    assert.deepEqual(again[0]?.bytesByDtype, { q4: q4Total });
    const list = await store().list();
    assert.deepEqual(list.known[0]?.bytesByDtype, { q4: q4Total });
    assert.equal(apiRequests().length, asked);
    // The cache keeps only the files some dtype fetches, per repo and revision asked.
    const cache = JSON.parse(readFileSync(join(data.dir, 'models', '.download-sizes.json'), 'utf8')) as {
      repos: Record<string, { sha: string; files: Record<string, number> }>;
    };
    const entry = cache.repos[`${REPO}@main`];
    assert.equal(entry?.sha, REPO_SHA);
    assert.equal(entry?.files['README.md'], undefined);
    assert.equal(entry?.files['onnx/decoder_model_merged_fp16.onnx'], 10_000);
  });

  test('a pull that lists the tree fills the cache: the size is known offline afterwards', async () => {
    const s = store();
    const { pullId } = await s.pull('test-vl', 'q4');
    assert.equal((await s.wait(pullId)).state, 'done');
    const offline = store({ endpoint: await deadPort() });
    assert.deepEqual((await offline.list()).known[0]?.bytesByDtype, { q4: q4Total });
  });

  test('offline with nothing cached: "no connection to the model hub", the manifest pins kept, no throw', async () => {
    data.cleanup();
    data = tempData([
      testModel({
        dtypes: {
          ...testModel().dtypes,
          fp32: { ...testModel().dtypes.fp32!, bytes: 123_456 },
        },
      }),
    ]);
    const endpoint = await deadPort();
    const [sizes] = await store({ endpoint }).sizes('test-vl');
    assert.equal(sizes?.state, 'offline');
    assert.deepEqual(sizes?.bytesByDtype, { fp32: 123_456 });
    assert.equal(sizes?.source, 'manifest');
    assert.match(
      sizes?.message ?? '',
      new RegExp(`^no connection to the model hub \\(${endpoint}\\): .*ECONNREFUSED`),
    );
  });

  test('offline with a cached listing: the cached sizes, state offline', async () => {
    await store().sizes();
    const [sizes] = await store({ endpoint: await deadPort() }).sizes('test-vl', { refresh: true });
    assert.equal(sizes?.state, 'offline');
    assert.equal(sizes?.source, 'cache');
    assert.deepEqual(sizes?.bytesByDtype, { q4: q4Total });
  });

  test('a hub that never answers counts as no connection after the timeout', async () => {
    hub.fault('api:revision', { kind: 'stall', after: 0 });
    const m = await loadManifest(data.manifestPath);
    const lookup = createSizeLookup({
      file: join(data.dir, 'sizes.json'),
      hub: new HubClient({ endpoint: hub.endpoint }),
      timeoutMs: 300,
    });
    const t0 = Date.now();
    const sizes = await lookup.lookup(m.layout, m.models[0]!);
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(sizes.state, 'offline');
    assert.match(sizes.message ?? '', /no answer in 0 s|no connection/);
  });

  test('a hub that refuses (404, 401, 500) is an error with its reason, not "offline"', async () => {
    for (const [status, said] of [
      [404, /not found on the hub/],
      [401, /wants a token/],
      [500, /HTTP 500/],
    ] as const) {
      hub.fault('api:tree', { kind: 'status', status });
      const [sizes] = await store().sizes('test-vl', { refresh: true });
      assert.equal(sizes?.state, 'error', `HTTP ${status}`);
      assert.match(sizes?.message ?? '', said);
      assert.deepEqual(sizes?.bytesByDtype, {});
    }
  });

  test('a damaged cache file is read as empty and rewritten by the next lookup', async () => {
    const file = join(data.dir, 'models', '.download-sizes.json');
    await store().sizes();
    writeFileSync(file, '{"version": 1, "repos": {"x": 42}');
    const [sizes] = await store().sizes('test-vl');
    assert.equal(sizes?.source, 'hub');
    assert.deepEqual(sizes?.bytesByDtype, { q4: q4Total });
    assert.doesNotThrow(() => JSON.parse(readFileSync(file, 'utf8')) as unknown);
  });

  test('every dtype pinned by the manifest: no request at all', async () => {
    data.cleanup();
    const set = testModel().dtypes;
    data = tempData([
      testModel({
        dtypes: {
          q4: { ...set.q4!, bytes: 1 },
          fp16: { ...set.fp16!, bytes: 2 },
          fp32: { ...set.fp32!, bytes: 3 },
        },
      }),
    ]);
    const [sizes] = await store().sizes();
    assert.deepEqual(sizes, {
      modelId: 'test-vl',
      bytesByDtype: { q4: 1, fp16: 2, fp32: 3 },
      state: 'known',
      message: null,
      source: 'manifest',
      checkedAt: null,
    });
    assert.equal(apiRequests().length, 0);
  });

  test('an unpinned revision is listed again after the TTL; a pinned one is not', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const m = await loadManifest(data.manifestPath);
    const lookup = (model = m.models[0]!) =>
      createSizeLookup({
        file: join(data.dir, 'sizes.json'),
        hub: new HubClient({ endpoint: hub.endpoint }),
        ttlMs: 60_000,
        now: () => now,
      }).lookup(m.layout, model);
    assert.equal((await lookup()).source, 'hub');
    now += 30_000;
    assert.equal((await lookup()).source, 'cache');
    now += 60_000;
    assert.equal((await lookup()).source, 'hub', 'a day-old listing of main is not read again');
    const pinned = { ...m.models[0]!, revision: REPO_SHA };
    assert.equal((await lookup(pinned)).source, 'hub');
    now += 365 * 24 * 3600_000;
    assert.equal((await lookup(pinned)).source, 'cache');
  });

  test('dtypeBytes: an optional file is counted when listed, a missing required one makes the dtype unknown', async () => {
    const m = await loadManifest(data.manifestPath);
    const model = m.models[0]!;
    const sizes = new Map(Q4_FILES.map((f) => [f, repoFiles.get(f)?.length ?? 0]));
    assert.equal(dtypeBytes(m.layout, model, 'q4', sizes), q4Total);
    const optional = m.layout.optionalFiles.find((f) => !sizes.has(f));
    assert.ok(optional, 'the layout has an optional file the synthetic repo lacks');
    assert.equal(dtypeBytes(m.layout, model, 'q4', new Map([...sizes, [optional, 1000]])), q4Total + 1000);
    sizes.delete('onnx/decoder_model_merged_q4.onnx_data');
    // The external data file is found by listing; without it the graph alone is counted.
    assert.equal(dtypeBytes(m.layout, model, 'q4', sizes), q4Total - 400_000);
    sizes.delete('config.json');
    assert.equal(dtypeBytes(m.layout, model, 'q4', sizes), null);
  });
});

describe('pull ETA', () => {
  test('the rate is measured over the last window; no ETA before a second of data or while nothing arrives', () => {
    let t = 0;
    const meter = new RateMeter(10_000, 1_000, () => t);
    meter.add(1000);
    assert.equal(meter.etaSeconds(5000), null);
    for (let i = 0; i < 10; i++) {
      t += 100;
      meter.add(1000);
    }
    // 10 000 bytes in 1 s: 10 000 B/s.
    assert.equal(meter.rate(), 10_000);
    assert.equal(meter.etaSeconds(50_000), 5);
    // The network slows to 1000 B/s for 20 s: the old fast samples leave the window.
    for (let i = 0; i < 20; i++) {
      t += 1000;
      meter.add(1000);
    }
    assert.ok(Math.abs((meter.rate() ?? 0) - 1000) < 1e-9, `rate ${meter.rate()}`);
    assert.equal(meter.etaSeconds(0), 0);
  });

  test('a slow pull reports a falling ETA while downloading and none once it verifies', async () => {
    hub.fault('onnx/decoder_model_merged_q4.onnx_data', { kind: 'slow', chunk: 20_000, delayMs: 100 });
    const log = progressLog();
    const s = store({ onProgress: log.onProgress });
    const { pullId } = await s.pull('test-vl', 'q4');
    assert.equal((await s.wait(pullId)).state, 'done');
    const etas = log.events
      .filter((e) => e.state === 'downloading' && typeof e.etaSeconds === 'number')
      .map((e) => e.etaSeconds ?? 0);
    assert.ok(etas.length >= 3, `only ${etas.length} progress events with an ETA`);
    assert.ok((etas[etas.length - 1] ?? 0) < (etas[0] ?? 0), `ETA did not fall: ${etas.join(', ')}`);
    // 400 000 bytes at 20 000 per 100 ms: the first ETAs are within a few seconds of the truth, not minutes.
    assert.ok((etas[0] ?? 99) < 5, `first ETA ${etas[0]} s`);
    assert.ok(log.events.filter((e) => e.state !== 'downloading').every((e) => !e.etaSeconds));
  });
});

test("after a resume neither the bytes already on disk nor the paused run's estimate count", async () => {
  // 100 KB/s on the 400 000-byte file; paused at about 250 000 of it, then resumed with Range.
  hub.fault('onnx/decoder_model_merged_q4.onnx_data', { kind: 'slow', chunk: 10_000, delayMs: 100 }, 2);
  const log = progressLog();
  const s = store({ onProgress: log.onProgress });
  const { pullId } = await s.pull('test-vl', 'q4');
  const before = q4Total - 400_000;
  await log.until((e) => e.bytesDone >= before + 250_000);
  s.pause(pullId);
  assert.equal((await s.wait(pullId)).state, 'paused');
  const resumedAt = log.events.length;
  s.resume(pullId);
  assert.equal((await s.wait(pullId)).state, 'done');
  const rates = log.events
    .slice(resumedAt)
    .filter((e) => e.state === 'downloading' && typeof e.etaSeconds === 'number' && e.etaSeconds > 0)
    .map((e) => (e.bytesTotal - e.bytesDone) / (e.etaSeconds ?? 1));
  assert.ok(rates.length >= 1, 'no ETA after the resume');
  // Counting the ~250 000 resumed bytes as received would read as 300+ KB/s over the first second; a leftover
  // estimate of the paused run, as whatever its stale ETA implies for the bytes now left.
  assert.ok(Math.max(...rates) < 200_000, `rates after the resume: ${rates.map(Math.round).join(', ')} B/s`);
});

/** The five JSON files of the synthetic repo (what a pull fetches beside the graphs). */
function sizeOfJson(): number {
  return Q4_FILES.filter((f) => f.endsWith('.json')).reduce((s, f) => s + (repoFiles.get(f)?.length ?? 0), 0);
}
