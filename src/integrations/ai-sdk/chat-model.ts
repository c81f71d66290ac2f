import { StreamError } from '../../errors.js';
import type { CallOptions, ChatModel, StreamEvent } from '../../interfaces.js';
import type { ToolCall } from '../../types.js';
import { completionOf, fromAIToolCall } from './finish.js';
import type { Provenance } from './provenance.js';
import { type CallRequest, toCallOptions } from './request.js';
import type { AICallOptions, AIContent, AIFinishReason, AIModel, AIProviderMetadata, AIStreamPart, AIUsage, AIWarning } from './types.js';

/**
 * The wrapped AI SDK model as a rewardgate ChatModel for one call: `base` holds the call's own
 * options (provider tools, provider options, headers), `original` the call as the pipeline first
 * sees it, and each pipeline request overrides what a middleware changed (best-of-n varies the
 * seed, a retry may change the temperature, a rail may drop a tool). Each answer is recorded in
 * `provenance` for the way back; the calls' warnings are collected into `warnings`.
 */
export function fromLanguageModel(model: AIModel, base: AICallOptions, original: CallRequest, provenance: Provenance, warnings: AIWarning[] = []): ChatModel {
  // Every call's warnings (unsupported settings...), once each, for the caller's result.
  const warn = (list: readonly AIWarning[] | undefined) => {
    for (const w of list ?? []) if (!warnings.some((seen) => JSON.stringify(seen) === JSON.stringify(w))) warnings.push(w);
  };
  const paramsFor = (request: Parameters<ChatModel['generate']>[0], options: CallOptions) => toCallOptions(base, original, request, options.signal);

  return {
    async generate(request, options = {}) {
      const result = await model.doGenerate(paramsFor(request, options));
      warn(result.warnings);
      let text = '';
      let reasoning = '';
      const toolCalls: ToolCall[] = [];
      for (const part of result.content) {
        if (part.type === 'text') text += part.text;
        else if (part.type === 'reasoning') reasoning += part.text;
        // A provider-executed call already ran: it is passed on, not a call the caller makes.
        else if (part.type === 'tool-call' && !part.providerExecuted) toolCalls.push(fromAIToolCall(part));
      }
      const { finishReason, usage } = result;
      const completion = completionOf({ text, reasoning, toolCalls, finishReason, usage, id: result.response?.id, model: result.response?.modelId });
      return provenance.record({ completion, content: result.content, finishReason, usage, providerMetadata: result.providerMetadata, response: result.response, request: result.request });
    },

    async *stream(request, options = {}): AsyncGenerator<StreamEvent> {
      const { stream } = await model.doStream(paramsFor(request, options));
      const reader = stream.getReader();
      let text = '';
      let reasoning = '';
      const indexOf = new Map<string, number>();
      const toolCalls: ToolCall[] = [];
      const extras: AIContent[] = [];
      let response: { id?: string; modelId?: string; timestamp?: Date } = {};
      let finish: { finishReason: AIFinishReason; usage: AIUsage; providerMetadata?: AIProviderMetadata } | undefined;
      const slot = (id: string) => {
        if (!indexOf.has(id)) indexOf.set(id, indexOf.size);
        return indexOf.get(id)!;
      };
      const providerRun = new Set<string>();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          const part: AIStreamPart = value;
          switch (part.type) {
            case 'text-delta':
              text += part.delta;
              yield { type: 'text-delta', text: part.delta };
              break;
            case 'reasoning-delta':
              reasoning += part.delta;
              yield { type: 'reasoning-delta', text: part.delta };
              break;
            case 'tool-input-start':
              if (part.providerExecuted) providerRun.add(part.id);
              else yield { type: 'tool-call-delta', index: slot(part.id), id: part.id, name: part.toolName, argumentsDelta: '' };
              break;
            case 'tool-input-delta':
              if (indexOf.has(part.id) && part.delta) yield { type: 'tool-call-delta', index: indexOf.get(part.id)!, argumentsDelta: part.delta };
              break;
            case 'tool-call': {
              provenance.recordToolCall(part);
              if (part.providerExecuted || providerRun.has(part.toolCallId)) {
                extras.push(part);
                break;
              }
              const index = slot(part.toolCallId);
              const call = fromAIToolCall(part);
              toolCalls[index] = call;
              yield { type: 'tool-call', index, toolCall: call };
              break;
            }
            case 'stream-start':
              warn(part.warnings);
              break;
            case 'response-metadata': {
              const { type: _type, ...metadata } = part;
              response = { ...metadata, ...response };
              break;
            }
            case 'error':
              throw part.error;
            case 'finish':
              finish = { finishReason: part.finishReason, usage: part.usage, providerMetadata: part.providerMetadata };
              break;
            case 'source':
            case 'file':
            case 'reasoning-file':
            case 'custom':
            case 'tool-result':
            case 'tool-approval-request':
              extras.push(part);
              break;
            default:
              // text / reasoning block boundaries, tool-input-end, ping, raw: nothing to carry.
              break;
          }
        }
      } finally {
        // Stopped early (a best-of-n loser, a blocked stream): tell the provider to stop too.
        if (!finish) await reader.cancel().catch(() => {});
        reader.releaseLock();
      }
      if (!finish) throw new StreamError('truncated', 'The AI SDK model stream ended without a finish part');
      const calls = toolCalls.filter(Boolean);
      const completion = completionOf({ text, reasoning, toolCalls: calls, finishReason: finish.finishReason, usage: finish.usage, id: response.id, model: response.modelId });
      const content: AIContent[] = [];
      if (reasoning) content.push({ type: 'reasoning', text: reasoning });
      if (text) content.push({ type: 'text', text });
      for (const call of calls) content.push(provenance.toolCall(call.id) ?? { type: 'tool-call', toolCallId: call.id, toolName: call.function.name, input: call.function.arguments });
      content.push(...extras);
      const answer = { completion, content, ...finish, response: { ...response } };
      yield { type: 'finish', completion: provenance.record(answer) };
    },
  };
}
