import * as z from 'zod/mini';
import type { CallOptions, Guard } from '../interfaces.js';
import { validate } from '../internal/validate.js';
import { VerdictSchema, type Message, type Verdict } from '../types.js';

const FnSchema = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'expected a function');

/**
 * A Guard from a function, for custom policies: return a Verdict, or a boolean meaning "safe".
 * The verdict is validated, so a category outside the taxonomy is a ValidationError.
 *
 * @example
 * const noSecrets = guardFromFunction((conversation) => !conversation.at(-1)!.content.includes('password'));
 */
export function guardFromFunction(fn: (conversation: Message[], options: CallOptions) => boolean | Verdict | Promise<boolean | Verdict>): Guard {
  validate(FnSchema, fn, 'guardFromFunction function');
  return {
    async check(conversation, options = {}) {
      const out = await fn(conversation, options);
      return validate(VerdictSchema, typeof out === 'boolean' ? { safe: out, categories: [] } : out, 'guard verdict');
    },
  };
}
