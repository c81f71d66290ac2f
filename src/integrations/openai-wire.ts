// The OpenAI chat-completions wire format, shared by the web handler, the Next.js and Express
// integrations and the guard proxy (src/server). Each piece lives in wire/ (the shape itself, shared
// with the client, in src/wire/); this file gathers them.
export { OpenAIChatBodySchema, toChatRequest } from './wire/request.js';
export type { OpenAIChatBody, WireRequest } from './wire/request.js';
export { assistantMessage, chatCompletionFrame, createResponseMeta, rewardgateField, toChatCompletion, toOpenAIFinishReason, toOpenAIUsage } from './wire/completion.js';
export type { ChatCompletionFrame, OpenAIAssistantMessage, OpenAIChatCompletion, OpenAIFinishReason, OpenAIUsage, ResponseMeta, RewardgateField, WireCompletion } from './wire/completion.js';
export type { OpenAIDelta, OpenAIToolCall, OpenAIToolCallDelta } from '../wire/openai-shape.js';
export { SSE_DONE, deltaChunk, finishChunks, roleChunk, sseData, toolCallChunk } from './wire/chunks.js';
export { toSSE } from './wire/to-sse.js';
export type { OpenAIChatCompletionChunk } from './wire/chunks.js';
export { toWireError, wireError } from './wire/errors.js';
export type { OpenAIErrorBody, WireError } from './wire/errors.js';
export { BodyError, DEFAULT_MAX_BODY_BYTES, parseJsonBody, readWebBody, tooLarge } from './wire/read-body.js';
export { errorResult, modelResolver, runChat } from './wire/run-chat.js';
export type { AnyChatModel, ChatResult, ChatWireOptions, ModelSource } from './wire/run-chat.js';
export { SSE_HEADERS, createChatHandler } from './wire/chat-handler.js';
export { describeError, redactCredentials, reportError } from './wire/report-error.js';
// Node-only readers and writers (type-only Node imports) for node:http servers: Express and the guard proxy.
export { readNodeBody } from './wire/read-node-body.js';
export { writeNodeJson, writeNodeResult } from './wire/write-node-result.js';
export type { WriteNodeOptions } from './wire/write-node-result.js';
