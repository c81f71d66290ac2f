// AI SDK types, derived from the one type `ai` exports for middleware, so that only `ai` (an
// optional peer) is needed, whichever @ai-sdk/provider version it brings.
import type { LanguageModelMiddleware } from 'ai';

type WrapGenerateArgs = Parameters<NonNullable<LanguageModelMiddleware['wrapGenerate']>>[0];

/** The wrapped language model (provider spec v4). */
export type AIModel = WrapGenerateArgs['model'];
/** Call options of one `doGenerate` / `doStream` call. */
export type AICallOptions = WrapGenerateArgs['params'];
/** The AI SDK prompt: system, user, assistant and tool messages with content parts. */
export type AIPrompt = AICallOptions['prompt'];
/** One message of the prompt. */
export type AIMessage = AIPrompt[number];
/** A part of an assistant message of the prompt (text, file, reasoning, tool call, tool result...). */
export type AIAssistantPart = Extract<AIMessage, { role: 'assistant' }>['content'][number];
/** A part of a tool message of the prompt (tool result, tool approval response). */
export type AIToolMessagePart = Extract<AIMessage, { role: 'tool' }>['content'][number];
/** A file part of the prompt. */
export type AIFilePart = Extract<AIAssistantPart, { type: 'file' }>;
/** A tool result part of the prompt. */
export type AIToolResultPart = Extract<AIToolMessagePart, { type: 'tool-result' }>;
/** A tool offered to the model (a function tool or a provider tool). */
export type AITool = NonNullable<AICallOptions['tools']>[number];
/** A function tool offered to the model. */
export type AIFunctionTool = Extract<AITool, { type: 'function' }>;
/** The call's `toolChoice`. */
export type AIToolChoice = NonNullable<AICallOptions['toolChoice']>;
/** The call's `responseFormat`. */
export type AIResponseFormat = NonNullable<AICallOptions['responseFormat']>;
/** The result of `doGenerate`. */
export type AIGenerateResult = Awaited<ReturnType<AIModel['doGenerate']>>;
/** One content part of a `doGenerate` result. */
export type AIContent = AIGenerateResult['content'][number];
/** A tool call of a result (its `input` is JSON text). */
export type AIToolCall = Extract<AIContent, { type: 'tool-call' }>;
/** The result of `doStream`. */
export type AIStreamResult = Awaited<ReturnType<AIModel['doStream']>>;
/** One part of a `doStream` stream. */
export type AIStreamPart = AIStreamResult['stream'] extends ReadableStream<infer P> ? P : never;
/** The unified finish reason. */
export type AIFinishReason = AIGenerateResult['finishReason'];
/** Token usage. */
export type AIUsage = AIGenerateResult['usage'];
/** A call warning (an unsupported setting...). */
export type AIWarning = AIGenerateResult['warnings'][number];
/** Provider metadata of a result or a part: `{ [provider]: { ... } }`. */
export type AIProviderMetadata = NonNullable<AIGenerateResult['providerMetadata']>;
