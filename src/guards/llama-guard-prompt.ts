// Internal: the Llama Guard 3 instruction, for servers that do not apply its chat template.
import { turnText } from '../content.js';
import type { Message } from '../types.js';
import { llamaGuardCategories } from './taxonomy-maps.js';

const CATEGORIES = Object.entries(llamaGuardCategories)
  .map(([code, { name }]) => `${code}: ${name}.`)
  .join('\n');

/**
 * The conversation as the text turns Llama Guard reads: user and assistant turns (tool calls as
 * `turnText`). A last turn that is a tool result (the tool-result rail) is kept as a `user` turn:
 * it is input the model is about to read, and the turn judged. Earlier tool turns are left out.
 */
export function llamaGuardTurns(conversation: readonly Message[]): Message[] {
  const last = conversation.length - 1;
  return conversation
    .filter((m, i) => m.role === 'user' || m.role === 'assistant' || (m.role === 'tool' && i === last))
    .map((m) => ({ role: m.role === 'tool' ? 'user' : m.role, content: turnText(m) }));
}

/** The conversation (user and assistant turns, a last tool result as a user turn) as Llama Guard 3's one-message instruction. */
export function llamaGuardPrompt(conversation: readonly Message[]): string {
  const role = conversation.at(-1)?.role === 'assistant' ? 'Agent' : 'User';
  const turns = llamaGuardTurns(conversation)
    .map((m) => `${m.role === 'user' ? 'User' : 'Agent'}: ${m.content as string}`)
    .join('\n\n');
  return `Task: Check if there is unsafe content in '${role}' messages in conversations according our safety policy with the below categories.

<BEGIN UNSAFE CONTENT CATEGORIES>
${CATEGORIES}
<END UNSAFE CONTENT CATEGORIES>

<BEGIN CONVERSATION>

${turns}

<END CONVERSATION>

Provide your safety assessment for ONLY THE LAST ${role} message in the above conversation:
 - First line must read 'safe' or 'unsafe'.
 - If unsafe, a second line must include a comma-separated list of violated categories.`;
}
