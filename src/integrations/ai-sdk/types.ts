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
/** The result of `doGenerate`. */
export type AIGenerateResult = Awaited<ReturnType<AIModel['doGenerate']>>;
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
