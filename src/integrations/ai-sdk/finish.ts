import type { Completion, FinishReason, Usage } from '../../types.js';
import type { AIFinishReason, AIUsage } from './types.js';

/** AI SDK finish reason to ours. */
export function fromAIFinishReason(reason: AIFinishReason): FinishReason {
  switch (reason.unified) {
    case 'stop':
    case 'length':
    case 'other':
      return reason.unified;
    case 'content-filter':
      return 'content_filter';
    case 'tool-calls':
      return 'tool_calls';
    default:
      return 'other';
  }
}

/** Ours to the AI SDK's; a guardrail refusal reads as `content-filter`, raw keeps our reason. */
export function toAIFinishReason(reason: FinishReason): AIFinishReason {
  const unified = reason === 'refused' || reason === 'content_filter' ? 'content-filter' : reason === 'tool_calls' ? 'tool-calls' : reason === 'stop' || reason === 'length' ? reason : 'other';
  return { unified, raw: reason };
}

/** AI SDK usage to ours (undefined when the provider did not count). */
export function fromAIUsage(usage: AIUsage | undefined): Usage | undefined {
  const prompt = usage?.inputTokens.total;
  const completion = usage?.outputTokens.total;
  if (prompt === undefined || completion === undefined) return undefined;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion };
}

/** Ours to the AI SDK's. */
export function toAIUsage(usage: Usage | undefined): AIUsage {
  return {
    inputTokens: { total: usage?.promptTokens, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: usage?.completionTokens, text: usage?.completionTokens, reasoning: undefined },
  };
}

/** A Completion from text, finish reason, usage and response metadata. */
export function completionOf(text: string, finishReason: FinishReason, usage: Usage | undefined, id?: string, model?: string): Completion {
  const c: Completion = { text, finishReason };
  if (usage) c.usage = usage;
  if (id) c.id = id;
  if (model) c.model = model;
  return c;
}
