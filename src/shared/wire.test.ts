import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeWire, encodeWire } from './wire.js';

test('wire: round-trips JSON with nested byte arrays, keeping the bytes exact', () => {
  const a = new Uint8Array([0, 1, 2, 255]);
  const b = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
  const value = {
    ok: true,
    value: { name: 'x.pdf', bytes: a, pages: [{ png: b, n: 1 }], empty: new Uint8Array(0) },
  };
  const out = decodeWire(encodeWire(value)) as typeof value;
  assert.deepEqual([...out.value.bytes], [0, 1, 2, 255]);
  assert.equal(out.value.pages[0]?.png.length, 70_000);
  assert.equal(out.value.pages[0]?.png[69_999], (69_999 * 7) % 256);
  assert.ok(out.value.pages[0]?.png instanceof Uint8Array);
  assert.equal(out.value.empty.length, 0);
  assert.equal(out.value.name, 'x.pdf');
});

test('wire: plain values and a literal {$bin} look-alike with extra keys survive', () => {
  for (const v of [null, 0, 'text', [1, 2], { $bin: 0, other: 1 }])
    assert.deepEqual(decodeWire(encodeWire(v)), v);
});

test('wire: malformed frames are rejected, not misread', () => {
  assert.throws(() => decodeWire(new Uint8Array([1, 2, 3])), /too short/);
  assert.throws(
    () => decodeWire(new TextEncoder().encode('{"json":"not a frame"}')),
    /not a DocLens wire frame/,
  );
  const good = encodeWire({ bytes: new Uint8Array([9, 9, 9]) });
  assert.throws(() => decodeWire(good.subarray(0, good.length - 1)), /do not add up|truncated/);
});
