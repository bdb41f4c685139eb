// The OpenAI-compatible API's request parsing, stop-sequence streaming and box mapping, on written inputs (the
// end-to-end test with the openai client and a real `doclens serve` is e2e/openai-api.e2e.ts).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { chatBoxes, cutAtStop } from '../services/handlers-chat.js';
import { OpenAiError, StopFilter, dataUrlBytes, parseChatRequest } from './openai-api.js';

const OPTS = { maxImageBytes: 1000, allowRemoteImages: false };
const PNG_1x1 =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

async function problem(body: unknown, opts = OPTS): Promise<OpenAiError> {
  try {
    await parseChatRequest(body, opts);
  } catch (e) {
    assert.ok(e instanceof OpenAiError, String(e));
    return e;
  }
  assert.fail('expected the request to be refused');
}

test('parseChatRequest: parts become chat.start input with images in order and OpenAI parameters renamed', async () => {
  const r = await parseChatRequest(
    {
      model: 'm',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image_url', image_url: { url: PNG_1x1, detail: 'high' } },
            { type: 'image_url', image_url: PNG_1x1 },
          ],
        },
      ],
      max_completion_tokens: 9,
      max_tokens: 100,
      temperature: 0.5,
      top_p: 0.9,
      seed: 42,
      stop: 'END',
      stream: true,
      stream_options: { include_usage: true },
      presence_penalty: 0,
    },
    OPTS,
  );
  assert.deepEqual(r.input.messages, [
    { role: 'system', content: 'Be brief.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Compare' },
        { type: 'image', index: 0 },
        { type: 'image', index: 1 },
      ],
    },
  ]);
  assert.equal(r.input.images.length, 2);
  assert.equal(r.input.images[0]!.length, 70);
  assert.deepEqual(
    [r.input.modelId, r.input.maxTokens, r.input.temperature, r.input.topP, r.input.seed, r.input.stop],
    ['m', 9, 0.5, 0.9, 42, ['END']],
  );
  assert.deepEqual([r.stream, r.includeUsage, r.keepSpecial], [true, true, false]);
});

test('parseChatRequest: each malformed part is a 400 naming its place', async () => {
  const user = (content: unknown) => ({ model: 'm', messages: [{ role: 'user', content }] });
  let e = await problem(user([{ type: 'video_url', video_url: 'x' }]));
  assert.deepEqual(
    [e.status, e.param, e.code],
    [400, 'messages[0].content[0].type', 'unsupported_content_type'],
  );
  e = await problem(user([{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }]));
  assert.deepEqual([e.status, e.code], [400, 'invalid_image_url']);
  e = await problem(user([{ type: 'image_url', image_url: { url: 'http://10.0.0.1/x.png' } }]));
  assert.deepEqual([e.status, e.code], [400, 'remote_images_refused']);
  e = await problem(user([{ type: 'image_url', image_url: { url: 'data:image/png;base64,@@@@' } }]));
  assert.deepEqual([e.status, e.code], [400, 'invalid_image_url']);
  e = await problem(user([{ type: 'image_url' }]));
  assert.equal(e.param, 'messages[0].content[0].image_url');
  e = await problem({ model: 'm', messages: [{ role: 'user' }] });
  assert.equal(e.param, 'messages[0].content');
  e = await problem({ messages: [{ role: 'user', content: 'x' }] });
  assert.equal(e.param, 'model');
  e = await problem({ model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 3 });
  assert.equal(e.param, 'temperature');
  e = await problem({ model: 'm', messages: [{ role: 'user', content: 'x' }], n: 2 });
  assert.equal(e.param, 'n');
  e = await problem({
    model: 'm',
    messages: [{ role: 'user', content: 'x' }],
    stop: ['a', 'b', 'c', 'd', 'e'],
  });
  assert.equal(e.param, 'stop');
  for (const err of [e])
    assert.deepEqual(Object.keys(err.body().error).sort(), ['code', 'message', 'param', 'type']);
});

test('dataUrlBytes: base64 and percent-encoded payloads; over the cap is 413 before decoding', () => {
  assert.deepEqual([...dataUrlBytes('data:image/png;base64,AQID', 'p', 10)], [1, 2, 3]);
  assert.deepEqual([...dataUrlBytes('data:image/svg+xml,%3Csvg%3E', 'p', 10)], [...Buffer.from('<svg>')]);
  assert.throws(
    () => dataUrlBytes(`data:image/png;base64,${'A'.repeat(40)}`, 'p', 10),
    (e: unknown) => e instanceof OpenAiError && e.status === 413 && e.code === 'image_too_large',
  );
  assert.throws(
    () => dataUrlBytes('data:text/plain;base64,AQID', 'p', 10),
    (e: unknown) => e instanceof OpenAiError && e.status === 400,
  );
});

