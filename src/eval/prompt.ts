import * as z from 'zod/mini';
import { MessageSchema, type Message } from '../types.js';

/**
 * A benchmark prompt: one user turn as a string, or the turns before the answer as a messages
 * array (multi-turn rows, as MT-Bench rows and the preference test sets publish them).
 *
 * @example
 * PromptSchema.parse('What is 2 + 2?');
 * PromptSchema.parse([{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }, { role: 'user', content: 'And 2 + 2?' }]);
 */
export const PromptSchema = z.union([z.string(), z.array(MessageSchema).check(z.minLength(1, 'a prompt needs at least one message'))], {
  error: 'expected a string or a messages array',
});
/** A prompt: a user text, or a conversation (messages array). */
export type Prompt = z.infer<typeof PromptSchema>;

/** The prompt as conversation turns (a string is one user turn). */
export function promptTurns(prompt: Prompt): Message[] {
  return typeof prompt === 'string' ? [{ role: 'user', content: prompt }] : prompt;
}

/** The conversation a scorer scores: the prompt's turns, then the answer as the assistant turn. */
export function answerConversation(prompt: Prompt, answer: string): Message[] {
  return [...promptTurns(prompt), { role: 'assistant', content: answer }];
}
