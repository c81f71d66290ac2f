import type { ResponseMeta } from './completion.js';
import { SSEFramer, type SSEFramerOptions } from './sse-framer.js';

/** Options of {@link toSSE}. */
export interface ToSSEOptions extends SSEFramerOptions {
  /** An event already read from `events` (a handler reads one before answering, to catch early failures). */
  first?: IteratorResult<{ type: string }>;
  /** Turns a failure into a last line (an SSE error event) instead of throwing it. */
  onFailure?: (error: unknown) => string;
}

/**
 * Turns a model's event stream into OpenAI SSE text, one string per event that adds chunks:
 * `text-delta` as `delta.content`, `reasoning-delta` as `delta.reasoning_content`, tool calls as
 * `delta.tool_calls` (a call's first piece carries its index, id, type and name, later pieces
 * argument text; a model that only emits whole `tool-call` events gets the call sent as a first
 * piece and then its arguments). Other events (a pipeline's progress events) are skipped. When the
 * final completion extends what was streamed (a middleware that buffers, or a refusal), the rest
 * of its text, reasoning and tool calls is sent before the finish, so the streamed pieces always
 * add up to the completion. Ends with `data: [DONE]`; a stream that ends without `finish` fails
 * with a StreamError (truncated). Closing the generator early closes the model stream (which
 * aborts the model call).
 *
 * @example
 * for await (const text of toSSE(model.stream(request), createResponseMeta(request.model), false)) res.write(text);
 */
export async function* toSSE(events: AsyncIterable<{ type: string }>, meta: ResponseMeta, includeUsage: boolean, options: ToSSEOptions = {}): AsyncGenerator<string, void, undefined> {
  const iterator = events[Symbol.asyncIterator]();
  const framer = new SSEFramer(meta, includeUsage, options);
  let done = false;
  try {
    yield framer.head();
    // One generator for reading, framing and failure handling: each extra layer costs a hop per delta.
    for (let r = options.first ?? (await iterator.next()); !r.done; r = await iterator.next()) {
      const text = framer.push(r.value);
      if (text !== '') yield text;
    }
    done = true;
    framer.end();
  } catch (error) {
    if (!options.onFailure) throw error;
    yield options.onFailure(error);
  } finally {
    if (!done) await iterator.return?.();
  }
}
