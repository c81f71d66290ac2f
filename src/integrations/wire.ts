// rewardgate/wire: the OpenAI chat-completions wire format, for any fetch-style server (Web
// Request in, Response out; no Node imports). rewardgate/next and rewardgate/express are built on it.
export { createChatHandler } from './wire/chat-handler.js';
export { OpenAIChatBodySchema, toChatRequest } from './wire/request.js';
export { createResponseMeta, toChatCompletion } from './wire/completion.js';
export { toSSE } from './wire/to-sse.js';
export { toWireError } from './wire/errors.js';
export { AnswerTooLargeError } from './wire/answer-limit.js';
export type { OpenAIChatBody, WireRequest } from './wire/request.js';
export type { ChatCompletionFrame, OpenAIChatCompletion, OpenAIFinishReason, OpenAIUsage, ResponseMeta, RewardgateField, WireCompletion, WireReportOptions } from './wire/completion.js';
export type { OpenAIAssistantMessage, OpenAIDelta, OpenAIToolCall, OpenAIToolCallDelta } from '../wire/openai-shape.js';
export type { OpenAIChatCompletionChunk } from './wire/chunks.js';
export type { ToSSEOptions } from './wire/to-sse.js';
export type { OpenAIErrorBody, WireError, WireErrorOptions } from './wire/errors.js';
export type { AnyChatModel, ChatWireOptions, ModelSource } from './wire/run-chat.js';
export type { GuardedCompletion, Report } from '../pipeline/types.js';
