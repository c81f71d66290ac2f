import type { ChatRequest, Completion, Message, Score, ToolCall, Verdict } from './types.js';

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

/** A piece of the model's reasoning (`reasoning_content`), apart from the answer text. */
export interface ReasoningDeltaEvent {
  type: 'reasoning-delta';
  text: string;
}

/**
 * A piece of a streamed tool call, for callers that want arguments live: the first piece of a call
 * carries its `id` and `name`, later ones only `argumentsDelta`. `index` tells parallel calls apart.
 */
export interface ToolCallDeltaEvent {
  type: 'tool-call-delta';
  index: number;
  id?: string;
  name?: string;
  argumentsDelta: string;
}

/** One complete tool call, emitted once its arguments are complete (before `finish`). */
export interface ToolCallEvent {
  type: 'tool-call';
  index: number;
  toolCall: ToolCall;
}

/** The last event of a stream: the whole completion, finish reason and usage. */
export interface FinishEvent<C extends Completion = Completion> {
  type: 'finish';
  completion: C;
}

/**
 * Events of a plain model stream: text, reasoning and tool calls as they come, then `finish`.
 * A text-only answer yields only `text-delta` events and `finish`.
 */
export type StreamEvent<C extends Completion = Completion> = TextDeltaEvent | ReasoningDeltaEvent | ToolCallDeltaEvent | ToolCallEvent | FinishEvent<C>;

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
  /** One score per conversation, in order; each conversation ends with the answer being judged. */
  score(conversations: Message[][], options?: CallOptions): Promise<Score[]>;
}

/** Judges the last turn of a conversation (a user turn on input, an assistant turn on output). */
export interface Guard {
  /** The verdict on the conversation's last turn. */
  check(conversation: Message[], options?: CallOptions): Promise<Verdict>;
}
