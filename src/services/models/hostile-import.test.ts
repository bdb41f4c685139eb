// Hostile model folders and tampered installs: symlinks (to a "secret" outside the folder), FIFOs and symlinked
// folders are refused on import by name without being followed or quoted; an installed graph changed in place (same
// size) or swapped for a symlink fails the load-time check, which hashes only files changed since their last pass.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureTinyModel } from '../../../models/tiny/make-tiny-model.js';
import { readModelFolder } from '../../inference/vlm/model-folder.js';
import { createModelStore } from './store.js';
import { installRegular } from './safe-files.js';
import { tempData } from './test-fixtures.js';

const SECRET = 'root:$6$SECRET-SHADOW-LINE:19000:0:99999:7:::';
let tiny: string;
const scratch = mkdtempSync(join(tmpdir(), 'doclens-hostile-'));
const secret = join(scratch, 'shadow');

before(async () => {
  tiny = await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' });
  writeFileSync(secret, `${SECRET}\n`);
});
after(() => rmSync(scratch, { recursive: true, force: true }));

function copyOfTiny(name: string): string {
  const dir = join(scratch, name);
  cpSync(tiny, dir, { recursive: true });
  return dir;
}

/** Asserts an import is refused as invalid_input, quickly, naming `what` and never quoting the secret. */
async function refused(p: Promise<unknown>, what: RegExp): Promise<void> {
  const t0 = Date.now();
  await assert.rejects(p, (e: Error & { code?: string }) => {
    assert.equal(e.code, 'invalid_input', e.message);
    assert.match(e.message, what);
    assert.ok(!e.message.includes('SECRET') && !e.message.includes('root:'), e.message);
    return true;
  });
  assert.ok(Date.now() - t0 < 5000, 'refused without waiting on anything');
}

describe('import of a hostile folder', () => {
  test('symlinks to files and folders, FIFOs and sockets are refused by name; nothing is installed', async () => {
    const data = tempData();
    try {
      const s = createModelStore({ dataDir: data.dir, manifestPath: data.manifestPath });

      const linked = copyOfTiny('linked-file');
      rmSync(join(linked, 'preprocessor_config.json'));
      symlinkSync(secret, join(linked, 'preprocessor_config.json'));
      await refused(
        s.import(linked, { dtype: 'fp32', checkSessions: false }),
        /holds entries that are not regular files.*preprocessor_config\.json \(symbolic link\)/,
      );

      const linkedConfig = copyOfTiny('linked-config');
      rmSync(join(linkedConfig, 'config.json'));
      symlinkSync(secret, join(linkedConfig, 'config.json'));
      await refused(s.import(linkedConfig), /config\.json \(symbolic link\)/);

      const linkedDir = copyOfTiny('linked-dir');
      const realOnnx = join(scratch, 'real-onnx');
      cpSync(join(linkedDir, 'onnx'), realOnnx, { recursive: true });
      rmSync(join(linkedDir, 'onnx'), { recursive: true });
      symlinkSync(realOnnx, join(linkedDir, 'onnx'));
      await refused(s.import(linkedDir, { dtype: 'fp32', checkSessions: false }), /onnx \(symbolic link\)/);

      const fifo = copyOfTiny('fifo');
      rmSync(join(fifo, 'onnx', 'embed_tokens.onnx'));
      execFileSync('mkfifo', [join(fifo, 'onnx', 'embed_tokens.onnx')]);
      await refused(
        s.import(fifo, { dtype: 'fp32', checkSessions: false }),
        /onnx\/embed_tokens\.onnx \(FIFO\)/,
      );

      assert.deepEqual((await s.list()).installed, []);
      await s.close();
    } finally {
      data.cleanup();
    }
  });

  test('a JSON file holding something else is reported without quoting it', async () => {
    const data = tempData();
    try {
      const s = createModelStore({ dataDir: data.dir, manifestPath: data.manifestPath });
      const dir = copyOfTiny('secret-json');
      writeFileSync(join(dir, 'config.json'), `${SECRET}\n`);
      writeFileSync(join(dir, 'tokenizer.json'), `{"model": "${SECRET}"`);
      await refused(
        s.import(dir),
        /config\.json does not parse \(is not valid JSON: syntax error( at byte \d+)?\)/,
      );
      await refused(
        s.import(dir),
        /tokenizer\.json does not load \(is not valid JSON: (syntax error at byte \d+|it ends too early)\)/,
      );
      // The loader (ask --model DIR) says the same without the excerpt V8 puts in its message.
      assert.throws(
        () => readModelFolder(dir),
        (e: Error) => {
          assert.equal(e.message, `${join(dir, 'config.json')} is not valid JSON`);
          return true;
        },
      );
      await s.close();
    } finally {
      data.cleanup();
    }
  });

  test('installRegular checks the descriptor it reads: a symlink or FIFO given directly is refused', async () => {
    const noop = () => Promise.resolve();
    await assert.rejects(
      installRegular(join(scratch, 'l'), join(scratch, 'l-out'), 'x.onnx', noop).catch((e: Error) => {
        throw e;
      }),
      { code: 'not_found' },
    );
    symlinkSync(secret, join(scratch, 'link.onnx'));
    await assert.rejects(installRegular(join(scratch, 'link.onnx'), join(scratch, 'o1'), 'link.onnx', noop), {
      code: 'invalid_input',
      message: 'link.onnx is a symbolic link; only regular files are accepted',
    });
    execFileSync('mkfifo', [join(scratch, 'pipe.onnx')]);
    await assert.rejects(installRegular(join(scratch, 'pipe.onnx'), join(scratch, 'o2'), 'pipe.onnx', noop), {
      code: 'invalid_input',
      message: 'pipe.onnx is a FIFO (named pipe); only regular files are accepted',
    });
    const copied = await installRegular(secret, join(scratch, 'o3'), 'shadow', noop);
    assert.equal(copied.bytes, SECRET.length + 1);
    assert.equal(readFileSync(join(scratch, 'o3'), 'utf8'), `${SECRET}\n`);
  });
});

