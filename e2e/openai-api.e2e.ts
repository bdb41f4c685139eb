// The OpenAI-compatible API for real: the official `openai` npm client against `doclens serve` (the bundled CLI, its
// forked backend) on loopback, with the tiny generated Qwen2-VL installed — models, answers streamed and not, stop
// sequences, seeds, a grounding request with `doclens.boxes`, and bad input (token, size, model, parts, abort) — and
// the scripted tiny Qwen2-VL and Qwen2.5-VL (models/tiny/scripted-model.ts), whose one grounded answer each shows a
// real box end to end.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import sharp from 'sharp';
import { ensureTinyModel } from '../models/tiny/make-tiny-model.js';
import {
  ensureScriptedModel,
  SCRIPTED_GROUNDED_ANSWER,
  SCRIPTED_JSON_ANSWER,
} from '../models/tiny/scripted-model.js';
import { parseGrounding } from '../src/inference/families/qwen2-vl/output.js';
import { createModelStore } from '../src/services/models/index.js';
import type { ServeHandle } from './harness.js';
import { startServe } from './harness.js';

const MODEL = 'tiny-qwen2-vl';
/** Writes SCRIPTED_GROUNDED_ANSWER, `total` at (12,34),(567,890) in Qwen2-VL's 0–1000 units, whatever it is asked. */
const SCRIPTED = 'scripted-qwen2-vl';
/** Writes SCRIPTED_JSON_ANSWER, `total` at bbox_2d [12,34,256,158] in Qwen2.5-VL's input pixels. */
const SCRIPTED_JSON = 'scripted-qwen2.5-vl';
const GROUND = 'Detect the bounding box of <|object_ref_start|>the red square<|object_ref_end|>.';

interface Extension {
  raw: string;
  boxes: Array<{ label: string; x0: number; y0: number; x1: number; y1: number }>;
  images: Array<{ width: number; height: number }>;
}

