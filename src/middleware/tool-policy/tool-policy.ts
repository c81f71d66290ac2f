import * as z from 'zod/mini';
import { answerTurn } from '../../content.js';
import { GuardrailError } from '../../errors.js';
import { validate } from '../../internal/validate.js';
import type { ChatRequest, Completion, Message, Tool, ToolCall } from '../../types.js';
import { type Buffered, type BufferedNext, bufferedLayer } from '../../pipeline/buffered-call.js';
import { functionSchema } from '../../pipeline/option-schemas.js';
import { DEFAULT_REFUSAL, refusalCompletion } from '../../pipeline/refusal.js';
import { type ToolCallViolation, toolViolations } from './tool-policy-check.js';
import type { Middleware, PipelineContext } from '../../pipeline/types.js';

export type { ToolCallViolation, ToolViolationKind } from './tool-policy-check.js';

/**
 * What `check` sees besides the call: the request, the tool it names (undefined when the request
 * offered none by that name) and the parsed arguments (undefined when they are not JSON).
 *
 * @example
 * toolPolicy({ check: (call, { args }) => (args as { path?: string }).path !== '/' || 'never delete /' });
 */
export interface ToolCheckContext {
  request: ChatRequest;
  tool: Tool | undefined;
  args: unknown;
}

/** The options of {@link toolPolicy}; the config file's `toolPolicy` step is made from it (all but `check`). */
export const ToolPolicyOptionsSchema = z.strictObject({
  /** Only these tools may be called (default: every tool the request offers). */
  allow: z.optional(z.array(z.string().check(z.minLength(1)))),
  /** These tools may never be called. */
  deny: z.optional(z.array(z.string().check(z.minLength(1)))),
  /** Arguments must parse as JSON and validate against the tool's JSON Schema (default true). */
  validateArguments: z._default(z.boolean(), true),
  /** The most tool calls one answer may make. */
  maxCalls: z.optional(z.int().check(z.minimum(1))),
  /**
   * The app's own rule, run on each call that passed the others: return `true` (or nothing) to
   * allow it, `false` or a message (the feedback the model reads) to break it.
   */
  check: z.optional(functionSchema<(call: ToolCall, ctx: ToolCheckContext) => boolean | string | void | Promise<boolean | string | void>>()),
  /**
   * A breaking answer: `'resample'` (default) asks the model again with the violations as
   * feedback, up to `maxResamples` times, then refuses; `'refuse'` answers with the refusal (so
   * inside best-of-n the candidate loses to any valid one); `'throw'` throws `GuardrailError`.
   */
  onViolation: z._default(z.enum(['resample', 'refuse', 'throw']), 'resample'),
  /** Extra model calls for `'resample'` (default 2). */
  maxResamples: z._default(z.int().check(z.minimum(1), z.maximum(10)), 2),
  /** The refusal text. */
  refusal: z._default(z.string().check(z.minLength(1)), DEFAULT_REFUSAL),
});

/**
 * Options of {@link toolPolicy}.
 *
 * @example
 * const options: ToolPolicyOptions = { deny: ['delete_files'], maxCalls: 2, onViolation: 'resample' };
 * @interface
 */
export type ToolPolicyOptions = z.input<typeof ToolPolicyOptionsSchema>;

type Opts = z.output<typeof ToolPolicyOptionsSchema>;

/**
 * The tool policy: every call of the answer must name a tool the request offered and the policy
 * allows, its arguments must be JSON that validates against that tool's schema (interpreted, no
 * code generation: it runs on edge runtimes too), at most `maxCalls` per answer, and pass `check`.
 * Violations are recorded in `report.toolViolations`. Text-only answers pass untouched. On a
 * stream, each attempt is held until its calls are checked, and only the accepted one streams.
 *
 * @example
 * pipeline(model, [safety({ guard }), toolPolicy({ deny: ['delete_files'], onViolation: 'resample' })]);
 */
