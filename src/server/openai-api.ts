// The OpenAI-compatible API of `doclens serve` (issue 14): GET /v1/models and POST /v1/chat/completions, so the
// OpenAI SDKs, lmms-eval's `openai_compatible` model and OpenAI-compatible UIs can use the installed model. Requests
// become one `chat.start` on the backend; its chat.delta / chat.done events become OpenAI's response or its SSE
// chunks. Errors use OpenAI's error object; a client that goes away cancels the generation.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { ChatPart, ChatResult, ChatStartInput, ChatTurn } from '../shared/chat.js';
import { MAX_CHAT_IMAGES } from '../shared/chat.js';
import type { AppEvent } from '../shared/contract.js';
import type { ErrorInfo } from '../shared/errors.js';
import type { BackendConnection } from './server.js';

export interface OpenAiOptions {
  backend: BackendConnection;
  /** Whether the request carries the server's bearer token. */
  authorised(req: IncomingMessage): boolean;
  /** Whether a browser request comes from our own page (non-browser clients send no Origin). */
  sameOrigin(req: IncomingMessage): boolean;
  /** Reads a request body up to `limit` bytes (413 past it, 408 when it stalls). */
  readBody(req: IncomingMessage, limit: number): Promise<Buffer>;
  /** Cap on a chat request body, images included as data URLs (default 64 MiB). */
  maxBodyBytes?: number;
  /** Cap on one image's encoded bytes, data URL or download (default 20 MiB). */
  maxImageBytes?: number;
  /** Fetch http(s) image URLs (off by default: a request could make the server reach other hosts). */
  allowRemoteImages?: boolean;
}

/** OpenAI's error object: `{ error: { message, type, param, code } }`. */
export class OpenAiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string | null,
    readonly param: string | null = null,
  ) {
    super(message);
  }

  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

const invalid = (message: string, param: string | null = null, code: string | null = null) =>
  new OpenAiError(400, message, 'invalid_request_error', code, param);

/** A backend error as the API answers it. */
export function fromBackendError(e: ErrorInfo, model: string): OpenAiError {
  switch (e.code) {
    case 'not_found':
    case 'no_model':
      return new OpenAiError(
        404,
        `The model \`${model}\` does not exist or is not installed: ${e.message}`,
        'invalid_request_error',
        'model_not_found',
        'model',
      );
    case 'invalid_input':
    case 'unsupported_format':
    case 'corrupt':
    case 'empty_file':
      return invalid(e.message, 'messages', e.code);
    case 'too_large':
      return new OpenAiError(413, e.message, 'invalid_request_error', 'too_large', 'messages');
    case 'cancelled':
      return new OpenAiError(499, e.message, 'invalid_request_error', 'cancelled');
    default:
      return new OpenAiError(500, e.message, 'server_error', e.code);
  }
}

// ---- the request -----------------------------------------------------------------------------------------

const ImageUrl = z.union([
  z.string(),
  z.object({ url: z.string(), detail: z.enum(['auto', 'low', 'high']).optional() }).loose(),
]);
const Part = z.looseObject({ type: z.string() });
const Message = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(Part), z.null()]).optional(),
});
const Request = z.looseObject({
  model: z.string().min(1),
  messages: z.array(Message).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  seed: z.number().int().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  n: z.number().int().nullish(),
  /** vLLM's extension: false answers with the model's special tokens kept (grounding markers). */
  skip_special_tokens: z.boolean().nullish(),
});
type Request = z.infer<typeof Request>;

/** The first problem zod found, as OpenAI names a bad parameter (`messages[0].content`). */
function zodProblem(e: z.ZodError): OpenAiError {
  const issue = e.issues[0];
  const param = (issue?.path ?? []).reduce<string>(
    (acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)),
    '',
  );
  return invalid(`Invalid value for '${param || 'body'}': ${issue?.message ?? 'malformed'}`, param || null);
}

const DATA_URL = /^data:(image\/[\w.+-]+)?(;[^,]*)?,/i;

