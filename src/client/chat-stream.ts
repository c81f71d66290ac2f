import type { EventSourceMessage } from 'eventsource-parser';
import { APIError, StreamError, UserAbortError } from '../errors.js';
import type { StreamEvent } from '../interfaces.js';
import { toTransportError } from '../http/transport-error.js';
import { readSSE } from '../http/sse.js';
import { tryParse } from '../internal/validate.js';
import type { Transport } from '../http/transport.js';
import { WireChunkSchema, type WireChunk } from '../wire/openai-shape.js';
import { StreamAccumulator } from './stream-accumulator.js';
import { isWireChunk } from './wire-check.js';

/**
 * Streams a chat completion: text, reasoning and tool-call events, then one finish event. A stream that ends without
 * `[DONE]` and without a finish reason is a StreamError('truncated'); an error event is an APIError.
 */
export async function* streamChat(
  transport: Transport,
  body: Record<string, unknown>,
  signal: AbortSignal | undefined,
  maxBufferSize: number | undefined,
): AsyncGenerator<StreamEvent> {
  const call = await transport.open({ method: 'post', path: 'chat/completions', body, signal, stream: true });
  const { firstChunkMs, idleMs } = transport.timeouts;
  const acc = new StreamAccumulator();
  const out: StreamEvent[] = [];
  let sawDone = false;
  let completed = false;
  // Only data events reset the deadlines: keep-alive comments never reach this loop. Re-arming
  // only moves a number; the call's one timer re-checks when it fires.
  const { scope } = call;
  const redact = <T>(value: T): T => transport.redact(value);
  scope.arm('first-chunk', firstChunkMs);
  try {
    if (!call.response.body) throw new StreamError('truncated', `The stream from ${call.url} has no body`);
    for await (const message of readSSE(call.response.body, { signal: call.link.signal, maxBufferSize })) {
      scope.disarm();
      if (message.data.trim() === '[DONE]') {
        sawDone = true;
        break;
      }
      acc.add(parseChunk(message, call.requestId, redact), out);
      for (const event of out) yield event;
      out.length = 0;
      // Armed after the yield: a slow consumer is not an idle server.
      scope.arm('idle', idleMs);
    }
    scope.disarm();
    acc.finish(sawDone, call.url, out);
    completed = true;
    for (const event of out) yield event;
  } catch (error) {
    throw toTransportError(error, call.link.signal, call.url);
  } finally {
    scope.disarm();
    // Breaking out of the loop (or a failure) aborts the HTTP request.
    if (!completed) call.link.abort(new UserAbortError('the stream was closed before its end'));
    call.close();
  }
}

/** @internal One SSE message of a chat stream as a chunk; an error event or body is the APIError for it. */
export function parseChunk(message: EventSourceMessage, requestId: string | undefined, redact: <T>(value: T) => T): WireChunk {
  let json: unknown;
  try {
    json = JSON.parse(message.data);
  } catch {
    if (message.event === 'error') throw APIError.generate(500, redact(message.data), requestId);
    // No JSON.parse error as the cause: it quotes the data, cut where a masked key would show in part.
    throw new StreamError('malformed', `Stream data is not JSON: ${redact(message.data).slice(0, 80)}`);
  }
  const errorBody = message.event === 'error' ? json : (json as { error?: unknown } | null)?.error != null ? json : undefined; // `"error": null` is no error
  if (errorBody !== undefined) throw APIError.generate(statusOf(errorBody), redact(errorBody), requestId);
  if (isWireChunk(json)) return json;
  const parsed = tryParse(WireChunkSchema, json);
  if (!parsed.success) throw new StreamError('malformed', `Unexpected stream chunk shape: ${redact(message.data).slice(0, 80)}`, { cause: parsed.error });
  return parsed.data;
}

// Error events carry the status in `error.code` (vLLM), `status` (problem details) or not at all.
export function statusOf(body: unknown): number {
  const b = body as { status?: unknown; code?: unknown; error?: { code?: unknown; status?: unknown } } | null;
  for (const c of [b?.error?.code, b?.error?.status, b?.status, b?.code]) {
    const n = typeof c === 'string' ? Number(c) : c;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 400 && n < 600) return n;
  }
  return 500;
}
