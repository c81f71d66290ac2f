import { withAnswer } from '../../content.js';
import type { Category } from '../../taxonomy.js';
import type { Guard } from '../../interfaces.js';
import type { Completion, ToolCall } from '../../types.js';
import { validate } from '../../internal/validate.js';
import type { HoldBack } from './hold-back.js';
import { replay } from '../../pipeline/layer-streams.js';
import { judge, judgeAll, reasoningConversation, refuse, SafetySchema } from './safety-rails.js';
import { preCheck } from './safety-tool-results.js';
import { safetyStream } from './safety-stream.js';
import type { Middleware } from '../../pipeline/types.js';

/**
 * Options of {@link safety}.
 *
 * @example
 * const options: SafetyOptions = { guard, toolResults: true, onToolResult: 'redact', holdBack: 200 };
 */
export interface SafetyOptions {
  guard: Guard;
  /** Check the user turn before any generation (default true). */
  input?: boolean;
  /** Check the answer: its text, each tool call and its reasoning (default true). */
  output?: boolean;
  /**
   * Check the tool results the request carries (the tool turns since the last assistant turn)
   * before any generation (default false): indirect prompt injection, unsafe content.
   */
  toolResults?: boolean;
  /** A blocked tool result: `'refuse'` the request (default), or `'redact'` that turn (a notice replaces it) and go on. */
  onToolResult?: 'refuse' | 'redact';
  /**
   * The answer's reasoning: `'guard'` (default) judges it as its own text before it goes out
   * (before the answer text it precedes); `'drop'` removes it; `'pass'` lets it through unjudged.
   */
  reasoning?: 'guard' | 'drop' | 'pass';
  /** The text of a refusal. */
  refusal?: string;
  /** Block only these categories (an unsafe verdict without categories always blocks). */
  categories?: Category[];
  /**
   * When the guard is unavailable (`GuardUnavailableError`, or any failure of a guard of yours that
   * is not a GuardError): `'refuse'` (default; the report's reason has code `guard_unavailable`),
   * `'allow'` lets the turn through, `'throw'` throws the guard's error. A misconfigured guard or
   * an input over its limit always throws.
   */
  onGuardError?: 'refuse' | 'allow' | 'throw';
  /** The older name of `onGuardError`: `'closed'` is `'refuse'`, `'open'` is `'allow'`. */
  failMode?: 'closed' | 'open';
  /** Throw `GuardrailError` instead of returning a refusal. */
  throwOnRefusal?: boolean;
  /** Streaming: how much text (and reasoning) the output rail holds back until the guard has seen it (default `'sentence'`). */
  holdBack?: HoldBack;
}

/**
 * Safety rails. Before generation, the input rail checks the user turn and the tool-result rail
 * (`toolResults`) the tool results the model is about to read (a block costs no generation). The
 * output rail checks the answer: its text, each tool call (with the text before it) and its
 * reasoning. On a stream, text and reasoning are held back until judged, and each tool call is
 * held until it is complete and judged: nothing the guard has not passed reaches the caller. A
 * refusal is a normal completion marked `refused`.
 *
 * @example
 * pipeline(model, [safety({ guard: nemoguard({ apiKey }), toolResults: true, onToolResult: 'redact' })]);
 */
export function safety(options: SafetyOptions): Middleware {
  const opts = validate(SafetySchema, options, 'safety options');
  return {
    name: 'safety',
    generate: async function safetyGenerate(ctx, next) {
      const pre = await preCheck(ctx, opts);
      if ('block' in pre) return refuse(ctx, opts, pre.rail, pre.block);
      const completion = await next(pre.request === ctx.request ? undefined : pre.request);
      if (!opts.output || completion.finishReason === 'refused') return completion;
      const messages = pre.request.messages;
      const answer = opts.reasoning === 'drop' && completion.reasoning !== undefined ? withoutReasoning(completion) : completion;
      const calls = answer.toolCalls ?? [];
      const about = calls.length ? { completion: answer, toolCalls: calls.map(callRef) } : { completion: answer };
      // The answer (text and tool calls, as its assistant turn) and the reasoning are judged together.
      const [blocked, reasoning] = await judgeAll([
        judge(ctx, opts, withAnswer(messages, answer), 'output', about),
        opts.reasoning === 'guard' && answer.reasoning ? judge(ctx, opts, reasoningConversation(messages, answer.reasoning), 'output', { completion: answer, reasoning: true }) : undefined,
      ]);
      if (blocked) return refuse(ctx, opts, 'output', blocked, answer, calls);
      if (reasoning) return refuse(ctx, opts, 'output', { ...reasoning, why: `reasoning ${reasoning.why}` }, answer);
      return answer;
    },
    stream: async function* safetyStreamPath(ctx, next) {
      const pre = await preCheck(ctx, opts);
      if ('block' in pre) return yield* replay(refuse(ctx, opts, pre.rail, pre.block));
      const request = pre.request === ctx.request ? undefined : pre.request;
      if (!opts.output) return yield* next(request);
      yield* safetyStream(ctx, () => next(request), pre.request.messages, opts);
    },
  };
}

/** `{ id, name }` of a call, for the report. */
export const callRef = (call: ToolCall) => ({ id: call.id, name: call.function.name });

function withoutReasoning<C extends Completion>(completion: C): C {
  const { reasoning: _reasoning, ...rest } = completion;
  return rest as C;
}
