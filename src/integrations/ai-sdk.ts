// rewardgate/ai-sdk: the pipeline as a Vercel AI SDK language model middleware.
import type { LanguageModelMiddleware } from 'ai';
import { ValidationError } from '../errors.js';
import { z } from 'zod';
import { validate } from '../internal/validate.js';
import { linkAbortSignals } from '../internal/merge-abort-signals.js';
import { MiddlewareSchema, PipelineOptionsSchema } from '../pipeline/middleware-schema.js';
import { pipeline } from '../pipeline/pipeline.js';
import type { GuardedCompletion, Middleware, PipelineOptions } from '../pipeline/types.js';
import { fromLanguageModel } from './ai-sdk/chat-model.js';
import { toMessages } from './ai-sdk/prompt.js';
import { toGenerateResult, toStreamParts } from './ai-sdk/results.js';
import type { AICallOptions, AIWarning } from './ai-sdk/types.js';
import type { ChatRequest } from '../types.js';

export type { GuardedCompletion, Report } from '../pipeline/types.js';

const OptionsSchema = PipelineOptionsSchema.extend({ middleware: z.array(MiddlewareSchema), tools: z.enum(['error', 'bypass']).optional() });

/** Options of {@link rewardgate}. */
export interface RewardgateMiddlewareOptions extends PipelineOptions {
  /** The pipeline around the wrapped model, outermost first: `bestOfN`, `scoreThreshold`, `safety`... */
  middleware: Middleware[];
  /**
   * Calls that offer tools: `'error'` (default) refuses them, since tool calls cannot be scored or
   * guarded as text; `'bypass'` sends them straight to the model, unguarded.
   */
  tools?: 'error' | 'bypass';
}

/**
 * A `LanguageModelMiddleware` (spec v4) that runs a rewardgate pipeline around any AI SDK model:
 * best-of-n, score thresholds and safety rails for `generateText` and `streamText`. The wrapped
 * model is called through the pipeline (several times for best-of-n, with distinct seeds); the
 * result carries `providerMetadata.rewardgate` = `{ refused, report }`. A refusal is a normal
 * answer whose finish reason is `content-filter`.
 *
 * @example
 * import { generateText, wrapLanguageModel } from 'ai';
 * const model = wrapLanguageModel({
 *   model: openai('gpt-4o-mini'),
 *   middleware: rewardgate({ middleware: [safety({ guard }), bestOfN({ n: 4, scorer })] }),
 * });
 * const { text, providerMetadata } = await generateText({ model, prompt: 'Hi' });
 */
export function rewardgate(options: RewardgateMiddlewareOptions): LanguageModelMiddleware {
  const { middleware, tools = 'error', ...pipelineOptions } = options;
  // Checked now rather than at the first call.
  validate(OptionsSchema, options, 'rewardgate() options');

  const requestOf = (params: AICallOptions): ChatRequest | undefined => {
    if (params.tools?.length) {
      if (tools === 'bypass') return undefined;
      throw new ValidationError('AI SDK call', [{ path: 'tools', message: 'tool calls cannot pass the rewardgate pipeline (set tools: "bypass" to send them unguarded)' }]);
    }
    const request: ChatRequest = { messages: toMessages(params.prompt) };
    if (params.temperature !== undefined) request.temperature = params.temperature;
    if (params.topP !== undefined) request.top_p = params.topP;
    if (params.maxOutputTokens !== undefined) request.max_tokens = params.maxOutputTokens;
    if (params.seed !== undefined) request.seed = params.seed;
    if (params.stopSequences?.length) request.stop = params.stopSequences;
    return request;
  };

  return {
    specificationVersion: 'v4',
    async wrapGenerate({ doGenerate, params, model }) {
      const request = requestOf(params);
      if (!request) return doGenerate();
      const warnings: AIWarning[] = [];
      const guarded = pipeline(fromLanguageModel(model, params, warnings), middleware, pipelineOptions);
      const completion: GuardedCompletion = await guarded.generate(request, { signal: params.abortSignal });
      return toGenerateResult(completion, warnings);
    },
    async wrapStream({ doStream, params, model }) {
      const request = requestOf(params);
      if (!request) return doStream();
      const warnings: AIWarning[] = [];
      const guarded = pipeline(fromLanguageModel(model, params, warnings), middleware, pipelineOptions);
      // Our own scope under the caller's signal: cancelling the readable aborts the model calls at
      // once, even while the pipeline waits on them (closing its iterator alone would wait too).
      const scope = linkAbortSignals([params.abortSignal]);
      return { stream: toStreamParts(guarded.stream(request, { signal: scope.signal }), scope, warnings) };
    },
  };
}
