import { errorResult, modelResolver, runChat, type ChatResult, type ChatWireOptions, type ModelSource } from './run-chat.js';
import { toWireError, wireError } from './errors.js';
import { BodyError, DEFAULT_MAX_BODY_BYTES, parseJsonBody, readWebBody } from './read-body.js';
import { UserAbortError } from '../../errors.js';

/** Headers of an SSE answer; `x-accel-buffering` stops nginx from holding chunks back. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
};

const encoder = new TextEncoder();

/**
 * A web-standard `POST /v1/chat/completions` handler (Request in, Response out) for any runtime
 * with fetch: Next.js, Hono, Bun, Deno, Cloudflare Workers, or node:http through an adapter.
 * It reads an OpenAI body (size-limited), runs `model` (a pipeline or any ChatModel) and answers
 * `chat.completion` JSON or `chat.completion.chunk` SSE ending in `data: [DONE]`, with the
 * pipeline's report in a `rewardgate` field (in the last chunk when streaming). The report is
 * not sent as a header: it can be large, and a stream's headers leave before it exists.
 * The request's signal (client disconnect) and a cancelled response body abort the model call.
 *
 * @example
 * const handle = createChatHandler(pipeline(model, [safety({ guard })]));
 * Bun.serve({ fetch: handle });
 */
export function createChatHandler(model: ModelSource, options: ChatWireOptions = {}): (request: Request) => Promise<Response> {
  const getModel = modelResolver(model);
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return async function chatHandler(request: Request): Promise<Response> {
    if (request.method !== 'POST') {
      const { status, body } = wireError(405, `Method ${request.method} not allowed; use POST`, 'invalid_request_error', 'method_not_allowed');
      return Response.json(body, { status, headers: { allow: 'POST' } });
    }
    const controller = new AbortController();
    const onAbort = () => controller.abort(request.signal.reason);
    if (request.signal.aborted) onAbort();
    else request.signal.addEventListener('abort', onAbort, { once: true });
    const release = () => request.signal.removeEventListener('abort', onAbort);
    let result: ChatResult;
    try {
      const body = parseJsonBody(await readWebBody(request, limit));
      result = await runChat(await getModel(), body, controller.signal, options);
    } catch (error) {
      if (error instanceof BodyError) result = { kind: 'json', status: error.wire.status, body: error.wire.body };
      // A body that failed because the client left is a 499, not a server-side failure to report.
      else if (controller.signal.aborted) result = { kind: 'json', ...toWireError(new UserAbortError(controller.signal.reason)) };
      else result = errorResult(error, options);
    }
    if (result.kind === 'json') {
      release();
      return Response.json(result.body, { status: result.status, headers: result.headers });
    }
    return new Response(toReadable(result.chunks, controller, release), { status: 200, headers: SSE_HEADERS });
  };
}

// Pull-based, so a slow client slows the model instead of filling memory.
function toReadable(chunks: AsyncGenerator<string, void, undefined>, controller: AbortController, release: () => void): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(stream) {
      try {
        const next = await chunks.next();
        if (next.done) {
          release();
          stream.close();
        } else stream.enqueue(encoder.encode(next.value));
      } catch (error) {
        release();
        stream.error(error);
      }
    },
    async cancel(reason) {
      controller.abort(reason);
      release();
      await chunks.return();
    },
  });
}
