// Internal: the rails' shared steps (options schema, judging with onGuardError, refusing).
import * as z from 'zod/mini';
import { GuardError, GuardrailError, UserAbortError } from '../../errors.js';
import { CategorySchema } from '../../taxonomy.js';
import type { Completion, Message, ToolCall, Verdict } from '../../types.js';
import { GuardSchema } from '../../pipeline/option-schemas.js';
import { DEFAULT_REFUSAL, refusalCompletion } from '../../pipeline/refusal.js';
import type { VerdictAbout } from '../../pipeline/report.js';
import type { PipelineContext, RailVerdict } from '../../pipeline/types.js';
import { omitUndefined } from '../../internal/omit-undefined.js';

/** The options of `safety()`; the config file's `safety` step is made from it. */
export const SafetyOptionsSchema = z
  .strictObject({
    /** The guard that judges each rail's text. */
    guard: GuardSchema,
    /** Check the user turn before any generation (default true). */
    input: z._default(z.boolean(), true),
    /** Check the answer: its text, each tool call and its reasoning (default true). */
    output: z._default(z.boolean(), true),
    /**
     * Check the tool results the request carries (the tool turns since the last assistant turn)
     * before any generation (default false): indirect prompt injection, unsafe content.
     */
    toolResults: z._default(z.boolean(), false),
    /** A blocked tool result: `'refuse'` the request (default), or `'redact'` that turn (a notice replaces it) and go on. */
    onToolResult: z._default(z.enum(['refuse', 'redact']), 'refuse'),
    /**
     * The answer's reasoning: `'guard'` (default) judges it as its own text before it goes out
     * (before the answer text it precedes); `'drop'` removes it; `'pass'` lets it through unjudged.
     */
    reasoning: z._default(z.enum(['guard', 'drop', 'pass']), 'guard'),
    /** The text of a refusal. */
    refusal: z._default(z.string().check(z.minLength(1)), DEFAULT_REFUSAL),
    /** Block only these categories (an unsafe verdict without categories always blocks). */
    categories: z.optional(z.array(CategorySchema).check(z.minLength(1))),
    /**
     * When the guard is unavailable (`GuardUnavailableError`, or any failure of a guard of yours that
     * is not a GuardError): `'refuse'` (default; the report's reason has code `guard_unavailable`),
     * `'allow'` lets the turn through, `'throw'` throws the guard's error. A misconfigured guard or
     * an input over its limit always throws.
     */
    onGuardError: z.optional(z.enum(['refuse', 'allow', 'throw'])),
    /** The older name of `onGuardError`: `'closed'` is `'refuse'`, `'open'` is `'allow'`. */
    failMode: z.optional(z.enum(['closed', 'open'])),
    /** Throw `GuardrailError` instead of returning a refusal. */
    throwOnRefusal: z._default(z.boolean(), false),
    /** Streaming: how much text (and reasoning) the output rail holds back until the guard has seen it: characters, `'sentence'` (default) or `'all'`. */
    holdBack: z._default(z.union([z.int().check(z.positive()), z.literal('sentence'), z.literal('all')]), 'sentence'),
  })
  // Written for unfilled defaults too: the config file checks its steps with these same rules.
  .check(
    z.refine((o) => o.input !== false || o.output !== false || o.toolResults === true, { message: 'enable at least one of input, output and toolResults', path: ['input'] }),
    z.refine((o) => o.onGuardError === undefined || o.failMode === undefined, { message: 'give onGuardError or its older name failMode, not both', path: ['failMode'] }),
  );

/** The options of safety() with `failMode` folded into `onGuardError`. */
export const SafetySchema = z.pipe(
  SafetyOptionsSchema,
  z.transform(({ failMode, onGuardError, ...rest }) => ({ ...rest, onGuardError: onGuardError ?? (failMode === 'open' ? ('allow' as const) : ('refuse' as const)) })),
);

/** The validated options of safety(). */
export type SafetyConfig = z.output<typeof SafetySchema>;

/** A blocking decision: why, and the code of a refusal for an unavailable guard. */
export interface Block {
  why: string;
  code?: 'guard_unavailable';
}

/** What a judgement is about, for the report: the answer's candidate and the rest of {@link VerdictAbout}. */
export interface JudgeAbout extends VerdictAbout {
  completion?: Completion;
}

