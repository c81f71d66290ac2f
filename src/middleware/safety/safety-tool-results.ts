// Internal: the tool-result rail. Before anything is generated, each tool turn the request carries
// since the last assistant turn (the results the model is about to read) is judged as the last
// turn of the conversation up to it: an injected instruction or unsafe content in a tool's output
// is caught before the model can act on it. A block refuses, or redacts that turn and goes on.
import type { ChatRequest, Message } from '../../types.js';
import { type Block, blockReason, inputConversation, judge, judgeAll, type SafetyConfig } from './safety-rails.js';
import type { PipelineContext } from '../../pipeline/types.js';

/**
 * The notice that replaces a redacted tool result, so the model knows the call gave nothing usable.
 *
 * @example
 * const redacted = sent.messages.filter((m) => m.role === 'tool' && m.content === REDACTED_TOOL_RESULT);
 */
export const REDACTED_TOOL_RESULT = '[withheld by a guardrail: this tool result looked unsafe or carried instructions]';

/** What the pre-generation rails decided: a block to refuse with, or the request to go on with. */
export type PreCheck = { block: Block; rail: 'input' | 'tool' } | { request: ChatRequest };

/** The tool turns after the last assistant turn, with their positions. */
export function freshToolTurns(messages: readonly Message[]): Array<{ at: number; turn: Message }> {
  const lastAssistant = messages.findLastIndex((m) => m.role === 'assistant');
  const out: Array<{ at: number; turn: Message }> = [];
  for (let i = lastAssistant + 1; i < messages.length; i++) if (messages[i]!.role === 'tool') out.push({ at: i, turn: messages[i]! });
  return out;
}

/**
 * The input rail and the tool-result rail, run together (one guard round trip of latency).
 * Returns the first block in conversation order, or the request with redacted tool turns.
 */
export async function preCheck(ctx: PipelineContext, opts: SafetyConfig): Promise<PreCheck> {
  const messages = ctx.request.messages;
  const tools = opts.toolResults ? freshToolTurns(messages) : [];
  const [input, ...results] = await judgeAll([
    opts.input ? judge(ctx, opts, inputConversation(messages), 'input') : undefined,
    ...tools.map(({ at, turn }) => judge(ctx, opts, messages.slice(0, at + 1), 'tool', turn.tool_call_id === undefined ? {} : { tool_call_id: turn.tool_call_id })),
  ]);
  if (input) return { block: input, rail: 'input' };
  let redacted: Message[] | undefined;
  for (const [k, block] of results.entries()) {
    if (!block) continue;
    if (opts.onToolResult === 'refuse' || block.code === 'guard_unavailable') return { block, rail: 'tool' };
    const { at, turn } = tools[k]!;
    const id = turn.tool_call_id ?? `#${at}`;
    const reason = `${blockReason('tool', block)}; tool result ${id} redacted`;
    ctx.report.redactedToolResult('safety', reason, id);
    ctx.report.reject('safety', reason, { refused: false });
    (redacted ??= [...messages])[at] = { ...turn, content: REDACTED_TOOL_RESULT };
  }
  return { request: redacted ? { ...ctx.request, messages: redacted } : ctx.request };
}
