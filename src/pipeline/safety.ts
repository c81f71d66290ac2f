import { withAnswer } from '../content.js';
import type { Category } from '../guards/taxonomy.js';
import type { Guard } from '../interfaces.js';
import { validate } from '../internal/validate.js';
import type { HoldBack } from './hold-back.js';
import { replay } from './layer-streams.js';
import { judge, refuse, SafetySchema } from './safety-rails.js';
import { safetyStream } from './safety-stream.js';
import type { Middleware } from './types.js';

/**
 * Options of {@link safety}.
 *
 * @example
 * const options: SafetyOptions = { guard, output: true, holdBack: 200, failMode: 'closed' };
 */
export interface SafetyOptions {
  guard: Guard;
  /** Check the user turn before any generation (default true). */
  input?: boolean;
  /** Check the answer (default true). */
  output?: boolean;
  /** The text of a refusal. */
  refusal?: string;
  /** Block only these categories (an unsafe verdict without categories always blocks). */
  categories?: Category[];
  /** When the guard call itself fails: `'closed'` refuses (default), `'open'` lets the text through. */
  failMode?: 'closed' | 'open';
  /** Throw `GuardrailError` instead of returning a refusal. */
  throwOnRefusal?: boolean;
  /** Streaming: how much text the output rail holds back until the guard has seen it (default `'sentence'`). */
  holdBack?: HoldBack;
}

/**
 * Safety rails. The input rail checks the user turn before any generation (a blocked prompt
 * costs no generation); the output rail checks the answer (its text and its tool calls), and on
 * a stream holds text back so that blocked text never reaches the caller; reasoning and tool
 * calls go out only once the whole answer has passed. A refusal is a normal completion marked
 * `refused`.
 *
 * @example
 * pipeline(model, [safety({ guard: nemoguard({ apiKey }), holdBack: 'sentence' })]);
 */
export function safety(options: SafetyOptions): Middleware {
  const opts = validate(SafetySchema, options, 'safety options');
  return {
    name: 'safety',
    generate: async function safetyGenerate(ctx, next) {
      if (opts.input) {
        const blocked = await judge(ctx, opts, ctx.request.messages, 'input');
        if (blocked) return refuse(ctx, opts, 'input', blocked);
      }
      const completion = await next();
      if (!opts.output || completion.finishReason === 'refused') return completion;
      // The guard judges the answer as its assistant turn: the text and the tool calls it makes.
      const blocked = await judge(ctx, opts, withAnswer(ctx.request.messages, completion), 'output', completion);
      return blocked ? refuse(ctx, opts, 'output', blocked, completion) : completion;
    },
    stream: async function* safetyStreamPath(ctx, next) {
      if (opts.input) {
        const blocked = await judge(ctx, opts, ctx.request.messages, 'input');
        if (blocked) return yield* replay(refuse(ctx, opts, 'input', blocked));
      }
      if (!opts.output) return yield* next();
      yield* safetyStream(ctx, next, opts);
    },
  };
}

