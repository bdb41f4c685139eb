// Pulling LLaVA-OneVision's image_newline out of model.safetensors with HTTP Range against the loopback fake hub
// (LFS redirect to the CDN included): only a few KB of the checkpoint are served, the derived file reads as the same
// vector as the whole file, a hub that ignores Range falls back to the whole file, bad answers fail naming the file.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { ensureTinyModel } from '../../../models/tiny/make-tiny-model.js';
import { llavaOneVision } from '../../inference/families/llava-onevision/index.js';
import { readSafetensor } from '../../inference/families/llava-onevision/safetensors.js';
import { repoFromFolder, sha256Hex, startFakeHub, type FakeHub, type FakeRepo } from './fake-hub.js';
import { HubClient } from './hub-client.js';
import type { ManifestModel } from './manifest.js';
import { RECORD_FILE, ModelRecord } from './record.js';
import { createModelStore, type ModelStore } from './store.js';
import {
  fetchTensorSlice,
  oneTensorFile,
  sliceBound,
  SLICE_HEADER_ALLOWANCE,
  type SliceSpec,
} from './tensor-slice.js';
import { progressLog, seededBytes, tempData, type TempData } from './test-fixtures.js';

const REPO = 'doclens-test/tiny-llava-ov';
const SHA = 'd0c1e25000000000000000000000000000000002';
const CKPT = 'model.safetensors';
const NEWLINE = 'image_newline.safetensors';
const HIDDEN = 64; // the tiny model's text hidden size
/** What a pull fetches besides the slice (the layout's files the tiny model has, and the three graphs). */
const PULLED = [
  'config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'generation_config.json',
  'onnx/vision_encoder.onnx',
  'onnx/embed_tokens.onnx',
  'onnx/decoder_model_merged.onnx',
];

interface Tensor {
  dtype: string;
  shape: number[];
  data: Uint8Array;
}

/** A multi-tensor safetensors file laid out in the given order (the real checkpoint's layout, in miniature). */
function checkpoint(tensors: Record<string, Tensor>, headerOverride?: Uint8Array): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.length] };
    offset += t.data.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
  const head = headerOverride ?? new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of Object.values(tensors)) {
    out.set(t.data, at);
    at += t.data.length;
  }
  return out;
}

/** float16 bit patterns of finite values in (-2, 2) (no NaN / Inf), deterministic. */
function halves(count: number, seed: number): Uint8Array {
  const raw = seededBytes(count * 2, seed);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < count; i++) {
    const bits = view.getUint16(i * 2, true);
    const exp = 1 + (bits % 15); // 1..15: up to 2^0
    view.setUint16(i * 2, (bits & 0x83ff) | (exp << 10), true);
  }
  return raw;
}

const NEWLINE_F16 = halves(HIDDEN, 7);
/** 512 KiB of other weights around the one tensor a pull needs. */
function realisticCheckpoint(newline: Partial<Tensor> = {}, name = 'model.image_newline'): Uint8Array {
  return checkpoint({
    'model.language_model.embed_tokens.weight': {
      dtype: 'F16',
      shape: [512, 256],
      data: halves(512 * 256, 3),
    },
    [name]: { dtype: 'F16', shape: [HIDDEN], data: NEWLINE_F16, ...newline },
    'model.multi_modal_projector.linear_1.weight': {
      dtype: 'F16',
      shape: [512, 256],
      data: halves(512 * 256, 5),
    },
  });
}

function llavaEntry(shape: number[] = [HIDDEN]): ManifestModel {
  return {
    id: 'tiny-llava-ov',
    name: 'Tiny LLaVA-OneVision (test model)',
    family: 'llava-onevision',
    repo: REPO,
    revision: SHA,
    license: 'apache-2.0',
    coordinates: { format: 'llava', space: 'unit' },
    chatTemplate: null,
    extraTensors: [{ file: CKPT, names: ['image_newline', 'model.image_newline'], as: NEWLINE, shape }],
    recommendedDtype: { cuda: 'fp32', dml: 'fp32', cpu: 'fp32' },
    dtypes: {
      fp32: {
        bytes: null,
        files: {
          vision_encoder: 'onnx/vision_encoder.onnx',
          embed_tokens: 'onnx/embed_tokens.onnx',
          decoder_model_merged: 'onnx/decoder_model_merged.onnx',
        },
      },
    },
    verified: [],
    unverified: [],
    testOnly: true,
  };
}

let hub: FakeHub;
let repo: FakeRepo;
let base: Map<string, Uint8Array>;
let data: TempData;
const stores: ModelStore[] = [];