/** The bytes of a data URL (base64 or percent-encoded), capped. */
export function dataUrlBytes(url: string, param: string, maxBytes: number): Uint8Array {
  const m = DATA_URL.exec(url);
  if (!m) throw invalid(`${param}: a data URL must be data:image/…;base64,…`, param, 'invalid_image_url');
  const payload = url.slice(m[0].length);
  const base64 = /;base64$/i.test(m[2] ?? '');
  // A base64 payload decodes to 3/4 of its length: refuse before decoding anything over the cap.
  if ((base64 ? Math.floor((payload.length * 3) / 4) : payload.length) > maxBytes + 3)
    throw new OpenAiError(
      413,
      `${param}: the image is over ${maxBytes} bytes`,
      'invalid_request_error',
      'image_too_large',
      param,
    );
  if (base64 && !/^[A-Za-z0-9+/=\s_-]*$/.test(payload))
    throw invalid(`${param}: the data URL's base64 is malformed`, param, 'invalid_image_url');
  let bytes: Buffer;
  try {
    bytes = base64 ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'latin1');
  } catch {
    throw invalid(`${param}: the data URL is malformed`, param, 'invalid_image_url');
  }
  if (bytes.length === 0) throw invalid(`${param}: the image is empty`, param, 'invalid_image_url');
  if (bytes.length > maxBytes)
    throw new OpenAiError(
      413,
      `${param}: the image is over ${maxBytes} bytes`,
      'invalid_request_error',
      'image_too_large',
      param,
    );
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** An http(s) image, fetched with a time limit and a size cap. */
async function remoteImage(url: string, param: string, maxBytes: number): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(30_000), redirect: 'follow' });
  } catch (e) {
    throw invalid(
      `${param}: ${url} could not be fetched: ${(e as Error).message}`,
      param,
      'invalid_image_url',
    );
  }
  if (!res.ok || !res.body)
    throw invalid(`${param}: ${url} answered HTTP ${res.status}`, param, 'invalid_image_url');
  const declared = Number(res.headers.get('content-length') ?? 0);
  const tooBig = () =>
    new OpenAiError(
      413,
      `${param}: the image at ${url} is over ${maxBytes} bytes`,
      'invalid_request_error',
      'image_too_large',
      param,
    );
  if (declared > maxBytes) {
    await res.body.cancel();
    throw tooBig();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += c.length;
    if (size > maxBytes) throw tooBig();
    chunks.push(c);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

export interface ParsedChat {
  input: ChatStartInput;
  stream: boolean;
  includeUsage: boolean;
  keepSpecial: boolean;
}

/** An OpenAI chat request → the backend's chat.start input; every malformed part is a 400 naming its place. */
export async function parseChatRequest(
  body: unknown,
  opts: { maxImageBytes: number; allowRemoteImages: boolean },
): Promise<ParsedChat> {
  const parsed = Request.safeParse(body);
  if (!parsed.success) throw zodProblem(parsed.error);
  const r: Request = parsed.data;
  if (r.n !== undefined && r.n !== null && r.n !== 1)
    throw invalid('Only n = 1 is supported', 'n', 'unsupported_value');
  const images: Uint8Array[] = [];
  const messages: ChatTurn[] = [];
  for (const [i, m] of r.messages.entries()) {
    const where = `messages[${i}]`;
    const role = m.role === 'developer' ? 'system' : m.role;
    if (role !== 'system' && role !== 'user' && role !== 'assistant')
      throw invalid(
        `${where}.role: '${m.role}' is not supported (system, developer, user, assistant)`,
        `${where}.role`,
      );
    if (m.content === undefined || m.content === null)
      throw invalid(`${where}.content is required`, `${where}.content`);
    if (typeof m.content === 'string') {
      messages.push({ role, content: m.content });
      continue;
    }
    const parts: ChatPart[] = [];
    for (const [j, p] of m.content.entries()) {
      const at = `${where}.content[${j}]`;
      if (p.type === 'text') {
        if (typeof p.text !== 'string') throw invalid(`${at}.text must be a string`, `${at}.text`);
        parts.push({ type: 'text', text: p.text });
      } else if (p.type === 'image_url') {
        const iu = ImageUrl.safeParse(p.image_url);
        if (!iu.success) throw invalid(`${at}.image_url must be a URL or { url }`, `${at}.image_url`);
        const url = typeof iu.data === 'string' ? iu.data : iu.data.url;
        if (images.length >= MAX_CHAT_IMAGES)
          throw invalid(`at most ${MAX_CHAT_IMAGES} images per request`, `${at}.image_url`);
        if (/^data:/i.test(url)) {
          images.push(dataUrlBytes(url, `${at}.image_url`, opts.maxImageBytes));
        } else if (/^https?:\/\//i.test(url)) {
          if (!opts.allowRemoteImages)
            throw invalid(
              `${at}.image_url: http(s) image URLs are refused; send the image as a data URL, or start \`doclens serve --allow-remote-images\``,
              `${at}.image_url`,
              'remote_images_refused',
            );
          images.push(await remoteImage(url, `${at}.image_url`, opts.maxImageBytes));
        } else {
          throw invalid(
            `${at}.image_url: only data: and http(s) URLs are supported`,
            `${at}.image_url`,
            'invalid_image_url',
          );
        }
        parts.push({ type: 'image', index: images.length - 1 });
      } else {
        throw invalid(
          `${at}.type: '${p.type}' is not supported (text, image_url)`,
          `${at}.type`,
          'unsupported_content_type',
        );
      }
    }
    messages.push({ role, content: parts });
  }
  const stop = r.stop === undefined || r.stop === null ? undefined : [r.stop].flat();
  if (stop?.some((s) => s.length === 0 || s.length > 200))
    throw invalid('stop sequences must be 1-200 characters', 'stop');
  const maxTokens = r.max_completion_tokens ?? r.max_tokens ?? undefined;
  if (maxTokens !== undefined && maxTokens > 8192)
    throw invalid(
      'max_tokens must be at most 8192',
      r.max_completion_tokens ? 'max_completion_tokens' : 'max_tokens',
    );
  const input: ChatStartInput = {
    modelId: r.model,
    messages,
    images,
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    // NOTE: no temperature means greedy here (OpenAI's default is 1): answers about documents should repeat.
    ...(r.temperature !== undefined && r.temperature !== null ? { temperature: r.temperature } : {}),
    ...(r.top_p !== undefined && r.top_p !== null ? { topP: r.top_p } : {}),
    ...(r.seed !== undefined && r.seed !== null ? { seed: r.seed } : {}),
    ...(stop ? { stop } : {}),
  };
  return {
    input,
    stream: r.stream === true,
    includeUsage: r.stream_options?.include_usage === true,
    keepSpecial: r.skip_special_tokens === false,
  };
}

// ---- streaming -------------------------------------------------------------------------------------------

/**
 * Holds back streamed text that may be the start of a stop sequence, and ends the stream at one: what is let
 * through adds up to the final answer cut before its stop sequence.
 */
export class StopFilter {
  private pending = '';
  private stopped = false;
  constructor(private readonly stops: readonly string[]) {}

  push(delta: string): string {
    if (this.stopped) return '';
    this.pending += delta;
    let at = -1;
    for (const s of this.stops) {
      const i = this.pending.indexOf(s);
      if (i >= 0 && (at < 0 || i < at)) at = i;
    }
    if (at >= 0) {
      this.stopped = true;
      const out = this.pending.slice(0, at);
      this.pending = '';
      return out;
    }
    // Keep the longest tail that begins some stop sequence.
    let keep = 0;
    for (const s of this.stops)
      for (let k = Math.min(s.length - 1, this.pending.length); k > keep; k--)
        if (this.pending.endsWith(s.slice(0, k))) {
          keep = k;
          break;
        }
    const out = this.pending.slice(0, this.pending.length - keep);
    this.pending = this.pending.slice(this.pending.length - keep);
    return out;
  }

  /** What is still held back once the answer has ended without a stop sequence. */
  flush(): string {
    const out = this.stopped ? '' : this.pending;
    this.pending = '';
    return out;
  }
}

/** The `doclens` extension of a response: the raw output and its boxes in the pixel space of the image sent. */
export function doclensExtension(r: ChatResult): Record<string, unknown> {
  return { raw: r.raw, boxes: r.boxes, images: r.images, provider: r.provider };
}

function usageOf(r: ChatResult) {
  return {
    prompt_tokens: r.promptTokens,
    completion_tokens: r.completionTokens,
    total_tokens: r.promptTokens + r.completionTokens,
  };
}

/** Events of one chat turn, buffered from before its id is known, read one at a time. */
class ChatEvents {
  private chatId: string | null = null;
  private readonly early: AppEvent[] = [];
  private readonly queue: AppEvent[] = [];
  private wake: (() => void) | null = null;
  private readonly off: () => void;

  constructor(backend: BackendConnection) {
    this.off = backend.onEvent((e) => {
      if (e.type !== 'chat.delta' && e.type !== 'chat.done' && e.type !== 'chat.error') return;
      if (this.chatId === null) this.early.push(e);
      else if (e.payload.chatId === this.chatId) this.put(e);
    });
  }

  start(chatId: string): void {
    this.chatId = chatId;
    for (const e of this.early.splice(0))
      if ((e.payload as { chatId: string }).chatId === chatId) this.put(e);
  }

  private put(e: AppEvent): void {
    this.queue.push(e);
    this.wake?.();
    this.wake = null;
  }

  async next(): Promise<AppEvent> {
    while (this.queue.length === 0) await new Promise<void>((r) => (this.wake = r));
    return this.queue.shift()!;
  }

  close(): void {
    this.off();
  }
}

// ---- the routes ------------------------------------------------------------------------------------------

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': text.length,
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** Answers OpenAI's error object, or (a stream already started) an error event, then ends. */
function sendError(res: ServerResponse, e: OpenAiError): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end(`data: ${JSON.stringify(e.body())}\n\ndata: [DONE]\n\n`);
    return;
  }
  if (e.status === 413) {
    // The client may still be sending: let it read this answer, then drop the connection.
    res.setHeader('connection', 'close');
    res.once('finish', () => {
      res.req.resume();
      const socket = res.socket ?? res.req.socket;
      setTimeout(() => socket?.destroy(), 1000).unref();
    });
  }
  sendJson(res, e.status, e.body());
}

