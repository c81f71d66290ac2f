import { UserAbortError } from '../../errors.js';
import type { LinkedAbort } from '../../internal/merge-abort-signals.js';
import type { GuardedCompletion, PipelineEvent } from '../../pipeline/types.js';
import { toAIFinishReason, toAIUsage } from './finish.js';
import type { AIGenerateResult, AIStreamPart, AIWarning } from './types.js';

type ProviderMetadata = NonNullable<AIGenerateResult['providerMetadata']>;

/** `providerMetadata.rewardgate`: whether the pipeline refused, and its report (plain JSON). */
export function rewardgateMetadata(completion: GuardedCompletion): ProviderMetadata {
  return { rewardgate: { refused: completion.refused, report: completion.report } } as unknown as ProviderMetadata;
}

/** A pipeline result as a `doGenerate` result. */
export function toGenerateResult(completion: GuardedCompletion, warnings: AIWarning[] = []): AIGenerateResult {
  const result: AIGenerateResult = {
    content: completion.text ? [{ type: 'text', text: completion.text }] : [],
    finishReason: toAIFinishReason(completion.finishReason),
    usage: toAIUsage(completion.usage),
    providerMetadata: rewardgateMetadata(completion),
    warnings,
  };
  if (completion.id || completion.model) result.response = { id: completion.id, modelId: completion.model };
  return result;
}

const TEXT_ID = 'rewardgate-text';

/**
 * A pipeline stream as AI SDK stream parts: `stream-start` (with the `warnings` of the model
 * calls, so sent once the pipeline has its first text, result or failure), one text block
 * (`text-start`, `text-delta`s, `text-end`), then `finish` with the report in `providerMetadata.rewardgate`.
 * If the final text extends what was streamed (a buffering middleware, a refusal), the rest
 * goes out as one delta first. A failure becomes an `error` part. Cancelling the readable
 * aborts `scope` (the pipeline call's signal), which stops the model calls, then closes the
 * pipeline stream; the scope is disposed once the stream is over.
 */
export function toStreamParts(events: AsyncIterable<PipelineEvent>, scope: LinkedAbort, warnings: AIWarning[] = []): ReadableStream<AIStreamPart> {
  const iterator = events[Symbol.asyncIterator]();
  let started = false;
  let streamed = '';
  let cancelled = false;
  let opened = false;
  const open = (controller: ReadableStreamDefaultController<AIStreamPart>) => {
    if (!opened) controller.enqueue({ type: 'stream-start', warnings: [...warnings] });
    opened = true;
  };
  return new ReadableStream<AIStreamPart>({
    async pull(controller) {
      try {
        for (;;) {
          const { done, value } = await iterator.next();
          if (done || value.type === 'text-delta' || value.type === 'finish') open(controller);
          if (done) {
            scope.dispose();
            controller.close();
            return;
          }
          if (value.type === 'text-delta') {
            if (!value.text) continue;
            if (!started) controller.enqueue({ type: 'text-start', id: TEXT_ID });
            started = true;
            streamed += value.text;
            controller.enqueue({ type: 'text-delta', id: TEXT_ID, delta: value.text });
            return;
          }
          if (value.type === 'finish') {
            finish(controller, value.completion);
            return;
          }
        }
      } catch (error) {
        scope.dispose();
        if (cancelled) return;
        open(controller);
        controller.enqueue({ type: 'error', error });
        controller.close();
      }
    },
    async cancel(reason) {
      cancelled = true;
      scope.abort(new UserAbortError(reason ?? 'stream cancelled'));
      await iterator.return?.();
      scope.dispose();
    },
  });

  function finish(controller: ReadableStreamDefaultController<AIStreamPart>, completion: GuardedCompletion) {
    const rest = completion.text.startsWith(streamed) ? completion.text.slice(streamed.length) : '';
    if (rest) {
      if (!started) controller.enqueue({ type: 'text-start', id: TEXT_ID });
      started = true;
      controller.enqueue({ type: 'text-delta', id: TEXT_ID, delta: rest });
    }
    if (started) controller.enqueue({ type: 'text-end', id: TEXT_ID });
    if (completion.id || completion.model) controller.enqueue({ type: 'response-metadata', id: completion.id, modelId: completion.model });
    controller.enqueue({ type: 'finish', finishReason: toAIFinishReason(completion.finishReason), usage: toAIUsage(completion.usage), providerMetadata: rewardgateMetadata(completion) });
  }
}
