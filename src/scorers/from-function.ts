import * as z from 'zod/mini';
import { RewardgateError } from '../errors.js';
import type { CallOptions, Scorer } from '../interfaces.js';
import { validate } from '../internal/validate.js';
import { ScoreSchema, type Message, type Score } from '../types.js';

/** One conversation's score: a number or a `Score`. Batch functions return one per conversation. */
type ScoreLike = number | Score;

const FnSchema = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'expected a function');
const OptionsSchema = z.strictObject({ batch: z._default(z.boolean(), false) });

/**
 * A Scorer from a function, for custom policies and tests. By default the function scores one
 * conversation (called for each, in parallel); with `{ batch: true }` it gets them all at once.
 *
 * @example
 * const lengthScorer = scorerFromFunction((conversation) => messageText(conversation.at(-1)!).length);
 */
export function scorerFromFunction(fn: (conversation: Message[], options: CallOptions) => ScoreLike | Promise<ScoreLike>, options?: { batch?: false }): Scorer;
export function scorerFromFunction(fn: (conversations: Message[][], options: CallOptions) => ScoreLike[] | Promise<ScoreLike[]>, options: { batch: true }): Scorer;
export function scorerFromFunction(fn: (input: never, options: CallOptions) => unknown, options: { batch?: boolean } = {}): Scorer {
  validate(FnSchema, fn, 'scorerFromFunction function');
  const { batch } = validate(OptionsSchema, options, 'scorerFromFunction options');
  const call = fn as (input: unknown, options: CallOptions) => unknown;
  return {
    async score(conversations, callOptions = {}) {
      const raw = batch ? await call(conversations, callOptions) : await Promise.all(conversations.map((c) => call(c, callOptions)));
      if (!Array.isArray(raw) || raw.length !== conversations.length) {
        throw new RewardgateError(`scorerFromFunction: expected ${conversations.length} scores, got ${Array.isArray(raw) ? raw.length : typeof raw}`);
      }
      return raw.map((s, i) => validate(ScoreSchema, typeof s === 'number' ? { value: s } : s, `score [${i}]`));
    },
  };
}
