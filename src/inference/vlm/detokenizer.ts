// Incremental detokenisation for streaming: byte-level BPE splits a character across tokens, so text is only
// released once it decodes without a trailing U+FFFD, and the streamed pieces always add up to the final text.

export type DecodeFn = (ids: readonly number[]) => string;

/**
 * The prefix/read-offset scheme of HF's TextStreamer and vLLM: decode a short window of recent tokens and emit
 * what it adds beyond the already-emitted part of the same window.
 */
export class IncrementalDetokenizer {
  private readonly ids: number[] = [];
  /** Start of the decode window. */
  private prefixOffset = 0;
  /** Tokens before this have been emitted. */
  private readOffset = 0;
  private emitted = '';

  constructor(private readonly decode: DecodeFn) {}

  /** Adds one token; returns the newly printable text ('' while a character is incomplete). */
  push(id: number): string {
    this.ids.push(id);
    const prefix = this.decode(this.ids.slice(this.prefixOffset, this.readOffset));
    const full = this.decode(this.ids.slice(this.prefixOffset));
    if (full.length > prefix.length && !full.endsWith('\uFFFD') && full.startsWith(prefix)) {
      const delta = full.slice(prefix.length);
      this.prefixOffset = this.readOffset;
      this.readOffset = this.ids.length;
      this.emitted += delta;
      return delta;
    }
    return '';
  }

  /** Whatever is still held back (an incomplete character at the very end), so the stream totals the final text. */
  flush(finalText: string): string {
    if (!finalText.startsWith(this.emitted)) return '';
    const rest = finalText.slice(this.emitted.length);
    this.emitted = finalText;
    return rest;
  }
}