function store(model = llavaEntry()): ModelStore {
  data = tempData([model]);
  const s = createModelStore({
    dataDir: data.dir,
    manifestPath: data.manifestPath,
    endpoint: hub.endpoint,
    token: '',
    retryDelayMs: 10,
    retries: 2,
    stallMs: 2000,
    progressIntervalMs: 0,
    freeBytes: () => Promise.resolve(10 * 1024 ** 3),
  });
  stores.push(s);
  return s;
}

/** What the fake hub served of the checkpoint (the resolve route redirects; the CDN sends the bytes). */
const ckptRequests = () =>
  hub.log.filter(
    (r) => r.server === 'cdn' && r.path === `/blobs/${sha256Hex(repo.files.get(CKPT) ?? new Uint8Array())}`,
  );

before(async () => {
  const dir = await ensureTinyModel({ family: 'llava-onevision', size: 'tiny' });
  repo = repoFromFolder(dir, SHA);
  repo.files.delete(NEWLINE); // like the HF repo: the vector only exists inside model.safetensors
  repo.files.delete('doclens-tiny.json');
  base = new Map(repo.files);
  hub = await startFakeHub({ [REPO]: repo });
});
after(async () => {
  await hub.close();
});
beforeEach(() => {
  repo.files = new Map(base);
  repo.files.set(CKPT, realisticCheckpoint());
  hub.log.length = 0;
  hub.clearFaults();
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  data.cleanup();
});

