import { StreamError } from '../errors.js';
import type { FinishEvent, StreamEvent } from '../interfaces.js';
import type { Completion, TokenLogprob, ToolCall, Usage } from '../types.js';
import type { WireChunk, WireToolCallDelta } from '../wire/openai-shape.js';
import { toFinishReason, toUsage } from '../wire/openai-maps.js';

interface PendingCall {
  id: string | undefined;
  name: string;
  args: string;
}

/**
 * Folds OpenAI stream chunks into events and the final completion; shared by the client and
 * `fromOpenAI`. Tool calls arrive by `index` (id and name first, arguments in pieces): each piece
 * is a `tool-call-delta`, and every call becomes one `tool-call` event once the stream says the
 * calls are complete (its finish reason, or its end).
 */
export class StreamAccumulator {
  #text = '';
  #reasoning = '';
  #finish: string | undefined;
  #usage: Usage | undefined;
  #id: string | undefined;
  #model: string | undefined;
  #calls: PendingCall[] | undefined;
  readonly #positions = new Map<number, number>(); // the server's call index -> its position
  #logprobs: TokenLogprob[] | undefined;
  #callsEmitted = false;

  /** Adds one chunk; its events go to `out` (cleared by the caller). */
  add(chunk: WireChunk, out: StreamEvent[]): void {
    this.#id ??= chunk.id;
    this.#model ??= chunk.model;
    // Some hosted streams report usage on several chunks: the last one wins.
    if (chunk.usage) this.#usage = toUsage(chunk.usage);
    const choice = chunk.choices?.[0];
    if (!choice) return;
    const delta = choice.delta;
    if (delta) {
      const reasoning = delta.reasoning_content ?? delta.reasoning;
      if (reasoning) {
        this.#reasoning += reasoning;
        out.push({ type: 'reasoning-delta', text: reasoning });
      }
      if (delta.content) {
        this.#text += delta.content;
        out.push({ type: 'text-delta', text: delta.content });
      }
      if (delta.tool_calls) for (const piece of delta.tool_calls) this.#addCallPiece(piece, out);
    }
    if (choice.logprobs?.content) (this.#logprobs ??= []).push(...choice.logprobs.content);
    if (choice.finish_reason) {
      this.#finish = choice.finish_reason;
      this.#emitCalls(out);
    }
  }

  #addCallPiece(piece: WireToolCallDelta, out: StreamEvent[]): void {
    const calls = (this.#calls ??= []);
    const index = this.#position(piece, calls);
    const call = (calls[index] ??= { id: undefined, name: '', args: '' });
    const event: StreamEvent = { type: 'tool-call-delta', index, argumentsDelta: piece.function?.arguments ?? '' };
    if (piece.id && call.id === undefined) call.id = event.id = piece.id;
    // Names come whole on a call's first piece; some servers repeat them on later pieces.
    if (piece.function?.name && call.name === '') call.name = event.name = piece.function.name;
    call.args += event.argumentsDelta;
    out.push(event);
  }

  // A call's position among the calls, counted from 0 in the order they start. Servers that
  // number from 1 or skip indexes would otherwise give pieces an index no whole call has; a new
  // id starts a new call even on an index in use (Ollama and some Gemini bridges number every
  // parallel call 0), and the open call's id repeated without an index continues it.
  #position(piece: WireToolCallDelta, calls: readonly PendingCall[]): number {
    const count = calls.length;
    if (piece.index === undefined) {
      if (piece.id && calls[count - 1]?.id === piece.id) return count - 1;
      return piece.id || piece.function?.name ? count : Math.max(0, count - 1);
    }
    const at = this.#positions.get(piece.index);
    const other = at !== undefined && !!piece.id && calls[at]!.id !== undefined && calls[at]!.id !== piece.id;
    if (at !== undefined && !other) return at;
    this.#positions.set(piece.index, count);
    return count;
  }

  #emitCalls(out: StreamEvent[]): void {
    if (this.#callsEmitted || !this.#calls) return;
    this.#callsEmitted = true;
    this.toolCalls().forEach((toolCall, index) => out.push({ type: 'tool-call', index, toolCall }));
  }

  /** The tool calls seen so far, whole, in the order they started. */
  toolCalls(): ToolCall[] {
    const calls: ToolCall[] = [];
    (this.#calls ?? []).forEach((c, i) => {
      if (c) calls.push({ id: c.id ?? `call_${i}`, type: 'function', function: { name: c.name, arguments: c.args } });
    });
    return calls;
  }

  /**
   * The events that end the stream: calls not yet emitted, then `finish`. Without `[DONE]` and
   * without a finish reason the stream was truncated.
   */
  finish(sawDone: boolean, source: string, out: StreamEvent[]): FinishEvent {
    if (!sawDone && !this.#finish) throw new StreamError('truncated', `The stream from ${source} ended without [DONE] or a finish reason`);
    this.#emitCalls(out);
    const completion: Completion = { text: this.#text, finishReason: toFinishReason(this.#finish) };
    if (this.#id !== undefined) completion.id = this.#id;
    if (this.#model !== undefined) completion.model = this.#model;
    const toolCalls = this.toolCalls();
    if (toolCalls.length) completion.toolCalls = toolCalls;
    if (this.#reasoning) completion.reasoning = this.#reasoning;
    if (this.#logprobs) completion.logprobs = { content: this.#logprobs };
    if (this.#usage) completion.usage = this.#usage;
    const event: FinishEvent = { type: 'finish', completion };
    out.push(event);
    return event;
  }
}
