import type { GuardedCompletion } from '../../pipeline/types.js';
import { rewardgateField } from '../wire/completion.js';
import type { Completion } from '../../types.js';
import { fromAIFinishReason, fromAIUsage, toAIFinishReason, toAIUsage } from './finish.js';
import type { ModelAnswer, Provenance } from './provenance.js';
import { sameValue } from './same-value.js';
import type { AIContent, AIFinishReason, AIGenerateResult, AIProviderMetadata, AIUsage, AIWarning } from './types.js';

/**
 * `providerMetadata` of a result: the model's own (when the pipeline returned its answer
 * unchanged) and `rewardgate`: whether the pipeline refused, and its report as the wire sends it
 * (plain JSON, no candidate texts or blocked calls, raw guard outputs left out, messages masked):
 * apps forward provider metadata to browsers, and losers may be answers a guard blocked. The
 * whole report is in the pipeline's `onEvent` / `report` for code that needs it.
 */
export function resultMetadata(completion: GuardedCompletion, answer: ModelAnswer | undefined): AIProviderMetadata {
  return { ...answer?.providerMetadata, rewardgate: rewardgateField(completion) } as unknown as AIProviderMetadata;
}

/** The finish reason: the model's own (with its raw reason) when the pipeline kept it. */
export function resultFinishReason(completion: Completion, answer: ModelAnswer | undefined): AIFinishReason {
  return answer && fromAIFinishReason(answer.finishReason) === completion.finishReason ? answer.finishReason : toAIFinishReason(completion.finishReason);
}

/** The usage: the model's own (cache and reasoning counts) when the pipeline reports the same totals. */
export function resultUsage(completion: Completion, answer: ModelAnswer | undefined): AIUsage {
  return answer && sameValue(fromAIUsage(answer.usage), completion.usage) ? answer.usage : toAIUsage(completion.usage);
}

/**
 * A pipeline result as a `doGenerate` result. The model's answer returned unchanged keeps all its
 * parts (their provider metadata, sources, files, provider-executed tool results) and metadata;
 * an answer the pipeline wrote (a refusal, a rewrite) is its reasoning, text and tool calls.
 */
export function toGenerateResult(completion: GuardedCompletion, provenance: Provenance, warnings: AIWarning[] = []): AIGenerateResult {
  const answer = provenance.answerOf(completion);
  const result: AIGenerateResult = {
    content: answer ? answer.content : contentOf(completion, provenance),
    finishReason: resultFinishReason(completion, answer),
    usage: resultUsage(completion, answer),
    providerMetadata: resultMetadata(completion, answer),
    warnings,
  };
  if (answer?.request) result.request = answer.request;
  if (answer?.response) result.response = answer.response;
  else if (completion.id || completion.model) result.response = { id: completion.id, modelId: completion.model };
  return result;
}

function contentOf(completion: Completion, provenance: Provenance): AIContent[] {
  const content: AIContent[] = [];
  if (completion.reasoning) content.push({ type: 'reasoning', text: completion.reasoning });
  if (completion.text) content.push({ type: 'text', text: completion.text });
  for (const call of completion.toolCalls ?? []) content.push(toolCallPart(call, provenance));
  return content;
}

/** A tool call as an AI SDK part, with the metadata the model gave the call of that id. */
export function toolCallPart(call: NonNullable<Completion['toolCalls']>[number], provenance: Provenance): Extract<AIContent, { type: 'tool-call' }> {
  const own = provenance.toolCall(call.id);
  const part: Extract<AIContent, { type: 'tool-call' }> = { type: 'tool-call', toolCallId: call.id, toolName: call.function.name, input: call.function.arguments };
  if (own?.providerMetadata) part.providerMetadata = own.providerMetadata;
  if (own?.dynamic) part.dynamic = own.dynamic;
  return part;
}
