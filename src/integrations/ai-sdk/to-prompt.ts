// Rewardgate messages back to an AI SDK prompt, for a conversation a middleware changed.
import { messageText } from '../../content.js';
import type { Message } from '../../types.js';
import { toPromptPart } from './file-parts.js';
import type { PromptUnit } from './prompt.js';
import { sameValue } from './same-value.js';
import type { AIAssistantPart, AIMessage, AIPrompt, AIToolResultPart } from './types.js';

/**
 * The messages as an AI SDK prompt. A run of messages equal to what a prompt message became is
 * sent as that original message, with its provider options, tool result shapes and parts that
 * have no OpenAI form; only messages the middleware added or changed are converted, and messages
 * that became none (tool approval responses) stay where they were.
 */
export function toPrompt(messages: readonly Message[], units: readonly PromptUnit[]): AIPrompt {
  const prompt: AIPrompt = [];
  const fresh = new Set<AIMessage>();
  let next = 0;
  let i = 0;
  while (i < messages.length) {
    const found = findUnit(units, next, messages, i);
    if (found === -1) {
      convert(messages, i, units, prompt, fresh);
      i++;
      continue;
    }
    for (let k = next; k < found; k++) if (units[k]!.messages.length === 0) prompt.push(units[k]!.source);
    prompt.push(units[found]!.source);
    i += units[found]!.messages.length;
    next = found + 1;
  }
  for (let k = next; k < units.length; k++) if (units[k]!.messages.length === 0) prompt.push(units[k]!.source);
  return prompt;
}

function findUnit(units: readonly PromptUnit[], from: number, messages: readonly Message[], at: number): number {
  for (let k = from; k < units.length; k++) {
    const own = units[k]!.messages;
    if (own.length && own.every((m, j) => sameValue(m, messages[at + j]))) return k;
  }
  return -1;
}

function convert(messages: readonly Message[], i: number, units: readonly PromptUnit[], prompt: AIPrompt, fresh: Set<AIMessage>): void {
  const m = messages[i]!;
  const path = `messages[${i}]`;
  if (m.role === 'system') {
    prompt.push({ role: 'system', content: messageText(m) });
  } else if (m.role === 'user') {
    prompt.push({ role: 'user', content: promptParts(m, path) });
  } else if (m.role === 'assistant') {
    const content: AIAssistantPart[] = [];
    if (m.reasoning) content.push({ type: 'reasoning', text: m.reasoning });
    content.push(...promptParts(m, path));
    for (const call of m.tool_calls ?? []) content.push({ type: 'tool-call', toolCallId: call.id, toolName: call.function.name, input: parseArguments(call.function.arguments) });
    prompt.push({ role: 'assistant', content });
  } else {
    const result: AIToolResultPart = { type: 'tool-result', toolCallId: m.tool_call_id ?? '', toolName: toolNameOf(m, messages, units), output: { type: 'text', value: messageText(m) } };
    // Consecutive tool turns are one AI SDK tool message, as the AI SDK writes them.
    const last = prompt.at(-1);
    if (last?.role === 'tool' && fresh.has(last)) last.content.push(result);
    else {
      const message: AIMessage = { role: 'tool', content: [result] };
      fresh.add(message);
      prompt.push(message);
    }
  }
}

function promptParts(m: Message, path: string) {
  if (typeof m.content === 'string') return m.content === '' ? [] : [{ type: 'text' as const, text: m.content }];
  return (m.content ?? []).flatMap((part, j) => toPromptPart(part, `${path}.content[${j}]`) ?? []);
}

// Tool results name their tool in the AI SDK: the call with that id names it.
function toolNameOf(m: Message, messages: readonly Message[], units: readonly PromptUnit[]): string {
  for (const turn of [...messages, ...units.flatMap((u) => u.messages)]) {
    const call = turn.tool_calls?.find((c) => c.id === m.tool_call_id);
    if (call) return call.function.name;
  }
  return m.name ?? '';
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Malformed arguments stay the text the model wrote.
    return text;
  }
}
