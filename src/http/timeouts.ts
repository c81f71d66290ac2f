import * as z from 'zod/mini';

// Timers cannot wait longer than 2^31 - 1 ms (about 24.8 days); longer is Infinity (off).
const ms = z.union([z.int().check(z.positive(), z.maximum(2_147_483_647)), z.literal(Infinity)]);

/**
 * Deadlines of a call, in milliseconds (`Infinity` turns one off). Strict: a misspelt key is an error.
 * @example
 * createClient({ timeouts: { headersMs: 10_000, firstChunkMs: 15_000, idleMs: 5_000, totalMs: 120_000 } });
 */
export const TimeoutsSchema = z.strictObject({
  /** From sending a request (each attempt) to the response headers. */
  headersMs: z.optional(ms),
  /** From the headers of a stream to its first data event; keep-alive comments do not count. */
  firstChunkMs: z.optional(ms),
  /** Longest gap between two data events of a stream. */
  idleMs: z.optional(ms),
  /** The whole call: every attempt, backoff, 202 poll and the stream to its end. */
  totalMs: z.optional(ms),
});
/** Deadlines of a client's calls: headers, first chunk, idle between chunks, and total, in ms. */
export type Timeouts = z.infer<typeof TimeoutsSchema>;

/** Defaults: 60 s for headers and first chunk, 30 s idle, 10 min in total. */
export const DEFAULT_TIMEOUTS: Required<Timeouts> = {
  headersMs: 60_000,
  firstChunkMs: 60_000,
  idleMs: 30_000,
  totalMs: 600_000,
};
