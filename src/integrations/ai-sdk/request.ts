// AI SDK call options <-> a rewardgate ChatRequest. The pipeline sees the call in the OpenAI
// shape; on the way back only what a middleware changed overrides the call's own options.
import type { ChatRequest, Tool, ToolChoice } from '../../types.js';
import { type PromptUnit, promptUnits } from './prompt.js';
import { sameValue } from './same-value.js';
import { toPrompt } from './to-prompt.js';
import type { AICallOptions, AIFunctionTool, AIResponseFormat, AITool, AIToolChoice } from './types.js';

/** One AI SDK call as the pipeline sees it, and what is needed to map a changed request back. */
export interface CallRequest {
  request: ChatRequest;
  units: PromptUnit[];
}

const EFFORTS = new Set(['none', 'minimal', 'low', 'medium', 'high']);

/** The call options as a ChatRequest (provider tools, headers and provider options stay in the call). */
export function toChatRequest(params: AICallOptions): CallRequest {
  const units = promptUnits(params.prompt);
  const request: ChatRequest = { messages: units.flatMap((u) => u.messages) };
  if (params.temperature !== undefined) request.temperature = params.temperature;
  if (params.topP !== undefined) request.top_p = params.topP;
  if (params.maxOutputTokens !== undefined) request.max_tokens = params.maxOutputTokens;
  if (params.seed !== undefined) request.seed = params.seed;
  if (params.stopSequences?.length) request.stop = params.stopSequences;
  const tools = params.tools?.flatMap((t) => (t.type === 'function' ? [toTool(t)] : []));
  if (tools?.length) request.tools = tools;
  if (params.toolChoice) request.tool_choice = toToolChoice(params.toolChoice);
  if (params.responseFormat) request.response_format = toResponseFormat(params.responseFormat);
  // 'xhigh' and 'max' have no OpenAI name: the pipeline sees 'high', the model gets the call's own.
  if (params.reasoning && params.reasoning !== 'provider-default') request.reasoning_effort = (EFFORTS.has(params.reasoning) ? params.reasoning : 'high') as ChatRequest['reasoning_effort'];
  const extra: Record<string, unknown> = {};
  if (params.topK !== undefined) extra.top_k = params.topK;
  if (params.presencePenalty !== undefined) extra.presence_penalty = params.presencePenalty;
  if (params.frequencyPenalty !== undefined) extra.frequency_penalty = params.frequencyPenalty;
  if (Object.keys(extra).length) request.extra = extra;
  return { request, units };
}

/**
 * The call options for a request the pipeline sends to the model: `base` (the call's own options)
 * with each field a middleware changed from `original` mapped back.
 */
export function toCallOptions(base: AICallOptions, original: CallRequest, request: ChatRequest, signal: AbortSignal | undefined): AICallOptions {
  const params: AICallOptions = { ...base, abortSignal: signal ?? base.abortSignal };
  const was = original.request;
  const changed = <K extends keyof ChatRequest>(key: K) => !sameValue(request[key], was[key]);
  if (changed('messages')) params.prompt = toPrompt(request.messages, original.units);
  if (changed('temperature')) params.temperature = request.temperature;
  if (changed('top_p')) params.topP = request.top_p;
  if (changed('max_tokens') || changed('max_completion_tokens')) params.maxOutputTokens = request.max_completion_tokens ?? request.max_tokens;
  if (changed('seed')) params.seed = request.seed;
  if (changed('stop')) params.stopSequences = typeof request.stop === 'string' ? [request.stop] : request.stop;
  if (changed('tools')) {
    const providerTools = (base.tools ?? []).filter((t) => t.type !== 'function');
    const tools: AITool[] = [...(request.tools ?? []).map((t) => fromTool(t, base.tools)), ...providerTools];
    params.tools = tools.length ? tools : undefined;
  }
  if (changed('tool_choice')) params.toolChoice = request.tool_choice === undefined ? undefined : fromToolChoice(request.tool_choice);
  if (changed('response_format')) params.responseFormat = fromResponseFormat(request.response_format);
  if (changed('reasoning_effort')) params.reasoning = request.reasoning_effort;
  const extra = request.extra ?? {};
  const wasExtra = was.extra ?? {};
  if (!sameValue(extra.top_k, wasExtra.top_k)) params.topK = extra.top_k as number | undefined;
  if (!sameValue(extra.presence_penalty, wasExtra.presence_penalty)) params.presencePenalty = extra.presence_penalty as number | undefined;
  if (!sameValue(extra.frequency_penalty, wasExtra.frequency_penalty)) params.frequencyPenalty = extra.frequency_penalty as number | undefined;
  return params;
}

function toTool(tool: AIFunctionTool): Tool {
  const fn: Tool['function'] = { name: tool.name, parameters: tool.inputSchema as Record<string, unknown> };
  if (tool.description !== undefined) fn.description = tool.description;
  if (tool.strict !== undefined) fn.strict = tool.strict;
  return { type: 'function', function: fn };
}

// A tool the middleware left as it was keeps its AI SDK definition (input examples, provider options).
function fromTool(tool: Tool, own: readonly AITool[] | undefined): AIFunctionTool {
  const same = own?.find((t): t is AIFunctionTool => t.type === 'function' && sameValue(toTool(t), tool));
  if (same) return same;
  const { name, description, parameters, strict } = tool.function;
  const result: AIFunctionTool = { type: 'function', name, inputSchema: (parameters ?? { type: 'object', properties: {} }) as AIFunctionTool['inputSchema'] };
  if (description !== undefined) result.description = description;
  if (typeof strict === 'boolean') result.strict = strict;
  return result;
}

function toToolChoice(choice: AIToolChoice): ToolChoice {
  return choice.type === 'tool' ? { type: 'function', function: { name: choice.toolName } } : choice.type;
}

function fromToolChoice(choice: ToolChoice): AIToolChoice {
  return typeof choice === 'string' ? { type: choice } : { type: 'tool', toolName: choice.function.name };
}

function toResponseFormat(format: AIResponseFormat): NonNullable<ChatRequest['response_format']> {
  if (format.type === 'text') return { type: 'text' };
  if (!format.schema) return { type: 'json_object' };
  const schema: Record<string, unknown> = { name: format.name ?? 'response', schema: format.schema };
  if (format.description !== undefined) schema.description = format.description;
  return { type: 'json_schema', json_schema: schema };
}

function fromResponseFormat(format: ChatRequest['response_format']): AIResponseFormat | undefined {
  if (!format) return undefined;
  if (format.type === 'text') return { type: 'text' };
  if (format.type === 'json_object') return { type: 'json' };
  const spec = (format as { json_schema?: { name?: string; description?: string; schema?: AIResponseFormat & object } }).json_schema ?? {};
  const result: AIResponseFormat = { type: 'json' };
  if (spec.schema) result.schema = spec.schema as never;
  if (spec.name) result.name = spec.name;
  if (spec.description) result.description = spec.description;
  return result;
}
