// Conversions between the OpenAI wire shape and rewardgate's types, both directions: what the
// client reads (finish reasons, usage, tool calls) and what the server side writes back.
import type { FinishReason, ToolCall, Usage } from '../types.js';
import type { OpenAIFinishReason, OpenAIUsage, WireToolCall, WireUsage } from './openai-shape.js';

/** A server's finish reason as ours; dialects (`eos`, `function_call`) map onto OpenAI's words. */
export function toFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
    case 'length':
    case 'content_filter':
    case 'tool_calls':
      return reason;
    case 'function_call':
      return 'tool_calls';
    case 'eos':
    case 'stop_sequence':
      return 'stop';
    default:
      return 'other';
  }
}

/**
 * Our finish reason as OpenAI's: a guardrail refusal is `content_filter` (what OpenAI reports when
 * its own filter replaced an answer); `abort` and `other` end the text normally.
 */
export function toOpenAIFinishReason(reason: FinishReason): OpenAIFinishReason {
  switch (reason) {
    case 'length':
    case 'tool_calls':
    case 'content_filter':
      return reason;
    case 'refused':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** Wire usage as ours; a missing total is the sum of the parts. */
export function toUsage(usage: WireUsage): Usage {
  const promptTokens = usage.prompt_tokens ?? 0;
  const completionTokens = usage.completion_tokens ?? 0;
  return { promptTokens, completionTokens, totalTokens: usage.total_tokens ?? promptTokens + completionTokens };
}

/** Usage in OpenAI's snake_case. */
export function toOpenAIUsage(usage: Usage): OpenAIUsage {
  return { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.totalTokens };
}

/** A wire tool call as ours; a missing id gets a stable one, object arguments become JSON text. */
export function toToolCall(call: WireToolCall, index: number): ToolCall {
  const args = call.function.arguments;
  return {
    id: call.id || `call_${index}`,
    type: 'function',
    function: { name: call.function.name, arguments: typeof args === 'string' ? args : args == null ? '' : JSON.stringify(args) },
  };
}
