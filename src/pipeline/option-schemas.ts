// Internal: zod shapes shared by the middleware option schemas.
import * as z from 'zod/mini';
import type { Guard, Scorer } from '../interfaces.js';

const isFn = (v: unknown) => typeof v === 'function';

export const ScorerSchema = z.custom<Scorer>((v) => typeof v === 'object' && v !== null && isFn((v as Scorer).score), 'expected a Scorer (an object with score(conversations))');

export const GuardSchema = z.custom<Guard>((v) => typeof v === 'object' && v !== null && isFn((v as Guard).check), 'expected a Guard (an object with check(conversation))');

/** A function option (code only: a config file cannot hold one), typed by its signature. */
export const functionSchema = <F extends (...args: never[]) => unknown>() => z.custom<F>(isFn, 'expected a function');

/** Sampling defaults of the fan-out middleware (bestOfN, speculativeBestOfN) when the request sets none. */
export const SamplingDefaultsSchema = z.strictObject({
  /** 0 to 2. */
  temperature: z.optional(z.number().check(z.minimum(0), z.maximum(2))),
  /** Above 0, at most 1. */
  top_p: z.optional(z.number().check(z.gt(0), z.maximum(1))),
  /** The first candidate's seed. */
  seed: z.optional(z.int()),
});