describe('tensor slice pull', () => {
  test('a pull reads only image_newline out of model.safetensors; it loads as the same vector; verify guards it', async () => {
    const s = store();
    const listedBefore = (await s.sizes('tiny-llava-ov'))[0];
    const others = PULLED.reduce((n, p) => n + (base.get(p)?.length ?? NaN), 0);
    // Before any pull the slice counts as its bound (64 F32 values + header allowance), not the checkpoint's size.
    assert.equal(listedBefore?.bytesByDtype.fp32, others + 8 + SLICE_HEADER_ALLOWANCE + HIDDEN * 4);

    const log = progressLog();
    const unsubscribe = s.subscribe(log.onProgress);
    const { pullId } = await s.pull('tiny-llava-ov');
    const end = await s.wait(pullId);
    unsubscribe();
    assert.equal(end.state, 'done', end.message ?? '');
    assert.ok(log.events.some((e) => e.message === `Reading image_newline out of ${CKPT} with HTTP Range`));

    // Three range requests, a few hundred bytes in all, of a 512 KiB checkpoint.
    const ckpt = repo.files.get(CKPT) ?? new Uint8Array();
    const served = ckptRequests();
    assert.equal(served.length, 3, JSON.stringify(served));
    assert.ok(served.every((r) => r.status === 206));
    const headerLen = Number(new DataView(ckpt.buffer).getBigUint64(0, true));
    assert.deepEqual(
      served.map((r) => r.range),
      [
        'bytes=0-7',
        `bytes=8-${8 + headerLen - 1}`,
        `bytes=${8 + headerLen + 512 * 256 * 2}-${8 + headerLen + 512 * 256 * 2 + HIDDEN * 2 - 1}`,
      ],
    );
    const sent = served.reduce((n, r) => n + r.sent, 0);
    assert.ok(sent < 64 * 1024, `${sent} bytes of model.safetensors served`);
    assert.equal(sent, 8 + headerLen + HIDDEN * 2);
    assert.ok(ckpt.length > 512 * 1024);

    const dir = join(data.dir, 'models', 'tiny-llava-ov-fp32');
    assert.equal(existsSync(join(dir, CKPT)), false);
    const derived = readFileSync(join(dir, NEWLINE));
    // A valid safetensors file: the data starts 8-byte aligned.
    const n = Number(derived.readBigUInt64LE(0));
    assert.equal((8 + n) % 8, 0);
    assert.equal(derived.length, 8 + n + HIDDEN * 2);
    const header = JSON.parse(derived.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(header.image_newline, { dtype: 'F16', shape: [HIDDEN], data_offsets: [0, HIDDEN * 2] });

    // The loader reads the same values from the derived file as from the whole checkpoint.
    const whole = mkdtempSync(join(tmpdir(), 'doclens-ckpt-'));
    try {
      writeFileSync(join(whole, CKPT), ckpt);
      const fromWhole = readSafetensor(join(whole, CKPT), ['image_newline', 'model.image_newline']);
      const fromSlice = readSafetensor(join(dir, NEWLINE), ['image_newline', 'model.image_newline']);
      assert.equal(fromWhole?.name, 'model.image_newline');
      assert.equal(fromSlice?.name, 'image_newline');
      assert.equal(fromSlice?.data.length, HIDDEN);
      assert.deepEqual(Array.from(fromSlice?.data ?? []), Array.from(fromWhole?.data ?? []));
      assert.ok(new Set(fromSlice?.data).size > HIDDEN / 2, 'varied values');
      // The family's loader opens the install, and packs image features with the same newline rows as it does
      // from a folder holding the whole checkpoint.
      writeFileSync(join(whole, 'config.json'), readFileSync(join(dir, 'config.json')));
      const packed = (folder: string) => {
        const tiled = llavaOneVision.openTiled?.({
          dir: folder,
          config: JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>,
          preprocessor: llavaOneVision.preprocessorDefaults,
          hiddenSize: HIDDEN,
        });
        assert.ok(tiled);
        const size = { width: 56, height: 56 };
        const { tokens } = tiled.plan(size, 1);
        // A 56 px square: the base view and one 56 px tile, 4×4 features each.
        const features = new Float32Array(2 * 16 * HIDDEN).map((_, k) => (k % 7) / 8);
        return { tokens, out: tiled.pack(features, size, 1) };
      };
      const a = packed(dir);
      const b = packed(whole);
      assert.equal(a.out.length, a.tokens * HIDDEN);
      assert.deepEqual(Array.from(a.out), Array.from(b.out));
      const newlineRow = Array.from(fromWhole?.data ?? []);
      const rows = Array.from({ length: a.tokens }, (_, i) =>
        Array.from(a.out.subarray(i * HIDDEN, (i + 1) * HIDDEN)),
      );
      assert.ok(
        rows.some((r) => r.every((v, i) => v === newlineRow[i])),
        'a newline row in the packed features',
      );
    } finally {
      rmSync(whole, { recursive: true, force: true });
    }

    // The record holds the derived file's own sha256 and where its bytes came from.
    const record = ModelRecord.parse(JSON.parse(readFileSync(join(dir, RECORD_FILE), 'utf8')));
    const entry = record.files.find((f) => f.path === NEWLINE);
    assert.equal(entry?.sha256, sha256Hex(derived));
    assert.equal(entry?.bytes, derived.length);
    assert.deepEqual(entry?.derivedFrom, {
      file: CKPT,
      revision: SHA,
      tensor: 'model.image_newline',
      range: { start: 8 + headerLen + 512 * 256 * 2, end: 8 + headerLen + 512 * 256 * 2 + HIDDEN * 2 - 1 },
    });
    assert.equal(end.bytesTotal, others + derived.length);

    // Once pulled, the download size counts the derived file as what it is.
    assert.equal((await s.sizes('tiny-llava-ov'))[0]?.bytesByDtype.fp32, others + derived.length);
    const relisted = (await s.sizes('tiny-llava-ov', { refresh: true }))[0];
    assert.equal(relisted?.source, 'hub');
    assert.equal(relisted?.bytesByDtype.fp32, others + derived.length);

    assert.deepEqual(await s.verify('tiny-llava-ov'), { ok: true, problems: [] });
    await s.checkInstalled('tiny-llava-ov');
    const altered = Buffer.from(derived);
    altered.writeUInt8(altered.readUInt8(altered.length - 1) ^ 0x01, altered.length - 1);
    writeFileSync(join(dir, NEWLINE), altered);
    const bad = await s.verify('tiny-llava-ov');
    assert.equal(bad.ok, false);
    assert.equal(bad.problems.length, 1);
    assert.match(
      bad.problems[0] ?? '',
      /^image_newline\.safetensors: sha256 [0-9a-f]{64}, expected [0-9a-f]{64} \(corrupt\)$/,
    );
    await assert.rejects(s.checkInstalled('tiny-llava-ov'), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'corrupt');
      assert.match(e.message, /image_newline\.safetensors/);
      return true;
    });
  });

  test('a hub that ignores Range: the answer is dropped after its headers and the whole file is downloaded', async () => {
    repo.files.set(
      CKPT,
      checkpoint({
        'model.image_newline': { dtype: 'F16', shape: [HIDDEN], data: NEWLINE_F16 },
        filler: { dtype: 'F16', shape: [16 * 1024 * 1024], data: new Uint8Array(32 * 1024 * 1024) },
      }),
    );
    // Sent slowly (64 KiB every 50 ms: 25 s for the whole file), so what the client reads before hanging up shows.
    hub.fault(CKPT, { kind: 'ignore-range', slow: { chunk: 64 * 1024, delayMs: 50 } });
    const s = store();
    const log = progressLog();
    s.subscribe(log.onProgress);
    const { pullId } = await s.pull('tiny-llava-ov');
    const end = await s.wait(pullId);
    assert.equal(end.state, 'done', end.message ?? '');
    const note = `the hub ignored the Range request for ${CKPT}, so the whole file (32.0 MiB) is downloaded for image_newline`;
    assert.equal(end.message, note);
    assert.ok(log.events.some((e) => e.state === 'downloading' && e.message === note));
    const served = ckptRequests();
    assert.equal(served[0]?.range, 'bytes=0-7');
    assert.equal(served[0]?.status, 200);
    assert.equal(served[0]?.completed, false, 'the 200 answer was dropped before its end');
    assert.ok((served[0]?.sent ?? 0) < 16 * 1024 * 1024, `${served[0]?.sent} bytes sent before the hang-up`);
    assert.equal(served[1]?.range, null);
    assert.equal(served[1]?.status, 200);
    assert.equal(served.length, 2);
    const dir = join(data.dir, 'models', 'tiny-llava-ov-fp32');
    assert.deepEqual(readFileSync(join(dir, CKPT)), Buffer.from(repo.files.get(CKPT) ?? []));
    assert.equal(existsSync(join(dir, NEWLINE)), false);
    const t = readSafetensor(join(dir, CKPT), ['image_newline', 'model.image_newline']);
    assert.equal(t?.data.length, HIDDEN);
    assert.deepEqual(await s.verify('tiny-llava-ov'), { ok: true, problems: [] });
  });

  test('a pull that fails after the slice continues without reading the slice again', async () => {
    hub.fault('onnx/vision_encoder.onnx', { kind: 'status', status: 503 }, 3);
    const s = store();
    const first = await s.wait((await s.pull('tiny-llava-ov')).pullId);
    assert.equal(first.state, 'failed');
    assert.match(first.error?.message ?? '', /vision_encoder\.onnx.*gave up after 3 failed attempts/);
    assert.equal(ckptRequests().length, 3);
    const again = await s.wait((await s.pull('tiny-llava-ov')).pullId);
    assert.equal(again.state, 'done', again.message ?? '');
    assert.equal(ckptRequests().length, 3, 'the slice written before the failure is kept');
    assert.deepEqual(await s.verify('tiny-llava-ov'), { ok: true, problems: [] });
    const record = s.record('tiny-llava-ov');
    assert.equal(record?.files.find((f) => f.path === NEWLINE)?.derivedFrom?.file, CKPT);
  });

  test('a truncated range answer is retried; one that keeps coming short fails naming the file', async () => {
    hub.fault(CKPT, { kind: 'drop', after: 3 }, 2);
    const s = store();
    const log = progressLog();
    s.subscribe(log.onProgress);
    const first = await s.wait((await s.pull('tiny-llava-ov')).pullId);
    assert.equal(first.state, 'done', first.message ?? '');
    assert.ok(
      log.events.some((e) =>
        /^model\.safetensors: header length: truncated: 3 of 8 bytes \(aborted\); retrying in 1 s \(attempt 1 of 2\)$/.test(
          e.message ?? '',
        ),
      ),
      JSON.stringify(log.events.map((e) => e.message)),
    );
    assert.equal(ckptRequests().length, 5);
    await s.remove('tiny-llava-ov');

    hub.fault(CKPT, { kind: 'drop', after: 3 }, 3);
    const second = await s.wait((await s.pull('tiny-llava-ov')).pullId);
    assert.equal(second.state, 'failed');
    assert.equal(second.error?.code, 'io_error');
    assert.match(
      second.error?.message ?? '',
      /^model\.safetensors: header length \(bytes=0-7\): gave up after 3 failed attempts \(truncated: 3 of 8 bytes/,
    );
  });
});

