import * as z from 'zod/mini';
import { ValidationError } from '../errors.js';
import { validate } from '../internal/validate.js';
import { ConversationSchema, type Message } from '../types.js';
import type { JsonlRecord } from './read-jsonl.js';

// A row is either a conversation (`messages`, last turn the answer) or a `prompt` / `response` pair.
const RowSchema = z.union([
  z.looseObject({ messages: ConversationSchema }),
  z.looseObject({ prompt: z.string(), response: z.string() }),
], { error: 'a row needs `messages` (a conversation ending with the assistant answer) or `prompt` and `response`' });

/** The conversation a `score` row asks to score; a bad row throws naming its file and line. */
export function rowConversation(record: JsonlRecord, file: string): Message[] {
  const row = validate(RowSchema, record.value, `${file} line ${record.line}`);
  const messages: Message[] = 'messages' in row
    ? (row.messages as Message[])
    : [{ role: 'user', content: row.prompt as string }, { role: 'assistant', content: row.response as string }];
  if (messages[messages.length - 1]!.role !== 'assistant') {
    const path = `messages[${messages.length - 1}].role`;
    throw new ValidationError(`${file} line ${record.line}`, [{ path, message: 'the last turn must be the assistant answer to score' }]);
  }
  return messages;
}
