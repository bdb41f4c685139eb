// The model store's local side: the manifest (the real one and extra test lists), importing a folder (files, ONNX
// session input/output names, tokenizer), verify, remove and list — on the tiny generated models, opened by real
// onnxruntime sessions.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureTinyModel } from '../../../models/tiny/make-tiny-model.js';
import { licenseInfo } from '../../shared/families.js';
import { defaultManifestPath, loadManifest, pickDtype, toKnownModel } from './manifest.js';
import { RECORD_FILE } from './record.js';
import { createModelStore } from './store.js';
import { tempData, testModel } from './test-fixtures.js';

let tiny: string;
let tiny25: string;
const scratch = mkdtempSync(join(tmpdir(), 'doclens-import-'));

before(async () => {
  tiny = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
  tiny25 = await ensureTinyModel({ family: 'qwen2.5-vl', size: 'tiny' });
});
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the tiny model to break. */
function copyOfTiny(name: string, from = tiny): string {
  const dir = join(scratch, name);
  cpSync(from, dir, { recursive: true });
  return dir;
}

describe('manifest', () => {
  test('the real manifest parses and lists Qwen3-VL-2B (recommended), Qwen2-VL-2B and a Qwen2.5-VL-3B ONNX export, no test entries', async () => {
    const m = await loadManifest();
    const ids = m.models.map((x) => x.id);
    assert.deepEqual(ids, [
      'qwen3-vl-2b-instruct',
      'qwen2-vl-2b-instruct',
      'qwen2.5-vl-3b-instruct',
      'llava-onevision-qwen2-0.5b-ov',
    ]);
    const [q3, q2, q25, ov] = m.models;
    // LLaVA-OneVision: Apache-2.0, [0, 1] boxes marked low-confidence, image_newline read out of model.safetensors.
    assert.equal(ov?.family, 'llava-onevision');
    assert.equal(ov?.repo, 'llava-hf/llava-onevision-qwen2-0.5b-ov-hf');
    assert.deepEqual(ov?.coordinates, { format: 'llava', space: 'unit' });
    assert.equal(licenseInfo(ov?.license ?? '').commercial, true);
    assert.equal(ov?.extraFiles, undefined);
    assert.deepEqual(ov?.extraTensors, [
      {
        file: 'model.safetensors',
        names: ['image_newline', 'model.image_newline'],
        as: 'image_newline.safetensors',
        shape: [896],
      },
    ]);
    assert.equal(q3?.family, 'qwen3-vl');
    assert.equal(q3?.repo, 'onnx-community/Qwen3-VL-2B-Instruct-ONNX');
    assert.deepEqual(q3?.coordinates, { format: 'qwen3-vl', space: 'norm1000' });
    assert.equal(q3?.license, 'apache-2.0');
    assert.equal(licenseInfo(q3?.license ?? '').commercial, true);
    assert.deepEqual(
      m.models.filter((x) => x.recommended).map((x) => x.id),
      ['qwen3-vl-2b-instruct'],
    );
    assert.equal(toKnownModel(q3 ?? testModel(), false).quality, 'reduced quality (no DeepStack)');
    // Qwen2.5-VL-3B is under the Qwen Research License: non-commercial, and flagged as such.
    assert.equal(q25?.license, 'qwen-research');
    assert.equal(licenseInfo(q25?.license ?? '').commercial, false);
    assert.equal(q2?.repo, 'onnx-community/Qwen2-VL-2B-Instruct');
    assert.equal(q2?.family, 'qwen2-vl');
    assert.deepEqual(q2?.coordinates, { format: 'qwen2-vl', space: 'norm1000' });
    assert.equal(q25?.family, 'qwen2.5-vl');
    assert.deepEqual(q25?.coordinates, { format: 'qwen2.5-vl', space: 'input-pixels' });
    assert.match(q25?.repo ?? '', /^onnx-community\/Qwen2\.5-VL-3B-Instruct/);
    for (const model of m.models) {
      assert.equal(model.testOnly, undefined, `${model.id} is not a test entry`);
      assert.ok(model.license.length > 0);
      for (const p of ['cuda', 'dml', 'cpu'] as const) assert.ok(model.recommendedDtype[p]);
      assert.equal(pickDtype(model), model.recommendedDtype.cpu);
      for (const set of Object.values(model.dtypes))
        assert.deepEqual(Object.keys(set.files), ['vision_encoder', 'embed_tokens', 'decoder_model_merged']);
    }
    const known = toKnownModel(q2 ?? testModel(), false);
    assert.deepEqual(known.dtypes, ['fp32', 'fp16', 'q8', 'q4', 'q4f16']);
    assert.equal(known.revision, q2?.revision ?? 'main');
  });

  test('extra model lists are merged after the manifest; bad ones name the file and the problem', async () => {
    const data = tempData([]);
    try {
      const extra = join(data.dir, 'extra.json');
      writeFileSync(extra, JSON.stringify({ version: 1, models: [testModel({ testOnly: true })] }));
      const m = await loadManifest(defaultManifestPath(), [extra]);
      assert.deepEqual(
        m.models.map((x) => x.id),
        [
          'qwen3-vl-2b-instruct',
          'qwen2-vl-2b-instruct',
          'qwen2.5-vl-3b-instruct',
          'llava-onevision-qwen2-0.5b-ov',
          'test-vl',
        ],
      );

      const dup = join(data.dir, 'dup.json');
      writeFileSync(dup, JSON.stringify({ version: 1, models: [testModel({ id: 'qwen2-vl-2b-instruct' })] }));
      await assert.rejects(loadManifest(defaultManifestPath(), [dup]), {
        code: 'invalid_input',
        message: `${dup}: model id qwen2-vl-2b-instruct is already known`,
      });
      const bad = join(data.dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ version: 1, models: [{ ...testModel(), repo: 'no slash' }] }));
      await assert.rejects(loadManifest(defaultManifestPath(), [bad]), (e: Error) =>
        e.message.startsWith(`${bad} is not a valid extra model list (models.0.repo: owner/name)`),
      );
      const notJson = join(data.dir, 'not.json');
      writeFileSync(notJson, '{');
      await assert.rejects(loadManifest(notJson), (e: Error) =>
        e.message.startsWith(`${notJson} is not JSON`),
      );
      await assert.rejects(loadManifest(join(data.dir, 'missing.json')), /cannot read the model manifest/);
    } finally {
      data.cleanup();
    }
  });
});

