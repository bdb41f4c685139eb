// The model store's pulls against a real HTTP server on loopback (fake-hub.ts: the hub's revision, tree and resolve
// routes, LFS redirects to a second "CDN" host, Range) with injected faults: dropped connections, stalls, wrong bytes,
// 404s, slow answers; pause, cancel, an app restart in the middle, the disk-space check, HF_ENDPOINT and a token.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { startFakeHub, sha256Hex, type FakeHub } from './fake-hub.js';
import { createModelStore, type ModelStore, type ModelStoreOptions } from './store.js';
import { RECORD_FILE } from './record.js';
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

const BIG = 'onnx/decoder_model_merged_q4.onnx_data'; // 400 000 bytes
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
    stallMs: 2000,
    progressIntervalMs: 0,
    freeBytes: () => Promise.resolve(10 * 1024 ** 3),
    ...extra,
  });
  stores.push(s);
  return s;
}

/** Requests for one repo file on either server (LFS files are fetched from the CDN after a redirect). */
function fileRequests(path: string) {
  return hub.log.filter(
    (r) =>
      r.path === `/${REPO}/resolve/${REPO_SHA}/${path}` ||
      (r.server === 'cdn' && r.path === `/blobs/${sha256Hex(repoFiles.get(path) ?? new Uint8Array())}`),
  );
}
const cdnRequests = (path: string) => fileRequests(path).filter((r) => r.server === 'cdn');

function installedFiles(id: string): string[] {
  const dir = join(data.dir, 'models', id);
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk('');
  return out.sort();
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
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  data.cleanup();
});

