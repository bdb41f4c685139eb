// Shared fixtures for the model-store tests: a synthetic hub repo with deterministic bytes, a manifest that points at
// it, and temp data folders that clean themselves up. Used by the tests only.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PullProgress } from '../../shared/domain.js';
import { defaultManifestPath, type Manifest, type ManifestModel } from './manifest.js';
import type { FakeRepo } from './fake-hub.js';

export const REPO = 'acme/Test-VL-ONNX';
export const REPO_SHA = 'c0ffee0000000000000000000000000000000001';

/** Deterministic pseudo-random bytes (xorshift) so hashes are stable across runs. */
export function seededBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const text = (s: string) => new TextEncoder().encode(s);

/** A repo shaped like an onnx-community export: JSON at the root, q4 graphs (decoder with external data) in onnx/. */
export function syntheticRepo(): FakeRepo {
  const files = new Map<string, Uint8Array>([
    ['config.json', text(JSON.stringify({ model_type: 'qwen2_vl', num_hidden_layers: 2 }))],
    ['preprocessor_config.json', text('{"patch_size":14}')],
    ['tokenizer.json', text('{"version":"1.0"}')],
    ['tokenizer_config.json', text('{}')],
    ['generation_config.json', text('{"eos_token_id":151645}')],
    ['README.md', text('# not downloaded')],
    ['onnx/vision_encoder_q4.onnx', seededBytes(150_000, 1)],
    ['onnx/embed_tokens_q4.onnx', seededBytes(90_000, 2)],
    ['onnx/decoder_model_merged_q4.onnx', seededBytes(60_000, 3)],
    ['onnx/decoder_model_merged_q4.onnx_data', seededBytes(400_000, 4)],
    ['onnx/decoder_model_merged_fp16.onnx', seededBytes(10_000, 5)],
  ]);
  return { sha: REPO_SHA, files };
}

/** The files a q4 pull of the synthetic repo must fetch (README and the fp16 graph are not part of it). */
export const Q4_FILES = [
  'config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'generation_config.json',
  'onnx/vision_encoder_q4.onnx',
  'onnx/embed_tokens_q4.onnx',
  'onnx/decoder_model_merged_q4.onnx',
  'onnx/decoder_model_merged_q4.onnx_data',
];

export function testModel(overrides: Partial<ManifestModel> = {}): ManifestModel {
  const set = (suffix: string) => ({
    bytes: null,
    files: {
      vision_encoder: `onnx/vision_encoder${suffix}.onnx`,
      embed_tokens: `onnx/embed_tokens${suffix}.onnx`,
      decoder_model_merged: `onnx/decoder_model_merged${suffix}.onnx`,
    },
  });
  return {
    id: 'test-vl',
    name: 'Test VL',
    family: 'qwen2-vl',
    repo: REPO,
    revision: null,
    license: 'apache-2.0',
    coordinates: { format: 'qwen2-vl', space: 'norm1000' },
    chatTemplate: null,
    recommendedDtype: { cuda: 'q4', dml: 'q4', cpu: 'q4' },
    dtypes: { q4: set('_q4'), fp16: set('_fp16'), fp32: set('') },
    verified: [],
    unverified: [],
    ...overrides,
  };
}

export interface TempData {
  dir: string;
  manifestPath: string;
  cleanup(): void;
}

/** A temp data folder and a manifest (the real layout, the given models) written beside it. */
export function tempData(models: ManifestModel[] = [testModel()]): TempData {
  const dir = mkdtempSync(join(tmpdir(), 'doclens-models-'));
  const real = JSON.parse(readFileSync(defaultManifestPath(), 'utf8')) as Manifest;
  const manifestPath = join(dir, 'manifest.json');
  writeFileSync(manifestPath, JSON.stringify({ version: 1, layout: real.layout, models }, null, 2));
  return { dir, manifestPath, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Collects progress events; `until` resolves on the first event matching the predicate. */
export function progressLog() {
  const events: PullProgress[] = [];
  const waiters: { test: (p: PullProgress) => boolean; resolve: (p: PullProgress) => void }[] = [];
  return {
    events,
    onProgress: (p: PullProgress): void => {
      events.push(p);
      for (const w of [...waiters])
        if (w.test(p)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(p);
        }
    },
    until(test: (p: PullProgress) => boolean): Promise<PullProgress> {
      const hit = events.find(test);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve) => waiters.push({ test, resolve }));
    },
    /** The distinct states in order (repeats collapsed). */
    states(): string[] {
      return events.map((e) => e.state).filter((s, i, a) => i === 0 || a[i - 1] !== s);
    },
  };
}
