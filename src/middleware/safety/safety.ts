import type * as z from 'zod/mini';
import { withAnswer } from '../../content.js';
import type { Completion, ToolCall } from '../../types.js';
import { validate } from '../../internal/validate.js';
import { replay } from '../../pipeline/layer-streams.js';
import { judge, judgeAll, reasoningConversation, refuse, SafetySchema, type SafetyOptionsSchema } from './safety-rails.js';
import { preCheck } from './safety-tool-results.js';
import { safetyStream } from './safety-stream.js';
import type { Middleware } from '../../pipeline/types.js';

/**
 * Options of {@link safety}.
 *
 * @example
 * const options: SafetyOptions = { guard, toolResults: true, onToolResult: 'redact', holdBack: 200 };
 * @interface
 */
export type SafetyOptions = z.input<typeof SafetyOptionsSchema>;

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