/**
 * Runs the guard; returns the block, or undefined when the turn passes. A guard that fails:
 * `guard_misconfigured` and `context_length_exceeded` always throw; `guard_unavailable` (and any
 * error of a user guard that is not a GuardError) follows `onGuardError`.
 */
export async function judge(ctx: PipelineContext, opts: SafetyConfig, conversation: Message[], rail: RailVerdict['rail'], about: JudgeAbout = {}): Promise<Block | undefined> {
  const { completion, ...rest } = about;
  let verdict: Verdict;
  let guardError: unknown;
  try {
    verdict = await opts.guard.check(conversation, { signal: ctx.signal });
  } catch (error) {
    if (ctx.signal?.aborted || UserAbortError.isInstance(error)) throw error;
    if (GuardError.isGuardError(error) && error.code !== 'guard_unavailable') throw error;
    if (opts.onGuardError === 'throw') throw error;
    guardError = error;
    verdict = { safe: opts.onGuardError === 'allow', categories: [] };
  }
  ctx.report.verdict(rail, 'safety', verdict, completion, guardError, rest);
  if (guardError !== undefined) {
    if (verdict.safe) return undefined;
    return { why: `the guard is unavailable (${guardError instanceof Error ? guardError.message : String(guardError)}); refusing`, code: 'guard_unavailable' };
  }
  if (verdict.safe) return undefined;
  const hits = opts.categories ? verdict.categories.filter((c) => opts.categories!.includes(c.category)) : verdict.categories;
  // With a category filter, an unsafe verdict naming only other categories passes.
  if (opts.categories && verdict.categories.length > 0 && hits.length === 0) return undefined;
  const labels = hits.map((h) => (h.label === h.category ? h.category : `${h.category} (${h.label})`)).join(', ');
  const parse = verdict.failedToParse ? 'the guard reply could not be parsed; failing closed' : '';
  return { why: [labels ? `unsafe: ${labels}` : 'unsafe', parse].filter(Boolean).join('; ') };
}

/**
 * Runs judgments side by side and waits for all of them (so that a second failure is never left
 * unhandled); throws the first failure in the order given.
 */
export async function judgeAll<T extends readonly unknown[]>(judgments: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(judgments);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}

/** The reason text of a block on a rail. */
export function blockReason(rail: RailVerdict['rail'], block: Block, calls?: readonly ToolCall[]): string {
  if (rail === 'tool') return `tool result blocked: ${block.why}`;
  const what = calls?.length ? `output blocked (tool call ${calls.map((c) => c.function.name).join(', ')}): ` : `${rail} blocked: `;
  return `${what}${block.why}`;
}

/**
 * Records the refusal (on the blocked candidate too: its `completion`, or its index) and returns
 * it as a completion, or throws when asked to. `calls`: the tool calls the block stopped.
 */
export function refuse(ctx: PipelineContext, opts: SafetyConfig, rail: RailVerdict['rail'], block: Block, blocked?: Completion | number, calls?: readonly ToolCall[]): Completion {
  const reason = blockReason(rail, block, calls);
  const about = typeof blocked === 'number' ? { candidate: blocked } : blocked ? { completion: blocked } : {};
  if (calls?.length) ctx.report.blockedToolCalls('safety', reason, calls, typeof blocked === 'number' ? blocked : blocked ? ctx.report.candidateOf(blocked) : undefined);
  ctx.report.reject('safety', reason, { refused: true, ...about, ...omitUndefined({ code: block.code }) });
  if (opts.throwOnRefusal) {
    // The exception is the answer: its report says refused.
    ctx.report.data.refused = true;
    throw new GuardrailError('refused', `safety: ${reason}`, ctx.report.data);
  }
  return refusalCompletion(opts.refusal, typeof blocked === 'object' ? blocked.model : undefined);
}

/** The conversation the input rail judges: up to the last user turn (later tool turns are the tool rail's). */
export function inputConversation(messages: readonly Message[]): Message[] {
  const last = messages.findLastIndex((m) => m.role === 'user');
  return last < 0 ? [...messages] : messages.slice(0, last + 1);
}

/** The reasoning as the turn a guard judges: an assistant turn whose text is the reasoning. */
export function reasoningConversation(messages: readonly Message[], reasoning: string): Message[] {
  return [...messages, { role: 'assistant', content: reasoning }];
}
