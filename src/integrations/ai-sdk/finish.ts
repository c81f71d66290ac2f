import type { Completion, FinishReason, ToolCall, Usage } from '../../types.js';
import type { AIFinishReason, AIToolCall, AIUsage } from './types.js';

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

/** An AI SDK tool call (input as JSON text) as ours. */
export function fromAIToolCall(part: Pick<AIToolCall, 'toolCallId' | 'toolName' | 'input'>): ToolCall {
  return { id: part.toolCallId, type: 'function', function: { name: part.toolName, arguments: part.input } };
}

/** What a model answer is made of, as the AI SDK gave it. */
export interface AnswerParts {
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
  finishReason: AIFinishReason;
  usage: AIUsage | undefined;
  id?: string;
  model?: string;
}

/** A Completion from an answer's parts (no empty reasoning or tool calls). */
export function completionOf(answer: AnswerParts): Completion {
  const c: Completion = { text: answer.text, finishReason: fromAIFinishReason(answer.finishReason) };
  if (answer.toolCalls.length) c.toolCalls = answer.toolCalls;
  if (answer.reasoning) c.reasoning = answer.reasoning;
  const usage = fromAIUsage(answer.usage);
  if (usage) c.usage = usage;
  if (answer.id) c.id = answer.id;
  if (answer.model) c.model = answer.model;
  return c;
}
