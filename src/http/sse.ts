import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { StreamError } from '../errors.js';

/** Default cap on one buffered SSE line or event, in characters (1 MiB). */
export const DEFAULT_MAX_SSE_BUFFER = 1 << 20;

export interface ReadSSEOptions {
  /** Aborting it stops the read and cancels the body. */
  signal?: AbortSignal | undefined;
  /** Longest line / event buffered before a StreamError('buffer-exceeded'). */
  maxBufferSize?: number;
}

/**
 * Reads server-sent events from a byte stream with eventsource-parser. Bytes are decoded with a
 * streaming TextDecoder, so a multibyte character split across chunks comes out whole; comments
 * (keep-alives) are dropped. The body is cancelled when the loop ends early or fails.
 */
export async function* readSSE(body: ReadableStream<Uint8Array>, options: ReadSSEOptions = {}): AsyncGenerator<EventSourceMessage> {
  const queue: EventSourceMessage[] = [];
  let failure: StreamError | undefined;
  const maxBufferSize = options.maxBufferSize ?? DEFAULT_MAX_SSE_BUFFER;
  const parser = createParser({
    maxBufferSize,
    onEvent: (event) => queue.push(event),
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') {
        failure ??= new StreamError('buffer-exceeded', `An SSE line or event exceeded ${maxBufferSize} characters`, { cause: error });
      }
      // Unknown fields and bad `retry:` values are ignored, as the SSE spec says.
    },
  });
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const reader = body.getReader();
  const { signal } = options;
  // One listener for the whole stream (not a race per read): an abort cancels the reader, which
  // ends a pending read at once, and the loop then throws the signal's reason.
  const onAbort = () => void reader.cancel(signal!.reason).catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  let finished = false;
  try {
    signal?.throwIfAborted();
    for (;;) {
      const chunk = await reader.read();
      signal?.throwIfAborted();
      if (chunk.done) {
        // An event cut off before its blank line is dropped, as the SSE spec says; the caller
        // then sees a stream without its end (truncated).
        parser.feed(decoder.decode());
      } else {
        parser.feed(decoder.decode(chunk.value, { stream: true }));
      }
      if (failure) throw failure;
      while (queue.length > 0) yield queue.shift()!;
      if (chunk.done) {
        finished = true;
        return;
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
