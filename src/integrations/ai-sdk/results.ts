import type { GuardedCompletion, PipelineEvent } from '../../pipeline/types.js';
import { toAIFinishReason, toAIUsage } from './finish.js';
import type { AIGenerateResult, AIStreamPart } from './types.js';

type ProviderMetadata = NonNullable<AIGenerateResult['providerMetadata']>;

/** `providerMetadata.rewardgate`: whether the pipeline refused, and its report (plain JSON). */
export function rewardgateMetadata(completion: GuardedCompletion): ProviderMetadata {
  return { rewardgate: { refused: completion.refused, report: completion.report } } as unknown as ProviderMetadata;
}

/** A pipeline result as a `doGenerate` result. */
export function toGenerateResult(completion: GuardedCompletion): AIGenerateResult {
  const result: AIGenerateResult = {
    content: completion.text ? [{ type: 'text', text: completion.text }] : [],
    finishReason: toAIFinishReason(completion.finishReason),
    usage: toAIUsage(completion.usage),
    providerMetadata: rewardgateMetadata(completion),
    warnings: [],
  };
  if (completion.id || completion.model) result.response = { id: completion.id, modelId: completion.model };
  return result;
}

const TEXT_ID = 'rewardgate-text';

/**
 * A pipeline stream as AI SDK stream parts: `stream-start`, one text block (`text-start`,
 * `text-delta`s, `text-end`), then `finish` with the report in `providerMetadata.rewardgate`.
 * If the final text extends what was streamed (a buffering middleware, a refusal), the rest
 * goes out as one delta first. A failure becomes an `error` part. Cancelling the readable
 * closes the pipeline stream, which aborts the model calls.
 */
export function toStreamParts(events: AsyncIterable<PipelineEvent>): ReadableStream<AIStreamPart> {
  const iterator = events[Symbol.asyncIterator]();
  let started = false;
  let streamed = '';
  return new ReadableStream<AIStreamPart>({
    start(controller) {
      controller.enqueue({ type: 'stream-start', warnings: [] });
    },
    async pull(controller) {
      try {
        for (;;) {
          const { done, value } = await iterator.next();
          if (done) {
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
        controller.enqueue({ type: 'error', error });
        controller.close();
      }
    },
    async cancel() {
      await iterator.return?.();
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
