import type { StreamEvent } from '../interfaces.js';
import type { Completion, FinishReason } from '../types.js';
import type { DecodeRow } from './batched-decoder.js';
import type { EventQueue } from './event-queue.js';
import type { GenerationSettings } from './generation-settings.js';
import { penalizeRepeats, sampleToken, seededRandom, suppressTokens } from './sampling.js';
import { TextStreamer } from './text-streamer.js';
import type { ToolCallSplitter } from './tool-call-parser.js';
import { omitUndefined } from '../internal/omit-undefined.js';

/**
 * Events a row may have waiting for its reader before it sits out the decoder's steps: a reader
 * that keeps up never pauses it, one that stopped (a candidate at a checkpoint) costs at most this
 * many tokens ahead.
 */
export const MAX_UNREAD_EVENTS = 2;

/** A completion of a local model, with the generated token ids (an ending eos included). */
export interface LocalCompletion extends Completion {
  tokenIds: number[];
}

export interface RowSetup {
  prompt: number[];
  settings: GenerationSettings;
  /** New tokens allowed (the request's max, cut to the positions left). */
  budget: number;
  eos: ReadonlySet<number>;
  decode: (ids: number[]) => string;
  /** Set when the request offers tools: tool-call blocks become `toolCalls`. */
  splitter: ToolCallSplitter | undefined;
  /** Stream text as it comes; a plain generate() decodes once at the end when no stop string needs checking. */
  incremental: boolean;
  queue: EventQueue<StreamEvent<LocalCompletion>>;
  finish: (parts: Omit<LocalCompletion, 'id' | 'model'>) => LocalCompletion;
}

/**
 * One generation: samples each token from the logits the decoder hands it (its own seeded
 * generator, so batching never changes its samples), turns tokens into events, and says when it
 * is done (end of sequence, a stop string, the token budget).
 */
export class GenerationRow implements DecodeRow {
  readonly prompt: readonly number[];
  #cancelled = false;
  #paused = false;
  #done = false;
  readonly #generated: number[] = [];
  readonly #seen: Set<number>;
  readonly #random: () => number;
  readonly #streamer: TextStreamer;
  readonly #setup: RowSetup;

  constructor(setup: RowSetup) {
    this.#setup = setup;
    this.prompt = setup.prompt;
    this.#seen = new Set(setup.settings.repetitionPenalty !== 1 ? setup.prompt : []);
    this.#random = seededRandom(setup.settings.seed);
    this.#streamer = new TextStreamer(setup.decode, setup.settings.stops);
  }

  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** Paused once MAX_UNREAD_EVENTS wait unread, until its reader has read them all (not one park per token). */
  get paused(): boolean {
    const unread = this.#setup.queue.size;
    if (unread >= MAX_UNREAD_EVENTS) this.#paused = true;
    else if (unread === 0) this.#paused = false;
    return this.#paused;
  }

  /** The caller went away: no more events, and the row leaves the batch. */
  cancel(): void {
    this.#cancelled = true;
  }

  fail(error: unknown): void {
    this.#done = true;
    this.#setup.queue.fail(error);
  }

  accept(logits: Float32Array): number | undefined {
    if (this.#done || this.#cancelled) return undefined;
    const { settings, eos, budget } = this.#setup;
    if (settings.repetitionPenalty !== 1) penalizeRepeats(logits, this.#seen, settings.repetitionPenalty);
    if (this.#generated.length < settings.minNewTokens) suppressTokens(logits, eos);
    const token = sampleToken(logits, settings.temperature, settings.topP, this.#random, settings.topK);
    this.#generated.push(token);
    if (settings.repetitionPenalty !== 1) this.#seen.add(token);
    if (eos.has(token)) return this.#finish('stop');
    if (this.#setup.incremental) {
      this.#text(this.#streamer.push(this.#generated));
      if (this.#streamer.stopped) return this.#finish('stop');
    }
    if (this.#generated.length >= budget) return this.#finish('length');
    return token;
  }

  #text(delta: string): void {
    if (!delta) return;
    const { splitter, queue } = this.#setup;
    if (!splitter) return queue.push({ type: 'text-delta', text: delta });
    for (const event of splitter.push(delta)) queue.push(event);
  }

  #finish(reason: FinishReason): undefined {
    this.#done = true;
    const { splitter, queue, prompt } = this.#setup;
    if (!this.#setup.incremental) this.#text(this.#streamer.push(this.#generated));
    this.#text(this.#streamer.flush());
    if (splitter) for (const event of splitter.end()) queue.push(event);
    const toolCalls = splitter?.toolCalls ?? [];
    const generated = this.#generated.length;
    const completion = this.#setup.finish(
      omitUndefined({
        text: splitter ? splitter.text : this.#streamer.text,
        toolCalls: toolCalls.length > 0 ? toolCalls : undefined,
        finishReason: toolCalls.length > 0 && reason === 'stop' ? 'tool_calls' : reason,
        usage: { promptTokens: prompt.length, completionTokens: generated, totalTokens: prompt.length + generated },
        tokenIds: this.#generated,
      }),
    );
    queue.push({ type: 'finish', completion });
    queue.end();
    return undefined;
  }
}
