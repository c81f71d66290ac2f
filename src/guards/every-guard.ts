import * as z from 'zod/mini';
import type { Guard } from '../interfaces.js';
import { allOrCancel } from '../internal/all-or-cancel.js';
import { validate } from '../internal/validate.js';
import type { CategoryHit, Verdict } from '../types.js';

const GuardsSchema = z
  .array(z.custom<Guard>((v) => typeof v === 'object' && v !== null && typeof (v as Guard).check === 'function', 'expected a Guard'))
  .check(z.minLength(1, 'give at least one guard'));

/**
 * All guards must pass: runs them in parallel; the verdict is safe only when every one is, and
 * lists every flagged category. `raw` holds each guard's verdict in order.
 *
 * @example
 * safety({ guard: everyGuard(nemoguard({ apiKey }), guardFromFunction(noSecrets)) });
 */
export function everyGuard(...guards: Guard[]): Guard {
  validate(GuardsSchema, guards, 'everyGuard guards');
  return {
    async check(conversation, options) {
      // The first failure decides the outcome: the other guard calls are cancelled, not left running.
      const verdicts = await allOrCancel(options?.signal, guards.map((g) => (signal: AbortSignal) => g.check(conversation, { ...options, signal })));
      const categories: CategoryHit[] = verdicts.flatMap((v) => v.categories);
      const out: Verdict = { safe: verdicts.every((v) => v.safe), categories, raw: verdicts };
      if (verdicts.some((v) => v.failedToParse)) out.failedToParse = true;
      return out;
    },
  };
}
