// rewardgate/express: an Express 5 route handler that runs a pipeline on OpenAI-style bodies.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { UserAbortError } from '../errors.js';
import { BodyError, DEFAULT_MAX_BODY_BYTES, parseJsonBody } from './wire/read-body.js';
import { readNodeBody } from './wire/read-node-body.js';
import { errorResult, modelResolver, runChat, type ChatResult, type ChatWireOptions, type ModelSource } from './wire/run-chat.js';
import { writeNodeResult } from './wire/write-node-result.js';

export type { ChatWireOptions, ModelSource } from './wire/run-chat.js';
export type { GuardedCompletion, Report } from '../pipeline/types.js';

/** Options of {@link createChatRoute}. */
export interface ChatRouteOptions extends ChatWireOptions {
  /** The model to answer with: usually a `pipeline(...)`, or a function that makes it on first use. */
  model: ModelSource;
}

/**
 * An Express 5 handler for OpenAI chat-completions bodies: answers `chat.completion` JSON, or
 * SSE chunks when the body says `stream: true`, with the pipeline report in a `rewardgate`
 * field. Works with or without `express.json()` in front (without it the body is read here,
 * size-limited). Tool calls, reasoning and logprobs pass both ways in OpenAI's format. Bad bodies
 * get OpenAI-style 400s, an upstream 4xx its own status, other upstream failures 502/504. When the client
 * disconnects, the model call is cancelled.
 *
 * @example
 * const app = express();
 * app.post('/v1/chat/completions', createChatRoute({ model: pipeline(model, [safety({ guard })]) }));
 */
export function createChatRoute(options: ChatRouteOptions): RequestHandler {
  const getModel = modelResolver(options.model);
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return async function rewardgateChatRoute(req: Request, res: Response, next: NextFunction): Promise<void> {
    const controller = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) controller.abort(new UserAbortError('client disconnected'));
    };
    res.once('close', onClose);
    try {
      let result: ChatResult;
      let headers: Record<string, string> = {};
      try {
        const body = await bodyOf(req, limit);
        result = await runChat(await getModel(), body, controller.signal, options);
      } catch (error) {
        // The client left while sending its body: nothing to answer, and no server-side failure to report.
        if (!(error instanceof BodyError) && controller.signal.aborted) return;
        result = error instanceof BodyError ? { kind: 'json', status: error.wire.status, body: error.wire.body } : errorResult(error, options);
        // A body too large to drain: the 413 goes out, then the connection closes.
        if (error instanceof BodyError && error.closeConnection) headers = { connection: 'close' };
      }
      await writeNodeResult(res, result, { headers });
    } catch (error) {
      next(error);
    } finally {
      res.off('close', onClose);
    }
  };
}

// Uses what a body parser left (`express.json()`, `express.text()`, `express.raw()`), else reads it here.
async function bodyOf(req: Request, limit: number): Promise<unknown> {
  const parsed: unknown = req.body;
  if (parsed === undefined) return parseJsonBody(await readNodeBody(req, limit));
  if (typeof parsed === 'string') return parseJsonBody(parsed);
  if (parsed instanceof Uint8Array) return parseJsonBody(new TextDecoder().decode(parsed));
  return parsed;
}
