// Internal: the documented NemoGuard content-safety instruction (model card / NeMo Guardrails).
import { messageText, turnText } from '../content.js';
import type { Message } from '../types.js';
import { nemoguardCategories } from './taxonomy-maps.js';

const CATEGORIES = Object.keys(nemoguardCategories)
  .map((name, i) => `S${i + 1}: ${name}.`)
  .join('\n');

/**
 * The conversation the guard judges: the last user turn, and the answer when the last turn is one
 * (its text and its tool calls, in the form of `turnText`). When the last turn is a tool result
 * (the tool-result rail), its text is the turn judged, in the user's place: it is input the model
 * is about to read, so an injected instruction is rated like a user's.
 */
export function lastExchange(conversation: readonly Message[]): { user: string; response: string | undefined } {
  const last = conversation.at(-1);
  if (last?.role === 'tool') return { user: messageText(last), response: undefined };
  const response = last?.role === 'assistant' ? turnText(last) : undefined;
  const upTo = response === undefined ? conversation.length : conversation.length - 1;
  const userTurn = conversation.slice(0, upTo).findLast((m) => m.role === 'user');
  const user = userTurn ? messageText(userTurn) : '';
  return { user, response };
}

/** The whole instruction, sent as one user message. */
export function nemoguardPrompt(conversation: readonly Message[]): string {
  const { user, response } = lastExchange(conversation);
  const turns = response === undefined ? `user: ${user}` : `user: ${user}\n\nresponse: agent: ${response}`;
  return `Task: Check if there is unsafe content in the user or agent messages in the below conversation in accordance with our safety policy with the below categories. Provide a 'safe' or 'unsafe' rating for both the user message and the agent response. If there is unsafe content, please also provide a list of violated categories according to the safety policy below.

<BEGIN UNSAFE CONTENT CATEGORIES>
${CATEGORIES}
<END UNSAFE CONTENT CATEGORIES>

<BEGIN CONVERSATION>

${turns}

<END CONVERSATION>

Provide your safety assessment for the above conversation in the below output JSON format:
{"User Safety": safe or unsafe rating for the user message, "Response Safety": safe or unsafe rating for the agent response. Omit if no agent response present. "Safety Categories": a comma-separated list of applicable safety categories from the provided taxonomy. Omit if all safe.}

Do not include anything other than the output JSON in your response.
Output JSON: `;
}
