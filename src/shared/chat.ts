// The backend's side of the OpenAI-compatible API (src/server/openai-api.ts): one chat turn with images as bytes,
// decoded and answered by the VLM room. The HTTP layer turns OpenAI requests into this and the events back.
import { z } from 'zod';
import { ErrorInfo } from './errors.js';
import { LabelledBox } from './geometry.js';

const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes (Uint8Array)');

/** Images a chat turn may carry; each is one model image within the settings' image-token budget. */
export const MAX_CHAT_IMAGES = 8;

export const ChatPart = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string().max(200_000) }).strict(),
  /** The `index`-th entry of `images`. */
  z
    .object({
      type: z.literal('image'),
      index: z
        .number()
        .int()
        .min(0)
        .max(MAX_CHAT_IMAGES - 1),
    })
    .strict(),
]);
export type ChatPart = z.infer<typeof ChatPart>;

export const ChatTurn = z
  .object({
    role: z.enum(['system', 'user', 'assistant']),
    content: z.union([z.string().max(200_000), z.array(ChatPart).max(256)]),
  })
  .strict();
export type ChatTurn = z.infer<typeof ChatTurn>;

export const ChatStartInput = z
  .object({
    /** An installed model id; absent: the first installed Qwen-VL model. */
    modelId: z.string().min(1).max(200).optional(),
    messages: z.array(ChatTurn).min(1).max(256),
    /** Encoded image files (PNG, JPEG, WebP, …), referenced by image parts in order. */
    images: z.array(Bytes).max(MAX_CHAT_IMAGES),
    maxTokens: z.number().int().min(1).max(8192).optional(),
    temperature: z.number().min(0).max(2).optional(),
    topP: z.number().gt(0).max(1).optional(),
    seed: z.number().int().optional(),
    stop: z.array(z.string().min(1).max(200)).max(4).optional(),
  })
  .strict();
export type ChatStartInput = z.infer<typeof ChatStartInput>;

export const ChatResult = z.object({
  /** The answer with special tokens skipped, cut before a stop sequence. */
  text: z.string(),
  /** The answer with special tokens kept (grounding markers), cut the same way. */
  raw: z.string(),
  finishReason: z.enum(['stop', 'length']),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  model: z.string(),
  provider: z.string().nullable(),
  /** Boxes the model wrote, in the pixel space of the image sent (page 1 = that image); only with one image. */
  boxes: z.array(LabelledBox),
  /** Each image as decoded (after EXIF orientation): the space its boxes are in. */
  images: z.array(z.object({ width: z.number().int(), height: z.number().int() })),
});
export type ChatResult = z.infer<typeof ChatResult>;

export const chatChannels = {
  /** Starts one chat turn; `chat.delta` events stream its text, then `chat.done` or `chat.error`. */
  'chat.start': { input: ChatStartInput, output: z.object({ chatId: z.string() }) },
  'chat.cancel': {
    input: z.object({ chatId: z.string() }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
} as const;

export const chatEvents = {
  'chat.delta': z.object({ chatId: z.string(), text: z.string() }),
  'chat.done': z.object({ chatId: z.string(), result: ChatResult }),
  'chat.error': z.object({ chatId: z.string(), error: ErrorInfo }),
} as const;