describe('fetchTensorSlice: bad answers name the file and what is wrong', () => {
  const spec: SliceSpec = {
    file: CKPT,
    names: ['image_newline', 'model.image_newline'],
    as: NEWLINE,
    shape: [HIDDEN],
  };
  const slice = (over: Partial<SliceSpec> = {}) => {
    const bytes = repo.files.get(CKPT) ?? new Uint8Array();
    const client = new HubClient({ endpoint: hub.endpoint });
    return fetchTensorSlice({
      hub: client,
      url: client.resolveUrl(REPO, SHA, CKPT),
      spec: { ...spec, ...over },
      revision: SHA,
      sourceBytes: bytes.length,
      signal: new AbortController().signal,
      stallMs: 2000,
      retries: 1,
      retryDelayMs: 5,
    });
  };

  test('the tensor as F32 is accepted; its derived file is the one the tiny model generator writes', async () => {
    const f32 = new Float32Array(HIDDEN).map((_, i) => Math.sin(i));
    repo.files.set(
      CKPT,
      realisticCheckpoint({ dtype: 'F32', data: new Uint8Array(f32.buffer) }, 'image_newline'),
    );
    const got = await slice();
    assert.equal(got.kind, 'slice');
    if (got.kind !== 'slice') return;
    assert.equal(got.dtype, 'F32');
    assert.equal(got.requests, 3);
    const n = Number(Buffer.from(got.bytes).readBigUInt64LE(0));
    assert.deepEqual(new Float32Array(got.bytes.slice(8 + n).buffer), f32);
    assert.ok(got.bytes.length <= sliceBound(spec));
    // Without metadata the writer's output is byte for byte the tiny model generator's one-tensor file.
    const generated = readFileSync(
      join(await ensureTinyModel({ family: 'llava-onevision', size: 'tiny' }), NEWLINE),
    );
    const values = generated.subarray(generated.length - HIDDEN * 4);
    assert.deepEqual(Buffer.from(oneTensorFile('image_newline', 'F32', [HIDDEN], values)), generated);
  });

  test('a header that is not JSON', async () => {
    repo.files.set(
      CKPT,
      checkpoint(
        { x: { dtype: 'F16', shape: [4], data: halves(4, 1) } },
        new TextEncoder().encode('{"x": oops  '),
      ),
    );
    await assert.rejects(slice(), {
      code: 'corrupt',
      message: `${CKPT}: the safetensors header is not valid JSON`,
    });
  });

  test('a header length past the end of the file', async () => {
    const bytes = realisticCheckpoint();
    new DataView(bytes.buffer).setBigUint64(0, BigInt(bytes.length), true);
    repo.files.set(CKPT, bytes);
    await assert.rejects(slice(), {
      code: 'corrupt',
      message: `${CKPT} is not a safetensors file (header length ${bytes.length} in a file of ${bytes.length} bytes)`,
    });
  });

  test('a header without the tensor', async () => {
    repo.files.set(CKPT, realisticCheckpoint({}, 'model.something_else'));
    await assert.rejects(slice(), {
      code: 'not_found',
      message: `${CKPT} has no tensor image_newline or model.image_newline (3 tensors in its header)`,
    });
  });

  test('a tensor of the wrong dtype or shape', async () => {
    repo.files.set(CKPT, realisticCheckpoint({ dtype: 'I16' }));
    await assert.rejects(slice(), {
      code: 'corrupt',
      message: `${CKPT}: tensor model.image_newline is I16; F32, F16 or BF16 expected`,
    });
    repo.files.set(CKPT, realisticCheckpoint({ shape: [HIDDEN / 2, 2] }));
    await assert.rejects(slice(), {
      code: 'corrupt',
      message: `${CKPT}: tensor model.image_newline has shape [32, 2], expected [${HIDDEN}]`,
    });
    repo.files.set(CKPT, realisticCheckpoint({ shape: [HIDDEN + 1] }));
    await assert.rejects(slice({ shape: undefined }), {
      code: 'corrupt',
      message: `${CKPT}: tensor model.image_newline has ${HIDDEN * 2} bytes for F16 shape [${HIDDEN + 1}]`,
    });
  });

  test('a 416 answer', async () => {
    hub.fault(CKPT, { kind: 'status', status: 416 });
    await assert.rejects(slice(), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'corrupt');
      assert.equal(
        e.message,
        `${CKPT}: the hub refused bytes=0-7 (header length) with 416 Range Not Satisfiable (no size given)`,
      );
      return true;
    });
  });

  test('a size other than the listed one', async () => {
    const client = new HubClient({ endpoint: hub.endpoint });
    await assert.rejects(
      fetchTensorSlice({
        hub: client,
        url: client.resolveUrl(REPO, SHA, CKPT),
        spec,
        revision: SHA,
        sourceBytes: 12,
        signal: new AbortController().signal,
        stallMs: 2000,
        retries: 1,
        retryDelayMs: 5,
      }),
      {
        code: 'corrupt',
        message: `${CKPT}: the range answer says the file has ${repo.files.get(CKPT)?.length} bytes, the hub lists 12`,
      },
    );
  });
});
