import type { Message } from '../../types.js';
import type { AIPrompt } from './types.js';

/**
 * The AI SDK prompt as rewardgate messages, text only: what scorers and guards read. File parts
 * are left out; a tool result becomes its text (or JSON) so the conversation keeps its turns.
 */
export function toMessages(prompt: AIPrompt): Message[] {
  return prompt.map((message): Message => {
    if (message.role === 'system') return { role: 'system', content: message.content };
    const parts = message.content as ReadonlyArray<{ type: string; text?: unknown; output?: unknown }>;
    let content = '';
    for (const part of parts) {
      if (part.type === 'text' && typeof part.text === 'string') content += part.text;
      else if (part.type === 'tool-result') content += toolOutputText(part.output);
    }
    return { role: message.role, content };
  });
}

/** A text-only AI SDK prompt for messages that a middleware changed. */
export function toPrompt(messages: readonly Message[]): AIPrompt {
  return messages.map((m) => {
    if (m.role === 'system') return { role: 'system' as const, content: m.content };
    if (m.role === 'tool') return { role: 'user' as const, content: [{ type: 'text' as const, text: m.content }] };
    return { role: m.role, content: [{ type: 'text' as const, text: m.content }] };
  });
}

/** Whether a middleware left the conversation as it came (then the original prompt is sent). */
export function sameMessages(a: readonly Message[], b: readonly Message[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((m, i) => m.role === b[i]!.role && m.content === b[i]!.content);
}

function toolOutputText(output: unknown): string {
  if (typeof output !== 'object' || output === null) return '';
  const o = output as { type?: string; value?: unknown };
  if (typeof o.value === 'string') return o.value;
  return o.value === undefined ? '' : JSON.stringify(o.value);
}