export function createOpenAiApi(opts: OpenAiOptions): {
  /** Handles /v1/* (true), or leaves the request alone (false). */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean>;
} {
  const maxBody = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  const maxImage = opts.maxImageBytes ?? 20 * 1024 * 1024;
  const created = Math.floor(Date.now() / 1000);

  async function vlmModels(): Promise<string[]> {
    const env = await opts.backend.call('models.list', {});
    if (!env.ok) throw fromBackendError(env.error, '');
    const { installed } = env.value as { installed: Array<{ id: string; family: string }> };
    return installed.filter((m) => m.family === 'qwen2-vl' || m.family === 'qwen2.5-vl').map((m) => m.id);
  }

  const modelObject = (id: string) => ({ id, object: 'model', created, owned_by: 'doclens' });

  async function chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json')
      throw new OpenAiError(415, 'send the request as application/json', 'invalid_request_error', null);
    let body: unknown;
    let raw: Buffer;
    try {
      raw = await opts.readBody(req, maxBody);
    } catch (e) {
      const status = (e as { status?: number }).status;
      if (status === 413)
        throw new OpenAiError(
          413,
          `the request body is over ${maxBody} bytes`,
          'invalid_request_error',
          'request_too_large',
        );
      if (status === 408)
        throw new OpenAiError(408, (e as Error).message, 'invalid_request_error', 'timeout');
      throw e;
    }
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (e) {
      throw invalid(`the body is not valid JSON: ${(e as Error).message}`, null, 'invalid_json');
    }
    const chatReq = await parseChatRequest(body, {
      maxImageBytes: maxImage,
      allowRemoteImages: opts.allowRemoteImages ?? false,
    });
    const model = chatReq.input.modelId ?? '';
    const installed = await vlmModels();
    if (!installed.includes(model))
      throw fromBackendError(
        { code: 'not_found', message: `installed: ${installed.join(', ') || 'none'}` },
        model,
      );

    const events = new ChatEvents(opts.backend);
    let chatId: string | null = null;
    let finished = false;
    let gone = false;
    const cancel = () => {
      if (chatId) void opts.backend.call('chat.cancel', { chatId });
    };
    // A client that goes away before the answer is complete cancels the generation (which then ends with a
    // `cancelled` chat.error that closes this request's loop).
    res.once('close', () => {
      gone = true;
      if (!finished) cancel();
    });
    try {
      const started = await opts.backend.call('chat.start', chatReq.input);
      if (!started.ok) throw fromBackendError(started.error, model);
      chatId = (started.value as { chatId: string }).chatId;
      events.start(chatId);
      if (gone) cancel();
      const id = `chatcmpl-${randomBytes(12).toString('base64url')}`;
      const stamp = Math.floor(Date.now() / 1000);
      if (!chatReq.stream) {
        for (;;) {
          const e = await events.next();
          if (e.type === 'chat.error') throw fromBackendError(e.payload.error, model);
          if (e.type !== 'chat.done') continue;
          const r = e.payload.result;
          finished = true;
          sendJson(res, 200, {
            id,
            object: 'chat.completion',
            created: stamp,
            model,
            system_fingerprint: null,
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: chatReq.keepSpecial ? r.raw : r.text, refusal: null },
                logprobs: null,
                finish_reason: r.finishReason,
              },
            ],
            usage: usageOf(r),
            doclens: doclensExtension(r),
          });
          return;
        }
      }
      const chunk = (delta: Record<string, unknown>, finish: string | null, extra: object = {}) =>
        `data: ${JSON.stringify({
          id,
          object: 'chat.completion.chunk',
          created: stamp,
          model,
          system_fingerprint: null,
          choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
          ...extra,
        })}\n\n`;
      const filter = new StopFilter(chatReq.input.stop ?? []);
      const begin = () => {
        if (res.headersSent) return;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        res.write(chunk({ role: 'assistant', content: '' }, null));
      };
      for (;;) {
        const e = await events.next();
        // Headers wait for the first event: an error before any text still gets its own status code.
        if (e.type === 'chat.error') throw fromBackendError(e.payload.error, model);
        begin();
        if (e.type === 'chat.delta') {
          const text = filter.push(e.payload.text);
          if (text) res.write(chunk({ content: text }, null));
          continue;
        }
        if (e.type !== 'chat.done') continue;
        const r = e.payload.result;
        const rest = filter.flush();
        if (rest) res.write(chunk({ content: rest }, null));
        finished = true;
        res.write(chunk({}, r.finishReason, { doclens: doclensExtension(r) }));
        if (chatReq.includeUsage)
          res.write(
            `data: ${JSON.stringify({
              id,
              object: 'chat.completion.chunk',
              created: stamp,
              model,
              system_fingerprint: null,
              choices: [],
              usage: usageOf(r),
            })}\n\n`,
          );
        res.end('data: [DONE]\n\n');
        return;
      }
    } finally {
      finished = true;
      events.close();
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (!opts.sameOrigin(req))
      throw new OpenAiError(403, 'cross-origin request refused', 'invalid_request_error', 'forbidden');
    if (!opts.authorised(req))
      throw new OpenAiError(
        401,
        'Incorrect API key provided: use the token printed by `doclens serve` as the bearer token',
        'invalid_request_error',
        'invalid_api_key',
      );
    if (pathname === '/v1/models') {
      if (req.method !== 'GET') throw new OpenAiError(405, 'use GET', 'invalid_request_error', null);
      sendJson(res, 200, { object: 'list', data: (await vlmModels()).map(modelObject) });
      return;
    }
    if (pathname.startsWith('/v1/models/')) {
      if (req.method !== 'GET') throw new OpenAiError(405, 'use GET', 'invalid_request_error', null);
      let id: string;
      try {
        id = decodeURIComponent(pathname.slice('/v1/models/'.length));
      } catch {
        throw invalid('malformed percent-encoding in the model id');
      }
      if (!(await vlmModels()).includes(id))
        throw fromBackendError({ code: 'not_found', message: 'not installed' }, id);
      sendJson(res, 200, modelObject(id));
      return;
    }
    if (pathname === '/v1/chat/completions') {
      if (req.method !== 'POST') throw new OpenAiError(405, 'use POST', 'invalid_request_error', null);
      await chat(req, res);
      return;
    }
    throw new OpenAiError(404, `unknown endpoint ${pathname}`, 'invalid_request_error', 'unknown_url');
  }

  return {
    async handle(req, res, pathname) {
      if (pathname !== '/v1' && !pathname.startsWith('/v1/')) return false;
      try {
        await route(req, res, pathname);
      } catch (e) {
        sendError(
          res,
          e instanceof OpenAiError
            ? e
            : new OpenAiError(500, e instanceof Error ? e.message : String(e), 'server_error', 'internal'),
        );
      }
      return true;
    },
  };
}
