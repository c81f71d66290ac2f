import { StreamError } from '../errors.js';
import type { FinishEvent } from '../interfaces.js';
import type { Usage } from '../types.js';
import { toFinishReason, toUsage, type WireChunk } from './chat-wire.js';

/** Folds OpenAI stream chunks into the final completion; shared by the client and `fromOpenAI`. */
export class StreamAccumulator {
  #text = '';
  #finish: string | undefined;
  #usage: Usage | undefined;
  #id: string | undefined;
  #model: string | undefined;

  /** Adds one chunk and returns its text delta, if any. */
  add(chunk: WireChunk): string | undefined {
    this.#id ??= chunk.id;
    this.#model ??= chunk.model;
    // Some hosted streams report usage on several chunks: the last one wins.
    if (chunk.usage) this.#usage = toUsage(chunk.usage);
    const choice = chunk.choices?.[0];
    if (choice?.finish_reason) this.#finish = choice.finish_reason;
    const delta = choice?.delta?.content;
    if (!delta) return undefined;
    this.#text += delta;
    return delta;
  }

  /** The finish event; without `[DONE]` and without a finish reason the stream was truncated. */
  finish(sawDone: boolean, source: string): FinishEvent {
    if (!sawDone && !this.#finish) throw new StreamError('truncated', `The stream from ${source} ended without [DONE] or a finish reason`);
    return {
      type: 'finish',
      completion: {
        ...(this.#id !== undefined ? { id: this.#id } : {}),
        ...(this.#model !== undefined ? { model: this.#model } : {}),
        text: this.#text,
        finishReason: toFinishReason(this.#finish),
        ...(this.#usage ? { usage: this.#usage } : {}),
      },
    };
  }
}