describe('OpenAI-compatible API (openai client → doclens serve, tiny Qwen2-VL)', () => {
  let dataDir = '';
  let serve: ServeHandle;
  let token = '';
  let client: OpenAI;
  let image = '';

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'doclens-e2e-openai-'));
    const store = createModelStore({ dataDir });
    await store.import(await ensureTinyModel({ family: 'qwen2-vl', size: 'tiny' }), {
      id: MODEL,
      source: 'generated',
      dtype: 'fp32',
    });
    await store.import(await ensureScriptedModel({ family: 'qwen2-vl', answer: SCRIPTED_GROUNDED_ANSWER }), {
      id: SCRIPTED,
      source: 'generated',
      dtype: 'fp32',
    });
    await store.import(await ensureScriptedModel({ family: 'qwen2.5-vl', answer: SCRIPTED_JSON_ANSWER }), {
      id: SCRIPTED_JSON,
      source: 'generated',
      dtype: 'fp32',
    });
    await store.close();
    serve = await startServe(dataDir);
    token = new URL(serve.url).hash.replace('#token=', '');
    client = new OpenAI({ apiKey: token, baseURL: `${serve.origin}/v1`, maxRetries: 0 });
    // A 320×200 picture with a red square, as a PNG data URL.
    const png = await sharp({
      create: { width: 320, height: 200, channels: 3, background: { r: 240, g: 240, b: 240 } },
    })
      .composite([
        {
          input: await sharp({
            create: { width: 80, height: 80, channels: 3, background: { r: 220, g: 20, b: 20 } },
          })
            .png()
            .toBuffer(),
          left: 40,
          top: 60,
        },
      ])
      .png()
      .toBuffer();
    image = `data:image/png;base64,${png.toString('base64')}`;
  });

  after(async () => {
    await serve?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const ask = (text: string, extra: Partial<OpenAI.Chat.ChatCompletionCreateParamsNonStreaming> = {}) =>
    client.chat.completions.create({
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: image } },
            { type: 'text', text },
          ],
        },
      ],
      max_tokens: 12,
      temperature: 0,
      ...extra,
    });

  test('GET /v1/models lists the installed model; an unknown one is 404', async () => {
    const list = await client.models.list();
    assert.deepEqual(list.data.map((m) => [m.id, m.object, m.owned_by]).sort(), [
      [SCRIPTED, 'model', 'doclens'],
      [SCRIPTED_JSON, 'model', 'doclens'],
      [MODEL, 'model', 'doclens'],
    ]);
    assert.equal((await client.models.retrieve(MODEL)).id, MODEL);
    await assert.rejects(client.models.retrieve('no-such-model'), (e: unknown) => {
      assert.ok(e instanceof OpenAI.NotFoundError);
      assert.equal(e.code, 'model_not_found');
      return true;
    });
  });

  test('a chat completion: text, finish reason, usage and the image it saw', async () => {
    const r = await ask('What is in the picture?');
    assert.equal(r.object, 'chat.completion');
    assert.match(r.id, /^chatcmpl-/);
    assert.equal(r.model, MODEL);
    assert.equal(r.choices.length, 1);
    const c = r.choices[0]!;
    assert.equal(c.message.role, 'assistant');
    assert.equal(typeof c.message.content, 'string');
    assert.ok(c.finish_reason === 'length' || c.finish_reason === 'stop');
    const u = r.usage!;
    assert.ok(
      u.completion_tokens >= 1 && u.completion_tokens <= 12,
      `completion_tokens ${u.completion_tokens}`,
    );
    if (c.finish_reason === 'length') assert.equal(u.completion_tokens, 12);
    // The prompt holds the image's tokens: 320×200 → smart_resize 308×196 → (11×7) = 77 merged tokens, + text.
    assert.ok(u.prompt_tokens > 77, `prompt_tokens ${u.prompt_tokens}`);
    assert.equal(u.total_tokens, u.prompt_tokens + u.completion_tokens);
    const ext = (r as unknown as { doclens: Extension }).doclens;
    assert.deepEqual(ext.images, [{ width: 320, height: 200 }]);
    assert.equal(typeof ext.raw, 'string');
    // Greedy is deterministic: the same request gives the same answer.
    const again = await ask('What is in the picture?');
    assert.equal(again.choices[0]!.message.content, c.message.content);
    assert.deepEqual(again.usage, r.usage);
  });

  test('stream: true gives OpenAI chunks that add up to the same answer, usage last, then [DONE]', async () => {
    const whole = await ask('Describe the picture.', { max_tokens: 16 });
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: image } },
            { type: 'text', text: 'Describe the picture.' },
          ],
        },
      ],
      max_tokens: 16,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const ch of stream) chunks.push(ch);
    assert.ok(chunks.length >= 3, `${chunks.length} chunks`);
    assert.equal(chunks[0]!.choices[0]!.delta.role, 'assistant');
    for (const ch of chunks) {
      assert.equal(ch.object, 'chat.completion.chunk');
      assert.equal(ch.id, chunks[0]!.id);
      assert.equal(ch.model, MODEL);
    }
    const text = chunks.map((ch) => ch.choices[0]?.delta.content ?? '').join('');
    assert.equal(text, whole.choices[0]!.message.content);
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.deepEqual(last.usage, whole.usage);
    const final = chunks.at(-2)!;
    assert.equal(final.choices[0]!.finish_reason, whole.choices[0]!.finish_reason);
    assert.deepEqual(
      (final as unknown as { doclens: Extension }).doclens,
      (whole as unknown as { doclens: Extension }).doclens,
    );

    // The wire itself: `data: {json}` events and the closing `data: [DONE]`.
    const res = await fetch(`${serve.origin}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: MODEL,
        messages: [{ role: 'user', content: 'Hello' }],
        max_tokens: 4,
        stream: true,
      }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = (await res.text()).split('\n\n').filter((e) => e.length > 0);
    assert.equal(events.at(-1), 'data: [DONE]');
    for (const e of events.slice(0, -1)) assert.doesNotThrow(() => JSON.parse(e.replace(/^data: /, '')));
  });

  test('stop sequences cut the answer before them, streamed and not; seeds repeat a sampled answer', async () => {
    const base = (await ask('Say something.', { max_tokens: 24 })).choices[0]!.message.content ?? '';
    assert.ok(base.length >= 6, `the tiny model's answer is too short to cut: ${JSON.stringify(base)}`);
    const stop = base.slice(3, 6);
    const cut = base.slice(0, base.indexOf(stop));
    const r = await ask('Say something.', { max_tokens: 24, stop: [stop] });
    assert.equal(r.choices[0]!.message.content, cut);
    assert.equal(r.choices[0]!.finish_reason, 'stop');
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: image } },
            { type: 'text', text: 'Say something.' },
          ],
        },
      ],
      max_tokens: 24,
      temperature: 0,
      stop,
      stream: true,
    });
    let streamed = '';
    let finish: string | null = null;
    for await (const ch of stream) {
      streamed += ch.choices[0]?.delta.content ?? '';
      finish = ch.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(streamed, cut);
    assert.equal(finish, 'stop');

    const sampled = (seed: number) =>
      ask('Say something.', { max_tokens: 6, temperature: 1, top_p: 0.95, seed }).then(
        (x) => x.choices[0]!.message.content,
      );
    const a = await sampled(7);
    assert.equal(await sampled(7), a);
    assert.notEqual(await sampled(8), a);
    assert.notEqual(a, (await ask('Say something.', { max_tokens: 6 })).choices[0]!.message.content);
  });

  test('a grounding request keeps the raw text and adds doclens.boxes in the pixel space of the image sent', async () => {
    const r = await ask(GROUND, { max_tokens: 32, skip_special_tokens: false } as object);
    const ext = (r as unknown as { doclens: Extension }).doclens;
    // skip_special_tokens: false (vLLM's switch) answers with the grounding markers kept.
    assert.equal(r.choices[0]!.message.content, ext.raw);
    const parsed = parseGrounding(ext.raw);
    // The tiny model's weights are random: it writes as many boxes as the output holds (usually none); each one
    // lands inside the 320×200 image.
    assert.equal(ext.boxes.length, parsed.boxes.length);
    for (const b of ext.boxes) {
      assert.ok(b.x0 >= 0 && b.x1 <= 320 && b.y0 >= 0 && b.y1 <= 200 && b.x0 <= b.x1 && b.y0 <= b.y1);
    }
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: image } },
            { type: 'text', text: GROUND },
          ],
        },
      ],
      max_tokens: 32,
      temperature: 0,
      stream: true,
    });
    let ended: Extension | null = null;
    for await (const ch of stream) ended = (ch as unknown as { doclens?: Extension }).doclens ?? ended;
    assert.deepEqual(ended, ext);
  });

  /** The scripted box in pixels of a `width`×`height` image: Qwen2-VL's 0–1000 units are fractions of the image. */
  const scriptedBox = (width: number, height: number) => ({
    page: 1,
    label: 'total',
    x0: (12 / 1000) * width,
    y0: (34 / 1000) * height,
    x1: (567 / 1000) * width,
    y1: (890 / 1000) * height,
  });
  const assertBoxes = (got: Extension['boxes'], want: ReturnType<typeof scriptedBox>[]): void => {
    assert.equal(got.length, want.length, JSON.stringify(got));
    got.forEach((b, i) => {
      const w = want[i]!;
      assert.equal(b.label, w.label);
      assert.equal((b as { page?: number }).page, w.page);
      for (const k of ['x0', 'y0', 'x1', 'y1'] as const)
        assert.ok(Math.abs(b[k] - w[k]) < 1e-6, `${k}: ${b[k]} ≠ ${w[k]} (${JSON.stringify(b)})`);
    });
  };
  const scripted = (
    url: string,
    text = 'Where is the total? Give its box.',
  ): OpenAI.Chat.ChatCompletionCreateParamsNonStreaming => ({
    model: SCRIPTED,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url } },
          { type: 'text', text },
        ],
      },
    ],
    max_tokens: 64,
  });

  test('the openai client streams a grounded answer: content chunks, then doclens.boxes in the pixels of the image sent', async () => {
    const stream = await client.chat.completions.create({
      ...scripted(image),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const ch of stream) chunks.push(ch);
    const pieces = chunks.map((ch) => ch.choices[0]?.delta.content ?? '').filter((t) => t.length > 0);
    // One delta per visible token at most (special tokens are skipped): the answer arrives in pieces.
    assert.ok(pieces.length >= 5, `${pieces.length} content chunks: ${JSON.stringify(pieces)}`);
    assert.equal(pieces.join(''), 'total(12,34),(567 ,890)');
    const final = chunks.at(-2)!;
    assert.equal(final.choices[0]!.finish_reason, 'stop');
    const ext = (final as unknown as { doclens: Extension }).doclens;
    assert.equal(ext.raw, SCRIPTED_GROUNDED_ANSWER);
    assert.deepEqual(ext.images, [{ width: 320, height: 200 }]);
    // 320×200: x0 = 12/1000 × 320 = 3.84, y0 = 34/1000 × 200 = 6.8, x1 = 181.44, y1 = 178.
    assertBoxes(ext.boxes, [scriptedBox(320, 200)]);
    assert.deepEqual(chunks.at(-1)!.choices, []);
    assert.equal(
      chunks.at(-1)!.usage!.completion_tokens,
      20,
      'the 20 answer tokens (+ <|im_end|>, not counted)',
    );

    // The same request not streamed: the same text and extension.
    const whole = await client.chat.completions.create(scripted(image));
    assert.equal(whole.choices[0]!.message.content, 'total(12,34),(567 ,890)');
    assert.equal(whole.choices[0]!.finish_reason, 'stop');
    assert.deepEqual((whole as unknown as { doclens: Extension }).doclens, ext);
    // skip_special_tokens: false answers with the grounding markers, the box still read from them.
    const kept = await client.chat.completions.create({
      ...scripted(image),
      skip_special_tokens: false,
    } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);
    assert.equal(kept.choices[0]!.message.content, SCRIPTED_GROUNDED_ANSWER);
    assertBoxes((kept as unknown as { doclens: Extension }).doclens.boxes, [scriptedBox(320, 200)]);
  });

  test('the scripted box follows the image sent: another size, and a JPEG turned by its EXIF orientation', async () => {
    // Stored 900×600 with EXIF orientation 6 (rotate 90° clockwise to view): the image sent is 600×900.
    const jpeg = await sharp({
      create: { width: 900, height: 600, channels: 3, background: { r: 200, g: 220, b: 240 } },
    })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const stream = await client.chat.completions.create({
      ...scripted(`data:image/jpeg;base64,${jpeg.toString('base64')}`, 'Locate the total.'),
      stream: true,
    });
    let text = '';
    let ext: Extension | null = null;
    for await (const ch of stream) {
      text += ch.choices[0]?.delta.content ?? '';
      ext = (ch as unknown as { doclens?: Extension }).doclens ?? ext;
    }
    assert.equal(text, 'total(12,34),(567 ,890)');
    assert.ok(ext);
    assert.deepEqual(ext.images, [{ width: 600, height: 900 }]);
    // 600×900: x0 = 7.2, y0 = 30.6, x1 = 340.2, y1 = 801.
    assertBoxes(ext.boxes, [scriptedBox(600, 900)]);
  });

  test('Qwen2.5-VL JSON: the streamed bbox_2d (input pixels) lands in doclens.boxes in pixels of the image sent', async () => {
    const request = {
      ...scripted(image, 'Locate the total, report bbox coordinates in JSON format.'),
      model: SCRIPTED_JSON,
    };
    const stream = await client.chat.completions.create({ ...request, stream: true });
    const pieces: string[] = [];
    let ext: Extension | null = null;
    let finish: string | null = null;
    for await (const ch of stream) {
      const t = ch.choices[0]?.delta.content;
      if (t) pieces.push(t);
      finish = ch.choices[0]?.finish_reason ?? finish;
      ext = (ch as unknown as { doclens?: Extension }).doclens ?? ext;
    }
    assert.ok(pieces.length >= 5, `${pieces.length} content chunks`);
    assert.equal(pieces.join(''), SCRIPTED_JSON_ANSWER);
    assert.equal(finish, 'stop');
    assert.ok(ext);
    assert.equal(ext.raw, SCRIPTED_JSON_ANSWER);
    // Qwen2.5-VL writes pixels of its input: the 320×200 image went in as 280×168 (smart_resize to multiples of 28
    // within the tiny preprocessor's max_pixels 224² = 50,176), so x = v × 320/280 and y = v × 200/168.
    assertBoxes(ext.boxes, [
      {
        page: 1,
        label: 'total',
        x0: 12 * (320 / 280),
        y0: 34 * (200 / 168),
        x1: 256 * (320 / 280),
        y1: 158 * (200 / 168),
      },
    ]);
    const whole = await client.chat.completions.create(request);
    assert.equal(whole.choices[0]!.message.content, SCRIPTED_JSON_ANSWER);
    assert.deepEqual((whole as unknown as { doclens: Extension }).doclens, ext);
  });

  test('no token or a wrong one is 401 in the OpenAI error shape', async () => {
    const bare = await fetch(`${serve.origin}/v1/models`);
    assert.equal(bare.status, 401);
    const body = (await bare.json()) as { error: Record<string, unknown> };
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
    assert.equal(body.error.code, 'invalid_api_key');
    const wrong = new OpenAI({ apiKey: 'not-the-token', baseURL: `${serve.origin}/v1`, maxRetries: 0 });
    await assert.rejects(
      wrong.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }),
      (e: unknown) => {
        assert.ok(e instanceof OpenAI.AuthenticationError);
        assert.equal(e.status, 401);
        return true;
      },
    );
  });

  test('bad input: unknown model 404, malformed parts 400, oversized image and body 413', async () => {
    const fails = async (
      params: Record<string, unknown>,
      status: number,
      code: string | null,
      param?: string,
    ): Promise<void> => {
      await assert.rejects(
        client.chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: 'hi' }],
          max_tokens: 2,
          ...params,
        } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming),
        (e: unknown) => {
          assert.ok(e instanceof OpenAI.APIError, String(e));
          assert.equal(e.status, status, e.message);
          assert.equal(e.code, code, e.message);
          if (param !== undefined) assert.equal(e.param, param);
          return true;
        },
      );
    };
    const parts = (content: unknown[]) => ({ messages: [{ role: 'user', content }] });
    await fails({ model: 'gpt-4o' }, 404, 'model_not_found', 'model');
    await fails(
      parts([{ type: 'input_audio', input_audio: {} }]),
      400,
      'unsupported_content_type',
      'messages[0].content[0].type',
    );
    await fails(parts([{ type: 'text', text: 5 }]), 400, null, 'messages[0].content[0].text');
    await fails(
      parts([{ type: 'image_url', image_url: { url: 'ftp://example.com/a.png' } }]),
      400,
      'invalid_image_url',
    );
    await fails(
      parts([{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }]),
      400,
      'remote_images_refused',
    );
    await fails(
      parts([{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }]),
      400,
      'unsupported_format',
    );
    await fails({ messages: [{ role: 'tool', content: 'x' }] }, 400, null, 'messages[0].role');
    await fails({ messages: [] }, 400, null, 'messages');
    // 21 MiB of image bytes (the cap is 20 MiB): refused from the data URL's length, before decoding.
    const big = `data:image/png;base64,${Buffer.alloc(21 * 1024 * 1024, 7).toString('base64')}`;
    await fails(parts([{ type: 'image_url', image_url: { url: big } }]), 413, 'image_too_large');
    // A body declared over the 64 MiB request cap is refused from its Content-Length, before any of it is read
    // (the client sends only the headers and waits for the answer).
    const huge = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${serve.origin}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': 65 * 1024 * 1024,
        },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.equal(huge.status, 413);
    assert.equal((JSON.parse(huge.body) as { error: { code: string } }).error.code, 'request_too_large');
  });

  test('a client that aborts a stream cancels the generation', async () => {
    // The app's own event stream shows the backend's chat events: the aborted turn must end `cancelled`.
    const watch = new AbortController();
    const events = await fetch(`${serve.origin}/events`, {
      headers: { authorization: `Bearer ${token}` },
      signal: watch.signal,
    });
    const reader = events.body!.getReader();
    const ended = (async () => {
      let text = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return { type: 'closed', payload: {} };
        text += Buffer.from(value).toString();
        for (const block of text.split('\n\n')) {
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!data) continue;
          const e = JSON.parse(data) as { type: string; payload: { error?: { code: string } } };
          if (e.type === 'chat.error' || e.type === 'chat.done') return e;
        }
      }
    })();
    const abort = new AbortController();
    const stream = await client.chat.completions.create(
      {
        model: MODEL,
        messages: [{ role: 'user', content: 'Write a very long story.' }],
        max_tokens: 8192,
        temperature: 0,
        stream: true,
      },
      { signal: abort.signal },
    );
    let got = 0;
    try {
      for await (const ch of stream) {
        if (ch.choices[0]?.delta.content) got++;
        if (got === 3) abort.abort();
      }
    } catch (err) {
      assert.ok(err instanceof OpenAI.APIUserAbortError, String(err));
    }
    assert.equal(got, 3, 'the stream ended before the client aborted it');
    const e = await ended;
    watch.abort();
    assert.equal(e.type, 'chat.error', 'the generation ran to its end instead of being cancelled');
    assert.equal(e.payload.error?.code, 'cancelled');
  });
});