test('StopFilter: what it lets through adds up to the answer cut before its first stop sequence', () => {
  const stream = (deltas: string[], stops: string[]) => {
    const f = new StopFilter(stops);
    const out = deltas.map((d) => f.push(d));
    return [...out, f.flush()];
  };
  // A stop split across deltas is never shown in part.
  assert.deepEqual(stream(['Hello wo', 'rld. ', 'EN', 'D and more'], ['END']), [
    'Hello wo',
    'rld. ',
    '',
    '',
    '',
  ]);
  // A held-back prefix that turns out not to be a stop is released.
  assert.deepEqual(stream(['a E', 'Nx', 'y'], ['END']), ['a ', 'ENx', 'y', '']);
  // Held back to the end: flushed.
  assert.deepEqual(stream(['abc', 'EN'], ['END']), ['abc', '', 'EN']);
  // The earliest of several stops wins.
  assert.deepEqual(stream(['x;y\nz'], ['\n', ';']), ['x', '']);
  assert.deepEqual(stream(['plain'], []), ['plain', '']);
  for (const [text, stops] of [
    ['one two three', ['two']],
    ['abcabc', ['ca', 'bc']],
    ['no stop here', ['zz']],
  ] as const) {
    const deltas = [...text];
    const got = stream(deltas, [...stops]).join('');
    assert.equal(got, cutAtStop(text, stops) ?? text);
  }
});

test('chatBoxes: model coordinates land in the pixel space of the image sent, for both families', () => {
  // A 2000×1000 image over a 512-token budget is resized for the model; boxes come back in the original pixels.
  const image = { width: 2000, height: 1000 };
  const budget = { minPixels: 56 * 56, maxPixels: 512 * 28 * 28 };
  // Qwen2-VL: 0–1000 of the image in both axes.
  const q2 = chatBoxes(
    '<|object_ref_start|>stamp<|object_ref_end|><|box_start|>(250,100),(500,800)<|box_end|>',
    'qwen2-vl',
    image,
    budget,
    undefined,
  );
  assert.equal(q2.length, 1);
  assert.equal(q2[0]!.label, 'stamp');
  for (const [k, v] of [
    ['x0', 500],
    ['y0', 100],
    ['x1', 1000],
    ['y1', 800],
  ] as const)
    assert.ok(Math.abs(q2[0]![k] - v) < 1e-6, `${k} ${q2[0]![k]} ≠ ${v}`);
  // Qwen2.5-VL: absolute pixels of the resized input (here 896×448, the engine's smart_resize of it).
  const q25 = chatBoxes(
    '```json\n[{"bbox_2d": [224, 112, 448, 336], "label": "stamp"}]\n```',
    'qwen2.5-vl',
    image,
    budget,
    { width: 896, height: 448 },
  );
  assert.equal(q25.length, 1);
  for (const [k, v] of [
    ['x0', 500],
    ['y0', 250],
    ['x1', 1000],
    ['y1', 750],
  ] as const)
    assert.ok(Math.abs(q25[0]![k] - v) < 1e-6, `${k} ${q25[0]![k]} ≠ ${v}`);
  assert.deepEqual(chatBoxes('no boxes here', 'qwen2-vl', image, budget, undefined), []);
});

test('http(s) image URLs with --allow-remote-images: fetched, capped, errors named', async () => {
  const png = Buffer.from(PNG_1x1.split(',')[1]!, 'base64');
  const server = createServer((req, res) => {
    if (req.url === '/a.png') res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    else if (req.url === '/big.png') res.writeHead(200).end(Buffer.alloc(5000));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const body = (url: string) => ({
    model: 'm',
    messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }],
  });
  const allow = { maxImageBytes: 1000, allowRemoteImages: true };
  try {
    const r = await parseChatRequest(body(`${base}/a.png`), allow);
    assert.deepEqual(Buffer.from(r.input.images[0]!), png);
    let e = await problem(body(`${base}/big.png`), allow);
    assert.deepEqual([e.status, e.code], [413, 'image_too_large']);
    e = await problem(body(`${base}/gone.png`), allow);
    assert.deepEqual([e.status, e.code], [400, 'invalid_image_url']);
    assert.match(e.message, /HTTP 404/);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
