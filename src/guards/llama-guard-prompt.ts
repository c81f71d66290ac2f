// Internal: the Llama Guard 3 instruction, for servers that do not apply its chat template.
import { turnText } from '../content.js';
import type { Message } from '../types.js';
import { llamaGuardCategories } from './taxonomy-maps.js';

const CATEGORIES = Object.entries(llamaGuardCategories)
  .map(([code, { name }]) => `${code}: ${name}.`)
  .join('\n');

/** The conversation (user and assistant turns) as Llama Guard 3's one-message instruction. */
export function llamaGuardPrompt(conversation: readonly Message[]): string {
  const role = conversation.at(-1)?.role === 'assistant' ? 'Agent' : 'User';
  const turns = conversation
    .filter((m) => m.role === 'user' || m.role === 'assistant')
    .map((m) => `${m.role === 'user' ? 'User' : 'Agent'}: ${turnText(m)}`)
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
