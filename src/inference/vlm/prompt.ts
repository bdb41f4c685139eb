// From messages to token ids: the model's own chat template (@huggingface/jinja), its tokenizer
// (@huggingface/tokenizers), and each image pad expanded to the image's token count. Each family's own prompt rules
// (its grounding phrasing) live in src/inference/families/<family>/.
import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';
import { AppError } from '../../shared/errors.js';
import type { ModelFolder } from './model-folder.js';

export type ContentPart = { type: 'image' } | { type: 'text'; text: string };

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string | ContentPart[];
}

export interface PromptCodec {
  tokenizer: Tokenizer;
  template: Template;
  /** Renders the chat template with the generation prompt. */
  render(messages: readonly ChatMessage[]): string;
  encode(text: string): number[];
  decode(ids: readonly number[], keepSpecial: boolean): string;
}

export function createPromptCodec(folder: ModelFolder): PromptCodec {
  let tokenizer: Tokenizer;
  let template: Template;
  try {
    tokenizer = new Tokenizer(folder.tokenizerJson, folder.tokenizerConfig);
  } catch (e) {
    throw new AppError(
      'corrupt',
      `tokenizer.json of ${folder.dir} could not be read: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  try {
    // `{% generation %}…{% endgeneration %}` (assistant-mask markers of HF templates, LLaVA-OneVision's) is a
    // transformers-only tag: the text between renders as is.
    template = new Template(folder.chatTemplate.replace(/\{%-?\s*(?:end)?generation\s*-?%\}/g, ''));
  } catch (e) {
    throw new AppError(
      'corrupt',
      `the chat template of ${folder.dir} does not parse: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const specialString = (key: string): string | null => {
    const v = folder.tokenizerConfig[key];
    if (typeof v === 'string') return v;
    if (typeof v === 'object' && v !== null && typeof (v as { content?: unknown }).content === 'string') {
      return (v as { content: string }).content;
    }
    return null;
  };
  return {
    tokenizer,
    template,
    render(messages) {
      return template.render({
        messages,
        add_generation_prompt: true,
        bos_token: specialString('bos_token') ?? '',
        eos_token: specialString('eos_token') ?? '',
        pad_token: specialString('pad_token') ?? '',
      });
    },
    encode(text) {
      return tokenizer.encode(text).ids;
    },
    decode(ids, keepSpecial) {
      if (ids.length === 0) return '';
      return tokenizer.decode([...ids], {
        skip_special_tokens: !keepSpecial,
        clean_up_tokenization_spaces: false,
      });
    },
  };
}

/** The messages of a plain question: every image first, then the text (the Qwen README order). */
export function questionMessages(question: string, imageCount: number): ChatMessage[] {
  const content: ContentPart[] = Array.from({ length: imageCount }, () => ({ type: 'image' as const }));
  content.push({ type: 'text', text: question });
  return [{ role: 'user', content }];
}

export function countImageParts(messages: readonly ChatMessage[]): number {
  let n = 0;
  for (const m of messages)
    if (Array.isArray(m.content)) for (const p of m.content) if (p.type === 'image') n++;
  return n;
}

/** Replaces the k-th `imageToken` by `counts[k]` copies of it. */
export function expandImagePads(
  ids: readonly number[],
  imageToken: number,
  counts: readonly number[],
): number[] {
  const out: number[] = [];
  let k = 0;
  for (const id of ids) {
    if (id !== imageToken) {
      out.push(id);
      continue;
    }
    const n = counts[k++];
    if (n === undefined) {
      throw new AppError(
        'invalid_input',
        `the prompt has more image slots than the ${counts.length} image(s) given`,
      );
    }
    for (let i = 0; i < n; i++) out.push(imageToken);
  }
  if (k !== counts.length) {
    throw new AppError(
      'invalid_input',
      `${counts.length} image(s) given but the prompt has ${k} image slot(s)`,
    );
  }
  return out;
}