describe('pull', () => {
  test('downloads the q4 file set, checks it, installs it atomically and lists it with its size', async () => {
    const log = progressLog();
    const s = store({ onProgress: log.onProgress });
    const before = await s.list();
    assert.deepEqual(before.installed, []);
    assert.equal(before.known[0]?.installed, false);

    const { pullId } = await s.pull('test-vl');
    const end = await s.wait(pullId);
    assert.equal(end.state, 'done', end.message ?? '');
    assert.equal(end.bytesDone, q4Total);
    assert.equal(end.bytesTotal, q4Total);

    assert.deepEqual(installedFiles('test-vl-q4'), [...Q4_FILES, RECORD_FILE].sort());
    for (const f of Q4_FILES)
      assert.deepEqual(
        new Uint8Array(readFileSync(join(data.dir, 'models', 'test-vl-q4', f))),
        repoFiles.get(f),
      );
    // README.md and the fp16 graph are not part of the q4 set.
    assert.equal(fileRequests('README.md').length, 0);
    assert.equal(fileRequests('onnx/decoder_model_merged_fp16.onnx').length, 0);
    // The work folder is gone; nothing but the model, the (empty) work area and the sizes the listing told remain.
    assert.deepEqual(
      readdirSync(join(data.dir, 'models')).filter(
        (n) => !n.startsWith('.partial') && n !== '.download-sizes.json',
      ),
      ['test-vl-q4'],
    );
    assert.deepEqual(readdirSync(join(data.dir, 'models', '.partial')), []);

    const listed = await s.list();
    assert.deepEqual(listed.installed, [
      {
        id: 'test-vl-q4',
        family: 'qwen2-vl',
        dtype: 'q4',
        path: join(data.dir, 'models', 'test-vl-q4'),
        bytes: q4Total,
        source: 'pulled',
      },
    ]);
    assert.equal(listed.known[0]?.installed, true);

    const record = s.record('test-vl');
    assert.equal(record?.revision, REPO_SHA, 'the commit main pointed at is recorded');
    assert.equal(
      record?.files.find((f) => f.path === BIG)?.sha256,
      sha256Hex(repoFiles.get(BIG) ?? new Uint8Array()),
    );

    assert.deepEqual(log.states(), ['queued', 'downloading', 'verifying', 'installing', 'done']);
    const downloading = log.events.filter((e) => e.state === 'downloading');
    for (let i = 1; i < downloading.length; i++)
      assert.ok((downloading[i]?.bytesDone ?? 0) >= (downloading[i - 1]?.bytesDone ?? 0), 'monotonic');
    assert.ok(downloading.some((e) => e.file === BIG));
    assert.ok(log.events.every((e) => e.pullId === pullId && e.modelId === 'test-vl'));

    // Pulling it again ends at once: nothing is downloaded twice.
    const requestsBefore = hub.log.length;
    const again = await s.pull('test-vl');
    const second = await s.wait(again.pullId);
    assert.equal(second.state, 'done');
    assert.match(second.message ?? '', /already installed/);
    assert.equal(hub.log.length, requestsBefore);
  });

  test('a dropped connection resumes with Range from the bytes on disk; no byte is fetched twice', async () => {
    hub.fault(BIG, { kind: 'drop', after: 150_000 });
    const log = progressLog();
    const s = store({ onProgress: log.onProgress });
    const end = await s.wait((await s.pull('test-vl')).pullId);
    assert.equal(end.state, 'done', end.message ?? '');
    const retry = log.events.find((p) => p.message?.includes('retrying'));
    assert.match(
      retry?.message ?? '',
      /^onnx\/decoder_model_merged_q4\.onnx_data: .+; retrying in 1 s \(attempt 1 of 5\)/,
    );
    assert.equal(retry?.state, 'downloading');
    assert.equal(end.message, null);
    const reqs = cdnRequests(BIG);
    assert.equal(reqs.length, 2);
    assert.equal(reqs[0]?.range, null);
    assert.equal(reqs[0]?.sent, 150_000);
    assert.equal(reqs[1]?.range, 'bytes=150000-');
    assert.equal(reqs[1]?.status, 206);
    assert.equal(reqs[1]?.sent, 250_000);
    assert.equal((await s.verify('test-vl')).ok, true);
  });

  test('a stalled answer is dropped after stallMs and resumed with Range', async () => {
    hub.fault(BIG, { kind: 'stall', after: 100_000 });
    const s = store({ stallMs: 300 });
    const t0 = Date.now();
    const end = await s.wait((await s.pull('test-vl')).pullId);
    assert.equal(end.state, 'done', end.message ?? '');
    assert.ok(Date.now() - t0 >= 300);
    const reqs = cdnRequests(BIG);
    assert.deepEqual(
      reqs.map((r) => [r.range, r.sent]),
      [
        [null, 100_000],
        ['bytes=100000-', 300_000],
      ],
    );
  });

  test('a slow but steady answer is not mistaken for a stall', async () => {
    hub.fault(BIG, { kind: 'slow', chunk: 50_000, delayMs: 40 });
    const s = store({ stallMs: 1000 });
    const end = await s.wait((await s.pull('test-vl')).pullId);
    assert.equal(end.state, 'done', end.message ?? '');
    assert.equal(cdnRequests(BIG).length, 1);
  });

  test('a stall that never ends fails with a clear error after the retries, nothing installed', async () => {
    hub.fault(BIG, { kind: 'stall', after: 0 }, 3);
    const s = store({ stallMs: 100, retries: 2 });
    const end = await s.wait((await s.pull('test-vl')).pullId);
    assert.equal(end.state, 'failed');
    assert.equal(end.error?.code, 'io_error');
    assert.match(end.error?.message ?? '', /gave up after 3 failed attempts.*no data for 100 ms/);
    assert.match(end.error?.message ?? '', /decoder_model_merged_q4\.onnx_data|blobs/);
    assert.deepEqual((await s.list()).installed, []);
  });

  test('wrong bytes: sha256 mismatch fails the pull naming the file, discards it, installs nothing', async () => {
    hub.fault('onnx/embed_tokens_q4.onnx', { kind: 'wrong-bytes' });
    const s = store();
    const end = await s.wait((await s.pull('test-vl')).pullId);
    assert.equal(end.state, 'failed');
    assert.equal(end.error?.code, 'corrupt');
    assert.match(end.error?.message ?? '', /sha256 mismatch for .*embed_tokens_q4\.onnx/);
    assert.match(end.message ?? '', /^corrupt: sha256 mismatch/);
    assert.deepEqual((await s.list()).installed, []);
    assert.equal(existsSync(join(data.dir, 'models', 'test-vl-q4')), false);
    const partial = join(data.dir, 'models', '.partial', 'test-vl-q4', 'onnx');
    assert.equal(existsSync(join(partial, 'embed_tokens_q4.onnx.part')), false, 'bad bytes discarded');

    // Pulling again (the UI's "Retry") fetches only what is not done yet and installs a good copy.
    hub.log.length = 0;
    const retry = await s.pull('test-vl');
    const ok = await s.wait(retry.pullId);
    assert.equal(ok.state, 'done', ok.message ?? '');
    assert.equal(fileRequests('config.json').length, 0, 'finished files are not fetched again');
    assert.equal((await s.verify('test-vl')).ok, true);
  });

  test('wrong bytes in a small git (non-LFS) file are caught by its git blob id', async () => {
    hub.fault('preprocessor_config.json', { kind: 'wrong-bytes' });
    const s = store();
    const end = await s.wait((await s.pull('test-vl')).pullId);
    assert.equal(end.state, 'failed');
    assert.equal(end.error?.code, 'corrupt');
    assert.match(end.error?.message ?? '', /git blob id mismatch for .*preprocessor_config\.json/);
  });

  test('404 on a listed file fails with not_found naming it; an unknown repo names the repo', async () => {
    hub.fault('onnx/vision_encoder_q4.onnx', { kind: 'status', status: 404 });
    const s = store();
    const end = await s.wait((await s.pull('test-vl')).pullId);
    assert.equal(end.state, 'failed');
    assert.equal(end.error?.code, 'not_found');
    assert.match(end.error?.message ?? '', /vision_encoder_q4\.onnx not found on the hub \(404/);
    assert.equal(cdnRequests('onnx/vision_encoder_q4.onnx').length, 1, '404 is not retried');

    data.cleanup();
    data = tempData([testModel({ id: 'ghost', repo: 'acme/Does-Not-Exist' })]);
    const s2 = store();
    const ghost = await s2.wait((await s2.pull('ghost')).pullId);
    assert.equal(ghost.error?.code, 'not_found');
    assert.match(ghost.error?.message ?? '', /acme\/Does-Not-Exist@main not found/);
  });

  test('a dtype whose files are not in the repo fails before any download, naming the missing files', async () => {
    const s = store();
    const end = await s.wait((await s.pull('test-vl', 'fp32')).pullId);
    assert.equal(end.error?.code, 'not_found');
    assert.match(end.error?.message ?? '', /has no onnx\/vision_encoder\.onnx, onnx\/embed_tokens\.onnx/);
    assert.equal(hub.log.filter((r) => r.path.includes('/resolve/')).length, 0);
    await assert.rejects(
      s.pull('test-vl', 'int3'),
      /test-vl has no dtype "int3" \(available: q4, fp16, fp32\)/,
    );
    await assert.rejects(s.pull('nope'), /unknown model "nope" \(known: test-vl\)/);
  });

  test('5xx answers are retried; the download completes', async () => {
    hub.fault(BIG, { kind: 'status', status: 503 }, 2);
    const s = store();
    const end = await s.wait((await s.pull('test-vl')).pullId);
    assert.equal(end.state, 'done', end.message ?? '');
    assert.deepEqual(
      cdnRequests(BIG).map((r) => r.status),
      [503, 503, 200],
    );
  });

  test('a server that ignores Range makes the file start over (no duplicated bytes)', async () => {
    hub.fault(BIG, { kind: 'drop', after: 120_000 });
    hub.fault(BIG, { kind: 'ignore-range' });
    const s = store();
    const end = await s.wait((await s.pull('test-vl')).pullId);
    assert.equal(end.state, 'done', end.message ?? '');
    assert.deepEqual(
      cdnRequests(BIG).map((r) => [r.range, r.status]),
      [
        [null, 200],
        ['bytes=120000-', 200],
      ],
    );
    assert.equal((await s.verify('test-vl')).ok, true);
  });

  test('the disk-space check comes first: too little room fails with disk_full before any file is fetched', async () => {
    const seen: string[] = [];
    const s = store({
      freeBytes: (dir) => {
        seen.push(dir);
        return Promise.resolve(q4Total + 1000);
      },
      diskMarginBytes: 64 * 1024 * 1024,
    });
    const end = await s.wait((await s.pull('test-vl')).pullId);
    assert.equal(end.state, 'failed');
    assert.equal(end.error?.code, 'disk_full');
    assert.match(end.error?.message ?? '', /not enough disk space for test-vl \(q4\): 0\.\d MiB to download/);
    assert.deepEqual(seen, [join(data.dir, 'models')]);
    assert.equal(hub.log.filter((r) => r.path.includes('/resolve/') || r.server === 'cdn').length, 0);

    // With the margin met the same pull goes through.
    const s2 = store({ freeBytes: () => Promise.resolve(q4Total + 1000), diskMarginBytes: 0 });
    assert.equal((await s2.wait((await s2.pull('test-vl')).pullId)).state, 'done');
  });
});

describe('pause, resume, cancel, restart', () => {
  const slowBig = () => hub.fault(BIG, { kind: 'slow', chunk: 20_000, delayMs: 30 });

  test('pause keeps the partial file; pulling again continues with Range from it (same pullId)', async () => {
    slowBig();
    const log = progressLog();
    const s = store({ onProgress: log.onProgress });
    const { pullId } = await s.pull('test-vl');
    await log.until((p) => p.file === BIG && p.bytesDone > q4Total - 400_000 + 60_000);
    const paused = s.pause(pullId);
    assert.equal(paused.state, 'paused');
    const end = await s.wait(pullId);
    assert.equal(end.state, 'paused');
    assert.match(end.message ?? '', /Paused/);
    const part = join(data.dir, 'models', '.partial', 'test-vl-q4', `${BIG}.part`);
    const have = statSync(part).size;
    assert.ok(have >= 60_000 && have < 400_000, `partial ${have}`);
    assert.equal(end.bytesDone, q4Total - 400_000 + have);
    assert.deepEqual((await s.list()).installed, [], 'no half model is listed');
    assert.equal(existsSync(join(data.dir, 'models', 'test-vl-q4')), false);

    const before = hub.log.length;
    const again = await s.pull('test-vl');
    assert.equal(again.pullId, pullId, '"Resume" is models.pull again for the same model');
    const done = await s.wait(pullId);
    assert.equal(done.state, 'done', done.message ?? '');
    const resumed = hub.log.slice(before).filter((r) => r.server === 'cdn');
    assert.deepEqual(
      resumed.map((r) => [r.range, r.sent]),
      [[`bytes=${have}-`, 400_000 - have]],
      'only the missing bytes of the big file are fetched',
    );
    assert.equal((await s.verify('test-vl')).ok, true);
    assert.equal(log.events.filter((e) => e.state === 'paused').length, 1);
  });

  test('cancel stops the download, deletes the partial files and installs nothing', async () => {
    slowBig();
    const log = progressLog();
    const s = store({ onProgress: log.onProgress });
    const { pullId } = await s.pull('test-vl');
    await log.until((p) => p.file === BIG && p.bytesDone > q4Total - 400_000 + 20_000);
    assert.equal(s.cancel(pullId).state, 'cancelled');
    const end = await s.wait(pullId);
    assert.equal(end.state, 'cancelled');
    assert.equal(end.bytesDone, 0);
    assert.equal(existsSync(join(data.dir, 'models', '.partial', 'test-vl-q4')), false);
    assert.deepEqual((await s.list()).installed, []);
    assert.deepEqual(await s.unfinished(), []);
    // A new pull starts from nothing.
    hub.log.length = 0;
    const next = await s.pull('test-vl');
    assert.notEqual(next.pullId, pullId);
    assert.equal((await s.wait(next.pullId)).state, 'done');
    assert.equal(fileRequests('config.json').length, 1);
  });

  test('cancel of a paused pull deletes its partial files', async () => {
    slowBig();
    const log = progressLog();
    const s = store({ onProgress: log.onProgress });
    const { pullId } = await s.pull('test-vl');
    await log.until((p) => p.file === BIG && p.bytesDone > q4Total - 400_000);
    s.pause(pullId);
    assert.equal((await s.wait(pullId)).state, 'paused');
    s.cancel(pullId);
    const end = await s.wait(pullId);
    assert.equal(end.state, 'cancelled');
    assert.equal(existsSync(join(data.dir, 'models', '.partial', 'test-vl-q4')), false);
  });

  test('an app restart mid-download: a new store on the same folder resumes the partial files', async () => {
    slowBig();
    const log = progressLog();
    const first = store({ onProgress: log.onProgress });
    const { pullId } = await first.pull('test-vl');
    await log.until((p) => p.file === BIG && p.bytesDone > q4Total - 400_000 + 100_000);
    await first.close(); // what the backend does when the app quits
    const part = join(data.dir, 'models', '.partial', 'test-vl-q4', `${BIG}.part`);
    const have = statSync(part).size;
    assert.ok(have >= 100_000 && have < 400_000);
    assert.equal(first.progress(pullId).state, 'paused');

    const second = store();
    assert.deepEqual(await second.unfinished(), [
      { modelId: 'test-vl', dtype: 'q4', bytesDone: q4Total - 400_000 + have, bytesTotal: q4Total },
    ]);
    assert.deepEqual((await second.list()).installed, []);
    hub.log.length = 0;
    const log2 = progressLog();
    second.subscribe(log2.onProgress);
    const end = await second.wait((await second.pull('test-vl')).pullId);
    assert.equal(end.state, 'done', end.message ?? '');
    // Only the big file's missing tail is fetched; the finished files and the tree's commit come from disk.
    assert.deepEqual(
      hub.log.filter((r) => r.server === 'cdn' || r.path.includes('/resolve/')).map((r) => [r.path, r.range]),
      [
        [`/${REPO}/resolve/${REPO_SHA}/${BIG}`, `bytes=${have}-`], // the hub's redirect
        [`/blobs/${sha256Hex(repoFiles.get(BIG) ?? new Uint8Array())}`, `bytes=${have}-`],
      ],
    );
    assert.equal(hub.log.filter((r) => r.path.startsWith('/api/')).length, 0, 'the plan on disk is reused');
    const firstDownloading = log2.events.find((e) => e.state === 'downloading');
    assert.ok(
      (firstDownloading?.bytesDone ?? 0) >= q4Total - 400_000,
      'progress starts from the bytes on disk',
    );
    assert.equal((await second.verify('test-vl')).ok, true);
  });
});

test('remove discards a download an earlier run left unfinished; not one that is running', async () => {
  hub.fault(BIG, { kind: 'slow', chunk: 20_000, delayMs: 30 }, 2);
  const log = progressLog();
  const first = store({ onProgress: log.onProgress });
  const { pullId } = await first.pull('test-vl');
  await log.until((p) => p.file === BIG && p.bytesDone > q4Total - 400_000);
  await assert.rejects(first.remove('test-vl'), /test-vl-q4 is being downloaded; cancel the pull instead/);
  await first.close();
  assert.equal(first.progress(pullId).state, 'paused');

  const second = store();
  assert.equal((await second.unfinished()).length, 1);
  assert.deepEqual(await second.remove('test-vl'), { removed: true });
  assert.deepEqual(await second.unfinished(), []);
  assert.equal(existsSync(join(data.dir, 'models', '.partial', 'test-vl-q4')), false);
  assert.deepEqual(await second.remove('test-vl'), { removed: false });
});

describe('hub access', () => {
  test('HF_ENDPOINT and HF_TOKEN are honoured; the token goes to the hub host only, never to the CDN', async () => {
    const saved = { endpoint: process.env.HF_ENDPOINT, token: process.env.HF_TOKEN };
    process.env.HF_ENDPOINT = `${hub.endpoint}/`;
    process.env.HF_TOKEN = 'hf_test_token';
    try {
      const s = createModelStore({
        dataDir: data.dir,
        manifestPath: data.manifestPath,
        freeBytes: () => Promise.resolve(1e12),
        retryDelayMs: 10,
      });
      stores.push(s);
      const end = await s.wait((await s.pull('test-vl')).pullId);
      assert.equal(end.state, 'done', end.message ?? '');
      const hubReqs = hub.log.filter((r) => r.server === 'hub');
      const cdnReqs = hub.log.filter((r) => r.server === 'cdn');
      assert.ok(hubReqs.length >= Q4_FILES.length + 2);
      assert.ok(cdnReqs.length >= 4);
      assert.ok(hubReqs.every((r) => r.authorization === 'Bearer hf_test_token'));
      assert.ok(cdnReqs.every((r) => r.authorization === null));
      assert.ok(hub.log.some((r) => r.path === `/api/models/${REPO}/revision/main`));
      assert.ok(hub.log.some((r) => r.path === `/api/models/${REPO}/tree/${REPO_SHA}`));
    } finally {
      if (saved.endpoint === undefined) delete process.env.HF_ENDPOINT;
      else process.env.HF_ENDPOINT = saved.endpoint;
      if (saved.token === undefined) delete process.env.HF_TOKEN;
      else process.env.HF_TOKEN = saved.token;
    }
  });

  test('401 from the hub asks for HF_TOKEN', async () => {
    const s = store();
    hub.fault('config.json', { kind: 'status', status: 401 });
    const end = await s.wait((await s.pull('test-vl')).pullId);
    assert.equal(end.error?.code, 'unauthorized');
    assert.match(end.error?.message ?? '', /set HF_TOKEN/);
  });

  test('a paged tree listing (Link: rel="next") is followed', async () => {
    hub.pageSize = 3;
    try {
      const s = store();
      const end = await s.wait((await s.pull('test-vl')).pullId);
      assert.equal(end.state, 'done', end.message ?? '');
      assert.ok(hub.log.filter((r) => r.path.includes('/tree/')).length >= 4);
    } finally {
      hub.pageSize = 1000;
    }
  });

  test('a pinned revision is used as is and checked against the hub', async () => {
    data.cleanup();
    data = tempData([testModel({ revision: REPO_SHA })]);
    const s = store();
    const end = await s.wait((await s.pull('test-vl')).pullId);
    assert.equal(end.state, 'done', end.message ?? '');
    assert.equal(hub.log.filter((r) => r.path.includes('/revision/')).length, 0);
    assert.ok(hub.log.some((r) => r.path === `/${REPO}/resolve/${REPO_SHA}/config.json`));

    data.cleanup();
    data = tempData([testModel({ revision: 'f'.repeat(40) })]);
    const s2 = store();
    const bad = await s2.wait((await s2.pull('test-vl')).pullId);
    assert.equal(bad.error?.code, 'not_found');
    assert.match(bad.error?.message ?? '', /ffffffffffff/);
  });
});