describe('import, verify, remove, list', () => {
  test('imports the tiny Qwen2-VL folder (sessions opened, names checked), lists, verifies and removes it', async () => {
    const data = tempData();
    try {
      const s = createModelStore({ dataDir: data.dir, manifestPath: data.manifestPath });
      const installed = await s.import(tiny);
      assert.equal(installed.id, 'imported-tiny-qwen2-vl-tiny');
      assert.equal(installed.family, 'qwen2-vl');
      assert.equal(installed.dtype, 'fp16', 'fp16 comes before fp32 when both sets are complete');
      assert.equal(installed.source, 'imported');
      assert.equal(installed.path, join(data.dir, 'models', installed.id));
      const record = s.record(installed.id);
      assert.deepEqual(record?.sessions, {
        vision_encoder: 'onnx/vision_encoder_fp16.onnx',
        embed_tokens: 'onnx/embed_tokens_fp16.onnx',
        decoder_model_merged: 'onnx/decoder_model_merged_fp16.onnx',
      });
      const paths = record?.files.map((f) => f.path) ?? [];
      assert.ok(paths.includes('tokenizer.json') && paths.includes('chat_template.json'));
      assert.ok(!paths.includes('onnx/decoder_model_merged.onnx'), 'only the chosen dtype is kept');
      const bytes = (record?.files ?? []).reduce((n, f) => n + f.bytes, 0);
      assert.equal(installed.bytes, bytes);
      assert.ok(bytes > 1_000_000);

      const listed = await s.list();
      assert.deepEqual(listed.installed, [installed]);
      assert.deepEqual(
        listed.known.map((k) => [k.id, k.installed]),
        [['test-vl', false]],
      );
      assert.deepEqual(await s.verify(installed.id), { ok: true, problems: [] });

      // A second import of the same folder gets its own id; an explicit dtype picks that set.
      const fp32 = await s.import(tiny, { dtype: 'fp32', checkSessions: false });
      assert.equal(fp32.id, 'imported-tiny-qwen2-vl-tiny-2');
      assert.equal(fp32.dtype, 'fp32');

      // A new store on the same folder (an app restart) lists both.
      const s2 = createModelStore({ dataDir: data.dir, manifestPath: data.manifestPath });
      assert.deepEqual(
        (await s2.list()).installed.map((m) => m.id),
        [installed.id, fp32.id],
      );

      assert.deepEqual(await s2.remove(installed.id), { removed: true });
      assert.equal(existsSync(installed.path), false);
      assert.deepEqual(await s2.remove(installed.id), { removed: false });
      assert.deepEqual(
        (await s2.list()).installed.map((m) => m.id),
        [fp32.id],
      );
      await assert.rejects(s2.verify(installed.id), { code: 'not_found' });
      // The source folder is untouched (imports hard-link or copy).
      assert.ok(existsSync(join(tiny, 'onnx', 'decoder_model_merged_fp16.onnx')));
      await s.close();
      await s2.close();
    } finally {
      data.cleanup();
    }
  });

  test('imports the tiny Qwen2.5-VL folder (image_grid_thw input)', async () => {
    const data = tempData();
    try {
      const s = createModelStore({ dataDir: data.dir, manifestPath: data.manifestPath });
      const installed = await s.import(tiny25, { dtype: 'fp32', id: 'tiny25' });
      assert.equal(installed.family, 'qwen2.5-vl');
      assert.equal(installed.id, 'tiny25');
      assert.equal(s.get('tiny25')?.dtype, 'fp32');
    } finally {
      data.cleanup();
    }
  });

  test('verify finds a corrupted file and a truncated one, naming them', async () => {
    const data = tempData();
    try {
      const s = createModelStore({ dataDir: data.dir, manifestPath: data.manifestPath });
      const installed = await s.import(copyOfTiny('to-corrupt'), { dtype: 'fp32', checkSessions: false });
      const vision = join(installed.path, 'onnx', 'vision_encoder.onnx');
      const buf = readFileSync(vision);
      buf[1000] = (buf[1000] ?? 0) ^ 0xff;
      writeFileSync(vision, buf);
      truncateSync(join(installed.path, 'config.json'), 10);
      rmSync(join(installed.path, 'tokenizer_config.json'));
      const result = await s.verify(installed.id);
      assert.equal(result.ok, false);
      assert.equal(result.problems.length, 3);
      assert.match(
        result.problems.find((p) => p.startsWith('onnx/vision_encoder.onnx')) ?? '',
        /sha256 .* \(corrupt\)/,
      );
      assert.match(
        result.problems.find((p) => p.startsWith('config.json')) ?? '',
        /^config\.json: 10 bytes, expected \d+ \(truncated\)$/,
      );
      assert.ok(result.problems.includes('tokenizer_config.json: missing'));
    } finally {
      data.cleanup();
    }
  });

  test('a folder that is not a model: the error names everything missing', async () => {
    const data = tempData();
    try {
      const s = createModelStore({ dataDir: data.dir, manifestPath: data.manifestPath });
      const broken = copyOfTiny('broken');
      rmSync(join(broken, 'tokenizer.json'));
      rmSync(join(broken, 'onnx', 'embed_tokens.onnx'));
      rmSync(join(broken, 'onnx', 'embed_tokens_fp16.onnx'));
      await assert.rejects(s.import(broken), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'invalid_input');
        assert.ok(
          e.message.startsWith(`${broken} is not a supported Qwen2-VL / Qwen2.5-VL ONNX model`),
          e.message,
        );
        assert.match(e.message, /missing tokenizer\.json/);
        assert.match(e.message, /fp32 lacks onnx\/embed_tokens\.onnx/);
        assert.match(e.message, /fp16 lacks onnx\/embed_tokens_fp16\.onnx/);
        return true;
      });

      const badTok = copyOfTiny('bad-tokenizer');
      writeFileSync(join(badTok, 'tokenizer.json'), '{"model": 5}');
      await assert.rejects(s.import(badTok), /tokenizer\.json does not load/);

      const wrongType = copyOfTiny('wrong-type');
      writeFileSync(
        join(wrongType, 'config.json'),
        JSON.stringify({ model_type: 'llama', num_hidden_layers: 2 }),
      );
      await assert.rejects(
        s.import(wrongType),
        /config\.json model_type "llama" is not qwen2_vl or qwen2_5_vl/,
      );

      await assert.rejects(s.import(join(scratch, 'nowhere')), {
        code: 'not_found',
        message: new RegExp(`cannot read the model folder ${join(scratch, 'nowhere')}`),
      });
      assert.deepEqual((await s.list()).installed, [], 'nothing half-imported');
    } finally {
      data.cleanup();
    }
  });

  test('graphs with the wrong input/output names are refused after onnxruntime opens them', async () => {
    const data = tempData();
    try {
      const s = createModelStore({ dataDir: data.dir, manifestPath: data.manifestPath });
      const swapped = copyOfTiny('swapped');
      // The embedding graph where the decoder should be: it opens, but its names are not a decoder's.
      cpSync(join(swapped, 'onnx', 'embed_tokens.onnx'), join(swapped, 'onnx', 'decoder_model_merged.onnx'));
      await assert.rejects(s.import(swapped, { dtype: 'fp32' }), (e: Error) => {
        assert.match(e.message, /is not a usable qwen2-vl model/);
        assert.match(
          e.message,
          /onnx\/decoder_model_merged\.onnx lacks inputs inputs_embeds, attention_mask, position_ids and \d+ more/,
        );
        assert.match(e.message, /lacks outputs logits, present\.0\.key/);
        return true;
      });
      const garbage = copyOfTiny('garbage');
      writeFileSync(join(garbage, 'onnx', 'vision_encoder.onnx'), 'not a protobuf');
      await assert.rejects(
        s.import(garbage, { dtype: 'fp32' }),
        /onnx\/vision_encoder\.onnx does not open in onnxruntime/,
      );
      // The Qwen2-VL vision graph in a folder that says Qwen2.5-VL: grid_thw is not image_grid_thw.
      const mixed = copyOfTiny('mixed', tiny25);
      cpSync(join(tiny, 'onnx', 'vision_encoder.onnx'), join(mixed, 'onnx', 'vision_encoder.onnx'));
      await assert.rejects(
        s.import(mixed, { dtype: 'fp32' }),
        /vision_encoder\.onnx lacks input image_grid_thw/,
      );
      assert.deepEqual((await s.list()).installed, []);
      assert.equal(existsSync(join(data.dir, 'models', RECORD_FILE)), false);
    } finally {
      data.cleanup();
    }
  });
});
