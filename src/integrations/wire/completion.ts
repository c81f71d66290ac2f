import type { Completion } from '../../types.js';
import { maskInternalAddresses } from './mask-addresses.js';
import { redactCredentials } from './report-error.js';
import { toOpenAIFinishReason, toOpenAIUsage } from '../../wire/openai-maps.js';
import type { OpenAIAssistantMessage, OpenAIFinishReason, OpenAILogprobs, OpenAIUsage } from '../../wire/openai-shape.js';

export { toOpenAIFinishReason, toOpenAIUsage };
export type { OpenAIAssistantMessage, OpenAIFinishReason, OpenAIUsage };

/** A completion as the wire sees it: a pipeline's result adds `report` and `refused`. */
export type WireCompletion = Completion & { report?: unknown; refused?: boolean };

/** The `rewardgate` field added to responses and to the last stream chunk. */
export interface RewardgateField {
  refused: boolean;
  report: unknown;
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
    message: OpenAIAssistantMessage;
    finish_reason: OpenAIFinishReason;
    logprobs: OpenAILogprobs | null;
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

/** How much of the report goes on the wire. */
export interface WireReportOptions {
  /**
   * Include every candidate's text in `report.candidates` (default false). Off by default because
   * losing candidates may be answers a guard blocked or never judged: they must not reach end users.
   */
  candidateText?: boolean;
  /**
   * `'slim'` (default): scores, verdicts (safe, categories), reasons and codes, without each
   * verdict's raw guard output (logits, probabilities, the guard's reply: kilobytes per answer);
   * `'full'`: the raw outputs too.
   */
  report?: 'slim' | 'full';
}

/**
 * The `rewardgate` field, present only on pipeline results (those with a report or a refusal flag).
 * Candidate texts are left out unless `options.candidateText` is set.
 */
export function rewardgateField(completion: WireCompletion, options: WireReportOptions = {}): RewardgateField | undefined {
  if (completion.report === undefined && completion.refused === undefined) return undefined;
  const report = masked(slimmed(completion.report, options));
  return { refused: completion.refused === true, report: report ?? null };
}

type Verdictish = { verdict?: { raw?: unknown } };
type Reportish = { candidates?: unknown; verdicts?: unknown; toolViolations?: unknown };

// One pass over the report: candidate texts out unless asked, raw guard outputs out unless 'full'.
function slimmed(report: unknown, options: WireReportOptions): unknown {
  const full = options.report === 'full';
  if (typeof report !== 'object' || report === null || (full && options.candidateText)) return report;
  const r = report as Reportish;
  const out: Record<string, unknown> = { ...(report as object) };
  if (Array.isArray(r.candidates)) {
    out.candidates = r.candidates.map((c: Verdictish & { text?: unknown; toolCalls?: unknown }) => {
      const { text: _text, toolCalls: _toolCalls, ...rest } = c;
      const kept: Record<string, unknown> = options.candidateText ? { ...c } : rest;
      if (!full && c.verdict) kept.verdict = withoutRaw(c.verdict);
      return kept;
    });
  }
  if (!full && Array.isArray(r.verdicts)) out.verdicts = r.verdicts.map((v: Verdictish) => (v.verdict ? { ...v, verdict: withoutRaw(v.verdict) } : v));
  // A call that broke the tool policy was never returned: like candidate texts, its arguments stay out.
  if (!options.candidateText && Array.isArray(r.toolViolations)) {
    out.toolViolations = r.toolViolations.map((v: { call?: { id?: string; function?: { name?: string } } }) => ({ ...v, call: { id: v.call?.id, name: v.call?.function?.name } }));
  }
  return out;
}

// Error messages and reasons in a report may quote a failed guard's or scorer's address or a key
// (an unreachable guard's URL, a 500 body): clients get them masked, the log keeps the detail.
// Copy on write: a report with nothing to mask (the usual one) comes back as it is, uncopied.
function masked(value: unknown, key?: string): unknown {
  if (typeof value === 'string') return key === 'message' || key === 'reason' ? maskInternalAddresses(redactCredentials(value)) : value;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = masked(value[i], key);
      if (v !== value[i]) (copy ??= value.slice())[i] = v;
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  for (const k of Object.keys(value)) {
    const old = (value as Record<string, unknown>)[k];
    const v = masked(old, k);
    if (v !== old) (copy ??= { ...(value as Record<string, unknown>) })[k] = v;
  }
  return copy ?? value;
}

function withoutRaw(verdict: { raw?: unknown }): unknown {
  if (!('raw' in verdict)) return verdict;
  const { raw: _raw, ...rest } = verdict;
  return rest;
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
  // A server makes many ids per millisecond: the time's digits are kept from the last call.
  if (now !== lastNow) {
    lastNow = now;
    lastNowText = now.toString(36);
  }
  return { id: `chatcmpl-rg${lastNowText}${counter.toString(36)}`, created: Math.floor(now / 1000), model: model ?? 'rewardgate' };
}
let lastNow = Number.NaN;
let lastNowText = '';

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
 * (candidate texts only with `options.candidateText`): its tool calls in `message.tool_calls`
 * (`content` null when the turn only calls tools), its reasoning in `reasoning_content`, and its
 * logprobs. A refusal is its text in `content` (so plain clients show it) with `finish_reason`
 * `content_filter`; `refusal` stays null, since clients such as the AI SDK show `content` and
 * `refusal` one after the other (and the openai client's `parse()` throws on `content_filter`).
 *
 * @example
 * const body = toChatCompletion(await guarded.generate(request), createResponseMeta(request.model));
 */
export function toChatCompletion(completion: WireCompletion, meta: ResponseMeta, options: WireReportOptions = {}): OpenAIChatCompletion {
  const body: OpenAIChatCompletion = chatCompletionFrame({ ...meta, id: completion.id ?? meta.id, model: completion.model ?? meta.model }, {
    message: assistantMessage(completion),
    finish_reason: toOpenAIFinishReason(completion.finishReason),
    logprobs: completion.logprobs ?? null,
  });
  if (completion.usage) body.usage = toOpenAIUsage(completion.usage);
  const field = rewardgateField(completion, options);
  if (field) body.rewardgate = field;
  return body;
}

/** The answer's assistant message, in OpenAI's field order. */
export function assistantMessage(completion: WireCompletion): OpenAIAssistantMessage {
  const calls = completion.toolCalls?.length ? completion.toolCalls : undefined;
  const message: OpenAIAssistantMessage = {
    role: 'assistant',
    content: calls && completion.text === '' ? null : completion.text,
    refusal: null,
  };
  if (calls) message.tool_calls = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.function.name, arguments: c.function.arguments } }));
  if (completion.reasoning) message.reasoning_content = completion.reasoning;
  return message;
}
