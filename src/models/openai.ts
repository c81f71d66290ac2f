// Any LLM behind the official `openai` package as a ChatModel. The client is typed structurally
// (OpenAIClientLike), so neither our code nor our published types need `openai` installed.
import * as z from 'zod/mini';
import { APIConnectionError, APIError, RewardgateError, StreamError, TimeoutError, UserAbortError } from '../errors.js';
import type { CallOptions, ChatModel, StreamEvent } from '../interfaces.js';
import { parseCompletion, toWireBody } from '../client/chat-wire.js';
import { WireChunkSchema, type WireChunk } from '../wire/openai-shape.js';
import { StreamAccumulator } from '../client/stream-accumulator.js';
import { statusOf } from '../client/chat-stream.js';
import { isWireChunk } from '../client/wire-check.js';
import { safeCause } from '../http/transport-error.js';
import { linkAbortSignals } from '../internal/merge-abort-signals.js';
import { redactSecret } from '../internal/redact-secret.js';
import { tryParse, validate } from '../internal/validate.js';
import { ChatRequestSchema, type ChatRequest, type Completion } from '../types.js';

/**
 * The part of an `openai` client that {@link fromOpenAI} uses; an `OpenAI` instance is one.
 * Structural, so that TypeScript users without `openai` installed can still type-check rewardgate.
 */
export interface OpenAIClientLike {
  /** `client.chat.completions.create`. */
  chat: {
    completions: {
      /** Creates a chat completion (or a stream of chunks). */
      create(body: never, options?: { signal?: AbortSignal }): PromiseLike<unknown>;
    };
  };
  apiKey?: unknown;
  timeout?: unknown;
}

type ErrorClass = abstract new (...args: never[]) => unknown;
// The error classes the openai package hangs on its client class (OpenAI.APIError...).
interface OpenAIErrorClasses {
  APIError?: ErrorClass;
  APIUserAbortError?: ErrorClass;
  APIConnectionError?: ErrorClass;
  APIConnectionTimeoutError?: ErrorClass;
}

/**
 * Options of {@link fromOpenAI}.
 * @example
 * const options: FromOpenAIOptions = { model: 'gpt-4o-mini' };
 */
export interface FromOpenAIOptions {
  /** The model used when a request names none. */
  model: string;
}

/**
 * Wraps an `openai` client (OpenAI, vLLM, NIM, Together...) as a ChatModel with the same
 * generate / stream contract as the rewardgate client; its errors are mapped onto ours.
 * @example
 * import OpenAI from 'openai';
 * const llm = fromOpenAI(new OpenAI({ baseURL: 'http://localhost:8000/v1', apiKey: 'x' }), { model: 'meta/llama-3.1-8b-instruct' });
 * const { text } = await llm.generate({ messages: [{ role: 'user', content: 'Hi' }] });
 */
export function fromOpenAI(client: OpenAIClientLike, options: FromOpenAIOptions): ChatModel {
  validate(FromOpenAIOptionsSchema, options, 'fromOpenAI options');
  const prepare = (request: ChatRequest) => {
    const valid = validate(ChatRequestSchema, request, 'chat request');
    return { ...valid, model: valid.model ?? options.model };
  };

  async function generate(request: ChatRequest, callOptions: CallOptions = {}): Promise<Completion> {
    const body = toWireBody(prepare(request), false);
    // A link of our own, disposed after the call, so the caller's signal keeps no listener.
    const link = linkAbortSignals([callOptions.signal]);
    try {
      link.signal.throwIfAborted();
      const answer = await client.chat.completions.create(body as never, { signal: link.signal });
      return parseCompletion(answer);
    } catch (error) {
      throw mapOpenAIError(client, error, link.signal);
    } finally {
      link.dispose();
    }
  }

  async function* stream(request: ChatRequest & { model: string }, callOptions: CallOptions = {}): AsyncGenerator<StreamEvent> {
    const link = linkAbortSignals([callOptions.signal]);
    let completed = false;
    try {
      link.signal.throwIfAborted();
      const chunks = await client.chat.completions.create(toWireBody(request, true) as never, { signal: link.signal });
      const acc = new StreamAccumulator();
      const out: StreamEvent[] = [];
      for await (const raw of chunks as unknown as AsyncIterable<unknown>) {
        acc.add(isWireChunk(raw) ? raw : parseChunk(raw), out);
        for (const event of out) yield event;
        out.length = 0;
      }
      // openai swallows [DONE], so only a finish reason proves the stream was complete.
      acc.finish(false, 'the openai client', out);
      completed = true;
      for (const event of out) yield event;
    } catch (error) {
      throw mapOpenAIError(client, error, link.signal);
    } finally {
      if (!completed) link.abort(new UserAbortError('the stream was closed before its end'));
      link.dispose();
    }
  }

  function parseChunk(raw: unknown): WireChunk {
    const chunk = tryParse(WireChunkSchema, raw);
    if (!chunk.success) throw new StreamError('malformed', 'Unexpected stream chunk shape from the openai client', { cause: chunk.error });
    return chunk.data;
  }

  return {
    generate,
    stream: (request, callOptions) => {
      const prepared = prepare(request);
      return stream(prepared, callOptions);
    },
  };
}

const FromOpenAIOptionsSchema = z.strictObject({ model: z.string().check(z.minLength(1)) });

/** Maps the openai package's errors onto the rewardgate hierarchy (the key is masked). */
function mapOpenAIError(client: OpenAIClientLike, error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return RewardgateError.isInstance(reason) ? reason : new UserAbortError(reason);
  }
  if (RewardgateError.isInstance(error)) return error;
  const classes = client.constructor as OpenAIErrorClasses;
  const secret = typeof client.apiKey === 'string' ? client.apiKey : undefined;
  const e = error as { status?: unknown; error?: unknown; requestID?: string | null; message?: string };
  if (classes.APIUserAbortError && error instanceof classes.APIUserAbortError) return new UserAbortError(safeCause(error));
  if (classes.APIConnectionTimeoutError && error instanceof classes.APIConnectionTimeoutError) {
    return new TimeoutError('total', typeof client.timeout === 'number' ? client.timeout : 0);
  }
  if (classes.APIConnectionError && error instanceof classes.APIConnectionError) {
    return new APIConnectionError(redactSecret(e.message ?? 'Connection failed', secret), { cause: safeCause(error) });
  }
  if (typeof e?.status === 'number') {
    return APIError.generate(e.status, redactSecret(e.error ?? e.message, secret), e.requestID ?? undefined);
  }
  // An error event inside a stream: openai throws its APIError without a status.
  if (classes.APIError && error instanceof classes.APIError) {
    const body = redactSecret(e.error ?? e.message, secret);
    return APIError.generate(statusOf(body), body, e.requestID ?? undefined);
  }
  // openai throws a bare SyntaxError on data that is not JSON; not kept as the cause, since a
  // JSON.parse message quotes the data, cut where a masked key would show in part.
  if (error instanceof SyntaxError) return new StreamError('malformed', 'The openai client received data that is not JSON');
  return error;
}