describe('load-time check of an installed model', () => {
  test('hashes each file once, then only changed ones; a same-size tampered graph or a swapped-in symlink fails', async () => {
    const data = tempData();
    try {
      const s = createModelStore({ dataDir: data.dir, manifestPath: data.manifestPath });
      const installed = await s.import(copyOfTiny('to-load'), { dtype: 'fp32', checkSessions: false });
      const files = s.record(installed.id)?.files.length ?? 0;
      assert.ok(files >= 7, `${files} files`);
      assert.deepEqual(await s.checkInstalled(installed.id), { hashed: files });
      assert.deepEqual(await s.checkInstalled(installed.id), { hashed: 0 });
      await s.close();
      // A new store (a new CLI process) uses the check recorded beside the model.
      const s2 = createModelStore({ dataDir: data.dir, manifestPath: data.manifestPath });
      assert.deepEqual(await s2.checkInstalled(installed.id), { hashed: 0 });

      const vision = join(installed.path, 'onnx', 'vision_encoder.onnx');
      const good = readFileSync(vision);
      const bad = Buffer.from(good);
      bad[1000] = (bad[1000] ?? 0) ^ 0xff;
      writeFileSync(vision, bad);
      assert.equal(statSync(vision).size, good.length);
      await assert.rejects(s2.checkInstalled(installed.id), {
        code: 'corrupt',
        message: `${installed.id}: onnx/vision_encoder.onnx does not match its recorded sha256 (same size, different content); run Verify or reinstall the model`,
      });

      // The right bytes, but behind a symlink: refused all the same (the record names regular files).
      const elsewhere = join(scratch, 'vision-elsewhere.onnx');
      writeFileSync(elsewhere, good);
      rmSync(vision);
      symlinkSync(elsewhere, vision);
      await assert.rejects(s2.checkInstalled(installed.id), {
        code: 'corrupt',
        message: `${installed.id}: onnx/vision_encoder.onnx is a symbolic link; only regular files are accepted; run Verify or reinstall the model`,
      });
      assert.ok(
        (await s2.verify(installed.id)).problems.includes(
          'onnx/vision_encoder.onnx: a symbolic link, not a regular file',
        ),
      );
      rmSync(vision);
      writeFileSync(vision, good);
      assert.deepEqual(await s2.checkInstalled(installed.id), { hashed: 1 });
      await s2.close();
    } finally {
      data.cleanup();
    }
  });
});
