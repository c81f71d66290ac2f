// rewardgate/ai-sdk: the pipeline as a Vercel AI SDK language model middleware.
import type { LanguageModelMiddleware } from 'ai';
import * as z from 'zod/mini';
import { validate } from '../internal/validate.js';
import { linkAbortSignals } from '../internal/merge-abort-signals.js';
import { MiddlewareSchema, PipelineOptionsSchema } from '../pipeline/middleware-schema.js';
import { pipeline } from '../pipeline/pipeline.js';
import type { GuardedCompletion, Middleware, PipelineOptions } from '../pipeline/types.js';
import { fromLanguageModel } from './ai-sdk/chat-model.js';
import { Provenance } from './ai-sdk/provenance.js';
import { toChatRequest } from './ai-sdk/request.js';
import { toGenerateResult } from './ai-sdk/results.js';
import { toStreamParts } from './ai-sdk/stream-parts.js';
import type { AICallOptions, AIModel, AIWarning } from './ai-sdk/types.js';

export type { GuardedCompletion, Report } from '../pipeline/types.js';

const OptionsSchema = z.extend(PipelineOptionsSchema, { middleware: z.array(MiddlewareSchema) });

/** Options of {@link rewardgate}. */
export interface RewardgateMiddlewareOptions extends PipelineOptions {
  /** The pipeline around the wrapped model, outermost first: `bestOfN`, `scoreThreshold`, `safety`... */
  middleware: Middleware[];
}

/**
 * A `LanguageModelMiddleware` (spec v4) that runs a rewardgate pipeline around any AI SDK model:
 * best-of-n, score thresholds and safety rails for `generateText` and `streamText`, also for
 * agents that call tools (each step of a `generateText` / `streamText` tool loop is one pipeline
 * call). The pipeline sees the call in the OpenAI shape (tools, tool calls, tool results,
 * reasoning, file parts); the wrapped model is called through it (several times for best-of-n,
 * with distinct seeds). The result carries `providerMetadata.rewardgate` = `{ refused, report }`
 * next to the model's own metadata. A refusal is a normal answer whose finish reason is
 * `content-filter`.
 *
 * @example
 * import { generateText, stepCountIs, tool, wrapLanguageModel } from 'ai';
 * const model = wrapLanguageModel({
 *   model: openai('gpt-4o-mini'),
 *   middleware: rewardgate({ middleware: [safety({ guard }), bestOfN({ n: 4, scorer })] }),
 * });
 * const { text, steps } = await generateText({ model, prompt: 'Weather in Paris?', tools: { weather }, stopWhen: stepCountIs(3) });
 */
export function rewardgate(options: RewardgateMiddlewareOptions): LanguageModelMiddleware {
  // Checked now rather than at the first call (an unknown key, such as the removed `tools`, too).
  validate(OptionsSchema, options, 'rewardgate() options');
  const { middleware, ...pipelineOptions } = options;

  // One AI SDK call: the pipeline around the wrapped model, and the record of the model's answers.
  const call = (model: AIModel, params: AICallOptions) => {
    const original = toChatRequest(params);
    const provenance = new Provenance();
    const warnings: AIWarning[] = [];
    const guarded = pipeline(fromLanguageModel(model, params, original, provenance, warnings), middleware, pipelineOptions);
    return { request: original.request, provenance, warnings, guarded };
  };

  return {
    specificationVersion: 'v4',
    async wrapGenerate({ params, model }) {
      const { request, provenance, warnings, guarded } = call(model, params);
      const completion: GuardedCompletion = await guarded.generate(request, { signal: params.abortSignal });
      return toGenerateResult(completion, provenance, warnings);
    },
    async wrapStream({ params, model }) {
      const { request, provenance, warnings, guarded } = call(model, params);
      // Our own scope under the caller's signal: cancelling the readable aborts the model calls at
      // once, even while the pipeline waits on them (closing its iterator alone would wait too).
      const scope = linkAbortSignals([params.abortSignal]);
      return { stream: toStreamParts(guarded.stream(request, { signal: scope.signal }), scope, provenance, warnings) };
    },
  };
}
