// The backend's half of the OpenAI-compatible API: one chat turn with images sent as bytes — decoded here (EXIF
// orientation applied, as image documents are), fed to the VLM room's loaded model within the image budget, the
// text streamed as chat.delta events, and any boxes the model wrote mapped into the pixel space of the image sent.
import sharp from 'sharp';
import { planPage } from '../anyres/plan.js';
import type { ChatMessage, ContentPart, VlmImage } from '../inference/vlm/index.js';
import type { ChatResult, ChatStartInput } from '../shared/chat.js';
import { FAMILIES, type FamilyId } from '../shared/families.js';
import { AppError, toErrorInfo } from '../shared/errors.js';
import type { LabelledBox } from '../shared/geometry.js';
import { mapModelOutput } from './grounding.js';
import type { BackendContext } from './handlers.js';
import type { VlmService } from './handlers-vlm.js';
import type { Emit, RoomSlice } from './room.js';

export type ChatChannel = 'chat.start' | 'chat.cancel';

/** Decoded pixels one image may have (sharp refuses more before decoding): 64 megapixels. */
export const MAX_CHAT_IMAGE_PIXELS = 64 * 1024 * 1024;
/** Smallest per-image budget when several images share the prompt (as pages of one question do). */
const MIN_IMAGE_TOKENS = 256;

interface Decoded {
  data: Uint8Array;
  width: number;
  height: number;
}

/** An encoded image → RGB pixels as displayed (EXIF orientation applied, alpha flattened on white). */
export async function decodeChatImage(bytes: Uint8Array, index: number): Promise<Decoded> {
  try {
    const { data, info } = await sharp(bytes, {
      limitInputPixels: MAX_CHAT_IMAGE_PIXELS,
      failOn: 'error',
      pages: 1,
    })
      .rotate()
      .flatten({ background: '#ffffff' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      width: info.width,
      height: info.height,
    };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/pixel limit/i.test(msg))
      throw new AppError('too_large', `image ${index + 1} is over ${MAX_CHAT_IMAGE_PIXELS} pixels`);
    throw new AppError('unsupported_format', `image ${index + 1} could not be decoded: ${msg}`);
  }
}

/** `text` cut before the first stop sequence it contains; null when none occurs. */
export function cutAtStop(text: string, stops: readonly string[]): string | null {
  let at = -1;
  for (const s of stops) {
    const i = text.indexOf(s);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  return at < 0 ? null : text.slice(0, at);
}

/**
 * Boxes in `raw` mapped into the pixel space of the one image sent: the same plan and coordinate decoder as an
 * image document's grounded answer (an image's page space is its pixel grid, so it is planned at 72 dpi).
 */
export function chatBoxes(
  raw: string,
  family: FamilyId,
  image: { width: number; height: number },
  budget: { minPixels: number; maxPixels: number },
  resized: { width: number; height: number } | undefined,
): LabelledBox[] {
  const plan = planPage(
    { page: 1, width: image.width, height: image.height },
    { family, maxPixels: budget.maxPixels, minPixels: budget.minPixels, dpi: 72 },
  );
  return mapModelOutput(raw, plan, resized).boxes;
}

function toMessages(input: ChatStartInput): ChatMessage[] {
  let next = 0;
  return input.messages.map((m) => {
    if (typeof m.content === 'string') return { role: m.role, content: m.content };
    const parts: ContentPart[] = m.content.map((p) => {
      if (p.type === 'text') return { type: 'text', text: p.text };
      if (p.index !== next++)
        throw new AppError('invalid_input', `image parts must name images in order (got ${p.index})`);
      return { type: 'image' };
    });
    return { role: m.role, content: parts };
  });
}

/** chat.start / chat.cancel over the VLM room's model and its run registry (so a chat is cancelled like an ask). */
export function chatRoom(ctx: BackendContext, emit: Emit, vlm: VlmService): RoomSlice<ChatChannel> {
  async function run(
    input: ChatStartInput,
    decoded: Decoded[],
    chatId: string,
    signal: AbortSignal,
  ): Promise<ChatResult> {
    const model = await vlm.model(input.modelId);
    const family = model.family;
    const budget = ctx.settings.get().imageTokenBudget;
    const perImage = Math.max(MIN_IMAGE_TOKENS, Math.floor(budget / Math.max(1, decoded.length)));
    const sizing = FAMILIES[family].images;
    const factor = sizing.kind === 'smart-resize' ? sizing.factor : 28;
    const maxPixels = Math.max(model.pixels.min, Math.min(perImage * factor * factor, model.pixels.max));
    const minPixels = Math.min(model.pixels.min, maxPixels);
    const images: VlmImage[] = decoded.map((d) => ({ ...d, channels: 3, minPixels, maxPixels }));
    const stop = input.stop ?? [];
    const r = await model.generate({
      images,
      messages: toMessages(input),
      maxTokens: input.maxTokens,
      sampling: {
        temperature: input.temperature ?? 0,
        topP: input.topP,
        seed: input.seed,
      },
      stop,
      signal,
      onToken: (text) => emit({ type: 'chat.delta', payload: { chatId, text } }),
    });
    const text = r.stop === 'stop' ? (cutAtStop(r.text, stop) ?? r.text) : r.text;
    const raw = r.stop === 'stop' ? (cutAtStop(r.raw, stop) ?? r.raw) : r.raw;
    const only = decoded.length === 1 ? decoded[0] : undefined;
    return {
      text,
      raw,
      finishReason: r.stop === 'max_tokens' ? 'length' : 'stop',
      promptTokens: r.promptTokens,
      completionTokens: r.tokenIds.length,
      model: r.model,
      provider: r.provider,
      boxes: only ? chatBoxes(raw, family, only, { minPixels, maxPixels }, r.resized[0]) : [],
      images: decoded.map((d) => ({ width: d.width, height: d.height })),
    };
  }

  return {
    handlers: {
      'chat.start': async (input) => {
        // Unknown models and a missing install fail the call itself, so the API can answer 404 before streaming.
        const found = await vlm.find(input.modelId);
        if (!found) throw new AppError('no_model', 'no vision-language model is installed');
        // So are images that do not decode, and image parts that do not match the images.
        const decoded: Decoded[] = [];
        for (const [i, b] of input.images.entries()) decoded.push(await decodeChatImage(b, i));
        const messages = toMessages(input);
        const slots = messages.reduce(
          (n, m) => n + (Array.isArray(m.content) ? m.content.filter((p) => p.type === 'image').length : 0),
          0,
        );
        if (slots !== decoded.length)
          throw new AppError('invalid_input', `${decoded.length} image(s) sent for ${slots} image part(s)`);
        const chatId = vlm.track(async (id, signal) => {
          try {
            const result = await run(input, decoded, id, signal);
            emit({ type: 'chat.done', payload: { chatId: id, result } });
          } catch (e) {
            emit({ type: 'chat.error', payload: { chatId: id, error: toErrorInfo(e) } });
          }
        });
        return { chatId };
      },
      'chat.cancel': ({ chatId }) => Promise.resolve({ cancelled: vlm.cancel(chatId) }),
    },
    dispose: () => Promise.resolve(),
  };
}
