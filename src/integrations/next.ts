// rewardgate/next: App Router route handlers. Web Request in, Response out; no Node imports, so
// the same handler runs on the Node.js and the edge runtime.
import { createChatHandler } from './wire/chat-handler.js';
import type { ChatWireOptions, ModelSource } from './wire/run-chat.js';

export { createChatHandler } from './wire/chat-handler.js';
export type { AnyChatModel, ChatWireOptions, ModelSource } from './wire/run-chat.js';
export type { OpenAIChatCompletion, RewardgateField } from './wire/completion.js';
export type { OpenAIChatCompletionChunk } from './wire/chunks.js';
export type { OpenAIAssistantMessage, OpenAIDelta, OpenAIToolCall, OpenAIToolCallDelta } from '../wire/openai-shape.js';
export type { OpenAIErrorBody } from './wire/errors.js';
export type { GuardedCompletion, Report } from '../pipeline/types.js';

/** Options of {@link createRouteHandler}. */
export interface RouteHandlerOptions extends ChatWireOptions {
  /**
   * The model to answer with: usually a `pipeline(...)`. Pass a function to build it on the first
   * request instead of at import time (`next build` imports route modules to collect their config).
   */
  model: ModelSource;
}

/**
 * A Next.js App Router `POST` handler speaking the OpenAI chat-completions wire format: JSON, or
 * SSE when the body says `stream: true`, with the pipeline report in a `rewardgate` field.
 * The request's signal (the browser went away) cancels the model call.
 *
 * @example
 * // app/api/chat/route.ts
 * import { createRouteHandler } from 'rewardgate/next';
 * export const POST = createRouteHandler({ model: () => pipeline(model, [safety({ guard })]) });
 */
export function createRouteHandler(options: RouteHandlerOptions): (request: Request) => Promise<Response> {
  const { model, ...rest } = options;
  return createChatHandler(model, rest);
}
