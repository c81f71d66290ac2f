import type { Completion, FinishReason, Usage } from '../../types.js';

/** A completion as the wire sees it: a pipeline's result adds `report` and `refused`. */
export type WireCompletion = Completion & { report?: unknown; refused?: boolean };

/** OpenAI finish reasons. */
export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/** The `rewardgate` field added to responses and to the last stream chunk. */
export interface RewardgateField {
  refused: boolean;
  report: unknown;
}

/** OpenAI `usage`. */
export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/**
 * What every `chat.completion` body shares (a chat answer, or a NIM reward model's answer):
 * identity and one choice, whose other fields are `Choice`.
 */
export interface ChatCompletionFrame<Choice> {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{ index: 0 } & Choice>;
}

/** A `chat.completion` response body. */
export interface OpenAIChatCompletion
  extends ChatCompletionFrame<{
    message: { role: 'assistant'; content: string; refusal: string | null };
    finish_reason: OpenAIFinishReason;
    logprobs: null;
  }> {
  usage?: OpenAIUsage;
  rewardgate?: RewardgateField;
}

/** Identity shared by every chunk of one answer (and by its JSON form). */
export interface ResponseMeta {
  id: string;
  created: number;
  model: string;
}

/**
 * Maps our finish reasons onto OpenAI's: a guardrail refusal is `content_filter` (what OpenAI
 * reports when its own filter replaced an answer); `abort` and `other` end the text normally.
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

/** Usage in OpenAI's snake_case. */
export function toOpenAIUsage(usage: Usage): OpenAIUsage {
  return { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.totalTokens };
}

/** How much of the report goes on the wire. */
export interface WireReportOptions {
  /**
   * Include every candidate's text in `report.candidates` (default false). Off by default because
   * losing candidates may be answers a guard blocked or never judged: they must not reach end users.
   */
  candidateText?: boolean;
}

/**
 * The `rewardgate` field, present only on pipeline results (those with a report or a refusal flag).
 * Candidate texts are left out unless `options.candidateText` is set.
 */
export function rewardgateField(completion: WireCompletion, options: WireReportOptions = {}): RewardgateField | undefined {
  if (completion.report === undefined && completion.refused === undefined) return undefined;
  const report = options.candidateText ? completion.report : withoutCandidateText(completion.report);
  return { refused: completion.refused === true, report: report ?? null };
}

function withoutCandidateText(report: unknown): unknown {
  const candidates = (report as { candidates?: unknown } | undefined)?.candidates;
  if (!Array.isArray(candidates)) return report;
  return { ...(report as object), candidates: candidates.map(({ text: _text, ...rest }: { text?: unknown }) => rest) };
}

let counter = 0;

/**
 * A fresh response identity (id, created, model) shared by the chunks of one answer; `model` is
 * the model the request named, used when the completion names none.
 *
 * @example
 * const meta = createResponseMeta(request.model);
 */
export function createResponseMeta(model: string | undefined, now = Date.now()): ResponseMeta {
  counter = (counter + 1) % 0x7fffffff;
  return { id: `chatcmpl-rg${now.toString(36)}${counter.toString(36)}`, created: Math.floor(now / 1000), model: model ?? 'rewardgate' };
}

/**
 * A `chat.completion` body with `meta`'s identity and `choice` as its one choice.
 *
 * @example
 * const body = { ...chatCompletionFrame(createResponseMeta(model), { message, finish_reason: 'length' }), usage };
 */
export function chatCompletionFrame<Choice>(meta: ResponseMeta, choice: Choice): ChatCompletionFrame<Choice> {
  return { id: meta.id, object: 'chat.completion', created: meta.created, model: meta.model, choices: [{ index: 0, ...choice }] };
}

/**
 * A completion as an OpenAI `chat.completion` body, with the pipeline report in `rewardgate`
 * (candidate texts only with `options.candidateText`).
 * A refusal keeps its text in `content` (so plain clients show it) and repeats it in `refusal`.
 *
 * @example
 * const body = toChatCompletion(await guarded.generate(request), createResponseMeta(request.model));
 */
export function toChatCompletion(completion: WireCompletion, meta: ResponseMeta, options: WireReportOptions = {}): OpenAIChatCompletion {
  const body: OpenAIChatCompletion = chatCompletionFrame({ ...meta, id: completion.id ?? meta.id, model: completion.model ?? meta.model }, {
    message: { role: 'assistant', content: completion.text, refusal: completion.refused ? completion.text : null },
    finish_reason: toOpenAIFinishReason(completion.finishReason),
    logprobs: null,
  });
  if (completion.usage) body.usage = toOpenAIUsage(completion.usage);
  const field = rewardgateField(completion, options);
  if (field) body.rewardgate = field;
  return body;
}
