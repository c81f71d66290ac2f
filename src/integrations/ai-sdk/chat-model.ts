import { StreamError } from '../../errors.js';
import type { CallOptions, ChatModel, StreamEvent } from '../../interfaces.js';
import type { ChatRequest, Completion } from '../../types.js';
import { completionOf, fromAIFinishReason, fromAIUsage } from './finish.js';
import { sameMessages, toMessages, toPrompt } from './prompt.js';
import type { AICallOptions, AIModel, AIStreamPart, AIWarning } from './types.js';

/**
 * The wrapped AI SDK model as a rewardgate ChatModel for one call: `base` holds the call's own
 * options (tools, provider options, headers), and each pipeline request overrides the sampling
 * settings (best-of-n varies the seed, a retry may change the temperature). The calls' warnings
 * are collected into `warnings`.
 */
export function fromLanguageModel(model: AIModel, base: AICallOptions, warnings: AIWarning[] = []): ChatModel {
  // Every call's warnings (unsupported settings...), once each, for the caller's result.
  const warn = (list: readonly AIWarning[] | undefined) => {
    for (const w of list ?? []) if (!warnings.some((seen) => JSON.stringify(seen) === JSON.stringify(w))) warnings.push(w);
  };
  const original = toMessages(base.prompt);
  const paramsFor = (request: ChatRequest, options: CallOptions): AICallOptions => {
    const params: AICallOptions = { ...base, abortSignal: options.signal ?? base.abortSignal };
    if (!sameMessages(request.messages, original)) params.prompt = toPrompt(request.messages);
    if (request.temperature !== undefined) params.temperature = request.temperature;
    if (request.top_p !== undefined) params.topP = request.top_p;
    if (request.max_tokens !== undefined) params.maxOutputTokens = request.max_tokens;
    if (request.seed !== undefined) params.seed = request.seed;
    if (request.stop !== undefined) params.stopSequences = typeof request.stop === 'string' ? [request.stop] : request.stop;
    return params;
  };

  return {
    async generate(request, options = {}) {
      const result = await model.doGenerate(paramsFor(request, options));
      warn(result.warnings);
      let text = '';
      for (const part of result.content) if (part.type === 'text') text += part.text;
      return completionOf(text, fromAIFinishReason(result.finishReason), fromAIUsage(result.usage), result.response?.id, result.response?.modelId);
    },

    async *stream(request, options = {}): AsyncGenerator<StreamEvent> {
      const { stream } = await model.doStream(paramsFor(request, options));
      const reader = stream.getReader();
      let text = '';
      let id: string | undefined;
      let modelId: string | undefined;
      let finished: Completion | undefined;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          const part: AIStreamPart = value;
          if (part.type === 'text-delta') {
            text += part.delta;
            yield { type: 'text-delta', text: part.delta };
          } else if (part.type === 'stream-start') {
            warn(part.warnings);
          } else if (part.type === 'response-metadata') {
            id ??= part.id;
            modelId ??= part.modelId;
          } else if (part.type === 'error') {
            throw part.error;
          } else if (part.type === 'finish') {
            finished = completionOf(text, fromAIFinishReason(part.finishReason), fromAIUsage(part.usage), id, modelId);
          }
        }
      } finally {
        // Stopped early (a best-of-n loser, a blocked stream): tell the provider to stop too.
        if (!finished) await reader.cancel().catch(() => {});
        reader.releaseLock();
      }
      if (!finished) throw new StreamError('truncated', 'The AI SDK model stream ended without a finish part');
      yield { type: 'finish', completion: finished };
    },
  };
}
