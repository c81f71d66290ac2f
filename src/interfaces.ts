import type { ChatRequest, Completion, Message, Score, Verdict } from './types.js';

/** Per-call options every rewardgate call accepts. */
export interface CallOptions {
  /** Cancels the call: pending requests are aborted and timers cleared. */
  signal?: AbortSignal;
}

/** A piece of generated text. `candidate` is set by fan-out middleware (best-of-n). */
export interface TextDeltaEvent {
  type: 'text-delta';
  text: string;
}

/** The last event of a stream: the whole completion, finish reason and usage. */
export interface FinishEvent<C extends Completion = Completion> {
  type: 'finish';
  completion: C;
}

/** Events of a plain model stream. */
export type StreamEvent<C extends Completion = Completion> = TextDeltaEvent | FinishEvent<C>;

/**
 * Anything that chats: a NIM / OpenAI-compatible client, an `openai` instance via `fromOpenAI`,
 * a local ONNX model, or a pipeline of middleware around any of these.
 */
export interface ChatModel<C extends Completion = Completion, E extends { type: string } = StreamEvent<C>> {
  /** Generates one completion. */
  generate(request: ChatRequest, options?: CallOptions): Promise<C>;
  /** Streams text deltas, then a `finish` event carrying the completion. Breaking out aborts. */
  stream(request: ChatRequest, options?: CallOptions): AsyncIterable<E>;
}

/** Scores conversations whose last turn is the assistant answer being judged. Batch-first. */
export interface Scorer {
  score(conversations: Message[][], options?: CallOptions): Promise<Score[]>;
}

/** Judges the last turn of a conversation (a user turn on input, an assistant turn on output). */
export interface Guard {
  check(conversation: Message[], options?: CallOptions): Promise<Verdict>;
}