export function toolPolicy(options: ToolPolicyOptions = {}): Middleware {
  const opts = validate(ToolPolicyOptionsSchema, options, 'toolPolicy options');
  const attempts = opts.onViolation === 'resample' ? 1 + opts.maxResamples : 1;
  const layer = { name: 'toolPolicy', calls: attempts > 1 ? ('many' as const) : ('once' as const), fanOut: attempts };
  return bufferedLayer(layer, (ctx, call) => enforce(ctx, call, opts, attempts));
}

async function enforce(ctx: PipelineContext, call: BufferedNext, opts: Opts, attempts: number): Promise<Buffered> {
  let request = ctx.request;
  let last: Completion | undefined;
  for (let k = 0; k < attempts; k++) {
    // The engine gives each resample of a seeded request a seed of its own.
    const result = attempts === 1 ? await call(request) : await call(request, { labels: { resample: k }, fanOutIndex: k });
    const { completion } = result;
    if (completion.finishReason === 'refused' || !completion.toolCalls?.length) return result;
    const violations = await findViolations(ctx.request, completion.toolCalls, opts);
    if (violations.length === 0) return result;
    last = completion;
    const summary = violations.map((v) => `${v.kind}: ${v.message}`).join('; ');
    for (const v of violations) ctx.report.toolViolation(completion, v);
    const final = k === attempts - 1;
    if (opts.onViolation === 'throw') {
      ctx.report.reject('toolPolicy', `tool policy broken: ${summary}`, { refused: true, completion });
      ctx.report.data.refused = true;
      throw new GuardrailError('refused', `toolPolicy: ${summary}`, ctx.report.data);
    }
    const retry = !final ? `; resampling (${k + 1} of ${attempts - 1})` : opts.onViolation === 'resample' ? `; no valid answer in ${attempts} attempts, refusing` : '; refusing';
    ctx.report.reject('toolPolicy', `tool policy broken: ${summary}${retry}`, { refused: final, completion });
    if (!final) request = withViolations(ctx.request, completion, violations);
  }
  return { completion: refusalCompletion(opts.refusal, last?.model) };
}

/** The rule violations, then `check` on each call that broke none. */
async function findViolations(request: ChatRequest, calls: readonly ToolCall[], opts: Opts): Promise<ToolCallViolation[]> {
  const found = toolViolations(calls, request.tools, opts);
  if (!opts.check) return found;
  const check = opts.check as NonNullable<ToolPolicyOptions['check']>;
  const offered = new Map((request.tools ?? []).map((t) => [t.function.name, t]));
  for (const call of calls) {
    if (found.some((v) => v.call === call)) continue;
    let args: unknown;
    try {
      args = JSON.parse(call.function.arguments.trim() === '' ? '{}' : call.function.arguments);
    } catch {
      args = undefined;
    }
    const verdict = await check(call, { request, tool: offered.get(call.function.name), args });
    if (verdict === false || typeof verdict === 'string') {
      found.push({ call, kind: 'check', message: typeof verdict === 'string' ? verdict : `the call of "${call.function.name}" is not allowed by the app's check` });
    }
  }
  // In the calls' order, as the model made them.
  return found.sort((a, b) => calls.indexOf(a.call) - calls.indexOf(b.call));
}

/** The retry's conversation: the broken answer, a tool turn per call saying why it did not run. */
function withViolations(request: ChatRequest, broken: Completion, violations: readonly ToolCallViolation[]): ChatRequest {
  const turns: Message[] = (broken.toolCalls ?? []).map((call) => {
    const mine = violations.filter((v) => v.call === call).map((v) => v.message);
    return { role: 'tool', tool_call_id: call.id, content: mine.length ? `Not run: ${mine.join('; ')}. Fix the call and try again.` : 'Not run: another call of this answer broke the tool policy.' };
  });
  return { ...request, messages: [...request.messages, answerTurn(broken), ...turns] };
}
