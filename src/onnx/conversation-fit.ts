import { ValidationError } from '../errors.js';
import type { Message } from '../types.js';
import type { ChatTokenizer } from './tokenizer.js';

/**
 * What to do with a conversation longer than `maxLength` tokens: `'error'` (the default) rejects
 * it; `'oldest-turns'` drops the oldest turns after any system turns, keeping the last exchange
 * (the turn being judged and the user turn before it) whole.
 */
export type Truncation = 'error' | 'oldest-turns';

/** A conversation's token ids after truncation, and how many turns were dropped. */
export interface FittedConversation {
  ids: number[];
  dropped: number;
}

/** Why a conversation does not fit: its length in tokens and what the caller could do. */
export interface Overflow {
  tokens: number;
  /** Ends the error message: the option to pass, or why dropping turns was not enough. */
  detail: string;
}

/**
 * Encodes `messages` with the chat template and fits them into `maxLength` tokens, dropping the
 * oldest turns when `dropOldest` is set; an {@link Overflow} (not thrown) when they cannot fit, so
 * that each caller raises its own error (a ValidationError for scorers, a GuardInputError for guards).
 */
export function fitTurns(tokenizer: ChatTokenizer, messages: Message[], maxLength: number, dropOldest: boolean): FittedConversation | Overflow {
  let ids = tokenizer.encodeChat(messages, { addGenerationPrompt: false });
  if (ids.length <= maxLength) return { ids, dropped: 0 };
  if (!dropOldest) return { tokens: ids.length, detail: "; pass truncation: 'oldest-turns' to drop the oldest turns" };
  const system = messages.findIndex((m) => m.role !== 'system');
  const head = messages.slice(0, system < 0 ? messages.length : system);
  let rest = messages.slice(head.length);
  const last = rest[rest.length - 1];
  const keep = last?.role === 'assistant' && rest[rest.length - 2]?.role === 'user' ? 2 : 1;
  let dropped = 0;
  while (ids.length > maxLength && rest.length > keep) {
    // Drop a turn, then any replies it leaves dangling, so the kept part starts with a user turn.
    let cut = 1;
    while (rest.length - cut > keep && rest[cut]?.role !== 'user') cut++;
    rest = rest.slice(cut);
    dropped += cut;
    ids = tokenizer.encodeChat([...head, ...rest], { addGenerationPrompt: false });
  }
  if (ids.length > maxLength) return { tokens: ids.length, detail: ' even with only the last exchange left (the judged turn is never cut)' };
  return { ids, dropped };
}

/** {@link fitTurns} that throws a ValidationError naming `path` when the conversation does not fit. */
export function fitConversation(
  tokenizer: ChatTokenizer,
  messages: Message[],
  maxLength: number,
  truncation: Truncation,
  path: string,
): FittedConversation {
  const fitted = fitTurns(tokenizer, messages, maxLength, truncation === 'oldest-turns');
  if ('ids' in fitted) return fitted;
  throw new ValidationError('conversation', [{ path, message: `is ${fitted.tokens} tokens, over maxLength ${maxLength}${fitted.detail}` }], { code: 'context_length_exceeded' });
}
