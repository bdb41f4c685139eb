import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InferenceSession } from 'onnxruntime-node';
import { ensureTinyModel } from '../../models/tiny/make-tiny-model.js';
import { isAppError } from '../shared/errors.js';
import {
  openWithFallback,
  ortBinaryDir,
  providerOrder,
  providerSummary,
  sessionOptionsFor,
} from './providers.js';
import { loadVlm } from './vlm/engine.js';

const cudaInstalled = (() => {
  const dir = ortBinaryDir();
  return dir !== null && existsSync(join(dir, 'libonnxruntime_providers_cuda.so'));
})();
/** These tests read the real CUDA failure of a Linux x64 machine without the CUDA provider download. */
const skipReal =
  process.platform !== 'linux' || process.arch !== 'x64'
    ? 'needs Linux x64'
    : cudaInstalled && 'the CUDA provider is installed here';

void test(
  'auto tries CUDA, then DirectML, then CPU; records the real CUDA failure and reports CPU',
  { skip: skipReal },
  async () => {
    const dir = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
    const tried: string[] = [];
    const opened = await openWithFallback(
      'auto',
      async (provider, options) => {
        tried.push(provider);
        return InferenceSession.create(join(dir, 'onnx', 'embed_tokens.onnx'), options);
      },
      { threads: 1 },
    );
    assert.equal(opened.provider, 'cpu');
    // DirectML is not tried on Linux (onnxruntime-node would silently drop it and run on the CPU).
    assert.deepEqual(tried, ['cuda', 'cpu']);
    const [cuda, dml, cpu] = opened.attempts;
    assert.equal(cuda?.provider, 'cuda');
    assert.equal(cuda?.ok, false);
    // onnxruntime's own words and the loader's diagnosis (the provider library is not installed).
    assert.match(cuda?.reason ?? '', /Failed to load shared library/);
    assert.match(cuda?.reason ?? '', /libonnxruntime_providers_shared\.so is not installed/);
    assert.match(cuda?.reason ?? '', /ONNXRUNTIME_NODE_INSTALL=cuda12/);
    assert.deepEqual(dml, {
      provider: 'dml',
      ok: false,
      reason: `DirectML is Windows-only (this is ${process.platform})`,
    });
    assert.deepEqual(cpu, { provider: 'cpu', ok: true, reason: null });
    assert.match(
      providerSummary('cpu', opened.attempts),
      /^Running on CPU \(CUDA: .*Failed to load shared library.*; DirectML: DirectML is Windows-only/,
    );
    await opened.value.release();
  },
);

void test('the VLM reports the attempts of auto in its status', { skip: skipReal }, async () => {
  const dir = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
  const vlm = await loadVlm(dir, { threads: 1, dtype: 'fp32' });
  try {
    const s = vlm.status();
    assert.equal(s.preference, 'auto');
    assert.equal(s.active, 'cpu');
    assert.deepEqual(
      s.attempts.map((a) => [a.provider, a.ok]),
      [
        ['cuda', false],
        ['dml', false],
        ['cpu', true],
      ],
    );
    assert.match(s.summary, /^Running on CPU \(CUDA: /);
  } finally {
    await vlm.dispose();
  }
});

void test(
  'asking for CUDA only fails with the reason, naming what was tried',
  { skip: skipReal },
  async () => {
    const dir = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
    await assert.rejects(
      loadVlm(dir, { provider: 'cuda', threads: 1, dtype: 'fp32' }),
      (e: unknown) =>
        isAppError(e) &&
        /no execution provider could run the model: CUDA: .*Failed to load shared library/.test(e.message),
    );
  },
);

void test('provider order and the platform table', async () => {
  assert.deepEqual(providerOrder('auto'), ['cuda', 'dml', 'cpu']);
  assert.deepEqual(providerOrder('dml'), ['dml']);
  assert.throws(() => providerOrder('tpu' as 'cpu'), /provider must be one of auto, cuda, dml, cpu; got tpu/);
  // On macOS neither GPU provider is built into onnxruntime-node: both skipped untried, with the reason.
  const tried: string[] = [];
  const r = await openWithFallback(
    'auto',
    (p) => {
      tried.push(p);
      return Promise.resolve(p);
    },
    { platform: 'darwin', arch: 'arm64' },
  );
  assert.deepEqual(tried, ['cpu']);
  assert.deepEqual(
    r.attempts.map((a) => a.reason),
    [
      'the CUDA provider of onnxruntime-node is built for Linux x64 only (this is darwin arm64)',
      'DirectML is Windows-only (this is darwin)',
      null,
    ],
  );
});

void test('thread counts are sized to the machine', () => {
  const o = sessionOptionsFor('cpu');
  assert.equal(o.intraOpNumThreads, Math.max(1, Math.min(16, availableParallelism())));
  assert.equal(o.interOpNumThreads, 1);
  assert.equal(sessionOptionsFor('cpu', { threads: 3 }).intraOpNumThreads, 3);
  assert.throws(() => sessionOptionsFor('cpu', { threads: 0 }), /threads must be a positive integer/);
});
